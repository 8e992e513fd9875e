/* SPDX-License-Identifier: MIT */
/* The compressor: feed-forward, gain computed in dB from a peak or RMS
 * detector, linked across channels or working on mid and side apart. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/processor.h"

/* Averaging time of the RMS detector. */
#define RMS_MS 20.0
/* Biquad memories below this are flushed, so that silence stays cheap. */
#define TINY 1e-30

/* What one detector input carries across samples. */
struct detector {
    struct biquad_state hp;
    double ms;              /* mean square, RMS detector */
};

/* Everything that changes while it runs; copy_state copies this and the
 * detectors. */
struct comp_run {
    struct dyn_env env[2];  /* linked: [0]; mid/side: [0] mid, [1] side */
    double gr;              /* last reduction applied, dB */
};

struct comp {
    int channels;
    int ndet;               /* detector inputs: channels, or 2 for mid/side */
    bool midside, rms, sidechain_hp;
    struct dyn_curve curve;
    struct dyn_ballistics ballistics;
    double rms_coef, makeup, wet, dry;
    struct biquad hp;
    struct comp_run run;
    struct detector det[];
};

static void *comp_create(const struct proc *s, double rate, int channels, int max_block)
{
    bool midside = proc_get(s, COMP_LINK) == LINK_MIDSIDE && channels == 2;
    int ndet = midside ? 2 : channels;
    struct comp *c = calloc(1, sizeof *c + (size_t)ndet * sizeof c->det[0]);
    if (!c)
        return NULL;
    c->channels = channels;
    c->ndet = ndet;
    c->midside = midside;
    c->rms = proc_get(s, COMP_DETECTOR) == DETECT_RMS;
    c->curve.threshold = proc_get(s, COMP_THRESHOLD);
    c->curve.ratio = fmax(proc_get(s, COMP_RATIO), 1);
    c->curve.knee = fmax(proc_get(s, COMP_KNEE), 0);
    dyn_ballistics_init(&c->ballistics, rate, proc_get(s, COMP_ATTACK),
                        proc_get(s, COMP_RELEASE));
    c->rms_coef = dyn_coef(rate, RMS_MS);
    c->makeup = pow(10, proc_get(s, COMP_MAKEUP) / 20);
    c->wet = fmin(fmax(proc_get(s, COMP_MIX) / 100, 0), 1);
    c->dry = 1 - c->wet;
    double hp = proc_get(s, COMP_SIDECHAIN_HP);
    c->sidechain_hp = hp > 0;
    if (c->sidechain_hp)
        biquad_design(&c->hp, BQ_HIGHPASS, rate, hp, 0, M_SQRT1_2);
    return c;
}

/* The detector's power for one input sample: the square of the sample, or
 * of the RMS level. RMS is scaled by 2 so that a steady sine reads its peak
 * level with either detector and the threshold means the same in both. */
static double detect(struct comp *c, struct detector *d, double v)
{
    if (c->sidechain_hp) {
        v = biquad_run(&c->hp, &d->hp, v);
        if (fabs(d->hp.z1) < TINY && fabs(d->hp.z2) < TINY)
            d->hp.z1 = d->hp.z2 = 0;
    }
    double p = v * v;
    if (!c->rms)
        return p;
    d->ms = p + c->rms_coef * (d->ms - p);
    if (d->ms < TINY)
        d->ms = 0;
    return 2 * d->ms;
}

/* Gain reduction in dB for this sample from a detector power. */
static double reduce(struct comp *c, struct dyn_env *env, double power)
{
    return dyn_env_run(&c->ballistics, env, dyn_curve_gr(&c->curve, dyn_power_db(power)));
}

static double db_gain(double makeup, double gr)
{
    return gr > 0 ? makeup * pow(10, -gr / 20) : makeup;
}

static void process_linked(struct comp *c, double *buf, int frames)
{
    int nch = c->channels;
    for (int f = 0; f < frames; f++) {
        double *x = buf + (size_t)f * nch;
        double power = 0;
        for (int ch = 0; ch < nch; ch++)
            power = fmax(power, detect(c, &c->det[ch], x[ch]));
        double gr = reduce(c, &c->run.env[0], power);
        double g = c->wet * db_gain(c->makeup, gr);
        for (int ch = 0; ch < nch; ch++)
            x[ch] = c->dry * x[ch] + g * x[ch];
        c->run.gr = gr;
    }
}

static void process_midside(struct comp *c, double *buf, int frames)
{
    for (int f = 0; f < frames; f++) {
        double *x = buf + (size_t)f * 2;
        double mid = (x[0] + x[1]) / 2, side = (x[0] - x[1]) / 2;
        double grm = reduce(c, &c->run.env[0], detect(c, &c->det[0], mid));
        double grs = reduce(c, &c->run.env[1], detect(c, &c->det[1], side));
        mid *= c->wet * db_gain(c->makeup, grm);
        side *= c->wet * db_gain(c->makeup, grs);
        x[0] = c->dry * x[0] + (mid + side);
        x[1] = c->dry * x[1] + (mid - side);
        c->run.gr = fmax(grm, grs);
    }
}

static void comp_process(void *state, double *buf, int frames)
{
    struct comp *c = state;
    if (c->midside)
        process_midside(c, buf, frames);
    else
        process_linked(c, buf, frames);
}

static void comp_reset(void *state)
{
    struct comp *c = state;
    memset(&c->run, 0, sizeof c->run);
    memset(c->det, 0, (size_t)c->ndet * sizeof c->det[0]);
}

static int comp_latency(const void *state)
{
    (void)state;
    return 0;
}

static double comp_gain_reduction(const void *state)
{
    const struct comp *c = state;
    return c->run.gr;
}

static void comp_copy_state(void *dst, const void *src)
{
    struct comp *d = dst;
    const struct comp *s = src;
    d->run = s->run;
    memcpy(d->det, s->det, (size_t)d->ndet * sizeof d->det[0]);
}

static void comp_destroy(void *state)
{
    free(state);
}

const struct processor_ops comp_ops = {
    .name = "comp",
    .create = comp_create,
    .process = comp_process,
    .reset = comp_reset,
    .latency = comp_latency,
    .gain_reduction = comp_gain_reduction,
    .copy_state = comp_copy_state,
    .destroy = comp_destroy,
};
