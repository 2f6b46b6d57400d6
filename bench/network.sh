#!/bin/sh
# Network setup+teardown time of one container publishing a port, with 1 and
# with N other published containers running, and the ratio (goal: <= 1.2).
#
#   bench/network.sh [N=500] [ROUNDS=15]
#
# As root. Everything runs in a network namespace of its own (the host's
# links and firewall are untouched) under a temporary root and run dir.
# A round is `create -p PORT:80` + `rm -f` (the monitor tears the network
# down); the same round with `--network none` is subtracted, so what is left
# is the network's part: bridge, address, veth, nft elements, teardown.
# Medians of ROUNDS rounds. VASSALRUN=path picks the binary (default:
# target/release/vassalrun, else target/debug/vassalrun).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-500}
rounds=${2:-15}
if [ -z "${VASSALRUN:-}" ]; then
    VASSALRUN=target/release/vassalrun
    [ -x "$VASSALRUN" ] || VASSALRUN=target/debug/vassalrun
fi
bench_init
bench_build
bench_netns
bench_fixture
tmp=$WORK
img="$WORK/img"
mkdir -p "$img" && tar -xf "$WORK/busybox.tar" -C "$img"

now_us() { echo $(($(date +%s%N) / 1000)); }

# One create+rm round: "total_us setup_us", where setup_us is vassalrun's own
# measure of the network setup in `create` (allocation, links, firewall; from
# its debug log), 0 without a network; "$@" are extra run flags.
round_us() {
    start=$(now_us)
    setup=$(vr --log-level debug create --name probe "$@" "$img" sleep 1000 2>&1 >/dev/null |
        sed -n 's/.*network: firewall by \([0-9.]*\)\([µum]*s\).*/\1 \2/p' |
        awk '{ f = ($2 == "s") ? 1e6 : ($2 == "ms") ? 1e3 : 1; printf "%d", $1 * f }')
    vr rm -f probe >/dev/null
    echo "$(($(now_us) - start)) ${setup:-0}"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# "with without network setup" medians (us) of ROUNDS interleaved round pairs,
# so load from elsewhere hits both alike; network = median of per-pair
# differences of create+rm with and without a network; setup = vassalrun's
# own measure of the setup part.
network_cost() {
    i=0
    while [ "$i" -lt "$rounds" ]; do
        set -- $(round_us -p 9999:80)
        with=$1 setup=$2
        set -- $(round_us --network none)
        without=$1
        echo "$with $without $((with - without)) $setup"
        i=$((i + 1))
    done >"$tmp/rounds"
    for column in 1 2 3 4; do
        cut -d' ' -f"$column" "$tmp/rounds" | median
    done | tr '\n' ' '
}

start_containers() {
    from=$1 to=$2
    i=$from
    while [ "$i" -le "$to" ]; do
        vr run -d --name "c$i" -p "$((20000 + i)):80" "$img" sleep 100000 >/dev/null
        i=$((i + 1))
    done
}

start_containers 1 1
set -- $(network_cost)
one_total=$1 one_none=$2 one=$3 one_setup=$4
echo "existing=1: create+rm ${one_total} us (--network none: ${one_none} us): network ${one} us, of which setup ${one_setup} us"
start_containers 2 "$n"
elements=$($NS_ENTER nft list table inet vassalrun | grep -c ' : 10\.' || true)
set -- $(network_cost)
many_total=$1 many_none=$2 many=$3 many_setup=$4
echo "existing=$n: create+rm ${many_total} us (--network none: ${many_none} us): network ${many} us, of which setup ${many_setup} us ($elements port elements in the table)"
awk -v n="$n" -v a="$many" -v b="$one" -v sa="$many_setup" -v sb="$one_setup" -v ta="$many_total" -v tb="$one_total" 'BEGIN {
    printf "ratio at %s/at 1: network setup+teardown %.2f, setup alone %.2f, whole create+rm %.2f (goal <= 1.2)\n", n, a / b, sa / sb, ta / tb
}'
