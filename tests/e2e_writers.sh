#!/bin/sh
# End-to-end tests of writers side by side: two `lathe do` loops keep every
# edit, a `do` during a render survives the render's revision bump, two
# `lathe new` at once never both write, links and read-only sessions, and
# the console asked what to do when the file changed under it.
. "$LATHE_TESTS/lib.sh"
. "$LATHE_TESTS/tmux.sh"
"$TOOLS/make_tone" a.wav 3 44100 2 24 -12 440 || exit 2
"$TOOLS/make_tone" b.wav 3 44100 2 24 -12 660 || exit 2

# Two loops of 60 `do`s on one session, each on its own track.
"$LATHE" new loops.lathe a.wav b.wav >/dev/null || exit 2
( for i in $(seq 60); do "$LATHE" do loops.lathe 'select 1' "note A$i" >/dev/null 2>>loops.err || echo "A$i exit $?" >>loops.err; done ) &
( for i in $(seq 60); do "$LATHE" do loops.lathe 'select 2' "note B$i" >/dev/null 2>>loops.err || echo "B$i exit $?" >>loops.err; done ) &
wait
check_eq "two do loops at once: all 60 + 60 notes kept, no run failed" "60 60 0" \
    "$(grep -c '^note = A' loops.lathe) $(grep -c '^note = B' loops.lathe) $(wc -l <loops.err | tr -d ' ')"

# A `do` while a render with a client copy runs: the render bumps the
# revision in the file as it is at the end, with the do's edit.
"$TOOLS/make_tone" long.wav 40 96000 2 24 -12 440 || exit 2
"$LATHE" new render.lathe long.wav >/dev/null || exit 2
"$LATHE" render render.lathe client -o out -j 1 >render.out 2>render.err &
rpid=$!
n=0
while [ $n -lt 200 ] && ! ls -a out 2>/dev/null | grep -q '^\.lathe-render-'; do sleep 0.05; n=$((n + 1)); done
run_lathe do render.lathe 'select 1' 'note set during the render'
dostatus=$status
wait $rpid
rstatus=$?
check_eq "a do during a render: both exit 0, the note and the revision bump are in the file" \
    "0 0 1 1" "$dostatus $rstatus $(grep -c '^note = set during the render' render.lathe) $(grep -c '^revision = 1' render.lathe)"

