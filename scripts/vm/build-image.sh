#!/bin/sh
# Builds the cgroup v2 lane's guest: a Debian 12 root filesystem made with
# debootstrap from MIRROR, with Debian's kernel (linux-image-amd64), systemd,
# uwsgi-core (the Emperor lane) and tini (a subreaper), packed into an ext4 image.
#
#   scripts/vm/build-image.sh MIRROR OUTDIR
#
# Writes OUTDIR/{disk.img,vmlinuz,initrd.img} atomically (built beside it,
# renamed at the end). Needs root, debootstrap and e2fsprogs, and the archive.
# scripts/test-vm.sh caches the result, keyed by this file's text and the
# package versions: editing this file rebuilds the image.
set -eu

mirror=${1:?usage: build-image.sh MIRROR OUTDIR}
out=${2:?usage: build-image.sh MIRROR OUTDIR}
suite=bookworm

work=$(mktemp -d "$(dirname "$out")/.build.XXXXXX")
root=$work/rootfs
unmount_all() {
    for m in dev/pts dev proc sys; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
    done
    return 0
}
trap 'unmount_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "build-image: debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase \
    --include=libseccomp2,iproute2,nftables,kmod,procps,curl,netcat-openbsd,mount,util-linux,e2fsprogs \
    "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    echo "build-image: debootstrap from $mirror failed" >&2
    exit 1
}

# Daemons must not start inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
echo "build-image: installing the kernel, systemd and uwsgi-core" >&2
chroot "$root" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends \
    linux-image-amd64 initramfs-tools systemd-sysv udev uwsgi-core tini \
    >"$work/apt.log" 2>&1 || {
    tail -n 30 "$work/apt.log" >&2
    echo "build-image: installing the guest packages failed" >&2
    exit 1
}
chroot "$root" apt-get clean
unmount_all
rm -f "$root/usr/sbin/policy-rc.d"

echo vassalrun-v2 >"$root/etc/hostname"
printf '127.0.0.1 localhost vassalrun-v2\n' >"$root/etc/hosts"
: >"$root/etc/fstab"

# The lane's entry points: they mount the per-run payload disk (/dev/vdb, made
# by scripts/test-vm.sh) on /lane and hand over to the scripts on it, so a new
# test list or binary never needs a new image.
cat >"$root/sbin/vassalrun-lane-init" <<'INIT'
#!/bin/sh
# PID 1 of the script-init lane (init=/sbin/vassalrun-lane-init).
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /lane
if ! mount /dev/vdb /lane; then
    echo "vassalrun-lane: no payload disk" >/dev/console
    echo o >/proc/sysrq-trigger
fi
exec /lane/init.sh
INIT
cat >"$root/sbin/vassalrun-lane-service" <<'SERVICE'
#!/bin/sh
# ExecStart of vassalrun-lane.service (the systemd lane).
mkdir -p /lane
mountpoint -q /lane || mount /dev/vdb /lane || exit 1
exec /lane/systemd-service.sh
SERVICE
chmod 755 "$root/sbin/vassalrun-lane-init" "$root/sbin/vassalrun-lane-service"

# Started only when the payload disk is there, from a delegated subtree
# (Delegate=yes) as a vassalrun service would be on a real systemd host.
cat >"$root/etc/systemd/system/vassalrun-lane.service" <<'UNIT'
[Unit]
Description=vassalrun cgroup v2 lane
ConditionPathExists=/dev/vdb
After=local-fs.target systemd-modules-load.service systemd-udev-settle.service

[Service]
Type=oneshot
Delegate=yes
ExecStart=/sbin/vassalrun-lane-service
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
UNIT
ln -s /etc/systemd/system/vassalrun-lane.service \
    "$root/etc/systemd/system/multi-user.target.wants/vassalrun-lane.service"
# The serial getty would share the console with the lane's output.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

kernel=$(ls "$root"/boot/vmlinuz-* | sort | tail -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | sort | tail -n 1)
[ -f "$kernel" ] && [ -f "$initrd" ] || {
    echo "build-image: no kernel or initrd in the guest's /boot" >&2
    exit 1
}
mkdir -p "$work/out"
cp "$kernel" "$work/out/vmlinuz"
cp "$initrd" "$work/out/initrd.img"
truncate -s 3G "$work/out/disk.img"
mkfs.ext4 -q -F -L vassalrun-v2 -d "$root" "$work/out/disk.img"
rm -rf "$out"
mv "$work/out" "$out"
echo "build-image: done, $out" >&2
