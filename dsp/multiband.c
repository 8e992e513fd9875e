/* SPDX-License-Identifier: MIT */
/* The multiband compressor: a Linkwitz-Riley split into 2 to 4 bands, each
 * compressed by the compressor's gain computer, linked across channels,
 * and summed back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/crossover.h"
#include "dsp/dynamics.h"
#include "dsp/processor.h"

#define MAX_BANDS 4

/* Crossovers when the session names none: lows, mids, highs. */
static const double default_xover[] = { 120, 2500 };

struct band {
    struct dyn_curve curve;
    struct dyn_ballistics ballistics;
    double makeup;          /* linear */
    double *buf;            /* max_block x channels */
};

/* Everything that changes while it runs, besides the crossover. */
struct multiband_run {
    struct dyn_env env[MAX_BANDS];
    double gr[MAX_BANDS];
};

struct multiband {
    int channels, nbands, max_block;
    struct crossover *xover;
    struct band band[MAX_BANDS];
    struct multiband_run run;
};

static void multiband_destroy(void *state)
{
    struct multiband *m = state;
    if (!m)
        return;
    crossover_free(m->xover);
    for (int b = 0; b < MAX_BANDS; b++)
        free(m->band[b].buf);
    free(m);
}

static void *multiband_create(const struct proc *s, double rate, int channels, int max_block)
{
    int nbands = proc_bands(s);
    if (nbands < 2 || nbands > MAX_BANDS)
        return NULL;
    double freqs[MAX_BANDS - 1];
    for (int i = 0; i < nbands - 1; i++)
        freqs[i] = s->count[MB_XOVER] ? proc_get_band(s, MB_XOVER, i) : default_xover[i];
    struct multiband *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->channels = channels;
    m->nbands = nbands;
    m->max_block = max_block;
    m->xover = crossover_new(rate, channels, freqs, nbands - 1);
    if (!m->xover) {
        multiband_destroy(m);
        return NULL;
    }
    for (int b = 0; b < nbands; b++) {
        struct band *bd = &m->band[b];
        bd->curve.threshold = proc_get_band(s, MB_THRESHOLD, b);
        bd->curve.ratio = fmax(proc_get_band(s, MB_RATIO, b), 1);
        bd->curve.knee = fmax(proc_get_band(s, MB_KNEE, b), 0);
        dyn_ballistics_init(&bd->ballistics, rate, proc_get_band(s, MB_ATTACK, b),
                            proc_get_band(s, MB_RELEASE, b));
        bd->makeup = pow(10, proc_get_band(s, MB_MAKEUP, b) / 20);
        bd->buf = malloc((size_t)max_block * channels * sizeof *bd->buf);
        if (!bd->buf) {
            multiband_destroy(m);
            return NULL;
        }
    }
    return m;
}

static void multiband_process(void *state, double *buf, int frames)
{
    struct multiband *m = state;
    int nch = m->channels;
    double *bands[MAX_BANDS];
    for (int b = 0; b < m->nbands; b++)
        bands[b] = m->band[b].buf;
    crossover_process(m->xover, buf, bands, frames);
    for (int f = 0; f < frames; f++) {
        double *out = buf + (size_t)f * nch;
        for (int c = 0; c < nch; c++)
            out[c] = 0;
        for (int b = 0; b < m->nbands; b++) {
            struct band *bd = &m->band[b];
            const double *x = bd->buf + (size_t)f * nch;
            double power = 0;
            for (int c = 0; c < nch; c++)
                power = fmax(power, x[c] * x[c]);
            double target = dyn_curve_gr(&bd->curve, dyn_power_db(power));
            double gr = dyn_env_run(&bd->ballistics, &m->run.env[b], target);
            double g = gr > 0 ? bd->makeup * pow(10, -gr / 20) : bd->makeup;
            for (int c = 0; c < nch; c++)
                out[c] += g * x[c];
            m->run.gr[b] = gr;
        }
    }
}

static void multiband_reset(void *state)
{
    struct multiband *m = state;
    crossover_reset(m->xover);
    memset(&m->run, 0, sizeof m->run);
}

static int multiband_latency(const void *state)
{
    (void)state;
    return 0;
}

static double multiband_gain_reduction(const void *state)
{
    const struct multiband *m = state;
    double gr = 0;
    for (int b = 0; b < m->nbands; b++)
        gr = fmax(gr, m->run.gr[b]);
    return gr;
}

static void multiband_copy_state(void *dst, const void *src)
{
    struct multiband *d = dst;
    const struct multiband *s = src;
    crossover_copy_state(d->xover, s->xover);
    d->run = s->run;
}

const struct processor_ops multiband_ops = {
    .name = "multiband",
    .create = multiband_create,
    .process = multiband_process,
    .reset = multiband_reset,
    .latency = multiband_latency,
    .gain_reduction = multiband_gain_reduction,
    .copy_state = multiband_copy_state,
    .destroy = multiband_destroy,
};
