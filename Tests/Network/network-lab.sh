#!/bin/bash
# network-lab.sh: two network namespaces joined by a veth, for bgxfer's integration tests.
#
#   network-lab.sh start --id ID --net A.B.C --dir DIR [--network-manager BUS]
#       As root. Makes the namespaces bgx-ID-c (the client, where bgxfer runs) and bgx-ID-s
#       (the server), joined by the veth pair bgxIDc / bgxIDs, and serves DIR/www from nginx in
#       the server namespace at http://A.B.C.1:8080/ (with DIR/ranges.log: a line per request
#       with its Range and If-Range). The client's only way out is that veth:
#         - without --network-manager: A.B.C.2/24 and a default route via A.B.C.1;
#         - with it: a real NetworkManager runs in the client namespace on the D-Bus system bus
#           at BUS (unix:path=…), manages only bgxIDc, and brings up the connection "lab"
#           (A.B.C.2/24, gateway A.B.C.1, connectivity checked at the server).
#       The client's /etc/resolv.conf (/etc/netns/bgx-ID-c/) names A.B.C.1, where no DNS server
#       listens: a name lookup fails at once and no query leaves the lab.
#       Writes DIR/ready when all is up, then runs until its stdin reaches EOF or it gets
#       SIGTERM, and removes everything it made. Exit 0 after a clean stop; 125 when setup
#       failed (reason on stderr).
#
# Traffic stays inside the two namespaces. NetworkManager runs in a mount namespace of its own
# (ip netns exec gives one) with /run a tmpfs, /sys read-only (so it does not wait for udev,
# which does not run here) and its state under DIR/nm.
set -euo pipefail
PROG=${0##*/}
die() { echo "$PROG: $*" >&2; exit 125; }

ID="" NET="" DIR="" BUS=""
[ "${1:-}" = start ] || die "usage: $PROG start --id ID --net A.B.C --dir DIR [--network-manager BUS]"
shift
while [ $# -gt 0 ]; do
    case $1 in
        --id) ID=$2; shift 2 ;;
        --net) NET=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        --network-manager) BUS=$2; shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
[[ $ID =~ ^[a-z0-9]{1,8}$ ]] || die "--id must be 1 to 8 lowercase letters or digits"
[[ $NET =~ ^10\.[0-9]+\.[0-9]+$ ]] || die "--net must be 10.B.C"
[ -d "$DIR" ] || die "no directory $DIR"
[ "$(id -u)" = 0 ] || die "must run as root"

CLIENT=bgx-$ID-c SERVER=bgx-$ID-s CLINK=bgx${ID}c SLINK=bgx${ID}s
NGINX="" NM=""

teardown() {
    set +e
    [ -n "$NM" ] && kill -TERM "$NM" 2>/dev/null && wait "$NM" 2>/dev/null
    [ -n "$NGINX" ] && kill -TERM "$NGINX" 2>/dev/null && wait "$NGINX" 2>/dev/null
    ip netns del "$CLIENT" 2>/dev/null
    ip netns del "$SERVER" 2>/dev/null
    rm -rf "/etc/netns/$CLIENT"
}
fail() { echo "$PROG: $*" >&2; teardown; exit 125; }
trap 'fail "stopped during setup"' TERM INT HUP

ip netns add "$CLIENT" || fail "cannot make namespace $CLIENT"
ip netns add "$SERVER" || fail "cannot make namespace $SERVER"
ip link add "$CLINK" netns "$CLIENT" type veth peer name "$SLINK" netns "$SERVER" || fail "cannot make the veth pair"
ip -n "$SERVER" addr add "$NET.1/24" dev "$SLINK"
ip -n "$SERVER" link set lo up
ip -n "$SERVER" link set "$SLINK" up
ip -n "$CLIENT" link set lo up
mkdir -p "/etc/netns/$CLIENT"
echo "nameserver $NET.1" >"/etc/netns/$CLIENT/resolv.conf"

