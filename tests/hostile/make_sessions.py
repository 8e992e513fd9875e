#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes hostile session files into a folder, made in code. The prefix of
# each name says what lathe must do with it:
#   bad-*  refused when read: exit 2, one message naming the file
#   mix-*  reads, but names a mix that is not a sound file: check reports
#          it (exit 1), render refuses (exit 2)
#   ok-*   accepted (check --no-audio exits 0)
# The folder gets a.wav-free sessions: they name "tone.wav", which the
# caller provides. Usage: make_sessions.py DIR
import os, random, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rnd = random.Random(4321)
T = b'[track]\nfile = tone.wav\n'


def put(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


put('bad-binary-garbage.lathe', bytes(rnd.getrandbits(8) for _ in range(4096)))
put('bad-invalid-utf8.lathe', b'[album]\ntitle = caf\xe9\n' + T)
put('bad-overlong-utf8.lathe', b'[album]\ntitle = \xc0\xaf\n' + T)
put('bad-surrogate-utf8.lathe', b'[album]\ntitle = \xed\xa0\x80\n' + T)
put('bad-nul-byte.lathe', b'[album]\ntitle = a\x00b\n' + T)
put('bad-control-char.lathe', b'[album]\ntitle = a\x1bb\n' + T)
put('bad-cr-only.lathe', b'[album]\rtitle = x\r[track]\rfile = tone.wav\r')
put('bad-10mb-line.lathe', b'[album]\ntitle = ' + b'x' * (10 * 1024 * 1024) + b'\n' + T)
put('bad-line-65537.lathe', b'[album]\ntitle = ' + b'y' * (65537 - 8) + b'\n' + T)
put('bad-dup-album.lathe', b'[album]\ntitle = a\n[album]\ntitle = b\n' + T)
put('bad-dup-master.lathe', b'[master]\n[master]\n' + T)
put('bad-dup-output.lathe', T + b'[output cd]\nformat = ddp\n[output cd]\nformat = wav\n')
put('bad-dup-key.lathe', T + b'title = a\ntitle = b\n')
put('bad-100000-tracks.lathe', T * 100000)
put('bad-1000-tracks.lathe', T * 1000)
put('bad-200-indexes.lathe', T + b''.join(b'index = %ds\n' % (i + 1) for i in range(200)))
put('bad-100-notes.lathe', T + b''.join(b'note = n%d\n' % i for i in range(100)))
put('bad-unclosed-header.lathe', b'[track\nfile = tone.wav\n')
put('bad-output-escapes.lathe', T + b'[output ../../etc]\nformat = wav\n')
put('bad-output-long-name.lathe', T + b'[output ' + b'o' * 200 + b']\nformat = wav\n')
put('bad-huge-gain.lathe', T + b'gain = 1e308dB\n')
put('bad-huge-gap.lathe', T + b'gap = 99999999999999999999s\n')
put('bad-huge-index.lathe', T + b'index = 1s\nindex = ' + b'7' * 90 + b's\n')
put('bad-huge-rate.lathe', b'[album]\nrate = 99999999999999999999\n' + T)
put('bad-nan-gain.lathe', T + b'gain = nandB\n')
put('bad-inf-gap.lathe', T + b'gap = infs\n')
put('bad-no-file.lathe', b'[track]\ntitle = x\n')
put('bad-newer-version.lathe', b'[lathe]\nversion = 99999\n' + T)
put('bad-eq-garbage.lathe', T + b'eq = bell 1e999Hz -1dB q 1\n')
put('bad-comp-nan.lathe', b'[master]\ncomp = threshold nan\n' + T)
put('bad-key-only.lathe', b'[album]\n=\n')
put('bad-bom-twice.lathe', b'\xef\xbb\xbf\xef\xbb\xbf[album]\n' + T)
put('mix-dev-zero.lathe', b'[track]\nfile = /dev/zero\n')
put('mix-dev-null.lathe', b'[track]\nfile = /dev/null\n')
put('mix-fifo.lathe', b'[track]\nfile = fifo.wav\n')
put('mix-folder.lathe', b'[track]\nfile = .\n')
put('mix-itself.lathe', b'[track]\nfile = mix-itself.lathe\n')
put('mix-etc-passwd.lathe', b'[track]\nfile = ../../../../../../../../etc/passwd\n')
put('mix-missing.lathe', b'[track]\nfile = no-such-mix.wav\n')
put('mix-symlink-loop.lathe', b'[track]\nfile = loop.wav\n')
os.mkfifo(os.path.join(out, 'fifo.wav'))
os.symlink('loop.wav', os.path.join(out, 'loop.wav'))
put('ok-bom.lathe', b'\xef\xbb\xbf[album]\ntitle = x\n' + T + b'isrc = GBABC2600001\n')
put('ok-crlf.lathe', b'[album]\r\ntitle = x\r\n[track]\r\nfile = tone.wav\r\nisrc = GBABC2600001\r\n')
put('ok-bom-crlf.lathe', b'\xef\xbb\xbf[album]\r\ntitle = x\r\n[track]\r\nfile = tone.wav\r\nisrc = GBABC2600001\r\n')
