#!/bin/sh
# The whole benchmark suite: vassalrun side by side with runc, crun and podman
# (+ conmon), one hyperfine run per comparison. As root:
#
#   sh bench/run-all.sh [CASE...]      # cases 1-7, default all, in the order given
#
# Case 7 is bench/targets.sh: every target of issue #16, PASS/FAIL, reported first.
#
# Installs what it needs (Debian packages: hyperfine runc crun podman conmon
# jq ...), builds vassalrun in release mode, prepares the same busybox rootfs
# as a vassalrun image, an OCI bundle for runc/crun and a podman image, runs
# every case and writes a markdown report with date, kernel, versions and
# PASS/FAIL against the targets of issue #7 to bench/results/latest.md (and
# stdout). Everything runs under temporary state dirs, in cgroups of its own,
# networked cases in a network namespace of its own; all of it is removed on
# exit.
#
# Environment: RUNS (runs per fast comparison, default 50), WARMUP (5),
# SLOW_RUNS (runs of the bridge case, default 50), DENSITY_N (200),
# DENSITY_RUNS (2), NETWORK_N (500), NETWORK_ROUNDS (15), MONITOR_IDLE (20),
# MONITOR_LOG_MIB (1024), EMPEROR_ROUNDS (9), VASSALRUN (a binary to use
# instead of building), OUT (report path).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/emperor.sh

RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}
SLOW_RUNS=${SLOW_RUNS:-50}
DENSITY_N=${DENSITY_N:-200}
DENSITY_RUNS=${DENSITY_RUNS:-2}
NETWORK_N=${NETWORK_N:-500}
NETWORK_ROUNDS=${NETWORK_ROUNDS:-15}
MONITOR_IDLE=${MONITOR_IDLE:-20}
MONITOR_LOG_MIB=${MONITOR_LOG_MIB:-1024}
EMPEROR_ROUNDS=${EMPEROR_ROUNDS:-9}
OUT=${OUT:-bench/results/latest.md}
CASES=${*:-7 1 2 3 4 5 6}

bench_init
bench_install uwsgi-core curl
bench_build
need_hugetlb_for_crun
bench_netns
IN_NS=
vr_image
oci_bundle
podman_image
HF="hyperfine -N --style basic --warmup $WARMUP"
log() { echo "== $*" >&2; }
say() { echo "$@" >>"$REPORT"; }

header() {
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    say "# vassalrun benchmarks"
    say
    say "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, load average at start: $load"
    say
    say "vassalrun $($V --version | awk '{print $2}') ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', modified')), $(runc --version | head -1), $(crun --version | head -1), $(podman --version), $(conmon --version | head -1), $(hyperfine --version)"
    say
    say "Timings in ms from one hyperfine run per table (\`-N\`, $WARMUP warm-up runs); compare min and median, the mean carries the machine's noise."
    say
}

# PASS/FAIL line: verdict TEXT VALUE LIMIT
verdict() {
    v=$(at_most "$2" "$3")
    say "- $v: $1 ($2 ≤ $3)"
    echo "$v: $1 ($2 <= $3)" >&2
}

