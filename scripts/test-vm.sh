#!/bin/sh
# The cgroup v2 lane: runs vassalrun's v2 test list (scripts/vm/tests.sh) in a
# Debian 12 guest booted under qemu with cgroup2 as the only hierarchy, once
# with a small script as PID 1 and once with systemd as PID 1.
#
#   scripts/test-vm.sh [init|systemd|all]      (default: all)
#
# The guest image (debootstrap + Debian's kernel, from the archive this
# machine's apt uses) is built once and cached in $VASSALRUN_VM_CACHE
# (default /var/cache/vassalrun-vm), keyed by scripts/vm/build-image.sh and
# the candidate versions of the guest's key packages; each run boots it
# read-only (-snapshot) with a small second disk carrying the freshly built
# binaries, the fixtures and the scripts, on which the guest writes its
# results. KVM is used when it runs a guest, else TCG (-accel tcg -cpu max).
#
# Environment: VASSALRUN_VM_CACHE, VASSALRUN_VM_MIRROR (default: from apt's
# sources), VASSALRUN_VM_ACCEL (kvm or tcg; default: try kvm, fall back),
# VASSALRUN_VM_TIMEOUT (seconds per boot, default 1800), VASSALRUN_VM_KEEP (a
# directory to keep the logs and results in), VASSALRUN_VM_TESTS (another test
# list than scripts/vm/tests.sh, e.g. a part of it while debugging).
# Exits non-zero if the image cannot be built, a guest does not finish, or
# any check fails.
set -eu
cd "$(dirname "$0")/.."
repo=$(pwd)
. scripts/packages.sh
ensure_packages $VASSALRUN_VM_PACKAGES busybox-static uwsgi-core

modes=${1:-all}
[ "$modes" = all ] && modes="init systemd"
for m in $modes; do
    case $m in init | systemd) ;; *)
        echo "usage: scripts/test-vm.sh [init|systemd|all]" >&2
        exit 2
        ;;
    esac
done
cache=${VASSALRUN_VM_CACHE:-/var/cache/vassalrun-vm}
boot_timeout=${VASSALRUN_VM_TIMEOUT:-1800}

die() {
    echo "test-vm: $*" >&2
    exit 1
}

# The Debian archive apt uses here (deb822 .sources or one-line sources.list).
apt_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
            /(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ && /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ {
                for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); print u[2]; exit }
            }' "$f"
    done
    [ -f /etc/apt/sources.list ] &&
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i + 1) == "bookworm") print $i; break } }' \
            /etc/apt/sources.list
    return 0
}
mirror=${VASSALRUN_VM_MIRROR:-$(apt_mirror | head -n 1)}
[ -n "$mirror" ] || die "no Debian bookworm archive in apt's sources; set VASSALRUN_VM_MIRROR"

# The image's key: the recipe and the versions the archive offers now.
versions=$(apt-cache policy linux-image-amd64 systemd uwsgi-core libseccomp2 tini 2>/dev/null |
    awk '/^[a-z]/ { p = $1 } /Candidate:/ { print p, $2 }')
