#!/bin/sh
# End-to-end tests of lathe analyze: the EBU Tech 3341/3342 cases and the
# intake mixes written by make_signal at 48 and 44.1 kHz, measured through
# `lathe analyze --json` and checked against the tolerances make_signal
# writes beside them; unreadable files, usage errors and quiet pipes.
. "$LATHE_TESTS/lib.sh"

# check_json JSON EXPECTED: prints "ok|what" or "FAIL|what|detail" per
# expectation. Python parses (and so validates) the JSON; without it, awk
# reads lathe's one-key-per-line layout.
check_json() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" "$2" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
files = {os.path.basename(f["path"]): f for f in doc["files"]}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    r = files.get(f[0])
    if r is None or "error" in r:
        print("FAIL|%s|not measured: %s" % (f[0], r and r.get("error")))
        continue
    codes = [w["code"] for w in r["warnings"]]
    if f[1] == "value":
        v, want, below, above = r[f[2]], float(f[3]), float(f[4]), float(f[5])
        what = "%s %s = %s (%g -%g/+%g)" % (f[0], f[2], v, want, below, above)
        ok = v is not None and want - below <= v <= want + above
    elif f[1] == "warning":
        what = "%s warns %s" % (f[0], f[2])
        ok = f[2] in codes
    else:
        what = "%s is clean" % f[0]
        ok = not codes
    print(("ok|%s" if ok else "FAIL|%s|got warnings %s" % ("%s", codes)) % what)
EOF
    else
        awk -F'\t' '
            FNR == NR {
                if ($0 ~ /"path": /) { p = $0; sub(/.*"path": "/, "", p); sub(/".*/, "", p); n = split(p, a, "/"); file = a[n] }
                else if ($0 ~ /^      "[a-z_]+": [-0-9.e+]+,?$/) { k = $0; sub(/^ *"/, "", k); v = k; sub(/".*/, "", k); sub(/.*: /, "", v); sub(/,$/, "", v); val[file, k] = v }
                else if ($0 ~ /"code": /) { c = $0; sub(/.*"code": "/, "", c); sub(/".*/, "", c); warned[file, c] = 1; any[file] = 1 }
                next
            }
            $2 == "value" { v = val[$1, $3]; ok = v != "" && v + 0 >= $4 - $5 && v + 0 <= $4 + $6
                            print (ok ? "ok|" : "FAIL|") $1 " " $3 " = " v " (" $4 " -" $5 "/+" $6 ")" }
            $2 == "warning" { print (warned[$1, $3] ? "ok|" : "FAIL|") $1 " warns " $3 }
            $2 == "clean" { print (any[$1] ? "FAIL|" : "ok|") $1 " is clean" }
        ' "$1" "$2"
    fi
}

tally() {
    while IFS='|' read -r verdict what detail; do
        if [ "$verdict" = ok ]; then ok "$what"; else fail "$what" "$detail"; fi
    done <"$1"
}

