# Shared helpers for the end-to-end test scripts (sourced, POSIX sh).
# Each script counts its checks and ends with "N passed, N failed".
passed=0
failed=0
LATHE=${LATHE:-./lathe}
LATHE_BUILD=${LATHE_BUILD:-build}
TOOLS="$LATHE_BUILD/tests"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lathe-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; shift; for l in "$@"; do echo "       $l"; done; }

# check NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}

# run_lathe ARGS...: runs lathe, leaves $status, $out and $err
run_lathe() {
    "$LATHE" "$@" >"$WORK/.out" 2>"$WORK/.err"
    status=$?
    out=$(cat "$WORK/.out")
    err=$(cat "$WORK/.err")
}

# sanitized: whether $LATHE is built with AddressSanitizer (`make asan`),
# which runs several times slower and reserves terabytes of address space
sanitized() { ldd "$LATHE" 2>/dev/null | grep -q libasan; }

summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
