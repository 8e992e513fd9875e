# SPDX-License-Identifier: MIT
# pace.py LOG: reads a WAV stream from standard input at the rate its header
# names, as a sound card takes it, and appends "RATE BITS" to LOG for each
# stream. alsa-lib's null PCM takes frames as fast as they come; a file PCM
# piped into this plays in real time:
#   pcm.paced { type file slave.pcm null file "|python3 pace.py LOG" format wav }
# Used by tests/e2e_console_play.sh and the console rows of make bench.
import struct, sys, time
f = sys.stdin.buffer.raw
head = b""
while len(head) < 44:
    b = f.read(44 - len(head))
    if not b:
        sys.exit(0)
    head += b
channels, rate = struct.unpack("<HI", head[22:28])
bits = struct.unpack("<H", head[34:36])[0]
with open(sys.argv[1], "a") as log:
    log.write("%d %d\n" % (rate, bits))
speed = rate * channels * bits // 8
t0, n = time.monotonic(), 0
while True:
    b = f.read(8192)
    if not b:
        break
    n += len(b)
    ahead = n / speed - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
    elif ahead < -0.1:
        t0 = time.monotonic() - n / speed   # after a pause: no catching up
