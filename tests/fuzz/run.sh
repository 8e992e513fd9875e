#!/bin/sh
# Runs each fuzz target for SECONDS, seeded by the corpus, and says how many
# inputs it ran; a crash fails the run and leaves the input in FUZZ_OUT.
# Usage: run.sh FUZZ_BUILD TOOLS_BUILD SECONDS [TARGET...]
fbuild=$1
tbuild=$2
seconds=$3
shift 3
targets=${*:-session ddp intake}
here=$(cd "$(dirname "$0")" && pwd)
out=${FUZZ_OUT:-$fbuild/fuzz-out}
mkdir -p "$out" || exit 1
LATHE=${LATHE:-./lathe} sh "$here/seeds.sh" "$tbuild/tests" "$out/seeds" || { echo "fuzz: seeds failed"; exit 1; }
failed=0
passed=0
for t in $targets; do
    corpus="$out/corpus-$t"
    mkdir -p "$corpus"
    log="$out/fuzz_$t.log"
    echo "== fuzz_$t: $seconds s"
    # -close_fd_mask=3: the commands' own output is not the fuzzer's
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$here/lsan.supp" "$fbuild/fuzz/fuzz_$t" "$corpus" "$out/seeds/$t" \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
        -close_fd_mask=3 -artifact_prefix="$out/crash-$t-" >"$log" 2>&1
    status=$?
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1)
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        echo "  ok   fuzz_$t: ${runs:-no summary}, $(ls "$corpus" | wc -l) inputs in the corpus"
    else
        failed=$((failed + 1))
        echo "  FAIL fuzz_$t: exit $status; see $log"
        grep -m 5 'ERROR\|SUMMARY\|Test unit written' "$log" | sed 's/^/       /'
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
