#!/bin/sh
# End-to-end tests of `lathe check`: one session per QC rule, each must
# report its problem with exit 1, and a clean session exits 0.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 6 || exit 2
"$TOOLS/make_tone" short.wav 3 || exit 2

# rule NAME EXPECTED-STATUS GREP-PATTERN SESSION-TEXT(printf)
rule() {
    printf "$4" > "$1.lathe"
    run_lathe check --no-audio "$1.lathe"
    if [ "$status" -ne "$2" ]; then
        fail "check: $1" "exit $status, expected $2" "$out"
    elif ! printf '%s\n' "$out" | grep -q -- "$3"; then
        fail "check: $1" "no line matching: $3" "$out"
    else
        ok "check: $1"
    fi
}

T='[track]\nfile = a.wav\n'
rule clean 0 'clean: no problems found' "[album]\nupc = 5012345678900\n${T}isrc = GBABC2600001\n${T}isrc = GBABC2600002\n"
rule track-short 1 'error: track 2: track is 3.00 s long — a CD track needs at least 4 s' "${T}[track]\nfile = short.wav\n"
rule pregap 1 'error: track 1: the pregap before track 1 is 1.00 s — a CD needs at least 2 s' '[track]\nfile = a.wav\ngap = 1s\n'
rule isrc-format 1 'error: track 1: ISRC "GBABC26001" is malformed' "${T}isrc = GB-ABC-26-001\n"
rule isrc-duplicate 1 'error: track 2: ISRC GBABC2600001 is also on track 1' "${T}isrc = GBABC2600001\n${T}isrc = GBABC2600001\n"
rule upc-check 1 'error: album: UPC/EAN "5012345678901": check digit 1 is wrong — expected 0' "[album]\nupc = 5012345678901\n${T}"
rule upc-length 1 'error: album: UPC/EAN "12345" has 5 digits' "[album]\nupc = 12345\n${T}"
rule upc-a 0 'clean' "[album]\nupc = 036000291452\n${T}"
rule missing-mix 1 'error: track 2: gone.wav: No such file or directory' "${T}[track]\nfile = gone.wav\n"
printf 'hello' > text.wav
rule not-audio 1 'error: track 1: text.wav: not a sound file lathe can read' '[track]\nfile = text.wav\n'
rule cdtext-latin1 1 'error: track 1: CD-Text title "東京": "東" is not in Latin-1' "${T}title = 東京\n"
rule cdtext-latin1-ok 0 'clean' "${T}title = Café Déjà Vu\n"
rule gap-and-crossfade 1 'error: track 2: both a gap and a crossfade' "${T}${T}gap = 1s\ncrossfade = 1s\n"

rule crossfade-long 1 'error: track 2: the crossfade of 30.00 s is longer' "${T}${T}crossfade = 30s\n"
rule crossfade-first 1 'error: track 1: a crossfade on track 1, which has nothing before it' "${T}crossfade = 1s\n${T}"
# a missing mix is its own error, not a crossfade too long for it
printf "[track]\nfile = gone.wav\n${T}crossfade = 1s\n" > xf-missing.lathe
run_lathe check --no-audio xf-missing.lathe
if printf '%s\n' "$out" | grep -q 'gone.wav' && ! printf '%s\n' "$out" | grep -q 'crossfade' &&
    printf '%s\n' "$out" | grep -q '^ 2 .* x1\.00s '; then
    ok "check: a missing mix before a crossfade"; else fail "check: a missing mix before a crossfade" "$out"; fi
rule trim-past-end 1 'error: track 1: trim-in is past the end of the mix' "${T}trim-in = 20s\n"
"$TOOLS/make_tone" k32.wav 10 32000
rule rate-32k 0 'clean' '[track]\nfile = k32.wav\n'

# Audio checks: the demo album's mixes, one of them clipped and one at 44.1 kHz.
"$TOOLS/make_demo" demo >/dev/null || exit 2
run_lathe check demo/demo.lathe
check_eq "the demo album is clean, audio included" "0" "$status"
"$TOOLS/make_tone" demo/mixes/hot.wav 6 48000 2 24
python3 - demo/mixes/hot.wav <<'PY'
import sys, struct
# push a stretch of the tone into clipping: 24-bit samples at full scale
p = sys.argv[1]; d = bytearray(open(p, 'rb').read()); i = d.find(b'data') + 8
for k in range(i + 30000, i + 30000 + 6 * 600, 3):
    d[k:k+3] = (0x7fffff).to_bytes(3, 'little', signed=True)
open(p, 'wb').write(d)
PY
"$TOOLS/make_tone" demo/mixes/slow.wav 6 44100
printf '[track]\nfile = mixes/hot.wav\n[track]\nfile = mixes/slow.wav\n' > demo/audio.lathe
run_lathe check demo/audio.lathe
if printf '%s\n' "$out" | grep -q 'warning: track 1: mixes/hot.wav: .*clip' && printf '%s\n' "$out" | grep -q 'warning: track 2: mixes/slow.wav is 44100 Hz; it is converted'; then
    ok "check: clipping and rate mismatch in the mixes"; else fail "check: clipping and rate mismatch" "$out"; fi
printf '[album]\ntarget = -10 LUFS\n[track]\nfile = mixes/slow.wav\n' > demo/loud.lathe
run_lathe check demo/loud.lathe
if printf '%s\n' "$out" | grep -q 'warning: album: the album renders at .* against a target of -10.0 LUFS'; then
    ok "check: loudness against the target"; else fail "check: loudness against the target" "$out"; fi

# 100 tracks: more than a CD holds.
{ for i in $(seq 100); do printf '[track]\nfile = a.wav\n'; done; } > hundred.lathe
run_lathe check --no-audio hundred.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q 'error: album: 100 tracks — a CD holds at most 99'; then ok "check: 100 tracks"; else fail "check: 100 tracks" "$out"; fi

# Playing time: 13 x 6 min = 78 min warns, 14 x 6 min = 84 min is an error.
"$TOOLS/make_tone" long.wav 360 11025 1 16 || exit 2
{ for i in $(seq 13); do printf '[track]\nfile = long.wav\n'; done; } > warn.lathe
run_lathe check --no-audio warn.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q 'warning: album: the album is 78:2[0-9] — over 74:00'; then ok "check: over 74 min warns"; else fail "check: over 74 min warns" "$out"; fi
{ for i in $(seq 14); do printf '[track]\nfile = long.wav\n'; done; } > over.lathe
run_lathe check --no-audio over.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q 'error: album: the album is 84:2[0-9] — a CD holds at most 79:57'; then ok "check: over 79:57 is an error"; else fail "check: over 79:57" "$out"; fi

# --json is valid JSON with the problems.
printf "${T}isrc = GB-ABC-26-001\n" > j.lathe
run_lathe check j.lathe --json --no-audio
if printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["errors"]==1 and d["problems"][0]["code"]=="isrc-format" and d["tracks"][0]["pregap_frames"]==150'; then
    ok "check --json"; else fail "check --json" "$out"; fi

# A session with errors is not measured, and says so (the loudness of a
# session that cannot be rendered would mislead).
printf '[album]\nupc = 5012345678901\n[track]\nfile = a.wav\n' > err.lathe
run_lathe check err.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q '^audio: not measured (fix the errors above first)$'; then
    ok "check: errors say the audio was not measured"; else fail "check: errors say the audio was not measured" "$out"; fi
run_lathe check err.lathe --json
if printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["audio_checked"] is False'; then
    ok "check --json: audio_checked false"; else fail "check --json: audio_checked false" "$out"; fi
run_lathe check
check_eq "check without a session" "2" "$status"
summary
