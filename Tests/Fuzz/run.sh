#!/usr/bin/env bash
# Runs bgxfer's libFuzzer targets (Tests/Fuzz, built by 'make fuzz' into .build-fuzz), each for
# SECONDS, from the committed corpus (Tests/Fuzz/Corpus/TARGET; new inputs go to a scratch
# directory, or with FUZZ_MERGE=1 are merged, minimised, into the corpus). Prints a line per
# target: executions, corpus size and the result. Exits 1 when a target crashed or broke one
# of its properties; the input that did is kept in .build-fuzz/artifacts/.
#
#   Tests/Fuzz/run.sh SECONDS TARGET...
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=$1
shift
bin=.build-fuzz/debug
artifacts=.build-fuzz/artifacts
mkdir -p "$artifacts"
failed=0
for target in "$@"; do
    corpus=Tests/Fuzz/Corpus/$target
    work=$(mktemp -d)
    log=$artifacts/$target.log
    # libFuzzer reports crashes itself: Swift's backtracer would only slow it down.
    SWIFT_BACKTRACE=enable=no "$bin/fuzz-$target" "$work" "$corpus" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status; see $log)"
        failed=1
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
        SWIFT_BACKTRACE=enable=no "$bin/fuzz-$target" -merge=1 "$corpus" "$work" >>"$log" 2>&1
    fi
    printf '%-20s %10s executions in %ss, corpus %s files: %s\n' "$target" "${runs:-?}" "$seconds" \
        "$(find "$corpus" -type f | wc -l)" "$result"
    rm -rf "$work"
done
exit $failed
