#!/bin/sh
# End-to-end tests of lathe render and lathe level: every format, checked by
# independent readers (cdrdao, cuetools, shntool, md5sum, lathe ddp verify),
# CUE split = per-track files bit for bit, determinism, revisions,
# interrupted renders, and leveling measured on the rendered files.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
mkdir mixes
"$TOOLS/make_tone" mixes/a.wav 7 48000 2 24 -10 440 || exit 2
"$TOOLS/make_tone" mixes/b.wav 8 48000 2 24 -22 1000 || exit 2
"$TOOLS/make_tone" mixes/c.wav 6 44100 2 16 -16 220 || exit 2

cat > s.lathe <<'SESSION'
[album]
title = Test Album
performer = Test Band
upc = 5012345678900
rate = 48000
leveling = track
[master]
eq = lowshelf 90Hz +0.8dB
[track]
file = mixes/a.wav
title = One
isrc = GBABC2600001
gap = 2s
fade-in = 0.5s
[track]
file = mixes/b.wav
title = Two
isrc = GBABC2600002
gap = 1.3s
index = 3s
[track]
file = mixes/c.wav
title = Three
crossfade = 1s
fade-out = 2s
copy = yes
[output cd]
format = ddp
dither = shaped
ceiling = -1dBTP
[output cue]
format = cue
dither = shaped
ceiling = -1dBTP
[output toc]
format = toc
dither = shaped
ceiling = -1dBTP
[output wav]
format = wav
rate = 44100
bits = 16
dither = shaped
ceiling = -1dBTP
[output stream]
format = flac
rate = 48000
bits = 24
ceiling = -1dBTP
[output client]
format = mp3
album = yes
SESSION
cp s.lathe s.orig

run_lathe render s.lathe -o out1 -j 2
check_eq "render exits 0" "0" "$status"
[ -z "$err" ] && ok "render is quiet on stderr when piped" || fail "render stderr" "$err"
for o in cd cue toc wav stream client; do
    [ -f "out1/$o/MANIFEST.md5" ] || fail "output $o has a manifest"
    (cd "out1/$o" && md5sum -c --quiet MANIFEST.md5) >/dev/null 2>&1 && ok "manifest of $o verifies" || fail "manifest of $o"
    [ -f "out1/$o/loudness.json" ] && python3 -c "import json,sys; json.load(open('out1/$o/loudness.json'))" \
        && ok "loudness table of $o" || fail "loudness table of $o"
done
ls out1/stream | grep -q '^01 One.flac$' && ls out1/stream | grep -q '^03 Three.flac$' && ok "track files named from the template" || fail "track names" "$(ls out1/stream)"
[ -f "out1/client/Test Album v1.mp3" ] && ok "client copy carries revision v1" || fail "client revision" "$(ls out1/client)"
grep -q '^revision = 1$' s.lathe && ok "the session remembers the revision" || fail "session revision"

# DDP
run_lathe ddp verify out1/cd
check_eq "ddp verify on the render" "0" "$status"

# TOC: cdrdao toc-info, exit 0 and nothing on stderr but its banner
(cd out1/toc && cdrdao toc-info album.toc >../../toc.out 2>../../toc.err)
tstatus=$?
check_eq "cdrdao toc-info exit" "0" "$tstatus"
check_eq "cdrdao toc-info stderr" "" "$(grep -v '^Cdrdao version' toc.err | grep -v '^$')"

# CUE: shnsplit and cuebreakpoints
(cd out1/cue && cuebreakpoints album.cue >../../bp.out 2>../../bp.err)
check_eq "cuebreakpoints stderr" "" "$(cat bp.err)"
mkdir split
shnsplit -q -f out1/cue/album.cue -d split -o wav out1/cue/album.wav >split.out 2>&1
check_eq "shnsplit exit" "0" "$?"

# The CUE's album split at INDEX 01 equals the per-track files of an output
# with the same rate, depth and dither, sample for sample.
python3 - split out1/wav <<'PY' >cmp.out 2>&1
import sys, wave, os
split, tracks = sys.argv[1], sys.argv[2]
pieces = sorted(f for f in os.listdir(split) if f.endswith('.wav'))
files = sorted(f for f in os.listdir(tracks) if f.endswith('.wav'))
def frames(p):
    w = wave.open(p, 'rb'); return w.readframes(w.getnframes())
