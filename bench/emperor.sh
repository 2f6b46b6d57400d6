# The Emperor case, shared by run-all.sh (case 6) and targets.sh. Sourced after
# bench/lib.sh (needs WORK, V, CG, NS_ENTER and an imported vassalrun store):
#
#   emperor_start          # uWSGI Emperor in the bench's netns, wrapper: vassalrun
#   emperor_rounds N FILE  # N interleaved rounds: "container|host DROP_MS SPAWN_MS"
#   emperor_stop
#   emperor_stat FILE KIND COLUMN min|median   # COLUMN 2: from the drop, 3: from the spawn
#
# A vassal with `docker-image` and `docker-port = 127.0.0.1:18090:8080` (uWSGI
# from the machine's uwsgi-core in the fixture image, `route-run = return:200`)
# against the same vassal without `docker-image`, which the wrapper execs on the
# host. Both go through the same Emperor and the same wrapper. "From the
# spawn" starts when the Emperor's child execs the wrapper: a small static shim
# (bench/spawn-stamp.c) notes the time and execs vassalrun. The first 200 is
# found by bench/first-200.pl, which tries a connect every millisecond.

# Whether this vassalrun can be uWSGI's --emperor-wrapper: a spawn with no
# docker-image execs the host's uWSGI (here /bin/echo) with the Emperor's args.
has_emperor_wrapper() {
    printf '[uwsgi]\n' >"$WORK/probe.ini"
    out=$(UWSGI_EMPEROR_FD=0 VASSALRUN_HOST_UWSGI=/bin/echo "$V" --ini "$WORK/probe.ini" 2>/dev/null </dev/null) || return 1
    [ "$out" = "--ini $WORK/probe.ini" ]
}

emperor_start() {
    cc -O2 -static -o "$WORK/spawn-stamp" bench/spawn-stamp.c 2>/dev/null ||
        cc -O2 -o "$WORK/spawn-stamp" bench/spawn-stamp.c
    sh rootfs-fixtures/build-uwsgi.sh "$WORK/uwsgi.tar" >/dev/null
    vr image import "$WORK/uwsgi.tar" uwsgi >/dev/null
    mkdir -p "$WORK/vassals" "$WORK/spool"
    cat >"$WORK/spool/ctr.ini" <<'INI'
[emperor]
docker-image = uwsgi
docker-port = 127.0.0.1:18090:8080
[uwsgi]
http-socket = 0.0.0.0:8080
master = true
processes = 1
route-run = return:200
INI
    cat >"$WORK/spool/host.ini" <<'INI'
[uwsgi]
plugins = http,corerouter
http-socket = 127.0.0.1:18091
master = true
processes = 1
route-run = return:200
INI
    : >"$WORK/spawns"
    (
        export VASSALRUN_ROOT="$WORK/vr/root" VASSALRUN_RUN_DIR="$WORK/vr/run" \
            VASSALRUN_CONFIG_DIR="$WORK/vr/etc" VASSALRUN_CGROUP_PARENT="$CG" \
            SPAWN_TARGET="$V" SPAWN_STAMPS="$WORK/spawns"
        # shellcheck disable=SC2086
        exec $NS_ENTER uwsgi --emperor "$WORK/vassals" --emperor-wrapper "$WORK/spawn-stamp" \
            --emperor-freq 1 >"$WORK/emperor.log" 2>&1
    ) &
    EMPEROR_PID=$!
    export EMPEROR_PID
}

emperor_stop() {
    [ -n "${EMPEROR_PID:-}" ] || return 0
    kill -INT "$EMPEROR_PID" 2>/dev/null || true
    wait "$EMPEROR_PID" 2>/dev/null || true
    EMPEROR_PID=
}

# "DROP_MS SPAWN_MS" of vassal $1 answering on port $2; then the vassal is
# removed and gone before the next round.
emperor_first_200() {
    # shellcheck disable=SC2086
    $NS_ENTER perl bench/first-200.pl "$2" 20 >"$WORK/t200" &
    probe=$!
    sleep 0.1 # the probe's start-up, before the clock starts
    t0=$(date +%s%N)
    cp "$WORK/spool/$1.ini" "$WORK/vassals/.$1.tmp"
    mv "$WORK/vassals/.$1.tmp" "$WORK/vassals/$1.ini"
    if ! wait "$probe"; then
        echo "no answer from $1 on port $2" >&2
        cat "$WORK/emperor.log" >&2
        return 1
    fi
    t2=$(cat "$WORK/t200")
    t1=$(awk -v n="$1.ini" '$1 == n { t = $2 } END { print t }' "$WORK/spawns")
    [ -n "$t1" ] || { echo "no spawn of $1 noted" >&2; return 1; }
    echo "$(((t2 - t0) / 1000000)) $(((t2 - t1) / 100000))" | awk '{ printf "%d %.1f\n", $1, $2 / 10 }'
    rm -f "$WORK/vassals/$1.ini"
    i=0
    while pgrep -f -- "--ini $1\.ini" >/dev/null && [ "$i" -lt 1000 ]; do
        i=$((i + 1))
        sleep 0.01
    done
    sleep 0.3
}

emperor_rounds() {
    : >"$2"
    r=0
    while [ "$r" -lt "$1" ]; do
        c=$(emperor_first_200 ctr 18090)
        h=$(emperor_first_200 host 18091)
        echo "container $c" >>"$2"
        echo "host $h" >>"$2"
        r=$((r + 1))
    done
}

emperor_stat() {
    awk -v k="$2" -v c="$3" '$1 == k {print $c}' "$1" | sort -n |
        awk -v w="$4" '{a[NR] = $1} END { if (w == "min") print a[1]; else print a[int((NR + 1) / 2)] }'
}
