#!/bin/sh
# vassalrun's main job, end to end: a real uWSGI Emperor runs two vassals in
# containers with vassalrun as its --emperor-wrapper. Installs what it needs,
# builds vassalrun and the uWSGI image (from the machine's uwsgi-core), starts
# the Emperor, shows both vassals answering HTTP on loopback, the Emperor's view
# and `vassalrun ps`, reloads one in place, then stops everything and checks
# that nothing is left. Run as root.
#
# Vassal "socket" gets a TCP socket bound on the host (docker-socket) as its
# fd 0 and runs with no network at all. Vassal "port" publishes its port
# (docker-port) through bridge networking when DEMO_PORT=1; until bridge
# networking is in, it serves on a host UNIX socket (docker-socket) instead.
#
# DEMO_PROFILE=dev builds a debug binary (faster to build) instead of release.
set -eu
cd "$(dirname "$0")/.."
. scripts/packages.sh
ensure_rust
ensure_packages $VASSALRUN_PACKAGES

profile=${DEMO_PROFILE:-release}
cargo build --locked --profile "$profile"
[ "$profile" = dev ] && out_dir=debug || out_dir=$profile
bin=$PWD/target/$out_dir/vassalrun
tarball=target/fixtures/uwsgi.tar
mkdir -p target/fixtures
[ -f "$tarball" ] || rootfs-fixtures/build-uwsgi.sh "$tarball"

state=$(mktemp -d)
export VASSALRUN_ROOT="$state/root" VASSALRUN_RUN_DIR="$state/run" \
    VASSALRUN_CONFIG_DIR="$state/config" VASSALRUN_CGROUP_PARENT=vassalrun-demo
vr() { "$bin" "$@"; }
emperor_pid=
cleanup() {
    if [ -n "$emperor_pid" ] && kill -0 "$emperor_pid" 2>/dev/null; then
        kill -INT "$emperor_pid" 2>/dev/null || true
        sleep 3
        kill -KILL "$emperor_pid" 2>/dev/null || true
    fi
    for id in $(vr ps -aq 2>/dev/null); do vr rm -f "$id" >/dev/null 2>&1 || true; done
    umount "$state/run/bin/vassalrun" 2>/dev/null || true
    for d in /sys/fs/cgroup/vassalrun-demo /sys/fs/cgroup/*/vassalrun-demo; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
    done
    rm -rf "$state"
}
trap cleanup EXIT

echo "== import the uWSGI image (uwsgi-core and its libraries, busybox)" >&2
vr image import "$tarball" uwsgi
vr image ls

mkdir -p "$state/vassals"
cat > "$state/vassals/socket.ini" <<'INI'
[emperor]
docker-image = uwsgi
; bound on the host, handed to the vassal as fd 0: no network needed
docker-socket = 127.0.0.1:18081
docker-network-mode = none
docker-memory = 64m
docker-read-only = true
[uwsgi]
http-socket = fd://0
master = true
processes = 2
route-run = addheader:X-Vassal: socket
route-run = return:200
INI
if [ "${DEMO_PORT:-0}" = 1 ]; then
    port_url=http://127.0.0.1:18082/
    cat > "$state/vassals/port.ini" <<'INI'
[emperor]
docker-image = uwsgi
docker-port = 127.0.0.1:18082:8080
docker-memory = 64m
[uwsgi]
http-socket = 0.0.0.0:8080
master = true
processes = 2
route-run = addheader:X-Vassal: port
route-run = return:200
INI
else
    port_url="--unix-socket $state/port.sock http://vassal/"
    cat > "$state/vassals/port.ini" <<INI
[emperor]
docker-image = uwsgi
; DEMO_PORT=1 (bridge networking) publishes 127.0.0.1:18082 instead
docker-socket = $state/port.sock
docker-network-mode = none
docker-memory = 64m
[uwsgi]
http-socket = fd://0
master = true
processes = 2
route-run = addheader:X-Vassal: port
route-run = return:200
INI
fi

echo "== start the Emperor with vassalrun as its wrapper" >&2
uwsgi --emperor "$state/vassals" --emperor-wrapper "$bin" \
    --emperor-stats 127.0.0.1:19191 --emperor-freq 1 >"$state/emperor.log" 2>&1 &
emperor_pid=$!

answer() {
    i=0
    # shellcheck disable=SC2086
    until out=$(curl -si -m 2 $1 2>/dev/null) && echo "$out" | grep -q '^HTTP/1.[01] 200'; do
        i=$((i + 1))
        if [ "$i" -ge 60 ]; then
            echo "no answer from $1; the Emperor's log:" >&2
            cat "$state/emperor.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "$out" | grep -E '^HTTP|^X-Vassal'
}
echo "== both vassals answer" >&2
answer http://127.0.0.1:18081/
answer "$port_url"

echo "== the Emperor's stats and the wrapper's [vassalrun] log lines" >&2
curl -s --http0.9 127.0.0.1:19191 | grep -E '"(id|pid|loyal|ready|accepting|respawns)":' |
    tr -d '\t,"' | awk '/^id:/ { if (l) print l; l = "" } { l = l " " $0 } END { print l }' |
    grep '^ id:'
grep '^\[vassalrun\]' "$state/emperor.log"
echo "== vassalrun ps" >&2
vr ps

echo "== touch socket.ini: uWSGI reloads inside the same container" >&2
touch "$state/vassals/socket.ini"
sleep 3
answer http://127.0.0.1:18081/
vr ps

echo "== remove both vassal files: they stop, their containers go" >&2
rm "$state/vassals/socket.ini" "$state/vassals/port.ini"
i=0
while [ -n "$(vr ps -aq)" ] && [ "$i" -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
vr ps -a
kill -INT "$emperor_pid"
wait "$emperor_pid" || true
emperor_pid=
grep -E 'removed uwsgi instance|Emperor is buried' "$state/emperor.log"
echo "== done" >&2
