#!/bin/sh
# End-to-end tests of the console, driven through tmux: editing by keys
# alone at 80x24 and 200x50 in UTF-8 and in LANG=C, the key list, rebinding
# from the config file, quitting with unsaved edits, recovery after kill -9
# and SIGTERM, resizing, and a snapshot of the screen's static parts.
# Every wait polls the screen with a timeout; a private tmux server is
# killed at the end whatever happens.
. "$LATHE_TESTS/lib.sh"
. "$LATHE_TESTS/tmux.sh"
"$TOOLS/make_demo" album >/dev/null || exit 2
mkdir -p config/lathe
DATA="$LATHE_TESTS/data"

# start NAME COLS ROWS LOCALE TERM [DIR SESSION]: the console (on the demo
# unless told) in a detached
# session of that size. The shell around it reports the exit status (tmux
# can be slow to reap a pane's process, so its own status is not used).
start() {
    T kill-session -t "$1" 2>/dev/null
    T new-session -d -s "$1" -x "$2" -y "$3" \
        "cd '$WORK/${6:-album}' && env LATHE_DEVICE=lathe_no_device LC_ALL=$4 LANG=$4 TERM=$5 XDG_CONFIG_HOME='$WORK/config' '$LATHE' ${7:-demo.lathe}; echo \"lathe exited \$?\"; exec sleep 100000"
}
fresh() { rm -f album/demo.lathe album/demo.lathe~ album/.demo.lathe.recover; cp demo.orig album/demo.lathe; }
cp album/demo.lathe demo.orig

# What the keys below do, run through `lathe do` on a copy: the same commands.
mkdir expect && cp -r album/mixes expect/ && cp demo.orig expect/demo.lathe
run_lathe do expect/demo.lathe 'move down' 'gap-by -0.5s' 'gain-by +0.5dB' 'select 1' \
    'gain-by -0.5dB' undo
check_eq "lathe do makes the expected edit" "0" "$status"
if cmp -s expect/demo.lathe "$DATA/console_edit.lathe"; then
    ok "the edit matches the stored expected session"
else
    fail "the edit differs from tests/data/console_edit.lathe" "$(diff "$DATA/console_edit.lathe" expect/demo.lathe | head -n 10)"
fi

# edit_by_keys COLS ROWS LOCALE TERM
edit_by_keys() {
    what="$1x$2 $3 $4"
    fresh
    start ed "$1" "$2" "$3" "$4"
    if ! wait_for ed "playback not available"; then
        fail "$what: the console opens and says playback is not available"
        return
    fi
    # J moves track 1 down, [ shortens its gap, + raises its gain,
    # k and - lower track 1's gain, u undoes that, s saves
    T send-keys -t ed J '[' + k - u s
    if ! wait_for ed "saved demo.lathe"; then
        fail "$what: save by keys"
        return
    fi
    T send-keys -t ed q
    wait_exit ed
    if [ "$code" = 0 ] && cmp -s album/demo.lathe expect/demo.lathe && [ ! -e album/.demo.lathe.recover ]; then
        ok "$what: reorder, gap, gain, undo and save by keys"
    else
        fail "$what: session after the keys (exit $code)" "$(diff expect/demo.lathe album/demo.lathe | head -n 10)" "$(screen ed)" "$(ps -ef | grep '[l]athe demo')"
    fi
}
edit_by_keys 80 24 C.UTF-8 xterm-256color
edit_by_keys 200 50 C.UTF-8 xterm-256color
edit_by_keys 80 24 C vt100
edit_by_keys 200 50 C vt100

# ? lists every binding of the default table, at both sizes.
bindings=$(sed -n '/^static const struct { const char \*key, \*command; } defaults/,/^};/p' \
    "$LATHE_TESTS/../tui/bindings.c" | sed -n 's/^ *{ "\(.*\)", "\(.*\)" },$/\1\t\2/p')
nbind=$(printf '%s\n' "$bindings" | grep -c .)
for size in "80 24" "200 50"; do
    fresh
    set -- $size
    start help "$1" "$2" C.UTF-8 xterm-256color
    wait_for help "Tracks" >/dev/null
    T send-keys -t help '?'
    wait_for help "Keys (any key closes" >/dev/null
    missing=$(printf '%s\n' "$bindings" | while IFS='	' read -r key cmd; do
        line=$(printf '%-6s %s' "$key" "$cmd")
        screen help | grep -qF -- "$line" || echo "$line"
    done)
    if [ -z "$missing" ] && [ "$nbind" -gt 20 ]; then
        ok "$1x$2: ? lists all $nbind bindings"
    else
        fail "$1x$2: ? misses bindings" "$missing"
    fi
    T kill-session -t help
