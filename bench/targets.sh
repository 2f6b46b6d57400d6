#!/bin/sh
# Every target of issue #16 from one fresh run, with the measured value, the
# limit, the ratio and PASS/FAIL. As root:
#
#   sh bench/targets.sh          # ~3-5 minutes on the 2-core machine
#
# 1. `run --rm --network none IMG /bin/true` against crun with vassalrun's own
#    config.json (`vassalrun spec`: same seccomp profile, capabilities, masks),
#    crun's default bundle, runc and podman: back to back (each command's runs
#    in a row, as hyperfine does) and isolated (interleaved, 100 ms idle before
#    each run), both by bench/timeit.pl.
# 2. Scaling: the same `run --rm` (vassalrun, and crun with the same config)
#    beside 0 and beside SCALE_N sleeping busybox containers of its own,
#    isolated; growth per container in ms.
# 3. `run --rm -p 18080:80` against `podman run --rm -p 18080:80`, isolated,
#    in the bench's network namespace.
# 4. uWSGI Emperor: first HTTP 200 of a containerized vassal against the same
#    vassal on the host, from the spawn (the wrapper's exec) and from the drop
#    (bench/emperor.sh).
# 5. Memory per vassal: bench/vassal-memory.sh when present.
#
# Prepares everything as run-all.sh does (bench/lib.sh: packages, release
# build, busybox rootfs as vassalrun image, OCI bundles and podman image),
# all under a temporary directory, its own cgroups and network namespace,
# removed on exit. Writes OUT (default bench/results/targets.md) and stdout.
# Environment: ROUNDS (isolated rounds, 21), B2B_RUNS (30), WARMUP (3),
# GAP_MS (100), SCALE_N (200), SCALE_ROUNDS (21), SCALE_SETTLE (10 s after
# starting the sleepers), PORT_ROUNDS (11),
# EMPEROR_ROUNDS (9), VASSALRUN (a binary instead of building), OUT.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/emperor.sh

ROUNDS=${ROUNDS:-21}
B2B_RUNS=${B2B_RUNS:-30}
WARMUP=${WARMUP:-3}
GAP_MS=${GAP_MS:-100}
SCALE_N=${SCALE_N:-200}
SCALE_ROUNDS=${SCALE_ROUNDS:-21}
SCALE_SETTLE=${SCALE_SETTLE:-10}
PORT_ROUNDS=${PORT_ROUNDS:-11}
EMPEROR_ROUNDS=${EMPEROR_ROUNDS:-9}
OUT=${OUT:-bench/results/targets.md}

bench_init
bench_install uwsgi-core curl
bench_build
need_hugetlb_for_crun
bench_netns
IN_NS=
vr_image
oci_bundle
podman_image

