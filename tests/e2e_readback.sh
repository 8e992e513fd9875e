#!/bin/sh
# End-to-end tests of issue 16's "everything written reads back" and the
# input holes beside it: what lathe writes loads again, what it cannot hold
# it refuses with a message and leaves the file as it was.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 5 >/dev/null || exit 2
"$TOOLS/make_tone" ./-x.wav 5 >/dev/null || exit 2
"$TOOLS/make_tone" zero.wav 5 48000 2 24 -200 >/dev/null || exit 2    # all samples 0
"$TOOLS/make_tone" faint.wav 5 48000 2 32 -150 >/dev/null || exit 2   # float, far below any gate
"$TOOLS/make_signal" sig 48000 intake >/dev/null 2>&1 || exit 2

base() {
    printf '[album]\nrate = 48000\n\n[track]\nfile = a.wav\n' > s.lathe
}

# refused: exit 2, a message naming $2, the session byte for byte as it was
refused() {
    name=$1; shift
    want=$1; shift
    cp s.lathe before.lathe
    run_lathe "$@"
    if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q -- "$want" && cmp -s s.lathe before.lathe; then
        ok "$name"
    else
        fail "$name" "exit $status (expected 2, a message with \"$want\", the file unchanged)" "$err" "$(diff before.lathe s.lathe)"
    fi
}

# loads: `lathe check --no-audio` reads the session without complaint
loads() {
    run_lathe check --no-audio s.lathe
    if [ "$status" -le 1 ] && ! printf '%s\n' "$err" | grep -q "expected"; then ok "$1"; else fail "$1" "exit $status" "$err" "$(cat s.lathe)"; fi
}

# ---- the writer keeps the reader's limits ----
base
refused "gap-by +3599s: refused (wrote gap = 60:01, refused at load)" "60:00" do s.lathe "gap-by +3599s"
loads "after gap-by +3599s the session still loads"
base
refused "gap-by +1e300s: refused (an undefined float-to-integer cast)" "gap-by" do s.lathe "gap-by +1e300s"
base
run_lathe do s.lathe "gap-by +3500s"
if [ "$status" -eq 0 ] && grep -q '^gap = 58:22$' s.lathe; then ok "gap-by within range is kept (58:22)"; else fail "gap-by +3500s" "$err" "$(cat s.lathe)"; fi
loads "a gap of 58:22 loads"
base
refused "gain-by +1e300dB: refused" "gain" do s.lathe "gain-by +1e300dB"

# revision at the maximum: render refuses to bump it, before writing anything
printf '[album]\nrate = 48000\nrevision = 1000000\n\n[track]\nfile = a.wav\n\n[output client]\nformat = wav\nrate = 48000\nbits = 24\nalbum = yes\n' > s.lathe
refused "render at revision 1000000: refused (became 1000001, refused at load)" "revision" render s.lathe -o out
if [ ! -e out/client ]; then ok "the refused render wrote no output"; else fail "refused render wrote out/client"; fi
loads "the session at revision 1000000 still loads"

# a `do` past SESSION_MAX_BYTES (64 MiB): refused, nothing written
python3 - <<'EOF'
import sys
head = "[album]\nrate = 48000\n\n[track]\nfile = a.wav\n"
line = "# " + "x" * 998 + "\n"
n = (64 * 1024 * 1024 - len(head) - 600) // len(line)
with open("s.lathe", "w") as f:
    f.write(head + line * n)
EOF
note=$(python3 -c 'print("n" * 999)')
refused "do note near 64 MiB: refused (wrote a file the reader refuses)" "bytes" do s.lathe "note $note"
loads "the 64 MiB session still loads"

# ---- numbers are decimal, frequencies below Nyquist ----
printf '[album]\nrate = 0x1F40\n\n[track]\nfile = a.wav\n' > s.lathe
run_lathe check --no-audio s.lathe
if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q 's.lathe:2: rate: "0x1F40"'; then ok "rate = 0x1F40 refused at load, naming the line"; else fail "rate = 0x1F40" "exit $status" "$err"; fi
base
refused "do set album.rate 0x1F40: refused" "0x1F40" do s.lathe "set album.rate 0x1F40"
printf '[track]\nfile = a.wav\neq = bell 5kHz -1dB\n\n[album]\nrate = 8000\n' > s.lathe
run_lathe check --no-audio s.lathe
if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q '5kHz' && printf '%s\n' "$err" | grep -q '4kHz'; then
    ok "an EQ band at 5 kHz with rate = 8000 later in the file: refused, naming both"
