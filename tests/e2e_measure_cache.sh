#!/bin/sh
# End-to-end tests of the measurement cache shared by the commands
# (audio/measure_reuse.h): a warm `check` prints what a cold one prints,
# measures nothing, an edit measures the album pass again and no mix, a
# changed mix only that mix, and a cache that does not read is ignored.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 6 48000 2 24 -18 440 || exit 2
"$TOOLS/make_tone" b.wav 5 48000 2 24 -12 1000 || exit 2
"$TOOLS/make_tone" c.wav 7 48000 2 24 -20 220 || exit 2
cat > s.lathe <<'END'
[album]
rate = 48000
target = -14 LUFS
leveling = album

[master]
comp = threshold -20dB ratio 2 attack 10ms release 300ms
limit = ceiling -1dBTP

[track]
file = a.wav

[track]
file = b.wav
gain = +1dB

[track]
file = c.wav

[output stream]
format = flac
rate = 48000
bits = 24
ceiling = -2dBTP
END
CACHE=.s.lathe.cache
export LATHE_MEASURE_STATS=1

# check_run NAME ARGS...: `lathe check ARGS s.lathe`, stdout in $WORK/NAME,
# the cost line in $stats
check_run() {
    name=$1
    shift
    "$LATHE" check "$@" s.lathe >"$name" 2>"$name.err"
    status=$?
    stats=$(grep 'measured' "$name.err")
}

# same NAME A B: files A and B are byte-identical
same() {
    if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$(diff "$2" "$3" | head -5)"; fi
}

# cost NAME EXPECTED: the last run's cost line
cost() {
    check_eq "$1" "lathe check: $2" "$stats"
}

rm -f "$CACHE"
check_run cold
cost "a cold check measures every mix and the album" "measured 3 mixes (0 from the cache), 3 tracks in 1 album passes (0 from the cache)"
grep -q 'renders at' cold && ok "the report has the album's loudness" || fail "no loudness line" "$(cat cold)"
[ -f "$CACHE" ] && ok "the cache is written beside the session" || fail "no $CACHE"
check_run warm
cost "a warm check measures nothing" "measured 0 mixes (3 from the cache), 0 tracks in 0 album passes (3 from the cache)"
same "a warm check prints what a cold one prints" cold warm

rm -f "$CACHE"
check_run cold.json --json
check_run warm.json --json
same "--json: warm equals cold" cold.json warm.json
cost "--json: the warm one measured nothing" "measured 0 mixes (3 from the cache), 0 tracks in 0 album passes (3 from the cache)"

rm -f "$CACHE"
check_run cold.pf --platforms
check_run warm.pf --platforms
same "--platforms: warm equals cold" cold.pf warm.pf
cost "--platforms: the warm one measured nothing" "measured 0 mixes (3 from the cache), 0 tracks in 0 album passes (3 from the cache)"

# an edit of track 2's gain: the album pass again, no mix
sed 's/^gain = +1dB$/gain = +4dB/' s.lathe > t && mv t s.lathe
check_run edited.pf --platforms
cost "an edit of a track measures the album pass and no mix" "measured 0 mixes (3 from the cache), 3 tracks in 1 album passes (0 from the cache)"
if cmp -s cold.pf edited.pf; then fail "the figures did not change with the gain"; else ok "the figures change with track 2's gain"; fi
rm -f "$CACHE"
check_run edited-cold.pf --platforms
same "the edited figures equal a cold check of the edited session" edited.pf edited-cold.pf
check_run edited-warm --json
rm -f "$CACHE"
check_run edited-cold --json
same "--json after an edit equals a cold check" edited-warm edited-cold

