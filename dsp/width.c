/* SPDX-License-Identifier: MIT */
/* The width processor: scales the side signal of channels 0 and 1, and can
 * take the side out below a frequency (bass in mono).
 *
 * The side's low end is removed with a Linkwitz-Riley (LR4) high-pass, so
 * the mid is never filtered. Other channels (a 5.1 centre, LFE, surrounds)
 * pass through untouched. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/processor.h"

struct width {
    int channels;
    double side_gain;
    bool mono_below, identity;
    struct biquad hp;               /* run twice: LR4 */
    struct biquad_state st[2];
};

static void *width_create(const struct proc *settings, double rate, int channels,
                          int max_block)
{
    struct width *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    double freq = proc_get(settings, WIDTH_MONO_BELOW);
    w->channels = channels;
    w->side_gain = proc_get(settings, WIDTH_AMOUNT) / 100;
    w->mono_below = freq > 0;
    if (w->mono_below)
        biquad_design(&w->hp, BQ_HIGHPASS, rate, freq, 0, M_SQRT1_2);
    /* Mid + side does not give back L and R to the last bit, so at 100%
     * without bass mono the processor keeps out of the way entirely. */
    w->identity = channels < 2 || (w->side_gain == 1 && !w->mono_below);
    return w;
}

static void width_process(void *state, double *buf, int frames)
{
    struct width *w = state;
    if (w->identity)
        return;
    int nch = w->channels;
    for (int f = 0; f < frames; f++) {
        double *x = buf + (size_t)f * nch;
        double mid = 0.5 * (x[0] + x[1]);
        double side = 0.5 * (x[0] - x[1]);
        if (w->mono_below) {
            side = biquad_run(&w->hp, &w->st[0], side);
            side = biquad_run(&w->hp, &w->st[1], side);
        }
        side *= w->side_gain;
        x[0] = mid + side;
        x[1] = mid - side;
    }
}

static void width_reset(void *state)
{
    struct width *w = state;
    memset(w->st, 0, sizeof w->st);
}

static int width_latency(const void *state)
{
    return 0;
}

static void width_copy_state(void *dst, const void *src)
{
    struct width *d = dst;
    const struct width *s = src;
    memcpy(d->st, s->st, sizeof d->st);
}

static void width_destroy(void *state)
{
    free(state);
}

const struct processor_ops width_ops = {
    .name = "width",
    .create = width_create,
    .process = width_process,
    .reset = width_reset,
    .latency = width_latency,
    .gain_reduction = NULL,
    .copy_state = width_copy_state,
    .destroy = width_destroy,
};
