/* SPDX-License-Identifier: MIT */
/* The EQ processor: one bell, shelf or Butterworth high/low-pass band.
 *
 * Bell and shelves are single RBJ cookbook sections. A high/low-pass of
 * slope S dB/oct is a Butterworth filter of order S/6: one first-order
 * section when the order is odd, plus second-order sections with the
 * Butterworth pole Qs. At 12 dB/oct the user's Q replaces the Butterworth
 * one, so that a resonant filter remains possible. All sections share the
 * prewarped corner, so the whole cascade is the bilinear transform of the
 * analog prototype. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/processor.h"

#define EQ_MAX_SECTIONS 4   /* order 8, the 48 dB/oct slope */

struct eq {
    int channels, nsections;
    struct biquad sec[EQ_MAX_SECTIONS];
    struct biquad_state st[];   /* channels * nsections, channel-major */
};

/* Fills sec[] for a high/low-pass of `order`; returns the section count. */
static int design_pass(struct biquad *sec, bool highpass, int order, double rate,
                       double freq, double q)
{
    int n = 0;
    if (order % 2)
        biquad_design(&sec[n++], highpass ? BQ_HIGHPASS1 : BQ_LOWPASS1, rate, freq, 0, 0);
    for (int k = 0; k < order / 2; k++) {
        double qk = order == 2 ? q : biquad_butterworth_q(order, k);
        biquad_design(&sec[n++], highpass ? BQ_HIGHPASS : BQ_LOWPASS, rate, freq, 0, qk);
    }
    return n;
}

static void *eq_create(const struct proc *settings, double rate, int channels,
                       int max_block)
{
    int type = (int)lround(proc_get(settings, EQ_TYPE));
    double freq = proc_get(settings, EQ_FREQ);
    double gain = proc_get(settings, EQ_GAIN);
    double q = proc_get(settings, EQ_Q);
    int order = (int)lround(proc_get(settings, EQ_SLOPE) / 6);
    if (order < 1)
        order = 1;
    if (order > 2 * EQ_MAX_SECTIONS)
        order = 2 * EQ_MAX_SECTIONS;

    struct eq *e = calloc(1, sizeof *e + (size_t)channels * EQ_MAX_SECTIONS * sizeof e->st[0]);
    if (!e)
        return NULL;
    e->channels = channels;
    switch (type) {
    case EQ_BELL:
        biquad_design(&e->sec[0], BQ_BELL, rate, freq, gain, q);
        e->nsections = 1;
        break;
    case EQ_LOWSHELF:
        biquad_design(&e->sec[0], BQ_LOWSHELF, rate, freq, gain, q);
        e->nsections = 1;
        break;
    case EQ_HIGHSHELF:
        biquad_design(&e->sec[0], BQ_HIGHSHELF, rate, freq, gain, q);
        e->nsections = 1;
        break;
    case EQ_HIGHPASS:
    case EQ_LOWPASS:
        e->nsections = design_pass(e->sec, type == EQ_HIGHPASS, order, rate, freq, q);
        break;
    default:
        free(e);
        return NULL;
    }
    return e;
}

/* Section by section over the whole block, two channels at a time, with
 * the state in locals: the same arithmetic per sample as one section after
 * another per frame (so the same bits), but the CPU is not kept waiting on
 * state stored to memory between samples. Audio thread. */
static void eq_process(void *state, double *buf, int frames)
{
    struct eq *e = state;
    int nch = e->channels, ns = e->nsections;
    for (int s = 0; s < ns; s++) {
        const struct biquad q = e->sec[s];
        int c = 0;
        for (; c + 1 < nch; c += 2) {
            struct biquad_state *sa = &e->st[(size_t)c * ns + s];
            struct biquad_state *sb = &e->st[(size_t)(c + 1) * ns + s];
            double a1 = sa->z1, a2 = sa->z2, b1 = sb->z1, b2 = sb->z2;
            double *x = buf + c;
            for (int f = 0; f < frames; f++, x += nch) {
                double xa = x[0], xb = x[1];
                double ya = q.b0 * xa + a1, yb = q.b0 * xb + b1;
                a1 = q.b1 * xa - q.a1 * ya + a2;
                b1 = q.b1 * xb - q.a1 * yb + b2;
                a2 = q.b2 * xa - q.a2 * ya;
                b2 = q.b2 * xb - q.a2 * yb;
                x[0] = ya;
                x[1] = yb;
            }
            sa->z1 = a1;
            sa->z2 = a2;
            sb->z1 = b1;
            sb->z2 = b2;
        }
        for (; c < nch; c++) {
            struct biquad_state *st = &e->st[(size_t)c * ns + s];
            double *x = buf + c;
            for (int f = 0; f < frames; f++, x += nch)
                *x = biquad_run(&q, st, *x);
        }
    }
}

