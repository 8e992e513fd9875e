#!/bin/sh
# End-to-end test of the converter shared by outputs of one rate (DESIGN §3:
# each output rate is converted once): three outputs at 44.1 kHz, one at 48
# kHz and one at the session rate rendered together, at -j 1 and -j 2, give
# the very bytes each gives rendered alone.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
mkdir mixes
"$TOOLS/make_tone" mixes/a.wav 5 96000 2 24 -8 440 || exit 2
"$TOOLS/make_tone" mixes/b.wav 4 96000 2 24 -14 3000 || exit 2
cat > s.lathe <<'SESSION'
[album]
title = Share
performer = Test Band
rate = 96000
[master]
eq = bell 3kHz -1dB q 1.2
comp = threshold -16dB ratio 1.5 attack 30ms release 200ms knee 6dB
limit = ceiling -1dBTP release 60ms
[track]
file = mixes/a.wav
title = One
gap = 2s
[track]
file = mixes/b.wav
title = Two
gap = 1s
[output cd]
format = ddp
dither = shaped
ceiling = -1dBTP
[output cdwav]
format = wav
rate = 44100
bits = 16
dither = shaped
ceiling = -1dBTP
[output plain]
format = flac
rate = 44100
bits = 24
[output stream]
format = flac
rate = 48000
bits = 24
ceiling = -1dBTP
[output hires]
format = wav
bits = 24
SESSION
cp s.lathe orig.lathe
for j in 1 2; do
    run_lathe render s.lathe -o "all$j" -j "$j"
    check_eq "five outputs rendered together at -j $j" 0 "$status"
done
for o in cd cdwav plain stream hires; do
    cp orig.lathe s.lathe
    run_lathe render s.lathe "$o" -o "alone-$o"
    same=yes
    for j in 1 2; do
        for f in "alone-$o/$o"/*; do
            cmp -s "$f" "all$j/$o/$(basename "$f")" || same="no: $(basename "$f") at -j $j"
        done
    done
    check_eq "[output $o] alone = rendered with the others, every file" yes "$same"
done
n=$(cat all1/cdwav/*.wav | wc -c)
check_eq "the 44.1 kHz outputs came out" yes "$([ "$n" -gt 100000 ] && echo yes || echo no)"
summary
