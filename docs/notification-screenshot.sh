#!/bin/bash
# Makes docs/notification.png, the README's picture of bgxfer's notifications: a private X
# server (Xvfb), session bus and notification server (dunst), a loopback HTTP server, one
# download that completes and one that fails, and a screenshot of the corner dunst draws in.
#
#   docs/notification-screenshot.sh [OUTPUT.png]      (default: docs/notification.png)
#
# Needs: a built bgxfer (make, or swift build; or BGXFER_BINARY), Xvfb, dbus-daemon, dunst,
# xwd (x11-apps), convert (imagemagick), python3. Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/notification.png}
BIN=${BGXFER_BINARY:-}
for candidate in .build/release/bgxfer .build/debug/bgxfer; do    # the newer of the two builds
    if [ -x "$candidate" ] && { [ -z "$BIN" ] || [ "$candidate" -nt "$BIN" ]; }; then BIN=$PWD/$candidate; fi
done
[ -n "$BIN" ] || { echo "no bgxfer binary: run 'make' or 'swift build' first" >&2; exit 1; }
for tool in Xvfb dbus-daemon dunst xwd convert python3; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (see .ci/install-deps)" >&2; exit 1; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

N=$((200 + RANDOM % 500)); while [ -e "/tmp/.X$N-lock" ]; do N=$((N + 1)); done
Xvfb ":$N" -screen 0 1024x400x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 & PIDS+=($!)
until [ -S "/tmp/.X11-unix/X$N" ]; do sleep 0.05; done
dbus-daemon --session --nofork --nopidfile --address="unix:path=$WORK/bus" >"$WORK/dbus.log" 2>&1 & PIDS+=($!)
until [ -S "$WORK/bus" ]; do sleep 0.05; done
export DISPLAY=":$N" DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/bus"
stdbuf -oL dunst -print >"$WORK/dunst.log" 2>&1 & PIDS+=($!)
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q true; do sleep 0.05; done

mkdir -p "$WORK/www" "$WORK/downloads" "$WORK/run"
head -c $((48 << 20)) /dev/urandom >"$WORK/www/photos-2026.tar"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 & PIDS+=($!)
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT))" 2>/dev/null; do sleep 0.05; done

export XDG_STATE_HOME="$WORK/state" XDG_RUNTIME_DIR="$WORK/run" BGXFER_LAUNCHER=detached
ok=$("$BIN" download "http://127.0.0.1:$PORT/photos-2026.tar" -d "$WORK/downloads" --success-title 'Backup fetched')
bad=$("$BIN" download "http://127.0.0.1:$PORT/accounts-2026.tar" -d "$WORK/downloads" --failure-title 'Backup failed')
"$BIN" wait "$ok" "$bad" >/dev/null || true
for ((i = 0; i < 600; i++)); do [ "$(grep -c '^}' "$WORK/dunst.log")" -ge 2 ] && break; sleep 0.05; done
if [ "$(grep -c '^}' "$WORK/dunst.log")" -lt 2 ]; then
    echo "dunst did not get both notifications:" >&2
    "$BIN" show "$ok" | grep -i notif >&2; "$BIN" show "$bad" | grep -i notif >&2
    exit 1
fi
sleep 0.5    # let dunst draw: nothing tells when the pixels are on screen
mkdir -p "$(dirname "$OUT")"
xwd -root -silent | convert xwd:- -crop 400x300+624+0 +repage -trim +repage -bordercolor black -border 10 "$OUT"
echo "wrote $OUT"
