#!/bin/bash
# Runs the OCI runtime validation suite (opencontainers/runtime-tools,
# validation/*) against vassalrun, runc and crun side by side and prints one
# row per validation program, then the totals.
#
#   conformance/run.sh CHECKOUT [PROGRAM...]
#
# CHECKOUT is a runtime-tools checkout (its Go dependencies are vendored).
# Its HEAD needs Go >= 1.21; Debian 12's golang-go (1.19) builds the last
# commit before that bump, 260e151:
#   git clone https://github.com/opencontainers/runtime-tools /tmp/rt
#   git -C /tmp/rt checkout 260e151
# PROGRAM... limits the run to those validation programs (e.g. hooks_stdin).
#
# Environment:
#   VASSALRUN  the binary to test (default: target/release/vassalrun, else
#              target/debug/vassalrun, of this repository)
#   RUNTIMES   which runtimes, in column order (default: "vassalrun runc crun")
#   TIMEOUT    seconds per program and runtime (default: 120)
#   KEEP_LOGS  a directory to keep each program's TAP output in
#
# Result per cell: pass (exit 0, no "not ok", no error diagnostic), FAIL,
# SKIP (every test skipped: the program found nothing to test here), TIME
# (timed out). Each program's exit status is kept beside its log (.rc).
# Each runtime gets its own state root; whatever a program leaves behind is
# deleted with --force after it. Not part of CI: needs root, the checkout, runc
# and crun (apt-get install runc crun golang-go).
set -euo pipefail

