/* SPDX-License-Identifier: MIT */
/* A converter restarted at each track start (resample_stream.h).
 *
 * Global frame numbers: input frames count from the album's start, output
 * frames too, at the output rate. A converter (a "slot") starts on input
 * frame `start` - WARM with WARM frames of silence fed in _new, so its
 * output frame k is global output frame base + k, base being exact because
 * start - WARM is a multiple of the ratio's period. Slot i's output is used
 * on [from_out[i], from_out[i + 1]): before that it is discarded, after it
 * the next slot speaks. */
#include "dsp/resample_stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PREROLL_SECONDS 0.05    /* measured: >= 35 ms gives the continuous run's bits */
#define HELD_SPARE 8192         /* frames a slot may run ahead of the one before it */
/* Silence a converter is fed in _new, in blocks of max_in so that soxr grows
 * its buffers there: a fixed length, as the bits depend on where a
 * converter starts, never on the block size. */
#define WARM_FRAMES 16384

struct slot {
    struct resampler *rs;
    int64_t start;          /* first input frame it is fed */
    int64_t base;           /* global output frame of its output 0 */
    int64_t made;           /* output frames it has produced */
    int64_t use_from;       /* first global output frame it speaks */
    double *held;           /* its output from use_from on, while the slot before speaks */
    int held_len;
};

/* Invariants: slots[cur] speaks; slots before it are retired; a slot after
 * it is fed once `pos` passes its start. `pos` is the global input frame of
 * the next input frame, `out_pos` the global output frame handed out next. */
struct resample_stream {
    int channels, in_rate, out_rate;
    int64_t unit_in, unit_out;      /* the ratio's period, in and out */
    int max_in, slot_max, max_out, held_cap;
    struct slot *slots;
    int nmade;                      /* slots allocated */
    int nslots, cur;                /* slots that speak: fewer once draining */
    int64_t pos;
    double *scratch;                /* one slot call's output */
    bool draining;
};

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Floor division for a possibly negative numerator. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The global output frame at input frame `in`, rounded up. */
static int64_t out_at(const struct resample_stream *s, int64_t in)
{
    return floor_div(in * s->unit_out + s->unit_in - 1, s->unit_in);
}

/* Makes the converter of a slot starting at input frame `start` (a
 * multiple of unit_in) and feeds it the silence before. */
static bool slot_init(struct resample_stream *s, struct slot *sl, enum resample_backend backend,
                      int64_t start, int64_t use_from, int64_t warm)
{
    sl->rs = resampler_new(s->channels, s->in_rate, s->out_rate, backend, s->max_in);
    sl->held = malloc(sizeof(double) * (size_t)s->held_cap * (size_t)s->channels);
    if (!sl->rs || !sl->held)
        return false;
    sl->start = start;
    sl->base = (start - warm) / s->unit_in * s->unit_out;
    sl->use_from = use_from;
    /* silence in full blocks, as the stream will feed it: soxr grows its
     * buffers now rather than on the audio thread */
    double *zeros = calloc((size_t)s->max_in * (size_t)s->channels, sizeof(double));
    if (!zeros)
        return false;
    for (int64_t left = warm; left > 0;) {
        int k = left < s->max_in ? (int)left : s->max_in;
        int n = resampler_process(sl->rs, zeros, k, s->scratch);
        if (n < 0) {
            free(zeros);
            return false;
        }
        sl->made += n;
        left -= k;
    }
    free(zeros);
    return true;
}

struct resample_stream *resample_stream_new(int channels, int in_rate, int out_rate,
                                            const struct resample_plan *plan, int max_in)
{
    if (channels < 1 || in_rate < 1 || out_rate < 1 || in_rate == out_rate || max_in < 1 ||
        plan->from < 0 || plan->nrestarts < 0)
        return NULL;
    struct resample_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    int64_t g = gcd64(in_rate, out_rate);
    s->channels = channels;
    s->in_rate = in_rate;
    s->out_rate = out_rate;
    s->unit_in = in_rate / g;
    s->unit_out = out_rate / g;
    s->max_in = max_in;
    s->slots = calloc((size_t)plan->nrestarts + 1, sizeof *s->slots);
    struct resampler *probe = resampler_new(channels, in_rate, out_rate, plan->backend, max_in);
    if (!s->slots || !probe || plan->from % s->unit_in) {
        resampler_free(probe);
        resample_stream_free(s);
        return NULL;
    }
    s->slot_max = resampler_max_out(probe);
    resampler_free(probe);
    s->held_cap = 2 * s->slot_max + HELD_SPARE;
    s->max_out = s->slot_max + s->held_cap;
    s->scratch = malloc(sizeof(double) * (size_t)s->slot_max * (size_t)channels);
    if (!s->scratch)
        goto fail;
    int64_t warm = (WARM_FRAMES + s->unit_in - 1) / s->unit_in * s->unit_in;
    int64_t preroll = (int64_t)(PREROLL_SECONDS * in_rate + 0.5);
    s->nmade = 1;
    if (!slot_init(s, &s->slots[0], plan->backend, plan->from, out_at(s, plan->from), warm))
        goto fail;
    s->nslots = 1;
    for (int i = 0; i < plan->nrestarts; i++) {
        int64_t at = plan->restarts[i];
        int64_t start = floor_div(at - preroll, s->unit_in) * s->unit_in;
        int64_t use_from = out_at(s, at);
        /* a restart whose pre-roll began before the stream cannot be made
         * the same way the render makes it: the stream's own start serves */
        if (start < plan->from || use_from <= s->slots[s->nslots - 1].use_from)
            continue;
        s->nmade++;
        if (!slot_init(s, &s->slots[s->nslots], plan->backend, start, use_from, warm))
            goto fail;
        s->nslots = s->nmade;
    }
    s->pos = plan->from;
    return s;
fail:
    resample_stream_free(s);
    return NULL;
}

