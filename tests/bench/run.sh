#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: lathe against the resampling floor, sox, ffmpeg and a plain
# libebur128 loop on this machine; writes BENCHMARKS.md (or $BENCH_OUT).
#
# Environment:
#   BENCH_QUICK=1       a tiny album (2 tracks x 20 s) to iterate on the script
#   BENCH_RUNS=N        runs per figure (median; default 3)
#   BENCH_TRACKS, BENCH_SECONDS   album size (default 10 x 240 s)
#   BENCH_MEM="10 60"   the two album lengths (minutes) of the memory row
#   BENCH_OUT=FILE      where the report goes (default BENCHMARKS.md)
# The album and sessions are generated once into build/bench-cache/.
set -eu
BUILD=${BUILD:-build}
LATHE=${LATHE:-$PWD/lathe}
TOOLS=$PWD/$BUILD/tests/bench
SRC=$PWD/tests/bench
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-BENCHMARKS.md}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    TRACKS=${BENCH_TRACKS:-2}; SECONDS_=${BENCH_SECONDS:-20}; MEM=${BENCH_MEM:-"1 6"}
else
    TRACKS=${BENCH_TRACKS:-10}; SECONDS_=${BENCH_SECONDS:-240}; MEM=${BENCH_MEM:-"10 60"}
fi
GAP=2
CORES=$(nproc)
CACHE=$PWD/$BUILD/bench-cache/${TRACKS}x${SECONDS_}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

# ---- the album and its sessions ----

# session FILE NTRACKS OUTPUTS: the master chain (5-band EQ, compressor,
# true-peak limiter) over NTRACKS tracks, cycling through the mixes; OUTPUTS
# is "release" (DDP 44.1/16 shaped + FLAC 48/24) or "hires" (FLAC 96/24)
session() {
    {
        printf '[album]\ntitle = Bench\nperformer = lathe bench\nrate = 96000\n'
        printf 'target = -14 LUFS\nleveling = album\n\n[master]\ngain = +3dB\n'
        printf 'eq = highpass 25Hz\neq = lowshelf 90Hz +0.8dB q 0.7\n'
        printf 'eq = bell 250Hz -0.5dB q 1\neq = bell 3kHz -1dB q 1.2\n'
        printf 'eq = highshelf 10kHz +1dB q 0.7\n'
        printf 'comp = threshold -16dB ratio 1.5 attack 30ms release 200ms knee 6dB\n'
        printf 'limit = ceiling -1dBTP release 60ms\n'
        i=0
        while [ "$i" -lt "$2" ]; do
            printf '\n[track]\nfile = mixes/%02d.wav\ntitle = Track %d\ngap = %ds\n' \
                $((i % TRACKS + 1)) $((i + 1)) "$GAP"
            i=$((i + 1))
        done
        if [ "$3" = release ]; then
            printf '\n[output cd]\nformat = ddp\nrate = 44100\nbits = 16\ndither = shaped\nceiling = -1dBTP\n'
            printf '\n[output stream]\nformat = flac\nrate = 48000\nbits = 24\nceiling = -1dBTP\n'
        else
            printf '\n[output hires]\nformat = flac\nrate = 96000\nbits = 24\nceiling = -1dBTP\n'
        fi
    } > "$1"
}

if [ ! -f "$CACHE/.done" ]; then
    say "bench: generating the album ($TRACKS x $SECONDS_ s, 96 kHz/24-bit) in $CACHE"
    rm -rf "$CACHE"
    mkdir -p "$CACHE/mixes"
    "$TOOLS/make_album" "$CACHE/mixes" "$TRACKS" "$SECONDS_" 96000
    touch "$CACHE/.done"
