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
. bench/lib.sh
N_IDLE=${1:-20}
LOG_MIB=${2:-1024}

bench_init
bench_install
bench_build
need_hugetlb_for_crun
vr_image
podman_image
VR=$(vr_cmd)
PM=$(pm_cmd)
PMRUN=$(pm_run_flags)

i=0
while [ $i -lt "$N_IDLE" ]; do
    vr run -d --network none bb sleep 100000 >/dev/null
    pm run $PMRUN -d --network none localhost/bb sleep 100000 >/dev/null
    i=$((i + 1))
done
# Monitors hand their container to the relay image after 0.5 s.
sleep 2
set -- $(mem_of "$(vr_monitor_pids)"); vr_rss=$(( $1 / N_IDLE )); vr_pss=$(( $2 / N_IDLE ))
set -- $(mem_of "$(pm_conmon_pids)"); cm_rss=$(( $1 / N_IDLE )); cm_pss=$(( $2 / N_IDLE ))
vr rm -f $(vr ps -aq) >/dev/null
pm rm -af -t 0 >/dev/null

WRITE="yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c $((LOG_MIB * 1048576))"
hyperfine --style basic --runs 3 --time-unit millisecond --export-markdown "$WORK/log.md" \
    -n vassalrun "$VR run --rm --network none --log-driver json-file bb sh -c '$WRITE' >/dev/null" \
    -n podman "$PM run $PMRUN --rm --network none --log-driver k8s-file localhost/bb sh -c '$WRITE' >/dev/null" \
    >/dev/null
vr_t=$(awk -F'|' '/vassalrun/ {print $3}' "$WORK/log.md" | awk '{print $1}')
pm_t=$(awk -F'|' '/podman/ {print $3}' "$WORK/log.md" | awk '{print $1}')

verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "PASS" : "FAIL" }'; }
echo "Monitor memory and log throughput — $(date -u +%Y-%m-%d), $(uname -r), $(nproc) cores"
echo "vassalrun $($V --version | awk '{print $2}'), podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1 {print $3}')"
echo
echo "| measure | vassalrun | podman + conmon | vassalrun / podman | goal |"
echo "|---|---|---|---|---|"
echo "| idle monitor RSS (KiB, mean of $N_IDLE) | $vr_rss | $cm_rss | $(ratio $vr_rss $cm_rss) | $(verdict $vr_rss $cm_rss) < 1 |"
echo "| idle monitor PSS (KiB, mean of $N_IDLE) | $vr_pss | $cm_pss | $(ratio $vr_pss $cm_pss) | $(verdict $vr_pss $cm_pss) < 1 |"
echo "| $LOG_MIB MiB stdout → log, mean of 3 (ms) | $vr_t | $pm_t | $(ratio $vr_t $pm_t) | $(verdict $vr_t $pm_t) ≤ 1 |"