# Two `new` of one name at once, twenty times: never both written.
both=0
other=""
for i in $(seq 20); do
    rm -f n.lathe
    "$LATHE" new n.lathe a.wav >/dev/null 2>&1 &
    p1=$!
    "$LATHE" new n.lathe b.wav >/dev/null 2>&1 &
    p2=$!
    wait $p1; s1=$?
    wait $p2; s2=$?
    [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && both=$((both + 1))
    [ $((s1 + s2)) -eq 2 ] || other="$other $s1/$s2"
done
check_eq "two new of one session at once: never both succeed (of 20 tries), the other exits 2" \
    "0 " "$both $other"

# A session reached through a link: the link stays, its target changes.
mkdir -p real && cp loops.lathe real/s.lathe && cp a.wav b.wav real/ && ln -s real/s.lathe linked.lathe
run_lathe do linked.lathe 'select 1' 'gap 1s'
if [ "$status" = 0 ] && [ -L linked.lathe ] && grep -q '^gap = 1s' real/s.lathe; then
    ok "do through a link edits the target and keeps the link"
else
    fail "do through a link" "exit $status: $err" "$(ls -l linked.lathe)"
fi

# A read-only session is refused, never replaced (root may write it anyway).
cp loops.lathe ro.lathe && chmod 444 ro.lathe && cp ro.lathe ro.orig
run_lathe do ro.lathe 'select 1' 'gap 1s'
if [ "$status" = 3 ] && cmp -s ro.lathe ro.orig && [ "$(stat -c %a ro.lathe)" = 444 ] &&
   echo "$err" | grep -q "read-only"; then
    ok "a read-only session is refused (exit 3) and left as it was"
else
    fail "a read-only session" "exit $status: $err" "mode $(stat -c %a ro.lathe)"
fi

# The console with unsaved edits, a `do` from outside, then `s`: it asks.
# console_conflict NAME KEY: opens NAME.lathe, raises track 1's gain, lets
# `lathe do` add a note to track 2, saves and answers KEY.
console_conflict() {
    "$LATHE" new "$1.lathe" a.wav b.wav >/dev/null || return 1
    T new-session -d -s "$1" -x 80 -y 24 \
        "cd '$WORK' && env LATHE_DEVICE=lathe_no_device LANG=C.UTF-8 TERM=xterm '$LATHE' $1.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
    wait_for "$1" "playback not available" >/dev/null || return 1
    T send-keys -t "$1" +
    wait_for "$1" "+0.5" >/dev/null || return 1
    "$LATHE" do "$1.lathe" 'select 2' 'note from outside' >/dev/null || return 1
    T send-keys -t "$1" s
    wait_for "$1" "file changed on disk: r reloads" || return 1
    T send-keys -t "$1" "$2"
}
if console_conflict mine m && wait_for mine "yours saved as mine.mine.lathe" &&
   grep -q '^note = from outside' mine.lathe && ! grep -q '^gain' mine.lathe &&
   grep -q '^gain = +0.5dB' mine.mine.lathe && ! grep -q '^note' mine.mine.lathe; then
    ok "console: s after an outside edit asks; m keeps theirs and saves ours as NAME.mine.lathe"
else
    fail "console keeps both sides with m" "$(cat mine.lathe 2>/dev/null | grep -E '^(note|gain)')"
fi
T kill-session -t mine 2>/dev/null
if console_conflict reload r && wait_for reload "reloaded reload.lathe (theirs)" &&
   grep -q '^note = from outside' reload.lathe && ! grep -q '^gain' reload.lathe &&
   grep -q '^gain = +0.5dB' reload.mine.lathe; then
    T send-keys -t reload q
    wait_exit reload
    check_eq "console: r reloads theirs (ours in NAME.mine.lathe), then quits clean" "0" "$code"
else
    fail "console reloads with r" "$(cat reload.lathe 2>/dev/null | grep -E '^(note|gain)')"
fi
# q with unsaved edits, s, and the file changed meanwhile: the question,
# then m keeps both sides and the console quits as asked.
"$LATHE" new quitting.lathe a.wav b.wav >/dev/null || exit 2
T new-session -d -s quitting -x 80 -y 24 \
    "cd '$WORK' && env LATHE_DEVICE=lathe_no_device LANG=C.UTF-8 TERM=xterm '$LATHE' quitting.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
if wait_for quitting "playback not available" >/dev/null && T send-keys -t quitting + &&
   wait_for quitting "+0.5" >/dev/null &&
   "$LATHE" do quitting.lathe 'select 2' 'note from outside' >/dev/null &&
   T send-keys -t quitting q && wait_for quitting "unsaved changes" >/dev/null &&
   T send-keys -t quitting s && wait_for quitting "file changed on disk: r reloads" >/dev/null; then
    T send-keys -t quitting m
    wait_exit quitting
    if [ "$code" = 0 ] && grep -q '^note = from outside' quitting.lathe && grep -q '^gain = +0.5dB' quitting.mine.lathe; then
        ok "console: q, s, a changed file, m: both kept and the console quits"
    else
        fail "console quits after the changed-file question" "exit $code"
    fi
else
    fail "console: q with unsaved edits and a changed file"
fi

# A render from the console while `lathe do` edits the file: the revision
# the client copy carries is in the file with the do's edit, and the
# console takes the file in once the render is done.
"$LATHE" new crender.lathe long.wav >/dev/null || exit 2
T new-session -d -s crender -x 80 -y 24 \
    "cd '$WORK' && env LATHE_DEVICE=lathe_no_device LANG=C.UTF-8 TERM=xterm '$LATHE' crender.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
wait_for crender "playback not available" >/dev/null
T send-keys -t crender : "render client" Enter
n=0
while [ $n -lt 200 ] && ! ls -a render 2>/dev/null | grep -q '^\.lathe-render-'; do sleep 0.05; n=$((n + 1)); done
"$LATHE" do crender.lathe 'select 1' 'note during the console render' >/dev/null
if wait_for crender "render done" 60 >/dev/null && wait_for crender "reloaded crender.lathe" 10 &&
   grep -q '^revision = 1' crender.lathe && grep -q '^note = during the console render' crender.lathe; then
    ok "console render with an outside edit: the file has the edit and the revision; the console reloads"
else
    fail "console render with an outside edit" "$(grep -E '^(revision|note)' crender.lathe)"
fi
T kill-session -t crender 2>/dev/null

# A console with nothing unsaved takes another writer's save in by itself.
"$LATHE" new clean.lathe a.wav b.wav >/dev/null || exit 2
T new-session -d -s clean -x 80 -y 24 \
    "cd '$WORK' && env LATHE_DEVICE=lathe_no_device LANG=C.UTF-8 TERM=xterm '$LATHE' clean.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
if wait_for clean "playback not available" >/dev/null &&
   "$LATHE" do clean.lathe 'select 1' 'title Renamed Outside' >/dev/null &&
   wait_for clean "reloaded clean.lathe" && wait_for clean "Renamed Outside"; then
    T send-keys -t clean + s
    wait_for clean "saved clean.lathe" >/dev/null
    T send-keys -t clean q
    wait_exit clean
    if [ "$code" = 0 ] && grep -q '^title = Renamed Outside' clean.lathe && grep -q '^gain = +0.5dB' clean.lathe; then
        ok "a clean console reloads another writer's save, and its next save keeps both"
    else
        fail "clean console after reload" "exit $code" "$(grep -E '^(title|gain)' clean.lathe)"
    fi
else
    fail "a clean console reloads another writer's save"
fi
summary
