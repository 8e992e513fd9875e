/* SPDX-License-Identifier: MIT */
/* The libsamplerate backend of dsp/resample: SRC_SINC_BEST_QUALITY, in float.
 *
 * libsamplerate 0.2's sinc converters carry their read position as an
 * integer buffer index plus a fraction renormalised after every output
 * frame, so how the input is split between calls does not change an output
 * bit. They do not allocate in src_process. */
#include "dsp/resample_backend.h"

#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>

struct srcb {
    SRC_STATE *src;
    int channels;
    double ratio;
    float *fin, *fout;      /* max_in and max_out frames */
    bool done;              /* the tail is all out */
};

static void srcb_destroy(void *st)
{
    struct srcb *b = st;
    if (b->src)
        src_delete(b->src);
    free(b->fin);
    free(b->fout);
    free(b);
}

static void *srcb_create(int channels, double in_rate, double out_rate, int max_in, int max_out)
{
    if (!src_is_valid_ratio(out_rate / in_rate))
        return NULL;
    struct srcb *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    int err = 0;
    b->channels = channels;
    b->ratio = out_rate / in_rate;
    b->src = src_new(SRC_SINC_BEST_QUALITY, channels, &err);
    b->fin = malloc((size_t)max_in * channels * sizeof *b->fin);
    b->fout = malloc((size_t)max_out * channels * sizeof *b->fout);
    if (!b->src || !b->fin || !b->fout) {
        srcb_destroy(b);
        return NULL;
    }
    return b;
}

static void widen(const float *f, double *d, long n)
{
    for (long i = 0; i < n; i++)
        d[i] = f[i];
}

static long srcb_process(void *st, const double *in, long frames, double *out, long max_out)
{
    struct srcb *b = st;
    long n = frames * b->channels;
    for (long i = 0; i < n; i++)
        b->fin[i] = (float)in[i];
    long in_left = frames, written = 0;
    const float *ip = b->fin;
    while (in_left > 0) {
        SRC_DATA d = {
            .data_in = ip,
            .data_out = b->fout + written * b->channels,
            .input_frames = in_left,
            .output_frames = max_out - written,
            .src_ratio = b->ratio,
        };
        if (src_process(b->src, &d) != 0)
            return -1;
        ip += d.input_frames_used * b->channels;
        in_left -= d.input_frames_used;
        written += d.output_frames_gen;
        /* libsamplerate gives at most ceil(ratio * k) + 1 frames for k
         * input frames: running out of room means max_out was wrong */
        if (d.input_frames_used == 0 && in_left > 0)
            return -1;
    }
    widen(b->fout, out, written * b->channels);
    return written;
}

static long srcb_drain(void *st, double *out, long max_out)
{
    struct srcb *b = st;
    if (b->done)
        return 0;
    SRC_DATA d = {
        .data_in = b->fin,
        .data_out = b->fout,
        .input_frames = 0,
        .output_frames = max_out,
        .end_of_input = 1,
        .src_ratio = b->ratio,
    };
    if (src_process(b->src, &d) != 0)
        return -1;
    if (d.output_frames_gen == 0)
        b->done = true;
    widen(b->fout, out, d.output_frames_gen * b->channels);
    return d.output_frames_gen;
}

static const char *srcb_name(void *st)
{
    (void)st;
    return "libsamplerate SINC_BEST";
}

const struct resample_backend_ops resample_src_ops = {
    .create = srcb_create,
    .process = srcb_process,
    .drain = srcb_drain,
    .name = srcb_name,
    .destroy = srcb_destroy,
};
