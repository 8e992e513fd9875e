#!/bin/sh
# End-to-end tests of "outputs own only what they made" (issue 16): a render
# replaces only a folder a render made (its .lathe-render stamp), refuses
# anything else under an output's name with exit 2 and deletes nothing;
# its clean-up removes only its own temporaries; `ddp extract` writes
# through no planted link and is all-or-nothing when killed.
. "$LATHE_TESTS/lib.sh"
. "$LATHE_TESTS/tmux.sh"

"$TOOLS/make_tone" a.wav 3 44100 2 16 -12 || exit 2

# sums DIR: one line for every file under DIR, with its content's MD5
sums() { (cd "$1" && find . -type f -o -type l | sort | while read -r f; do
    printf '%s %s\n' "$f" "$(md5sum < "$f" 2>/dev/null)"; done); }

# --- the session's own folder under the output's name ---
mkdir -p proj/w proj/mixes && cp a.wav proj/mixes/a.wav && cp a.wav proj/w/ref.wav && echo "client notes" > proj/w/notes.txt
printf '[track]\nfile = ../mixes/a.wav\n[reference]\nfile = ref.wav\n[output w]\nformat = wav\n' > proj/w/s.lathe
before=$(sums proj)
run_lathe render proj/w/s.lathe -o proj
check_eq "[output w] -o proj over the session's folder: exit 2" "2" "$status"
check_eq "the session, its reference and the notes are all still there" "$before" "$(sums proj)"
printf '%s\n' "$err" | grep -q 'proj/w holds proj/w/s.lathe.*move it away or render to another folder with -o' &&
    ok "the message names the folder, the session file and what to do" || fail "message" "$err"

# --- a session file named like its output ---
mkdir m && cp a.wav m/ && printf '[track]\nfile = a.wav\n[output master]\nformat = wav\n' > m/master
before=$(sums m)
run_lathe render m/master -o m
check_eq "a session file 'master' with [output master]: exit 2, the file kept" "2 $before" "$status $(sums m)"
[ -f m/master ] && ok "master is still a file" || fail "master was replaced" "$(ls -la m)"
printf '%s\n' "$err" | grep -q 'm/master exists and is a file' && ok "the message says it is a file" ||
    fail "message" "$err"

# --- an unrelated folder of the same name ---
mkdir -p home/Music/album && echo song > home/Music/album/song.flac && echo list > home/Music/list.m3u
printf '[track]\nfile = a.wav\n[output Music]\nformat = wav\n' > music.lathe
before=$(sums home)
run_lathe render music.lathe -o home
check_eq "[output Music] -o home over a user's Music tree: exit 2, nothing deleted" "2 $before" \
    "$status $(sums home)"
printf '%s\n' "$err" | grep -q 'home/Music exists and was not made by lathe render.*move it away or render to another folder with -o' &&
    ok "the message names home/Music and says what to do" || fail "message" "$err"

# --- an output folder an older lathe rendered (no stamp) ---
mkdir -p old/Music && echo x > old/Music/"01 Track.wav" && (cd old/Music && md5sum "01 Track.wav" > MANIFEST.md5)
before=$(sums old)
run_lathe render music.lathe -o old
check_eq "an unstamped render folder (older lathe): exit 2, kept" "2 $before" "$status $(sums old)"
printf '%s\n' "$err" | grep -q "older lathe's render, delete it by hand" &&
    ok "the message says to delete an old render by hand" || fail "message" "$err"

# --- a symbolic link under the output's name ---
mkdir -p lnk elsewhere && echo mine > elsewhere/keep && ln -s ../elsewhere lnk/Music
run_lathe render music.lathe -o lnk
check_eq "a link at the output's name: exit 2, link and target kept" "2 link mine" \
    "$status $([ -L lnk/Music ] && echo link) $(cat elsewhere/keep)"

# --- a render's own folder is replaced, and carries the stamp ---
run_lathe render music.lathe -o out
first=$status
run_lathe render music.lathe -o out
check_eq "render twice into one folder: both exit 0" "0 0" "$first $status"
[ -f out/Music/.lathe-render ] && grep -q '^lathe render' out/Music/.lathe-render &&
    ok "the output folder carries the stamp" || fail "no stamp" "$(ls -A out/Music)"
grep -q 'lathe-render' out/Music/MANIFEST.md5 && fail "the manifest lists the stamp" ||
    ok "the manifest does not list the stamp"
(cd out/Music && md5sum -c --quiet MANIFEST.md5) >/dev/null 2>&1 && ok "the manifest verifies" ||
    fail "the manifest does not verify"

