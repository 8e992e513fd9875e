/* SPDX-License-Identifier: MIT */
/* One track's mix as the album needs it: decoded (libsndfile), made stereo
 * and converted to the session rate (libsamplerate), in order from the
 * track's trim-in. The album stream reads it directly when it renders; the
 * playback engine's reader thread reads it into a ring for the audio thread.
 * Opening allocates and reading does file I/O: never on the audio thread. */
#ifndef LATHE_MIX_READER_H
#define LATHE_MIX_READER_H

#include <stddef.h>
#include <stdint.h>

#include "session/model.h"
#include "session/timeline.h"

#define MIX_READER_MAX_BLOCK 4096

struct mix_reader;

/* Opens track `i`'s mix (0-based) to give its audio from session-rate frame
 * `skip` of the track on. skip = 0 starts exactly at the trim-in; skip > 0
 * seeks the mix (at another rate: to the nearest mix frame, with a fresh
 * converter, so the frames are close to, not the same as, a read from 0).
 * NULL with a message on failure. */
struct mix_reader *mix_reader_open(const struct session *s, const struct timeline *tl, int i,
                                   int64_t skip, char *err, size_t errlen);
/* Closes and frees; NULL does nothing. */
void mix_reader_close(struct mix_reader *m);

/* Writes the next `frames` (<= MIX_READER_MAX_BLOCK) stereo frames into buf;
 * returns how many: `frames`, fewer only once the mix is used up, or -1 on
 * a read error (with a message in err). A mix that gives fewer frames than
 * the session measured, or whose file changed (size, time, inode) while it
 * was read, is a read error: never silence in its place. */
int mix_reader_read(struct mix_reader *m, double *buf, int frames, char *err, size_t errlen);

#endif
