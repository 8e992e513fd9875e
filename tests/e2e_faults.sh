#!/bin/sh
# Faults: the disk fills up during a render, a read-only output folder, a
# mix deleted after the session was opened, SIGKILL during a save and
# during a render. Nothing is ever lost: the session is the old one or the
# new one, and a deliverable is whole or absent.
. "$LATHE_TESTS/lib.sh"
# the file systems mounted below $WORK are unmounted before it is removed
trap 'tmux -S "$WORK/tmux.sock" kill-server 2>/dev/null; for m in $(awk -v w="$WORK/" "index(\$2, w) == 1 { print \$2 }" /proc/mounts); do umount "$m"; done; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
mkdir mixes
"$TOOLS/make_tone" mixes/a.wav 10 48000 2 24 -10 || exit 2
"$TOOLS/make_tone" mixes/b.wav 6 48000 2 24 -14 660 || exit 2
cat > s.lathe <<'SESSION'
[album]
title = Faults
[track]
file = mixes/a.wav
title = One
[track]
file = mixes/b.wav
title = Two
[output wav]
format = wav
bits = 24
[output cd]
format = ddp
SESSION
sessmd5=$(md5sum s.lathe mixes/* | md5sum)

# tmpfs SIZE [ro]: a fresh small file system; prints its mount point, or
# nothing where this test cannot mount (not root, or not allowed)
tmpfs() {
    [ "$(id -u)" = 0 ] || return 0
    m=$(mktemp -d "$WORK/fs.XXXXXX")
    mount -t tmpfs -o "size=$1" tmpfs "$m" 2>/dev/null || { rmdir "$m"; return 0; }
    [ "$2" = ro ] && mount -o remount,ro "$m"
    echo "$m"
}

# ---- the disk fills up during a render ----
full=$(tmpfs 1m)
if [ -z "$full" ]; then
    echo "  skip disk full: needs root to mount a small tmpfs"
else
    run_lathe render s.lathe -o "$full/out"
    if [ "$status" -eq 3 ] && printf '%s\n' "$err" | grep -q 'No space left on device'; then
        ok "disk full: exit 3, says the disk is full"; else fail "disk full: message" "exit $status" "$err"; fi
    [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] && ok "disk full: one message" || fail "disk full: one message" "$err"
    check_eq "disk full: nothing left on the disk" "" "$(ls -A "$full")"
    check_eq "disk full: the session and mixes untouched" "$sessmd5" "$(md5sum s.lathe mixes/* | md5sum)"
    # full before the render starts: 8 KB left
    head -c $((1024 * 1024 - 8192)) /dev/zero > "$full/filler" 2>/dev/null
    run_lathe render s.lathe -o "$full/out"
    if [ "$status" -eq 3 ] || [ "$status" -eq 2 ]; then ok "disk already full: refused ($status)"; else fail "disk already full" "exit $status" "$err"; fi
    check_eq "disk already full: nothing left" "filler" "$(ls -A "$full")"
    # a save on a full disk: the session on disk is unchanged
    rm -f "$full/filler"
    cp s.lathe mixes/a.wav "$full/" 2>/dev/null
    sed 's|mixes/a.wav|a.wav|; s|mixes/b.wav|a.wav|' s.lathe > "$full/s.lathe"
    before=$(md5sum "$full/s.lathe")
    head -c $((1024 * 1024)) /dev/zero > "$full/filler" 2>/dev/null
    run_lathe do "$full/s.lathe" 'title Another title'
    if [ "$status" -eq 3 ] && printf '%s\n' "$err" | grep -q 'the file on disk is unchanged'; then
        ok "save on a full disk: exit 3, says the file is unchanged"; else fail "save on a full disk" "exit $status" "$err"; fi
    check_eq "save on a full disk: the session is the old one" "$before" "$(md5sum "$full/s.lathe")"
    check_eq "save on a full disk: no temporary file left" "" "$(ls -A "$full" | grep '^\.s\.lathe')"
fi

# ---- a read-only output folder ----
ro=$(tmpfs 1m ro)
if [ -z "$ro" ]; then
    mkdir ro && chmod 555 ro && ro=$PWD/ro
    if touch ro/probe 2>/dev/null; then
        rm -f ro/probe
        ro=""
        echo "  skip read-only folder: this user writes into a mode 555 folder and cannot mount"
    fi
fi
if [ -n "$ro" ]; then
    run_lathe render s.lathe -o "$ro"
    if [ "$status" -ge 2 ] && printf '%s\n' "$err" | grep -q "$ro.*\(Read-only file system\|Permission denied\)"; then
        ok "read-only folder: refused ($status), names the folder"; else fail "read-only folder" "exit $status" "$err"; fi
    check_eq "read-only folder: empty" "" "$(ls -A "$ro")"
    run_lathe render s.lathe -o "$ro/sub"
    if [ "$status" -ge 2 ] && printf '%s\n' "$err" | grep -q "$ro/sub"; then
        ok "read-only folder: a subfolder cannot be made ($status)"; else fail "read-only subfolder" "exit $status" "$err"; fi
    check_eq "read-only: session untouched" "$sessmd5" "$(md5sum s.lathe mixes/* | md5sum)"
fi
# leveling a session in a read-only folder: the figures, and that they were
# not written
lv=$(tmpfs 32m)
if [ -n "$lv" ]; then
    cp -r s.lathe mixes "$lv/" && mount -o remount,ro "$lv"
    run_lathe level "$lv/s.lathe"
    if [ "$status" -eq 3 ] && printf '%s\n' "$err" | grep -q "the gains above were not written"; then
        ok "level in a read-only folder: says the gains were not written"
    else
        fail "level in a read-only folder" "exit $status" "$err"
    fi
fi

# ---- a mix deleted after the session was checked ----
mkdir gone && cp s.lathe gone/ && cp -r mixes gone/
run_lathe check --no-audio gone/s.lathe
check_eq "deleted mix: check before is clean" "0" "$status"
rm gone/mixes/b.wav
run_lathe render gone/s.lathe -o gone/out
check_eq "deleted mix: render refuses" "2 lathe render: track 2: gone/mixes/b.wav: No such file or directory" "$status $err"
[ ! -e gone/out ] && ok "deleted mix: nothing written" || fail "deleted mix: render wrote" "$(ls -R gone/out)"
run_lathe check gone/s.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q '^error: track 2: gone/mixes/b.wav: No such file or directory'; then
    ok "deleted mix: check names it"; else fail "deleted mix: check" "exit $status" "$out"; fi
# an edit still works and saves; the track keeps its file name
run_lathe do gone/s.lathe 'select 2' 'gap 3s'
if [ "$status" -eq 0 ] && grep -q '^file = mixes/b.wav$' gone/s.lathe && grep -q '^gap = 3s$' gone/s.lathe; then
    ok "deleted mix: an edit keeps the track and its file"; else fail "deleted mix: edit" "exit $status" "$err" "$(cat gone/s.lathe)"; fi
# deleted while a render runs: the session's mix is gone, so the render
# stops with the mix named and nothing written (exit 3, issue 16), whether
# or not the mix was open already
"$TOOLS/make_tone" gone/mixes/b.wav 120 48000 2 24 -14 660 || exit 2
"$LATHE" render gone/s.lathe wav -o gone/out2 >/dev/null 2>gone/err &
pid=$!
sleep 0.3
rm gone/mixes/b.wav
wait $pid
status=$?
if [ "$status" -eq 3 ] && grep -q 'gone/mixes/b.wav changed while rendering (deleted or moved away); nothing was written' gone/err && [ ! -e gone/out2 ]; then
    ok "a mix deleted during a render: the render stops, nothing written"
elif [ "$status" -eq 2 ] && grep -q 'gone/mixes/b.wav: No such file or directory' gone/err && [ ! -e gone/out2 ]; then
    ok "a mix deleted during a render: refused when reached, nothing written"
else fail "mix deleted during render" "exit $status" "$(cat gone/err)" "$(ls -RA gone/out2 2>&1)"; fi

# the console: a mix deleted while the session is open; edits, leveling
# and saving go on, the track keeps its file, nothing crashes
if command -v tmux >/dev/null; then
    SOCK="$WORK/tmux.sock"
    T() { tmux -S "$SOCK" "$@"; }
    mkdir con && "$TOOLS/make_tone" con/a.wav 8 48000 2 24 -20 && "$TOOLS/make_tone" con/b.wav 8 48000 2 24 -20 660
    "$LATHE" new con/con.lathe con/a.wav con/b.wav >/dev/null
    T -f /dev/null new-session -d -s con -x 100 -y 30 \
        "cd '$WORK/con' && env LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME='$WORK/cfg' '$LATHE' con.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
    # wait_for TEXT SECONDS: polls the console's screen
    wait_for() {
        n=0
        while [ $n -lt $(($2 * 10)) ]; do
            T capture-pane -p -t con 2>/dev/null | grep -qF -- "$1" && return 0
            sleep 0.1
            n=$((n + 1))
        done
        return 1
    }
    wait_for "Tracks" 30 || fail "console: opens" "$(T capture-pane -p -t con)"
    rm con/b.wav
    # [ shortens the selected track's gap, L levels (it reads every mix), s saves
    T send-keys -t con '[' L
    sleep 2
    T send-keys -t con s
    wait_for "saved con.lathe" 30 && saved=saved || saved=not-saved
    T send-keys -t con q
    wait_for "lathe exited" 30 || T send-keys -t con q
    wait_for "lathe exited" 10
    code=$(T capture-pane -p -t con | sed -n 's/.*lathe exited \([0-9]*\).*/\1/p' | tail -n 1)
    screen=$(T capture-pane -p -t con)
    T kill-server 2>/dev/null
    if [ "$saved" = saved ] && [ "$code" = 0 ] && grep -q '^file = b.wav$' con/con.lathe; then
        ok "console: a mix deleted while open; edit, level, save and quit"
    else
        fail "console: a mix deleted while open" "$saved, exit $code" "$screen" "$(cat con/con.lathe)"
    fi
else
    echo "  skip console: tmux is not installed"
fi

# ---- SIGKILL during a save: the old session or the new one, never torn ----
python3 - <<'EOF' > big.lathe
print("[album]\ntitle = Version A")
for i in range(999):
    print("\n[track]\nfile = mixes/b.wav\ntitle = Track %d" % i)
    for n in range(40):
        print("note = note %d of track %d, long enough to make the file big" % (n, i))
EOF
cp big.lathe big.a
"$LATHE" do big.lathe 'select album' 'title Version B' >/dev/null 2>&1 || fail "do on the big session" "$(cat big.lathe | head -3)"
"$TOOLS/make_tone" mixes/b.wav 6 48000 2 24 -14 660 || exit 2
cp big.lathe big.b
rm -f big.lathe~
a=$(md5sum < big.a)
b=$(md5sum < big.b)
[ "$a" != "$b" ] && ok "the two versions differ" || fail "the two versions are the same"
# how long one edit takes here (ASan and valgrind are slower): the kills
# land at random moments within it
# (an edit that changes the title, so that it saves: B back to A)
t0=$(date +%s%N)
"$LATHE" do big.lathe 'select album' 'title Version A' >/dev/null 2>&1
ms=$((($(date +%s%N) - t0) * 3 / 2000000))
rm -f big.lathe~
torn=0 kills=0 i=0 olds=0 news=0
while [ $i -lt 40 ]; do
    i=$((i + 1))
    cur=$(md5sum < big.lathe)
    if [ "$cur" = "$a" ]; then want='title Version B'; else want='title Version A'; fi
    "$LATHE" do big.lathe 'select album' "$want" >/dev/null 2>&1 &
    pid=$!
    # a random moment: from the load to after the rename
    sleep "$(awk -v s=$i -v ms=$ms 'BEGIN { srand(s); printf "%.3f", rand() * ms / 1000 }')"
    kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
    now=$(md5sum < big.lathe)
    if [ "$now" = "$cur" ]; then olds=$((olds + 1)); elif [ "$now" = "$a" ] || [ "$now" = "$b" ]; then news=$((news + 1)); else
        torn=$((torn + 1)); cp big.lathe "torn.$i"; cp big.a big.lathe; fi
done
check_eq "SIGKILL during saves: never torn ($kills kills, $olds old, $news new)" "0" "$torn"
[ "$olds" -gt 0 ] && [ "$news" -gt 0 ] && ok "SIGKILL during saves: the kills landed before and after the rename" \
    || echo "  note: kills all landed on one side ($olds old, $news new)"
run_lathe check --no-audio big.lathe
[ "$status" -ne 2 ] && ok "SIGKILL during saves: the session reads" || fail "the session does not read" "$err"
# a killed save leaves at most its hidden temporary file, never a visible one
check_eq "SIGKILL during saves: no stray visible file" "big.a big.b big.lathe" "$(ls big.* | grep -v '^big.lathe~$' | tr '\n' ' ' | sed 's/ $//')"
left=$(ls -A | grep -c '^\.big\.lathe\.[0-9]*\.')
"$LATHE" do big.lathe 'select album' 'title Version C' >/dev/null 2>&1
check_eq "the next save removes the temporary files of the $left killed saves that left one" "" \
    "$(ls -A | grep '^\.big\.lathe\.[0-9]*\.')"

# ---- SIGKILL during a render: no partial deliverable ----
"$TOOLS/make_tone" mixes/long.wav 90 48000 2 24 -12 || exit 2
printf '[track]\nfile = mixes/long.wav\n[output w]\nformat = wav\n[output f]\nformat = flac\n[output d]\nformat = ddp\n' > long.lathe
i=0 partial=0
while [ $i -lt 6 ]; do
    i=$((i + 1))
    "$LATHE" render long.lathe -o kill -j 2 >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(awk -v s=$i 'BEGIN { srand(s); printf "%03d", 100 + rand() * 800 }')"
    kill -KILL $pid
    wait $pid 2>/dev/null
    for o in w f d; do
        if [ -e "kill/$o" ] && ! (cd "kill/$o" && md5sum -c --quiet MANIFEST.md5 >/dev/null 2>&1); then
            partial=$((partial + 1))
        fi
    done
done
check_eq "SIGKILL during renders: no partial deliverable" "0" "$partial"
ls -A kill 2>/dev/null | grep -q '^\.lathe-render-' && ok "SIGKILL during renders: hidden folders left" \
    || echo "  note: no hidden render folder was left by the kills"
printf '[track]\nfile = mixes/a.wav\n[output small]\nformat = wav\n' > small.lathe
run_lathe render small.lathe -o kill
check_eq "the next render succeeds" "0" "$status"
check_eq "the next render removed the dead renders' folders" "" "$(ls -A kill | grep '^\.lathe-render-')"
# a live render's folder is left alone
mkdir "kill/.lathe-render-$$" "kill/.lathe-render-999999999"
run_lathe render small.lathe -o kill
[ -d "kill/.lathe-render-$$" ] && ok "a live render's folder is kept" || fail "a live render's folder was removed"
[ ! -e "kill/.lathe-render-999999999" ] && ok "a dead render's folder is removed" || fail "a dead render's folder was kept"
summary