# a cache that does not read is only a missing cache
check_run ref
printf 'lathe-measure-cache 2 build=x\nalbum\tgarbage\n\001\002\003' > "$CACHE"
check_run corrupt
same "a corrupt cache is ignored" ref corrupt
cost "a corrupt cache: everything is measured" "measured 3 mixes (0 from the cache), 3 tracks in 1 album passes (0 from the cache)"
size=$(wc -c < "$CACHE")
head -c $((size - 40)) "$CACHE" > t && mv t "$CACHE"
check_run truncated
same "a truncated cache is ignored where it was cut" ref truncated
case "$stats" in
*"1 album passes"*) ok "the album line cut short was measured again" ;;
*) fail "a truncated album line was taken" "$stats" ;;
esac
rm -f "$CACHE"
mkfifo "$CACHE"
timeout 60 "$LATHE" check s.lathe > fifo 2>/dev/null
[ $? -ne 124 ] && ok "a FIFO at the cache's name does not hang check" || fail "check hung on a FIFO cache"
same "a FIFO cache is ignored" ref fifo
[ -f "$CACHE" ] && [ ! -p "$CACHE" ] && ok "the FIFO makes way for a cache file" || fail "no cache file after the FIFO"
rm -f "$CACHE"
# a folder that cannot take the cache (a folder in its place stands in for
# a read-only one, which root could write anyway)
mkdir "$CACHE"
check_run nowrite
same "check works where the cache cannot be written" ref nowrite
check_eq "nowrite: exit as before" 1 "$status"
rmdir "$CACHE"

# a mix rewritten with the same size: only it is measured again
check_run before
"$TOOLS/make_tone" b.wav 5 48000 2 24 -12 1500 || exit 2
check_run rewritten
cost "a rewritten mix is measured again, and the album pass" "measured 1 mixes (2 from the cache), 3 tracks in 1 album passes (0 from the cache)"
rm -f "$CACHE"
check_run rewritten-cold
same "after a rewritten mix the figures equal a cold check" rewritten rewritten-cold

# analyze --tonal shares the cache: the tracks' spectra and the reference's
"$TOOLS/make_tone" ref.wav 6 44100 2 24 -14 2000 || exit 2
printf '\n[reference]\nfile = ref.wav\nname = bright\n' >> s.lathe
# tonal_run NAME ARGS...: `lathe analyze --tonal ARGS s.lathe`
tonal_run() {
    name=$1
    shift
    "$LATHE" analyze --tonal "$@" s.lathe >"$name" 2>"$name.err"
    stats=$(grep 'measured' "$name.err")
}
rm -f "$CACHE"
tonal_run tonal-cold
check_eq "tonal: a cold run measures the reference and the album" "lathe analyze: measured 1 files (0 from the cache), 3 tracks in 1 album passes (0 from the cache)" "$stats"
tonal_run tonal-warm
check_eq "tonal: a warm run measures nothing" "lathe analyze: measured 0 files (1 from the cache), 0 tracks in 0 album passes (3 from the cache)" "$stats"
same "tonal: warm equals cold" tonal-cold tonal-warm
tonal_run tonal-json-warm --json
tonal_run tonal-t2 -t 2
check_eq "tonal -t 2 is its own measurement (one track)" "lathe analyze: measured 0 files (1 from the cache), 1 tracks in 1 album passes (0 from the cache)" "$stats"
tonal_run tonal-t2-warm -t 2
same "tonal -t 2: warm equals cold" tonal-t2 tonal-t2-warm
rm -f "$CACHE"
tonal_run tonal-json-cold --json
same "tonal --json: warm equals cold" tonal-json-cold tonal-json-warm
# a check after the tonal analysis keeps both kinds in the one file
check_run with-tonal
tonal_run tonal-after-check --json
check_eq "the check's entries did not push out the tonal ones" "lathe analyze: measured 0 files (1 from the cache), 0 tracks in 0 album passes (3 from the cache)" "$stats"

# two checks at once leave a cache that reads
rm -f "$CACHE"
"$LATHE" check s.lathe > par1 2>/dev/null &
"$LATHE" check s.lathe > par2 2>/dev/null
wait
check_run after-par
cost "after two checks at once the cache reads whole" "measured 0 mixes (3 from the cache), 0 tracks in 0 album passes (3 from the cache)"
same "and both printed the same" par1 par2
summary
