/* SPDX-License-Identifier: MIT */
/* A conversion of the album timeline that restarts its converter at each
 * track start, so that the output from a track start on does not depend on
 * anything before it (DESIGN §3): soxr has no clone call, so playback from
 * track N cannot take the render's converter state; instead the render and
 * the player both hand over, at each track start, to a fresh converter
 * started PREROLL (>= 35 ms) early on an input frame that is a multiple of
 * the rate ratio's period (in / gcd(in, out) frames: 320 at 96 -> 44.1 kHz),
 * whose output before the track start is discarded. The old converter runs
 * on until it has produced everything before the track start; the new one's
 * output from there on is held until then.
 *
 * Every converter is made, and warmed up with silence, in _new: so process
 * and drain never allocate and may run on the audio thread. The output keeps
 * resample.h's contracts (exact length, no latency, block independence):
 * N input frames give exactly resampler_out_length(N) frames. */
#ifndef LATHE_RESAMPLE_STREAM_H
#define LATHE_RESAMPLE_STREAM_H

#include <stdint.h>

#include "dsp/resample.h"

/* How a stream is cut: the same plan gives the same bits. */
struct resample_plan {
    enum resample_backend backend;
    int64_t from;               /* input frame where the stream starts */
    const int64_t *restarts;    /* ascending input frames (track starts) */
    int nrestarts;
};

struct resample_stream;

/* NULL on bad arguments or out of memory. in_rate != out_rate. */
struct resample_stream *resample_stream_new(int channels, int in_rate, int out_rate,
                                            const struct resample_plan *plan, int max_in);
void resample_stream_free(struct resample_stream *s);
/* Frames `out` must hold for one process or drain call. */
int resample_stream_max_out(const struct resample_stream *s);
/* Converts frames (<= max_in) frames; returns the output count or -1. */
int resample_stream_process(struct resample_stream *s, const double *in, int frames,
                            double *out);
/* After the last input: the next part of the tail; 0 once it is all out. */
int resample_stream_drain(struct resample_stream *s, double *out);
/* Converters the plan made (the first plus one per restart honoured). */
int resample_stream_converters(const struct resample_stream *s);
const char *resample_stream_name(const struct resample_stream *s);

#endif
