#!/bin/bash
# user-session.sh: a private, real systemd user session for bgxfer's integration tests.
#
#   user-session.sh start --user NAME --dir DIR
#       As root. Starts, in new mount/pid/cgroup/uts/ipc namespaces, a systemd-journald, a
#       `systemd --user` for NAME (with its D-Bus session bus from dbus-user-session), and
#       writes DIR/ready when both answer. Runs until its stdin reaches EOF or it gets SIGTERM,
#       then stops the manager (which stops its units), journald, and everything left, and
#       removes its cgroup. Exit 0 after a clean stop; 125 when setup failed (reason on stderr,
#       logs in DIR).
#   user-session.sh enter --dir DIR [--root] [--cwd PATH] [--env NAME=VALUE]... -- CMD ARGS...
#       As root. Runs CMD inside that session: in session-test.scope, as NAME (or root with
#       --root), with XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS of the session and a clean
#       environment. Exit status: CMD's.
#
# Nothing is visible outside: the journal lives on a tmpfs over /var/log, the linger
# directory is an empty tmpfs, /run/systemd and /run/user are private tmpfs, the manager's
# kmsg output goes to DIR/systemd.log. One cgroup2 directory (bgxfer-session.<PID>) is made in
# the host tree and is the namespace's cgroup root; `systemd --user` is never started outside
# it. This follows the recipe in the project's ENVIRONMENT notes ("Running a real user manager
# in tests"), reduced to what bgxfer's tests need.
set -u
PROG=${0##*/}
die() { echo "$PROG: $*" >&2; exit 125; }

# ------------------------------------------------------------------ inside the namespaces
inner() {
    local dir=$1 C=/sys/fs/cgroup RT=/run/user/$S_UID US JOURNALD MGR LOGGER i st
    fail() {
        echo "$PROG: $*" >&2
        [ -n "${MGR:-}" ] && kill -KILL "$MGR" 2>/dev/null
        tail -n 20 "$dir/manager.log" "$dir/systemd.log" "$dir/journald.log" >&2 2>/dev/null
        exit 125
    }
    trap 'fail "stopped during setup"' TERM INT HUP
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$C" || fail "cannot mount cgroup2"
    [ "$(stat -c %i "$C")" = "$S_CG_INO" ] || fail "the cgroup namespace root is not our directory; refusing"
    mkdir "$C/init" && echo $$ >"$C/init/cgroup.procs" || fail "cannot make the init cgroup"

    # 64m: the manager refuses daemon-reload (bgxfer timer install) with under 16 MiB free here.
    mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m tmpfs /run/systemd || fail "tmpfs /run/systemd"
    mkdir /run/systemd/system /run/systemd/test    # system/: the marker sd_booted() looks for
    mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m tmpfs /run/user || fail "tmpfs /run/user"
    install -d -m 0700 -o "$S_UID" -g "$S_GID" "$RT" || fail "mkdir $RT"
    mount -t tmpfs -o mode=0755,nosuid,nodev,size=64m tmpfs /run/log || fail "tmpfs /run/log"
    mount -t tmpfs -o mode=0755,nosuid,nodev,size=256m tmpfs /var/log || fail "tmpfs /var/log"
    install -d -m 2755 -g systemd-journal /var/log/journal || fail "mkdir /var/log/journal"
    mkdir -p /var/lib/systemd/linger
    mount -t tmpfs -o mode=0755,nosuid,nodev,size=1m tmpfs /var/lib/systemd/linger || fail "tmpfs linger"
    printf '[Journal]\nStorage=persistent\nSplitMode=uid\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\n' \
        >/run/systemd/test/journald.conf
    mount --bind /run/systemd/test/journald.conf /etc/systemd/journald.conf || fail "bind journald.conf"

    # The manager logs to /dev/kmsg: here a FIFO drained into DIR/systemd.log. /dev/console is
    # /dev/null, so nothing reaches the machine's console or kernel log.
    mkfifo -m 0600 /run/systemd/test/kmsg && chown "$S_UID:$S_GID" /run/systemd/test/kmsg || fail "mkfifo"
    (exec cat </run/systemd/test/kmsg >>"$dir/systemd.log") &
    LOGGER=$!
    exec 4>/run/systemd/test/kmsg
    mount --bind /run/systemd/test/kmsg /dev/kmsg || fail "bind /dev/kmsg"
    mount --bind /dev/null /dev/console || fail "bind /dev/console"

    (exec /lib/systemd/systemd-journald) </dev/null >>"$dir/journald.log" 2>&1 4>&- &
    JOURNALD=$!
    for ((i = 0; i < 1500; i++)); do
        [ -S /run/systemd/journal/socket ] && break
        kill -0 "$JOURNALD" 2>/dev/null || fail "systemd-journald exited during startup"
        sleep 0.02
    done
    [ -S /run/systemd/journal/socket ] || fail "systemd-journald did not come up"
    # Move to /var/log/journal, where journald keeps a journal per user (SplitMode=uid) that
    # the user may read, as on a desktop.
    timeout 10 journalctl --flush || fail "journalctl --flush failed"

    US=$C/user.slice/user-$S_UID.slice
    mkdir -p "$US/user@$S_UID.service" "$US/session-test.scope" || fail "cgroup mkdir"
    # systemd-run --scope moves the caller out of session-test.scope: the user needs write
    # access at the common ancestor, user-UID.slice.
    chown -R "$S_UID:$S_GID" "$US" || fail "chown cgroups"
    (
        echo $BASHPID >"$US/user@$S_UID.service/cgroup.procs" || exit 1
        exec setsid setpriv --reuid="$S_UID" --regid="$S_GID" --init-groups env -i PATH="$PATH" HOME="$S_HOME" \
            USER="$S_NAME" LOGNAME="$S_NAME" LANG=C.UTF-8 XDG_RUNTIME_DIR="$RT" \
            SYSTEMD_LOG_TARGET=kmsg SYSTEMD_LOG_LEVEL=info /lib/systemd/systemd --user
    ) </dev/null >>"$dir/manager.log" 2>&1 4>&- &
    MGR=$!
    for ((i = 0; i < 1500; i++)); do
        [ -S "$RT/systemd/private" ] && [ -S "$RT/bus" ] && break
        kill -0 "$MGR" 2>/dev/null || fail "systemd --user exited during startup"
        sleep 0.02
    done
    [ -S "$RT/bus" ] || fail "systemd --user or its session bus did not come up"
    st=$(setpriv --reuid="$S_UID" --regid="$S_GID" --init-groups env XDG_RUNTIME_DIR="$RT" \
        timeout 30 systemctl --user is-system-running --wait 2>&1)
    case $st in running | degraded) ;; *) fail "user manager state: $st" ;; esac
    : >"$dir/ready"

    # Serve until told to stop.
    trap 'STOP=1' TERM INT HUP
    STOP=0
    while [ "$STOP" = 0 ]; do sleep 3600 & wait $! 2>/dev/null; kill $! 2>/dev/null; done
    trap '' TERM INT HUP
    kill -TERM "$MGR" 2>/dev/null    # a user manager stops its units on SIGTERM
    for ((i = 0; i < 500; i++)); do
        st=$(cut -d' ' -f3 "/proc/$MGR/stat" 2>/dev/null) || break
        [ "$st" = Z ] && break
        sleep 0.02
    done
    kill -KILL "$MGR" 2>/dev/null; wait "$MGR" 2>/dev/null
    kill -TERM "$JOURNALD" 2>/dev/null; wait "$JOURNALD" 2>/dev/null
    exec 4>&-
    wait "$LOGGER" 2>/dev/null
    exit 0    # PID 1 leaves: the kernel kills whatever is left in the namespace
}

