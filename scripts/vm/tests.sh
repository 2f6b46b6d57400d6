#!/bin/sh
# The cgroup v2 test list, run inside the lane's guest (pure cgroup2, Debian's
# kernel) by init.sh or systemd-service.sh:
#
#   /lane/tests.sh MODE        (MODE: init or systemd, for the report)
#
# Each check prints `PASS name` or `FAIL name: want ..., got ...`; limits are
# checked both in the container's cgroup as the host sees it and through the
# container's own /sys/fs/cgroup. Exits 1 if any check failed. The results go
# to /lane/results (summary: one line per check).
set -u
mode=${1:-init}
lane=/lane
results=$lane/results
mkdir -p "$results"
: >"$results/summary"
failures=0

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export VASSALRUN_ROOT=/var/lib/vassalrun
export VASSALRUN_RUN_DIR=/run/vassalrun
export VASSALRUN_CGROUP_PARENT=${VASSALRUN_CGROUP_PARENT:-vassalrun}
parent=$VASSALRUN_CGROUP_PARENT
cgp=/sys/fs/cgroup/$parent
install -m 755 "$lane/bin/vassalrun" "$lane/bin/vassalrun-relay" /usr/local/bin/

pass() {
    echo "PASS [$mode] $1" | tee -a "$results/summary"
}
fail() {
    echo "FAIL [$mode] $1" | tee -a "$results/summary"
    failures=$((failures + 1))
}
# expect NAME WANT GOT
expect() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: want '$2', got '$3'"; fi
}
# vr ARGS...: vassalrun, bounded.
vr() {
    timeout -k 5 120 vassalrun "$@"
}
# code ARGS...: vassalrun's exit code.
code() {
    vr "$@" >/dev/null 2>&1
    echo $?
}
full_id() {
    vr inspect -f '{{.Id}}' "$1" 2>/dev/null
}
# host NAME FILE: a file of container NAME's cgroup, read from the host side.
host() {
    cat "$cgp/$(full_id "$1")/$2" 2>&1
}
# inside NAME FILE: the same file through the container's /sys/fs/cgroup.
inside() {
    vr exec "$1" cat "/sys/fs/cgroup/$2" 2>&1
}
# both CHECK NAME FILE WANT: a cgroup file checked from both sides.
both() {
    expect "$1 (host side: $3)" "$4" "$(host "$2" "$3")"
    expect "$1 (inside: $3)" "$4" "$(inside "$2" "$3")"
}
detached() {
    name=$1
    shift
    vr run -d --network none --name "$name" "$@" busybox sleep 600 >/dev/null 2>"$results/err" ||
        fail "run -d $name $*: $(cat "$results/err")"
}
remove() {
    vr rm -f "$@" >/dev/null 2>&1
}

echo "lane [$mode]: kernel $(uname -r); /sys/fs/cgroup is $(stat -f -c %T /sys/fs/cgroup)"
echo "lane [$mode]: mounts: $(grep cgroup /proc/mounts | tr '\n' ';')"
echo "lane [$mode]: cgroup parent $parent; root controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
expect "only the cgroup2 hierarchy is mounted" "cgroup2" \
    "$(awk '$3 ~ /^cgroup/ { print $3 }' /proc/mounts | sort -u | tr '\n' ' ' | sed 's/ $//')"
parent_existed=no
[ -d "$cgp" ] && parent_existed=yes

# Imports hash the tarball: slow in a debug build under emulation.
for image in busybox uwsgi; do
    started=$(date +%s)
    timeout -k 5 900 vassalrun image import "$lane/fixtures/$image.tar" $image >/dev/null
    rc=$?
    expect "image import $image (took $(($(date +%s) - started)) s)" 0 "$rc"
done

# --- run and exit codes -----------------------------------------------------------
echo "lane [$mode]: $(date +%T) run and exit codes"
expect "run true exits 0" 0 "$(code run --rm --network none busybox true)"
expect "run exit 3 exits 3" 3 "$(code run --rm --network none busybox sh -c 'exit 3')"
expect "run of a missing command exits 127" 127 "$(code run --rm --network none busybox nope)"
expect "run killed by SIGKILL exits 137" 137 \
    "$(code run --rm --network none --init busybox sh -c 'kill -9 $$')"
expect "the container sees its cgroup as the root (/proc/self/cgroup)" "0::/" \
    "$(vr run --rm --network none busybox cat /proc/self/cgroup 2>&1)"

