/* SPDX-License-Identifier: MIT */
/* Loudness while playing: libebur128 fed as the audio goes by, read at will. */
#include "dsp/live_loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

struct live_loudness {
    ebur128_state *st;
    int channels, rate;
    long frames;            /* fed since the last reset */
};

/* The channel weights of dsp/loudness.c, so that the live reading and the
 * analysis agree: 5 channels are L R C Ls Rs, 6 are L R C LFE Ls Rs. */
static void set_channel_map(ebur128_state *st, int channels)
{
    static const int five[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
                                EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
    static const int six[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED,
                               EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
    const int *map = channels == 5 ? five : channels == 6 ? six : NULL;
    for (int c = 0; map && c < channels; c++)
        ebur128_set_channel(st, (unsigned)c, map[c]);
}

static ebur128_state *open_state(int channels, int rate)
{
    /* Not the histogram mode: its 0.1 LU bins would cost the integrated
     * reading its agreement with the analysis. The gating blocks then grow
     * by one per 100 ms, which is why this runs off the audio thread. */
    ebur128_state *st = ebur128_init((unsigned)channels, (unsigned long)rate,
                                     EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I |
                                     EBUR128_MODE_LRA);
    if (st)
        set_channel_map(st, channels);
    return st;
}

struct live_loudness *live_loudness_new(int channels, int rate)
{
    if (channels < 1 || rate < 1000)
        return NULL;
    struct live_loudness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->channels = channels;
    l->rate = rate;
    l->st = open_state(channels, rate);
    if (!l->st) {
        free(l);
        return NULL;
    }
    return l;
}

void live_loudness_free(struct live_loudness *l)
{
    if (!l)
        return;
    if (l->st)
        ebur128_destroy(&l->st);
    free(l);
}

void live_loudness_reset(struct live_loudness *l)
{
    /* libebur128 has no reset of its own. When memory runs out the old
     * state is dropped all the same, and the meter reads nothing until a
     * reset succeeds: a stale reading would be worse. */
    if (l->st)
        ebur128_destroy(&l->st);
    l->st = open_state(l->channels, l->rate);
    l->frames = 0;
}

void live_loudness_add_float(struct live_loudness *l, const float *x, long frames)
{
    if (!l->st || frames <= 0)
        return;
    if (ebur128_add_frames_float(l->st, x, (size_t)frames) != EBUR128_SUCCESS)
        ebur128_destroy(&l->st);
    else
        l->frames += frames;
}

void live_loudness_add(struct live_loudness *l, const double *x, long frames)
{
    if (!l->st || frames <= 0)
        return;
    if (ebur128_add_frames_double(l->st, x, (size_t)frames) != EBUR128_SUCCESS)
        ebur128_destroy(&l->st);
    else
        l->frames += frames;
}

/* A window's reading once the window has filled, -HUGE_VAL before. */
static double windowed(struct live_loudness *l, long ms,
                       int (*get)(ebur128_state *, double *))
{
    double v;
    if (!l->st || l->frames * 1000 < ms * (long)l->rate || get(l->st, &v) != EBUR128_SUCCESS)
        return -HUGE_VAL;
    return v;
}

void live_loudness_read(struct live_loudness *l, struct live_loudness_reading *r)
{
    r->momentary = windowed(l, 400, ebur128_loudness_momentary);
    r->shortterm = windowed(l, 3000, ebur128_loudness_shortterm);
    r->integrated = r->range = -HUGE_VAL;
    if (!l->st)
        return;
    double v;
    if (ebur128_loudness_global(l->st, &v) == EBUR128_SUCCESS)
        r->integrated = v;
    /* The range is made of short-term readings: none before 3 s. */
    if (l->frames >= 3L * l->rate && ebur128_loudness_range(l->st, &v) == EBUR128_SUCCESS)
        r->range = v;
}
