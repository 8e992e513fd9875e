#!/bin/sh
# Hostile inputs, made in code (tests/hostile/*.py and below): broken and
# lying sound files, session files and DDP sets. Each is fed to the
# commands that read it; each must get one message naming the file and the
# problem, exit 2 (check: exit 1, a finding), no crash or sanitizer report,
# no hang, and no file changed or added in the folder.
. "$LATHE_TESTS/lib.sh"
# the files under test live in t/; lathe's output goes beside it
mkdir "$WORK/t" && cd "$WORK/t" || exit 2
HOSTILE="$LATHE_TESTS/hostile"
LIMIT=${HOSTILE_TIMEOUT:-120}
cases=0
# HOSTILE_QUICK=1 (make valgrind in CI): every input, but through fewer
# commands each
full() { [ -z "$HOSTILE_QUICK" ]; }

# the state of a folder: every name, and every regular file's bytes
snapshot() {
    (cd "$1" && find . | LC_ALL=C sort && find . -type f -exec md5sum {} + | LC_ALL=C sort) | md5sum
}

# run_h ARGS...: lathe under a time limit (a hang is a failure)
run_h() {
    timeout "$LIMIT" "$LATHE" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
    status=$?
    out=$(cat "$WORK/.out")
    err=$(cat "$WORK/.err")
}

# refused WHAT STATUS NAME MAXLINES ARGS...: lathe ARGS exits STATUS, its
# stderr has at most MAXLINES lines and names NAME, and it neither crashed
# nor hung. The folder's snapshot is compared by the caller.
refused() {
    what=$1 want=$2 name=$3 max=$4
    shift 4
    run_h "$@"
    lines=$(printf '%s\n' "$err" | grep -c .)
    if [ "$status" -eq 124 ]; then
        fail "$what" "hung: no answer in $LIMIT s"
    elif [ "$status" -gt 128 ]; then
        fail "$what" "killed by signal $((status - 128))" "$err"
    elif printf '%s\n' "$err" | grep -q 'Sanitizer\|runtime error\|LEAK SUMMARY\|Invalid read\|Invalid write'; then
        fail "$what" "sanitizer report" "$err"
    elif [ "$status" -ne "$want" ]; then
        fail "$what" "exit $status, expected $want" "$out" "$err"
    elif [ "$want" -eq 2 ] && { [ "$lines" -lt 1 ] || [ "$lines" -gt "$max" ]; }; then
        fail "$what" "expected one message on stderr, got $lines lines" "$err"
    elif [ "$want" -eq 2 ] && ! printf '%s\n' "$err" | head -n 1 | grep -qF -- "$name"; then
        fail "$what" "the message does not name $name" "$err"
    else
        ok "$what"
    fi
}

# unchanged WHAT DIR BEFORE
unchanged() {
    if [ "$(snapshot "$2")" = "$3" ]; then ok "$1: nothing changed"; else
        fail "$1: files changed" "$(ls -la "$2")"; fi
}

# ---- sound files ----
mkdir sounds s || exit 2
python3 "$HOSTILE/make_sounds.py" sounds || exit 2
mkdir sounds/folder.wav
ln -s loop.wav sounds/loop.wav
ln -s /dev/zero sounds/dev-zero.wav
mkfifo sounds/fifo.wav
"$TOOLS/make_tone" sounds/unreadable.wav 5 || exit 2
chmod 000 sounds/unreadable.wav
if [ "$(id -u)" = 0 ]; then
    echo "  skip unreadable.wav: running as root, which reads it anyway"
    rm -f sounds/unreadable.wav
fi
"$TOOLS/make_tone" tone.wav 5 || exit 2

