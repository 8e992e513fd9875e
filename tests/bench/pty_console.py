# SPDX-License-Identifier: MIT
# pty_console.py MODE LATHE SESSION [ARG...]: runs the console in a
# pseudo-terminal of 80x24 and measures what it writes.
#   first  -> seconds from start until the bottom line ("track 1 of") is out
#   idle   -> bytes per second written over 10 s without a key
#   nav    -> bytes per second over 10 s of moving down and up the list
#             (j/k, five keys a second)
#   play   -> bytes per second over 10 s of playing track 1 with the meters,
#             in real time: to a file PCM piped into tests/pace.py
#   warm   -> waits (up to 20 minutes) until the background analysis has
#             written every mix to the cache file .SESSION.cache, so that a
#             later start finds it; prints the seconds it took
import os, pty, select, struct, sys, time, fcntl, termios, signal, tempfile, shutil

mode, lathe, session = sys.argv[1], sys.argv[2], sys.argv[3]
extra = sys.argv[4:]
home = None
if mode == "play":
    home = tempfile.mkdtemp()
    pace = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pace.py")
    with open(os.path.join(home, ".asoundrc"), "w") as rc:
        rc.write('pcm.paced {\n type file\n slave.pcm null\n file "|python3 %s %s/pace.log"\n'
                 ' format wav\n}\n' % (os.path.abspath(pace), home))
    extra += ["-D", "paced"]
pid, fd = pty.fork()
if pid == 0:
    if home:
        os.environ["HOME"] = home
    os.environ["TERM"] = "xterm-256color"
    os.environ["LANG"] = os.environ["LC_ALL"] = "C.UTF-8"
    os.execv(lathe, [lathe, session] + extra)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
t0 = time.monotonic()
out = bytearray()


def pump(seconds):
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return n
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return n
            n += len(chunk)
            out.extend(chunk)


result = ""
if mode == "first":
    while b"track 1 of" not in out and time.monotonic() - t0 < 20:
        pump(0.005)
    result = "%.3f" % (time.monotonic() - t0)
elif mode in ("idle", "nav", "play"):
    pump(2)                                 # the first frame is not counted
    if mode == "play":
        os.write(fd, b"\r")
        while b"playing" not in out and time.monotonic() - t0 < 30:
            pump(0.05)
        if b"playing" not in out:
            sys.exit("pty_console: the console did not start playing")
        pump(1)                             # the meters' first full frame
    n = 0
    t = time.monotonic()
    for i in range(50):
        if mode == "nav":
            os.write(fd, b"j" if (i // 10) % 2 == 0 else b"k")
        n += pump(0.2)
    result = "%.0f" % (n / (time.monotonic() - t))
elif mode == "warm":
    d, b = os.path.split(session)
    cache = os.path.join(d, "." + b + ".cache")
    # a line per mix, and one per mix as the album plays it: the bench's
    # tracks share the master chain and have none of their own
    mixes = len({line.split("=", 1)[1].strip() for line in open(session)
                 if line.startswith("file")})
    while time.monotonic() - t0 < 1200:
        pump(1)
        try:
            kinds = [line.split("\t", 1)[0] for line in open(cache)]
        except OSError:
            kinds = []
        if kinds.count("mix") >= mixes and kinds.count("proc") >= mixes:
            break
    else:
        sys.exit("pty_console: the analysis did not end in 20 minutes")
    result = "%.0f" % (time.monotonic() - t0)
os.write(fd, b"\x1bq")                  # Escape, then quit (nothing was changed)
pump(0.5)
try:
    os.kill(pid, signal.SIGTERM)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
if home:
    shutil.rmtree(home, ignore_errors=True)
if os.environ.get("PTY_CONSOLE_DUMP"):
    open(os.environ["PTY_CONSOLE_DUMP"], "wb").write(out)
print(result)
