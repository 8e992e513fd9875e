#!/bin/sh
# End-to-end tests of playing from the console, driven through tmux: play,
# pause and resume, next and previous, loop, the output preview, resizing
# while playing, quitting while playing, the null PCM, and the bytes a
# second the console writes while its meters run.
#
# lathe paces alsa-lib's null PCM in real time; a file PCM is not, so most
# checks play to "paced": a file PCM whose file is a pipe into a small reader that
# takes the bytes at the rate its WAV header names, as a sound card would,
# and logs that rate and depth (each engine start opens it afresh).
. "$LATHE_TESTS/lib.sh"
TMUX_NEEDS=python3
. "$LATHE_TESTS/tmux.sh"
"$TOOLS/make_demo" album >/dev/null || exit 2
DATA="$LATHE_TESTS/data"

cat > .asoundrc <<EOF
pcm.paced {
    type file
    slave.pcm null
    file "|python3 $LATHE_TESTS/pace.py $WORK/pace.log"
    format wav
}
EOF

# start NAME COLS ROWS DEVICE: the console on the demo album
start() {
    T kill-session -t "$1" 2>/dev/null
    T new-session -d -s "$1" -x "$2" -y "$3" \
        "cd '$WORK/album' && env HOME='$WORK' LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_CONFIG_HOME='$WORK/config' '$LATHE' demo.lathe -D $4; echo \"lathe exited \$?\"; exec sleep 100000"
}
# transport NAME: the transport line (the screen's last but one)
transport() { screen "$1" | tail -n 2 | head -n 1; }
# position NAME: the play position in milliseconds (negative in a pregap)
position() {
    transport "$1" | sed -n 's/.*track [0-9]*  \(-\{0,1\}\)\([0-9]*\):\([0-9]*\)\.\([0-9]*\) \/.*/s\1 \2 \3 \4/p' |
        awk '{ v = ($2 * 60 + $3) * 1000 + $4; if ($1 == "s-") v = -v; print v }'
}
# the screen in ASCII, so that cut counts columns
ascii() { screen "$1" | sed 's/─/-/g; s/█/#/g; s/—/-/g; s/▶/>/g'; }
# the screen's static parts, numbers masked as the stored snapshot has
# them: the header, the track list and the chain panel's columns
static_parts() { ascii "$1" | head -n 22 | cut -c1-44 | sed -E 's/-?[0-9]+\.[0-9]\b/N.N/g; s/ +$//'; }

# Enter plays from the selected track; the position runs.
start pl 80 24 paced
wait_for pl "? lists the keys" >/dev/null
T send-keys -t pl Enter
if wait_for pl "playing  track 1" 10; then
    sleep 0.5
    p1=$(position pl)
    sleep 1.5
    p2=$(position pl)
    if [ -n "$p1" ] && [ -n "$p2" ] && [ $((p2 - p1)) -ge 1000 ] && [ $((p2 - p1)) -le 2500 ]; then
        ok "Enter plays track 1 and the position runs ($p1 -> $p2 ms in 1.5 s)"
    else
        fail "the position runs while playing" "$p1 -> $p2" "$(transport pl)"
    fi
else
    fail "Enter plays track 1"
fi
grep -q '^48000 32$' pace.log && ok "the session plays at its rate, 24 bits in 32" ||
    fail "the device gets the session's rate and depth" "$(cat pace.log)"

# Space pauses: the position stands; Space again goes on from there.
T send-keys -t pl Space
wait_for pl "paused  track 1" 5 >/dev/null && r1=paused || r1=no
sleep 0.3       # the device may take the period under way
p1=$(position pl)
sleep 1
p2=$(position pl)
T send-keys -t pl Space
wait_for pl "playing  track 1" 5 >/dev/null && r2=playing || r2=no
sleep 1.5
p3=$(position pl)
if [ "$r1 $r2" = "paused playing" ] && [ "$p1" = "$p2" ] && [ $((p3 - p2)) -ge 500 ] && [ $((p3 - p2)) -le 2500 ]; then
    ok "Space pauses ($p1 = $p2 ms) and resumes from there ($p3 ms)"
else
    fail "pause and resume" "$r1 $r2 $p1 $p2 $p3" "$(transport pl)"
fi

# Stopped, Enter and Space in one burst of keys: play, then pause that play.
T send-keys -t pl S
wait_for pl "stopped  track 1" 5 >/dev/null
T send-keys -t pl Enter Space
wait_for pl "paused  track 1" 5 >/dev/null && r1=paused || r1=no
T send-keys -t pl Space
wait_for pl "playing  track 1" 5 >/dev/null && r2=playing || r2=no
check_eq "Enter Space at once: plays, then pauses" "paused playing" "$r1 $r2"

