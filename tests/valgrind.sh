#!/bin/sh
# Runs end-to-end scripts with every lathe they start under valgrind
# (memcheck: no errors, no definite leaks). Each lathe writes its own log;
# any error in any log fails the run. Closes with "N passed, N failed".
# Usage: valgrind.sh BUILD_DIR LATHE_BINARY TEST...   (TEST: e2e_check ...)
build=$1
lathe=$2
shift 2
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed (make deps)"; echo "0 passed, 1 failed"; exit 1; }
export LATHE_BUILD="$(cd "$build" && pwd)"
export LATHE_TESTS="$(cd "$(dirname "$0")" && pwd)"
real="$(cd "$(dirname "$lathe")" && pwd)/$(basename "$lathe")"
logs=$(mktemp -d "${TMPDIR:-/tmp}/lathe-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
cat > "$logs/lathe" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
    --show-leak-kinds=definite --suppressions="$LATHE_TESTS/valgrind.supp" \\
    --log-file="$logs/vg.%p.log" "$real" "\$@"
WRAP
chmod +x "$logs/lathe"
export LATHE="$logs/lathe"
# lathe's runs take longer under valgrind
export HOSTILE_TIMEOUT=600
total_pass=0
total_fail=0
for t in "$@"; do
    echo "== $t (valgrind)"
    out=$(mktemp)
    sh "$LATHE_TESTS/$t.sh" >"$out" 2>&1
    status=$?
    cat "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "  FAIL $t ended without a summary (exit $status)"
        total_fail=$((total_fail + 1))
        continue
    fi
    p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done
runs=$(ls "$logs" | grep -c '^vg\.')
bad=0
for l in "$logs"/vg.*.log; do
    [ -s "$l" ] || continue
    bad=$((bad + 1))
    echo "  FAIL valgrind: $(basename "$l")"
    head -n 40 "$l" | sed 's/^/       /'
done
if [ "$bad" -eq 0 ]; then
    echo "  ok   valgrind: $runs lathe runs, no errors, no definite leaks"
    total_pass=$((total_pass + 1))
else
    total_fail=$((total_fail + bad))
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
