#!/bin/sh
# No silent wrong master (issue 16): a mix cut, rewritten or replaced while
# a render reads it fails the render (exit 3, nothing delivered, the mix
# named); a header that promises more audio than its file holds (an
# over-stated FLAC STREAMINFO, a cut-off Ogg) is refused by every command
# that reads it (exit 2, quickly); files lathe reads that are FIFOs are
# refused, never waited on. Every run is under `timeout` and a file size
# limit, so a hang or a render that fills the disk is a failure, not a
# stuck suite.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
LIMIT=10
sanitized && LIMIT=60     # ASan runs several times slower

# run_t ARGS...: lathe with a time and output-size limit; leaves $status,
# $out and $err
run_t() {
    (ulimit -f 1000000; exec timeout "$LIMIT" "$LATHE" "$@") >"$WORK/.out" 2>"$WORK/.err" </dev/null
    status=$?
    out=$(cat "$WORK/.out")
    err=$(cat "$WORK/.err")
}

# refused WHAT STATUS TEXT ARGS...: lathe ARGS exits STATUS and says TEXT
refused() {
    what=$1 want=$2 text=$3
    shift 3
    run_t "$@"
    if [ "$status" -eq 124 ]; then
        fail "$what" "no answer in $LIMIT s"
    elif [ "$status" -ne "$want" ]; then
        fail "$what" "exit $status, expected $want" "$(printf '%s\n' "$err" | head -n 3)"
    elif ! printf '%s\n%s\n' "$err" "$out" | grep -qF -- "$text"; then
        fail "$what" "no \"$text\" in the output" "$(printf '%s\n' "$err" | head -n 3)"
    else
        ok "$what"
    fi
}

# session DIR MIX: a session of one track with one WAV output
session() {
    cat >"$1/s.lathe" <<EOF
[album]
title = t
rate = 44100

[track]
file = $2
title = one

[output cd]
format = wav
rate = 44100
bits = 16
EOF
}

# nothing_delivered WHAT DIR: no output folder, no temporary left
nothing_delivered() {
    if [ -e "$2/out/cd" ] || ls -A "$2/out" 2>/dev/null | grep -q .; then
        fail "$1: nothing delivered" "$(ls -la "$2/out")"
    else
        ok "$1: nothing delivered"
    fi
}

# ---- a mix that changes while the render reads it ----
# Ten minutes of mono 16-bit: a few seconds of rendering, 53 MB of file.
mkdir live
"$TOOLS/make_tone" live/long.orig 600 44100 1 16 >/dev/null || exit 2
session live long.wav

# during WHAT COMMAND: renders, runs COMMAND (in live/) the moment the
# render's temporary folder shows (the mixes have been read in by then),
# and leaves the render's $status and $err
during() {
    cp live/long.orig live/long.wav
    rm -rf live/out
    timeout 60 "$LATHE" render live/s.lathe cd -o live/out -j 1 >"$WORK/.out" 2>"$WORK/.err" &
    pid=$!
    n=0
    while [ $n -lt 200 ] && ! ls -A live/out 2>/dev/null | grep -q '^\.lathe-render-'; do
        sleep 0.05
        n=$((n + 1))
    done
    if [ $n -ge 200 ]; then
        fail "$1: the render never started"
    fi
    (cd live && eval "$2")
    wait $pid
    status=$?
    err=$(cat "$WORK/.err")
}

during "truncated" "truncate -s 20000000 long.wav"
check_eq "a mix truncated during the render: exit 3" 3 "$status"
case $err in
*"long.wav changed while rendering (size 52.9 MB -> 20.0 MB); nothing was written"*)
    ok "the message names the mix and its sizes" ;;
*) fail "the message names the mix and its sizes" "$err" ;;
esac
nothing_delivered "truncated" live

during "rewritten" "dd if=/dev/zero of=long.wav bs=4096 count=4 seek=100 conv=notrunc 2>/dev/null"
check_eq "a mix rewritten in place (same size) during the render: exit 3" 3 "$status"
case $err in
*"long.wav changed while rendering (rewritten: same size"*) ok "the message says it was rewritten" ;;
*) fail "the message says it was rewritten" "$err" ;;
esac
nothing_delivered "rewritten" live

cp live/long.orig live/other.wav
during "replaced" "mv other.wav long.wav"
check_eq "a mix replaced by another file during the render: exit 3" 3 "$status"
case $err in
*"long.wav changed while rendering (replaced by another file)"*) ok "the message says it was replaced" ;;
*) fail "the message says it was replaced" "$err" ;;
esac
nothing_delivered "replaced" live

# playback (to a file device) of a mix cut as it plays: it ends with the
# mix named, not a crash and not minutes of silence
cp live/long.orig live/long.wav
rm -f live/p.raw
timeout 60 "$LATHE" play live/s.lathe --period 1024 -D "file:'$WORK/live/p.raw',raw" \
    >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
