#!/bin/sh
# Builds the busybox test image: a rootfs tarball with a static busybox, its
# applets linked in /bin, and /etc/passwd and /etc/group with a non-root user.
#
#   rootfs-fixtures/build-busybox.sh OUT.tar
#
# Needs busybox-static (Debian: apt-get install busybox-static). Writes OUT.tar
# atomically (temp file + rename), so concurrent builders never see half a file.
set -eu

out=${1:?usage: build-busybox.sh OUT.tar}
busybox=${BUSYBOX:-/bin/busybox}
if ! "$busybox" --list >/dev/null 2>&1; then
    echo "build-busybox.sh: $busybox is not a busybox binary (apt-get install busybox-static)" >&2
    exit 1
fi
if file_out=$(file -L "$busybox" 2>/dev/null) && ! echo "$file_out" | grep -q 'statically linked'; then
    echo "build-busybox.sh: $busybox is not statically linked (apt-get install busybox-static)" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
    "$root/root" "$root/home/app" "$root/var/www" "$root/run"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/usr"
ln -s ../bin "$root/usr/bin"
ln -s bin "$root/sbin"

cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
app:x:1000:1000:Application:/home/app:/bin/sh
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:root
daemon:x:1:daemon
wheel:x:10:root,app
audio:x:29:app
app:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$root/home/app"

tmp=$out.tmp.$$
tar --numeric-owner -C "$root" -cf "$tmp" .
mv "$tmp" "$out"
