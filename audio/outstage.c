/* SPDX-License-Identifier: MIT */
/* An output's stage: resample, safety limiter, dither, quantize (outstage.h).
 *
 * Below -180 dBFS in every channel a frame is digital silence: filter tails
 * that decay into a gap would otherwise be dithered into audible noise where
 * the session put silence (DESIGN §3: no dither noise in gaps). */
#include "audio/outstage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/dither.h"
#include "dsp/resample_stream.h"

#define SILENCE 1e-9

struct outstage {
    int rate, bits;
    struct resample_stream *rs;
    struct chain *limiter;
    struct chain_runner *runner;
    struct dither *dither;
    int max_out;
    double *resampled;      /* max_out * 2 */
    int32_t *pcm;
    double *samples;
    int64_t position;       /* output frames handed out so far */
    int64_t clipped;
};

static bool is_cd(enum output_format f)
{
    return f == OUT_DDP || f == OUT_CUE || f == OUT_TOC;
}

int outstage_rate_of(const struct output *o, int session_rate)
{
    if (o->rate)
        return o->rate;
    /* a review package is for listening anywhere: MP3 takes 44.1 kHz */
    return is_cd(o->format) || o->format == OUT_REVIEW ? 44100 : session_rate;
}

int outstage_bits_of(const struct output *o)
{
    if (o->format == OUT_MP3 || o->format == OUT_OGG || o->format == OUT_REVIEW)
        return 0;
    if (o->bits)
        return o->bits;
    return is_cd(o->format) ? 16 : 24;
}

bool outstage_check(const struct output *o, int session_rate, char *err, size_t errlen)
{
    int rate = outstage_rate_of(o, session_rate), bits = outstage_bits_of(o);
    if (is_cd(o->format) && (rate != 44100 || bits != 16)) {
        snprintf(err, errlen, "[output %s]: a CD master is 44100 Hz 16-bit, not %d Hz %d-bit",
                 o->name, rate, bits);
        return false;
    }
    if ((o->format == OUT_MP3 || o->format == OUT_OGG || o->format == OUT_REVIEW) && o->bits) {
        snprintf(err, errlen, "[output %s]: %s is lossy — leave bits out", o->name,
                 o->format == OUT_MP3 ? "mp3" : o->format == OUT_OGG ? "ogg" : "review");
        return false;
    }
    bool mp3 = o->format == OUT_MP3 || (o->format == OUT_REVIEW && o->lossy == LOSSY_MP3);
    if (mp3 && rate != 32000 && rate != 44100 && rate != 48000 &&
        rate != 22050 && rate != 24000 && rate != 16000) {
        snprintf(err, errlen, "[output %s]: mp3 takes 32, 44.1 or 48 kHz, not %d Hz", o->name, rate);
        return false;
    }
    char why[400];
    if (o->name_template && !sink_template_check(o->name_template, why, sizeof why)) {
        snprintf(err, errlen, "[output %s]: %s", o->name, why);
        return false;
    }
    if (o->format == OUT_FLAC && bits == 32) {
        snprintf(err, errlen, "[output %s]: flac holds 16 or 24 bits, not float", o->name);
        return false;
    }
    return true;
}

enum resample_backend outstage_backend(const struct output *o, const struct album *a)
{
    enum resampler_choice c = o->has_resampler ? o->resampler : a->resampler;
    return c == RESAMPLER_LIBSAMPLERATE ? RESAMPLE_LIBSAMPLERATE : RESAMPLE_SOXR;
}

int64_t *outstage_restarts(const struct timeline *tl, int *n)
{
    int64_t *at = malloc(sizeof *at * (size_t)(tl->ntracks > 0 ? tl->ntracks : 1));
    if (!at)
        return NULL;
    for (int i = 0; i < tl->ntracks; i++)
        at[i] = tl->tracks[i].index1;
    *n = tl->ntracks;
    return at;
}

