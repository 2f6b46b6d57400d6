#!/bin/sh
# PID 1 of the script-init lane: a bare cgroup v2 host with no service
# manager. Mounts what a minimal init mounts (cgroup2 with nsdelegate as the
# only hierarchy), loads the modules vassalrun's containers need, runs the
# test list under a subreaper (tini -s reaps the monitors that vassalrun
# detaches, which PID 1 here would not), records the results on the payload
# disk and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
hostname vassalrun-v2
ip link set lo up
# No udev here: virtio_net (the guest's NIC) is loaded by hand too.
for module in virtio_net overlay veth bridge br_netfilter nf_tables nft_chain_nat nft_masq nf_nat nft_ct; do
    modprobe "$module" || echo "lane: modprobe $module failed"
done
mkdir -p /lane/results
echo "lane: kernel $(uname -r), cgroup: $(stat -f -c %T /sys/fs/cgroup)" >/dev/console
timeout -k 10 1500 tini -s -- /lane/tests.sh init >/lane/results/log 2>&1
echo $? >/lane/results/exit
cat /lane/results/log >/dev/console
sync
umount /lane
sync
echo o >/proc/sysrq-trigger
sleep 30
