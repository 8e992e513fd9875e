/* SPDX-License-Identifier: MIT */
/* Streaming sample-rate conversion in double, behind one interface with two
 * backends: libsoxr's very-high-quality mode (the default: SOXR_VHQ, double
 * I/O, one thread) and libsamplerate's best sinc (`resampler =
 * libsamplerate`). The backends live in resample_soxr.c and resample_src.c.
 *
 * Exact length: N input frames give exactly resampler_out_length(N) =
 * round(N * out_rate / in_rate) output frames (ties upward), counting what
 * resampler_drain returns at the end: the backend's own tail is trimmed or
 * padded with silence to that length, so a render's length is known ahead.
 *
 * Timing: both backends compensate their filter delay themselves (output
 * frame j sits at input time j * in_rate / out_rate); they hold output back
 * until they have seen enough input (soxr_delay() counts what is held) and
 * return it on drain. So there is no latency to compensate downstream
 * (resampler_latency is 0), only a lag in when output becomes available.
 *
 * Block independence: neither backend's output bits depend on how the input
 * (or the output space) is split between calls; the tests check this for
 * blocks of 1, 7, 64 and 65536 frames. soxr picks its SIMD engine for the
 * CPU at run time, so two machines may differ in the last bit of a few
 * samples; on one machine it is deterministic.
 *
 * libsamplerate works in float (the input is rounded to float, far below any
 * dither); soxr works in double throughout. Same rate in and out is an exact
 * passthrough that touches neither library. process and drain may be called
 * from the audio thread once a converter has seen its first block (soxr
 * grows its buffers then: resample_stream.h warms converters up).
 */
#ifndef LATHE_RESAMPLE_H
#define LATHE_RESAMPLE_H

#include <stdint.h>

enum resample_backend {
    RESAMPLE_SOXR,              /* the default: SOXR_VHQ in double, 1 thread */
    RESAMPLE_LIBSAMPLERATE,     /* SRC_SINC_BEST_QUALITY */
};

struct resampler;

/* max_in_frames: the most frames one resampler_process call will be given.
 * NULL on bad arguments or failure. */
struct resampler *resampler_new(int channels, double in_rate, double out_rate,
                                enum resample_backend backend, int max_in_frames);
void resampler_free(struct resampler *r);

/* Frames `out` must hold for one process or drain call. */
int resampler_max_out(const struct resampler *r);
/* Converts `frames` (<= max_in_frames) interleaved frames; writes the output
 * now available into out and returns its frame count, or -1 on error. */
int resampler_process(struct resampler *r, const double *in, int frames,
                      double *out);
/* After the last input: writes up to max_frames frames of the remaining
 * output and returns their count; 0 when the stream is complete, -1 on
 * error. No more input may follow. */
int resampler_drain(struct resampler *r, double *out, int max_frames);
/* Output frames for in_frames input frames: round(in * out_rate / in_rate). */
int64_t resampler_out_length(int64_t in_frames, double in_rate,
                             double out_rate);
/* Frames by which the output lags the timeline: 0 (see above). */
int resampler_latency(const struct resampler *r);
/* The backend's name, for reports: "soxr VHQ (cr64s)" names soxr's engine. */
const char *resampler_name(const struct resampler *r);

#endif
