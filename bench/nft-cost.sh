#!/bin/sh
# What a published port's firewall change costs, in a network namespace of
# the bench's own. As root:
#
#   sh bench/nft-cost.sh [ROUNDS=21]
#
# 1. One `nft -f -` transaction (add + delete of one port element in
#    vassalrun's table), against `nsenter ... /bin/true` to subtract the
#    nsenter itself; isolated, interleaved (bench/timeit.pl).
# 2. `run --rm -p 9999:80 IMG /bin/true` beside one running published
#    container (so its elements are added to and deleted from an existing
#    table), and alone (its run creates and deletes the table); with
#    VASSALRUN_B=path, the same for a second binary, interleaved (an A/B of
#    two builds).
# Also counts the `nft` processes one such run starts (strace -f -e execve).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-21}
bench_init
bench_install strace
bench_build
bench_netns
vr_image
B=${VASSALRUN_B:-}

log() { echo "== $*" >&2; }

log "nft transaction in a private namespace"
vr run -d --name keep -p 18000:80 bb sleep 100000 >/dev/null
ip=$(vr inspect keep | jq -r '.[0].NetworkSettings.IPAddress')
printf 'add element inet vassalrun pf4_any { tcp . 18001 : %s . 80 }\ndelete element inet vassalrun pf4_any { tcp . 18001 : %s . 80 }\n' \
    "$ip" "$ip" >"$WORK/tx.nft"
perl bench/timeit.pl --runs "$rounds" --warmup 2 \
    "nft=$NS_ENTER nft -f $WORK/tx.nft" "nsenter=$NS_ENTER /bin/true" >"$WORK/nft.tsv"
n=$(ti_stat "$WORK/nft.tsv" nft median)
t=$(ti_stat "$WORK/nft.tsv" nsenter median)
echo "nft -f - (add + delete of one element): median $n ms, nsenter alone $t ms: transaction $(awk -v a="$n" -v b="$t" 'BEGIN { printf "%.1f", a - b }') ms (min $(ti_stat "$WORK/nft.tsv" nft min) ms)"

runp() { echo "$1=$NS_ENTER $2 --root $WORK/vr/root --run-dir $WORK/vr/run --config-dir $WORK/vr/etc --default-cgroup-parent $CG run --rm -p 9999:80 bb /bin/true"; }
set -- "$(runp A "$V")"
[ -n "$B" ] && set -- "$@" "$(runp B "$(realpath "$B")")"
log "run --rm -p beside one published container"
perl bench/timeit.pl --runs "$rounds" --warmup 2 "$@" >"$WORK/beside.tsv"
vr rm -f keep >/dev/null
log "run --rm -p alone"
perl bench/timeit.pl --runs "$rounds" --warmup 2 "$@" >"$WORK/alone.tsv"
for label in A B; do
    [ "$label" = B ] && [ -z "$B" ] && continue
    bin=$V
    [ "$label" = B ] && bin=$B
    echo "$label ($bin): run --rm -p beside one published container: median $(ti_stat "$WORK/beside.tsv" "$label" median) ms (min $(ti_stat "$WORK/beside.tsv" "$label" min)); alone: median $(ti_stat "$WORK/alone.tsv" "$label" median) ms (min $(ti_stat "$WORK/alone.tsv" "$label" min))"
done

for label in A B; do
    [ "$label" = B ] && [ -z "$B" ] && continue
    bin=$V
    [ "$label" = B ] && bin=$(realpath "$B")
    vr run -d --name keep -p 18000:80 bb sleep 100000 >/dev/null
    # shellcheck disable=SC2086
    strace -f -e trace=execve -o "$WORK/strace-beside" $NS_ENTER "$bin" --root "$WORK/vr/root" --run-dir "$WORK/vr/run" \
        --config-dir "$WORK/vr/etc" --default-cgroup-parent "$CG" run --rm -p 9999:80 bb /bin/true >/dev/null 2>&1
    vr rm -f keep >/dev/null
    # shellcheck disable=SC2086
    strace -f -e trace=execve -o "$WORK/strace-alone" $NS_ENTER "$bin" --root "$WORK/vr/root" --run-dir "$WORK/vr/run" \
        --config-dir "$WORK/vr/etc" --default-cgroup-parent "$CG" run --rm -p 9999:80 bb /bin/true >/dev/null 2>&1
    # successful execs only (a PATH search fails on the directories before nft's)
    nft_execs() { grep 'execve("[^"]*/nft"' "$1" | grep -c '= 0$' || true; }
    echo "$label: nft processes per run --rm -p: beside one published container $(nft_execs "$WORK/strace-beside"), alone $(nft_execs "$WORK/strace-alone")"
done
