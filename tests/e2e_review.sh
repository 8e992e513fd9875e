#!/bin/sh
# End-to-end tests of the review package (`format = review`): the folder
# named for the revision, its files, the page's track list against the
# session's timings, the notes, and the page in headless Chromium.
. "$LATHE_TESTS/lib.sh"
cd "$WORK" || exit 2
"$TOOLS/make_tone" a.wav 6 48000 2 24 -12 440 || exit 2
"$TOOLS/make_tone" b.wav 5.3 48000 2 24 -12 660 || exit 2
cat > s.lathe <<'EOS'
[album]
title = Night & Day
performer = The <Band>
revision = 3
[track]
file = a.wav
title = Intro
isrc = GBABC2600001
note = client: more air in the outro
note = fade a touch longer
[track]
file = b.wav
title = Café "Noir"
gap = 1.5s
[output review]
format = review
EOS
run_lathe render s.lathe
check_eq "render review: exit 0" 0 "$status"
pkg=render/review-r4
if [ -d "$pkg" ]; then ok "render review: folder named for the revision"; else fail "review folder" "$(ls -R render)"; fi
for f in "Night & Day r4.mp3" "01 Intro.mp3" "02 Café _Noir_.mp3" index.html notes.txt pq.txt \
         loudness.txt loudness.json MANIFEST.md5; do
    if [ -s "$pkg/$f" ]; then ok "review: $f"; else fail "review: $f missing" "$(ls "$pkg")"; fi
done
if (cd "$pkg" && md5sum -c --quiet MANIFEST.md5 >/dev/null 2>&1) &&
   grep -q 'index.html' "$pkg/MANIFEST.md5" && grep -q 'notes.txt' "$pkg/MANIFEST.md5"; then
    ok "review: the manifest covers the page and the notes"
else
    fail "review: manifest" "$(cat "$pkg/MANIFEST.md5")"
fi
check_eq "review: the session's revision is bumped" "revision = 4" "$(grep '^revision' s.lathe)"
if grep -q '^  - client: more air in the outro$' "$pkg/notes.txt" &&
   grep -q '^  - fade a touch longer$' "$pkg/notes.txt" && grep -q '^01 Intro$' "$pkg/notes.txt"; then
    ok "review: notes.txt holds the track's notes"
else
    fail "review: notes.txt" "$(cat "$pkg/notes.txt")"
fi

# The page's track list against the session's own timings (check --json).
"$LATHE" check --json --no-audio s.lathe > check.json
if python3 - "$pkg" check.json >py.out 2>&1 <<'EOP'
import html.parser, json, os, sys, urllib.parse
pkg, check = sys.argv[1], json.load(open(sys.argv[2]))
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.audio, self.stack, self.in_row = [], None, [], [], False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-track" in a:
            self.rows.append({"attrs": a, "cells": [], "notes": []})
            self.in_row = True
        elif tag == "td" and self.rows:
            self.cell = ""
        elif tag == "li" and self.in_row:
            self.rows[-1]["notes"].append("")
            self.stack.append("li")
        elif tag == "audio":
            self.audio.append(a["src"])
            if self.rows and self.cell is not None:
                self.rows[-1]["src"] = a["src"]
        elif tag in ("link", "img", "iframe") or (tag == "script" and "src" in a):
            raise SystemExit("external resource: %s %s" % (tag, a))
    def handle_endtag(self, tag):
        if tag == "tr":
            self.in_row = False
        if tag == "td" and self.rows and self.cell is not None:
            self.rows[-1]["cells"].append(self.cell.strip())
            self.cell = None
        elif tag == "li" and self.stack:
            self.stack.pop()
    def handle_data(self, d):
        if self.stack and self.rows:
            self.rows[-1]["notes"][-1] += d
        elif self.cell is not None:
            self.cell += d
p = Page()
p.feed(open(os.path.join(pkg, "index.html"), encoding="utf-8").read())
tracks = check["tracks"]
assert len(p.rows) == len(tracks) == 2, (len(p.rows), len(tracks))
def clock(s):
    m, rest = s.split(":")
    return int(m) * 60 + float(rest)
