#!/bin/sh
# Builds the fuzz targets' seed corpora from the hostile corpus and from
# good inputs made by the test tools: OUT/session, OUT/ddp, OUT/intake.
# Usage: seeds.sh TOOLS_DIR OUT   (TOOLS_DIR: build/tests, with make_tone
# and make_ddp; LATHE names the lathe binary, to render lossy seeds)
tools=$1
out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/session" "$out/ddp" "$out/intake" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/lathe-seeds.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# sound files: the hostile ones, and short good ones in each format
python3 "$here/hostile/make_sounds.py" "$work/sounds" || exit 1
for f in "$work"/sounds/*; do
    [ -f "$f" ] && [ "$(wc -c <"$f")" -le 65536 ] && cp "$f" "$out/intake/"
done
"$tools/make_tone" "$out/intake/tone16.wav" 0.05 8000 1 16 || exit 1
"$tools/make_tone" "$out/intake/tone24.wav" 0.02 48000 2 24 || exit 1
"$tools/make_tone" "$out/intake/float.wav" 0.02 44100 2 32 || exit 1
"$tools/make_tone" "$work/t.wav" 0.3 8000 1 16 || exit 1
for fmt in flac aiff ogg mp3; do
    printf '[track]\nfile = t.wav\n[output o]\nformat = %s\nrate = 8000\nalbum = yes\n' "$fmt" > "$work/$fmt.lathe"
    "${LATHE:-./lathe}" render "$work/$fmt.lathe" -o "$work/r-$fmt" >/dev/null 2>&1 &&
        for f in "$work/r-$fmt"/o/*."$fmt"; do cp "$f" "$out/intake/seed.$fmt"; done
done

# sessions: the hostile ones (small enough), and a full one
python3 "$here/hostile/make_sessions.py" "$work/sessions" || exit 1
for f in "$work"/sessions/*.lathe; do
    [ -f "$f" ] && [ "$(wc -c <"$f")" -le 65536 ] && cp "$f" "$out/session/"
done

# DDP sets: the good album with its image cut to a few sectors, as one
# input (files joined by the separator fuzz_ddp.c splits on)
mkdir "$work/ddp" && "$tools/make_ddp" "$work/ddp" album >/dev/null || exit 1
truncate -s $((2352 * 4)) "$work/ddp/IMAGE.DAT"
sep='
%%LATHE-DDP%%
'
join() {
    first=1
    for f in DDPID DDPMS PQDESCR CDTEXT.BIN IMAGE.DAT CHECKSUM.MD5; do
        [ $first = 1 ] || printf '%s' "$sep"
        first=0
        [ -f "$1/$f" ] && cat "$1/$f"
    done
}
join "$work/ddp" > "$out/ddp/album"
rm "$work/ddp/CDTEXT.BIN"
join "$work/ddp" > "$out/ddp/no-cdtext"
exit 0
