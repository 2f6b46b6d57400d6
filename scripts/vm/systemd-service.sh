#!/bin/sh
# ExecStart of vassalrun-lane.service under systemd as PID 1: the unit has
# Delegate=yes, so its cgroup subtree is vassalrun's to manage, as for a real
# service running vassalrun. The service's own processes move to a leaf
# (`supervisor`: cgroup v2 allows no processes beside child cgroups that use
# controllers) and the containers go under `containers`, next to it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mkdir -p /lane/results
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir -p "/sys/fs/cgroup$own/supervisor"
echo $$ >"/sys/fs/cgroup$own/supervisor/cgroup.procs"
export VASSALRUN_CGROUP_PARENT="${own#/}/containers"
{
    echo "lane: systemd $(systemctl --version | head -n 1), unit cgroup $own"
    echo "lane: delegated controllers: $(cat "/sys/fs/cgroup$own/cgroup.controllers")"
} >/lane/results/log
timeout -k 10 1500 /lane/tests.sh systemd >>/lane/results/log 2>&1
echo $? >/lane/results/exit
cat /lane/results/log >/dev/console
sync
umount /lane
systemctl poweroff --no-block
