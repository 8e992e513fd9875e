#!/bin/sh
# Leveling from its cache: the gains are the ones full passes over the mix
# files give (the cached passes measure the same bits), and the cache's
# temporary file never shows in its folder: not while leveling runs, not
# after success, after a failure or after SIGINT.
. "$LATHE_TESTS/lib.sh"
trap 'for m in $(awk -v w="$WORK/" "index(\$2, w) == 1 { print \$2 }" /proc/mounts); do umount "$m"; done; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
"$TOOLS/make_demo" demo >/dev/null || exit 2
mkdir tmp
# every test leaves $WORK/tmp as it found it: empty
export TMPDIR="$WORK/tmp"

# tmpfs SIZE: a fresh small file system's mount point, or nothing where
# this test cannot mount
tmpfs() {
    [ "$(id -u)" = 0 ] || return 0
    m=$(mktemp -d "$WORK/fs.XXXXXX")
    mount -t tmpfs -o "size=$1" tmpfs "$m" 2>/dev/null || { rmdir "$m"; return 0; }
    echo "$m"
}

# unlevel MODE FILE: the demo session, its gains reset, for MODE
unlevel() {
    sed -e 's/^gain = .*/gain = +0dB/' -e "s/^leveling = .*/leveling = $1/" demo/demo.lathe > "$2"
}

small=$(tmpfs 1m)
for mode in album track; do
    unlevel "$mode" "demo/$mode.lathe"
    # the cache in a file (no memory allowed)
    cp "demo/$mode.lathe" "demo/$mode.file.lathe"
    LATHE_LEVEL_MEMORY=0 run_lathe level "demo/$mode.file.lathe"
    check_eq "$mode: level from a cache file" "0" "$status"
    check_eq "$mode: no note (the cache was made)" "" "$(printf '%s\n' "$out" | grep note)"
    check_eq "$mode: nothing left in TMPDIR after success" "" "$(ls -A tmp)"
    passes=$(printf '%s\n' "$out" | sed -n 's/.*(\([0-9]*\) pass.*/\1/p')
    [ "$passes" -le 4 ] && ok "$mode: $passes passes" || fail "$mode: passes" "$out"
    # the measured figures within the tolerance of the target
    if [ "$mode" = album ]; then
        miss=$(printf '%s\n' "$out" | awk '/album master gain/ { d = $6 + 14; print (d < 0 ? -d : d) <= 0.1 }')
    else
        miss=$(printf '%s\n' "$out" | awk '/^ +[0-9]+ / { d = $(NF - 3) + 14; if ((d < 0 ? -d : d) > 0.1) bad++ } END { print bad ? 0 : 1 }')
    fi
    check_eq "$mode: measured within 0.1 LU of -14" "1" "$miss"
    # the cache in memory: the same gains
    cp "demo/$mode.lathe" "demo/$mode.mem.lathe"
    run_lathe level "demo/$mode.mem.lathe"
    check_eq "$mode: memory and file give the same session" \
        "$(grep gain "demo/$mode.file.lathe")" "$(grep gain "demo/$mode.mem.lathe")"
    # the reference: every pass reading the mix files (no room for a cache)
    if [ -n "$small" ]; then
        # the session on the full disk too, so the folder beside it (the
        # second choice) has no room either
        ln -s "$WORK/demo/mixes" "$small/mixes"
        cp "demo/$mode.lathe" "$small/ref.lathe"
        TMPDIR=$small LATHE_LEVEL_MEMORY=0 run_lathe level "$small/ref.lathe"
        check_eq "$mode: no room: a note, and full passes over the mixes" "1" \
            "$(printf '%s\n' "$out" | grep -c 'note: no room to keep the album')"
        check_eq "$mode: the gains are the reference's (full passes)" \
            "$(grep gain "$small/ref.lathe")" "$(grep gain "demo/$mode.file.lathe")"
        rm "$small/ref.lathe" "$small/ref.lathe~" "$small/mixes" 2>/dev/null
        check_eq "$mode: nothing left on the full disk" "" "$(ls -A "$small")"
    else
        echo "  skip $mode reference: needs root to mount a small tmpfs"
    fi
done

# a failure after the cache was made: the session cannot be saved
ro=$(tmpfs 64m)
if [ -n "$ro" ]; then
    unlevel album "$ro/s.lathe"
    cp -r demo/mixes "$ro/" && mount -o remount,ro "$ro"
    LATHE_LEVEL_MEMORY=0 run_lathe level "$ro/s.lathe"
    check_eq "failure: exit 3 (the gains were not written)" "3" "$status"
    check_eq "failure: nothing left in TMPDIR" "" "$(ls -A tmp)"
else
    echo "  skip failure: needs root to mount a read-only tmpfs"
fi
# a failure while the cache is made: a bad LATHE_LEVEL_MEMORY is refused
unlevel album demo/bad.lathe
LATHE_LEVEL_MEMORY=lots run_lathe level demo/bad.lathe
check_eq "bad LATHE_LEVEL_MEMORY: exit 2, one message" "2 1" "$status $(printf '%s\n' "$err" | grep -c LATHE_LEVEL_MEMORY)"
check_eq "bad LATHE_LEVEL_MEMORY: session untouched" "$(md5sum < demo/album.lathe)" "$(md5sum < demo/bad.lathe)"

# SIGINT while the passes run: the file was open, never in the folder,
# and gone with the process (a background job starts with SIGINT ignored:
# env gives it back its default)
unlevel album demo/int.lathe
LATHE_LEVEL_MEMORY=0 env --default-signal=INT "$LATHE" level demo/int.lathe >/dev/null 2>&1 &
pid=$!
seen=0
i=0
while [ "$i" -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
    if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q 'lathe-level-.*(deleted)'; then
        seen=1
        [ -z "$(ls -A tmp)" ] || seen=2
        break
    fi
    sleep 0.05
    i=$((i + 1))
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
check_eq "SIGINT: the cache file was open and unlinked while leveling ran" "1" "$seen"
[ "$st" -ne 0 ] && ok "SIGINT: leveling stopped ($st)" || fail "SIGINT: stopped" "exit $st"
check_eq "SIGINT: nothing left in TMPDIR" "" "$(ls -A tmp)"
check_eq "SIGINT: session untouched" "$(md5sum < demo/album.lathe)" "$(md5sum < demo/int.lathe)"
summary