fi
session "$CACHE/album.lathe" "$TRACKS" release
# the same with the converter lathe used before soxr, for the old floor
sed 's/^rate = 96000$/rate = 96000\nresampler = libsamplerate/' "$CACHE/album.lathe" > "$CACHE/album-src.lathe"
MIXES=$(ls "$CACHE"/mixes/*.wav)
ALBUM_S=$((TRACKS * (SECONDS_ + GAP)))

# ---- timing ----

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
xrt() { awk -v s="$1" -v w="$2" 'BEGIN { printf "%.1f", s / w }'; }

# timed N CMD...: runs CMD N times under /usr/bin/time; sets WALL (s),
# RSS (MiB) and CPU (user + system s), medians
timed() {
    runs_=$1
    shift
    : > "$TMP/all"
    i=0
    while [ "$i" -lt "$runs_" ]; do
        if ! /usr/bin/time -f '%e %M %U %S' -o "$TMP/one" "$@" > "$TMP/out" 2> "$TMP/err"; then
            cat "$TMP/err" >&2
            die "failed: $*"
        fi
        tail -n 1 "$TMP/one" >> "$TMP/all"
        i=$((i + 1))
    done
    WALL=$(awk '{ print $1 }' "$TMP/all" | median)
    RSS=$(awk '{ printf "%.1f\n", $2 / 1024 }' "$TMP/all" | median)
    CPU=$(awk '{ print $3 + $4 }' "$TMP/all" | median)
}

ROWS=""
# row WHAT FIGURE NOTE: a line of the results table
row() { ROWS="$ROWS| $1 | $2 | $3 |
"; say "  $1: $2  $3"; }

say "bench: album $ALBUM_S s, $RUNS runs per figure, $CORES cores"

# ---- render and its floor ----
say "bench: render"
timed "$RUNS" "$LATHE" render "$CACHE/album.lathe" -o "$TMP/r" -j 1
R1=$WALL; R1_RSS=$RSS; R1_CPU=$CPU
row "render -j 1" "$(xrt $ALBUM_S "$R1") x realtime ($R1 s, CPU $R1_CPU s)" "peak RSS $R1_RSS MiB"
timed "$RUNS" "$LATHE" render "$CACHE/album.lathe" -o "$TMP/r" -j "$CORES"
RN=$WALL; RN_RSS=$RSS; RN_CPU=$CPU
row "render -j $CORES" "$(xrt $ALBUM_S "$RN") x realtime ($RN s, CPU $RN_CPU s)" "peak RSS $RN_RSS MiB"
# The old converter (libsamplerate's best sinc), one run: it takes minutes.
timed 1 "$LATHE" render "$CACHE/album-src.lathe" -o "$TMP/r" -j "$CORES"
RS=$WALL; RS_CPU=$CPU
row "render -j $CORES, resampler = libsamplerate (1 run)" "$(xrt $ALBUM_S "$RS") x realtime ($RS s, CPU $RS_CPU s)" "soxr render CPU / this $(ratio "$RN_CPU" "$RS_CPU")"

# ---- sox and ffmpeg, each file on its own process, all cores ----
# sh -c "$EACH" sh JOBS SCRIPT OUTDIR FILE...: SCRIPT FILE OUTDIR for every file
EACH='j=$1 s=$2 o=$3; shift 3; printf "%s\n" "$@" | xargs -P "$j" -I{} sh "$s" {} "$o"'
say "bench: sox"
cat > "$TMP/sox.sh" <<'EOF'
f=$1; o=$2/$(basename "$f")
exec sox -q "$f" -b 16 "$o" gain -3 equalizer 250 1q -0.5 equalizer 3000 1.2q -1 \
    equalizer 6000 2q 0.5 bass +0.8 90 treble +1 10000 \
    compand 0.03,0.2 6:-70,-70,-16,-16,0,-10.67 0 -90 0.03 rate -v 44100 dither -s
EOF
mkdir -p "$TMP/sox"
# shellcheck disable=SC2086
timed "$RUNS" sh -c "$EACH" sh "$CORES" "$TMP/sox.sh" "$TMP/sox" $MIXES
SOX=$WALL
row "sox (same chain, one file per process, $CORES at a time)" "$(xrt $ALBUM_S "$SOX") x realtime ($SOX s)" "lathe/sox wall $(ratio "$RN" "$SOX") (lathe also makes the 48/24 FLAC)"
SOXR=$(ratio "$RN" "$SOX")     # lathe's wall time over sox's: 2 is half as fast

say "bench: ffmpeg"
cat > "$TMP/ff.sh" <<'EOF'
f=$1; o=$2/$(basename "$f")
m=$(ffmpeg -hide_banner -nostats -i "$f" -af loudnorm=I=-14:TP=-1:LRA=11:print_format=json -f null - 2>&1 |
    sed -n '/^{/,/^}/p' | tr -d ' \t\n"{}' | tr ',' '\n')
v() { printf '%s\n' "$m" | sed -n "s/^$1://p"; }
exec ffmpeg -hide_banner -nostats -loglevel error -y -i "$f" -af \
    "loudnorm=I=-14:TP=-1:LRA=11:measured_I=$(v input_i):measured_TP=$(v input_tp):measured_LRA=$(v input_lra):measured_thresh=$(v input_thresh):offset=$(v target_offset):linear=true,aresample=44100,aformat=sample_fmts=s16:channel_layouts=stereo" \
    -ar 44100 "$o"
EOF
mkdir -p "$TMP/ff"
# shellcheck disable=SC2086
timed "$RUNS" sh -c "$EACH" sh "$CORES" "$TMP/ff.sh" "$TMP/ff" $MIXES
FF=$WALL
row "ffmpeg two-pass loudnorm -14/-1, 44.1/16 ($CORES at a time)" "$(xrt $ALBUM_S "$FF") x realtime ($FF s)" "lathe/ffmpeg wall $(ratio "$RN" "$FF")"

# ---- analysis and leveling ----
say "bench: analysis"
# shellcheck disable=SC2086
timed "$RUNS" "$LATHE" analyze $MIXES
AN=$WALL; AN_CPU=$CPU
row "lathe analyze ($CORES cores)" "$(xrt $ALBUM_S "$AN") x realtime ($AN s, CPU $AN_CPU s)" "loudness, LRA, true peak, intake checks"
# shellcheck disable=SC2086
printf 'exec ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null -\n' > "$TMP/ffa.sh"
timed "$RUNS" sh -c "$EACH" sh "$CORES" "$TMP/ffa.sh" "$TMP" $MIXES
FFA=$WALL
row "ffmpeg ebur128=peak=true ($CORES at a time)" "$(xrt $ALBUM_S "$FFA") x realtime ($FFA s)" "ffmpeg/lathe $(ratio "$FFA" "$AN")"
# shellcheck disable=SC2086
timed "$RUNS" "$TOOLS/ebur_loop" $MIXES
EB=$WALL; EB_CPU=$CPU
row "plain libebur128 loop, 1 core" "$(xrt $ALBUM_S "$EB") x realtime ($EB s, CPU $EB_CPU s)" "lathe CPU / loop CPU $(ratio "$AN_CPU" "$EB_CPU")"
cp "$CACHE/album.lathe" "$TMP/level.lathe"
ln -sf "$CACHE/mixes" "$TMP/mixes"
timed 1 "$LATHE" level "$TMP/level.lathe"
LV=$WALL; LV_CPU=$CPU
PASSES=$(sed -n 's/.*(\([0-9]*\) pass.*/\1/p' "$TMP/out")
# one analysis pass of the album as leveling measures it: the premaster
# mixes, i.e. `lathe analyze` of the album
row "lathe level" "$LV s (CPU $LV_CPU s), $PASSES passes through the master chain" "$(ratio "$LV_CPU" "$AN_CPU") x the CPU of one \`lathe analyze\` of the album"

# ---- check, cold and warm (the measurement cache beside the session) ----
say "bench: check"
cp "$CACHE/album.lathe" "$TMP/check.lathe"
rm -f "$TMP/.check.lathe.cache"
# exit 1 is a finding (no ISRCs in the bench album), not a failure
CHECK='"$0" check "$1" >/dev/null; [ $? -le 1 ]'
timed 1 sh -c "$CHECK" "$LATHE" "$TMP/check.lathe"
CC=$WALL; CC_CPU=$CPU
row "lathe check, cold (1 run)" "$CC s (CPU $CC_CPU s)" "decodes and measures the album"
timed "$RUNS" sh -c "$CHECK" "$LATHE" "$TMP/check.lathe"
CW=$WALL; CW_CPU=$CPU
row "lathe check, warm" "$CW s (CPU $CW_CPU s)" "unchanged session: every figure from the cache"

# ---- memory against album length ----
say "bench: memory"
set -- $MEM
for minutes in "$@"; do
    n=$(( (minutes * 60 + SECONDS_ + GAP - 1) / (SECONDS_ + GAP) ))
    session "$CACHE/mem$minutes.lathe" "$n" hires
    timed 1 "$LATHE" render "$CACHE/mem$minutes.lathe" -o "$TMP/m" -j "$CORES"
    eval "MEM_$minutes=$RSS"
    row "render of a $minutes-minute album ($n tracks, FLAC 96/24, full chain)" "peak RSS $RSS MiB" "$WALL s"
    rm -rf "$TMP/m"
done
MEM_A=$(eval echo "\$MEM_$1"); MEM_B=$(eval echo "\$MEM_$2")
MEM_D=$(awk -v a="$MEM_A" -v b="$MEM_B" 'BEGIN { d = (b - a) / a * 100; printf "%.1f", d < 0 ? -d : d }')

# ---- playback through the null PCM ----
# The null PCM is paced in real time, so 30 s of the first track are played
# (not the whole track: the figure is CPU per second of music either way).
say "bench: playback"
TRACK_S=30
timed "$RUNS" "$LATHE" play "$CACHE/album.lathe" --from 2s --to 32s -D null
PL=$(awk -v c="$CPU" -v s="$TRACK_S" 'BEGIN { printf "%.2f", c / s * 100 }')
row "play -D null, session rate (96 kHz)" "$PL % of one core" "CPU $CPU s for $TRACK_S s of music"
timed "$RUNS" "$LATHE" play "$CACHE/album.lathe" --from 2s --to 32s -D null --output cd
PLC=$(awk -v c="$CPU" -v s="$TRACK_S" 'BEGIN { printf "%.2f", c / s * 100 }')
row "play -D null --output cd (96 to 44.1/16)" "$PLC % of one core" "CPU $CPU s for $TRACK_S s of music"

# ---- the console ----
say "bench: console"
session "$CACHE/console.lathe" 20 release
# the analysis cache first, as the issue asks: a console that was opened before
WARM=$(cd "$CACHE" && python3 "$SRC/pty_console.py" warm "$LATHE" console.lathe)
: > "$TMP/first"
i=0
while [ "$i" -lt "$RUNS" ]; do
    (cd "$CACHE" && python3 "$SRC/pty_console.py" first "$LATHE" console.lathe) >> "$TMP/first"
    i=$((i + 1))
done
FIRST=$(awk '{ printf "%.0f\n", $1 * 1000 }' "$TMP/first" | median)
row "console: first full frame, 20 tracks" "$FIRST ms" "80x24 pty; analysis cached before timing (the warm-up open took $WARM s)"
IDLE=$(cd "$CACHE" && python3 "$SRC/pty_console.py" idle "$LATHE" console.lathe)
NAV=$(cd "$CACHE" && python3 "$SRC/pty_console.py" nav "$LATHE" console.lathe)
PLAY=$(cd "$CACHE" && python3 "$SRC/pty_console.py" play "$LATHE" console.lathe)
row "console: bytes/s at 80x24" "playing with meters $PLAY B/s; idle $IDLE B/s; navigating (5 keys/s) $NAV B/s" "playing track 1 in real time (a file PCM paced as a card)"

# ---- the report ----
met() { awk -v v="$1" -v t="$2" -v lower="$3" 'BEGIN { ok = lower ? v <= t : v >= t; printf "%s", ok ? "met" : "NOT met" }'; }
AFF=$(ratio "$FFA" "$AN")
APC=$(ratio "$AN_CPU" "$EB_CPU")
LVX=$(ratio "$LV_CPU" "$AN_CPU")
MAXRSS=$(printf '%s\n%s\n' "$R1_RSS" "$RN_RSS" | sort -g | tail -n 1)
CPU_MODEL=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
{
    echo "# Benchmarks"
    echo
    echo "Written by \`make bench\` (tests/bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Machine: ${CPU_MODEL:-unknown CPU}, $CORES cores, $(uname -sr)."
    echo "Album: $TRACKS tracks x $SECONDS_ s + ${GAP} s gaps = $ALBUM_S s, 96 kHz/24-bit stereo WAV"
    echo "(tests/bench/make_album.c). Session: master gain, 5-band EQ, compressor,"
    echo "true-peak limiter; outputs DDP 44.1 kHz/16-bit shaped dither and FLAC 48 kHz/24-bit,"
    echo "both with a -1 dBTP ceiling. Figures are medians of $RUNS runs (leveling, memory: 1)."
    echo "x realtime = album length / wall time. The machine may be shared: CPU"
    echo "seconds are the steadier figure."
    echo
    echo "| what | figure | note |"
    echo "|---|---|---|"
    printf '%s' "$ROWS"
    echo
    echo "## Targets"
    echo
    echo "| target | measured | verdict |"
    echo "|---|---|---|"
    echo "| render at least half as fast as the sox chain, same cores | lathe/sox wall $SOXR | $(met "$SOXR" 2 1) |"
    echo "| a warm \`lathe check\` under 1 s | $CW s | $(met "$CW" 1 1) |"
    echo "| analysis >= 1.5x faster than ffmpeg ebur128 | $AFF x (wall, both on $CORES cores) | $(met "$AFF" 1.5 0) |"
    echo "| analysis no slower than the libebur128 loop per core | $APC x its CPU | $(met "$APC" 1 1) |"
    echo "| lathe level within 3 analysis passes | $LVX x (CPU), $PASSES passes | $(met "$LVX" 3 1) |"
    echo "| render peak RSS <= 64 MiB | $MAXRSS MiB | $(met "$MAXRSS" 64 1) |"
    echo "| RSS of $1- and $2-minute albums < 10 % apart | $MEM_A vs $MEM_B MiB, $MEM_D % | $(met "$MEM_D" 10 1) |"
    echo "| playback <= 2 % of a core at the session rate | $PL % | $(met "$PL" 2 1) |"
    echo "| playback <= 7 % of a core with the CD preview | $PLC % | $(met "$PLC" 7 1) |"
    echo "| console <= 8 KB/s at 80x24 while playing | $PLAY B/s | $(met "$PLAY" 8192 1) |"
    echo "| first frame within 150 ms | $FIRST ms | $(met "$FIRST" 150 1) |"
    if [ -f tests/bench/notes.md ]; then
        echo
        cat tests/bench/notes.md
    fi
} > "$OUT"
say "bench: wrote $OUT"
