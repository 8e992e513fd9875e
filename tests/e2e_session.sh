#!/bin/sh
# End-to-end tests of the session file through the command line: malformed
# sessions get one exact message, exit 2 and an untouched file; lathe new
# and lathe do keep files byte for byte; hand-written comments survive.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 6 || exit 2

# bad NAME CONTENT(printf format) EXPECTED-MESSAGE
bad() {
    printf "$2" > "$1.lathe"
    cp "$1.lathe" "$1.orig"
    run_lathe check "$1.lathe"
    if [ "$status" -ne 2 ] || [ "$err" != "lathe check: $3" ]; then
        fail "bad session $1: check" "exit $status (expected 2)" "expected: lathe check: $3" "got:      $err"
        return
    fi
    run_lathe do "$1.lathe" 'gap 1s'
    if [ "$status" -ne 2 ] || [ "$(printf '%s\n' "$err" | head -n 1)" != "lathe do: $3" ]; then
        fail "bad session $1: do" "exit $status" "got: $err"
        return
    fi
    if ! cmp -s "$1.lathe" "$1.orig" || [ -e "$1.lathe~" ]; then
        fail "bad session $1: file changed on disk"
        return
    fi
    ok "bad session $1"
}

bad gain '[track]\nfile = a.wav\ngain = 3 db\n' 'gain.lathe:3: gain: "3 db" — expected a level like +3dB'
bad typo '[track]\nfile = a.wav\ngapp = 2s\n' 'typo.lathe:3: unknown key "gapp" in [track] — did you mean "gap"?'
bad section '[albun]\ntitle = x\n' 'section.lathe:1: unknown section [albun] — expected [album], [master], [track], [reference] or [output NAME]'
bad outside 'title = x\n' 'outside.lathe:1: title: outside a section — expected a [section] header first'
bad noeq '[album]\ntitle x\n' 'noeq.lathe:2: "title x" — expected key = value, a [section] or a # comment'
bad dupalbum '[album]\ntitle = x\n[album]\n' 'dupalbum.lathe:3: [album] given twice (first at line 1)'
bad dupkey '[track]\nfile = a.wav\ngap = 1s\ngap = 2s\n' 'dupkey.lathe:4: gap given twice in this [track] (first at line 3)'
bad nofile '[track]\ntitle = x\n' 'nofile.lathe: track 1 has no file — expected a line like file = mixes/01.wav'
bad newer '[lathe]\nversion = 2\n' 'newer.lathe:2: made by a newer lathe (session version 2; this lathe reads version 1) — open it with a newer lathe'
bad newer2 '[lathe]\nversion = 2\n[album]\nloudness-model = v2\n' 'newer2.lathe:2: made by a newer lathe (session version 2; this lathe reads version 1) — open it with a newer lathe'
bad smp '[track]\nfile = a.wav\ngap = 9223372036854775807smp\n' 'smp.lathe:3: gap: "9223372036854775807smp" — expected a time like 2s, 1.5s, 500ms, 1:23.4 or 88200smp'
bad isrcchars '[track]\nfile = a.wav\nisrc = GB!ABC\n' 'isrcchars.lathe:3: isrc: "GB!ABC" — expected an ISRC like GBABC2600001'
bad utf8 '[album]\ntitle = \377\376\n' 'utf8.lathe:2: not UTF-8 text — is this a session file?'
bad nul '[album]\ntitle = a\000b\n' 'nul.lathe:2: not UTF-8 text — is this a session file?'
bad time '[track]\nfile = a.wav\ngap = 2 secs\n' 'time.lathe:3: gap: "2 secs" — expected a time like 2s, 1.5s, 500ms, 1:23.4 or 88200smp'
bad neg '[track]\nfile = a.wav\ngap = -1s\n' 'neg.lathe:3: gap: "-1s" — expected a time like 2s, 1.5s, 500ms, 1:23.4 or 88200smp'
bad rate '[album]\nrate = 44.1\n' 'rate.lathe:2: rate: "44.1" — expected a sample rate from 8000 to 768000'
bad bits '[output x]\nformat = wav\nbits = 20\n' 'bits.lathe:3: bits: "20" — expected 16, 24 or 32 (float)'
bad format '[output x]\nformat = wma\n' 'format.lathe:2: format: "wma" — expected ddp, cue, toc, wav, flac, aiff, mp3, ogg or review'
bad bool '[track]\nfile = a.wav\ncopy = maybe\n' 'bool.lathe:3: copy: "maybe" — expected yes or no'
bad eq '[track]\nfile = a.wav\neq = bell 3kHz q\n' 'eq.lathe:3: eq q: missing value — expected a number like 1.5'
bad eqtype '[track]\nfile = a.wav\neq = wobble 3kHz\n' 'eqtype.lathe:3: eq type: "wobble" — expected bell, lowshelf, highshelf, highpass or lowpass'
bad comp '[master]\ncomp = threshold -16dB speed 3\n' 'comp.lathe:2: comp: unknown setting "speed"'
bad eqalbum '[album]\neq = bell 3kHz -1dB\n' 'eqalbum.lathe:2: unknown key "eq" in [album]'
bad outnoname '[output]\nformat = wav\n' 'outnoname.lathe:1: [output] needs a name — expected a header like [output cd]'
bad outtwice '[output cd]\nformat = ddp\n[output cd]\nformat = wav\n' 'outtwice.lathe:3: [output cd] given twice'
bad outnoformat '[output cd]\nrate = 44100\n' 'outnoformat.lathe: [output cd] has no format — expected a line like format = flac (ddp, cue, toc, wav, flac, aiff, mp3, ogg or review)'
bad quotes '[album]\ntitle = "abc\n' 'quotes.lathe:2: title: unbalanced quotes — expected "text"'
bad fade '[track]\nfile = a.wav\nfade-in = 2s wobble\n' 'fade.lathe:3: fade-in: "2s wobble" — expected a length and an optional curve, like 2.5s or 3s log'
bad target '[album]\ntarget = -14 LU\n' 'target.lathe:2: target: "-14 LU" — expected a loudness like -14 LUFS'
bad empty '[album]\ntitle =\n' 'empty.lathe:2: title: no value — give one, or leave the line out'
bad header '[track] x\nfile = a.wav\n' 'header.lathe:1: "[track] x" — expected nothing after the section header but a # comment'
bad ctrl '[album]\ntitle = a\001b\n' 'ctrl.lathe:2: control character 0x01 — is this a session file?'
bad ceiling '[master]\nlimit = ceiling +1dBTP\n' 'ceiling.lathe:2: limit ceiling: "+1dBTP" — expected -20dBTP to 0dBTP'
bad refnofile '[reference]\nname = x\n' 'refnofile.lathe: reference 1 has no file'
bad multiband '[master]\nmultiband = xover 2kHz 100Hz\n' 'multiband.lathe:2: multiband xover: frequencies must rise'
python3 -c "open('long.lathe','w').write('[album]\ntitle = '+'x'*70000+'\n')"
run_lathe check long.lathe
check_eq "a 70 kB line is refused" "2 lathe check: long.lathe:2: line longer than 65536 bytes — is this a session file?" "$status $err"
run_lathe check /dev/null
check_eq "a device is refused" "2 lathe check: /dev/null: not a regular file — expected a session file" "$status $err"
mkdir folder.lathe
run_lathe check folder.lathe
check_eq "a folder is refused" "2 lathe check: folder.lathe: not a regular file — expected a session file" "$status $err"
run_lathe check missing.lathe
check_eq "a missing session" "2 lathe check: missing.lathe: No such file or directory" "$status $err"

