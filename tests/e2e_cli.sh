#!/bin/sh
# End-to-end tests of the command line's frame: help, version, usage errors.
. "$LATHE_TESTS/lib.sh"
run_lathe --version
check_eq "--version" "0 lathe 0.1.0" "$status $out"
run_lathe --help
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q "new SESSION MIX" && printf '%s\n' "$out" | grep -q "check SESSION"; then
    ok "--help lists the commands"; else fail "--help" "$out"; fi
for c in new check do; do
    run_lathe "$c" --help
    if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q "usage: lathe $c"; then ok "$c --help"; else fail "$c --help" "$out"; fi
done
run_lathe
check_eq "no arguments: usage, exit 2" "2" "$status"
run_lathe frobnicate
check_eq "unknown command" "2 lathe: unknown command \"frobnicate\" (see lathe --help)" "$status $err"
run_lathe new
check_eq "new without arguments" "2 usage: lathe new SESSION MIX..." "$status $err"
run_lathe do --help
if printf '%s\n' "$out" | grep -q "gap-by" && printf '%s\n' "$out" | grep -q "undo"; then ok "do --help lists every command"; else fail "do --help" "$out"; fi
summary
