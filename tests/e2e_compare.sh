#!/bin/sh
# End-to-end tests of the compare-and-approve commands: the platform
# preview of `lathe check --platforms`, the intake report of `lathe new`,
# the review package and the tonal balance.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2

# Two tones of known loudness: a 1 kHz stereo sine at X dBFS reads X LUFS.
"$TOOLS/make_tone" quiet.wav 6 48000 2 24 -20 1000 || exit 2
"$TOOLS/make_tone" loud.wav 6 48000 2 24 -6 1000 || exit 2
printf '[album]\nrate = 48000\nleveling = off\n[track]\nfile = quiet.wav\ntitle = Quiet\n[track]\nfile = loud.wav\ntitle = Loud\ngap = 0s\n' > p.lathe

run_lathe check --platforms p.lathe
if printf '%s\n' "$out" | grep -q 'Gain each platform applies' &&
   printf '%s\n' "$out" | grep -q '^ 1  Quiet .* +6.0  *+4.0  *+0.0 '; then
    ok "check --platforms: the table, Spotify +6 / Apple +4 / YouTube 0 for the -20 LUFS track"
else
    fail "check --platforms: table" "$out"
fi
if printf '%s\n' "$out" | grep -q '^ 2  Loud .* -8.0  *-10.0  *-8.0 '; then
    ok "check --platforms: the -6 LUFS track is turned down by 8 / 10 / 8 dB"
else
    fail "check --platforms: loud track" "$out"
fi
run_lathe check --platforms --json p.lathe
if printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = {x["key"]: x for x in d["platforms"]["platforms"]}
assert abs(p["spotify"]["tracks"][0]["gain"] - 6) < 0.1, p["spotify"]
assert abs(p["youtube"]["tracks"][1]["gain"] + 8) < 0.1
assert abs(p["amazon_music"]["tracks"][0]["loudness"] + 14) < 0.1
t = p["tidal"]["tracks"]
assert t[0]["gain"] == t[1]["gain"] == p["tidal"]["album"]["gain"]
' 2>"$WORK/py.err"; then
    ok "check --platforms --json: gains and one album gain for Tidal"
else
    fail "check --platforms --json" "$(cat "$WORK/py.err")" "$out"
fi
run_lathe check --platforms --no-audio p.lathe
check_eq "check --platforms --no-audio: bad usage" 2 "$status"

# lathe new: one intake line per finding per mix, clean mixes quiet
"$TOOLS/make_signal" sig 48000 intake >/dev/null 2>&1 || exit 2
mp3=""
[ -f sig/mix-lossy.mp3 ] && mp3=sig/mix-lossy.mp3
run_lathe new n.lathe sig/mix-clipped.wav sig/mix-dc.wav sig/mix-polarity.wav sig/mix-clean.wav $mp3
check_eq "new: exit 0 with findings" 0 "$status"
for want in '^  mix-clipped.wav: problem clipping: ' '^  mix-dc.wav: warning dc-offset: .*L -40.0 dBFS' \
            '^  mix-polarity.wav: problem polarity: '; do
    if printf '%s\n' "$out" | grep -q "$want"; then ok "new: intake line $want"; else fail "new: intake line $want" "$out"; fi
done
if [ -n "$mp3" ]; then
    if printf '%s\n' "$out" | grep -q '^  mix-lossy.mp3: problem lossy: .*MP3'; then ok "new: lossy source"; else fail "new: lossy source" "$out"; fi
else
    echo "  (no MP3 encoder: the lossy case is left out)"
fi
if printf '%s\n' "$out" | grep -q 'mix-clean.wav'; then fail "new: a clean mix has no line" "$out"; else ok "new: a clean mix has no line"; fi
if [ -f n.lathe ]; then ok "new: session written"; else fail "new: session written"; fi
run_lathe new n2.lathe --no-intake sig/mix-clipped.wav
if [ "$status" -eq 0 ] && ! printf '%s\n' "$out" | grep -q intake; then ok "new --no-intake"; else fail "new --no-intake" "$out"; fi
run_lathe new n3.lathe sig/mix-clean.wav
if printf '%s\n' "$out" | grep -q '^intake: every mix is clean'; then ok "new: clean intake"; else fail "new: clean intake" "$out"; fi

# Tonal balance: the track EQ'd +2 dB above 5 kHz against its own mix
cat > t.lathe <<'EOS'
[album]
rate = 48000
[track]
file = sig/mix-clean.wav
title = Clean
eq = highshelf 5kHz +2dB
[reference]
file = sig/mix-clean.wav
name = plain
EOS
run_lathe analyze --tonal t.lathe -t 1
rows=$(printf '%s\n' "$out" | grep -c '^ *[0-9.]*k\? \{1,\}[ |=<>]*[-+]')
if [ "$status" -eq 0 ] && [ "$rows" -ge 28 ] && printf '%s\n' "$out" | grep -q '^ *10k .* -[12]\.[0-9]$'; then
    ok "analyze --tonal: a chart of the bands, the reference 1-2 dB down at 10 kHz"
else
    fail "analyze --tonal" "exit $status, $rows rows" "$out"
fi
run_lathe analyze --tonal t.lathe --json
if printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["reference"] == "plain" and len(d["bands_hz"]) == 31
diff = d["tracks"][0]["difference_db"]
assert diff[27] < -1.5 and abs(diff[17]) < 0.5, diff
' 2>py.err; then ok "analyze --tonal --json"; else fail "analyze --tonal --json" "$(cat py.err)" "$out"; fi
cp t.lathe t0.lathe
run_lathe do t.lathe 'match 1'
neq=$(grep -c '^eq = ' t.lathe)
if [ "$status" -eq 0 ] && [ "$neq" -ge 2 ] && [ "$neq" -le 7 ] && grep -q '^eq = highshelf [0-9.]*kHz -[12]\.[0-9]dB' t.lathe; then
    ok "do match: a cut of the highs written into the chain ($out)"
else
    fail "do match" "exit $status: $out $err" "$(cat t.lathe)"
fi
run_lathe analyze --tonal t.lathe --json
if printf '%s\n' "$out" | python3 -c '
import json, sys
diff = json.load(sys.stdin)["tracks"][0]["difference_db"]
assert max(abs(x) for x in diff[2:30]) < 0.6, diff
' 2>py.err; then ok "after match the track is within 0.6 dB of the reference, 31.5 Hz..16 kHz"; else fail "after match" "$(cat py.err)"; fi
cp t0.lathe t1.lathe
run_lathe do t1.lathe 'match 1' undo
if diff -B -q t0.lathe t1.lathe >/dev/null; then ok "do match + undo: the same settings as before (blank lines aside)"; else fail "match undo" "$(diff t0.lathe t1.lathe)"; fi
run_lathe analyze --tonal x.lathe
check_eq "analyze --tonal: missing session" 2 "$status"

summary