# Every refused sound file: analyze and render refuse it (exit 2), check
# reports it (exit 1), new writes no session (exit 2).
for path in sounds/*; do
    f=$(basename "$path")
    case "$f" in riff-size-huge.wav|odd-data.wav|eight-bit.wav) continue ;; esac
    cases=$((cases + 1))
    printf '[track]\nfile = ../sounds/%s\n[output w]\nformat = wav\n' "$f" > "s/$f.lathe"
    before=$(snapshot .)
    refused "sound $f: analyze" 2 "$f" 1 analyze "$path"
    refused "sound $f: render" 2 "$f" 1 render "s/$f.lathe" -o s/out
    full || { unchanged "sound $f" . "$before"; continue; }
    run_h check "s/$f.lathe"
    if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q "^error: track 1: .*$f"; then
        ok "sound $f: check reports it"; else fail "sound $f: check reports it" "exit $status" "$out" "$err"; fi
    # new reads headers only: what only the samples show is for check
    case "$f" in *nan.wav|inf.wav) ;; *)
        refused "sound $f: new" 2 "$f" 2 new "s/new-$f.lathe" "$path" ;; esac
    unchanged "sound $f" . "$before"
done

# Accepted, with the problem named: 8-bit and lossy mixes are read (a
# reference may be an MP3) and the intake report says what they are.
printf '[track]\nfile = t.wav\n[output o]\nformat = mp3\nalbum = yes\n[output g]\nformat = ogg\nalbum = yes\n' > lossy.lathe
cp tone.wav t.wav
"$LATHE" render lossy.lathe -o lossy >/dev/null 2>&1 || fail "render the lossy files"
for path in sounds/eight-bit.wav lossy/o/*.mp3 lossy/g/*.ogg; do
    f=$(basename "$path")
    cases=$((cases + 1))
    before=$(snapshot .)
    run_h analyze "$path"
    if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q 'problem  \(depth: 8-bit\|lossy: decoded from a lossy\)'; then
        ok "sound $f: analyze names the problem"; else fail "sound $f: analyze" "exit $status" "$out" "$err"; fi
    printf '[track]\nfile = ../%s\n' "$path" > "s/acc.lathe"
    run_h check s/acc.lathe
    if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q "warning: track 1: .*\(8-bit\|lossy\)"; then
        ok "sound $f: check warns"; else fail "sound $f: check warns" "exit $status" "$out" "$err"; fi
    # check files its figures in the measurement cache beside the session
    rm -f s/acc.lathe s/.acc.lathe.cache
    unchanged "sound $f" . "$before"
done

# ---- session files ----
mkdir sess || exit 2
python3 "$HOSTILE/make_sessions.py" sess || exit 2
cp tone.wav sess/tone.wav
before=$(snapshot sess)
for path in sess/bad-*.lathe; do
    f=$(basename "$path")
    cases=$((cases + 1))
    refused "session $f: check" 2 "$f" 1 check "$path"
    full || continue
    refused "session $f: do" 2 "$f" 1 do "$path" 'gap 1s'
    refused "session $f: render" 2 "$f" 1 render "$path" -o sess/out
    refused "session $f: level" 2 "$f" 1 level "$path"
done
unchanged "bad sessions" sess "$before"
for path in sess/mix-*.lathe; do
    f=$(basename "$path")
    cases=$((cases + 1))
    run_h check "$path"
    if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q "^error: track 1: "; then
        ok "session $f: check reports the mix"; else fail "session $f: check" "exit $status" "$out" "$err"; fi
    mix=$(sed -n 's/^file = //p' "$path")
    refused "session $f: render" 2 "$mix" 1 render "$path" -o sess/out
    full && refused "session $f: level" 2 "$mix" 1 level "$path"
done
unchanged "sessions naming bad mixes" sess "$before"
for path in sess/ok-*.lathe; do
    f=$(basename "$path")
    cases=$((cases + 1))
    run_h check --no-audio "$path"
    if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q '^clean'; then
        ok "session $f: accepted"; else fail "session $f: accepted" "exit $status" "$out" "$err"; fi
done
unchanged "accepted sessions" sess "$before"
# a BOM and CRLF are read, and an edit writes plain LF without the BOM
cp sess/ok-bom-crlf.lathe edit.lathe
run_h do edit.lathe 'gap 3s'
if [ "$status" -eq 0 ] && ! grep -q "$(printf '\r')" edit.lathe && [ "$(head -c 3 edit.lathe)" = "[al" ] &&
   grep -q '^gap = 3s$' edit.lathe; then
    ok "BOM and CRLF: an edit writes LF without the BOM"; else fail "BOM and CRLF edit" "exit $status" "$err" "$(od -c edit.lathe | head -3)"; fi

# The session file itself is not a file: a folder, a FIFO, a device, a loop.
mkdir kinds kinds/folder.lathe || exit 2
mkfifo kinds/fifo.lathe
ln -s /dev/zero kinds/zero.lathe
ln -s loop.lathe kinds/loop.lathe
printf '[track]\nfile = ../tone.wav\n' > kinds/unreadable.lathe
chmod 000 kinds/unreadable.lathe
[ "$(id -u)" = 0 ] && { echo "  skip unreadable.lathe: running as root, which reads it anyway"; rm -f kinds/unreadable.lathe; }
before=$(snapshot kinds)
for path in kinds/*; do
    f=$(basename "$path")
    cases=$((cases + 1))
    refused "session file $f: check" 2 "$f" 1 check "$path"
    full || continue
    refused "session file $f: do" 2 "$f" 1 do "$path" 'gap 1s'
    refused "session file $f: render" 2 "$f" 1 render "$path" -o kinds/out
done
unchanged "session files that are not files" kinds "$before"
refused "session /dev/zero: check" 2 "/dev/zero" 1 check /dev/zero

# ---- DDP sets ----
mkdir ddp good || exit 2
"$TOOLS/make_ddp" good album || exit 2
fresh() { rm -rf "ddp/$1"; cp -r good "ddp/$1"; }
fresh ms-fifo; rm ddp/ms-fifo/DDPMS; mkfifo ddp/ms-fifo/DDPMS
fresh id-fifo; rm ddp/id-fifo/DDPID; mkfifo ddp/id-fifo/DDPID
fresh ms-zero; rm ddp/ms-zero/DDPMS; ln -s /dev/zero ddp/ms-zero/DDPMS
fresh ms-loop; rm ddp/ms-loop/DDPMS; ln -s DDPMS ddp/ms-loop/DDPMS
fresh ms-random; head -c 1000000 /dev/urandom | tr 'V' 'x' > ddp/ms-random/DDPMS
fresh ms-empty; : > ddp/ms-empty/DDPMS
fresh id-missing; rm ddp/id-missing/DDPID
mkdir ddp/empty
printf 'not a folder' > ddp/file
before=$(snapshot ddp)
for path in ddp/*; do
    f=$(basename "$path")
    cases=$((cases + 1))
    refused "ddp $f: verify" 2 "$f" 1 ddp verify "$path"
    full && refused "ddp $f: info" 2 "$f" 1 ddp info "$path" --json
    refused "ddp $f: extract" 2 "$f" 1 ddp extract "$path" -o ddp-out
done
unchanged "DDP sets that are not DDP" ddp "$before"
[ ! -e ddp-out ] || [ -z "$(ls -A ddp-out)" ] && ok "ddp extract wrote nothing" || fail "ddp extract wrote" "$(ls -R ddp-out)"

# A readable set whose image is a FIFO, a device or missing: verify finds
# it (exit 1), extract refuses (exit 2); nothing hangs.
rm -rf ddp2 && mkdir ddp2
for kind in fifo zero missing short; do
    cp -r good "ddp2/image-$kind"
    rm "ddp2/image-$kind/IMAGE.DAT"
done
mkfifo ddp2/image-fifo/IMAGE.DAT
ln -s /dev/zero ddp2/image-zero/IMAGE.DAT
head -c 1000 good/IMAGE.DAT > ddp2/image-short/IMAGE.DAT
before=$(snapshot ddp2)
for path in ddp2/*; do
    f=$(basename "$path")
    cases=$((cases + 1))
    run_h ddp verify "$path"
    if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q '^error: .*IMAGE.DAT'; then
        ok "ddp $f: verify names IMAGE.DAT"; else fail "ddp $f: verify" "exit $status" "$out" "$err"; fi
    refused "ddp $f: extract" 2 "$f" 1 ddp extract "$path" -o ddp2-out
done
unchanged "DDP sets with a bad image" ddp2 "$before"

echo "  $cases hostile inputs"
[ "$cases" -ge 50 ] && ok "at least 50 hostile inputs" || fail "only $cases hostile inputs"
summary
