/* SPDX-License-Identifier: MIT */
/* Tests of dsp/live_loudness: EBU Tech 3341/3342 cases fed in 1/25 s
 * blocks against their expected readings and against dsp/loudness.h's
 * whole-buffer measurement, a level step, "not yet" and reset. */
#include "dsp/live_loudness.h"
#include "dsp/loudness.h"
#include "tests/harness.h"
#include "tests/signals.h"

#include <stdlib.h>

/* Feeds a buffer in 1/25 s blocks, as float or as double. */
static void feed(struct live_loudness *l, const double *x, size_t frames, int channels,
                 int rate, int as_float)
{
    size_t block = (size_t)rate / 25;
    float *f = malloc(block * (size_t)channels * sizeof *f);
    for (size_t done = 0; done < frames; done += block) {
        size_t n = frames - done < block ? frames - done : block;
        const double *p = x + done * (size_t)channels;
        if (as_float) {
            for (size_t i = 0; i < n * (size_t)channels; i++)
                f[i] = (float)p[i];
            live_loudness_add_float(l, f, (long)n);
        } else {
            live_loudness_add(l, p, (long)n);
        }
    }
    free(f);
}

static bool analysis_of(const double *x, size_t frames, int channels, int rate,
                        struct loudness_result *r)
{
    struct loudness *m = loudness_new(rate, channels);
    bool ok = m && loudness_add(m, x, frames) && loudness_finish(m, r);
    loudness_free(m);
    return ok;
}

/* A stereo 1 kHz sine at -18 dBFS per channel reads -18 LUFS. */
TEST(sine_minus_18)
{
    int rate = 48000;
    size_t frames = 10 * (size_t)rate;
    double *x = malloc(2 * frames * sizeof *x);
    double a = pow(10.0, -18 / 20.0);
    for (size_t n = 0; n < frames; n++)
        x[2 * n] = x[2 * n + 1] = a * sin(2 * M_PI * 1000.0 * (double)n / rate);
    for (int as_float = 0; as_float < 2; as_float++) {
        struct live_loudness *l = live_loudness_new(2, rate);
        CHECK(l != NULL);
        feed(l, x, frames, 2, rate, as_float);
        struct live_loudness_reading r;
        live_loudness_read(l, &r);
        struct loudness_result whole;
        CHECK(analysis_of(x, frames, 2, rate, &whole));
        printf("  %s: M %.3f S %.3f I %.3f LUFS, LRA %.2f LU; analysis I %.3f\n",
               as_float ? "float" : "double", r.momentary, r.shortterm, r.integrated, r.range,
               whole.integrated);
        CHECK_NEAR(r.momentary, -18.0, 0.1);
        CHECK_NEAR(r.shortterm, -18.0, 0.1);
        CHECK_NEAR(r.integrated, -18.0, 0.1);
        CHECK_NEAR(r.integrated, whole.integrated, 0.05);
        CHECK_NEAR(r.range, 0.0, 0.1);
        live_loudness_free(l);
    }
    free(x);
}

/* The level-dependent EBU cases, fed live, meet the spec's tolerances and
 * agree with the analysis of the whole file. */
TEST(ebu_cases_live)
{
    static struct ebu_case cases[64];
    int n = ebu_cases(cases), rate = 44100, done = 0;
    for (int i = 0; i < n; i++) {
        const struct ebu_case *c = &cases[i];
        if (c->period > 0 || strncmp(c->name, "3341-13", 7) == 0 ||
            (c->expect[c->nexpect - 1].what != EBU_I && c->expect[0].what != EBU_LRA))
            continue;
        size_t frames = 0;
        double *x = ebu_render(c, rate, &frames);
        struct live_loudness *l = live_loudness_new(c->channels, rate);
        feed(l, x, frames, c->channels, rate, 1);
        struct live_loudness_reading r;
        live_loudness_read(l, &r);
        struct loudness_result whole;
        CHECK(analysis_of(x, frames, c->channels, rate, &whole));
        const struct ebu_expect *e = &c->expect[c->nexpect - 1];
        double got = e->what == EBU_LRA ? r.range : r.integrated;
        double ref = e->what == EBU_LRA ? whole.range : whole.integrated;
        printf("  %-8s %s %.3f (expected %.1f, analysis %.3f)\n", c->name,
               e->what == EBU_LRA ? "LRA" : "I  ", got, e->value, ref);
        CHECK_MSG(got >= e->value - e->below && got <= e->value + e->above,
                  "%s reads %.3f", c->name, got);
        /* the analysis takes LRA after 1.5 s of silence, as Tech 3342 asks
         * of files; live there is no such tail */
        CHECK_MSG(fabs(got - ref) <= (e->what == EBU_LRA ? 0.1 : 0.05),
                  "%s: %.3f live, %.3f analysed", c->name, got, ref);
        live_loudness_free(l);
        free(x);
        done++;
    }
    CHECK(done >= 9);
}

