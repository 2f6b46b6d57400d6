#!/bin/sh
# vassalrun's main job, end to end, as far as it is built today: installs what
# it needs, builds vassalrun, builds the busybox test image, and turns the
# container configuration of a uWSGI vassal into the OCI runtime spec that
# vassalrun would run it with.
set -eu
cd "$(dirname "$0")/.."
. scripts/packages.sh
ensure_rust
ensure_packages $VASSALRUN_PACKAGES

cargo build --locked --release
bin=target/release/vassalrun
image=target/fixtures/busybox.tar
mkdir -p target/fixtures
[ -f "$image" ] || rootfs-fixtures/build-busybox.sh "$image"

vassal_dir=$(mktemp -d)
trap 'rm -rf "$vassal_dir"' EXIT

echo "== the OCI spec of a vassal: uwsgi as user app, 256 MiB, 1 CPU, read-only rootfs, port 8080 published" >&2
"$bin" spec --name demo-vassal -u app -m 256m --cpus 1 --read-only \
    --tmpfs /run -v "$vassal_dir:$vassal_dir:ro" -p 8080:8080 --init \
    -e UWSGI_VASSAL_NAME=demo "$image" \
    /usr/bin/uwsgi --ini "$vassal_dir/demo.ini"
echo "== done: the spec above is what 'vassalrun create' will hand to libcontainer" >&2