n=0
while [ $n -lt 500 ] && [ ! -e live/p.raw ]; do sleep 0.02; n=$((n + 1)); done
truncate -s 20000000 live/long.wav
wait $pid
status=$?
err=$(cat "$WORK/.err")
case "$status $err" in
"3 "*"long.wav changed while it was read (size 52.9 MB -> 20.0 MB)"*)
    ok "play: a mix cut as it plays ends playback with the mix named" ;;
*) fail "play: a mix cut as it plays ends playback with the mix named" "exit $status" "$err" ;;
esac

# the same render, left alone, delivers
cp live/long.orig live/long.wav
rm -rf live/out
refused "an unchanged long mix renders" 0 "cd:" render live/s.lathe cd -o live/out -j 1

# ---- headers that promise more than the file holds ----
mkdir lies
"$TOOLS/make_tone" lies/tone.wav 10 44100 2 16 >/dev/null || exit 2
"$TOOLS/make_tone" lies/minute.wav 60 44100 2 16 >/dev/null || exit 2
sox lies/tone.wav lies/big.flac && sox lies/tone.wav lies/double.flac &&
    sox lies/minute.wav lies/whole.ogg || exit 2
# STREAMINFO's total samples: the low 36 bits of bytes 13..17 of its body,
# which starts after "fLaC" and the 4-byte block header
python3 - lies/big.flac 68719476735 lies/double.flac 882000 <<'EOF' || exit 2
import sys
for path, total in zip(sys.argv[1::2], sys.argv[2::2]):
    b = bytearray(open(path, 'rb').read())
    assert b[:4] == b'fLaC' and b[4] & 0x7f == 0
    o = 8 + 13
    v = int.from_bytes(b[o:o + 5], 'big')
    assert v & ((1 << 36) - 1) == 441000
    v = (v & ~((1 << 36) - 1)) | int(total)
    b[o:o + 5] = v.to_bytes(5, 'big')
    open(path, 'wb').write(b)
EOF
# an Ogg cut off in the middle: libsndfile finds no last page and reports
# INT64_MAX frames
size=$(wc -c <lies/whole.ogg)
head -c $((size / 2)) lies/whole.ogg >lies/cut.ogg

for mix in big.flac double.flac cut.ogg; do
    mkdir "lies/${mix%.*}"
    cp "lies/$mix" "lies/${mix%.*}/"
    session "lies/${mix%.*}" "$mix"
    case $mix in
    double.flac) why="but the audio ends before" ;;
    *) why="(over 24 hours) — a broken or cut-off file" ;;
    esac
    refused "$mix: analyze refuses it" 2 "$mix: the header" analyze "lies/$mix"
    refused "$mix: analyze says why" 2 "$why" analyze "lies/$mix"
    refused "$mix: new refuses it" 2 "$mix: the header" new "lies/n.lathe" "lies/$mix"
    if [ -e lies/n.lathe ]; then fail "$mix: new wrote no session" "$(cat lies/n.lathe)"; rm -f lies/n.lathe
    else ok "$mix: new wrote no session"; fi
    # check reports an unreadable mix as a finding (exit 1), named
    refused "$mix: check finds it" 1 "$mix: the header" check "lies/${mix%.*}/s.lathe"
    refused "$mix: render refuses it" 2 "$mix: the header" render "lies/${mix%.*}/s.lathe" -o "lies/${mix%.*}/out"
    nothing_delivered "$mix" "lies/${mix%.*}"
done

# ---- files lathe reads that are FIFOs: refused, never waited on ----
# The console's analysis cache beside the session and its key bindings are
# read before it draws: as FIFOs (no writer) they hung it. Each console
# runs in tmux; a screen that never shows the track list is a hang.
. "$LATHE_TESTS/tmux.sh"
mkdir -p fifo/config/lathe
"$TOOLS/make_tone" fifo/one.wav 5 44100 2 24 >/dev/null || exit 2
session fifo one.wav
mkfifo fifo/.s.lathe.cache fifo/keys

# console NAME [ENV]: the console on fifo/s.lathe, reporting its exit
console() {
    T kill-session -t "$1" 2>/dev/null
    T new-session -d -s "$1" -x 80 -y 24 \
        "cd '$WORK/fifo' && env LATHE_DEVICE=lathe_no_device LC_ALL=C.UTF-8 TERM=xterm XDG_CONFIG_HOME='$WORK/fifo/config' $2 '$LATHE' s.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
}

console cache
if wait_for cache "playback not available" 10 >/dev/null; then
    ok "a FIFO as the analysis cache: the console draws"
    T send-keys -t cache q
    wait_exit cache
    check_eq "a FIFO as the analysis cache: the console quits cleanly" 0 "$code"
else
    fail "a FIFO as the analysis cache: the console draws" "hung before drawing"
    T kill-session -t cache
fi
rm -f fifo/.s.lathe.cache

console keys "LATHE_KEYS='$WORK/fifo/keys'"
if wait_for keys "not a regular file (a FIFO)" 10 >/dev/null ||
   wait_for keys "playback not available" 1 >/dev/null; then
    ok "a FIFO as the key bindings file: the console does not wait on it"
else
    fail "a FIFO as the key bindings file: the console does not wait on it" "hung before drawing"
fi
T kill-session -t keys 2>/dev/null

summary
