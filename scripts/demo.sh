#!/bin/sh
# vassalrun's main job, end to end, as far as it is built today: installs what
# it needs, builds vassalrun and the busybox test image, imports the image,
# shows the OCI spec a vassal-like container gets, runs it for real (as root),
# and cleans up after itself.
set -eu
cd "$(dirname "$0")/.."
. scripts/packages.sh
ensure_rust
ensure_packages $VASSALRUN_PACKAGES

cargo build --locked --release
bin=$PWD/target/release/vassalrun
tarball=target/fixtures/busybox.tar
mkdir -p target/fixtures
[ -f "$tarball" ] || rootfs-fixtures/build-busybox.sh "$tarball"

state=$(mktemp -d)
vr() { "$bin" --root "$state/root" --run-dir "$state/run" --config-dir "$state/config" \
    --default-cgroup-parent vassalrun-demo "$@"; }
cleanup() {
    vr rm -f demo-vassal >/dev/null 2>&1 || true
    umount "$state/run/bin/vassalrun" 2>/dev/null || true
    for d in /sys/fs/cgroup/vassalrun-demo /sys/fs/cgroup/*/vassalrun-demo; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
    done
    rm -rf "$state"
}
trap cleanup EXIT

echo "== import the image" >&2
vr image import --change 'CMD ["sh", "-c", "echo vassal $(hostname) runs as $(id -un) in $(pwd)"]' \
    --change 'WORKDIR /srv/app' --change 'USER app' "$tarball" busybox
vr image ls

echo "== the OCI spec of the vassal: 64 MiB, half a CPU, read-only rootfs, /run as tmpfs, --init" >&2
vr spec --name demo-vassal -m 64m --cpus 0.5 --read-only --tmpfs /run --init busybox | head -40
echo "   ..." >&2

echo "== run it" >&2
vr run --name demo-vassal -h demo -m 64m --cpus 0.5 --read-only --tmpfs /run --init busybox
echo "== exit code $?; its log and state:" >&2
vr logs demo-vassal
vr ps -a
echo "== done" >&2
