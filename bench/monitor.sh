#!/bin/sh
# Monitor memory and log throughput, vassalrun against podman + conmon, side
# by side in one run. Prints a markdown table with ratios.
#
#   sh bench/monitor.sh [N_IDLE] [LOG_MIB]
#
# N_IDLE idle `sleep` containers per runtime (default 20): the RSS and PSS of
# each monitor (vassalrun: the monitor and its pid-namespace holder; podman:
# conmon) from /proc/PID/smaps_rollup, averaged. LOG_MIB (default 1024): a
# container writes that much to stdout; the time until it has exited and all
# of it is in the log file (vassalrun json-file, podman k8s-file).
set -eu
cd "$(dirname "$0")/.."
. scripts/packages.sh
ensure_packages $VASSALRUN_PACKAGES podman conmon crun hyperfine >/dev/null
N_IDLE=${1:-20}
LOG_MIB=${2:-1024}

cargo build --release --locked -q
V=$PWD/target/release/vassalrun
WORK=$(mktemp -d /tmp/vassalrun-bench.XXXXXX)
VR="$V --root $WORK/vr/root --run-dir $WORK/vr/run --config-dir $WORK/vr/etc --default-cgroup-parent vassalrun-bench"
PM="podman --root $WORK/pm/storage --runroot $WORK/pm/run --cgroup-manager cgroupfs --events-backend file --runtime crun"
PMRUN="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
cleanup() {
    $VR rm -f $($VR ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    $PM rm -af -t 0 >/dev/null 2>&1 || true
    $PM rmi -af >/dev/null 2>&1 || true
    umount "$WORK/vr/run/bin/vassalrun" 2>/dev/null || true
    rmdir /sys/fs/cgroup/*/vassalrun-bench 2>/dev/null || true
    rm -rf "$WORK" 2>/dev/null || true
    command -v undo_hugetlb >/dev/null && undo_hugetlb
}
trap cleanup EXIT INT TERM

. bench/hugetlb.sh
need_hugetlb_for_crun

sh rootfs-fixtures/build-busybox.sh "$WORK/busybox.tar" >/dev/null
$VR image import "$WORK/busybox.tar" busybox >/dev/null
$PM import -q "$WORK/busybox.tar" localhost/busybox >/dev/null

# memory of the processes PIDS (space-separated): "RSS_KB PSS_KB"
mem_of() {
    rss=0; pss=0
    for p in $1; do
        r=$(awk '/^Rss:/ {print $2}' /proc/$p/smaps_rollup)
        s=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)
        rss=$((rss + r)); pss=$((pss + s))
    done
    echo "$rss $pss"
}

vr_monitor_pids() {
    for d in "$WORK"/vr/root/containers/*/; do
        m=$(cat "$d/monitor.pid")
        echo "$m $(cat /proc/$m/task/$m/children 2>/dev/null | tr ' ' '\n' | while read c; do
            [ -n "$c" ] && [ "$(cat /proc/$c/comm)" = vassalrun ] && echo $c; done)"
    done | tr '\n' ' '
}

i=0
while [ $i -lt "$N_IDLE" ]; do
    $VR run -d --network none busybox sleep 100000 >/dev/null
    $PM run $PMRUN -d --network none localhost/busybox sleep 100000 >/dev/null
    i=$((i + 1))
done
sleep 1
set -- $(mem_of "$(vr_monitor_pids)"); vr_rss=$(( $1 / N_IDLE )); vr_pss=$(( $2 / N_IDLE ))
set -- $(mem_of "$(pgrep -d ' ' -f "^/usr/bin/conmon .*$WORK/pm")"); cm_rss=$(( $1 / N_IDLE )); cm_pss=$(( $2 / N_IDLE ))
$VR rm -f $($VR ps -aq) >/dev/null
$PM rm -af -t 0 >/dev/null

WRITE="yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c $((LOG_MIB * 1048576))"
hyperfine --style basic --runs 3 --time-unit millisecond --export-markdown "$WORK/log.md" \
    -n vassalrun "$VR run --rm --network none --log-driver json-file busybox sh -c '$WRITE' >/dev/null" \
    -n podman "$PM run $PMRUN --rm --network none --log-driver k8s-file localhost/busybox sh -c '$WRITE' >/dev/null" \
    >/dev/null
vr_t=$(awk -F'|' '/vassalrun/ {print $3}' "$WORK/log.md" | awk '{print $1}')
pm_t=$(awk -F'|' '/podman/ {print $3}' "$WORK/log.md" | awk '{print $1}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "PASS" : "FAIL" }'; }
echo "Monitor memory and log throughput — $(date -u +%Y-%m-%d), $(uname -r), $(nproc) cores"
echo "vassalrun $($V --version | awk '{print $2}'), podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1 {print $3}')"
echo
echo "| measure | vassalrun | podman + conmon | vassalrun / podman | goal |"
echo "|---|---|---|---|---|"
echo "| idle monitor RSS (KiB, mean of $N_IDLE) | $vr_rss | $cm_rss | $(ratio $vr_rss $cm_rss) | $(verdict $vr_rss $cm_rss) < 1 |"
echo "| idle monitor PSS (KiB, mean of $N_IDLE) | $vr_pss | $cm_pss | $(ratio $vr_pss $cm_pss) | $(verdict $vr_pss $cm_pss) < 1 |"
echo "| $LOG_MIB MiB stdout → log, mean of 3 (ms) | $vr_t | $pm_t | $(ratio $vr_t $pm_t) | $(verdict $vr_t $pm_t) ≤ 1 |"