static struct outstage *stage_new(const struct output *o, int session_rate, int max_block,
                                  const struct resample_plan *plan, char *err, size_t errlen)
{
    if (!outstage_check(o, session_rate, err, errlen))
        return NULL;
    struct outstage *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    st->rate = outstage_rate_of(o, session_rate);
    st->bits = outstage_bits_of(o);
    st->max_out = max_block;
    if (plan && st->rate != session_rate) {
        st->rs = resample_stream_new(SINK_CHANNELS, session_rate, st->rate, plan, max_block);
        if (!st->rs) {
            snprintf(err, errlen, "[output %s]: cannot convert %d Hz to %d Hz", o->name,
                     session_rate, st->rate);
            outstage_free(st);
            return NULL;
        }
        st->max_out = resample_stream_max_out(st->rs);
    }
    if (o->has_ceiling) {
        struct proc limit;
        proc_init(&limit, PROC_LIMIT);
        proc_set(&limit, LIMIT_CEILING, o->ceiling);
        st->limiter = chain_new(&limit, 1, st->rate, SINK_CHANNELS, st->max_out);
        st->runner = st->limiter ? chain_runner_new(st->limiter) : NULL;
        if (!st->runner) {
            snprintf(err, errlen, "[output %s]: the true-peak limiter for the ceiling cannot be built",
                     o->name);
            outstage_free(st);
            return NULL;
        }
    }
    if (st->bits == 16 || st->bits == 24) {
        enum dither_mode mode = o->has_dither ? (enum dither_mode)o->dither : DITHER_TPDF;
        st->dither = dither_new(SINK_CHANNELS, st->bits, mode, st->rate);
        if (!st->dither)
            goto fail;
    }
    /* the limiter's tail can add up to its latency in one call */
    size_t cap = (size_t)st->max_out + (st->limiter ? (size_t)chain_latency(st->limiter) : 0) + 1;
    st->resampled = malloc(sizeof(double) * cap * SINK_CHANNELS);
    st->pcm = malloc(sizeof(int32_t) * cap * SINK_CHANNELS);
    st->samples = malloc(sizeof(double) * cap * SINK_CHANNELS);
    if (!st->resampled || !st->pcm || !st->samples)
        goto fail;
    return st;
fail:
    snprintf(err, errlen, "[output %s]: cannot set up its stage (out of memory?)", o->name);
    outstage_free(st);
    return NULL;
}

struct outstage *outstage_new(const struct output *o, int session_rate, int max_block,
                              const struct resample_plan *plan, char *err, size_t errlen)
{
    return stage_new(o, session_rate, max_block, plan, err, errlen);
}

struct outstage *outstage_new_converted(const struct output *o, int session_rate,
                                        int max_block, char *err, size_t errlen)
{
    return stage_new(o, session_rate, max_block, NULL, err, errlen);
}

void outstage_free(struct outstage *st)
{
    if (!st)
        return;
    resample_stream_free(st->rs);
    chain_runner_free(st->runner);
    chain_free(st->limiter);
    dither_free(st->dither);
    free(st->resampled);
    free(st->pcm);
    free(st->samples);
    free(st);
}

void outstage_set_position(struct outstage *st, int64_t position)
{
    st->position = position;
}

/* Audio thread: silence, dither, quantize and hand out `n` frames of
 * st->resampled. */
static bool quantize_emit(struct outstage *st, int n, outstage_emit emit, void *ctx,
                          char *err, size_t errlen)
{
    if (n <= 0)
        return true;
    double *x = st->resampled;
    for (int i = 0; i < n; i++)
        if (fabs(x[2 * i]) < SILENCE && fabs(x[2 * i + 1]) < SILENCE)
            x[2 * i] = x[2 * i + 1] = 0;
    struct render_block b = { .frames = n, .position = st->position };
    if (st->dither) {
        int64_t before = dither_clipped(st->dither);
        dither_process(st->dither, x, st->pcm, n, st->position);
        st->clipped += dither_clipped(st->dither) - before;
        double scale = 1.0 / (double)(1 << (st->bits - 1));
        for (int i = 0; i < n * SINK_CHANNELS; i++)
            st->samples[i] = st->pcm[i] * scale;
        b.pcm = st->pcm;
        b.samples = st->samples;
    } else {
        for (int i = 0; i < n * SINK_CHANNELS; i++) {
            double v = x[i];
            if (v > 1 || v < -1) {
                st->clipped++;
                v = v > 1 ? 1 : -1;
            }
            st->samples[i] = v;
        }
        b.samples = st->samples;
    }
    st->position += n;
    return emit(ctx, &b, err, errlen);
}

/* Audio thread. */
static int limit(struct outstage *st, int n)
{
    return st->runner ? chain_runner_process(st->runner, st->resampled, n) : n;
}

bool outstage_push(struct outstage *st, const double *in, int frames,
                   outstage_emit emit, void *ctx, char *err, size_t errlen)
{
    int n;
    if (st->rs) {
        n = resample_stream_process(st->rs, in, frames, st->resampled);
        if (n < 0) {
            snprintf(err, errlen, "the sample rate converter failed");
            return false;
        }
    } else {
        memcpy(st->resampled, in, sizeof(double) * (size_t)frames * SINK_CHANNELS);
        n = frames;
    }
    n = limit(st, n);
    return quantize_emit(st, n, emit, ctx, err, errlen);
}

bool outstage_finish(struct outstage *st, outstage_emit emit, void *ctx,
                     char *err, size_t errlen)
{
    int n;
    while (st->rs && (n = resample_stream_drain(st->rs, st->resampled)) > 0) {
        n = limit(st, n);
        if (!quantize_emit(st, n, emit, ctx, err, errlen))
            return false;
    }
    if (st->rs && n < 0) {
        snprintf(err, errlen, "the sample rate converter failed");
        return false;
    }
    while (st->runner && (n = chain_runner_finish(st->runner, st->resampled, st->max_out)) > 0)
        if (!quantize_emit(st, n, emit, ctx, err, errlen))
            return false;
    return true;
}

int64_t outstage_clipped(const struct outstage *st)
{
    return st->clipped;
}
