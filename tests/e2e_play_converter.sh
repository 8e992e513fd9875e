#!/bin/sh
# The converter restarted at each track start (dsp/resample_stream): from a
# 96 kHz session, every track played at 44.1 kHz/16-bit and 48 kHz/24-bit
# is byte for byte that track of the render, with soxr (the default) and
# with resampler = libsamplerate on one output; a render with libsamplerate
# differs from soxr's, and a bad resampler value is refused with its line.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
mkdir mixes
"$TOOLS/make_tone" mixes/a.wav 1.4 96000 2 24 -8 15000 || exit 2
"$TOOLS/make_tone" mixes/b.wav 1.2 96000 2 24 -12 440 || exit 2
"$TOOLS/make_tone" mixes/c.wav 1.3 48000 2 24 -10 3000 || exit 2

cat > s.lathe <<'SESSION'
[album]
title = T
rate = 96000
[master]
limit = ceiling -1dBTP
[track]
file = mixes/a.wav
gap = 0.5s
[track]
file = mixes/b.wav
crossfade = 0.4s
[track]
file = mixes/c.wav
gap = 0s
[output cd]
format = wav
rate = 44100
bits = 16
dither = shaped
[output hi]
format = wav
rate = 48000
bits = 24
[output old]
format = wav
rate = 44100
bits = 16
dither = shaped
resampler = libsamplerate
SESSION

cat > same.py <<'PY'
import sys, wave
w = wave.open(sys.argv[1]); data = w.readframes(w.getnframes())
if len(sys.argv) > 3 and sys.argv[3] == 's32':
    data = b''.join(b'\0' + data[i:i + 3] for i in range(0, len(data), 3))
raw = open(sys.argv[2], 'rb').read()
ok = len(data) > 0 and raw[:len(data)] == data and not any(raw[len(data):])
if not ok:
    n = min(len(raw), len(data))
    first = next((i for i in range(n) if raw[i] != data[i]), n)
    print("rendered %d bytes, played %d, first difference at byte %d" % (len(data), len(raw), first))
sys.exit(0 if ok else 1)
PY

run_lathe render s.lathe -o out
check_eq "render exits 0" "0" "$status"

for o in cd hi old; do
    fmt=
    [ $o = hi ] && fmt=s32
    for period in 441 4096; do
        for t in 1 2 3; do
            rm -f p.raw
            run_lathe play s.lathe -t $t --output $o --period $period -D "file:'$WORK/p.raw',raw"
            if [ "$status" = 0 ] && diff=$(python3 same.py "out/$o/0$t Track.wav" p.raw $fmt 2>&1); then
                ok "$o: track $t at period $period = its render"
            else
                fail "$o: track $t at period $period" "exit $status: $err" "$diff"
            fi
        done
    done
done

if [ ! -s "out/old/02 Track.wav" ] || cmp -s "out/cd/02 Track.wav" "out/old/02 Track.wav"; then
    fail "libsamplerate's render differs from soxr's" "the same bytes"
else
    ok "libsamplerate's render differs from soxr's"
fi

sed 's/^resampler = libsamplerate/resampler = sox/' s.lathe > bad.lathe
run_lathe render bad.lathe -o out2
check_eq "a bad resampler exits 2" "2" "$status"
case "$err" in
    *bad.lathe:*resampler*) ok "the message names the file, line and key" ;;
    *) fail "the message names the file, line and key" "$err" ;;
esac
[ ! -e out2 ] && ok "nothing written for a bad resampler" || fail "nothing written for a bad resampler"
summary
