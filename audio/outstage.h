/* SPDX-License-Identifier: MIT */
/* An output's own stage after the master chain (DESIGN §3): resample to the
 * output rate, a true-peak safety limiter at that rate when the output sets
 * `ceiling`, dither and quantize. Fed session-rate album frames in order;
 * hands out render blocks at the output rate. */
#ifndef LATHE_OUTSTAGE_H
#define LATHE_OUTSTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/sink.h"
#include "dsp/resample_stream.h"
#include "session/model.h"
#include "session/timeline.h"

struct outstage;

/* The rate and depth an output renders at, with the format's defaults
 * applied: CD formats 44.1 kHz/16-bit, wav/aiff/flac 24-bit at the session
 * rate, mp3/ogg lossy (0). */
int outstage_rate_of(const struct output *o, int session_rate);
int outstage_bits_of(const struct output *o);
/* Checks the output's settings against its format; false with a message. */
bool outstage_check(const struct output *o, int session_rate, char *err, size_t errlen);

/* The converter an output uses: its own `resampler`, else the album's. */
enum resample_backend outstage_backend(const struct output *o, const struct album *a);
/* Where every converter to an output rate restarts (DESIGN §3): the index
 * 01 of each track, in session frames; *n gets the count. NULL when out of
 * memory. The caller frees it. */
int64_t *outstage_restarts(const struct timeline *tl, int *n);

/* plan: the output's converter (resample_stream.h), started at plan->from
 * and restarted at plan's track starts, exactly as the render's. */
struct outstage *outstage_new(const struct output *o, int session_rate, int max_block,
                              const struct resample_plan *plan, char *err, size_t errlen);
/* The same stage without its converter, for frames already at the output's
 * rate: one converter per rate can then feed every output of that rate
 * (DESIGN §3). max_block counts output-rate frames; outstage_push takes
 * output-rate frames and outstage_finish flushes the limiter alone. */
struct outstage *outstage_new_converted(const struct output *o, int session_rate,
                                        int max_block, char *err, size_t errlen);
void outstage_free(struct outstage *st);

/* Before the first push: the first output frame is frame `position` of the
 * output's album (dither is seeded by position), for a stream started past
 * the album's start. */
void outstage_set_position(struct outstage *st, int64_t position);

typedef bool (*outstage_emit)(void *ctx, const struct render_block *b, char *err,
                              size_t errlen);
/* Processes `frames` (<= max_block) session-rate stereo frames. Audio
 * thread (with an emit that does not allocate either). */
bool outstage_push(struct outstage *st, const double *in, int frames,
                   outstage_emit emit, void *ctx, char *err, size_t errlen);
/* After the last frames: flushes the resampler and limiter tails. Audio
 * thread. */
bool outstage_finish(struct outstage *st, outstage_emit emit, void *ctx,
                     char *err, size_t errlen);
/* Samples clipped by the quantizer. */
int64_t outstage_clipped(const struct outstage *st);

#endif
