#!/bin/sh
# One density round, timed by bench/run-all.sh (case 3) through hyperfine:
# start N detached `sleep` containers with bridge networking, one `run -d`
# each, note the memory of their monitors (vassalrun's monitors, or podman's
# conmons) in MEMFILE, then stop and remove them all (one `stop -t 0` and one
# `rm` of every id, as a user would).
#
#   bench/density.sh vassalrun|podman N MEMFILE
#
# Uses the environment of run-all.sh (WORK, CG, IN_NS, V): not for direct use.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
tool=$1 n=$2 memfile=$3

i=0
case $tool in
vassalrun)
    while [ "$i" -lt "$n" ]; do
        vr run -d --network bridge bb sleep 100000 >/dev/null
        i=$((i + 1))
    done
    echo "vassalrun $(mem_of "$(vr_monitor_pids)") $(vr_monitor_pids | wc -w)" >>"$memfile"
    ids=$(vr ps -q)
    # shellcheck disable=SC2086
    vr stop -t 0 $ids >/dev/null
    # shellcheck disable=SC2086
    vr rm $ids >/dev/null
    ;;
podman)
    while [ "$i" -lt "$n" ]; do
        # shellcheck disable=SC2046
        pm run -d --network bridge $(pm_run_flags) localhost/bb sleep 100000 >/dev/null
        i=$((i + 1))
    done
    echo "podman $(mem_of "$(pm_conmon_pids)") $(pm_conmon_pids | wc -w)" >>"$memfile"
    ids=$(pm ps -q)
    # shellcheck disable=SC2086
    pm stop -t 0 $ids >/dev/null
    # shellcheck disable=SC2086
    pm rm $ids >/dev/null
    ;;
*)
    echo "usage: density.sh vassalrun|podman N MEMFILE" >&2
    exit 2
    ;;
esac
