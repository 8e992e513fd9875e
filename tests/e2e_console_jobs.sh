#!/bin/sh
# End-to-end tests of the console's background work, driven through tmux:
# the analysis cache beside the session and the processed loudness in the
# track list, the loudness-matched bypass, a render with its progress line
# and its cancel, and a DDP opened read-only.
. "$LATHE_TESTS/lib.sh"
. "$LATHE_TESTS/tmux.sh"

# start NAME DIR ARG: the console on ARG, in DIR, at 100x30
start() {
    T kill-session -t "$1" 2>/dev/null
    T new-session -d -s "$1" -x 100 -y 30 \
        "cd '$WORK/$2' && env LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME='$WORK/none' '$LATHE' '$3'; echo \"lathe exited \$?\"; exec sleep 100000"
}
# row NAME N: track N's row of the list
row() { screen "$1" | grep -E "^[ >] *$2 " | head -n 1; }

# --- the cache, processed loudness and the matched bypass ---
mkdir one && "$TOOLS/make_tone" one/a.wav 6 48000 2 24 -20 1000 &&
    "$LATHE" new one/s.lathe one/a.wav >/dev/null && "$LATHE" do one/s.lathe 'gain-by +3dB' >/dev/null
mix=$("$LATHE" analyze one/a.wav 2>/dev/null | sed -n 's/^ *integrated *\(-*[0-9.]*\) LUFS.*/\1/p' | head -n 1)
start c1 one s.lathe
wait_for c1 "Tracks" >/dev/null
n=0
while row c1 1 | grep -qF '...' && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
shown=$(row c1 1 | awk '{ for (i = 1; i <= NF; i++) if ($i == "+3.00") { print $(i + 1); exit } }')
# the list shows the track as played: the mix's loudness plus its gain
want=$(awk -v m="$mix" 'BEGIN { printf "%.1f", m + 3 }')
check_eq "the track list shows the processed loudness (mix $mix LUFS + 3 dB)" "$want" "$shown"
T send-keys -t c1 b
wait_for c1 "bypass (matched" >/dev/null
check_eq "b bypasses loudness-matched: processed minus mix" "bypass (matched +3.0 dB)" \
    "$(screen c1 | grep -o 'bypass (matched [^)]*)' | head -n 1)"
T send-keys -t c1 b
wait_for c1 "bypass off" >/dev/null && r1=off || r1=no
T send-keys -t c1 q q
wait_exit c1
[ -s one/.s.lathe.cache ] && r2=cache || r2=none
check_eq "the analysis is cached beside the session; b again turns it off" "off cache 0" "$r1 $r2 $code"

# A second open takes every result from the cache: nothing is measured, so
# the file is not written again, and the row shows the same value at once.
before=$(stat -c %Y.%s one/.s.lathe.cache 2>/dev/null)
sleep 1.1
start c2 one s.lathe
wait_for c2 "Tracks" >/dev/null
sleep 1
again=$(row c2 1 | awk '{ for (i = 1; i <= NF; i++) if ($i == "+3.00") { print $(i + 1); exit } }')
sleep 1
after=$(stat -c %Y.%s one/.s.lathe.cache 2>/dev/null)
T send-keys -t c2 q
wait_exit c2
check_eq "a reopen reads the cache: the same value at once, the cache untouched" "$want $before" \
    "$again $after"

