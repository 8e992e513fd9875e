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
summary