# n plays the next track, p goes back to the previous one from its start.
T send-keys -t pl n
wait_for pl "playing  track 2" 5 >/dev/null && r1=2 || r1=no
T send-keys -t pl p
wait_for pl "playing  track 1" 5 >/dev/null && r2=1 || r2=no
sleep 1
p1=$(position pl)
check_eq "n and p change the track played" "2 1 early" "$r1 $r2 $([ -n "$p1" ] && [ "$p1" -lt 3000 ] && echo early || echo "$p1")"

# l loops the track; Right seeks near its end and it starts over.
T send-keys -t pl l
wait_for pl "loop" 5 >/dev/null && r1=loop || r1=no
T send-keys -t pl Right Right Right Right Right Right
sleep 1
p1=$(position pl)
wait_for pl "playing  track 1  0:0" 10 >/dev/null && r2=again || r2=no
tr=$(transport pl)
case "$tr" in *"track 1"*) r3=1 ;; *) r3="$tr" ;; esac
T send-keys -t pl l
n=0
while transport pl | grep -q loop && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
transport pl | grep -q loop && r4=on || r4=off
check_eq "l loops the track: at its end it plays again ($p1 ms before)" "loop again 1 off" "$r1 $r2 $r3 $r4"

# o previews the next output: playback goes on through its stage (cd:
# 44.1 kHz, 16-bit).
T send-keys -t pl o
wait_for pl "preview: cd" 5 >/dev/null && r1=cd || r1=no
n=0
while [ "$(tail -n 1 pace.log)" != "44100 16" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
wait_for pl "playing  track" 5 >/dev/null && r2=playing || r2=no
check_eq "o plays on through the cd output's stage" "cd playing 44100 16" "$r1 $r2 $(tail -n 1 pace.log)"
T send-keys -t pl o o o
wait_for pl "preview: session" 5 >/dev/null
# each o started the engine again: let the last start open the device
n=0
while [ "$(tail -n 1 pace.log)" != "48000 32" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sleep 1

# An edit of a gain goes live (no new start of the engine, so no new open
# of the device); an edit of a gap moves the timeline: playback starts again
# there. u u undoes both.
starts=$(wc -l < pace.log)
T send-keys -t pl +
wait_for pl "gain" 5 >/dev/null
sleep 1
live=$(wc -l < pace.log)
T send-keys -t pl ']'
n=0
while [ "$(wc -l < pace.log)" -eq "$live" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
again=$(wc -l < pace.log)
T send-keys -t pl u u
wait_for pl "playing  track" 5 >/dev/null && r1=playing || r1=no
check_eq "an edit of a gain goes live; one of a gap starts playback again" "0 1 playing" \
    "$((live - starts)) $((again - live)) $r1"

# What the console writes to the terminal while playing with meters.
T pipe-pane -t pl -o "cat > '$WORK/bytes'"
sleep 4
T pipe-pane -t pl
bytes=$(wc -c < bytes)
rate=$((bytes / 4))
echo "       the console writes $rate bytes/s at 80x24 while playing"
if [ "$rate" -gt 200 ] && [ "$rate" -le 8192 ]; then
    ok "terminal output while playing: $rate bytes/s (at most 8 KB/s)"
else
    fail "terminal output while playing: $rate bytes/s (aim: 200 to 8192)"
fi

# a: the transitions from the selected track, the end of one into the next.
T send-keys -t pl a
wait_for pl "auditioning the transitions from track 1 into 2" 5 >/dev/null && r1=msg || r1=no
wait_for pl "playing  track 1  0:3" 10 >/dev/null && r2=end1 || r2=no
wait_for pl "playing  track 2  -0:0" 15 >/dev/null && r3=pregap2 || r3=no
wait_for pl "playing  track 2  0:0" 10 >/dev/null && r4=start2 || r4=no
wait_for pl "playing  track 2  0:4" 15 >/dev/null && r5=end2 || r5=no
check_eq "a auditions the transitions: end of 1, gap, start of 2, then end of 2" \
    "msg end1 pregap2 start2 end2" "$r1 $r2 $r3 $r4 $r5"

# Resizing while playing re-lays out the screen; back at 80x24 the static
# parts match the stored snapshot and nothing of the larger layout stays.
T send-keys -t pl S
wait_for pl "stopped" 5 >/dev/null
T send-keys -t pl Enter
wait_for pl "playing  track 1" 5 >/dev/null
T resize-window -t pl -x 120 -y 40
n=0
while [ "$(screen pl | wc -l)" -lt 40 ] || ! screen pl | tail -n 2 | grep -q playing; do
    [ $n -gt 50 ] && break
    sleep 0.1
    n=$((n + 1))
done
sleep 0.5
big=$(screen pl | sed -n '1p' | sed 's/ *$//' | LC_ALL=C.UTF-8 wc -m)
T resize-window -t pl -x 80 -y 24
sleep 1
static_parts pl > after.txt
head -n 22 "$DATA/console-utf8.txt" | sed 's/─/-/g; s/—/-/g' | cut -c1-44 | sed 's/ *$//' > want.txt
if [ "$big" = 120 ] && cmp -s want.txt after.txt && transport pl | grep -q playing; then
    ok "resize 80x24 -> 120x40 -> 80x24 while playing leaves the snapshot's static parts"
else
    fail "resize while playing (header $big wide)" "$(diff want.txt after.txt | head -n 12)"
fi
# the meters panel holds only meters: two bars, loudness, LRA, GR, spectrum
meters=$(ascii pl | sed -n '10,14p' | cut -c45-80 | sed -E 's/[0-9]/N/g; s/[#|]/ /g; s/ +/ /g; s/ $//')
expect=$(printf ' L N.N\n R N.N\n M N.N S N.N I N.N LUFS\n LRA N.N LU correlation +N.NN\n GR comp N.N dB limit N.N dB')
meters=$(printf '%s\n' "$meters" | sed -E 's/-inf/N.N/g; s/-N/N/g; s/N+\.N/N.N/g')
check_eq "the meters panel after the resize" "$expect" "$meters"

# q while playing leaves at once and cleanly: exit 0, the reader gone (the
# edits above were undone, but the session counts as modified: q q).
T send-keys -t pl q
wait_for pl "unsaved changes" 5 >/dev/null
T send-keys -t pl q
wait_exit pl
sleep 0.5
left=$(ps -eo args | grep -c "[p]ace.py $WORK")
check_eq "q while playing: exit 0 and the device closed" "0 0" "$code $left"

# The null PCM plays at the speed of the music, as a card would: two
# seconds in, the transport says about two seconds. A seek past the end
# plays out the album, which stops, and the console goes on.
start nul 80 24 null
wait_for nul "? lists the keys" >/dev/null
T send-keys -t nul Enter
wait_for nul "playing  track 1" 5 >/dev/null
sleep 2
ms=$(position nul)
[ -n "$ms" ] && [ "$ms" -ge 1000 ] && [ "$ms" -le 6000 ] && r0=paced || r0="at ${ms}ms"
T send-keys -t nul : "seek +600s" Enter
wait_for nul "stopped  track" 30 >/dev/null && r1=stopped || r1=no
T send-keys -t nul j
wait_for nul "> 2 Night Drive" 5 >/dev/null && r2=selects || r2=no
T send-keys -t nul q
wait_exit nul
check_eq "-D null plays in real time, to the album's end; the console goes on" "paced stopped selects 0" "$r0 $r1 $r2 $code"

# x switches to the session's reference (loudness-matched) and back; P
# plays the master as Spotify would.
printf '\n[reference]\nfile = mixes/03 Glass City.wav\nname = benchmark\n' >> album/demo.lathe
start ab 80 24 paced
wait_for ab "? lists the keys" >/dev/null
T send-keys -t ab Enter
wait_for ab "playing  track 1" 10 >/dev/null && r1=playing || r1=no
sleep 1
T send-keys -t ab x
wait_for ab "playing  reference benchmark" 5 >/dev/null && r2=reference || r2=no
screen ab | grep -q "reference: benchmark, \(matched [-+][0-9]*\.[0-9] dB\|not matched\)" && r3=said || r3=no
T send-keys -t ab x
wait_for ab "playing  track 1" 5 >/dev/null && r4=master || r4=no
screen ab | grep -q "reference benchmark" && r4=still-reference
T send-keys -t ab P
wait_for ab "as Spotify plays it" 5 >/dev/null && r5=spotify || r5=no
T send-keys -t ab q
wait_exit ab
check_eq "x plays the reference, x again the master; P as Spotify plays it" \
    "playing reference said master spotify 0" "$r1 $r2 $r3 $r4 $r5 $code"

# No such device: the console opens and says so.
start none 80 24 lathe_no_such_pcm
wait_for none "playback not available (no audio device \"lathe_no_such_pcm\"" 10 >/dev/null && r1=said || r1=no
T send-keys -t none Enter
wait_for none "no playback: no audio device" 5 >/dev/null && r2=said || r2=no
T send-keys -t none ':platform bogus' Enter
wait_for none "usage: platform spotify|apple" 5 >/dev/null && r3=usage || r3=no
T send-keys -t none x
wait_for none "no playback: no audio device" 5 >/dev/null && r4=said || r4=no
T send-keys -t none q
wait_exit none
check_eq "no device: the console opens, Enter and x say why they cannot play" \
    "said said usage said 0" "$r1 $r2 $r3 $r4 $code"

summary
