#!/usr/bin/env bash
# The worker's code layout (issue 2: worker peak RSS at most 32 MiB).
#
#   Benchmarks/worker-order.sh           regenerate Benchmarks/worker.order (needs valgrind)
#   Benchmarks/worker-order.sh --check   say how much of it the release binary still has
#
# The kernel maps a program's code in 64 KiB windows around each page it runs ("fault-around"), so
# a worker that runs 1.2 MiB of code scattered over the 19 MiB of bgxfer's .text keeps ~11 MiB of
# it resident. worker.order lists the functions a download worker runs, in the order it first runs
# them; the release link (Package.swift) hands it to lld's --symbol-ordering-file, which puts
# those functions' sections first and together. It is a layout hint only: a function missing from
# it (new code) or a name no longer in the binary (renamed code) costs memory, never correctness.
#
# It is regenerated from a real run: a release bgxfer downloads a file with a checksum from a
# loopback nginx under valgrind's callgrind, which records every function the worker runs.
# Run it after changing what the worker does, then 'make' (which relinks when the file changed).
#
# The Swift packages bgxfer depends on (GRDB, ArgumentParser, swift-log, swift-crypto) are left
# out: Package.resolved is not committed, so a dependency update would rename their functions
# and leave the file stale unseen. What stays is bgxfer's own code and the toolchain's (Swift
# runtime and standard library, Foundation, Dispatch), which changes only with bgxfer's code or
# the toolchain; 'make' fails when less than 90 % of it is in the release binary. Measured
# (README, "Performance"): bgxfer's own functions alone save nothing, the toolchain's ~4 MiB.
# WORKER_ORDER_ALL=FILE also writes the whole list, the packages' functions included.
set -euo pipefail

# Names that mention a package dependency's module (Swift mangles a module as its length and
# name), and BoringSSL's C functions.
packages='(4GRDB|10GRDBSQLite|14ArgumentParser|23ArgumentParserToolInfo|7Logging|6Crypto|19CryptoBoringWrapper|13_CryptoExtras|CCryptoBoringSSL)'

here=$(cd "$(dirname "$0")/.." && pwd)
order="$here/Benchmarks/worker.order"
bgxfer="$here/.build/release/bgxfer"

if [ "${1:-}" = --check ]; then
    [ -x "$bgxfer" ] || { echo "no $bgxfer: run 'make' first" >&2; exit 2; }
    total=$(grep -c . "$order" || true)
    [ "$total" -gt 0 ] || { echo "worker.order is empty: run 'make worker-order', then make" >&2; exit 1; }
    found=$(comm -12 <(sort -u "$order") <(nm --defined-only "$bgxfer" | awk 'NF == 3 { print $3 }' | sort -u) | wc -l)
    percent=$((found * 100 / total))
    echo "worker.order: $found of its $total functions are in the release binary ($percent%)"
    if [ "$percent" -lt 90 ]; then
        echo "worker.order is stale (under 90% found): run 'make worker-order', then make" >&2
        exit 1
    fi
    exit 0
fi

for tool in valgrind objcopy nginx curl python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
make -C "$here" --no-print-directory build >/dev/null

source "$here/Benchmarks/loopback-nginx.sh" order
mkdir -p "$work/out" "$work/state"
head -c $((32 * 1048576)) /dev/urandom > "$work/www/file.bin"
sum=$(sha256sum "$work/www/file.bin" | cut -d' ' -f1)

# valgrind 3.19 cannot read the DWARF 5 debug information; the symbol table is all it needs.
objcopy --strip-debug "$bgxfer" "$work/bgxfer"
XDG_STATE_HOME="$work/state" BGXFER_LAUNCHER=detached \
    valgrind -q --tool=callgrind --demangle=no --trace-children=yes --callgrind-out-file="$work/callgrind.%p" \
    "$work/bgxfer" download "$base_url/file.bin" -d "$work/out" --checksum "sha256:$sum" --wait >/dev/null
cmp -s "$work/out/file.bin" "$work/www/file.bin" || { echo "the profiled download differs from the served file" >&2; exit 1; }

# 'wait' returns when the task completes; the worker writes its profile as it exits, just after.
profile=
for _ in $(seq 600); do
    profile=$(grep -l '^cmd: .* __worker ' "$work"/callgrind.* 2>/dev/null || true)
    [ -n "$profile" ] && grep -q '^totals:' "$profile" && break
    profile=
    sleep 0.1
done
[ -n "$profile" ] || { echo "the worker's profile was not written" >&2; exit 1; }

# Every function with a cost of its own ("fn=" under an "ob=" that is the bgxfer binary), in order of
# first appearance. callgrind names each object and function once, "(id) name", then by "(id)".
python3 - "$profile" "$work/bgxfer" > "$work/all.order" <<'PY'
import re, sys
profile, binary = sys.argv[1], sys.argv[2]
objects, functions, current, seen = {}, {}, None, set()
entry = re.compile(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$")
for line in open(profile, errors="replace"):
    match = entry.match(line.rstrip("\n"))
    if not match:
        continue
    kind, key, name = match.groups()
    if kind in ("ob", "cob"):
        if name:
            objects[key] = name
        if kind == "ob":
            current = objects.get(key)
    elif kind in ("fn", "cfn"):
        if name:
            functions[key] = name
        # callgrind marks recursion levels and the like with a quote: "name'2".
        name = functions[key].split("'")[0]
        if kind == "fn" and current == binary and name not in seen and not name.startswith("0x"):
            seen.add(name)
            print(name)
PY
grep -vE "$packages" "$work/all.order" > "$order"
if [ -n "${WORKER_ORDER_ALL:-}" ]; then cp "$work/all.order" "$WORKER_ORDER_ALL"; fi
echo "wrote $(grep -c . "$order") of the worker's $(grep -c . "$work/all.order") functions (none of a package's) to ${order#"$here"/}"