for row, t in zip(p.rows, tracks):
    start = t["start_frames"] / 75.0
    length = t["length_frames"] / 75.0
    num, title, st, ln, isrc = row["cells"][:5]
    assert int(num) == t["number"], (num, t)
    assert title.startswith(t["title"]), (title, t["title"])
    assert abs(float(row["attrs"]["data-start"]) - start) < 0.0015, (row["attrs"], start)
    assert abs(float(row["attrs"]["data-length"]) - length) < 0.0015, (row["attrs"], length)
    assert abs(clock(st) - start) < 0.0015, (st, start)
    assert abs(clock(ln) - length) < 0.0015, (ln, length)
    assert isrc == (t["isrc"] or ""), (isrc, t["isrc"])
    assert os.path.isfile(os.path.join(pkg, urllib.parse.unquote(row["src"]))), row["src"]
assert p.rows[0]["notes"] == ["client: more air in the outro", "fade a touch longer"], p.rows[0]["notes"]
assert p.rows[1]["notes"] == []
assert len(p.audio) == 3 and os.path.isfile(os.path.join(pkg, urllib.parse.unquote(p.audio[0])))
print("rows", [(r["cells"][:5], r["attrs"]["data-start"]) for r in p.rows])
EOP
then
    ok "review: index.html lists the tracks with the session's timings, notes and files"
else
    fail "review: index.html" "$(cat py.out)"
fi

# Headless Chromium: no console errors, and a screenshot.
if command -v chromium >/dev/null 2>&1; then
    CHROME="chromium --headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0"
    CHROME="$CHROME --user-data-dir=$WORK/chrome --window-size=1200,800"
    timeout 90 $CHROME --screenshot="$WORK/shot.png" "file://$WORK/$pkg/index.html" >chrome.out 2>chrome.err
    if [ -s "$WORK/shot.png" ]; then
        if grep -q 'Uncaught\|ERROR:CONSOLE' chrome.err; then
            fail "review: the page opens in Chromium without console errors" "$(grep 'CONSOLE\|Uncaught' chrome.err)"
        else
            ok "review: the page opens in Chromium without console errors"
        fi
        size=$(wc -c < "$WORK/shot.png")
        if [ "$(head -c 8 "$WORK/shot.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
           [ "$size" -gt 5000 ]; then
            ok "review: screenshot ($size bytes)"
        else
            fail "review: screenshot" "$size bytes"
        fi
        [ -n "$LATHE_SHOTS" ] && cp "$WORK/shot.png" "$LATHE_SHOTS/review.png"
        # the same check catches a page with a script error
        printf '<!DOCTYPE html><html><body><script>nosuch();</script></body></html>' > bad.html
        timeout 90 $CHROME --screenshot="$WORK/bad.png" "file://$WORK/bad.html" >/dev/null 2>bad.err
        if grep -q 'Uncaught\|ERROR:CONSOLE' bad.err; then
            ok "review: the console check sees a broken page's error"
        else
            fail "review: the console check sees a broken page's error" "$(tail -5 bad.err)"
        fi
    else
        echo "  (chromium cannot run here, the page is not opened: $(tail -n 2 chrome.err | tr '\n' ' '))"
    fi
else
    echo "  (chromium is not installed — make deps installs it — the page is not opened)"
fi

# lossy = ogg, and a second render leaves the first package in place
printf '[output review]\nformat = review\nlossy = ogg\n' > o.lathe
sed -n '/^\[album\]/,/^\[output/p' s.lathe | sed '$d' > o2.lathe
cat o.lathe >> o2.lathe
run_lathe render o2.lathe
if [ "$status" -eq 0 ] && [ -s "render/review-r5/01 Intro.ogg" ] && [ -s "render/review-r5/Night & Day r5.ogg" ] &&
   [ -d render/review-r4 ]; then
    ok "review: lossy = ogg, r5 beside r4"
else
    fail "review: lossy = ogg" "$out $err" "$(ls render/*)"
fi
printf '[track]\nfile = a.wav\n[output review]\nformat = review\nbits = 16\n' > bad.lathe
run_lathe render bad.lathe
check_eq "review: bits refused" "2" "$status"

summary
