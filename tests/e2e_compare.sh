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

summary
