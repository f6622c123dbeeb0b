#!/usr/bin/env bash
# Times a 1 GiB download from loopback nginx with bgxfer (release build) against curl, wget and
# aria2c, interleaved, with `rm` + `sync` before every run, and prints medians of wall time and
# CPU time, peak RSS, and each tool's wall time as a ratio to curl's, measured in this run.
#
#   Benchmarks/download.sh                 # 5 rounds
#   BENCH_RUNS=9 BENCH_SIZE_MIB=2048 Benchmarks/download.sh
#   BGXFER_VARIANTS="full=/tmp/a none=/tmp/b" Benchmarks/download.sh
#                                          # other bgxfer builds too, as bgxfer-full and bgxfer-none,
#                                          # in the same rounds (e.g. code layouts: worker-order.sh)
#
# bgxfer's figures are the whole `bgxfer download --wait` command for wall time; CPU time and
# peak RSS are the detached worker's (which does the transfer), from the line it logs on exit,
# plus the CLI's CPU time. Targets (issue 2): wall time at most 1.10x curl's, worker peak RSS at
# most 32 MiB. Exits 1 when a target is missed.
set -euo pipefail

runs=${BENCH_RUNS:-5}
size_mib=${BENCH_SIZE_MIB:-1024}
here=$(cd "$(dirname "$0")/.." && pwd)
bgxfer=${BGXFER:-$here/.build/release/bgxfer}
declare -A variant
tools=(curl wget aria2 bgxfer)
for pair in ${BGXFER_VARIANTS:-}; do
    variant[bgxfer-${pair%%=*}]=${pair#*=}
    tools+=("bgxfer-${pair%%=*}")
done
for tool in nginx curl wget aria2c /usr/bin/time "$bgxfer" "${variant[@]}"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (see .ci/install-deps; 'make' builds bgxfer)" >&2; exit 2; }
done

# nginx on a free loopback port, serving one file of random bytes.
source "$here/Benchmarks/loopback-nginx.sh" bench
mkdir -p "$work/out"
head -c "$((size_mib * 1048576))" /dev/urandom > "$work/www/file.bin"
expected_size=$(stat -c %s "$work/www/file.bin")
expected_sum=$(sha256sum "$work/www/file.bin" | cut -d' ' -f1)
url="$base_url/file.bin"
out="$work/out/file.bin"

# Arithmetic on decimals: calc EXPRESSION [FORMAT].
calc() { awk "BEGIN { printf \"${2:-%.3f}\", ($1) }"; }

# One run: "wall user sys rss_kib" on stdout.
measure() { /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>&1; cat "$work/time"; }

# run_bgxfer ROUND BINARY
run_bgxfer() {
    local state="$work/state-$1"
    local line wall cli_user cli_sys rss worker
    line=$(XDG_STATE_HOME=$state measure "$2" download "$url" -o "$out" --wait)
    read -r wall cli_user cli_sys _ <<<"$line"
    # The worker logs its own CPU time and peak RSS as it exits, just after the task completes.
    for _ in $(seq 200); do
        worker=$(grep -h 'worker exiting' "$state/bgxfer/log/"worker-*.log 2>/dev/null | tail -1 || true)
        [ -n "$worker" ] && break
        sleep 0.05
    done
    [ -n "$worker" ] || { echo "bgxfer's worker did not log its exit" >&2; exit 1; }
    rss=$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' <<<"$worker")
    local user sys
    user=$(sed -n 's/.*cpu_user_s=\([0-9.]*\).*/\1/p' <<<"$worker")
    sys=$(sed -n 's/.*cpu_sys_s=\([0-9.]*\).*/\1/p' <<<"$worker")
    echo "$wall $(calc "$user + $cli_user") $(calc "$sys + $cli_sys") $rss"
    rm -rf "$state"
}

run_one() {
    case $1 in
        curl) measure curl -sS -o "$out" "$url" ;;
        wget) measure wget -q -O "$out" "$url" ;;
        aria2) measure aria2c -q -x1 -s1 --file-allocation=none --allow-overwrite=true \
                   -d "$work/out" -o file.bin "$url" ;;
        bgxfer) run_bgxfer "$2" "$bgxfer" ;;
        bgxfer-*) run_bgxfer "$2" "${variant[$1]}" ;;
    esac
}

echo "bgxfer benchmark: ${size_mib} MiB from loopback nginx, $runs rounds, interleaved, rm + sync before each run"
echo "$(nproc) cores; $(curl --version | head -1 | cut -d' ' -f1-2); $(wget --version | head -1 | cut -d' ' -f1-3); $(aria2c --version | head -1)"
for round in $(seq "$runs"); do
    for tool in "${tools[@]}"; do
        rm -f "$out"
        sync
        result=$(run_one "$tool" "$round")
        size=$(stat -c %s "$out" 2>/dev/null || echo 0)
        [ "$size" = "$expected_size" ] || { echo "$tool wrote $size bytes, not $expected_size" >&2; exit 1; }
        if [[ $tool == bgxfer* ]] && [ "$round" = 1 ]; then
            [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$expected_sum" ] || { echo "bgxfer's file differs" >&2; exit 1; }
        fi
        echo "$tool $result" >> "$work/results"
        printf '  round %d %-7s %s\n' "$round" "$tool" "$result"
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$work/results"; }

curl_wall=$(column_of curl 2 | median)
printf '\n%-12s %10s %14s %13s %21s %10s\n' tool "wall (s)" "user+sys (s)" "peak RSS" "RSS median (min-max)" "vs curl"
status=0
for tool in "${tools[@]}"; do
    wall=$(column_of "$tool" 2 | median)
    cpu=$(awk -v t="$tool" '$1 == t { print $3 + $4 }' "$work/results" | median)
    rss_kib=$(column_of "$tool" 5 | sort -n | tail -1)
    rss_median=$(column_of "$tool" 5 | median)
    rss_least=$(column_of "$tool" 5 | sort -n | head -1)
    spread=$(printf '%.1f (%.1f-%.1f)' "$(calc "$rss_median / 1024")" "$(calc "$rss_least / 1024")" "$(calc "$rss_kib / 1024")")
    ratio=$(calc "$wall / $curl_wall" %.2f)
    printf '%-12s %10s %14s %9.1f MiB %21s %9sx\n' "$tool" "$wall" "$cpu" "$(calc "$rss_kib / 1024")" "$spread" "$ratio"
    if [ "$tool" = bgxfer ]; then
        if [ "$(calc "$ratio > 1.10" %d)" = 1 ]; then echo "  target missed: wall time ${ratio}x curl's (at most 1.10x)"; status=1; fi
        if [ "$rss_kib" -gt $((32 * 1024)) ]; then echo "  target missed: worker peak RSS over 32 MiB"; status=1; fi
    fi
done
echo "(medians over $runs rounds; peak RSS is the largest seen; bgxfer's CPU and RSS are its worker's)"
exit $status
