/* SPDX-License-Identifier: MIT */
/* A chain of processors, its latency-keeping bypass and the runner that
 * compensates its latency for renders. */
#include "dsp/chain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BYPASS_RAMP_SECONDS 0.005

struct stage {
    const struct processor_ops *ops;
    void *state;
};

/* Invariants: `delay` holds latency * channels samples (NULL when latency is
 * 0) and always carries the last `latency` input frames, bypassed or not, so
 * the dry path is ready the moment bypass is switched on. `ramp_left` counts
 * the frames of the bypass crossfade still to go. */
struct chain {
    struct stage *stages;
    void **states;      /* each stage's state, in order, for process_run */
    int n;
    int channels;
    int max_block;
    int latency;
    double *dry;        /* max_block * channels: the input, then delayed */
    double *delay;
    long delay_len;     /* latency * channels */
    long delay_pos;
    bool bypass;
    int ramp_len;
    int ramp_left;
};

struct chain_runner {
    struct chain *chain;
    int skip;           /* output frames still to discard */
    int drain_left;     /* silent frames still to push at the end */
};

static void free_stages(struct stage *stages, int n)
{
    for (int i = 0; i < n; i++)
        stages[i].ops->destroy(stages[i].state);
}

static bool ops_complete(const struct processor_ops *ops)
{
    return ops && ops->create && ops->process && ops->reset &&
           ops->copy_state && ops->destroy;
}

struct chain *chain_new_ops(const struct processor_ops *const *ops,
                            const struct proc *procs, int n, double rate,
                            int channels, int max_block)
{
    if (n < 0 || channels < 1 || max_block < 1 || !(rate > 0))
        return NULL;
    for (int i = 0; i < n; i++)
        if (!ops_complete(ops[i]))
            return NULL;
    struct chain *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->channels = channels;
    c->max_block = max_block;
    c->stages = calloc(n > 0 ? (size_t)n : 1, sizeof *c->stages);
    c->states = calloc(n > 0 ? (size_t)n : 1, sizeof *c->states);
    /* an empty chain passes its input as it is, bypassed or not: it needs
     * no dry path (an album has a chain per track, most of them empty) */
    if (n > 0)
        c->dry = calloc((size_t)max_block * channels, sizeof *c->dry);
    if (!c->stages || !c->states || (n > 0 && !c->dry))
        goto fail;
    for (; c->n < n; c->n++) {
        struct stage *s = &c->stages[c->n];
        s->ops = ops[c->n];
        s->state = s->ops->create(&procs[c->n], rate, channels, max_block);
        if (!s->state)
            goto fail;
        c->states[c->n] = s->state;
        c->latency += s->ops->latency ? s->ops->latency(s->state) : 0;
    }
    c->delay_len = (long)c->latency * channels;
    if (c->delay_len > 0) {
        c->delay = calloc((size_t)c->delay_len, sizeof *c->delay);
        if (!c->delay)
            goto fail;
    }
    c->ramp_len = (int)lround(rate * BYPASS_RAMP_SECONDS);
    if (c->ramp_len < 1)
        c->ramp_len = 1;
    return c;
fail:
    chain_free(c);
    return NULL;
}

struct chain *chain_new(const struct proc *procs, int n, double rate,
                        int channels, int max_block)
{
    const struct processor_ops **ops = calloc(n > 0 ? (size_t)n : 1,
                                              sizeof *ops);
    if (!ops)
        return NULL;
    for (int i = 0; i < n; i++)
        ops[i] = processor_ops_of(procs[i].kind);
    struct chain *c = chain_new_ops(ops, procs, n, rate, channels, max_block);
    free(ops);
    return c;
}

void chain_free(struct chain *c)
{
    if (!c)
        return;
    if (c->stages)
        free_stages(c->stages, c->n);
    free(c->stages);
    free(c->states);
    free(c->dry);
    free(c->delay);
    free(c);
}

/* Pushes the input through the delay line, leaving the delayed input. */
static void delay_run(struct chain *c, double *x, long n)
{
    if (!c->delay)
        return;
    for (long i = 0; i < n; i++) {
        double t = c->delay[c->delay_pos];
        c->delay[c->delay_pos] = x[i];
        x[i] = t;
        if (++c->delay_pos == c->delay_len)
            c->delay_pos = 0;
    }
}

/* Weight of the processed signal for the next frame of the crossfade. */
static double wet_weight(const struct chain *c)
{
    double old = (double)c->ramp_left / c->ramp_len;
    return c->bypass ? old : 1.0 - old;
}

