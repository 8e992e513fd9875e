#!/bin/sh
# End-to-end tests of issue 16's "one validation" and "every load linear
# and bounded": every refusal render makes from a session, check makes too
# in the same words; big and hostile files load in bounded time and memory.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 6 || exit 2
"$TOOLS/make_tone" short.wav 3 || exit 2

# refused NAME SESSION-TEXT(printf): `check --no-audio` exits 1 and lists,
# as an error line, the very message with which `render` exits 2, having
# written nothing.
refused() {
    printf "$2" > "$1.lathe"
    run_lathe check --no-audio "$1.lathe"
    cstatus=$status
    cout=$out
    rm -rf "out-$1"
    run_lathe render "$1.lathe" -o "out-$1"
    msg=${err#lathe render: }
    if [ "$cstatus" -ne 1 ]; then
        fail "refused: $1: check" "check exit $cstatus, expected 1" "$cout"
    elif [ "$status" -ne 2 ]; then
        fail "refused: $1: render" "render exit $status, expected 2" "$err"
    elif [ -z "$msg" ] || ! printf '%s\n' "$cout" | grep -qxF "error: $msg"; then
        fail "refused: $1: same words" "render: $err" "check:  $cout"
    elif [ -e "out-$1" ]; then
        fail "refused: $1: nothing written" "$(ls -R "out-$1")"
    else
        ok "refused: $1: check and render say: $msg"
    fi
}

T='[track]\nfile = a.wav\n'
# the cases of issue 16
refused cue-quote "[album]\ntitle = A \"quoted\" B\n${T}[output c]\nformat = cue\n"
refused toc-quote "${T}title = say \"hi\"\n[output t]\nformat = toc\n"
refused name-field "${T}[output f]\nformat = flac\nname = {nn} {bogus}\n"
refused ddp-48k "${T}[output d]\nformat = ddp\nrate = 48000\nbits = 24\n"
refused ogg-768k "${T}[output o]\nformat = ogg\nrate = 768000\n"
refused flac-768k "${T}[output o]\nformat = flac\nrate = 768000\n"
refused trim-in-past-end "${T}trim-in = 10s\n[output o]\nformat = wav\n"
# every other refusal render makes from the session alone
refused cue-44k-24 "${T}[output c]\nformat = cue\nbits = 24\n"
refused toc-48k "${T}[output t]\nformat = toc\nrate = 48000\n"
refused mp3-bits "${T}[output m]\nformat = mp3\nbits = 16\n"
refused ogg-bits "${T}[output o]\nformat = ogg\nbits = 24\n"
refused mp3-96k "${T}[output m]\nformat = mp3\nrate = 96000\n"
refused flac-float "${T}[output f]\nformat = flac\nbits = 32\n"
refused name-brace "${T}[output f]\nformat = wav\nname = {nn {title}\n"
refused review-field "${T}[output r]\nformat = review\nname = {nope}\n"
refused ddp-upc "[album]\nupc = 5012345678901\n${T}[output d]\nformat = ddp\n"
refused ddp-short-track "${T}[track]\nfile = short.wav\n[output d]\nformat = ddp\n"
refused ddp-latin1 "${T}title = 東京\n[output d]\nformat = ddp\n"
refused missing-mix "${T}[track]\nfile = gone.wav\n[output w]\nformat = wav\n"
refused second-output "${T}[output good]\nformat = wav\n[output bad]\nformat = ddp\nrate = 96000\n"
# a clean session renders, and check says clean
printf "${T}[output w]\nformat = flac\n[output d]\nformat = ddp\n" > clean.lathe
run_lathe check --no-audio clean.lathe
check_eq "clean: check" 0 "$status"
run_lathe render clean.lathe -o out-clean
check_eq "clean: render" 0 "$status"
# only the named outputs are judged by render
run_lathe render second-output.lathe -o out-named good
check_eq "render of the good output alone" 0 "$status"
# ---- every load linear and bounded ----
# 100,000 [output] sections: a duplicate check against every name before
# took minutes; the load must take seconds
awk 'BEGIN { print "[track]\nfile = a.wav"; for (i = 0; i < 100000; i++) printf "[output o%d]\nformat = wav\n", i }' > many.lathe
timeout 30 "$LATHE" check --no-audio many.lathe > many.out 2>&1
check_eq "100,000 outputs: check --no-audio within 30 s" "0 clean: no problems found" "$? $(tail -n 1 many.out)"
# a repeat among them is still found, at its line
printf '[output o99999]\nformat = flac\n' >> many.lathe
timeout 30 "$LATHE" check --no-audio many.lathe > many.out 2>&1
check_eq "100,000 outputs and a repeat: refused at its line" "2 lathe check: many.lathe:200003: [output o99999] given twice" "$? $(cat many.out)"

# 63 MiB of short comment lines: memory must stay near the file's size (an
# item and an allocation per line took fifty times it). The address space
# is capped so a regression fails here rather than swapping the machine.
awk 'BEGIN { print "[track]\nfile = a.wav"; for (i = 0; i < 33000000; i++) print "#" }' > comments.lathe
size=$(wc -c < comments.lathe)
# (not under ASan: its shadow memory is reserved up front, beyond any cap)
cap="ulimit -v 2097152;"
sanitized && cap=""
( eval "$cap"; /usr/bin/time -v "$LATHE" check --no-audio comments.lathe > comments.out 2> comments.time )
cstatus=$?
peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' comments.time)
if [ "$cstatus" -ne 0 ] || [ -z "$peak_kb" ]; then
    fail "63 MiB of comments: check within 2 GiB" "exit $cstatus" "$(head -n 1 comments.time)"
elif [ $((peak_kb * 1024)) -gt $((size * 8)) ]; then
    fail "63 MiB of comments: peak memory under 8x the file" "peak ${peak_kb} kB for a file of $size bytes"
else
    ok "63 MiB of comments: peak memory ${peak_kb} kB for $((size / 1024)) kB of file"
fi
rm -f comments.lathe comments.out many.lathe many.out

# ddp verify reads no further than DDPMS declares: a 20 GB tail (sparse)
# would take minutes to hash
mkdir ddp && "$TOOLS/make_ddp" ddp album > /dev/null || exit 2
truncate -s +20G ddp/IMAGE.DAT
timeout 20 "$LATHE" ddp verify ddp > verify.out 2>&1
vstatus=$?
if [ "$vstatus" -ne 1 ]; then
    fail "ddp verify of a 20 GB image: exit 1 within 20 s" "exit $vstatus" "$(cat verify.out)"
elif ! grep -q "^error: IMAGE.DAT: 2[0-9]* bytes, more than the [0-9]* DDPMS declares — its MD5 is not checked$" verify.out; then
    fail "ddp verify of a 20 GB image: says the file is longer" "$(cat verify.out)"
else
    ok "ddp verify of a 20 GB image: $(grep 'more than' verify.out)"
fi
# a short image is hashed (what there is) and named too
truncate -s 1000000 ddp/IMAGE.DAT
run_lathe ddp verify ddp
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q "IMAGE.DAT is 1000000 bytes; DDPMS says" &&
   printf '%s\n' "$out" | grep -q "IMAGE.DAT: MD5 .* does not match"; then
    ok "ddp verify of a short image: its length and its MD5"
else
    fail "ddp verify of a short image" "exit $status" "$out"
fi
summary
