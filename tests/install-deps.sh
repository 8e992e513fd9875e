#!/bin/sh
# Installs the Debian packages lathe needs that are not installed yet.
# Usage: install-deps.sh PACKAGE...  (called by 'make deps')
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "lathe: installing$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "lathe: these Debian packages are missing:$missing" >&2
    echo "lathe: run 'make deps' as root, or install them with apt-get (no sudo found)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "lathe: apt-get not found; install these packages by hand:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "lathe: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing || {
    echo "lathe: apt-get install failed for:$missing" >&2; exit 1; }
