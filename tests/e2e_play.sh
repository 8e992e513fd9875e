#!/bin/sh
# End-to-end tests of lathe play through alsa-lib's file plugin (no sound
# card needed): every track played with --output cd is byte for byte that
# track of the 44.1 kHz/16-bit render, at several period sizes; a whole
# album play equals the album render; monitoring at the session rate equals
# a 24-bit render at that rate; spans; a DDP folder; missing devices, bad arguments.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
mkdir mixes
"$TOOLS/make_tone" mixes/a.wav 1.6 48000 2 24 -10 440 || exit 2
"$TOOLS/make_tone" mixes/b.wav 1.5 48000 2 24 -22 1000 || exit 2
"$TOOLS/make_tone" mixes/c.wav 1.5 44100 2 16 -16 220 || exit 2

cat > s.lathe <<'SESSION'
[album]
title = T
rate = 48000
[master]
eq = lowshelf 90Hz +0.8dB
comp = threshold -20dB ratio 3
limit = ceiling -1dBTP
[track]
file = mixes/a.wav
gap = 1s
fade-in = 0.5s
[track]
file = mixes/b.wav
gap = 0.3s
[track]
file = mixes/c.wav
crossfade = 0.5s
fade-out = 0.5s
[output cd]
format = wav
rate = 44100
bits = 16
dither = shaped
ceiling = -1dBTP
[output cdalbum]
format = wav
rate = 44100
bits = 16
dither = shaped
ceiling = -1dBTP
album = yes
[output hi]
format = wav
bits = 24
SESSION

# same WAV RAW [s16|s32 [FROM TO]]: the raw file starts with the WAV's
# samples (frames FROM to TO of them) and is silence after them (the file
# plugin pads its last period)
cat > same.py <<'PY'
import sys, wave
w = wave.open(sys.argv[1]); data = w.readframes(w.getnframes())
if len(sys.argv) > 5:
    size = w.getsampwidth() * w.getnchannels()
    data = data[int(sys.argv[4]) * size:int(sys.argv[5]) * size]
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

for period in 64 441 1024 4096; do
    for t in 1 2 3; do
        rm -f p.raw
        run_lathe play s.lathe -t $t --output cd --period $period -D "file:'$WORK/p.raw',raw"
        if [ "$status" = 0 ] && diff=$(python3 same.py "out/cd/0$t Track.wav" p.raw 2>&1); then
            ok "track $t at period $period = its CD render"
        else
            fail "track $t at period $period" "exit $status: $err" "$diff"
        fi
    done
done

rm -f p.raw
run_lathe play s.lathe --output cd --period 441 -D "file:'$WORK/p.raw',raw"
diff=$(python3 same.py "out/cdalbum/T v1.wav" p.raw 2>&1) && [ "$status" = 0 ] &&
    ok "whole album = the album render" || fail "whole album" "exit $status: $err" "$diff"

for t in 1 3; do
    rm -f p.raw
    run_lathe play s.lathe -t $t --period 1024 -D "file:'$WORK/p.raw',raw"
    diff=$(python3 same.py "out/hi/0$t Track.wav" p.raw s32 2>&1) && [ "$status" = 0 ] &&
        ok "monitoring track $t at the session rate = the 24-bit render" ||
        fail "monitoring track $t" "exit $status: $err" "$diff"
done

# a span: 0:01.25 to 2.75 s is album frames 55125 to 121275 at 44.1 kHz
rm -f p.raw
run_lathe play s.lathe --output cd --from 0:01.25 --to 2.75 --period 1024 -D "file:'$WORK/p.raw',raw"
diff=$(python3 same.py "out/cdalbum/T v1.wav" p.raw s16 55125 121275 2>&1) && [ "$status" = 0 ] &&
    ok "a span (--from m:ss.fff --to seconds) = that span of the album render" ||
    fail "a span" "exit $status: $err" "$diff"
# the same span written as the session writes times
rm -f p.raw
run_lathe play s.lathe --output cd --from 1250ms --to 2.75s --period 1024 -D "file:'$WORK/p.raw',raw"
diff=$(python3 same.py "out/cdalbum/T v1.wav" p.raw s16 55125 121275 2>&1) && [ "$status" = 0 ] &&
    ok "a span in session times (--from 1250ms --to 2.75s) = the same span" ||
    fail "a span in session times" "exit $status: $err" "$diff"

# a DDP folder plays its image: tracks and the album as `ddp extract` cuts them
mkdir good && "$TOOLS/make_ddp" good album || exit 2
"$LATHE" ddp extract good -o ex >/dev/null 2>&1 || fail "ddp extract for the reference"
for t in 1 2 3; do
    rm -f p.raw
    run_lathe play good -t $t --period 441 -D "file:'$WORK/p.raw',raw"
    diff=$(python3 same.py "ex/track0$t.wav" p.raw 2>&1) && [ "$status" = 0 ] &&
        ok "DDP track $t = the image's track" || fail "DDP track $t" "exit $status: $err" "$diff"
done
rm -f p.raw
run_lathe play good --period 1024 -D "file:'$WORK/p.raw',raw"
diff=$(python3 same.py ex/album.wav p.raw 2>&1) && [ "$status" = 0 ] &&
    ok "a whole DDP image plays" || fail "DDP album" "exit $status: $err" "$diff"
run_lathe play good --output cd -D "file:'$WORK/p.raw',raw"
check_eq "--output with a DDP folder exits 2" "2" "$status"

run_lathe play s.lathe -D "hw:97"
check_eq "a missing device exits 2" "2" "$status"
case "$err" in *'"hw:97"'*) ok "the message names the device" ;; *) fail "missing device message" "$err" ;; esac
case "$err" in *"ALSA lib"*) fail "alsa-lib's own messages are kept off stderr" "$err" ;; *) ok "no alsa-lib chatter" ;; esac

run_lathe play s.lathe -D "hw:9"
check_eq "-D hw:9 (no such card) exits 2" "2" "$status"
case "$err" in *'"hw:9"'*) ok "the message names hw:9" ;; *) fail "hw:9 message" "$err" ;; esac
if [ ! -s /proc/asound/cards ] || grep -q "no soundcards" /proc/asound/cards 2>/dev/null; then
    run_lathe play s.lathe
    check_eq "no sound card: the default device exits 2" "2" "$status"
    case "$err" in *"no sound card"*) ok "no sound card: said so" ;; *) fail "no sound card message" "$err" ;; esac
fi

run_lathe play s.lathe -t 9 -D "file:'$WORK/p.raw',raw"
check_eq "a track that does not exist exits 2" "2" "$status"
run_lathe play s.lathe --output nope -D "file:'$WORK/p.raw',raw"
check_eq "an unknown output exits 2" "2" "$status"
run_lathe play s.lathe --from 1:xx
check_eq "a bad time exits 2" "2" "$status"

run_lathe play --list-devices
check_eq "--list-devices exits 0" "0" "$status"
case "$out" in *null*) ok "--list-devices lists the null PCM" ;; *) fail "--list-devices" "$out" ;; esac

summary
