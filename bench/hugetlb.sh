# crun refuses a hybrid cgroup v1 layout until a hugetlb v1 hierarchy is
# mounted; mount it only when missing, and unmount it again on exit.
# Sourced by the bench scripts (after their own EXIT trap is set: this adds to it).
need_hugetlb_for_crun() {
    if [ -d /sys/fs/cgroup/unified ] && [ ! -d /sys/fs/cgroup/hugetlb ]; then
        mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || mount -o remount,rw /sys/fs/cgroup
        mkdir -p /sys/fs/cgroup/hugetlb
        mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
        HUGETLB_MOUNTED=1
    fi
}

undo_hugetlb() {
    if [ "${HUGETLB_MOUNTED:-}" = 1 ]; then
        umount /sys/fs/cgroup/hugetlb && rmdir /sys/fs/cgroup/hugetlb 2>/dev/null || true
    fi
}