REPORT=$WORK/targets.md
TARGETS=$WORK/targets.rows
: >"$REPORT"
: >"$TARGETS"
log() { echo "== $*" >&2; }
say() { echo "$@" >>"$REPORT"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
timeit() { perl bench/timeit.pl "$@"; }

# target TEXT VALUE LIMIT UNIT: a row of the targets table (PASS when VALUE <= LIMIT).
target() {
    v=$(at_most "$2" "$3")
    [ -n "$2" ] || v="FAIL (not measured)"
    echo "| $1 | $2 $4 | $3 $4 | $(ratio "$2" "$3") | **$v** |" >>"$TARGETS"
    echo "$v: $1: $2 $4 (limit $3 $4, ratio $(ratio "$2" "$3"))" >&2
}

# A table of timeit samples: one row per NAME, min, median, runs, median / REF.
# ti_table FILE REF NAME...
ti_table() {
    file=$1 ref=$2
    shift 2
    refm=$(ti_stat "$file" "$ref" median)
    say "| command | min (ms) | median (ms) | runs | median / $ref |"
    say "|---|---|---|---|---|"
    for name in "$@"; do
        m=$(ti_stat "$file" "$name" median)
        say "| $name | $(ti_stat "$file" "$name" min) | $m | $(ti_stat "$file" "$name" n) | $(ratio "$m" "$refm") |"
    done
    say
}

VRC=$(vr_cmd)
PMF=$(pm_run_flags)
CRUN="crun --root $WORK/crun"
RUNC="runc --root $WORK/runc"
VR_RUN="$VRC run --rm --network none bb /bin/true"
SAME_RUN="$CRUN run -b $SAME_BUNDLE t-same"
LIFECYCLE="vassalrun=$VR_RUN"
LIFECYCLE_SAME="crun-same-config=$SAME_RUN"
LIFECYCLE_CRUN="crun-default=$CRUN run -b $BUNDLE t-crun"
LIFECYCLE_RUNC="runc=$RUNC run -b $BUNDLE t-runc"
LIFECYCLE_PM="podman=$(pm_cmd) run --rm --network none $PMF localhost/bb /bin/true"
NAMES="vassalrun crun-same-config crun-default runc podman"

lifecycle() {
    log "lifecycle: back to back ($B2B_RUNS runs each)"
    l0=$(load1)
    timeit --mode b2b --runs "$B2B_RUNS" --warmup "$WARMUP" "$LIFECYCLE" "$LIFECYCLE_SAME" \
        "$LIFECYCLE_CRUN" "$LIFECYCLE_RUNC" "$LIFECYCLE_PM" >"$WORK/b2b.tsv"
    log "lifecycle: isolated ($ROUNDS interleaved rounds, ${GAP_MS} ms idle before each run)"
    timeit --mode isolated --runs "$ROUNDS" --warmup 1 --gap-ms "$GAP_MS" "$LIFECYCLE" "$LIFECYCLE_SAME" \
        "$LIFECYCLE_CRUN" "$LIFECYCLE_RUNC" "$LIFECYCLE_PM" >"$WORK/iso.tsv"
    say "## 1. \`run --rm --network none IMG /bin/true\`"
    say
    say "crun-same-config runs an OCI bundle of the same busybox rootfs with the config.json vassalrun generates (\`vassalrun spec\`: Docker's seccomp profile, capabilities, masked and read-only paths); crun-default and runc the bundle of \`crun spec\` (no seccomp). vassalrun and podman also mount an overlay and run a monitor (podman: conmon). Load $l0 → $(load1)."
    say
    say "### Back to back ($B2B_RUNS runs of each command in a row, $WARMUP warm-up)"
    say
    # shellcheck disable=SC2086
    ti_table "$WORK/b2b.tsv" vassalrun $NAMES
    say "### Isolated ($ROUNDS rounds, commands interleaved, ${GAP_MS} ms idle before each run)"
    say
    # shellcheck disable=SC2086
    ti_table "$WORK/iso.tsv" vassalrun $NAMES
    for mode in b2b iso; do
        label=$([ "$mode" = b2b ] && echo "back to back" || echo isolated)
        target "\`run --rm\` ≤ crun with the same config.json, $label (median)" \
            "$(ti_stat "$WORK/$mode.tsv" vassalrun median)" "$(ti_stat "$WORK/$mode.tsv" crun-same-config median)" ms
    done
    target "\`run --rm\` ≤ 1.5 × crun's default bundle, isolated (median)" \
        "$(ti_stat "$WORK/iso.tsv" vassalrun median)" \
        "$(awk -v c="$(ti_stat "$WORK/iso.tsv" crun-default median)" 'BEGIN { printf "%.1f", c * 1.5 }')" ms
}

# SCALE_N sleeping containers of vassalrun (overlay, monitor each) or of crun
# (vassalrun's config.json with `sleep`, a cgroup each).
vr_sleepers() {
    i=0
    while [ "$i" -lt "$SCALE_N" ]; do
        vr run -d --network none bb sleep 100000 >/dev/null
        i=$((i + 1))
    done
}
crun_sleepers() {
    SLEEP_BUNDLE=$WORK/bundle-sleep
    mkdir -p "$SLEEP_BUNDLE"
    ln -sfn "$BUNDLE/rootfs" "$SLEEP_BUNDLE/rootfs"
    jq '.process.args = ["sleep", "100000"] | .linux.cgroupsPath = "/'"$CG"'/sleep-ID"' \
        "$SAME_BUNDLE/config.json" >"$WORK/sleep-template.json"
    i=0
    while [ "$i" -lt "$SCALE_N" ]; do
        sed "s|/sleep-ID\"|/sleep-$i\"|" "$WORK/sleep-template.json" >"$SLEEP_BUNDLE/config.json"
        $CRUN run -d -b "$SLEEP_BUNDLE" "sleep-$i" </dev/null >/dev/null 2>&1
        i=$((i + 1))
    done
}
crun_sleepers_rm() {
    for id in $($CRUN list -q | grep '^sleep-'); do
        $CRUN delete -f "$id" >/dev/null 2>&1 || true
    done
}
scale_measure() {
    timeit --mode isolated --runs "$SCALE_ROUNDS" --warmup 1 --gap-ms "$GAP_MS" \
        "$LIFECYCLE" "$LIFECYCLE_SAME" >"$WORK/scale-$1.tsv"
}

scaling() {
    l0=$(load1)
    log "scaling: beside 0 containers"
    scale_measure 0
    log "scaling: beside $SCALE_N vassalrun containers"
    vr_sleepers
    # the last containers' monitors hand over to their relay after 0.5 s;
    # starting 200 containers leaves the kernel work to finish (writeback,
    # RCU callbacks): measure the steady state beside them
    sleep "$SCALE_SETTLE"
    scale_measure vr
    # shellcheck disable=SC2046
    vr rm -f $(vr ps -q) >/dev/null
    log "scaling: beside $SCALE_N crun containers"
    crun_sleepers
    sleep "$SCALE_SETTLE"
    scale_measure crun
    crun_sleepers_rm
    v0=$(ti_stat "$WORK/scale-0.tsv" vassalrun median)
    vn=$(ti_stat "$WORK/scale-vr.tsv" vassalrun median)
    c0=$(ti_stat "$WORK/scale-0.tsv" crun-same-config median)
    cn=$(ti_stat "$WORK/scale-crun.tsv" crun-same-config median)
    growth() { awk -v a="$1" -v b="$2" -v n="$SCALE_N" 'BEGIN { printf "%.3f", (b - a) / n }'; }
    vg=$(growth "$v0" "$vn")
    cg=$(growth "$c0" "$cn")
    say "## 2. Scaling: \`run --rm --network none\` beside 0 and $SCALE_N running containers"
    say
    say "Each runtime beside $SCALE_N sleeping busybox containers of its own (vassalrun: \`run -d --network none bb sleep\`, an overlay mount in its monitor's mount namespace and a monitor each; crun: the same config.json with \`sleep\`, a cgroup each); isolated, $SCALE_ROUNDS interleaved rounds ${SCALE_SETTLE} s after the sleepers started, ${GAP_MS} ms idle before each run; medians (ms), the other runtime's figure beside them for reference. Load $l0 → $(load1)."
    say
    say "| command | beside 0 | beside $SCALE_N vassalrun | beside $SCALE_N crun | growth per own container (ms) |"
    say "|---|---|---|---|---|"
    say "| vassalrun | $v0 | $vn | $(ti_stat "$WORK/scale-crun.tsv" vassalrun median) | $vg |"
    say "| crun-same-config | $c0 | $(ti_stat "$WORK/scale-vr.tsv" crun-same-config median) | $cn | $cg |"
    say
    target "growth of \`run --rm\` per running container ≤ crun's (same config.json), $SCALE_N beside" "$vg" "$cg" ms
}

published() {
    log "run --rm -p: vassalrun vs podman ($PORT_ROUNDS isolated rounds)"
    l0=$(load1)
    IN_NS=$NS_ENTER
    timeit --mode isolated --runs "$PORT_ROUNDS" --warmup 1 --gap-ms "$GAP_MS" \
        "vassalrun=$(vr_cmd) run --rm -p 18080:80 bb /bin/true" \
        "podman=$(pm_cmd) run --rm -p 18080:80 $PMF localhost/bb /bin/true" >"$WORK/ports.tsv"
    IN_NS=
    say "## 3. \`run --rm -p 18080:80 IMG /bin/true\`"
    say
    say "Both in the bench's network namespace; vassalrun: bridge, veth over netlink, nftables port map; podman: netavark. Isolated, $PORT_ROUNDS interleaved rounds. Load $l0 → $(load1)."
    say
    ti_table "$WORK/ports.tsv" vassalrun vassalrun podman
    target "\`run --rm -p\` ≤ podman's / 10 (median)" "$(ti_stat "$WORK/ports.tsv" vassalrun median)" \
        "$(awk -v p="$(ti_stat "$WORK/ports.tsv" podman median)" 'BEGIN { printf "%.1f", p / 10 }')" ms
}

emperor() {
    say "## 4. uWSGI Emperor: first HTTP 200 of a vassal"
    say
    if ! has_emperor_wrapper; then
        say "not measured: this vassalrun is not a uWSGI \`--emperor-wrapper\`"
        say
        target "Emperor vassal, spawn → first 200 ≤ 1.3 × the host vassal's" "" "" ms
        return 0
    fi
    log "Emperor: $EMPEROR_ROUNDS rounds, containerized vs host"
    l0=$(load1)
    emperor_start
    emperor_rounds "$EMPEROR_ROUNDS" "$WORK/emperor.txt"
    emperor_stop
    f=$WORK/emperor.txt
    cs=$(emperor_stat "$f" container 3 median) hs=$(emperor_stat "$f" host 3 median)
    cd_=$(emperor_stat "$f" container 2 median) hd=$(emperor_stat "$f" host 2 median)
    say "A uWSGI Emperor in the bench's network namespace with vassalrun as \`--emperor-wrapper\`; a vassal with \`docker-image\` and \`docker-port = 127.0.0.1:18090:8080\` against the same vassal without an image (the wrapper execs the host's uWSGI). From the spawn: from the wrapper's exec (stamped by bench/spawn-stamp.c) to the first 200 (bench/first-200.pl, a connect every ms); from the drop: from the file's rename into the Emperor's directory, which includes 0–1000 ms of waiting for the Emperor's scan (\`--emperor-freq 1\`). $EMPEROR_ROUNDS rounds, interleaved, ms. Load $l0 → $(load1)."
    say
    say "| vassal | from the spawn: min | median | from the drop: min | median |"
    say "|---|---|---|---|---|"
    say "| containerized | $(emperor_stat "$f" container 3 min) | $cs | $(emperor_stat "$f" container 2 min) | $cd_ |"
    say "| host | $(emperor_stat "$f" host 3 min) | $hs | $(emperor_stat "$f" host 2 min) | $hd |"
    say
    target "Emperor vassal, spawn → first 200 ≤ 1.3 × the host vassal's (median)" "$cs" \
        "$(awk -v h="$hs" 'BEGIN { printf "%.1f", h * 1.3 }')" ms
    echo "| (for reference) Emperor vassal, drop → first 200 ≤ 1.3 × the host vassal's (median) | $cd_ ms | $(awk -v h="$hd" 'BEGIN { printf "%.0f", h * 1.3 }') ms | $(ratio "$cd_" "$hd") | $(at_most "$cd_" "$(awk -v h="$hd" 'BEGIN { printf "%.0f", h * 1.3 }')") |" >>"$TARGETS"
}

# bench/vassal-memory.sh prints its result last, as "... N KiB ..." (PSS per vassal).
vassal_memory() {
    say "## 5. Memory per vassal"
    say
    if [ ! -f bench/vassal-memory.sh ]; then
        say "not measured (no bench/vassal-memory.sh)"
        say
        echo "| PSS per vassal ≤ 400 KiB | not measured | 400 KiB | | **not measured** |" >>"$TARGETS"
        return 0
    fi
    log "memory per vassal (bench/vassal-memory.sh)"
    if VASSALRUN=$V sh bench/vassal-memory.sh >"$WORK/vmem.txt" 2>"$WORK/vmem.err"; then
        line=$(grep -v '^[[:space:]]*$' "$WORK/vmem.txt" | tail -n 1)
        kib=$(echo "$line" | grep -o "[0-9][0-9.]* *KiB" | head -n 1 | tr -dc "0-9.")
        say "\`bench/vassal-memory.sh\`: $line"
        say
        if [ -n "$kib" ]; then
            target "PSS per vassal ≤ 400 KiB" "$kib" 400 KiB
        else
            echo "| PSS per vassal ≤ 400 KiB | $line | 400 KiB | | see the line |" >>"$TARGETS"
        fi
    else
        say "bench/vassal-memory.sh failed: $(tail -n 1 "$WORK/vmem.err")"
        say
        echo "| PSS per vassal ≤ 400 KiB | failed | 400 KiB | | **FAIL (not measured)** |" >>"$TARGETS"
    fi
}

started=$(date -u '+%Y-%m-%d %H:%M')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
lifecycle
scaling
published
emperor
vassal_memory

{
    echo "# Targets of issue #16"
    echo
    echo "$started–$(date -u +%H:%M) UTC, kernel $(uname -r), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average at start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "vassalrun $($V --version | awk '{print $2}') ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', modified')), $(crun --version | head -1), $(runc --version | head -1), $(podman --version); timings by bench/timeit.pl (fork+exec+wait, CLOCK_MONOTONIC), medians in ms"
    echo
    echo "| target | vassalrun | limit | ratio | verdict |"
    echo "|---|---|---|---|---|"
    cat "$TARGETS"
    echo
    cat "$REPORT"
} >"$WORK/out.md"
mkdir -p "$(dirname "$OUT")"
mv "$WORK/out.md" "$OUT"
cat "$OUT"