key=$( (cat scripts/vm/build-image.sh && echo "$mirror" && echo "$versions") | sha256sum | cut -c1-16)
image=$cache/$key
mkdir -p "$cache"
if [ ! -f "$image/disk.img" ]; then
    echo "test-vm: building the guest image $image (once; a few minutes)" >&2
    scripts/vm/build-image.sh "$mirror" "$image" ||
        die "FAILED to build the guest image from $mirror: the cgroup v2 lane cannot run"
    # Older images (another recipe or package versions) go.
    for old in "$cache"/*/; do
        [ "${old%/}" = "$image" ] || rm -rf "${old%/}"
    done
fi

echo "test-vm: building vassalrun and the fixtures" >&2
# The debug build the tests use (CI has just made it), stripped to a tenth.
cargo build --locked --bins >&2 || die "cargo build failed"
work=$(mktemp -d /var/tmp/vassalrun-vm.XXXXXX)
qemu_pid=""
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
payload=$work/payload
mkdir -p "$payload/bin" "$payload/fixtures" "$payload/results"
for bin in vassalrun vassalrun-relay; do
    strip -o "$payload/bin/$bin" "target/debug/$bin"
done
rootfs-fixtures/build-busybox.sh "$payload/fixtures/busybox.tar"
rootfs-fixtures/build-uwsgi.sh "$payload/fixtures/uwsgi.tar"
cp scripts/vm/init.sh scripts/vm/systemd-service.sh "$payload/"
cp "${VASSALRUN_VM_TESTS:-scripts/vm/tests.sh}" "$payload/tests.sh"
chmod 755 "$payload"/*.sh

# boots LOG SECONDS QEMU-ARGS...: whether the kernel prints within SECONDS.
boots() {
    log=$1
    patience=$2
    shift 2
    timeout -k 5 "$boot_timeout" qemu-system-x86_64 "$@" >"$log.qemu" 2>&1 &
    qemu_pid=$!
    for _ in $(seq 1 $((patience * 2))); do
        grep -q "Linux version" "$log" 2>/dev/null && return 0
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 0.5
    done
    kill "$qemu_pid" 2>/dev/null
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=""
    return 1
}

# run_mode MODE: boots the guest for MODE; 0 when every check passed.
run_mode() {
    mode=$1
    out=$work/$mode
    mkdir -p "$out"
    disk=$out/payload.img
    truncate -s 512M "$disk"
    mkfs.ext4 -q -F -L lane -d "$payload" "$disk"
    append="console=ttyS0 root=/dev/vda rw panic=-1 cgroup_no_v1=all"
    if [ "$mode" = init ]; then
        # No systemd: the kernel's default hierarchy would be v1 here, the
        # init script mounts cgroup2 itself.
        append="$append init=/sbin/vassalrun-lane-init"
    else
        append="$append systemd.unified_cgroup_hierarchy=1 systemd.show_status=0"
    fi
    set -- -m 2048 -smp 2 -no-reboot -display none -monitor none \
        -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
        -drive "file=$image/disk.img,format=raw,if=virtio,snapshot=on" \
        -drive "file=$disk,format=raw,if=virtio" \
        -nic user,model=virtio-net-pci -serial "file:$out/serial.log" \
        -append "$append"
    started=$(date +%s)
    if [ "$accel" != tcg ] && [ -w /dev/kvm ] && boots "$out/serial.log" 30 -accel kvm -cpu host "$@"; then
        accel=kvm
    elif [ "$accel" = kvm ]; then
        die "[$mode] KVM does not run a guest here (VASSALRUN_VM_ACCEL=kvm)"
    else
        [ -w /dev/kvm ] && [ "$accel" != tcg ] &&
            echo "test-vm: [$mode] KVM does not run a guest here; emulating (TCG)" >&2
        boots "$out/serial.log" 180 -accel tcg -cpu max "$@" ||
            die "[$mode] the guest kernel printed nothing: $(cat "$out/serial.log.qemu")"
        accel=tcg # for the next mode too
    fi
    echo "test-vm: [$mode] guest booting ($accel)" >&2
    wait "$qemu_pid" || true
    qemu_pid=""
    echo "test-vm: [$mode] guest done in $(($(date +%s) - started)) s" >&2
    debugfs -R "rdump /results $out" "$disk" >/dev/null 2>&1 || true
    if [ ! -f "$out/results/exit" ]; then
        echo "test-vm: [$mode] the guest did not finish the test list; serial console:" >&2
        tail -n 60 "$out/serial.log" >&2
        [ -f "$out/results/log" ] && tail -n 40 "$out/results/log" >&2
        return 1
    fi
    cat "$out/results/log"
    if [ -f "$out/results/emperor.log" ] && grep -q '^FAIL.*Emperor' "$out/results/summary"; then
        echo "--- [$mode] Emperor log" && tail -n 40 "$out/results/emperor.log"
    fi
    [ "$(cat "$out/results/exit")" = 0 ] && [ -s "$out/results/summary" ] &&
        ! grep -q '^FAIL' "$out/results/summary"
}

accel=${VASSALRUN_VM_ACCEL:-}
status=0
for mode in $modes; do
    run_mode "$mode" || status=1
done
echo "test-vm: summary" >&2
for mode in $modes; do
    if [ -f "$work/$mode/results/summary" ]; then
        echo "  [$mode] $(grep -c '^PASS' "$work/$mode/results/summary") passed, $(grep -c '^FAIL' "$work/$mode/results/summary") failed" >&2
        grep '^FAIL' "$work/$mode/results/summary" | sed 's/^/    /' >&2 || true
    else
        echo "  [$mode] no results" >&2
    fi
done
if [ -n "${VASSALRUN_VM_KEEP:-}" ]; then
    mkdir -p "$VASSALRUN_VM_KEEP" && cp -r "$work"/init "$work"/systemd "$VASSALRUN_VM_KEEP"/ 2>/dev/null || true
fi
exit $status
