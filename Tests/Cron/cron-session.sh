#!/bin/bash
# cron-session.sh: Debian's real cron daemon, with one crontab only, for bgxfer's integration tests.
#
#   cron-session.sh start --user NAME --crontab FILE --dir DIR
#       As root. Starts, in a mount namespace of its own, `cron -f -L 15` with FILE as NAME's
#       crontab and no other crontab at all, and writes DIR/ready once cron has taken its pid
#       file. Cron's syslog lines (one when each job starts, one when it ends, with its PID) go
#       to DIR/cron.log. Runs until its stdin reaches EOF or it gets SIGTERM, then stops cron
#       and the log sink. Exit 0 after a clean stop; 125 when setup failed (reason on stderr).
#
# Nothing is seen or changed outside. In the namespace (mount propagation private):
#   /var/spool/cron/crontabs  a tmpfs (root:crontab 1730, as the package makes it) holding only
#                             NAME's crontab: owned by NAME, group crontab, mode 0600, as
#                             crontab(1) leaves it. Cron skips (and logs) a crontab of another
#                             mode ("INSECURE MODE (mode 0600 expected)") or owned by neither
#                             NAME nor root ("WRONG FILE OWNER"), and one whose last line has
#                             no newline.
#   /etc/crontab              an empty root-owned file (cron wants it root's and not writable
#                             by group or others), so the system crontab runs nothing;
#   /etc/cron.d               an empty tmpfs;
#   /run                      a tmpfs with the host's entries bound back into it, all but
#                             crond.pid (cron's lock and pid file, /var/run/crond.pid) and
#                             crond.reboot (its marker that @reboot jobs ran): a cron running
#                             on the host keeps its own, and ours does not fight it for them;
#   /dev                      likewise, without `log`: there a small sink (python3) takes
#                             cron's syslog datagrams and appends them to DIR/cron.log;
#   /usr/sbin/sendmail        where the machine has one, a script appending to DIR/mail: cron
#                             mails a job's output, and no mail leaves the test (without an MTA
#                             cron discards it and logs so).
# Jobs run in this namespace too (and so do the processes they leave, such as a detached
# bgxfer worker); the namespace and its mounts vanish with the last of them. Cron and the sink
# die with this script even when it is killed (parent-death signals); the jobs they started are
# left to finish on their own, as after any cron stop.
set -euo pipefail
shopt -s nullglob dotglob
PROG=${0##*/}
die() { echo "$PROG: $*" >&2; exit 125; }

# ------------------------------------------------------------------ inside the namespace
# mirror DIR NAME...: DIR becomes a tmpfs with the same entries as before, bound from the
# originals (directories recursively, with what is mounted below them), symbolic links copied,
# less the entries NAME...; the originals are not touched.
mirror() {
    local d=$1 stash=$NS/stash$1 e name skip
    shift
    mkdir -p "$stash" && mount --rbind "$d" "$stash" || fail "cannot bind $d"
    mount -t tmpfs -o "mode=$(stat -c %a "$d"),size=16m" tmpfs "$d" || fail "tmpfs $d"
    chown "$(stat -c %u:%g "$stash")" "$d" || fail "chown $d"
    for e in "$stash"/*; do
        name=${e##*/}
        for skip in "$@"; do [ "$name" = "$skip" ] && continue 2; done
        # Made meanwhile by the mounts above (libmount's /run/mount): this namespace's own.
        [ -e "$d/$name" ] && continue
        if [ -L "$e" ]; then
            ln -s "$(readlink "$e")" "$d/$name" || fail "cannot link $d/$name"
        elif [ -d "$e" ]; then
            mkdir "$d/$name" && mount --rbind "$e" "$d/$name" || fail "cannot bind $d/$name"
        else
            : >"$d/$name" && mount --bind "$e" "$d/$name" || fail "cannot bind $d/$name"
        fi
    done
}

