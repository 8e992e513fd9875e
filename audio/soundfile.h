/* SPDX-License-Identifier: MIT */
/* Sound files through libsndfile: open a mix, read its header, read frames as
 * interleaved double; create a file and write frames. Errors come back as one
 * message naming the file and the problem. */
#ifndef LATHE_SOUNDFILE_H
#define LATHE_SOUNDFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/regfile.h"

struct soundfile;

struct soundfile_info {
    int rate;
    int channels;
    int64_t frames;
    int bits;           /* bits per sample of integer PCM, 32/64 for float, 0 lossy */
    bool is_float;
    bool lossy;         /* MP3, Ogg Vorbis, Opus: decoded from a lossy source */
    char format[48];    /* "WAV 24-bit", "FLAC 16-bit", "MP3" */
    struct file_stamp stamp;    /* the version of the file opened */
};

/* Opens `path` for reading. On failure returns NULL and writes
 * `PATH: problem` into err. Refuses folders, devices, FIFOs, empty files,
 * absurd rates (under 8 kHz, over 768 kHz) and channel counts (over 32),
 * and a frame count the file cannot hold (over 24 hours, more than its
 * bytes, a FLAC or Ogg whose audio ends before its header's count). */
struct soundfile *soundfile_open(const char *path, struct soundfile_info *info,
                                 char *err, size_t errlen);
/* Reads the header only. */
bool soundfile_probe(const char *path, struct soundfile_info *info,
                     char *err, size_t errlen);
/* Reads up to `frames` frames as interleaved double in [-1, 1]. Returns
 * the frames read (0 at the end), or -1 on a read error (message in err). */
int64_t soundfile_read(struct soundfile *f, double *buf, int64_t frames);
/* Positions the next read at `frame`. */
bool soundfile_seek(struct soundfile *f, int64_t frame);
/* The version of the file that was opened. */
const struct file_stamp *soundfile_stamp(const struct soundfile *f);
/* The last error's message. */
const char *soundfile_error(const struct soundfile *f);

enum soundfile_kind {
    SF_KIND_WAV, SF_KIND_AIFF, SF_KIND_FLAC, SF_KIND_OGG, SF_KIND_MP3, SF_KIND_RAW
};

/* Creates `path` for writing: integer PCM of `bits` (16, 24) or 32-bit
 * float (`bits` 32). Raw is headerless little-endian. */
struct soundfile *soundfile_create(const char *path, enum soundfile_kind kind,
                                   int rate, int channels, int bits,
                                   char *err, size_t errlen);
/* Whether soundfile_create and the first writes would succeed for this
 * kind, rate, channel count and depth: a file is made and written in
 * memory and thrown away. On false, `why` has libsndfile's reason. */
bool soundfile_can_write(enum soundfile_kind kind, int rate, int channels, int bits,
                         char *why, size_t len);
/* Writes interleaved double frames; false on a write error. */
bool soundfile_write(struct soundfile *f, const double *buf, int64_t frames);
/* Writes interleaved integer frames at full 32-bit scale (a 16-bit value
 * shifted left by 16, a 24-bit one by 8): integer files receive the top
 * bits exactly, with no float conversion in between. */
bool soundfile_write_int(struct soundfile *f, const int32_t *buf, int64_t frames);
/* Lossy encoders, before the first write: libsndfile's compression level
 * (0 best quality .. 1 smallest); for MP3, constant bitrate if asked
 * (level 0 = 320 kbps). False if the format has no such setting. */
bool soundfile_set_compression(struct soundfile *f, double level, bool constant_bitrate);
/* Sets a text tag before the first write: "title", "artist", "album",
 * "tracknumber", "comment", "date", "genre", "copyright", where the
 * format can carry it (ISRC: see audio/tags.h). */
void soundfile_set_tag(struct soundfile *f, const char *tag, const char *value);
/* A text tag the file carries (as libsndfile reads it), or NULL. */
const char *soundfile_get_tag(struct soundfile *f, const char *tag);
/* Closes; for a written file, false if finishing it failed. */
bool soundfile_close(struct soundfile *f);

#endif
