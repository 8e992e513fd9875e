# Shared by the console's end-to-end scripts (after lib.sh): a private tmux
# server that is killed at the end whatever happens, and polling helpers.
# Every wait polls the screen with a timeout.
SOCK="$WORK/tmux.sock"
T() { tmux -S "$SOCK" "$@"; }
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
for tool in tmux ${TMUX_NEEDS:-}; do
    if ! command -v "$tool" >/dev/null; then
        fail "$tool is not installed (make deps installs it)"
        summary
        exit 1
    fi
done
cd "$WORK" || exit 2
# One server for the whole script: a server whose last session ends exits,
# and a new session could race with it shutting down.
T -f /dev/null new-session -d -s keep -x 80 -y 24 "sleep 100000" || exit 2
T set-option -g exit-empty off

# console_pid NAME: the console's pid, the child of the pane's shell
console_pid() { ps -o pid= --ppid "$(T display -p -t "$1" '#{pane_pid}')" | head -n 1 | tr -d ' '; }
screen() { T capture-pane -p -t "$1"; }
# wait_for NAME TEXT [SECONDS]: polls the screen until TEXT shows
wait_for() {
    n=0
    limit=$(( ${3:-10} * 10 ))
    while [ $n -lt $limit ]; do
        screen "$1" 2>/dev/null | grep -qF -- "$2" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    echo "       (screen of $1 while waiting for \"$2\":)"
    screen "$1" 2>/dev/null | sed 's/^/       | /'
    return 1
}
# wait_exit NAME: the console ended (the shell around it prints "lathe
# exited N": tmux can be slow to reap a pane's process); leaves N in $code
wait_exit() {
    code=timeout
    if wait_for "$1" "lathe exited" 30 >/dev/null; then
        code=$(screen "$1" | sed -n 's/.*lathe exited \([0-9]*\).*/\1/p' | tail -n 1)
    fi
    T kill-session -t "$1"
}