for rate in 48000 44100; do
    dir="$WORK/r$rate"
    if ! "$TOOLS/make_signal" "$dir" "$rate" >"$WORK/.gen" 2>&1; then
        fail "make_signal $rate" "$(cat "$WORK/.gen")"
        continue
    fi
    "$LATHE" analyze --json "$dir"/*.wav $(ls "$dir"/*.mp3 2>/dev/null) >"$WORK/a.json" 2>"$WORK/a.err"
    check_eq "$rate Hz: every file measured, nothing on stderr when piped" "0 " \
        "$? $(cat "$WORK/a.err")"
    check_json "$WORK/a.json" "$dir/expected.tsv" >"$WORK/verdicts"
    sed "s/^\([a-zA-Z]*|\)/\1$rate Hz: /" "$WORK/verdicts" >"$WORK/verdicts.$rate"
    tally "$WORK/verdicts.$rate"
    # Kept for the tests below: a steady tone, and long files for progress.
    if [ "$rate" = 48000 ]; then
        mv "$dir/3341-1.wav" "$WORK/tone.wav"
        mkdir "$WORK/p"
        mv "$dir"/3342-*.wav "$dir"/3341-[345].wav "$WORK/p/"
    fi
    rm -rf "$dir"
done

# Text output: a readable table.
run_lathe analyze "$WORK/tone.wav"
if [ "$status" -eq 0 ] && [ -z "$err" ] && printf '%s\n' "$out" | grep -q "integrated *-23.0 LUFS" &&
   printf '%s\n' "$out" | grep -q "true peak *L -23.0  R -23.0 dBTP"; then
    ok "text table"; else fail "text table" "$status $out $err"; fi

# Unreadable input: a clear one-line message, exit 2, the good file still
# reported.
mkdir "$WORK/folder.wav"
echo "not audio at all" >"$WORK/text.wav"
: >"$WORK/empty.wav"
for bad in "missing.wav:No such file or directory" "folder.wav:is a folder" \
           "text.wav:not a sound file" "empty.wav:empty file"; do
    name=${bad%%:*}
    problem=${bad#*:}
    run_lathe analyze "$WORK/$name"
    lines=$(printf '%s\n' "$err" | wc -l)
    case "$err" in
        "lathe analyze: $WORK/$name: $problem"*)
            if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ -z "$out" ]; then
                ok "$name: exit 2, one line"; else fail "$name" "$status ($lines lines) $out"; fi ;;
        *) fail "$name: message" "$err" ;;
    esac
done
run_lathe analyze "$WORK/tone.wav" "$WORK/missing.wav"
if [ "$status" -eq 2 ] && printf '%s\n' "$out" | grep -q "integrated *-23.0 LUFS"; then
    ok "a bad file among good ones: exit 2, the good one reported"; else fail "mixed" "$status $out"; fi
run_lathe analyze --json "$WORK/missing.wav" "$WORK/tone.wav" "$WORK/empty.wav"
if [ "$status" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 2 ]; then
    ok "--json with bad files: exit 2, a message each"; else fail "--json bad" "$status $err"; fi
if command -v python3 >/dev/null 2>&1; then
    if printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["files"]
assert [("error" in f) for f in d] == [True, False, True]
assert abs(d[1]["integrated"] + 23) < 0.1 and d[1]["correlation"] == 1
assert "No such file" in d[0]["error"]'; then
        ok "--json with bad files is valid JSON, errors in place"; else fail "--json bad files" "$out"; fi
    # A name that is not UTF-8 still gives valid JSON.
    odd=$(printf "$WORK/caf\351.wav")
    cp "$WORK/tone.wav" "$odd"
    "$LATHE" analyze --json "$odd" >"$WORK/odd.json" 2>/dev/null
    if python3 -c 'import json, sys; d = json.load(open(sys.argv[1], encoding="utf-8")); assert "\ufffd" in d["files"][0]["path"]' "$WORK/odd.json"; then
        ok "a non-UTF-8 file name gives valid JSON"; else fail "non-UTF-8 name" "$(cat "$WORK/odd.json")"; fi
fi

# Usage.
run_lathe analyze
check_eq "no FILE: exit 2" "2" "$status"
run_lathe analyze --frobnicate "$WORK/tone.wav"
check_eq "unknown option: exit 2" "2 lathe analyze: unknown option --frobnicate" \
    "$status $(printf '%s\n' "$err" | head -n 1)"
run_lathe analyze --help
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q "usage: lathe analyze FILE" &&
   printf '%s\n' "$out" | grep -q "Exit status"; then ok "--help"; else fail "--help" "$out"; fi

# Progress: on a terminal only (script(1) gives lathe one).
if command -v script >/dev/null 2>&1 && [ -f "$WORK/p/3342-1.wav" ]; then
    script -qec "'$LATHE' analyze --json '$WORK'/p/3342-*.wav '$WORK'/p/3341-[345].wav >/dev/null" \
        "$WORK/typescript" >/dev/null 2>&1 </dev/null
    if grep -q "lathe analyze: [0-9]* of 7 files" "$WORK/typescript"; then
        ok "progress on a terminal"; else fail "progress on a terminal" "$(cat "$WORK/typescript")"; fi
    "$LATHE" analyze --json "$WORK"/p/3342-*.wav 2>"$WORK/p.err" | cat >/dev/null
    check_eq "no progress when piped" "" "$(cat "$WORK/p.err")"
fi
summary