case1() {
    log "case 1: lifecycle without network"
    VRC=$(vr_cmd)
    PMC=$(pm_cmd)
    PMF=$(pm_run_flags)
    R="--root $WORK"
    $HF --runs "$RUNS" --export-json "$WORK/c1.json" \
        -n vassalrun "$VRC run --rm --network none bb /bin/true" \
        -n crun "crun $R/crun run -b $BUNDLE c1-crun" \
        -n runc "runc $R/runc run -b $BUNDLE c1-runc" \
        -n "crun, vassalrun's config.json" "crun $R/crun run -b $SAME_BUNDLE c1-same" \
        -n podman "$PMC run --rm --network none $PMF localhost/bb /bin/true" >&2
    say "## 1. Lifecycle without network: \`run --rm --network none IMG /bin/true\`"
    say
    say "runc and crun run an OCI bundle of the same rootfs with \`crun spec\`'s defaults (pid, ipc, uts, mount and network namespaces, no seccomp); \"crun, vassalrun's config.json\" runs the bundle with the exact config.json vassalrun generates (\`vassalrun spec\`: Docker's seccomp profile, capabilities, masked paths). vassalrun and podman also mount an overlay over the image and run a monitor (podman: conmon)."
    say
    hf_table "$WORK/c1.json" vassalrun >>"$REPORT"
    say
    vm=$(hf_stat "$WORK/c1.json" vassalrun median)
    verdict "vassalrun median ≤ crun median" "$vm" "$(hf_stat "$WORK/c1.json" crun median)"
    verdict "vassalrun median ≤ runc median" "$vm" "$(hf_stat "$WORK/c1.json" runc median)"
    verdict "vassalrun median ≤ podman median / 10" "$vm" \
        "$(awk -v p="$(hf_stat "$WORK/c1.json" podman median)" 'BEGIN { printf "%.1f", p / 10 }')"
    say

    for phase in create start rm; do
        log "case 1: $phase alone"
        quiet=">/dev/null 2>&1"
        vr_pre="$VRC rm -f bp $quiet"
        oci_pre() { echo "$1 $R/$1 delete -f bp $quiet"; }
        pm_pre="$PMC rm -f bp $quiet"
        case $phase in
        create)
            vr_cmd_="$VRC create --name bp --network none bb /bin/true"
            crun_cmd="crun $R/crun create -b $BUNDLE bp"
            runc_cmd="runc $R/runc create -b $BUNDLE bp"
            pm_cmd_="$PMC create --name bp --network none $PMF localhost/bb /bin/true"
            ;;
        start)
            vr_pre="$vr_pre; $VRC create --name bp --network none bb /bin/true $quiet"
            crun_pre="$(oci_pre crun); crun $R/crun create -b $BUNDLE bp"
            runc_pre="$(oci_pre runc); runc $R/runc create -b $BUNDLE bp"
            pm_pre="$pm_pre; $PMC create --name bp --network none $PMF localhost/bb /bin/true $quiet"
            vr_cmd_="$VRC start bp"
            crun_cmd="crun $R/crun start bp"
            runc_cmd="runc $R/runc start bp"
            pm_cmd_="$PMC start bp"
            ;;
        rm)
            stopped() { echo "until $1 $R/$1 state bp | grep -q stopped; do sleep 0.001; done"; }
            vr_pre="$vr_pre; $VRC create --name bp --network none bb /bin/true $quiet; $VRC start bp $quiet; $VRC wait bp $quiet"
            crun_pre="$(oci_pre crun); crun $R/crun create -b $BUNDLE bp; crun $R/crun start bp; $(stopped crun)"
            runc_pre="$(oci_pre runc); runc $R/runc create -b $BUNDLE bp; runc $R/runc start bp; $(stopped runc)"
            pm_pre="$pm_pre; $PMC create --name bp --network none $PMF localhost/bb /bin/true $quiet; $PMC start bp $quiet; $PMC wait bp $quiet"
            vr_cmd_="$VRC rm bp"
            crun_cmd="crun $R/crun delete bp"
            runc_cmd="runc $R/runc delete bp"
            pm_cmd_="$PMC rm bp"
            ;;
        esac
        [ "$phase" = create ] && { crun_pre=$(oci_pre crun); runc_pre=$(oci_pre runc); }
        $HF --runs "$RUNS" --export-json "$WORK/c1-$phase.json" \
            --prepare "sh -c '$vr_pre; true'" -n vassalrun "$vr_cmd_" \
            --prepare "sh -c '$crun_pre; true'" -n crun "$crun_cmd" \
            --prepare "sh -c '$runc_pre; true'" -n runc "$runc_cmd" \
            --prepare "sh -c '$pm_pre; true'" -n podman "$pm_cmd_" >&2
        say "### 1.$phase: \`$phase\` alone (the other steps in hyperfine's --prepare)"
        say
        hf_table "$WORK/c1-$phase.json" vassalrun >>"$REPORT"
        say
    done
    vr rm -f bp >/dev/null 2>&1 || true
    crun $R/crun delete -f bp >/dev/null 2>&1 || true
    runc $R/runc delete -f bp >/dev/null 2>&1 || true
    pm rm -f bp >/dev/null 2>&1 || true
}