static void process_piece(struct chain *c, double *buf, int frames)
{
    long n = (long)frames * c->channels;
    memcpy(c->dry, buf, (size_t)n * sizeof *buf);
    delay_run(c, c->dry, n);
    for (int i = 0; i < c->n;) {
        const struct processor_ops *ops = c->stages[i].ops;
        int run = 1;
        while (ops->process_run && i + run < c->n && c->stages[i + run].ops == ops)
            run++;
        if (run > 1)
            ops->process_run(c->states + i, run, buf, frames);
        else
            ops->process(c->stages[i].state, buf, frames);
        i += run;
    }

    int f = 0;
    for (; f < frames && c->ramp_left > 0; f++, c->ramp_left--) {
        double w = wet_weight(c);
        for (int ch = 0; ch < c->channels; ch++) {
            long i = (long)f * c->channels + ch;
            buf[i] = w * buf[i] + (1.0 - w) * c->dry[i];
        }
    }
    if (c->bypass && f < frames)
        memcpy(buf + (long)f * c->channels, c->dry + (long)f * c->channels,
               (size_t)(frames - f) * c->channels * sizeof *buf);
}

void chain_process(struct chain *c, double *buf, int frames)
{
    if (c->n == 0)
        return;
    while (frames > 0) {
        int k = frames < c->max_block ? frames : c->max_block;
        process_piece(c, buf, k);
        buf += (long)k * c->channels;
        frames -= k;
    }
}

void chain_drain(struct chain *c, double *buf, int frames)
{
    if (frames <= 0)
        return;
    memset(buf, 0, (size_t)frames * c->channels * sizeof *buf);
    chain_process(c, buf, frames);
}

int chain_latency(const struct chain *c)
{
    return c->latency;
}

void chain_reset(struct chain *c)
{
    for (int i = 0; i < c->n; i++)
        c->stages[i].ops->reset(c->stages[i].state);
    if (c->delay)
        memset(c->delay, 0, (size_t)c->delay_len * sizeof *c->delay);
    c->delay_pos = 0;
    c->ramp_left = 0;
}

void chain_copy_state(struct chain *dst, const struct chain *src)
{
    for (int i = 0; i < dst->n && i < src->n; i++)
        dst->stages[i].ops->copy_state(dst->stages[i].state,
                                       src->stages[i].state);
    if (dst->delay && src->delay && dst->delay_len == src->delay_len) {
        memcpy(dst->delay, src->delay, (size_t)dst->delay_len * sizeof *dst->delay);
        dst->delay_pos = src->delay_pos;
    }
}

int chain_count(const struct chain *c)
{
    return c->n;
}

double chain_gain_reduction(const struct chain *c, int i)
{
    if (i < 0 || i >= c->n || !c->stages[i].ops->gain_reduction)
        return 0;
    return c->stages[i].ops->gain_reduction(c->stages[i].state);
}

void chain_set_bypass(struct chain *c, bool on)
{
    if (on == c->bypass)
        return;
    c->bypass = on;
    /* Turning back mid-fade retraces from where the fade is, no jump. */
    c->ramp_left = c->ramp_len - c->ramp_left;
}

bool chain_bypassed(const struct chain *c)
{
    return c->bypass;
}

struct chain_runner *chain_runner_new(struct chain *c)
{
    struct chain_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->chain = c;
    r->skip = r->drain_left = c->latency;
    return r;
}

void chain_runner_free(struct chain_runner *r)
{
    free(r);
}

/* Discards up to r->skip frames from the front of buf's `frames` frames and
 * returns how many remain, moved to the front. */
static int drop_head(struct chain_runner *r, double *buf, int frames)
{
    int drop = frames < r->skip ? frames : r->skip;
    if (drop == 0)
        return frames;
    r->skip -= drop;
    int ch = r->chain->channels;
    memmove(buf, buf + (long)drop * ch, (size_t)(frames - drop) * ch * sizeof *buf);
    return frames - drop;
}

int chain_runner_process(struct chain_runner *r, double *buf, int frames)
{
    if (frames <= 0)
        return 0;
    chain_process(r->chain, buf, frames);
    return drop_head(r, buf, frames);
}

int chain_runner_finish(struct chain_runner *r, double *buf, int frames)
{
    int out = 0;
    /* While the head is still being skipped (input shorter than the
     * latency), a piece of drained silence may yield nothing: go on. */
    while (out == 0 && r->drain_left > 0 && frames > 0) {
        int k = frames < r->drain_left ? frames : r->drain_left;
        chain_drain(r->chain, buf, k);
        r->drain_left -= k;
        out = drop_head(r, buf, k);
    }
    return out;
}

void chain_runner_reset(struct chain_runner *r)
{
    chain_reset(r->chain);
    r->skip = r->drain_left = r->chain->latency;
}

void chain_runner_copy_state(struct chain_runner *dst,
                             const struct chain_runner *src)
{
    chain_copy_state(dst->chain, src->chain);
    dst->skip = src->skip;
    dst->drain_left = src->drain_left;
}