else fail "eq above Nyquist at load" "exit $status" "$err"; fi
printf '[album]\nrate = 8000\n\n[track]\nfile = a.wav\n' > s.lathe
refused "do eq add bell 5kHz at 8 kHz: refused" "Nyquist" do s.lathe "eq add bell 5kHz -1dB"
printf '[album]\nrate = 48000\n\n[track]\nfile = a.wav\neq = bell 5kHz -1dB\n' > s.lathe
refused "do set album.rate 8000 under a 5 kHz band: refused" "Nyquist" do s.lathe "set album.rate 8000"

# ---- insert takes only a readable sound file ----
base
mkdir folder
printf 'not sound\n' > text.wav
refused "insert a missing file: refused" "missing.wav" do s.lathe "insert missing.wav"
refused "insert a folder: refused" "folder" do s.lathe "insert folder"
refused "insert /dev/zero: refused" "/dev/zero" do s.lathe "insert /dev/zero"
refused "insert a text file: refused" "text.wav" do s.lathe "insert text.wav"
run_lathe do s.lathe "insert sig/mix-clean.wav"
if [ "$status" -eq 0 ] && grep -q '^file = sig/mix-clean.wav$' s.lathe; then ok "insert a sound file"; else fail "insert a sound file" "$err"; fi

# ---- play: times are finite, non-negative, decimal ----
base
for t in nan inf -inf -1 0x10 1e300; do
    run_lathe play s.lathe --from "$t"
    if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q -- "--from \"$t\""; then ok "play --from $t: refused"; else fail "play --from $t" "exit $status" "$err"; fi
done
run_lathe play s.lathe --to nan
if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q -- '--to "nan"'; then ok "play --to nan: refused"; else fail "play --to nan" "exit $status" "$err"; fi

# ---- "--" ends the options: a name may start with - ----
run_lathe new -- -s.lathe -x.wav
if [ "$status" -eq 0 ] && grep -q '^file = -x.wav$' ./-s.lathe; then ok "new -- -s.lathe -x.wav"; else fail "new --" "exit $status" "$err"; fi
run_lathe analyze -- -x.wav
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q -- '-x.wav'; then ok "analyze -- -x.wav"; else fail "analyze --" "exit $status" "$err"; fi
run_lathe check --no-audio -- -s.lathe
if [ "$status" -eq 0 ]; then ok "check --no-audio -- -s.lathe"; else fail "check --" "exit $status" "$err"; fi
run_lathe do -- -s.lathe "gap 1s"
if [ "$status" -eq 0 ] && grep -q '^gap = 1s$' ./-s.lathe; then ok "do -- -s.lathe"; else fail "do --" "exit $status" "$err"; fi
run_lathe level -- -s.lathe
if [ "$status" -eq 0 ]; then ok "level -- -s.lathe"; else fail "level --" "exit $status" "$err"; fi
printf '\n[output w]\nformat = wav\nrate = 48000\nbits = 24\n' >> ./-s.lathe
run_lathe render -o out2 -- -s.lathe w
if [ "$status" -eq 0 ] && ls out2/w/*.wav >/dev/null 2>&1; then ok "render -o out2 -- -s.lathe w"; else fail "render --" "exit $status" "$err"; fi
run_lathe analyze --tonal -- -s.lathe
if [ "$status" -ne 0 ] && printf '%s\n' "$err" | grep -q "unexpected"; then fail "analyze --tonal --" "$err"; else ok "analyze --tonal -- -s.lathe reads the session"; fi
run_lathe check -- -s.lathe --no-audio
if [ "$status" -eq 2 ]; then ok "after -- an option is a name: check -- S --no-audio is a usage error"; else fail "check -- S --no-audio" "exit $status"; fi

# ---- match: nothing to match against silence ----
printf '[album]\nrate = 48000\n\n[track]\nfile = sig/mix-clean.wav\n\n[reference]\nfile = zero.wav\n\n[reference]\nfile = faint.wav\nname = faint\n' > s.lathe
refused "match against an all-zero reference: refused" "zero.wav" do s.lathe "match 1"
refused "match against a reference at -150 dBFS: refused, no bands added" "faint.wav" do s.lathe "match 1 faint"
printf '[album]\nrate = 48000\n\n[track]\nfile = sig/mix-silent.wav\n\n[reference]\nfile = sig/mix-clean.wav\n' > s.lathe
refused "match a silent track: refused" "mix-silent.wav" do s.lathe "match 1"
summary