mkdir -p "$DIR/www" "$DIR/nginx/tmp" "$DIR/nm/conns" "$DIR/nm/lib" "$DIR/nm/conf.d" "$DIR/nm/sysconf.d"
echo "NetworkManager is online" >"$DIR/www/nm-check.txt"
cat >"$DIR/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 256; }
http {
    log_format ranges '\$request_method \$uri \$status "\$http_range" "\$http_if_range" \$body_bytes_sent';
    access_log $DIR/ranges.log ranges;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    default_type application/octet-stream;
    server { listen $NET.1:8080; root $DIR/www; }
}
EOF
ip netns exec "$SERVER" /usr/sbin/nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" \
    >"$DIR/nginx/stderr.log" 2>&1 &
NGINX=$!
for _ in $(seq 100); do
    ip netns exec "$SERVER" /usr/bin/curl -s -o /dev/null "http://$NET.1:8080/nm-check.txt" && break
    kill -0 "$NGINX" 2>/dev/null || fail "nginx did not start: $(tail -3 "$DIR/nginx/error.log")"
    sleep 0.05
done

if [ -z "$BUS" ]; then
    ip -n "$CLIENT" addr add "$NET.2/24" dev "$CLINK"
    ip -n "$CLIENT" link set "$CLINK" up
    ip -n "$CLIENT" route add default via "$NET.1" || fail "cannot add the default route"
else
    cat >"$DIR/nm/NetworkManager.conf" <<EOF
[main]
plugins=keyfile
no-auto-default=*
dns=none
rc-manager=unmanaged
auth-polkit=false
dhcp=internal

[keyfile]
path=$DIR/nm/conns
unmanaged-devices=except:interface-name:$CLINK

[connectivity]
uri=http://$NET.1:8080/nm-check.txt
response=NetworkManager is online
interval=5

[logging]
level=INFO
EOF
    export DBUS_SYSTEM_BUS_ADDRESS=$BUS
    # In ip netns exec's own mount namespace: nothing mounted here is seen outside. --debug
    # keeps it in the foreground, logging to DIR/nm/NetworkManager.log (not to syslog).
    ip netns exec "$CLIENT" /bin/sh -c '
        set -e
        mount -t tmpfs nmrun /run
        mount -o remount,bind,ro /sys
        mkdir -p /run/NetworkManager
        mount --bind "$0/nm/lib" /var/lib/NetworkManager
        exec /usr/sbin/NetworkManager --no-daemon --debug --config="$0/nm/NetworkManager.conf" \
            --config-dir="$0/nm/conf.d" --system-config-dir="$0/nm/sysconf.d" \
            --intern-config="$0/nm/lib/NetworkManager-intern.conf" --state-file="$0/nm/lib/NetworkManager.state" \
            --pid-file="$0/nm/NetworkManager.pid"' "$DIR" >"$DIR/nm/NetworkManager.log" 2>&1 &
    NM=$!
    property() {
        busctl --address="$BUS" get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager \
            org.freedesktop.NetworkManager "$1" 2>/dev/null || true
    }
    for _ in $(seq 200); do
        [ -n "$(property Version)" ] && break
        kill -0 "$NM" 2>/dev/null || fail "NetworkManager did not start: $(tail -5 "$DIR/nm/NetworkManager.log")"
        sleep 0.05
    done
    [ -n "$(property Version)" ] || fail "NetworkManager is not on the bus after 10 s"
    for _ in $(seq 200); do
        nmcli -t -f DEVICE,STATE device 2>/dev/null | grep -q "^$CLINK:" && break
        sleep 0.05
    done
    nmcli connection add type ethernet ifname "$CLINK" con-name lab ip4 "$NET.2/24" gw4 "$NET.1" \
        ipv6.method disabled >"$DIR/nm/nmcli.log" 2>&1 || fail "nmcli connection add: $(cat "$DIR/nm/nmcli.log")"
    nmcli connection up lab >>"$DIR/nm/nmcli.log" 2>&1 || fail "nmcli connection up: $(cat "$DIR/nm/nmcli.log")"
    for _ in $(seq 300); do
        [ "$(property State)" = "u 70" ] && [ "$(property Connectivity)" = "u 4" ] && break
        sleep 0.05
    done
    [ "$(property State)" = "u 70" ] || fail "NetworkManager is not connected: $(property State) $(property Connectivity)"
fi

trap 'teardown; exit 0' TERM INT HUP
touch "$DIR/ready"
cat >/dev/null || true
teardown