inner() {
    local dir=$1 crontab=$2 spool=/var/spool/cron/crontabs CRON="" SINK="" i
    fail() {
        echo "$PROG: $*" >&2
        if [ -n "$CRON" ]; then kill -KILL "$CRON" 2>/dev/null || true; fi
        if [ -n "$SINK" ]; then kill -KILL "$SINK" 2>/dev/null || true; fi
        exit 125
    }
    trap 'fail "stopped during setup"' TERM INT HUP
    NS=$dir/ns
    mkdir -p "$NS" && mount -t tmpfs -o mode=0700,size=16m tmpfs "$NS" || fail "tmpfs $NS"

    mount -t tmpfs -o mode=1730,size=1m tmpfs "$spool" && chgrp crontab "$spool" || fail "tmpfs $spool"
    install -m 0600 -o "$C_UID" -g crontab "$crontab" "$spool/$C_NAME" || fail "cannot install the crontab"
    : >"$NS/crontab" && chmod 0644 "$NS/crontab" && mount --bind "$NS/crontab" /etc/crontab || fail "bind /etc/crontab"
    if [ -d /etc/cron.d ]; then mount -t tmpfs -o mode=0755,size=1m tmpfs /etc/cron.d || fail "tmpfs /etc/cron.d"; fi
    # Where the machine has an MTA, cron mails a job's output: here it goes to DIR/mail instead.
    if [ -e /usr/sbin/sendmail ]; then
        : >>"$dir/mail" && chmod 0666 "$dir/mail" || fail "cannot make $dir/mail"
        printf '#!/bin/sh\ncat >>%q\n' "$dir/mail" >"$NS/sendmail" && chmod 0755 "$NS/sendmail" &&
            mount --bind "$NS/sendmail" /usr/sbin/sendmail || fail "bind /usr/sbin/sendmail"
    fi
    mirror /run crond.pid crond.reboot
    mirror /dev log

    # The syslog sink: one line per datagram, without the <priority> prefix.
    (exec setpriv --pdeathsig KILL -- python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as log:
    while True:
        m = s.recv(65536).rstrip(b"\n\0")
        if m.startswith(b"<") and b">" in m[:5]:
            m = m.split(b">", 1)[1]
        log.write(m + b"\n")
' "$dir/cron.log") </dev/null 2>>"$dir/sink.log" &
    SINK=$!
    for ((i = 0; i < 500; i++)); do
        [ -S /dev/log ] && break
        kill -0 "$SINK" 2>/dev/null || fail "the syslog sink exited: $(cat "$dir/sink.log")"
        sleep 0.02
    done
    [ -S /dev/log ] || fail "the syslog sink did not come up"

    # -L 15: log each job's start, end, failure and PID.
    (exec setpriv --pdeathsig TERM -- /usr/sbin/cron -f -L 15) </dev/null >>"$dir/cron.out" 2>&1 &
    CRON=$!
    for ((i = 0; i < 500; i++)); do
        [ "$(cat /run/crond.pid 2>/dev/null)" = "$CRON" ] && break
        kill -0 "$CRON" 2>/dev/null || fail "cron exited during startup: $(cat "$dir/cron.out")"
        sleep 0.02
    done
    [ "$(cat /run/crond.pid 2>/dev/null)" = "$CRON" ] || fail "cron did not write its pid file"
    echo "$CRON" >"$dir/cron.pid"
    : >"$dir/ready"

    # Serve until told to stop.
    trap 'STOP=1' TERM INT HUP
    STOP=0
    while [ "$STOP" = 0 ]; do
        sleep 60 &
        wait $! 2>/dev/null || true
        kill $! 2>/dev/null || true
        kill -0 "$CRON" 2>/dev/null || { echo "$PROG: cron exited: $(cat "$dir/cron.out")" >&2; STOP=2; }
    done
    trap '' TERM INT HUP
    kill -TERM "$CRON" 2>/dev/null || true
    wait "$CRON" 2>/dev/null || true
    kill -TERM "$SINK" 2>/dev/null || true
    wait "$SINK" 2>/dev/null || true
    [ "$STOP" = 1 ] || exit 125
    exit 0
}

# ------------------------------------------------------------------ outside
start() {
    local name="" crontab="" dir=""
    while [ $# -gt 0 ]; do
        case $1 in
            --user) name=$2; shift 2 ;;
            --crontab) crontab=$2; shift 2 ;;
            --dir) dir=$2; shift 2 ;;
            *) die "start: unknown argument '$1'" ;;
        esac
    done
    [ -n "$name" ] && [ -f "$crontab" ] && [ -d "$dir" ] || die "usage: $PROG start --user NAME --crontab FILE --dir DIR"
    [ "$(id -u)" = 0 ] || die "must run as root"
    [ -x /usr/sbin/cron ] && [ -d /var/spool/cron/crontabs ] || die "cron is not installed (apt-get install cron)"
    getent group crontab >/dev/null || die "no group crontab (is Debian's cron installed?)"
    command -v python3 >/dev/null || die "python3 is not installed"
    local pw; pw=$(getent passwd "$name") || die "no user '$name'"
    IFS=: read -r _ _ C_UID _ _ _ _ <<<"$pw"
    C_NAME=$name
    # Cron ignores a crontab whose last line has no newline.
    [ -z "$(tail -c1 "$crontab")" ] || die "$crontab does not end with a newline"

    UPID="" WATCH=""
    cleanup() {
        trap '' TERM INT HUP
        local i
        if [ -n "$WATCH" ]; then kill "$WATCH" 2>/dev/null || true; fi
        if [ -n "$UPID" ] && kill -0 "$UPID" 2>/dev/null; then
            kill -TERM "$UPID" 2>/dev/null || true
            for ((i = 0; i < 500; i++)); do kill -0 "$UPID" 2>/dev/null || break; sleep 0.02; done
            kill -KILL "$UPID" 2>/dev/null || true
        fi
        wait 2>/dev/null || true
    }
    trap cleanup EXIT
    trap 'exit 0' TERM INT HUP

    export CSS=inner C_UID C_NAME
    (exec setpriv --pdeathsig KILL -- unshare --mount --propagation private -- "$0" inner "$dir" "$crontab") </dev/null &
    UPID=$!
    # The test holds our stdin open: EOF (the test ended, or died) means stop.
    (cat >/dev/null; kill -TERM $$) <&0 &
    WATCH=$!
    local rc=0
    wait "$UPID" || rc=$?
    [ -e "$dir/ready" ] || rc=125
    exit "$rc"
}

case ${1:-} in
    inner) [ "${CSS:-}" = inner ] || die "inner is internal"; shift; inner "$@" ;;
    start) shift; start "$@" ;;
    *) die "usage: $PROG start --user NAME --crontab FILE --dir DIR" ;;
esac