void resample_stream_free(struct resample_stream *s)
{
    if (!s)
        return;
    for (int i = 0; s->slots && i < s->nmade; i++) {
        resampler_free(s->slots[i].rs);
        free(s->slots[i].held);
    }
    free(s->slots);
    free(s->scratch);
    free(s);
}

int resample_stream_max_out(const struct resample_stream *s)
{
    return s->max_out;
}

int resample_stream_converters(const struct resample_stream *s)
{
    return s->nslots;
}

const char *resample_stream_name(const struct resample_stream *s)
{
    return resampler_name(s->slots[0].rs);
}

/* The first global output frame slot i no longer speaks. */
static int64_t use_until(const struct resample_stream *s, int i)
{
    return i + 1 < s->nslots ? s->slots[i + 1].use_from : INT64_MAX;
}

/* Audio thread: n frames of slot i's output in scratch go where they
 * belong: out (its turn), held (its turn is coming) or nowhere. */
static bool route(struct resample_stream *s, int i, int n, double *out, int *written)
{
    struct slot *sl = &s->slots[i];
    int64_t g0 = sl->base + sl->made, lo = sl->use_from, hi = use_until(s, i);
    sl->made += n;
    int64_t a = g0 > lo ? g0 : lo, b = g0 + n < hi ? g0 + n : hi;
    if (b <= a)
        return true;
    int k = (int)(b - a);
    size_t fb = sizeof(double) * (size_t)s->channels;
    const double *src = s->scratch + (a - g0) * s->channels;
    if (i == s->cur) {
        if (*written + k > s->max_out)
            return false;
        memcpy(out + (size_t)*written * s->channels, src, fb * (size_t)k);
        *written += k;
    } else {
        if (sl->held_len + k > s->held_cap)
            return false;       /* a slot ran further ahead than HELD_SPARE allows */
        memcpy(sl->held + (size_t)sl->held_len * s->channels, src, fb * (size_t)k);
        sl->held_len += k;
    }
    return true;
}

/* Audio thread: while the speaking slot has said all it has to say, the
 * next takes over with what it holds. */
static bool hand_over(struct resample_stream *s, double *out, int *written)
{
    while (s->cur + 1 < s->nslots &&
           s->slots[s->cur].base + s->slots[s->cur].made >= use_until(s, s->cur)) {
        struct slot *next = &s->slots[++s->cur];
        if (*written + next->held_len > s->max_out)
            return false;
        memcpy(out + (size_t)*written * s->channels, next->held,
               sizeof(double) * (size_t)next->held_len * (size_t)s->channels);
        *written += next->held_len;
        next->held_len = 0;
    }
    return true;
}

int resample_stream_process(struct resample_stream *s, const double *in, int frames,
                            double *out)
{
    if (frames < 0 || frames > s->max_in || s->draining)
        return -1;
    int written = 0;
    int64_t end = s->pos + frames;
    for (int i = s->cur; i < s->nslots && s->slots[i].start < end; i++) {
        int64_t skip = s->slots[i].start > s->pos ? s->slots[i].start - s->pos : 0;
        int n = resampler_process(s->slots[i].rs, in + skip * s->channels,
                                  frames - (int)skip, s->scratch);
        if (n < 0 || !route(s, i, n, out, &written))
            return -1;
    }
    s->pos = end;
    if (!hand_over(s, out, &written))
        return -1;
    return written;
}

int resample_stream_drain(struct resample_stream *s, double *out)
{
    if (!s->draining) {
        s->draining = true;
        /* slots the input never reached never speak */
        while (s->nslots > s->cur + 1 && s->slots[s->nslots - 1].start >= s->pos)
            s->nslots--;
    }
    int written = 0;
    while (written == 0 && s->cur < s->nslots) {
        int n = resampler_drain(s->slots[s->cur].rs, s->scratch, s->slot_max);
        if (n < 0 || !route(s, s->cur, n, out, &written))
            return -1;
        if (n == 0) {
            /* its exact length is all out: the input ended before any
             * later slot's turn came */
            s->cur = s->nslots;
            break;
        }
        if (!hand_over(s, out, &written))
            return -1;
    }
    return written;
}
