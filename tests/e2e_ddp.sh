#!/bin/sh
# End-to-end tests of the DDP master: a set written by the DDP sink
# (make_ddp), checked by independent tools (md5sum, cdrskin, cdrdao,
# cuetools), read back by `lathe ddp info|verify|extract`, and damaged sets
# that `ddp verify` must name one by one.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
mkdir good example || exit 2
"$TOOLS/make_ddp" good album || exit 2
"$TOOLS/make_ddp" example example || exit 2

# bytes AT of FILE replaced by TEXT
patch() { printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# the byte AT of FILE inverted
flip() { python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 0xFF; open(p, "wb").write(b)' "$1" "$2"; }
# 64-byte packets A and B of FILE swapped
swap() { python3 -c 'import sys; p, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]); d = bytearray(open(p, "rb").read()); x, y = d[a*64:a*64+64], d[b*64:b*64+64]; d[a*64:a*64+64], d[b*64:b*64+64] = y, x; open(p, "wb").write(d)' "$1" "$2" "$3"; }
fresh() { rm -rf "$1"; cp -r good "$1"; }

# ---- the good set ----
run_lathe ddp verify good
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q 'good: clean: DDP 2.00, 3 tracks, 00:21:38'; then
    ok "verify: the written set is clean"; else fail "verify: the written set is clean" "$out"; fi
run_lathe ddp verify example
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q 'clean: DDP 2.00, 2 tracks, 00:15:00'; then
    ok "verify: the worked example is clean"; else fail "verify: the worked example" "$out"; fi

for set in good example; do
    if (cd $set && md5sum -c --quiet CHECKSUM.MD5) >/dev/null 2>&1; then
        ok "md5sum -c CHECKSUM.MD5 ($set)"; else fail "md5sum -c CHECKSUM.MD5 ($set)"; fi
done

v07t=$(cdrskin textfile_to_v07t=good/CDTEXT.BIN 2>&1 | python3 -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("latin-1"))')
missing=""
for want in "Text Code           = 8859" "Album Title         = Nuits d'été" \
            "Artist Name         = Orchestre de Montréal" "Genre Code          = Not Defined" \
            "Genre Information   = Chanson française" "Track 01 Title      = Villanelle" \
            "Track 02 Title      = Le Spectre de la rose" "Track 02 Artist     = Soliste «invitée»" \
            "Track 03 Title      = L'île inconnue" "Track 03 Arranger   = Ærø Øster" \
            "Last Track Number   = 3"; do
    echo "$v07t" | grep -qF "$want" || missing="$missing [$want]"
done
if [ -z "$missing" ]; then ok "cdrskin decodes CDTEXT.BIN"; else fail "cdrskin decodes CDTEXT.BIN" "missing:$missing" "$v07t"; fi
v07t=$(cdrskin textfile_to_v07t=example/CDTEXT.BIN 2>&1)
if echo "$v07t" | grep -q 'Track 02 Title      = Track Two' && echo "$v07t" | grep -q 'Album Title         = Disc'; then
    ok "cdrskin decodes the example's CDTEXT.BIN"; else fail "cdrskin: example" "$v07t"; fi

# info, as text and JSON
run_lathe ddp info good
if [ "$status" -eq 0 ] && printf '%s\n' "$out" | grep -q ' 2  00:09:52  00:06:23  00:01:14  CAABC2400002 DCP PRE  Le Spectre de la rose / Soliste «invitée»' \
   && printf '%s\n' "$out" | grep -q 'UPC/EAN:    0036000291452' && printf '%s\n' "$out" | grep -q '00:12:53  index 02'; then
    ok "info: the track table"; else fail "info: the track table" "$out"; fi
run_lathe ddp info good --json
echo "$out" > info.json
if python3 -c '
import json
d = json.load(open("info.json"))
t = d["tracks"]
assert d["upc"] == "0036000291452" and d["leadout"] == 1613 and d["genre"]["code"] == 1
assert [x["start_sector"] for x in t] == [187, 727, 1200]
assert [x["pregap_sectors"] for x in t] == [187, 89, 0] and t[2]["index0_sector"] == -1
assert t[1]["indexes"] == [953] and t[1]["copy"] and t[1]["emphasis"] and not t[2]["copy"]
assert t[0]["isrc"] == "CAABC2400001" and t[2]["isrc"] is None and t[2]["arranger"] == "Ærø Øster"
'; then ok "info --json"; else fail "info --json" "$out"; fi

# a cdrdao TOC over IMAGE.DAT from the PQ as info reads it
python3 - info.json good/album.toc <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
msf = lambda n: "%02d:%02d:%02d" % (n // 4500, n // 75 % 60, n % 75)
t = d["tracks"]
first = lambda x: x["index0_sector"] if x["index0_sector"] >= 0 else x["start_sector"]
out = ["CD_DA", 'CATALOG "%s"' % d["upc"]]
for i, x in enumerate(t):
    begin = first(x)
    end = first(t[i + 1]) if i + 1 < len(t) else d["leadout"]
    out += ["TRACK AUDIO"] + ["COPY"] * x["copy"] + ["PRE_EMPHASIS"] * x["emphasis"]
    if x["isrc"]:
        out.append('ISRC "%s"' % x["isrc"])
    out.append('FILE "IMAGE.DAT" SWAP %s %s' % (msf(begin), msf(end - begin)))
    if x["start_sector"] > begin:
        out.append("START %s" % msf(x["start_sector"] - begin))
    out += ["INDEX %s" % msf(k - x["start_sector"]) for k in x["indexes"]]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
toc=$(cd good && cdrdao toc-info album.toc 2>&1)
tstatus=$?
if [ "$tstatus" -eq 0 ] && ! echo "$toc" | grep -q 'WARNING\|ERROR' && echo "$toc" | grep -q '3 tracks, length 00:21:38, 1613 blocks'; then
    ok "cdrdao toc-info over IMAGE.DAT"; else fail "cdrdao toc-info over IMAGE.DAT" "exit $tstatus" "$toc"; fi
rm -f good/album.toc

# extract: bit-identical to the image, a CUE the tools read, no overwrite
run_lathe ddp extract good -o out
if [ "$status" -eq 0 ] && python3 - <<'EOF'
import json, wave
d = json.load(open("info.json"))
image = open("good/IMAGE.DAT", "rb").read()
def frames(p):
    w = wave.open(p)
    assert w.getnchannels() == 2 and w.getsampwidth() == 2 and w.getframerate() == 44100
    return w.readframes(w.getnframes())
assert frames("out/album.wav") == image
t = d["tracks"]
for i, x in enumerate(t):
    end = t[i + 1]["start_sector"] if i + 1 < len(t) else d["leadout"]
    assert frames("out/track%02d.wav" % x["number"]) == image[x["start_sector"] * 2352:end * 2352], x
EOF
then ok "extract: WAVs bit-identical to IMAGE.DAT"; else fail "extract: WAVs" "$out" "$err"; fi
bp=$(cuebreakpoints out/album.cue 2>&1)
if [ "$bp" = "$(printf '0:09.52\n0:16.00')" ]; then ok "extract: cuebreakpoints reads album.cue"; else fail "extract: cuebreakpoints" "$bp"; fi
# cdrdao 1.2.4 reads a CUE's INDEX 02 relative to the track, not the file
# (it says "Index beyond track end"), so it checks the example's sheet
"$LATHE" ddp extract example -o ex-out >/dev/null 2>&1
toc=$(cd ex-out && cdrdao toc-info album.cue 2>&1)
if [ $? -eq 0 ] && echo "$toc" | grep -q '2 tracks, length 00:15:00, 1125 blocks'; then
    ok "extract: cdrdao toc-info reads album.cue"; else fail "extract: cdrdao toc-info album.cue" "$toc"; fi
before=$(md5sum out/* | md5sum)
run_lathe ddp extract good -o out
if [ "$status" -eq 2 ] && printf '%s\n' "$err" | grep -q 'exists; lathe does not overwrite it' && [ "$(md5sum out/* | md5sum)" = "$before" ]; then
    ok "extract: refuses to overwrite"; else fail "extract: refuses to overwrite" "$status" "$err"; fi

# ---- damaged sets: verify names each problem ----
# hostile NAME STATUS PATTERN: verify the damaged set NAME
hostile() {
    run_lathe ddp verify "$1"
    if [ "$status" -ne "$2" ]; then
        fail "verify: $1" "exit $status, expected $2" "$out" "$err"
    elif ! printf '%s\n%s\n' "$out" "$err" | grep -q -- "$3"; then
        fail "verify: $1" "no line matching: $3" "$out" "$err"
    else
        ok "verify: $1"
    fi
}
fresh image-flipped; flip image-flipped/IMAGE.DAT 1000000
hostile image-flipped 1 '^error: IMAGE.DAT: MD5 [0-9a-f]* does not match CHECKSUM.MD5'
fresh image-truncated; truncate -s 3000000 image-truncated/IMAGE.DAT
hostile image-truncated 1 '^error: IMAGE.DAT is 3000000 bytes; DDPMS says 1613 sectors = 3793776 bytes'
fresh wrong-length; patch wrong-length/DDPMS 270 '    1612'
hostile wrong-length 1 '^error: IMAGE.DAT is 3793776 bytes; DDPMS says 1612 sectors'
fresh pq-length; patch pq-length/DDPMS 142 '     512'
hostile pq-length 1 '^error: PQDESCR is 576 bytes; DDPMS says 512'
fresh bad-marker; patch bad-marker/PQDESCR 128 'VVVX'
hostile bad-marker 1 '^error: PQDESCR packet 3: marker "VVVX", expected "VVVS"'
fresh bad-map-marker; patch bad-map-marker/DDPMS 0 'XXXM'
hostile bad-map-marker 1 '^error: DDPMS packet 1: marker "XXXM", expected "VVVM"'
fresh bad-md5; patch bad-md5/CHECKSUM.MD5 0 '0000'
hostile bad-md5 1 '^error: DDPID: MD5 [0-9a-f]* does not match CHECKSUM.MD5.s 0000'
fresh bad-crc; flip bad-crc/CDTEXT.BIN 23
hostile bad-crc 1 '^error: CDTEXT.BIN: pack 2 (title): CRC [0-9a-f]* does not match its bytes'
fresh out-of-order; swap out-of-order/PQDESCR 3 4
hostile out-of-order 1 '^error: PQDESCR packet 5: track 02 index 00 at 00:08:38 is not after packet 4.s track 02 index 01 at 00:09:52'
fresh short-track; patch short-track/PQDESCR 394 '001900'
hostile short-track 1 '^error: track 03 is 2.51 s long (index 01 to the lead-out); a CD track needs at least 4 s'
fresh short-pregap; patch short-pregap/PQDESCR 138 '000100'
hostile short-pregap 1 '^error: the pregap before track 01 is 1.00 s (index 01 at sector 75); a CD needs at least 2 s'
fresh bad-isrc; patch bad-isrc/PQDESCR 84 'CA-BC2400001'
hostile bad-isrc 1 'ISRC "CA-BC2400001" is malformed'
fresh bad-upc; patch bad-upc/DDPID 8 '0036000291453'; patch bad-upc/PQDESCR 32 '0036000291453'
hostile bad-upc 1 '^error: UPC/EAN 0036000291453: check digit 3 is wrong — expected 2'
fresh upc-differs; patch upc-differs/DDPID 8 '5012345678900'
hostile upc-differs 1 '^error: UPC/EAN: DDPID says 5012345678900, PQDESCR says 0036000291452'
fresh no-pq; rm no-pq/PQDESCR
hostile no-pq 1 '^error: PQDESCR: missing'
fresh long-name; patch long-name/DDPMS 199 '099'
hostile long-name 1 'DDPMS packet 2: file name size "099" — a name holds at most 17 characters'
fresh escaping-name; patch escaping-name/DDPMS 330 '../../etc/passwd '
hostile escaping-name 1 'DDPMS packet 3: file name "../../etc/passwd" is not a plain name inside the folder'
fresh leadout; patch leadout/PQDESCR 458 '002130'; patch leadout/PQDESCR 522 '002130'
hostile leadout 1 '^error: PQDESCR: the lead-out is at 00:21:30 but the image is 1613 sectors (00:21:38)'
fresh no-leadout; truncate -s 448 no-leadout/PQDESCR
hostile no-leadout 1 '^error: PQDESCR: no lead-out packet (track AA)'
fresh past-end; patch past-end/PQDESCR 330 '002200'
hostile past-end 1 '^error: PQDESCR packet 6: track 02 index 02 at 00:22:00 is past the end of the image (1613 sectors)'
fresh dcp-scms; patch dcp-scms/PQDESCR 144 '2S'; patch dcp-scms/PQDESCR 80 '2S'
hostile dcp-scms 1 'packet 3 (track 01 index 01 at 00:02:37): copy permitted (DCP) and SCMS together'
fresh four-channel; patch four-channel/PQDESCR 400 '81'
hostile four-channel 1 'packet 7 (track 03 index 01 at 00:16:00): the four-channel flag'
fresh gone-file; echo 'd41d8cd98f00b204e9800998ecf8427e *GONE.DAT' >> gone-file/CHECKSUM.MD5
hostile gone-file 1 '^error: CHECKSUM.MD5 line 7: GONE.DAT is missing'
fresh bad-pq-time; patch bad-pq-time/PQDESCR 202 '0099xx'
hostile bad-pq-time 1 '^error: PQDESCR packet 4: time "0099xx" is not MMSSFF'
fresh two-images; dd if=good/DDPMS bs=128 skip=2 count=1 2>/dev/null >> two-images/DDPMS
hostile two-images 1 'DDPMS: more than one audio (D0 DA) stream (packets 3 and 4)'
fresh random-id; head -c 128 /dev/urandom | tr 'D' 'x' > random-id/DDPID
hostile random-id 1 '^error: DDPID: not a DDP identifier: level'
fresh no-map; rm no-map/DDPMS
hostile no-map 2 'not a DDP: DDPMS is missing'
fresh random-map; head -c 384 /dev/urandom | tr 'V' 'x' > random-map/DDPMS
hostile random-map 2 'not a DDP: DDPMS holds no stream packet (VVVM)'
fresh id-folder; rm id-folder/DDPID; mkdir id-folder/DDPID
hostile id-folder 2 'not a DDP: DDPID cannot be read (Is a directory)'
mkdir empty
hostile empty 2 'not a DDP: DDPID is missing'
hostile no-such-folder 2 'no-such-folder: No such file or directory'

# the reader never crashes on any of them
for d in image-flipped bad-marker out-of-order escaping-name random-id no-leadout past-end; do
    run_lathe ddp info "$d" --json
    if [ "$status" -eq 0 ] && printf '%s\n' "$out" | python3 -c 'import json, sys; json.load(sys.stdin)'; then
        ok "info --json on $d"; else fail "info --json on $d" "$status" "$out" "$err"; fi
done
fresh tracks-swapped; swap tracks-swapped/PQDESCR 2 6
run_lathe ddp extract tracks-swapped -o x-out
check_eq "extract refuses tracks out of order" "2" "$status"
run_lathe ddp extract image-truncated -o x-out
check_eq "extract refuses a truncated image" "2" "$status"
[ ! -e x-out/album.wav ] && ok "extract left nothing of a refused set" || fail "extract left files"

# usage
run_lathe ddp
check_eq "ddp without arguments" "2" "$status"
run_lathe ddp frobnicate good
check_eq "ddp with an unknown verb" "2" "$status"

# lathe check warns about a genre CD-Text does not know
"$TOOLS/make_tone" a.wav 6 || exit 2
printf '[album]\ngenre = Shoegaze\n[track]\nfile = a.wav\n' > g.lathe
run_lathe check --no-audio g.lathe
if [ "$status" -eq 1 ] && printf '%s\n' "$out" | grep -q 'warning: album: genre "Shoegaze" is not a CD-Text genre'; then
    ok "check: unknown genre warns"; else fail "check: unknown genre warns" "$out"; fi
printf '[album]\ngenre = hip-hop\n[track]\nfile = a.wav\n' > g.lathe
run_lathe check --no-audio g.lathe
check_eq "check: hip-hop is a CD-Text genre" "0" "$status"
summary
