#!/usr/bin/env bash
# Times `bgxfer wake` (release build) when nothing is due: what the timer or cron runs every 15
# minutes, and what must cost next to nothing (issue 7: well under 100 ms). The store holds a
# few refresh tasks that are not due and some ended tasks, as a user's would; nothing listens,
# so nothing could be fetched. Prints hyperfine's statistics, the median, and the target.
#
#   Benchmarks/wake.sh            # 50 runs
#   BENCH_RUNS=200 Benchmarks/wake.sh
set -euo pipefail

runs=${BENCH_RUNS:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
bgxfer=${BGXFER:-$here/.build/release/bgxfer}
for tool in hyperfine python3 "$bgxfer"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see .ci/install-deps; 'make' builds bgxfer)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bgxfer-wake.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME=$work/state XDG_RUNTIME_DIR=$work/run HOME=$work/home
mkdir -p "$XDG_RUNTIME_DIR" "$HOME" "$work/out" && chmod 700 "$XDG_RUNTIME_DIR"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Refresh tasks added an hour "from now": their first runs (which fail at once: nothing
# listens) leave them due only later. Then wait for those runs' worker to leave.
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3 4 5; do
    BGXFER_NOW=$future "$bgxfer" refresh add "http://127.0.0.1:$port/feed$i.xml" -o "$work/out/feed$i.xml" --every 1h >/dev/null
done
ids=$("$bgxfer" list --json | python3 -c 'import json, sys; print(" ".join(t["id"] for t in json.load(sys.stdin)))')
# shellcheck disable=SC2086
"$bgxfer" wait $ids >/dev/null 2>&1 || true
while pgrep -f "$bgxfer __worker" >/dev/null; do sleep 0.1; done

hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/wake.json" "$bgxfer wake"
median_ms=$(python3 -c 'import json, sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/wake.json")
if pgrep -f "$bgxfer __worker" >/dev/null; then echo "a worker was started although nothing was due" >&2; exit 1; fi
echo "bgxfer wake with nothing due: median ${median_ms} ms (target: under 100 ms)"
awk "BEGIN { exit !($median_ms < 100) }" || { echo "target missed" >&2; exit 1; }
