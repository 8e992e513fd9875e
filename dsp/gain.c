/* SPDX-License-Identifier: MIT */
/* The gain processor: a fixed level change in dB (`gain = -1.5dB`). */
#include "dsp/processor.h"

#include <math.h>
#include <stdlib.h>

struct gain {
    double factor;
    int channels;
};

static void *gain_create(const struct proc *settings, double rate,
                         int channels, int max_block)
{
    struct gain *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    /* 0 dB gives exactly 1.0, so a neutral gain leaves the bits alone. */
    g->factor = pow(10.0, proc_get(settings, GAIN_LEVEL) / 20.0);
    g->channels = channels;
    return g;
}

static void gain_process(void *state, double *buf, int frames)
{
    const struct gain *g = state;
    long n = (long)frames * g->channels;
    for (long i = 0; i < n; i++)
        buf[i] *= g->factor;
}

/* Stateless: nothing to reset or copy. */
static void gain_reset(void *state) { (void)state; }
static void gain_copy_state(void *dst, const void *src) { (void)dst; (void)src; }

static void gain_destroy(void *state)
{
    free(state);
}

const struct processor_ops gain_ops = {
    .name = "gain",
    .create = gain_create,
    .process = gain_process,
    .reset = gain_reset,
    .latency = NULL,
    .gain_reduction = NULL,
    .copy_state = gain_copy_state,
    .destroy = gain_destroy,
};