done

# A config file rebinds: x lengthens the gap by a second.
fresh
printf '# test keys\nbind x gap-by +1s\nunbind q\nbind Q quit\n' > config/lathe/keys
start keys 80 24 C.UTF-8 xterm-256color
wait_for keys "Tracks" >/dev/null
T send-keys -t keys x s
wait_for keys "saved demo.lathe" >/dev/null
T send-keys -t keys q
wait_for keys "q is not bound" >/dev/null && r1=ok || r1=no
T send-keys -t keys Q
wait_exit keys
check_eq "the config file rebinds keys" "ok 0 3s" "$r1 $code $(sed -n '/^\[track\]/,$p' album/demo.lathe | sed -n 's/^gap = //p' | head -n 1)"
rm config/lathe/keys

# q with unsaved edits asks first; any other key goes back, y too (it means
# "keep" at the recovery question); q q leaves without saving and drops the
# recovery file.
fresh
start quit 80 24 C.UTF-8 xterm-256color
wait_for quit "Tracks" >/dev/null
T send-keys -t quit ']' q
wait_for quit "unsaved changes: s saves" >/dev/null && r1=asked || r1=no
T send-keys -t quit y
wait_for quit "not quitting" >/dev/null && r2=back || r2=no
T send-keys -t quit q q
wait_exit quit
cmp -s album/demo.lathe demo.orig && r3=unchanged || r3=changed
check_eq "quit asks when unsaved" "asked back 0 unchanged" "$r1 $r2 $code $r3"

