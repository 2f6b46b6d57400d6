#!/bin/sh
# Per-vassal memory of vassalrun as a uWSGI Emperor wrapper (issue #20, point 7).
#
#   sudo sh bench/vassal-memory.sh            # N=30 vassals; VASSALRUN=path to skip the build
#
# Starts a real uWSGI Emperor (Debian's uwsgi-core) with vassalrun as its
# `--emperor-wrapper` and N container vassals (the uWSGI fixture image, a
# `docker-socket` each, `docker-network-mode = none`), everything in the
# bench's own temporary directory (vassalrun's --root/--run-dir/--config-dir,
# the vassals, the sockets) and cgroup parent. Once every vassal answers HTTP
# 200 and has settled, it sums, per vassal, the PSS (/proc/PID/smaps_rollup)
# of every long-lived process vassalrun keeps for it: the wrapper (the pid the
# Emperor tracks) and any child of it running a vassalrun image (the PID
# holder) — not the vassal's uWSGI. Prints each vassal's sum, the median,
# and as its last line:
#
#   per-vassal PSS: <N> KiB (target ≤ 400 KiB): PASS|FAIL
#
# The exit trap stops the Emperor and removes containers, mounts, cgroups
# and the directory.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${N:-30}
TARGET_KIB=400
SETTLE=${SETTLE:-3}

bench_init
if [ -z "${VASSALRUN:-}" ]; then
    bench_install uwsgi-core curl
fi
bench_build

mkdir -p "$WORK/vassals" "$WORK/vr/etc"
export VASSALRUN_ROOT="$WORK/vr/root" VASSALRUN_RUN_DIR="$WORK/vr/run" \
    VASSALRUN_CONFIG_DIR="$WORK/vr/etc" VASSALRUN_CGROUP_PARENT="$CG"
sh rootfs-fixtures/build-uwsgi.sh "$WORK/uwsgi.tar" >/dev/null
vr image import "$WORK/uwsgi.tar" uwsgi >/dev/null

emperor=
stop_emperor() {
    [ -n "$emperor" ] || return 0
    kill -INT "$emperor" 2>/dev/null || true
    i=0
    while kill -0 "$emperor" 2>/dev/null && [ "$i" -lt 150 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    kill -KILL "$emperor" 2>/dev/null || true
    wait "$emperor" 2>/dev/null || true
    emperor=
}
trap 'stop_emperor; bench_cleanup' EXIT

i=0
while [ "$i" -lt "$N" ]; do
    cat >"$WORK/vassals/v$i.ini" <<EOF
[emperor]
docker-image = uwsgi
docker-socket = $WORK/v$i.sock
docker-network-mode = none
[uwsgi]
http-socket = fd://0
master = true
processes = 1
route-run = return:200
EOF
    i=$((i + 1))
done

uwsgi --emperor "$WORK/vassals" --emperor-wrapper "$V" --emperor-freq 1 \
    >"$WORK/emperor.log" 2>&1 &
emperor=$!

# Every vassal answers (3 minutes at most).
deadline=$(($(date +%s) + 180))
i=0
while [ "$i" -lt "$N" ]; do
    if curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        --unix-socket "$WORK/v$i.sock" http://vassal/ 2>/dev/null | grep -q 200; then
        i=$((i + 1))
        continue
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "vassal v$i does not answer; the Emperor's log:" >&2
        tail -50 "$WORK/emperor.log" >&2
        exit 1
    fi
    sleep 0.2
done
sleep "$SETTLE"

# The wrappers are the Emperor's children; vassalrun's processes of a vassal
# are the wrapper and its children that run a vassalrun image.
is_vassalrun() {
    case $(readlink "/proc/$1/exe" 2>/dev/null) in
    */vassalrun | */vassalrun-relay) return 0 ;;
    esac
    return 1
}
sums=$WORK/sums
: >"$sums"
for w in $(cat "/proc/$emperor/task/$emperor/children"); do
    is_vassalrun "$w" || continue
    pids=$w
    kinds=$(basename "$(readlink "/proc/$w/exe")")
    for c in $(cat "/proc/$w/task/$w/children" 2>/dev/null); do
        if is_vassalrun "$c"; then
            pids="$pids $c"
            kinds="$kinds+$(cat "/proc/$c/comm")"
        fi
    done
    set -- $(mem_of "$pids")
    echo "$2 $1 $kinds" >>"$sums"
done
count=$(wc -l <"$sums")
if [ "$count" -ne "$N" ]; then
    echo "found $count wrappers for $N vassals" >&2
    exit 1
fi
echo "vassals: $N; per vassal: PSS KiB, RSS KiB, processes (wrapper image + children)"
sort -n "$sums" | awk '{ printf "  %s KiB PSS, %s KiB RSS, %s\n", $1, $2, $3 }'
median=$(sort -n "$sums" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
echo "per-vassal PSS: $median KiB (target ≤ $TARGET_KIB KiB): $(at_most "$median" "$TARGET_KIB")"