# ------------------------------------------------------------------ outside
start() {
    local name="" dir=""
    while [ $# -gt 0 ]; do
        case $1 in
            --user) name=$2; shift 2 ;;
            --dir) dir=$2; shift 2 ;;
            *) die "start: unknown argument '$1'" ;;
        esac
    done
    [ -n "$name" ] && [ -d "$dir" ] || die "usage: $PROG start --user NAME --dir DIR"
    [ "$(id -u)" = 0 ] || die "must run as root"
    [ -x /lib/systemd/systemd ] && [ -x /lib/systemd/systemd-journald ] || die "systemd is not installed"
    local pw; pw=$(getent passwd "$name") || die "no user '$name'"
    IFS=: read -r _ _ S_UID S_GID _ _ _ <<<"$pw"
    S_NAME=$name S_HOME=$dir/home
    install -d -m 0700 -o "$S_UID" -g "$S_GID" "$S_HOME"

    local cg2 parent
    cg2=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
    [ -n "$cg2" ] || die "no cgroup2 hierarchy mounted"
    parent=$(sed -n 's/^0:://p' /proc/self/cgroup)
    parent=$cg2${parent%/}
    # Sweep what SIGKILLed runs left: empty cgroups of dead sessions.
    for d in "$parent"/bgxfer-session.*; do
        [ -d "$d" ] && ! kill -0 "${d##*.}" 2>/dev/null && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    CG=$parent/bgxfer-session.$$
    mkdir "$CG" || die "cannot create cgroup $CG"
    S_CG_INO=$(stat -c %i "$CG")
    printf 'S_UID=%s\nS_GID=%s\nS_NAME=%s\nS_HOME=%s\nCG=%s\n' "$S_UID" "$S_GID" "$S_NAME" "$S_HOME" "$CG" >"$dir/session.env"

    UPID="" WATCH=""
    cleanup() {
        trap '' TERM INT HUP
        [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null
        if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
            local p i
            for p in $(cat "/proc/$UPID/task/$UPID/children" 2>/dev/null); do kill -TERM "$p"; done
            for ((i = 0; i < 750; i++)); do kill -0 "$UPID" 2>/dev/null || break; sleep 0.02; done
        fi
        [ -w "$CG/cgroup.kill" ] && echo 1 >"$CG/cgroup.kill" 2>/dev/null
        wait 2>/dev/null
        for ((i = 0; i < 100; i++)); do
            find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
            [ -d "$CG" ] || break
            sleep 0.02
        done
        [ -d "$CG" ] && echo "$PROG: could not remove $CG" >&2
    }
    trap cleanup EXIT
    trap 'exit 0' TERM INT HUP

    export WUM=inner S_UID S_GID S_NAME S_HOME S_CG_INO
    (
        echo $BASHPID >"$CG/cgroup.procs" || exit 125
        [ "$(sed -n 's/^0:://p' /proc/self/cgroup)" = "${CG#"$cg2"}" ] || exit 125    # never unshare elsewhere
        exec setpriv --pdeathsig KILL -- unshare --mount --pid --cgroup --uts --ipc --fork \
            --kill-child=SIGKILL --mount-proc --propagation private -- "$0" inner "$dir"
    ) </dev/null &
    UPID=$!
    echo "$UPID" >"$dir/unshare.pid"
    # The test holds our stdin open: EOF (the test ended, or died) means stop.
    (cat >/dev/null; kill -TERM $$) <&0 &
    WATCH=$!
    local rc
    wait "$UPID"; rc=$?
    [ -e "$dir/ready" ] || rc=125
    exit "$rc"
}