# kill -9 after the autosave, then a restart offers the edits back.
fresh
start rec 80 24 C.UTF-8 xterm-256color
wait_for rec "Tracks" >/dev/null
T send-keys -t rec J '[' +
n=0
while [ ! -e album/.demo.lathe.recover ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.2
kill -9 "$(console_pid rec)"
wait_exit rec
if [ -e album/.demo.lathe.recover ] && cmp -s album/demo.lathe demo.orig; then
    ok "autosave wrote the recovery file; the session is untouched"
else
    fail "autosave after edits" "$(ls -la album)" "$(screen rec)"
fi
start rec 80 24 C.UTF-8 xterm-256color
if wait_for rec "recover them? (y/n)"; then
    T send-keys -t rec y
    wait_for rec "recovered the unsaved edits" >/dev/null
    row2=$(screen rec | grep -F ' 2 First Light')
    T send-keys -t rec s
    wait_for rec "saved demo.lathe" >/dev/null
    T send-keys -t rec q
    wait_exit rec
    cp demo.orig rec.lathe
    cp -r album/mixes . 2>/dev/null
    run_lathe do rec.lathe 'move down' 'gap-by -0.5s' 'gain-by +0.5dB'
    sed 's/^/x/' rec.lathe > rec.x
    if cmp -s rec.lathe album/demo.lathe && echo "$row2" | grep -q '1.5s  +0.50' && [ ! -e album/.demo.lathe.recover ]; then
        ok "a restart after kill -9 recovers the edits"
    else
        fail "recovery after kill -9" "row: $row2" "$(diff rec.lathe album/demo.lathe | head -n 10)"
    fi
else
    fail "a restart after kill -9 offers recovery"
fi

# SIGTERM saves the recovery file at once and exits.
fresh
start term 80 24 C.UTF-8 xterm-256color
wait_for term "Tracks" >/dev/null
T send-keys -t term ']'
wait_for term "gap: 2.5s" >/dev/null
kill -TERM "$(console_pid term)"
wait_exit term
if [ "$code" = 0 ] && grep -q '^gap = 2.5s' album/.demo.lathe.recover 2>/dev/null; then
    ok "SIGTERM writes the recovery file and exits"
else
    fail "SIGTERM (exit $code)" "$(cat album/.demo.lathe.recover 2>&1 | head -n 3)"
fi

# A dropped link (SIGHUP: the terminal goes away) writes it too.
fresh
start hup 80 24 C.UTF-8 xterm-256color
wait_for hup "Tracks" >/dev/null
T send-keys -t hup ']'
wait_for hup "gap: 2.5s" >/dev/null
T kill-session -t hup
n=0
while ! grep -q '^gap = 2.5s' album/.demo.lathe.recover 2>/dev/null && [ $n -lt 50 ]; do
    sleep 0.1
    n=$((n + 1))
done
if grep -q '^gap = 2.5s' album/.demo.lathe.recover 2>/dev/null && cmp -s album/demo.lathe demo.orig; then
    ok "SIGHUP writes the recovery file"
else
    fail "SIGHUP" "$(ls -la album)"
fi

# Resizing re-lays out the screen; below 80x24 it says what it needs.
fresh
start size 80 24 C.UTF-8 xterm-256color
wait_for size "Tracks" >/dev/null
T resize-window -t size -x 132 -y 40
n=0
while [ $n -lt 50 ]; do
    head=$(screen size | head -n 1 | sed 's/ *$//')
    [ "$(printf '%s' "$head" | LC_ALL=C.UTF-8 wc -m)" -gt 80 ] && break
    sleep 0.1
    n=$((n + 1))
done
T resize-window -t size -x 60 -y 20
wait_for size "lathe needs 80x24 (this is 60x20)" 5 && r1=small || r1=no
T resize-window -t size -x 80 -y 24
wait_for size "Tracks" 5 && r2=back || r2=no
T send-keys -t size q
wait_exit size
# the header's right end (after "saved ") is the screen's last column
check_eq "resize to 132x40, 60x20 and back" "131 saved small back 0" \
    "$(printf '%s' "$head" | LC_ALL=C.UTF-8 wc -m) $(echo "$head" | awk '{print $NF}') $r1 $r2 $code"

# Without a terminal the console refuses, and writes nothing.
cd album && run_lathe demo.lathe </dev/null
cd "$WORK" || exit 2
check_eq "no terminal: exit 2 and a pointer to lathe do" \
    "2 lathe: the console needs a terminal; 'lathe do demo.lathe COMMAND...' edits without one" \
    "$status $err"

# A new session name creates the session empty (DESIGN §5).
mkdir empty
start new 80 24 C.UTF-8 xterm-256color empty new.lathe
wait_for new "new session new.lathe" >/dev/null && r1=opened || r1=no
T send-keys -t new q
wait_exit new
run_lathe check empty/new.lathe
check_eq "lathe NEW.lathe creates an empty session" "opened 0 yes" \
    "$r1 $code $([ -e empty/new.lathe ] && echo yes || echo no)"

# L levels on a worker, as lathe level does, and u undoes it.
mkdir lv && "$TOOLS/make_tone" lv/a.wav 8 48000 2 24 -20 && "$LATHE" new lv/lv.lathe lv/a.wav >/dev/null
"$LATHE" do lv/lv.lathe 'set album.leveling track' >/dev/null
cp lv/lv.lathe lv/orig.lathe
start lv 80 24 C.UTF-8 xterm-256color lv lv.lathe
wait_for lv "Tracks" >/dev/null
T send-keys -t lv L
wait_for lv "track leveling to -14.0 LUFS" 60 && r1=leveled || r1=no
T send-keys -t lv s
wait_for lv "saved lv.lathe" >/dev/null
cp lv/lv.lathe lv/console.lathe
T send-keys -t lv u s
wait_for lv "saved lv.lathe" >/dev/null
T send-keys -t lv q
wait_exit lv
cp lv/orig.lathe lv/cli.lathe
"$LATHE" level lv/cli.lathe >/dev/null
cmp -s lv/cli.lathe lv/console.lathe && r2=same || r2=differs
cmp -s lv/orig.lathe lv/lv.lathe && r3=undone || r3=kept
check_eq "L levels as lathe level does; u undoes" "leveled same undone 0" "$r1 $r2 $r3 $code"
[ "$r2" = same ] || diff lv/cli.lathe lv/console.lathe | head -n 8

# Snapshots of the static screen at 80x24, UTF-8 and ASCII. Measured
# levels are masked: they belong to the loudness tests.
snapshot() {
    fresh
    start snap 80 24 "$1" "$2"
    wait_for snap "Tracks" >/dev/null
    wait_for snap "PLR" >/dev/null
    n=0
    while screen snap | grep -q '\.\.\.' && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    screen snap | sed -E 's/-?[0-9]+\.[0-9]\b/N.N/g; s/ +$//' > "snap-$3.txt"
    T send-keys -t snap q
    wait_exit snap
    if [ -n "$LATHE_UPDATE_SNAPSHOTS" ]; then
        cp "snap-$3.txt" "$DATA/console-$3.txt"
    fi
    if cmp -s "snap-$3.txt" "$DATA/console-$3.txt"; then
        ok "screen snapshot $3"
    else
        fail "screen snapshot $3 differs from tests/data/console-$3.txt" "$(diff "$DATA/console-$3.txt" "snap-$3.txt" | head -n 12)"
    fi
}
snapshot C.UTF-8 xterm-256color utf8
snapshot C vt100 ascii

summary