# --- memory and swap --------------------------------------------------------------
echo "lane [$mode]: $(date +%T) memory and swap"
detached mem -m 64m --memory-swap 96m
both "-m 64m: memory.max" mem memory.max 67108864
both "--memory-swap 96m: memory.swap.max = swap - memory" mem memory.swap.max 33554432
remove mem
detached memsame -m 64m --memory-swap 64m
both "--memory-swap equal to -m: no swap" memsame memory.swap.max 0
remove memsame
detached memunl -m 64m --memory-swap -1
both "--memory-swap -1: unlimited swap" memunl memory.swap.max max
remove memunl

# OOM, with no swap on the machine yet: 64 MiB held by tail in 16 MiB.
hog='head -c 67108864 /dev/zero | tail >/dev/null'
vr run --network none --name oom -m 16m busybox sh -c "$hog" >/dev/null 2>&1
expect "OOM: exit code 137" 137 "$?"
expect "OOM: inspect OOMKilled" true "$(vr inspect -f '{{.State.OOMKilled}}' oom 2>&1)"
expect "OOM: inspect ExitCode" 137 "$(vr inspect -f '{{.State.ExitCode}}' oom 2>&1)"
remove oom

# With a swap file on, memory == memory-swap must still mean no swap at all:
# the same 64 MiB in 32 MiB of memory is OOM-killed, and fits when swap is allowed.
swapfile=/var/tmp/lane.swap
if dd if=/dev/zero of=$swapfile bs=1M count=192 2>/dev/null && chmod 600 $swapfile &&
    mkswap $swapfile >/dev/null && swapon $swapfile; then
    pass "a swap file is on ($(awk 'NR > 1 { print $1, $3 }' /proc/swaps))"
    expect "swap on, --memory-swap equal to -m: the hog is OOM-killed (no swap used)" 137 \
        "$(code run --rm --network none -m 32m --memory-swap 32m busybox sh -c "$hog")"
    expect "swap on, --memory-swap 160m: the hog fits with swap" 0 \
        "$(code run --rm --network none -m 32m --memory-swap 160m busybox sh -c "$hog")"
    swapoff $swapfile
else
    fail "making a swap file"
fi
rm -f $swapfile

expect "gc finds nothing before: pids, cpu, cpuset" "" "$(vr gc 2>&1)"

# --- pids, cpu, cpuset ------------------------------------------------------------
echo "lane [$mode]: $(date +%T) pids, cpu, cpuset"
detached pids --pids-limit 20
both "--pids-limit 20" pids pids.max 20
remove pids
detached cpus --cpus 1.5
both "--cpus 1.5: cpu.max" cpus cpu.max "150000 100000"
remove cpus
# Docker (runc >= 1.3, crun) map shares to a weight so that 1024 -> 100.
detached shares --cpu-shares 512
both "--cpu-shares 512: cpu.weight" shares cpu.weight 59
remove shares
detached shares2 --cpu-shares 1024
both "--cpu-shares 1024: cpu.weight" shares2 cpu.weight 100
remove shares2
detached cpuset --cpuset-cpus 1
both "--cpuset-cpus 1" cpuset cpuset.cpus 1
expect "--cpuset-cpus 1: the process runs on cpu 1 only" 1 \
    "$(vr exec cpuset sh -c 'grep Cpus_allowed_list /proc/self/status' 2>&1 | awk '{ print $2 }')"
remove cpuset

# --- the container's /sys/fs/cgroup: read-only and confined -------------------
detached ro -m 48m
out=$(vr exec ro sh -c 'echo 1 > /sys/fs/cgroup/cgroup.procs' 2>&1)
case $out in
*"Read-only file system"*) pass "/sys/fs/cgroup is read-only inside (EROFS on write)" ;;
*) fail "/sys/fs/cgroup is read-only inside (EROFS on write): got '$out'" ;;
esac
out=$(vr exec ro mkdir /sys/fs/cgroup/escape 2>&1)
case $out in
*"Read-only file system"*) pass "no cgroup can be made inside (EROFS on mkdir)" ;;
*) fail "no cgroup can be made inside (EROFS on mkdir): got '$out'" ;;
esac
expect "/sys/fs/cgroup inside is the container's own cgroup" 50331648 "$(inside ro memory.max)"
expect "the host's cgroups are not visible inside" absent \
    "$(vr exec ro sh -c "test -e /sys/fs/cgroup/${parent%%/*} && echo present || echo absent" 2>&1)"
expect "/proc/self/cgroup inside an exec'd process" "0::/" "$(vr exec ro cat /proc/self/cgroup 2>&1)"
remove ro

# --- exec, stop, rm ---------------------------------------------------------------
echo "lane [$mode]: $(date +%T) exec, stop, rm"
detached life
id=$(full_id life)
expect "exec prints" hi "$(vr exec life echo hi 2>&1)"
expect "exec exit code" 5 "$(code exec life sh -c 'exit 5')"
expect "exec joins the container's cgroup" "0::/" "$(vr exec life cat /proc/self/cgroup 2>&1)"
pid=$(vr inspect -f '{{.State.Pid}}' life 2>&1)
expect "the container's init (pid $pid) is in its cgroup (host side)" "$pid" \
    "$(grep -x "$pid" "$cgp/$id/cgroup.procs" 2>&1)"
expect "stop" 0 "$(code stop -t 1 life)"
expect "stopped: status exited" exited "$(vr inspect -f '{{.State.Status}}' life 2>&1)"
expect "stopped: cgroup removed" gone "$([ -d "$cgp/$id" ] && echo present || echo gone)"
expect "rm" 0 "$(code rm life)"
expect "rm: the container is gone" "" "$(vr ps -a -q 2>&1)"

# --- bridge network, -p, hairpin ----------------------------------------------
# The guest's own address on its NIC (eth0, or ens3 under udev), as a host's would be.
nic=$(ip -o link show | awk -F': ' '$2 !~ /^(lo|vassal|vr|veth|br)/ { sub(/@.*/, "", $2); print $2; exit }')
if [ -n "$nic" ] && ! ip -4 addr show dev "$nic" | grep -q inet; then
    ip link set "$nic" up
    ip addr add 10.0.2.15/24 dev "$nic"
