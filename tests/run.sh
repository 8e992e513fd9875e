#!/bin/sh
# Runs every unit test binary and every end-to-end script, adds up their
# "N passed, N failed" lines and closes with the total, which CI reads.
# Usage: run.sh BUILD_DIR LATHE_BINARY
build=$1
lathe=$2
export LATHE="$(cd "$(dirname "$lathe")" && pwd)/$(basename "$lathe")"
export LATHE_BUILD="$(cd "$build" && pwd)"
export LATHE_TESTS="$(cd "$(dirname "$0")" && pwd)"
total_pass=0
total_fail=0
crashed=""
for t in "$build"/tests/test_* tests/e2e_*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.d|*.o) continue ;; esac
    name=$(basename "$t")
    echo "== $name"
    out=$(mktemp)
    case "$t" in
        *.sh) sh "$t" >"$out" 2>&1 ;;
        *) "$t" >"$out" 2>&1 ;;
    esac
    status=$?
    cat "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "  FAIL $name ended without a summary (exit $status)"
        crashed="$crashed $name"
        total_fail=$((total_fail + 1))
        continue
    fi
    p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "  FAIL $name exited $status"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done
[ -n "$crashed" ] && echo "no summary from:$crashed"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