# shnsplit's first piece is track 1's pregap (before its INDEX 01)
assert len(pieces) == len(files) + 1, (pieces, files)
for p, f in zip(pieces[1:], files):
    a, b = frames(os.path.join(split, p)), frames(os.path.join(tracks, f))
    assert a == b, (p, f, len(a), len(b))
print("same")
PY
check_eq "CUE split equals the track files bit for bit" "same" "$(cat cmp.out)"

# Determinism: a second render gives the same bytes (the client copy's
# name carries the next revision, its audio stays the same).
run_lathe render s.lathe -o out2 -j 1
check_eq "second render" "0" "$status"
same=yes
for o in cd cue toc wav stream; do
    diff -r "out1/$o" "out2/$o" >/dev/null || same="no: $o"
done
cmp -s "out1/client/Test Album v1.mp3" "out2/client/Test Album v2.mp3" || same="no: client"
check_eq "two renders give the same bytes" "yes" "$same"

# Bad input: an unknown output, a missing mix: exit 2, nothing written.
run_lathe render s.lathe nosuch -o out3
check_eq "unknown output, with the ones there are" "2 lathe render: no [output nosuch] in the session (it has" "$status ${err%% cd,*}"
[ ! -e out3 ] && ok "nothing written for bad input" || fail "out3 written"

# An output named twice renders once.
run_lathe render s.lathe wav wav -o out6
check_eq "an output named twice" "0" "$status"

# What a sheet would refuse is refused before any work: exit 2, nothing written.
sed 's/^title = Two$/title = Two "live"/' s.orig > q.lathe
run_lathe render q.lathe cue -o out7
check_eq "a quote in a CUE title: exit 2 before rendering" "2" "$status"
[ ! -e out7 ] && ok "nothing written for a refused sheet" || fail "out7 written" "$(ls -R out7)"
printf '[track]\nfile = mixes/a.wav\n[output x]\nformat = flac\nname = {nn} {artist}\n' > t.lathe
run_lathe render t.lathe -o out8
check_eq "an unknown name field" "2 lathe render: [output x]: name \"{nn} {artist}\": unknown field {artist} — expected {nn}, {n}, {title}, {performer}, {album} or {isrc}" "$status $err"

# At a session rate that is not a multiple of 75, every output cuts at the same frames.
"$TOOLS/make_tone" mixes/k1.wav 15.08 32000 2 24 -10 || exit 2
"$TOOLS/make_tone" mixes/k2.wav 6 32000 2 24 -10 660 || exit 2
printf '[album]\nrate = 32000\n[track]\nfile = mixes/k1.wav\n[track]\nfile = mixes/k2.wav\ngap = 0s\n[output c]\nformat = cue\ndither = off\n[output w]\nformat = wav\nrate = 44100\nbits = 16\ndither = off\n[output d]\nformat = ddp\ndither = off\n' > k.lathe
run_lathe render k.lathe -o out9
check_eq "32 kHz session renders" "0" "$status"
sed -n '/TRACK 02/,$p' out9/c/album.cue | grep -q 'INDEX 00' && fail "no INDEX 00 for a gap of 0s" "$(cat out9/c/album.cue)" || ok "no INDEX 00 for a gap of 0s"
grep -q 'INDEX 01 00:17:06' out9/c/album.cue && ok "CUE: track 2 at frame 1281" || fail "CUE track 2" "$(cat out9/c/album.cue)"
run_lathe ddp info out9/d
printf '%s\n' "$out" | grep -q '^ *2  00:17:06' && ok "DDP: track 2 at frame 1281" || fail "DDP track 2" "$out"
python3 - out9/w <<'PY' >k.out 2>&1
import sys, wave, os
n = wave.open(os.path.join(sys.argv[1], sorted(f for f in os.listdir(sys.argv[1]) if f.endswith('.wav'))[0])).getnframes()
print(n)
PY
check_eq "per-track file ends at frame 1281" "$((1281 * 588 - 150 * 588))" "$(cat k.out)"

