#!/bin/sh
# Builds the uWSGI test image from the machine's own packages: the busybox
# fixture (a shell and the usual tools) plus Debian's uwsgi-core binary as
# /usr/bin/uwsgi, the libraries it and its plugins link (found with ldd) at
# their host paths, the http and corerouter plugins in /usr/lib/uwsgi/plugins,
# and a probe for tests (/usr/local/bin/uwsgi-probe).
#
#   rootfs-fixtures/build-uwsgi.sh OUT.tar
#
# Needs busybox-static and uwsgi-core (apt-get install busybox-static uwsgi-core;
# http and corerouter ship in uwsgi-core). No network.
# Writes OUT.tar atomically (temp file + rename).
set -eu

out=${1:?usage: build-uwsgi.sh OUT.tar}
uwsgi=${UWSGI_CORE:-/usr/bin/uwsgi-core}
plugins_dir=/usr/lib/uwsgi/plugins
plugins="http corerouter"
if [ ! -x "$uwsgi" ]; then
    echo "build-uwsgi.sh: $uwsgi not found (apt-get install uwsgi-core)" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$(dirname "$0")/build-busybox.sh" "$work/busybox.tar"
root=$work/rootfs
mkdir -p "$root"
tar -C "$root" -xf "$work/busybox.tar"

# The busybox fixture links /usr/bin to /bin: uwsgi lands in /bin, seen at both.
cp "$uwsgi" "$root/bin/uwsgi-core"
ln -sf uwsgi-core "$root/bin/uwsgi"
mkdir -p "$root$plugins_dir"
objects=$uwsgi
for plugin in $plugins; do
    cp "$plugins_dir/${plugin}_plugin.so" "$root$plugins_dir/"
    objects="$objects $plugins_dir/${plugin}_plugin.so"
done

# A test hook: records the fds, environment and pid uWSGI starts with in
# $PROBE_DIR (default /probe), then becomes uWSGI (docker-uwsgi = /usr/local/bin/uwsgi-probe).
mkdir -p "$root/usr/local/bin"
cat > "$root/usr/local/bin/uwsgi-probe" <<'PROBE'
#!/bin/sh
d=${PROBE_DIR:-/probe}
# `exec >`, not `ls >`: busybox runs ls in-process and would save stdout on
# an extra fd; stdout goes back to the Emperor's log (stderr) afterwards.
exec > "$d/fds"
ls -l /proc/$$/fd/
exec 1>&2
env > "$d/env"
echo $$ > "$d/pid"
exec /usr/bin/uwsgi "$@"
PROBE
chmod 755 "$root/usr/local/bin/uwsgi-probe"

# Every library the binary and plugins link, and the dynamic loader.
# shellcheck disable=SC2086
for lib in $(ldd $objects 2>/dev/null | awk '/=> \// { print $3 } /^[[:space:]]+\// { print $1 }' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done

tmp=$out.tmp.$$
tar --numeric-owner -C "$root" -cf "$tmp" .
mv "$tmp" "$out"
