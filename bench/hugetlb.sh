# crun 1.8 refuses a hybrid cgroup layout whose v2 hierarchy holds a controller
# (typically hugetlb: "cgroups in hybrid mode not supported, drop all
# controllers from cgroupv2") until a hugetlb v1 hierarchy is mounted. Mount it
# only then, and unmount it again on exit (undo_hugetlb, from the cleanup trap).
# cgroupfs files report size 0, so the controllers file is read, not tested
# with [ -s ]. vassalrun itself needs none of this.
need_hugetlb_for_crun() {
    controllers=$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true)
    if [ -n "$controllers" ] && [ ! -d /sys/fs/cgroup/hugetlb ]; then
        mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || mount -o remount,rw /sys/fs/cgroup
        mkdir -p /sys/fs/cgroup/hugetlb
        mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
        HUGETLB_MOUNTED=1
    fi
}

# An unmounted v1 hierarchy whose cgroups were removed just before (crun's)
# stays alive in the kernel: /proc/self/cgroup keeps a `N:hugetlb:/` line, and
# crun then tries to bind a hierarchy that is mounted nowhere ("mount
# /sys/fs/cgroup/hugetlb: Operation not permitted") in every later run, tests
# included. Mounting it again once those cgroups are gone and unmounting it
# without children lets the kernel destroy it (within a second or two);
# hugetlb goes back to the v2 hierarchy.
undo_hugetlb() {
    if [ "${HUGETLB_MOUNTED:-}" = 1 ]; then
        umount /sys/fs/cgroup/hugetlb && rmdir /sys/fs/cgroup/hugetlb 2>/dev/null
        HUGETLB_MOUNTED=
        # The kernel destroys a hierarchy without children asynchronously:
        # wait, and mount/unmount it again each second while it lingers.
        tries=0
        while hugetlb_v1_alive && [ $tries -lt 50 ]; do
            sleep 0.2
            tries=$((tries + 1))
            if [ $((tries % 5)) = 0 ] && hugetlb_v1_alive; then
                spare=$(mktemp -d)
                mount -t cgroup -o hugetlb cgroup "$spare" 2>/dev/null && umount "$spare"
                rmdir "$spare"
            fi
        done
        hugetlb_v1_alive && echo "bench: the hugetlb v1 hierarchy is still alive (see /proc/cgroups)" >&2
    fi
    return 0
}

# /proc/cgroups gives the hugetlb controller a non-zero hierarchy id while a
# v1 hierarchy holds it.
hugetlb_v1_alive() {
    awk '$1 == "hugetlb" && $2 != 0 { found = 1 } END { exit !found }' /proc/cgroups
}
