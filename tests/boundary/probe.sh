#!/bin/sh
# Boundary probes, run inside a container by tests/boundary_cli.rs (busybox sh).
# Each line is "name=value". "allowed" means a boundary was crossed; every
# probe is harmless when it succeeds (a directory made is removed again, a
# limit raised is the probe container's own).
try() { if sh -c "$2" 2>/dev/null; then echo "$1=allowed"; else echo "$1=refused"; fi; }
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  try cgroup_memory_limit 'echo max > /sys/fs/cgroup/memory.max'
  try cgroup_pids_max 'echo max > /sys/fs/cgroup/pids.max'
  try cgroup_mkdir 'mkdir /sys/fs/cgroup/probe && rmdir /sys/fs/cgroup/probe'
else
  try cgroup_memory_limit 'echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes'
  try cgroup_pids_max 'echo max > /sys/fs/cgroup/pids/pids.max'
  try cgroup_mkdir 'mkdir /sys/fs/cgroup/memory/probe && rmdir /sys/fs/cgroup/memory/probe'
  try cgroup_tmpfs_mkdir 'mkdir /sys/fs/cgroup/probe && rmdir /sys/fs/cgroup/probe'
  try cgroup_systemd_mkdir 'mkdir /sys/fs/cgroup/systemd/probe && rmdir /sys/fs/cgroup/systemd/probe'
fi
if grep -qv ':/$' /proc/self/cgroup; then echo "cgroup_paths=host"; else echo "cgroup_paths=own"; fi
# Every cgroup mount must be rooted at the process's own cgroup of that
# hierarchy (mountinfo's root field against /proc/self/cgroup): lists those
# that show more (a parent, the host's root).
echo "cgroup_foreign_roots=$(awk '
  FNR == NR { n = split($0, f, ":"); own[f[2]] = f[3]; next }
  $5 !~ "^/sys/fs/cgroup" { next }
  {
    for (i = 7; $i != "-"; i++) ;
    type = $(i + 1); opts = "," $(i + 3) ","
    if (type == "cgroup2") { key = "" }
    else if (type == "cgroup") {
      key = "?"
      for (k in own) { split(k, c, ","); if (k != "" && index(opts, "," c[1] ",")) key = k }
    } else next
    if (!(key in own) || own[key] != $4) printf "%s ", $5
  }' /proc/self/cgroup /proc/self/mountinfo | sed 's/ $//')"
echo "seccomp=$(awk '/^Seccomp:/ {print $2}' /proc/self/status)"
echo "no_new_privs=$(awk '/^NoNewPrivs:/ {print $2}' /proc/self/status)"
echo "cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)"
try userns 'unshare -U true'
ro() { awk -v m="$1" '$5 == m {split($6, o, ","); print o[1]}' /proc/self/mountinfo | tail -1; }
echo "proc_sys=$(ro /proc/sys)"
rw=""
for p in /proc/bus /proc/fs /proc/irq /proc/sysrq-trigger; do
  [ -e "$p" ] && [ "$(ro "$p")" != ro ] && rw="$rw $p"
done
echo "proc_writable_paths=${rw:-none}"
echo "sys=$(ro /sys)"
echo "sys_fs_cgroup=$(ro /sys/fs/cgroup)"
leak=""
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
  [ -e "$f" ] && [ "$(head -c 1 "$f" 2>/dev/null | wc -c)" -gt 0 ] && leak="$leak $f"
done
for d in /proc/acpi /proc/scsi /sys/firmware; do
  [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && leak="$leak $d"
done
echo "masked_leaks=${leak:-none}"
echo "leaked_fds=$(ls -l /proc/self/fd 2>/dev/null | awk 'NR > 0 && $(NF-1) == "->" && $NF !~ /^\/proc\/[0-9]+\/fd$/ && $(NF-2) > 2 {printf "%s ", $(NF-2)}' | sed 's/ $//')"
# The runtime binary's path ends in "/vassalrun" (cgroup paths like
# "/vassalrun/ID" or "/vassalrun-test-…/ID" are not it).
echo "runtime_in_mounts=$(grep -cE '/vassalrun( |$)' /proc/self/mountinfo)"
echo "runtime_in_init_cmdline=$(tr '\000' '\n' < /proc/1/cmdline | grep -cE '/vassalrun$')"
exes=""
for e in /proc/[0-9]*/exe; do
  case "$(readlink "$e" 2>/dev/null)" in *vassalrun*) exes="$exes $e" ;; esac
done
echo "runtime_exes=${exes:-none}"