# --- a render folder that now holds a file the session uses ---
mkdir sess && cp a.wav sess/ && printf '[track]\nfile = a.wav\n[reference]\nfile = out/Music/ref.wav\n[output Music]\nformat = wav\n' > sess/s.lathe
run_lathe render sess/s.lathe -o sess/out
cp a.wav sess/out/Music/ref.wav
run_lathe render sess/s.lathe -o sess/out
check_eq "a stamped folder holding the session's reference: exit 2, the reference kept" "2 yes" \
    "$status $([ -f sess/out/Music/ref.wav ] && echo yes)"

# --- the clean-up removes only lathe's own temporaries ---
mkdir -p tmpc/.lathe-render-keep && echo mine > tmpc/.lathe-render-keep/notes
echo mine > tmpc/.lathe-render-999999999.txt
mkdir tmpc/.lathe-render-999999998 tmpc/victim && echo mine > tmpc/victim/f &&
    ln -s victim tmpc/.lathe-render-999999997
run_lathe render music.lathe -o tmpc
check_eq "render beside .lathe-render-* names that are not its temporaries: all kept" \
    "0 mine mine mine link" \
    "$status $(cat tmpc/.lathe-render-keep/notes) $(cat tmpc/.lathe-render-999999999.txt) $(cat tmpc/victim/f) $([ -L tmpc/.lathe-render-999999997 ] && echo link)"
[ ! -e tmpc/.lathe-render-999999998 ] && ok "a dead render's temporary folder is removed" ||
    fail "a dead render's folder was left"

# --- the console's render says so on its status line ---
mkdir -p con/render/Music && cp a.wav con/ && echo mine > con/render/Music/keep
printf '[track]\nfile = a.wav\n[output Music]\nformat = wav\n' > con/s.lathe
T new-session -d -s c -x 120 -y 30 \
    "cd '$WORK/con' && env LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME='$WORK/none' '$LATHE' s.lathe; echo \"lathe exited \$?\"; exec sleep 100000"
wait_for c "Tracks" >/dev/null
T send-keys -t c ':render Music' Enter
wait_for c "render/Music exists and was not made by lathe render" 30 >/dev/null && shown=yes || shown=no
T send-keys -t c q
wait_exit c
check_eq "console :render over a user's folder: the status line says why; the folder kept" \
    "yes mine" "$shown $(cat con/render/Music/keep)"

# --- ddp extract: no write through a link at a temporary name ---
"$TOOLS/make_tone" five.wav 5 44100 2 16 -12 || exit 2
printf '[track]\nfile = five.wav\n[output d]\nformat = ddp\n' > d.lathe
"$LATHE" render d.lathe -o ddp >/dev/null 2>&1 || fail "render of the DDP"
echo "victim's data" > victim.txt
mkdir ex
for n in .track01.wav.part .album.wav.part .album.cue.part; do ln -s ../victim.txt "ex/$n"; done
run_lathe ddp extract ddp/d -o ex
check_eq "extract beside links planted at its old temporary names: exit 0, victim untouched" \
    "0 victim's data" "$status $(cat victim.txt)"
[ -f ex/album.wav ] && [ ! -L ex/album.wav ] && [ -f ex/track01.wav ] &&
    ok "the extracted files are real files" || fail "extracted files" "$(ls -lA ex)"

# --- ddp extract: killed midway leaves nothing; a rerun works ---
"$TOOLS/make_tone" long.wav 480 44100 2 16 -12 || exit 2
printf '[track]\nfile = long.wav\n[output big]\nformat = ddp\n' > big.lathe
"$LATHE" render big.lathe -o ddp >/dev/null 2>&1 || fail "render of the large DDP"
for sig in KILL INT; do
    mkdir "p$sig"
    "$LATHE" ddp extract ddp/big -o "p$sig/out" >/dev/null 2>&1 &
    pid=$!
    n=0     # until it has started writing, whatever it writes
    while [ -z "$(ls -A "p$sig")" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
    sleep 0.2
    kill -$sig $pid
    wait $pid
    st=$?
    # SIGKILL ends it at once; SIGINT makes it stop, clean up and exit 3
    check_eq "SIG$sig during ddp extract: stopped midway, the destination does not exist" \
        "stopped absent" "$([ $st -gt 128 ] || [ $st -eq 3 ] && echo stopped || echo "exit $st") $([ -e "p$sig/out" ] && echo present || echo absent)"
    [ "$sig" = INT ] && check_eq "SIGINT: the extract removed its temporary folder" "" "$(ls -A pINT)"
    run_lathe ddp extract ddp/big -o "p$sig/out"
    check_eq "SIG$sig: a rerun works and leaves no temporary" "0 album.cue album.wav track01.wav" \
        "$status $(ls -A "p$sig" "p$sig/out" 2>&1 | grep -v ':$' | grep . | grep -v '^out$' | sort | tr '\n' ' ' | sed 's/ $//')"
done
rm -f long.wav

summary
