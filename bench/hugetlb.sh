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

undo_hugetlb() {
    if [ "${HUGETLB_MOUNTED:-}" = 1 ]; then
        umount /sys/fs/cgroup/hugetlb && rmdir /sys/fs/cgroup/hugetlb 2>/dev/null
        HUGETLB_MOUNTED=
    fi
    return 0
}
