/* SPDX-License-Identifier: MIT */
/* Loudness while playing (BS.1770 / EBU R 128 through libebur128):
 * momentary (400 ms), short-term (3 s), integrated since the last reset, and
 * the loudness range. Runs off the audio thread (the UI thread or a meter
 * thread feeds it what was played). */
#ifndef LATHE_LIVE_LOUDNESS_H
#define LATHE_LIVE_LOUDNESS_H

struct live_loudness;

/* NULL when out of memory or libebur128 refuses the format. */
struct live_loudness *live_loudness_new(int channels, int rate);
void live_loudness_free(struct live_loudness *l);
/* Starts integrating afresh (play started, a seek). */
void live_loudness_reset(struct live_loudness *l);

/* Adds interleaved frames, as float (what a meter tap carries) or double. */
void live_loudness_add_float(struct live_loudness *l, const float *x, long frames);
void live_loudness_add(struct live_loudness *l, const double *x, long frames);

struct live_loudness_reading {
    double momentary, shortterm, integrated, range;   /* LUFS, LU; -HUGE_VAL: not yet */
};
void live_loudness_read(struct live_loudness *l, struct live_loudness_reading *r);

#endif
