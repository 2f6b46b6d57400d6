# What the bench scripts share. Sourced (POSIX sh) from bench/*.sh after
# `cd` to the repository root:
#
#   . bench/lib.sh
#   bench_init            # WORK dir, cleanup trap, names of everything made
#   bench_install         # packages (hyperfine runc crun podman conmon ...)
#   bench_build           # release build; V=target/release/vassalrun
#   bench_netns           # private network namespace: IN_NS="nsenter --net=..."
#   bench_fixture         # busybox rootfs tarball: $WORK/busybox.tar
#   vr_image              # ... imported into vassalrun as image "bb"
#   oci_bundle            # ... as an OCI bundle for runc/crun: $BUNDLE
#   podman_image          # ... imported into a private podman store as localhost/bb
#   need_hugetlb_for_crun # crun's hybrid-cgroup quirk, undone on exit
#
# Everything lives under $WORK (state of every tool: vassalrun --root/--run-dir/
# --config-dir, runc/crun --root, podman --root/--runroot), in cgroups named
# $CG, and in network namespace $NS: the trap removes all of it, and the host's
# links, firewall and containers are never touched.

. scripts/packages.sh
. bench/hugetlb.sh

BENCH_PACKAGES="hyperfine runc crun podman conmon jq busybox-static util-linux perl gcc libc6-dev procps"

bench_init() {
    WORK=$(mktemp -d /tmp/vassalrun-bench.XXXXXX)
    CG=vassalrun-bench-$$
    NS=
    IN_NS=
    V=${VASSALRUN:-$PWD/target/release/vassalrun}
    export WORK CG V
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_install() {
    ensure_rust
    # shellcheck disable=SC2086
    ensure_packages $VASSALRUN_PACKAGES $BENCH_PACKAGES "$@"
}

bench_build() {
    if [ -z "${VASSALRUN:-}" ]; then
        cargo build --release --locked -q
    fi
    [ -x "$V" ] || { echo "no vassalrun binary at $V" >&2; exit 1; }
    V=$(realpath "$V")
}

# vassalrun with the bench's own state, in the bench's network namespace if any.
vr() {
    # shellcheck disable=SC2086
    $IN_NS "$V" --root "$WORK/vr/root" --run-dir "$WORK/vr/run" \
        --config-dir "$WORK/vr/etc" --default-cgroup-parent "$CG" "$@"
}
# The same as one string, for hyperfine command lines.
vr_cmd() {
    echo "$IN_NS $V --root $WORK/vr/root --run-dir $WORK/vr/run --config-dir $WORK/vr/etc --default-cgroup-parent $CG"
}

# podman's root default ulimits fail without CAP_SYS_RESOURCE; its containers
# go under the bench's cgroup too. For `podman run` and `podman create`.
pm_run_flags() {
    echo "--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --cgroup-parent /$CG/podman"
}
pm() {
    # shellcheck disable=SC2086
    $IN_NS podman --root "$WORK/pm/storage" --runroot "$WORK/pm/run" \
        --network-config-dir "$WORK/pm/networks" --cgroup-manager cgroupfs \
        --events-backend file --runtime crun "$@"
}
pm_cmd() {
    echo "$IN_NS podman --root $WORK/pm/storage --runroot $WORK/pm/run --network-config-dir $WORK/pm/networks --cgroup-manager cgroupfs --events-backend file --runtime crun"
}

# A network namespace of the bench's own, entered with nsenter (never `ip
# netns exec`, which remounts /sys and hides the cgroup hierarchies).
bench_netns() {
    NS=vr-bench-$$
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    NS_ENTER="nsenter --net=/run/netns/$NS"
    IN_NS=$NS_ENTER
    export NS NS_ENTER IN_NS
}

bench_fixture() {
    [ -f "$WORK/busybox.tar" ] || rootfs-fixtures/build-busybox.sh "$WORK/busybox.tar"
}

vr_image() {
    bench_fixture
    vr image import "$WORK/busybox.tar" bb >/dev/null
}

# OCI bundle for runc and crun: the busybox rootfs, `crun spec`'s defaults
# (pid, network, ipc, uts and mount namespaces: no network), /bin/true, no
# terminal. With `same`: vassalrun's own config.json for the same run (`vassalrun
# spec`: Docker's seccomp profile, capabilities, masked paths, mounts) instead.
oci_bundle() {
    bench_fixture
    BUNDLE=$WORK/bundle
    mkdir -p "$BUNDLE/rootfs"
    tar -xf "$WORK/busybox.tar" -C "$BUNDLE/rootfs"
    (cd "$BUNDLE" && crun spec)
    jq '.process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = "/'"$CG"'/oci"' \
        "$BUNDLE/config.json" >"$BUNDLE/config.tmp" && mv "$BUNDLE/config.tmp" "$BUNDLE/config.json"
    SAME_BUNDLE=$WORK/bundle-same
    mkdir -p "$SAME_BUNDLE"
    ln -s "$BUNDLE/rootfs" "$SAME_BUNDLE/rootfs"
    for f in hosts hostname resolv.conf; do
        echo "# bench" >"$SAME_BUNDLE/$f"
    done
    # crun 1.8 takes OCI versions up to 1.1; the /etc files come from the bundle.
    vr spec --network none bb /bin/true |
        jq --arg d "$SAME_BUNDLE" '.ociVersion = "1.0.2" | .root.path = "rootfs" | del(.hooks)
            | .linux.cgroupsPath = "/'"$CG"'/oci-same"
            | .mounts |= map(if (.destination | startswith("/etc/"))
                then .source = ($d + "/" + (.destination | ltrimstr("/etc/"))) else . end)' \
            >"$SAME_BUNDLE/config.json"
}

podman_image() {
    bench_fixture
    pm import -q "$WORK/busybox.tar" localhost/bb >/dev/null
}

# Median, min and the like from hyperfine's JSON, in milliseconds.
# hf_stat FILE NAME FIELD (FIELD: median, min, mean, stddev, max)
hf_stat() {
    jq -r --arg n "$2" --arg f "$3" \
        '.results[] | select(.command == $n) | (.[$f] // 0) * 1000 * 10 | round / 10' "$1"
}

# Median, min or count of NAME's samples in a bench/timeit.pl output FILE (ms).
# ti_stat FILE NAME median|min|n
ti_stat() {
    awk -F'\t' -v n="$2" '$1 == n {print $2}' "$1" | sort -n |
        awk -v w="$3" '{ a[NR] = $1 } END {
            if (NR == 0) print ""
            else if (w == "min") printf "%.1f", a[1]
            else if (w == "n") print NR
            else if (NR % 2) printf "%.1f", a[(NR + 1) / 2]
            else printf "%.1f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# a / b with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# PASS when a <= b (FAIL when either is missing)
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && b != "" && a + 0 <= b + 0) ? "PASS" : "FAIL" }'; }