# --- a render from the console, and a cancelled one ---
"$TOOLS/make_demo" album >/dev/null || exit 2
printf '\n[output master]\nformat = wav\nbits = 24\n' >> album/demo.lathe
cp album/demo.lathe demo.orig
start r album demo.lathe
wait_for r "Tracks" >/dev/null
T send-keys -t r ']'
T send-keys -t r ':render master' Enter
wait_for r "the session is modified" >/dev/null && r1=refused || r1=no
T send-keys -t r u s
wait_for r "saved demo.lathe" >/dev/null
T send-keys -t r ':render master' Enter
wait_for r "Esc cancels: master" 10 >/dev/null && r2=panel || r2=no
wait_for r "render done" 120 >/dev/null && wait_for r "master: " 5 >/dev/null && r3=done || r3=no
n=$(ls album/render/master/*.wav 2>/dev/null | wc -l)
check_eq "unsaved: refused; then :render shows its panel, says done, writes the wavs" \
    "refused panel done 4" "$r1 $r2 $r3 $n"
"$LATHE" check album/demo.lathe >/dev/null 2>&1
# R renders every output; Escape cancels and leaves nothing of it
rm -rf album/render
T send-keys -t r R
wait_for r "Esc cancels: cd, stream, client, master" 10 >/dev/null && r1=panel || r1=no
T send-keys -t r q
wait_for r "quit: a render is under way" 5 >/dev/null && r0=stays || r0=no
T send-keys -t r Escape
wait_for r "failed: interrupted; nothing written" 60 >/dev/null && r2=cancelled || r2=no
left=$(find album/render -type f 2>/dev/null | wc -l)
T send-keys -t r q
wait_exit r
check_eq "R renders every output; q is refused meanwhile; Escape cancels, nothing left" \
    "panel stays cancelled 0 0" "$r1 $r0 $r2 $left $code"

# --- a DDP opened read-only ---
mkdir master.ddp && "$TOOLS/make_ddp" master.ddp album >/dev/null || exit 2
start d . master.ddp
wait_for d "DDP, read-only" >/dev/null && r1=open || r1=no
titles=$(screen d | grep -cE "Villanelle|Le Spectre de la rose|L'île inconnue")
r2=$(row d 2 | grep -qF '0:09.693' && echo start2 || echo "$(row d 2)")
# its tracks are measured from the image: as lathe analyze reads them extracted
n=0
while screen d | grep -qF '...' && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$LATHE" ddp extract master.ddp -o extracted >/dev/null 2>&1
for t in 1 3; do
    want=$("$LATHE" analyze extracted/track0$t.wav 2>/dev/null | sed -n 's/^ *integrated *\(-*[0-9.]*\) LUFS.*/\1/p')
    shown=$(row d $t | awk '{ for (i = 1; i <= NF; i++) if ($i == "+0.00") { print $(i + 1); exit } }')
    check_eq "DDP track $t: the list shows the loudness lathe analyze reads" "$want" "$shown"
done
T send-keys -t d j ']'
wait_for d "gap-by: this DDP is open read-only" >/dev/null && r3=refused || r3=no
T send-keys -t d ':save' Enter
wait_for d "save: this DDP is open read-only" >/dev/null && r4=refused || r4=no
T send-keys -t d q
wait_exit d
extra=$(ls -A master.ddp | grep -cvE '^(CDTEXT.BIN|CHECKSUM.MD5|DDPID|DDPMS|IMAGE.DAT|PQ.TXT|PQDESCR)$')
check_eq "lathe DDPFOLDER: three tracks with CD-Text titles and PQ starts; edits refused; nothing written" \
    "open 3 start2 refused refused 0 0" "$r1 $titles $r2 $r3 $r4 $code $extra"
ls -A . | grep -q '^\.master' && fail "a file was written beside the DDP" "$(ls -A .)"

# Playing the DDP plays its image: Enter on track 2 sends the device the
# image's bytes from track 2's index 01 (alsa's file plugin records them).
T kill-session -t dp 2>/dev/null
T new-session -d -s dp -x 100 -y 30 \
    "cd '$WORK' && env LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME='$WORK/none' '$LATHE' master.ddp -D \"file:'$WORK/ddp.raw',raw\"; echo \"lathe exited \$?\"; exec sleep 100000"
wait_for dp "DDP, read-only" >/dev/null
T send-keys -t dp j Enter
wait_for dp "playing" 10 >/dev/null
# the image plays to its end faster than real time; wait for track 2's bytes
want_bytes=$(python3 -c 'import wave,sys; w=wave.open(sys.argv[1]); print(w.getnframes()*4)' extracted/track02.wav)
n=0
while [ "$(stat -c %s ddp.raw 2>/dev/null || echo 0)" -lt "$want_bytes" ] && [ $n -lt 600 ]; do
    sleep 0.1; n=$((n + 1))
done
T send-keys -t dp q
wait_exit dp
same=$(python3 - extracted/track02.wav ddp.raw <<'PY' 2>&1
import sys, wave
w = wave.open(sys.argv[1]); want = w.readframes(w.getnframes())
got = open(sys.argv[2], 'rb').read()
print("same" if len(want) > 0 and got[:len(want)] == want else "differ %d %d" % (len(want), len(got)))
PY
)
check_eq "playing a DDP's track 2 sends the device the image's bytes of it" "same 0" "$same $code"

summary