/* Sections of consecutive bands run in one pass over the block: each
 * section still sees its samples in order and does the same arithmetic as
 * eq_process, but the filters of a frame no longer wait for one another's
 * recursions, which is what a band at a time spends its time on. */
#define CASCADE_MAX 16

typedef double pair __attribute__((vector_size(16)));

struct cascade {
    int n;
    const struct biquad *q[CASCADE_MAX];
    struct eq *band[CASCADE_MAX];
    int sec[CASCADE_MAX];
};

static struct biquad_state *state_of(const struct cascade *k, int j, int c)
{
    struct eq *e = k->band[j];
    return &e->st[(size_t)c * e->nsections + k->sec[j]];
}

static void cascade_pair(const struct cascade *k, double *buf, int frames, int nch, int c)
{
    pair b0[CASCADE_MAX], b1[CASCADE_MAX], b2[CASCADE_MAX], a1[CASCADE_MAX], a2[CASCADE_MAX];
    pair z1[CASCADE_MAX], z2[CASCADE_MAX];
    int n = k->n;
    for (int j = 0; j < n; j++) {
        const struct biquad *q = k->q[j];
        const struct biquad_state *sa = state_of(k, j, c), *sb = state_of(k, j, c + 1);
        b0[j] = (pair){ q->b0, q->b0 };
        b1[j] = (pair){ q->b1, q->b1 };
        b2[j] = (pair){ q->b2, q->b2 };
        a1[j] = (pair){ q->a1, q->a1 };
        a2[j] = (pair){ q->a2, q->a2 };
        z1[j] = (pair){ sa->z1, sb->z1 };
        z2[j] = (pair){ sa->z2, sb->z2 };
    }
    double *x = buf + c;
    for (int f = 0; f < frames; f++, x += nch) {
        pair v = { x[0], x[1] };
        for (int j = 0; j < n; j++) {
            pair y = b0[j] * v + z1[j];
            z1[j] = b1[j] * v - a1[j] * y + z2[j];
            z2[j] = b2[j] * v - a2[j] * y;
            v = y;
        }
        x[0] = v[0];
        x[1] = v[1];
    }
    for (int j = 0; j < n; j++) {
        struct biquad_state *sa = state_of(k, j, c), *sb = state_of(k, j, c + 1);
        sa->z1 = z1[j][0];
        sa->z2 = z2[j][0];
        sb->z1 = z1[j][1];
        sb->z2 = z2[j][1];
    }
}

static void cascade_one(const struct cascade *k, double *buf, int frames, int nch, int c)
{
    double *x = buf + c;
    for (int f = 0; f < frames; f++, x += nch) {
        double v = *x;
        for (int j = 0; j < k->n; j++)
            v = biquad_run(k->q[j], state_of(k, j, c), v);
        *x = v;
    }
}

static void cascade_process(const struct cascade *k, double *buf, int frames, int nch)
{
    int c = 0;
    for (; c + 1 < nch; c += 2)
        cascade_pair(k, buf, frames, nch, c);
    for (; c < nch; c++)
        cascade_one(k, buf, frames, nch, c);
}

static void eq_process_run(void *const *states, int n, double *buf, int frames)
{
    struct cascade k = { 0 };
    int nch = ((const struct eq *)states[0])->channels;
    for (int i = 0; i < n; i++) {
        struct eq *e = states[i];
        if (k.n + e->nsections > CASCADE_MAX) {
            cascade_process(&k, buf, frames, nch);
            k.n = 0;
        }
        for (int s = 0; s < e->nsections; s++) {
            k.q[k.n] = &e->sec[s];
            k.band[k.n] = e;
            k.sec[k.n++] = s;
        }
    }
    if (k.n > 0)
        cascade_process(&k, buf, frames, nch);
}

static void eq_reset(void *state)
{
    struct eq *e = state;
    memset(e->st, 0, (size_t)e->channels * EQ_MAX_SECTIONS * sizeof e->st[0]);
}

static int eq_latency(const void *state)
{
    return 0;
}

static void eq_copy_state(void *dst, const void *src)
{
    struct eq *d = dst;
    const struct eq *s = src;
    memcpy(d->st, s->st, (size_t)d->channels * EQ_MAX_SECTIONS * sizeof d->st[0]);
}

static void eq_destroy(void *state)
{
    free(state);
}

const struct processor_ops eq_ops = {
    .name = "eq",
    .create = eq_create,
    .process = eq_process,
    .process_run = eq_process_run,
    .reset = eq_reset,
    .latency = eq_latency,
    .gain_reduction = NULL,
    .copy_state = eq_copy_state,
    .destroy = eq_destroy,
};
