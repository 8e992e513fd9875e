/* SPDX-License-Identifier: MIT */
/* Streaming sample-rate conversion (see resample.h): the exact-length
 * contract and the passthrough here, the conversion in a backend. */
#include "dsp/resample.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/resample_backend.h"

/* Invariants: `consumed` counts the input frames taken since the start of the
 * stream, `emitted` the output frames handed out; on drain, output stops at
 * resampler_out_length(consumed). `ops` is NULL for a passthrough. */
struct resampler {
    int channels;
    double in_rate, out_rate;
    int max_in, max_out;
    const struct resample_backend_ops *ops;
    void *st;
    int64_t consumed, emitted;
    bool draining;      /* drain has begun: no more input */
    bool tail_done;     /* the backend has given its whole tail */
};

int64_t resampler_out_length(int64_t in_frames, double in_rate,
                             double out_rate)
{
    /* Integer rates (all real ones) round exactly, ties upward. */
    if (in_rate == floor(in_rate) && out_rate == floor(out_rate) &&
        in_rate >= 1 && in_rate < 1e7 && out_rate >= 1 && out_rate < 1e7 &&
        in_frames >= 0 && in_frames < INT64_C(1) << 39) {
        int64_t a = (int64_t)in_rate, b = (int64_t)out_rate;
        return (2 * in_frames * b + a) / (2 * a);
    }
    return (int64_t)floor((double)in_frames * out_rate / in_rate + 0.5);
}

struct resampler *resampler_new(int channels, double in_rate, double out_rate,
                                enum resample_backend backend, int max_in_frames)
{
    if (channels < 1 || !(in_rate > 0) || !(out_rate > 0) ||
        max_in_frames < 1 || !isfinite(in_rate) || !isfinite(out_rate) ||
        out_rate / in_rate > 256 || in_rate / out_rate > 256)
        return NULL;
    /* Both backends give at most about ratio * k frames for k input frames
     * in one call, plus what they held back (soxr keeps the rest for the
     * next call; libsamplerate measured at most ceil(ratio * k) + 1): the
     * margin keeps well clear of that. */
    double most = ceil(out_rate / in_rate * max_in_frames) + 64;
    if (most > 1 << 28)
        return NULL;
    struct resampler *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->channels = channels;
    r->in_rate = in_rate;
    r->out_rate = out_rate;
    r->max_in = max_in_frames;
    r->max_out = in_rate == out_rate ? max_in_frames : (int)most;
    if (in_rate == out_rate)
        return r;
    r->ops = backend == RESAMPLE_LIBSAMPLERATE ? &resample_src_ops : &resample_soxr_ops;
    r->st = r->ops->create(channels, in_rate, out_rate, r->max_in, r->max_out);
    if (!r->st) {
        free(r);
        return NULL;
    }
    return r;
}

void resampler_free(struct resampler *r)
{
    if (!r)
        return;
    if (r->st)
        r->ops->destroy(r->st);
    free(r);
}

int resampler_max_out(const struct resampler *r)
{
    return r->max_out;
}

int resampler_process(struct resampler *r, const double *in, int frames,
                      double *out)
{
    if (frames < 0 || frames > r->max_in || r->draining)
        return -1;
    r->consumed += frames;
    if (!r->ops) {
        memmove(out, in, (size_t)frames * r->channels * sizeof *out);
        r->emitted += frames;
        return frames;
    }
    long n = r->ops->process(r->st, in, frames, out, r->max_out);
    if (n < 0)
        return -1;
    r->emitted += n;
    return (int)n;
}

int resampler_drain(struct resampler *r, double *out, int max_frames)
{
    int64_t left = resampler_out_length(r->consumed, r->in_rate, r->out_rate) -
                   r->emitted;
    r->draining = true;
    if (!r->ops || left <= 0 || max_frames <= 0)
        return 0;
    long want = left;
    if (want > max_frames)
        want = max_frames;
    if (want > r->max_out)
        want = r->max_out;
    long got = 0;
    if (!r->tail_done) {
        got = r->ops->drain(r->st, out, want);
        if (got < 0)
            return -1;
        if (got == 0)
            r->tail_done = true;
    }
    if (r->tail_done) {
        /* the backend's tail fell short of the exact length: pad */
        memset(out, 0, (size_t)want * r->channels * sizeof *out);
        got = want;
    }
    r->emitted += got;
    return (int)got;
}

int resampler_latency(const struct resampler *r)
{
    (void)r;
    return 0;
}

const char *resampler_name(const struct resampler *r)
{
    return r->ops ? r->ops->name(r->st) : "none (same rate)";
}