case2() {
    log "case 2: bridge network and a published port"
    IN_NS=$NS_ENTER
    $HF --runs "$SLOW_RUNS" --export-json "$WORK/c2.json" \
        -n vassalrun "$(vr_cmd) run --rm -p 18080:80 bb /bin/true" \
        -n podman "$(pm_cmd) run --rm -p 18080:80 $(pm_run_flags) localhost/bb /bin/true" >&2
    IN_NS=
    say "## 2. Bridge network and a published port: \`run --rm -p 18080:80 IMG /bin/true\`"
    say
    say "Both in a network namespace of the bench's own (\`nsenter --net\` in both command lines); vassalrun: veth over netlink, nftables port map; podman: netavark."
    say
    hf_table "$WORK/c2.json" vassalrun >>"$REPORT"
    say
    verdict "vassalrun median ≤ podman median / 10" "$(hf_stat "$WORK/c2.json" vassalrun median)" \
        "$(awk -v p="$(hf_stat "$WORK/c2.json" podman median)" 'BEGIN { printf "%.1f", p / 10 }')"
    say
}

case3() {
    log "case 3: density, $DENSITY_N detached containers with bridge networking"
    IN_NS=$NS_ENTER
    export IN_NS
    mem=$WORK/density-mem
    : >"$mem"
    hyperfine -N --style basic --warmup 0 --runs "$DENSITY_RUNS" --export-json "$WORK/c3.json" \
        -n vassalrun "sh bench/density.sh vassalrun $DENSITY_N $mem" \
        -n podman "sh bench/density.sh podman $DENSITY_N $mem" >&2
    IN_NS=
    say "## 3. Density: $DENSITY_N detached \`sleep\` containers with bridge networking"
    say
    say "One round: $DENSITY_N \`run -d --network bridge IMG sleep 100000\` one after the other, then \`stop -t 0\` and \`rm\` of all ids (one command each). Total time of a round (ms), and the memory of the per-container processes after the last start (vassalrun: its monitors; podman: conmon), summed over all containers, mean of the rounds (KiB)."
    say
    hf_table "$WORK/c3.json" vassalrun >>"$REPORT"
    say
    mean_col() { awk -v t="$1" -v c="$2" '$1 == t { s += $c; n++ } END { if (n) printf "%d", s / n; else print 0 }' "$mem"; }
    vr_rss=$(mean_col vassalrun 2) vr_pss=$(mean_col vassalrun 3)
    pm_rss=$(mean_col podman 2) pm_pss=$(mean_col podman 3)
    say "| memory of $DENSITY_N containers' monitors | vassalrun | podman (conmon) | vassalrun / podman |"
    say "|---|---|---|---|"
    say "| RSS total (KiB) | $vr_rss | $pm_rss | $(ratio "$vr_rss" "$pm_rss") |"
    say "| PSS total (KiB) | $vr_pss | $pm_pss | $(ratio "$vr_pss" "$pm_pss") |"
    say "| processes counted | $(mean_col vassalrun 4) | $(mean_col podman 4) | |"
    say
    verdict "vassalrun total time ≤ podman's / 5" "$(hf_stat "$WORK/c3.json" vassalrun median)" \
        "$(awk -v p="$(hf_stat "$WORK/c3.json" podman median)" 'BEGIN { printf "%.1f", p / 5 }')"
    verdict "vassalrun monitors' PSS total ≤ conmon's" "$vr_pss" "$pm_pss"
    verdict "vassalrun monitors' RSS total ≤ conmon's" "$vr_rss" "$pm_rss"
    say
}

case4() {
    log "case 4: monitor memory and log throughput (bench/monitor.sh)"
    say "## 4. Monitor memory and log throughput against conmon (\`bench/monitor.sh $MONITOR_IDLE $MONITOR_LOG_MIB\`)"
    say
    VASSALRUN=$V sh bench/monitor.sh "$MONITOR_IDLE" "$MONITOR_LOG_MIB" >"$WORK/c4.md"
    sed -n '/^|/p' "$WORK/c4.md" >>"$REPORT"
    say
}