fi
hostip=$(ip -4 -o addr show dev "$nic" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
expect "the guest has an address on its NIC ($nic)" yes "$([ -n "$hostip" ] && echo yes || echo no)"
vr run -d --name web -p 18080:8080 busybox \
    sh -c 'echo hello-v2 > /var/www/index.html; exec httpd -f -p 8080 -h /var/www' \
    >/dev/null 2>"$results/err" || fail "run -d web: $(cat "$results/err")"
web_ip=$(vr inspect -f '{{.NetworkSettings.IPAddress}}' web 2>&1)
got=""
for _ in $(seq 1 50); do
    got=$(curl -s --max-time 5 "http://127.0.0.1:18080/" 2>&1) && [ -n "$got" ] && break
    sleep 0.2
done
expect "-p 18080:8080 reached on 127.0.0.1" hello-v2 "$got"
if [ "$got" != hello-v2 ]; then
    echo "--- diagnostics: curl -v 127.0.0.1:18080"
    curl -v -s --max-time 5 http://127.0.0.1:18080/ 2>&1 | tail -n 5
    ip -br addr
    ip route
    sysctl net.ipv4.ip_forward net.ipv4.conf.vassal0.route_localnet net.ipv4.conf.all.route_localnet \
        net.ipv4.conf.vassal0.rp_filter net.bridge.bridge-nf-call-iptables 2>&1
    nft list table inet vassalrun 2>&1
    lsmod | awk '{ print $1 }' | tr '\n' ' '
    echo
fi
expect "-p reached on the host's address $hostip" hello-v2 \
    "$(curl -s --max-time 5 "http://$hostip:18080/" 2>&1)"
expect "the container's address $web_ip on the bridge" hello-v2 \
    "$(curl -s --max-time 5 "http://$web_ip:8080/" 2>&1)"
# nc, not busybox wget: the fixture's wget prints nothing in a container here.
get="printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 $hostip 18080 | tail -n 1"
expect "hairpin: the container reaches itself through its published port" hello-v2 \
    "$(vr exec web sh -c "$get" 2>&1)"
expect "another container reaches the published port" hello-v2 \
    "$(vr run --rm busybox sh -c "$get" 2>&1)"
expect "the bridge container's memory cgroup is there" yes \
    "$([ -f "$cgp/$(full_id web)/memory.max" ] && echo yes || echo no)"
remove web
expect "the bridge is removed with the last container" gone \
    "$(ip link show vassal0 >/dev/null 2>&1 && echo present || echo gone)"

expect "gc finds nothing before: OCI mode" "" "$(vr gc 2>&1)"

# --- OCI mode: limits, pause/resume through cgroup.freeze, delete -----------------
echo "lane [$mode]: $(date +%T) OCI mode: limits, pause/resume through cgroup.freeze, delete"
bundle=/var/tmp/oci-bundle
rm -rf $bundle
mkdir -p $bundle/rootfs
tar -C $bundle/rootfs -xf "$lane/fixtures/busybox.tar"
cat >$bundle/config.json <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["sleep", "600"],
    "env": ["PATH=/bin"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]
    },
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "oci",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"] }
  ],
  "linux": {
    "cgroupsPath": "/$parent/oci-lane",
    "resources": {
      "memory": { "limit": 50331648, "swap": 67108864 },
      "pids": { "limit": 30 },
      "cpu": { "quota": 50000, "period": 100000 }
    },
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" }
    ]
  }
}
JSON
expect "oci run -d" 0 "$(code oci run -d -b $bundle oci-lane </dev/null)"
ocg=$cgp/oci-lane
expect "oci: memory.max (host side)" 50331648 "$(cat $ocg/memory.max 2>&1)"
expect "oci: memory.swap.max = swap - memory (host side)" 16777216 "$(cat $ocg/memory.swap.max 2>&1)"
expect "oci: pids.max (host side)" 30 "$(cat $ocg/pids.max 2>&1)"
expect "oci: cpu.max (host side)" "50000 100000" "$(cat $ocg/cpu.max 2>&1)"
expect "oci: memory.max (inside)" 50331648 "$(vr oci exec oci-lane cat /sys/fs/cgroup/memory.max 2>&1)"
expect "oci: pids.max (inside)" 30 "$(vr oci exec oci-lane cat /sys/fs/cgroup/pids.max 2>&1)"
expect "oci pause" 0 "$(code oci pause oci-lane)"
expect "oci pause: state paused" '"status": "paused"' \
    "$(vr oci state oci-lane 2>&1 | grep -o '"status": "[a-z]*"')"
