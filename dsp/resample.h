/* SPDX-License-Identifier: MIT */
/* Streaming sample-rate conversion over libsamplerate, in double.
 *
 * Exact length: N input frames give exactly resampler_out_length(N) =
 * round(N * out_rate / in_rate) output frames (ties upward), counting what
 * resampler_drain returns at the end: libsamplerate's own tail is trimmed or
 * padded with silence to that length, so a render's length is known ahead.
 *
 * Timing: libsamplerate already compensates its filter delay (output frame j
 * sits at input time j * in_rate / out_rate); it simply holds output back
 * until it has seen enough input, and returns it on drain. So there is no
 * latency to compensate downstream (resampler_latency is 0), only a short
 * lag in when output becomes available.
 *
 * Block independence: libsamplerate 0.2's sinc converters carry their read
 * position as an integer buffer index plus a fraction renormalised after every
 * output frame, so how the input (or the output space) is split between calls
 * does not change a single output bit; the tests check this for blocks of 1,
 * 7, 64 and 65536 frames. Hence no fixed internal chunking is needed.
 *
 * libsamplerate works in float: the input is rounded to float (24-bit
 * mantissa, far below any dither) and the output widened back to double.
 * Same rate in and out is an exact passthrough that never touches
 * libsamplerate. process and drain may be called from the audio thread
 * (libsamplerate's sinc converters do not allocate there).
 */
#ifndef LATHE_RESAMPLE_H
#define LATHE_RESAMPLE_H

#include <stdint.h>

enum resample_quality {
    RESAMPLE_BEST,      /* renders: SRC_SINC_BEST_QUALITY */
    RESAMPLE_MEDIUM,    /* SRC_SINC_MEDIUM_QUALITY */
    RESAMPLE_FAST,      /* previews: SRC_SINC_FASTEST */
};

struct resampler;

/* max_in_frames: the most frames one resampler_process call will be given.
 * NULL on bad arguments or failure. */
struct resampler *resampler_new(int channels, double in_rate, double out_rate,
                                int quality, int max_in_frames);
void resampler_free(struct resampler *r);

/* Frames `out` must hold for one process or drain call. */
int resampler_max_out(const struct resampler *r);
/* Converts `frames` (<= max_in_frames) interleaved frames; writes the output
 * now available into out and returns its frame count, or -1 on error. */
int resampler_process(struct resampler *r, const double *in, int frames,
                      double *out);
/* After the last input: writes up to max_frames frames of the remaining
 * output and returns their count; 0 when the stream is complete, -1 on
 * error. No more input may follow until resampler_reset. */
int resampler_drain(struct resampler *r, double *out, int max_frames);
/* Output frames for in_frames input frames: round(in * out_rate / in_rate). */
int64_t resampler_out_length(int64_t in_frames, double in_rate,
                             double out_rate);
/* Frames by which the output lags the timeline: 0 (see above). */
int resampler_latency(const struct resampler *r);
/* Ready for a new stream. */
void resampler_reset(struct resampler *r);
/* A new resampler in exactly r's state (src_clone), for the snapshots
 * playback restores at a track start. Allocates: not for the audio thread. */
struct resampler *resampler_clone(const struct resampler *r);

#endif