# Interrupted renders: SIGINT leaves nothing; SIGKILL leaves no deliverable
# under its final name, and the next render removes the hidden folder.
"$TOOLS/make_tone" mixes/long.wav 240 48000 2 24 -12 || exit 2
printf '[track]\nfile = mixes/long.wav\n[output big]\nformat = flac\nrate = 44100\n' > long.lathe
"$LATHE" render long.lathe -o out4 >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
check_eq "SIGINT: exit 3" "3" "$?"
check_eq "SIGINT: nothing in the output folder" "" "$(ls -A out4 2>/dev/null)"
"$LATHE" render long.lathe -o out5 >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
[ ! -e out5/big ] && ok "SIGKILL: no deliverable under its final name" || fail "SIGKILL left out5/big"
printf '[track]\nfile = mixes/a.wav\n[output small]\nformat = wav\n' > small.lathe
run_lathe render small.lathe -o out5
check_eq "render after a kill" "0" "$status"
check_eq "the next render removed the hidden folder" "small" "$(ls -A out5)"
touch out5/small/stale.txt
run_lathe render small.lathe -o out5
check_eq "a render replaces the previous output folder whole" "0 small no-stale" \
    "$status $(ls -A out5) $([ -e out5/small/stale.txt ] && echo stale || echo no-stale)"

# Leveling, measured on a 48 kHz/24-bit render with libebur128 (lathe analyze).
cp s.orig lv.lathe
run_lathe level lv.lathe --mode track --target -14
check_eq "level --mode track" "0" "$status"
run_lathe render lv.lathe stream -o lv
python3 - lv/stream <<'PY' >lv.out 2>&1
import json, subprocess, sys, os, glob
files = sorted(glob.glob(os.path.join(sys.argv[1], '*.flac')))
r = json.loads(subprocess.run([os.environ['LATHE'], 'analyze', '--json'] + files, capture_output=True, text=True).stdout)
for f in r['files']:
    i, tp = f['integrated'], f['true_peak_max']
    assert abs(i + 14) <= 0.3, (f['path'], i)
    assert tp <= -1.0 + 1e-9, (f['path'], tp)
print("ok", len(files))
PY
check_eq "track leveling: every track -14 +-0.3 LUFS, <= -1 dBTP" "ok 3" "$(cat lv.out | tail -n 1)"

# --ceiling is written into the outputs that limit, so the render matches.
cp s.orig ce.lathe
run_lathe level ce.lathe --mode track --target -14 --ceiling -2
grep -c '^ceiling = -2dBTP$' ce.lathe >ce.out
check_eq "level --ceiling sets the outputs' ceilings" "5" "$(cat ce.out)"

cp s.orig al.lathe
run_lathe level al.lathe --mode track --target -20
run_lathe render al.lathe stream -o al0
run_lathe level al.lathe --mode album --target -16
check_eq "level --mode album" "0" "$status"
run_lathe render al.lathe stream -o al
python3 - al0/stream/loudness.json al/stream/loudness.json <<'PY' >al.out 2>&1
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
assert abs(after['album']['integrated'] + 16) <= 0.3, after['album']
b = [t['integrated'] for t in before['tracks']]; a = [t['integrated'] for t in after['tracks']]
for x, y in zip(b, a):
    assert abs((y - a[0]) - (x - b[0])) <= 0.3, (b, a)
print("ok")
PY
check_eq "album leveling: album -16 +-0.3, track differences kept" "ok" "$(tail -n 1 al.out)"

# Pushed hard into the ceiling, 1 dB of gain gives well under 1 LU: leveling
# follows the measured slope and still lands within 0.1 LU in a few passes.
"$TOOLS/make_demo" hot >/dev/null || exit 2
run_lathe level hot/demo.lathe --mode album --target -9
passes=$(printf '%s\n' "$out" | sed -n 's/.*(\([0-9]*\) passes).*/\1/p' | head -n 1)
check_eq "hot album leveling converges in at most 5 passes" "0 yes no" \
    "$status $([ "${passes:-99}" -le 5 ] && echo yes || echo "no($passes)") $(printf '%s\n' "$out" | grep -q 'not within' && echo stuck || echo no)"

summary