expect "oci pause: cgroup.freeze" 1 "$(cat $ocg/cgroup.freeze 2>&1)"
expect "oci pause: cgroup.events frozen" "frozen 1" "$(grep frozen $ocg/cgroup.events 2>&1)"
expect "oci resume" 0 "$(code oci resume oci-lane)"
expect "oci resume: cgroup.freeze" 0 "$(cat $ocg/cgroup.freeze 2>&1)"
expect "oci resume: state running" '"status": "running"' \
    "$(vr oci state oci-lane 2>&1 | grep -o '"status": "[a-z]*"')"
expect "oci delete -f" 0 "$(code oci delete -f oci-lane)"
expect "oci delete: cgroup removed" gone "$([ -d $ocg ] && echo present || echo gone)"
expect "oci list is empty" "" "$(vr oci list -q 2>&1)"
rm -rf $bundle

expect "gc finds nothing before: the Emperor wrapper" "" "$(vr gc 2>&1)"

# --- the Emperor wrapper with one vassal ------------------------------------------
echo "lane [$mode]: $(date +%T) the Emperor wrapper with one vassal"
vassals=/var/tmp/vassals
rm -rf $vassals
mkdir -p $vassals
uwsgi-core --emperor $vassals --emperor-wrapper /usr/local/bin/vassalrun \
    --emperor-freq 1 >"$results/emperor.log" 2>&1 &
emperor=$!
cat >$vassals/app.ini <<'INI'
[emperor]
docker-image = uwsgi
docker-port = 127.0.0.1:18081:8080
docker-memory = 96m
[uwsgi]
http-socket = 0.0.0.0:8080
master = true
processes = 1
route-run = return:200
INI
status=""
for _ in $(seq 1 150); do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:18081/ 2>/dev/null)
    [ "$status" = 200 ] && break
    sleep 0.4
done
expect "Emperor: the vassal answers 200 through its port" 200 "$status"
both "Emperor: docker-memory 96m" app.ini memory.max 100663296
rm -f $vassals/app.ini
gone=no
for _ in $(seq 1 150); do
    [ -z "$(vr ps -a -q 2>/dev/null)" ] && gone=yes && break
    sleep 0.2
done
expect "Emperor: removing the vassal file removes its container" yes "$gone"
kill -INT $emperor 2>/dev/null
for _ in $(seq 1 50); do kill -0 $emperor 2>/dev/null || break; sleep 0.2; done
kill -KILL $emperor 2>/dev/null
wait $emperor 2>/dev/null

# --- nothing left -----------------------------------------------------------------
echo "lane [$mode]: $(date +%T) nothing left"
expect "no container left" "" "$(vr ps -a -q 2>&1)"
expect "gc finds nothing" "" "$(vr gc 2>&1)"
left=$(find "$cgp" -mindepth 1 -type d 2>/dev/null | head -n 5 | tr '\n' ' ')
expect "no container cgroup left under $parent" "" "$left"
if [ $parent_existed = no ]; then
    expect "the parent cgroup vassalrun made is removed" gone \
        "$([ -d "$cgp" ] && echo present || echo gone)"
fi
expect "no vassalrun mount left" "" "$(grep -c /var/lib/vassalrun /proc/mounts | grep -v '^0$')"

echo "lane [$mode]: $failures failed of $(wc -l <"$results/summary")"
[ $failures -eq 0 ]