enter() {
    local dir="" root=0 cwd=/ env=()
    while [ $# -gt 0 ]; do
        case $1 in
            --dir) dir=$2; shift 2 ;;
            --root) root=1; shift ;;
            --cwd) cwd=$2; shift 2 ;;
            --env) env+=("$2"); shift 2 ;;
            --) shift; break ;;
            *) die "enter: unknown argument '$1'" ;;
        esac
    done
    [ $# -gt 0 ] && [ -e "$dir/ready" ] || die "usage: $PROG enter --dir DIR (of a ready session) -- CMD ARGS..."
    # shellcheck disable=SC1091
    . "$dir/session.env"
    local init
    local upid; upid=$(cat "$dir/unshare.pid")
    init=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null)
    init=${init%% *}
    [ -n "$init" ] || die "the session is gone"
    echo $$ >"$CG/user.slice/user-$S_UID.slice/session-test.scope/cgroup.procs" || die "cannot join the session's cgroup"
    local rt=/run/user/$S_UID drop=()
    local base=(PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 XDG_RUNTIME_DIR="$rt"
        DBUS_SESSION_BUS_ADDRESS="unix:path=$rt/bus")
    if [ "$root" = 1 ]; then
        base+=(HOME=/root USER=root LOGNAME=root)
    else
        drop=(setpriv --reuid="$S_UID" --regid="$S_GID" --init-groups)
        base+=(HOME="$S_HOME" USER="$S_NAME" LOGNAME="$S_NAME")
    fi
    # --pdeathsig (set after dropping privileges, which would clear it): CMD dies with
    # nsenter, so killing this command stops what runs inside too.
    exec nsenter --target "$init" --mount --pid --cgroup --uts --ipc --wd="$cwd" -- \
        "${drop[@]}" setpriv --pdeathsig KILL -- env -i "${base[@]}" "${env[@]}" "$@"
}

case ${1:-} in
    inner) [ "${WUM:-}" = inner ] || die "inner is internal"; shift; inner "$@" ;;
    start) shift; start "$@" ;;
    enter) shift; enter "$@" ;;
    *) die "usage: $PROG start --user NAME --dir DIR | enter --dir DIR [--root] [--cwd PATH] [--env N=V]... -- CMD..." ;;
esac
