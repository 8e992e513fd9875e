#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes hostile sound files into a folder, made in code: broken headers,
# lying headers, absurd formats, bad samples. One file per case; the name
# says what is wrong. Usage: make_sounds.py DIR
import math, os, random, struct, sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rnd = random.Random(1234)


def tone(frames, channels, rate=48000):
    return [0.25 * math.sin(2 * math.pi * 440 * i / rate) for i in range(frames) for _ in range(channels)]


def wav(fmt_tag, channels, rate, bits, data, block_align=None, byte_rate=None, data_size=None,
        riff_size=None, extra=b''):
    ba = block_align if block_align is not None else channels * bits // 8
    br = byte_rate if byte_rate is not None else rate * ba
    fmt = struct.pack('<HHIIHH', fmt_tag, channels, rate, br, ba, bits)
    body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + extra
    body += b'data' + struct.pack('<I', len(data) if data_size is None else data_size) + data
    return b'RIFF' + struct.pack('<I', len(body) if riff_size is None else riff_size) + body


def pcm16(samples):
    return b''.join(struct.pack('<h', max(-32768, min(32767, int(s * 32767)))) for s in samples)


def put(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


good = wav(1, 2, 48000, 16, pcm16(tone(4800, 2)))
put('truncated-header.wav', good[:30])
put('truncated-fmt.wav', good[:20])
put('riff-only.wav', b'RIFF\x00\x00\x00\x00WAVE')
put('zero-length.wav', b'')
put('random-bytes.wav', bytes(rnd.getrandbits(8) for _ in range(8192)))
put('text.wav', b'this is not a sound file\n' * 40)
put('random-after-riff.wav', b'RIFF' + struct.pack('<I', 8188) + b'WAVE' +
    bytes(rnd.getrandbits(8) for _ in range(8180)))
put('rate-1hz.wav', wav(1, 2, 1, 16, pcm16(tone(4800, 2))))
put('rate-10mhz.wav', wav(1, 2, 10000000, 16, pcm16(tone(4800, 2))))
put('rate-zero.wav', wav(1, 2, 0, 16, pcm16(tone(4800, 2))))
put('channels-0.wav', wav(1, 0, 48000, 16, pcm16(tone(4800, 2)), block_align=4))
put('channels-1000.wav', wav(1, 1000, 48000, 16, pcm16(tone(48000, 2))))
put('channels-65535.wav', wav(1, 65535, 8000, 16, pcm16(tone(4800, 2)), block_align=4, byte_rate=32000))
put('block-align-lies.wav', wav(1, 2, 48000, 16, pcm16(tone(4800, 2)), block_align=3))
put('bits-0.wav', wav(1, 2, 48000, 0, pcm16(tone(4800, 2)), block_align=4))
put('bits-7.wav', wav(1, 2, 48000, 7, pcm16(tone(4800, 2)), block_align=4))
put('format-tag-unknown.wav', wav(0x1234, 2, 48000, 16, pcm16(tone(4800, 2))))
put('no-data-chunk.wav', good[:36] + b'LIST' + struct.pack('<I', 4) + b'INFO')
put('data-size-zero.wav', wav(1, 2, 48000, 16, b'', data_size=0))
# the header promises 10 s, the file holds 0.1 s: a cut-off upload
put('length-lies.wav', wav(1, 2, 48000, 16, pcm16(tone(4800, 2)), data_size=48000 * 4 * 10))
put('length-huge.wav', wav(1, 2, 48000, 16, pcm16(tone(4800, 2)), data_size=0xFFFFFFF0))
put('riff-size-huge.wav', wav(1, 2, 48000, 16, pcm16(tone(4800, 2)), riff_size=0xFFFFFFFF))
put('odd-data.wav', wav(1, 2, 48000, 16, pcm16(tone(4800, 2)) + b'\x01'))
put('fmt-chunk-huge.wav', b'RIFF' + struct.pack('<I', 100) + b'WAVEfmt ' + struct.pack('<I', 0x7FFFFFF0) + b'\x01\x00' * 20)
nan = struct.pack('<f', float('nan'))
inf = struct.pack('<f', float('inf'))
# float samples that are not numbers: 4.5 s, long enough for a CD track
floats = b''.join(struct.pack('<f', s) for s in tone(48000 * 9 // 2, 2))
put('nan.wav', wav(3, 2, 48000, 32, floats[:800000] + nan * 8 + floats[800032:]))
put('inf.wav', wav(3, 2, 48000, 32, floats[:800000] + inf * 8 + floats[800032:]))
put('all-nan.wav', wav(3, 2, 48000, 32, nan * (48000 * 9)))
put('eight-bit.wav', wav(1, 2, 48000, 8, bytes(128 + int(s * 127) for s in tone(48000 * 5, 2))))
# AIFF with a lying COMM chunk: 0 channels
comm = struct.pack('>hIh', 0, 4800, 16) + b'\x40\x0e\xbb\x80' + b'\x00' * 6
put('aiff-channels-0.aiff', b'FORM' + struct.pack('>I', 4 + 8 + len(comm) + 8 + 8) + b'AIFF' +
    b'COMM' + struct.pack('>I', len(comm)) + comm + b'SSND' + struct.pack('>I', 8) + b'\x00' * 8)
put('flac-garbage.flac', b'fLaC' + bytes(rnd.getrandbits(8) for _ in range(4000)))
put('ogg-garbage.ogg', b'OggS' + bytes(rnd.getrandbits(8) for _ in range(4000)))
put('mp3-garbage.mp3', b'ID3\x03\x00\x00\x00\x00\x00\x00' + bytes(rnd.getrandbits(8) for _ in range(4000)))