# A BOM and CRLF line ends are read.
printf '\357\273\277[track]\r\nfile = a.wav\r\ngap = 2s\r\n' > crlf.lathe
run_lathe check --no-audio crlf.lathe
check_eq "BOM and CRLF accepted" "0" "$status"

# lathe new, then save: the same bytes.
"$TOOLS/make_tone" "b 2.wav" 5
"$TOOLS/make_tone" "c 10.wav" 5 44100
mkdir -p mixes && cp a.wav "mixes/01 Intro.wav" && cp "b 2.wav" "mixes/02 Night_Drive.wav" && cp a.wav "mixes/10 Outro.wav"
run_lathe new s.lathe "mixes/10 Outro.wav" "mixes/01 Intro.wav" "mixes/02 Night_Drive.wav"
check_eq "lathe new" "0" "$status"
check_eq "tracks ordered by name, titles from names" "Intro|Night Drive|Outro" \
    "$(grep '^title' s.lathe | sed -n '2,4p' | sed 's/title = //' | paste -sd'|')"
grep -q '^limit = ceiling -1dBTP' s.lathe && ok "default master chain ends in a limiter" || fail "default limiter"
for o in '\[output cd\]' 'format = ddp' '\[output stream\]' 'format = flac' '\[output client\]' 'format = mp3' 'dither = shaped'; do
    grep -q "^$o" s.lathe || fail "default outputs: $o missing"
done
ok "default outputs cd, stream, client"
check_eq "session rate is the most common mix rate" "rate = 48000" "$(grep '^rate' s.lathe | head -n 1)"
cp s.lathe s.orig
run_lathe do s.lathe save
if cmp -s s.lathe s.orig; then ok "new then save: same bytes"; else fail "new then save: same bytes" "$(diff s.orig s.lathe)"; fi
run_lathe new s.lathe a.wav
check_eq "new refuses to overwrite" "2" "$status"
cmp -s s.lathe s.orig && ok "refused new leaves the session alone" || fail "new overwrote"
cp a.wav "$(printf 'caf\351.wav')"
run_lathe new n.lathe "$(printf 'caf\351.wav')"
check_eq "new refuses a file name that is not UTF-8" "2" "$status"
[ ! -e n.lathe ] && ok "nothing written for a bad file name" || fail "n.lathe written"
run_lathe new t.lathe a.wav nothere.wav
check_eq "new with a missing mix" "2 lathe new: nothere.wav: No such file or directory" "$status $(printf '%s\n' "$err" | head -n 1)"
[ ! -e t.lathe ] && ok "nothing written when a mix is missing" || fail "t.lathe written"