case5() {
    log "case 5: network setup cost with 1 and $NETWORK_N published containers (bench/network.sh)"
    say "## 5. Network setup + teardown with 1 and $NETWORK_N published containers (\`bench/network.sh $NETWORK_N $NETWORK_ROUNDS\`)"
    say
    say "\`create -p\` + \`rm -f\` of one container minus the same round with \`--network none\`, medians of $NETWORK_ROUNDS interleaved rounds (µs). vassalrun only: podman keeps no comparable per-port state."
    say
    say '```'
    VASSALRUN=$V sh bench/network.sh "$NETWORK_N" "$NETWORK_ROUNDS" 2>/dev/null >>"$REPORT"
    say '```'
    say
}

case6() {
    say "## 6. Emperor: vassal file dropped → first HTTP 200 through its port"
    say
    if ! has_emperor_wrapper; then
        say "skipped: no emperor wrapper yet (this vassalrun is not a uWSGI \`--emperor-wrapper\`)"
        say
        log "case 6: skipped: no emperor wrapper yet"
        return 0
    fi
    log "case 6: Emperor time to first 200, containerized vs host"
    emperor_start
    emperor_rounds "$EMPEROR_ROUNDS" "$WORK/c6"
    emperor_stop
    f=$WORK/c6
    cm=$(emperor_stat "$f" container 2 median) hm=$(emperor_stat "$f" host 2 median)
    cs=$(emperor_stat "$f" container 3 median) hs=$(emperor_stat "$f" host 3 median)
    say "A uWSGI Emperor runs in the bench's network namespace with vassalrun as \`--emperor-wrapper\` (\`bench/emperor.sh\`): a vassal with \`docker-image\` and \`docker-port = 127.0.0.1:18090:8080\` (uWSGI from the machine's uwsgi-core in the fixture image, \`route-run = return:200\`) against the same vassal run on the host (no \`docker-image\`: the wrapper execs the host's uWSGI). The Emperor scans its directory once a second (\`--emperor-freq 1\`, its minimum), so \"from the drop\" includes 0–1000 ms of waiting for the scan; \"from the spawn\" starts at the wrapper's exec (stamped by \`bench/spawn-stamp.c\`); the first 200 is found by a connect every millisecond (\`bench/first-200.pl\`). $EMPEROR_ROUNDS rounds, interleaved (ms)."
    say
    say "| vassal | from the drop: min | median | from the spawn: min | median | spawn median / host's |"
    say "|---|---|---|---|---|---|"
    say "| containerized | $(emperor_stat "$f" container 2 min) | $cm | $(emperor_stat "$f" container 3 min) | $cs | $(ratio "$cs" "$hs") |"
    say "| host | $(emperor_stat "$f" host 2 min) | $hm | $(emperor_stat "$f" host 3 min) | $hs | 1.00 |"
    say
    verdict "containerized median ≤ 1.3 × host median, from the drop" "$cm" "$(awk -v h="$hm" 'BEGIN { printf "%.0f", h * 1.3 }')"
    verdict "containerized median ≤ 1.3 × host median, from the spawn" "$cs" "$(awk -v h="$hs" 'BEGIN { printf "%.1f", h * 1.3 }')"
    say
}

# The targets of issue #16 (bench/targets.sh, its own state and namespace).
case7() {
    log "case 7: the targets of issue #16 (bench/targets.sh)"
    VASSALRUN=$V OUT=$WORK/targets.md sh bench/targets.sh >/dev/null
    sed 's/^#/##/' "$WORK/targets.md" >>"$REPORT"
    say
}

# Cases run in the order given (e.g. the long ones first) and are reported
# in numeric order, each with the load average before and after it.
REPORT=$WORK/case0.md
header
for c in $CASES; do
    REPORT=$WORK/case$c.md
    load0=$(cut -d' ' -f1 /proc/loadavg)
    started=$(date -u +%H:%M)
    "case$c"
    say "_Case $c ran $started–$(date -u +%H:%M) UTC; 1-minute load average $load0 before, $(cut -d' ' -f1 /proc/loadavg) after._"
    say
done
mkdir -p "$(dirname "$OUT")"
for c in 0 7 1 2 3 4 5 6; do
    [ -f "$WORK/case$c.md" ] && cat "$WORK/case$c.md"
done >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