/* -30 dBFS for 2 s, then -20: momentary reads the new level 400 ms after
 * the step (its whole window), and not before. */
TEST(momentary_follows_a_step)
{
    int rate = 48000;
    size_t step = 2 * (size_t)rate, frames = 3 * (size_t)rate, hop = (size_t)rate / 100;
    double *x = malloc(2 * frames * sizeof *x);
    for (size_t n = 0; n < frames; n++) {
        double a = pow(10.0, (n < step ? -30 : -20) / 20.0);
        x[2 * n] = x[2 * n + 1] = a * sin(2 * M_PI * 1000.0 * (double)n / rate);
    }
    struct live_loudness *l = live_loudness_new(2, rate);
    struct live_loudness_reading r;
    double settled_after = -1, at_step = 0;
    for (size_t done = 0; done < frames; done += hop) {
        live_loudness_add(l, x + 2 * done, (long)hop);
        live_loudness_read(l, &r);
        double t = (double)(done + hop - step) / rate;     /* after the step */
        if (done + hop == step)
            at_step = r.momentary;
        if (t > 0 && settled_after < 0 && fabs(r.momentary + 20) <= 0.1)
            settled_after = t;
    }
    printf("  momentary: %.2f LUFS at the step, within 0.1 LU of -20 after %.0f ms\n",
           at_step, settled_after * 1e3);
    CHECK_NEAR(at_step, -30.0, 0.1);
    CHECK(settled_after > 0.35 && settled_after <= 0.4 + 1e-9);
    CHECK_NEAR(r.momentary, -20.0, 0.1);
    live_loudness_free(l);
    free(x);
}

static void nothing_yet(const struct live_loudness_reading *r)
{
    CHECK(r->momentary == -HUGE_VAL);
    CHECK(r->shortterm == -HUGE_VAL);
    CHECK(r->integrated == -HUGE_VAL);
    CHECK(r->range == -HUGE_VAL);
}

TEST(not_yet_and_reset)
{
    int rate = 48000;
    size_t frames = 4 * (size_t)rate;
    double *x = malloc(2 * frames * sizeof *x);
    for (size_t n = 0; n < frames; n++)
        x[2 * n] = x[2 * n + 1] = 0.1 * sin(2 * M_PI * 1000.0 * (double)n / rate);
    struct live_loudness *l = live_loudness_new(2, rate);
    struct live_loudness_reading r, fresh;
    live_loudness_read(l, &r);
    nothing_yet(&r);
    /* 300 ms: no window has filled */
    live_loudness_add(l, x, rate * 3 / 10);
    live_loudness_read(l, &r);
    nothing_yet(&r);
    /* 500 ms: momentary and integrated, not short-term nor range */
    live_loudness_add(l, x + 2 * (rate * 3 / 10), rate / 5);
    live_loudness_read(l, &r);
    CHECK(r.momentary > -HUGE_VAL && r.integrated > -HUGE_VAL);
    CHECK(r.shortterm == -HUGE_VAL && r.range == -HUGE_VAL);
    /* a loud stretch, then reset: nothing of it remains */
    live_loudness_add(l, x, (long)frames);
    live_loudness_reset(l);
    live_loudness_read(l, &r);
    nothing_yet(&r);
    live_loudness_add(l, x, (long)frames);
    live_loudness_read(l, &r);
    struct live_loudness *m = live_loudness_new(2, rate);
    live_loudness_add(m, x, (long)frames);
    live_loudness_read(m, &fresh);
    CHECK(r.momentary == fresh.momentary && r.shortterm == fresh.shortterm);
    CHECK(r.integrated == fresh.integrated && r.range == fresh.range);
    /* silence measures nothing */
    memset(x, 0, 2 * frames * sizeof *x);
    live_loudness_reset(m);
    live_loudness_add(m, x, (long)frames);
    live_loudness_read(m, &r);
    CHECK(r.momentary == -HUGE_VAL && r.integrated == -HUGE_VAL);
    live_loudness_free(l);
    live_loudness_free(m);
    live_loudness_free(NULL);
    CHECK(live_loudness_new(0, 48000) == NULL);
    free(x);
}