# A markdown table of a hyperfine JSON export: one row per command, with min,
# median, mean ± σ and the median's ratio to the row named REF.
# hf_table FILE REF
hf_table() {
    ref=$(hf_stat "$1" "$2" median)
    echo "| tool | min (ms) | median (ms) | mean ± σ (ms) | runs | median / $2 |"
    echo "|---|---|---|---|---|---|"
    jq -r '.results[] | .command' "$1" | while read -r name; do
        med=$(hf_stat "$1" "$name" median)
        runs=$(jq -r --arg n "$name" '.results[] | select(.command == $n) | .times | length' "$1")
        echo "| $name | $(hf_stat "$1" "$name" min) | $med | $(hf_stat "$1" "$name" mean) ± $(hf_stat "$1" "$name" stddev) | $runs | $(ratio "$med" "$ref") |"
    done
}

# memory of processes PIDS (space-separated), summed: "RSS_KB PSS_KB"
mem_of() {
    rss=0
    pss=0
    for p in $1; do
        r=$(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        s=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        rss=$((rss + ${r:-0}))
        pss=$((pss + ${s:-0}))
    done
    echo "$rss $pss"
}

# The monitors of vassalrun's containers (and any vassalrun* child of one).
vr_monitor_pids() {
    for f in "$WORK"/vr/root/containers/*/monitor.pid; do
        [ -f "$f" ] || continue
        m=$(cat "$f")
        [ -d "/proc/$m" ] || continue
        printf '%s ' "$m"
        for c in $(cat "/proc/$m/task/$m/children" 2>/dev/null); do
            case $(cat "/proc/$c/comm" 2>/dev/null) in
            vassalrun*) printf '%s ' "$c" ;;
            esac
        done
    done
}

# The conmon processes of the bench's podman store.
pm_conmon_pids() {
    pgrep -d ' ' -f "^/usr/bin/conmon .*$WORK/pm" || true
}

bench_cleanup() {
    set +e
    if [ -n "${EMPEROR_PID:-}" ]; then
        kill -INT "$EMPEROR_PID" 2>/dev/null
        wait "$EMPEROR_PID" 2>/dev/null
    fi
    if [ -n "${WORK:-}" ] && [ -d "$WORK/vr/root" ]; then
        ids=$(vr ps -aq 2>/dev/null)
        # shellcheck disable=SC2086
        [ -n "$ids" ] && vr rm -f $ids >/dev/null 2>&1
        # whatever a failed create left behind
        vr gc >/dev/null 2>&1
    fi
    if [ -n "${WORK:-}" ] && [ -d "$WORK/pm" ]; then
        pm rm -af -t 0 >/dev/null 2>&1
        pm rmi -af >/dev/null 2>&1
    fi
    for rt in runc crun; do
        [ -d "$WORK/$rt" ] || continue
        for id in $($rt --root "$WORK/$rt" list -q 2>/dev/null); do
            $rt --root "$WORK/$rt" delete -f "$id" >/dev/null 2>&1
        done
    done
    if [ -n "${WORK:-}" ]; then
        for m in $(awk -v w="$WORK" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
            umount -l "$m" 2>/dev/null
        done
    fi
    if [ -n "${CG:-}" ]; then
        for d in /sys/fs/cgroup/$CG /sys/fs/cgroup/*/$CG; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        done
    fi
    [ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null
    undo_hugetlb
    [ -n "${WORK:-}" ] && rm -rf "$WORK"
    return 0
}
