#!/bin/sh
# End-to-end tests of the console's compare panels in tmux: the track's
# notes under its chain, :tonal, :platforms, :intake as sheets over the
# body that scroll and close, and :match writing EQ into the chain.
. "$LATHE_TESTS/lib.sh"
SOCK="$WORK/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
if ! command -v tmux >/dev/null; then
    fail "tmux is not installed (make deps installs it)"
    summary
    exit 1
fi
cd "$WORK" || exit 2
"$TOOLS/make_signal" sig 48000 intake >/dev/null 2>&1 || exit 2
cat > c.lathe <<'EOS'
[album]
rate = 48000
[track]
file = sig/mix-clean.wav
title = Clean
eq = highshelf 5kHz +2dB
note = client: less fizz up top
[track]
file = sig/mix-dc.wav
title = Offset
[reference]
file = sig/mix-clean.wav
name = plain
EOS
T -f /dev/null new-session -d -s c -x 100 -y 24 \
    "cd '$WORK' && env LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm XDG_CONFIG_HOME='$WORK/config' '$LATHE' c.lathe; echo \"lathe exited \$?\"; exec sleep 100000" || exit 2
screen() { T capture-pane -p -t c; }
wait_for() {
    n=0
    while [ $n -lt $(( ${2:-10} * 10 )) ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    echo "       (screen while waiting for \"$1\":)"
    screen | sed 's/^/       | /'
    return 1
}
cmd() { T send-keys -t c ":$1" Enter; }

if wait_for "Chain: track 1" && wait_for "client: less fizz up top"; then
    ok "console: the track's notes under its chain"
else
    fail "console: notes"
fi
cmd "tonal 1"
if wait_for "Tonal balance (up/down" 20 && wait_for "01 Clean" && screen | grep -q "plain"; then
    ok "console: :tonal shows the chart"
else
    fail "console: :tonal"
fi
T send-keys -t c j j j
if wait_for "4-"; then ok "console: the sheet scrolls"; else fail "console: the sheet scrolls"; fi
T send-keys -t c x
if wait_for "Chain: track 1" && ! screen | grep -q "Tonal balance (up"; then
    ok "console: any other key closes the sheet"
else
    fail "console: closing the sheet" "$(screen)"
fi
cmd "intake"
if wait_for "Intake report" 20 && wait_for "02 sig/mix-dc.wav: warning dc-offset" && wait_for "01 sig/mix-clean.wav: clean"; then
    ok "console: :intake, one line per finding per mix"
else
    fail "console: :intake"
fi
T send-keys -t c x
cmd "platforms"
if wait_for "Platform preview" 20 && wait_for "Spotify" && wait_for "Amazon Music"; then
    ok "console: :platforms"
else
    fail "console: :platforms"
fi
T send-keys -t c x
cmd "match 1"
if wait_for "track 1 towards plain" 20 && wait_for "2 EQ"; then
    ok "console: :match adds the EQ to the chain"
else
    fail "console: :match"
fi
cmd "undo"
T send-keys -t c ":quit" Enter
sleep 0.3
T send-keys -t c q
if wait_for "lathe exited 0" 10 && ! grep -q '^eq = highshelf [0-9.]*kHz -' c.lathe; then
    ok "console: quits without saving the undone match"
else
    fail "console: quit"
fi
summary