usage() { echo "usage: $0 RUNTIME_TOOLS_CHECKOUT [PROGRAM...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
checkout=$(realpath "$1"); shift
[ -d "$checkout/validation" ] && [ -d "$checkout/vendor" ] ||
    { echo "$checkout: not a runtime-tools checkout with vendor/" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
vassalrun=${VASSALRUN:-}
if [ -z "$vassalrun" ]; then
    for candidate in "$repo/target/release/vassalrun" "$repo/target/debug/vassalrun"; do
        [ -x "$candidate" ] && { vassalrun=$candidate; break; }
    done
fi
[ -n "$vassalrun" ] && [ -x "$vassalrun" ] ||
    { echo "no vassalrun binary: cargo build, or set VASSALRUN" >&2; exit 2; }
runtimes=(${RUNTIMES:-vassalrun runc crun})
timeout=${TIMEOUT:-120}

work=$(mktemp -d /tmp/vassalrun-conformance.XXXXXX)
# mktemp makes it 0700: a program's bundle under it (TMPDIR=$work/tmp) must be
# reachable by the uids a user namespace maps (linux_uid_mappings,
# linux_ns_nopath), as it is in /tmp.
chmod 0755 "$work"
# vassalrun keeps a read-only bind of its binary under its state root
# (<root>/.protected): unmount whatever is mounted under the work dir first.
unmount_under() {
    local m
    for m in $(awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}
# The runtimes remove a container's own cgroup, not the parents the suite's
# relative cgroupsPath (testdir/cgrouptest/container) made them create:
# remove those once empty (rmdir leaves anything still in use).
remove_suite_cgroups() {
    local dir
    for dir in /sys/fs/cgroup/*/testdir /sys/fs/cgroup/*/cgrouptest /sys/fs/cgroup/testdir /sys/fs/cgroup/cgrouptest; do
        [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    return 0
}
cleanup_work() { unmount_under "$work"; rm -rf "$work"; remove_suite_cgroups; }
trap cleanup_work EXIT

# --- build -----------------------------------------------------------------
export GOFLAGS=-mod=vendor GOCACHE=${GOCACHE:-/tmp/vassalrun-conformance-gocache}
programs=()
if [ $# -gt 0 ]; then
    programs=("$@")
else
    for dir in "$checkout"/validation/*/; do
        name=$(basename "$dir")
        [ "$name" = util ] || programs+=("$name")
    done
fi
echo "building runtimetest and ${#programs[@]} validation programs from $checkout" \
     "($(git -C "$checkout" rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3))" >&2
(cd "$checkout" && CGO_ENABLED=0 go build -tags "netgo osusergo" -o "$work/runtimetest" ./cmd/runtimetest)
for p in "${programs[@]}"; do
    (cd "$checkout" && go build -o "$work/$p.t" "./validation/$p")
done
# The programs look for these two in their working directory.
ln -s "$checkout/rootfs-amd64.tar.gz" "$work/rootfs-amd64.tar.gz"

# --- one wrapper per runtime, each with its own state root ------------------
mkdir -p "$work/bin" "$work/tmp"
chmod 1777 "$work/tmp"
unified=/sys/fs/cgroup/unified
for rt in "${runtimes[@]}"; do
    root="$work/root-$rt"
    wrapper="$work/bin/$rt"
    if [ "$rt" = vassalrun ]; then
        printf '#!/bin/sh\nexec "%s" oci --root "%s" "$@"\n' "$vassalrun" "$root" >"$wrapper"
    elif [ "$rt" = crun ] && [ -n "$(cat "$unified/cgroup.controllers" 2>/dev/null)" ]; then
        # crun refuses a hybrid host whose cgroup v2 hierarchy holds a
        # controller (here hugetlb, which systemd leaves unmounted on v1):
        # in a private mount namespace of its own, crun sees that list empty.
        # The host is left as it is.
        cat >"$wrapper" <<WRAP
#!/bin/sh
exec unshare -m sh -c 'mount --bind /dev/null $unified/cgroup.controllers && exec "\$0" --root "$root" "\$@"' "$(command -v crun)" "\$@"
WRAP
    else
        printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$(command -v "$rt")" "$root" >"$wrapper"
    fi
    chmod +x "$wrapper"
done

# Removes whatever a program left: containers it forgot in the runtime's root,
# and its bundles (in $work/tmp, its TMPDIR) with any mounts in them: a
# program that joins the host's mount namespace (linux_ns_itype) has the
# runtime mount /proc, /dev and /sys of the bundle's rootfs in the host's.
sweep() {
    local rt=$1 root="$work/root-$1" id
    for id in $(ls "$root" 2>/dev/null); do
        case $id in .*) continue ;; esac
        "$work/bin/$rt" delete --force "$id" >/dev/null 2>&1 || true
    done
    unmount_under "$work/tmp"
    rm -rf "${work:?}/tmp" && mkdir -m 1777 "$work/tmp"
}

# The verdict on one program's TAP output and exit status. The programs do not
# all speak TAP alike: some report a failed lifecycle as a bare YAML block with
# an "error" (no "not ok"), some print no test at all when they pass (e.g.
# process_capabilities_fail passes when create refuses the config).
classify() {
    local log=$1 status=$2
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        echo TIME
    elif [ "$status" != 0 ] || grep -q '^not ok' "$log" || has_orphan_error "$log"; then
        echo FAIL
    elif grep -q '^ok' "$log" && [ "$(grep '^ok' "$log" | grep -vic '# *skip')" = 0 ]; then
        echo SKIP
    else
        echo pass
    fi
}

# Whether a YAML diagnostic that follows no test line carries an error (text
# lines such as "Refer to: …" may stand between a test line and its own).
has_orphan_error() {
    ! awk '
        /^(not )?ok / { owner = 1; next }
        /^  ---/ { inblock = 1; orphan = !owner; next }
        /^  \.\.\./ { inblock = 0; owner = 0; next }
        inblock && orphan && /"error": "[^"]/ { bad = 1 }
        /^(TAP version|1\.\.)/ { owner = 0 }
        END { exit bad }' "$1"
}

# --- run -------------------------------------------------------------------
logs=${KEEP_LOGS:-$work/logs}
mkdir -p "$logs"
declare -A passed
for rt in "${runtimes[@]}"; do passed[$rt]=0; done
header=$(printf '%-36s' program; for rt in "${runtimes[@]}"; do printf ' %-9s' "$rt"; done)
echo "$header"
echo "${header//?/-}"
for p in "${programs[@]}"; do
    row=$(printf '%-36s' "$p")
    for rt in "${runtimes[@]}"; do
        log="$logs/$p.$rt.tap"
        status=0
        (cd "$work" && TMPDIR="$work/tmp" RUNTIME="$work/bin/$rt" timeout -k 5 "$timeout" "./$p.t") \
            >"$log" 2>&1 </dev/null || status=$?
        echo "$status" >"$log.rc"
        sweep "$rt"
        cell=$(classify "$log" "$status")
        [ "$cell" = pass ] && passed[$rt]=$((passed[$rt] + 1))
        row+=$(printf ' %-9s' "$cell")
    done
    echo "$row"
done
echo "${header//?/-}"
row=$(printf '%-36s' "passed (of ${#programs[@]})")
for rt in "${runtimes[@]}"; do row+=$(printf ' %-9s' "${passed[$rt]}"); done
echo "$row"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -r); vassalrun $("$vassalrun" --version 2>/dev/null | head -1 | awk '{print $NF}');" \
     "$(runc --version 2>/dev/null | head -1); $(crun --version 2>/dev/null | head -1)"