# A hand-written file keeps its comments and order through an edit.
cat > hand.lathe <<'SESSION'
# Night Drive — master session
[album]
performer = The Night Band   # who
title = Night Drive

# the opener
[track]
gap = 2s                      # track 1: CD pregap
file = a.wav
title = Intro

[track]
title = Second   # comment kept
file = a.wav
gap = 3s          # changed below
SESSION
run_lathe do hand.lathe 'select 2' 'gap 1s'
cat > hand.expected <<'SESSION'
# Night Drive — master session
[album]
performer = The Night Band   # who
title = Night Drive

# the opener
[track]
gap = 2s                      # track 1: CD pregap
file = a.wav
title = Intro

[track]
title = Second   # comment kept
file = a.wav
gap = 1s          # changed below
SESSION
if cmp -s hand.lathe hand.expected; then ok "comments and order survive an edit"; else fail "comments and order survive an edit" "$(diff hand.expected hand.lathe)"; fi
cmp -s hand.lathe~ /dev/null || [ -s hand.lathe~ ] && ok "previous version kept as hand.lathe~" || fail "no backup"

# The DESIGN example reads and writes back byte for byte.
cp "$LATHE_TESTS/data/night.lathe" night.lathe
run_lathe do night.lathe save
cmp -s night.lathe "$LATHE_TESTS/data/night.lathe" && ok "DESIGN example round trip" || fail "DESIGN example round trip" "$(diff "$LATHE_TESTS/data/night.lathe" night.lathe)"

# lathe do: commands, undo, failures.
cp s.orig d.lathe
run_lathe do d.lathe 'select 2' 'move up' 'gain -0.5dB' 'isrc gb-abc-26-00001' 'eq add bell 3kHz -1dB q 1' undo
check_eq "do runs commands" "0" "$status"
check_eq "move up moved Night Drive first" "Night Drive" "$(grep '^title' d.lathe | sed -n 2p | sed 's/title = //')"
grep -q '^isrc = GBABC2600001' d.lathe && ok "isrc normalised" || fail "isrc normalised"
grep -q '^eq = ' d.lathe && fail "undo removed the eq" || ok "undo removed the eq"
cp d.lathe d.before
run_lathe do d.lathe 'gap 1s' 'isrc XX'
check_eq "bad isrc refused" "2" "$status"
cmp -s d.lathe d.before && ok "a failing command writes nothing" || fail "a failing command writes nothing"
run_lathe do d.lathe 'select 9'
check_eq "select out of range" "lathe do: select 9: select: \"9\" — expected a track from 1 to 3, album or master" "$(printf '%s\n' "$err" | head -n 1)"
run_lathe do d.lathe 'upc 5012345678901'
check_eq "wrong UPC check digit refused" "lathe do: upc 5012345678901: upc: \"5012345678901\" — the check digit should be 0" "$(printf '%s\n' "$err" | head -n 1)"
run_lathe do d.lathe 'frobnicate'
check_eq "unknown command" "2" "$status"

# Clearing a key removes its line; quotes around text are not part of it.
printf '[album]\ntitle = A\n[track]\nfile = a.wav\nfade-out = 2.5s\n' > u.lathe
run_lathe do u.lathe 'unset fade-out' 'title "Tail Lights (edit)"'
check_eq "unset removes the line" "" "$(grep fade-out u.lathe)"
check_eq "quoted text" "title = Tail Lights (edit)" "$(grep '^title' u.lathe | tail -n 1)"
run_lathe check --no-audio u.lathe
check_eq "the edited file reads back" "0" "$status"

# Edits never save a file lathe cannot read back (review findings).
cp s.orig e.lathe
for cmd in 'unset album.rate' 'set isrc "x' "$(printf 'title \377\376')" \
           "title $(python3 -c 'print("é"*600)')" "$(printf 'insert a\tb.wav')" \
           'set gap 119.9999999s' 'set index 179.9999996s' 'unset file' 'insert "mixes/01 Intro.wav"'; do
    "$LATHE" do e.lathe "$cmd" >/dev/null 2>&1
    run_lathe check e.lathe
    if [ "$status" -eq 2 ]; then fail "edit '$cmd' keeps the file readable" "$err"; else ok "edit '$cmd' keeps the file readable"; fi
done
grep -q '^gap = 2:00$' e.lathe && ok "119.9999999s is written 2:00" || fail "119.9999999s is written 2:00" "$(grep ^gap e.lathe)"
grep -q '^file = mixes/01 Intro.wav$' e.lathe && ok "insert takes quoted paths" || fail "insert takes quoted paths"
run_lathe do e.lathe 'select 1' 'unset file'
check_eq "unset file refused" "2" "$status"

summary
