/* SPDX-License-Identifier: MIT */
/* Tests of dsp/loudness: the EBU Tech 3341 and 3342 cases synthesized at
 * 44.1 and 48 kHz, the fine hop against libebur128's own readings, channel
 * maps, block-size independence and the edges. */
#include "dsp/loudness.h"
#include "dsp/peak_meter.h"
#include "tests/harness.h"
#include "tests/signals.h"

#include <ebur128.h>
#include <stdbool.h>

/* Feeds a whole buffer in blocks of `block` frames. */
static bool feed(struct loudness *m, const double *buf, size_t frames, int channels,
                 size_t block)
{
    for (size_t done = 0; done < frames; done += block) {
        size_t n = frames - done < block ? frames - done : block;
        if (!loudness_add(m, buf + done * (size_t)channels, n))
            return false;
    }
    return true;
}

static double reading(const struct loudness_result *r, enum ebu_measure w)
{
    switch (w) {
    case EBU_I: return r->integrated;
    case EBU_M: return r->momentary_max;
    case EBU_S: return r->shortterm_max;
    case EBU_TP: return r->true_peak_max;
    case EBU_LRA: return r->range;
    }
    return NAN;
}

/* Runs one case: feeds it in 100 ms blocks, checks the steady readings
 * after each block and the final result against the spec's tolerances.
 * Returns the largest deviation seen, for the log. */
static double run_case(const struct ebu_case *c, int rate)
{
    size_t frames;
    double *buf = ebu_render(c, rate, &frames);
    struct loudness *m = loudness_new(rate, c->channels);
    CHECK(buf && m);
    if (!buf || !m) {
        free(buf);
        loudness_free(m);
        return NAN;
    }
    double worst = 0.0;
    size_t block = (size_t)rate / 10;
    for (size_t done = 0; done < frames; done += block) {
        size_t n = frames - done < block ? frames - done : block;
        CHECK(loudness_add(m, buf + done * (size_t)c->channels, n));
        double t = (double)(done + n) / rate;
        for (int e = 0; e < c->nexpect; e++) {
            const struct ebu_expect *x = &c->expect[e];
            if ((x->what != EBU_M && x->what != EBU_S) || x->steady_after < 0 ||
                t < x->steady_after + 1e-9)
                continue;
            double v = x->what == EBU_M ? loudness_momentary(m) : loudness_shortterm(m);
            CHECK_MSG(v >= x->value - x->below && v <= x->value + x->above,
                      "%s at %d Hz: %s at %.1f s = %.3f, expected %.1f", c->name, rate,
                      x->what == EBU_M ? "M" : "S", t, v, x->value);
        }
    }
    struct loudness_result r;
    CHECK(loudness_finish(m, &r));
    for (int e = 0; e < c->nexpect; e++) {
        const struct ebu_expect *x = &c->expect[e];
        double v = reading(&r, x->what);
        CHECK_MSG(v >= x->value - x->below && v <= x->value + x->above,
                  "%s at %d Hz: %s = %.3f, expected %.1f -%.1f/+%.1f", c->name, rate,
                  ebu_measure_key(x->what), v, x->value, x->below, x->above);
        if (fabs(v - x->value) > worst)
            worst = fabs(v - x->value);
    }
    loudness_free(m);
    free(buf);
    return worst;
}

static void run_all(int rate)
{
    struct ebu_case cases[64];
    int n = ebu_cases(cases);
    double worst_lufs = 0.0, worst_tp = 0.0, worst_lra = 0.0;
    for (int i = 0; i < n; i++) {
        double d = run_case(&cases[i], rate);
        enum ebu_measure w = cases[i].expect[0].what;
        double *slot = w == EBU_TP ? &worst_tp : w == EBU_LRA ? &worst_lra : &worst_lufs;
        if (d > *slot)
            *slot = d;
    }
    printf("    %d Hz: %d cases, largest deviation %.3f LU (loudness), %.3f dB (true peak), "
           "%.3f LU (LRA)\n", rate, n, worst_lufs, worst_tp, worst_lra);
}

TEST(tech3341_3342_cases_at_48k)
{
    run_all(48000);
}

TEST(tech3341_3342_cases_at_44k1)
{
    run_all(44100);
}

/* At rates ending in 5..9 Hz the meter asks libebur128 directly. */
TEST(cases_1_and_13_on_the_direct_path_at_11025)
{
    struct ebu_case cases[64];
    int n = ebu_cases(cases);
    for (int i = 0; i < n; i++)
        if (strcmp(cases[i].name, "3341-1") == 0 || strncmp(cases[i].name, "3341-13", 7) == 0)
            run_case(&cases[i], 11025);
}

/* M and S composed of 200 ms windows equal libebur128's own readings. */
static void compare_with_libebur128(int rate)
{
    size_t frames;
    double *buf = mix_render(MIX_CLEAN, rate, 6.0, &frames);
    struct loudness *m = loudness_new(rate, 2);
    ebur128_state *st = ebur128_init(2, (unsigned long)rate, EBUR128_MODE_S);
    CHECK(buf && m && st);
    if (!buf || !m || !st)
        goto out;
    int hop = loudness_hop(m);
    CHECK_MSG(hop <= rate / 200, "hop %d at %d Hz is over 5 ms", hop, rate);
    double worst = 0.0;
    int readings = 0;
    for (size_t done = 0; done + (size_t)hop <= frames; done += (size_t)hop) {
        CHECK(loudness_add(m, buf + 2 * done, (size_t)hop));
        ebur128_add_frames_double(st, buf + 2 * done, (size_t)hop);
        double M, S;
        ebur128_loudness_momentary(st, &M);
        ebur128_loudness_shortterm(st, &S);
        if (isinf(M) || isinf(S))
            continue;
        worst = fmax(worst, fabs(M - loudness_momentary(m)));
        worst = fmax(worst, fabs(S - loudness_shortterm(m)));
        readings++;
    }
    CHECK(readings > 1000);
    CHECK_MSG(worst < 1e-9, "%d Hz: composed M/S differ from libebur128 by %.3g LU", rate, worst);
    printf("    %d Hz: hop %d frames, %d readings, largest difference %.2g LU\n", rate, hop,
           readings, worst);
out:
    free(buf);
    loudness_free(m);
    if (st)
        ebur128_destroy(&st);
}

TEST(fine_hop_equals_libebur128_readings)
{
    compare_with_libebur128(48000);
    compare_with_libebur128(44100);
    compare_with_libebur128(96000);
    compare_with_libebur128(22050);
}

TEST(hop_is_at_most_5ms_at_every_rate)
{
    static const int rates[] = { 8000, 11025, 16000, 22050, 32000, 37800, 44056, 44100,
                                 47999, 48000, 50000, 88200, 96000, 176400, 192000, 384000,
                                 705600, 768000 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        struct loudness *m = loudness_new(rates[i], 2);
        CHECK(m);
        if (!m)
            continue;
        int hop = loudness_hop(m);
        CHECK_MSG(hop >= 1 && hop <= rates[i] / 200, "hop %d at %d Hz", hop, rates[i]);
        loudness_free(m);
    }
}

static void result_equal(const struct loudness_result *a, const struct loudness_result *b,
                         size_t block)
{
#define SAME(x) CHECK_MSG(memcmp(&a->x, &b->x, sizeof a->x) == 0, \
                          "block %zu: %s %.17g != %.17g", block, #x, (double)a->x, (double)b->x)
    SAME(integrated);
    SAME(range);
    SAME(momentary_max);
    SAME(shortterm_max);
    SAME(true_peak_max);
    SAME(sample_peak_max);
    SAME(plr);
    for (int c = 0; c < a->channels; c++) {
        SAME(true_peak[c]);
        SAME(sample_peak[c]);
    }
#undef SAME
}

TEST(readings_do_not_depend_on_block_size)
{
    size_t frames;
    double *buf = mix_render(MIX_CLEAN, 44100, 5.0, &frames);
    CHECK(buf);
    if (!buf)
        return;
    static const size_t blocks[] = { 65536, 1, 7, 64, 1000 };
    struct loudness_result first = { 0 };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        struct loudness *m = loudness_new(44100, 2);
        struct loudness_result r;
        CHECK(m && feed(m, buf, frames, 2, blocks[i]) && loudness_finish(m, &r));
        if (i == 0)
            first = r;
        else
            result_equal(&first, &r, blocks[i]);
        loudness_free(m);
    }
    CHECK(isfinite(first.integrated) && first.range >= 0.0);
    free(buf);
}

/* 5.1 as L R C LFE Ls Rs: case 6's levels plus a loud LFE read -23 LUFS,
 * and the LFE's peak is still reported. */
TEST(lfe_is_left_out_of_loudness_but_peaks_are_measured)
{
    const int rate = 48000;
    const double db[6] = { -28, -28, -24, -6, -30, -30 };
    size_t frames = 20 * (size_t)rate;
    double *buf = malloc(frames * 6 * sizeof *buf);
    struct loudness *m = loudness_new(rate, 6);
    CHECK(buf && m);
    if (!buf || !m)
        goto out;
    for (size_t n = 0; n < frames; n++)
        for (int c = 0; c < 6; c++) {
            double f = c == 3 ? 60.0 : 1000.0;
            buf[6 * n + (size_t)c] = pow(10.0, db[c] / 20.0) * sin(2 * M_PI * f * (double)n / rate);
        }
    struct loudness_result r;
    CHECK(feed(m, buf, frames, 6, 4096) && loudness_finish(m, &r));
    CHECK_NEAR(r.integrated, -23.0, 0.1);
    CHECK_NEAR(r.sample_peak[3], -6.0, 0.01);
    CHECK_NEAR(r.true_peak[3], -6.0, 0.05);
    CHECK_NEAR(r.sample_peak[2], -24.0, 0.01);
    CHECK_NEAR(r.sample_peak_max, -6.0, 0.01);
    CHECK_EQ_STR(loudness_channel_name(6, 3), "LFE");
    CHECK_EQ_STR(loudness_channel_name(6, 4), "Ls");
out:
    free(buf);
    loudness_free(m);
}

/* BS.1770: one channel at weight 1, so a -23 dBFS sine reads -26.0 LUFS. */
TEST(mono_is_one_channel_at_weight_one)
{
    const int rate = 44100;
    size_t frames = 10 * (size_t)rate;
    double *buf = malloc(frames * sizeof *buf);
    struct loudness *m = loudness_new(rate, 1);
    CHECK(buf && m);
    if (!buf || !m)
        goto out;
    for (size_t n = 0; n < frames; n++)
        buf[n] = pow(10.0, -23.0 / 20.0) * sin(2 * M_PI * 1000.0 * (double)n / rate);
    struct loudness_result r;
    CHECK(feed(m, buf, frames, 1, 1 << 16) && loudness_finish(m, &r));
    CHECK_NEAR(r.integrated, -26.01, 0.05);
    CHECK_NEAR(r.momentary_max, -26.01, 0.05);
    CHECK_NEAR(r.plr, -23.0 + 26.01, 0.06);
    CHECK_NEAR(r.range, 0.0, 0.1);
out:
    free(buf);
    loudness_free(m);
}

TEST(silence_gives_minus_infinity_and_no_plr)
{
    double zeros[2 * 4800] = { 0 };
    struct loudness *m = loudness_new(48000, 2);
    CHECK(m);
    if (!m)
        return;
    for (int i = 0; i < 50; i++)
        CHECK(loudness_add(m, zeros, 4800));
    struct loudness_result r;
    CHECK(loudness_finish(m, &r));
    CHECK(isinf(r.integrated) && r.integrated < 0);
    CHECK(isinf(r.momentary_max) && isinf(r.shortterm_max));
    CHECK(isinf(r.true_peak_max) && isinf(r.sample_peak[1]));
    CHECK(isnan(r.plr));
    CHECK_NEAR(r.range, 0.0, 0.0);
    /* Finished: no more frames, and the same result again. */
    CHECK(!loudness_add(m, zeros, 10));
    struct loudness_result again;
    CHECK(loudness_finish(m, &again));
    CHECK(isinf(again.integrated));
    loudness_free(m);
}

TEST(bad_arguments_are_refused)
{
    CHECK(loudness_new(48000, 0) == NULL);
    CHECK(loudness_new(48000, LOUDNESS_MAX_CHANNELS + 1) == NULL);
    CHECK(loudness_new(0, 2) == NULL);
    loudness_free(NULL);
    struct loudness *m = loudness_new(48000, LOUDNESS_MAX_CHANNELS);
    CHECK(m != NULL);
    loudness_free(m);
}

/* A file shorter than one hop is still read at its end. */
TEST(a_file_shorter_than_a_hop_is_read)
{
    double buf[2 * 100];
    for (int n = 0; n < 100; n++)
        buf[2 * n] = buf[2 * n + 1] = 0.5 * sin(2 * M_PI * n / 8.0);
    struct loudness *m = loudness_new(48000, 2);
    CHECK(m);
    if (!m)
        return;
    struct loudness_result r;
    CHECK(loudness_add(m, buf, 100) && loudness_finish(m, &r));
    CHECK(isfinite(r.momentary_max));
    CHECK_NEAR(r.sample_peak_max, -6.02, 0.05);
    loudness_free(m);
}

/* What the flags leave out is left out, and what they keep reads exactly
 * as the full meter's reading: same frames, same libebur128 gating. */
TEST(flags_leave_out_only_what_they_name)
{
    size_t frames;
    double *buf = mix_render(MIX_CLEAN, 48000, 6.0, &frames);
    struct loudness *full = loudness_new(48000, 2);
    struct loudness *nomax = loudness_new_flags(48000, 2, LOUDNESS_NO_MAXIMA);
    struct loudness *nopeak = loudness_new_flags(48000, 2, LOUDNESS_NO_MAXIMA | LOUDNESS_NO_PEAKS);
    struct loudness *lean = loudness_new_flags(48000, 2, LOUDNESS_INTEGRATED);
    CHECK(buf && full && nomax && nopeak && lean);
    if (buf && full && nomax && nopeak && lean) {
        struct loudness_result f, a, b, c;
        CHECK(feed(full, buf, frames, 2, 4096) && loudness_finish(full, &f));
        CHECK(feed(nomax, buf, frames, 2, 333) && loudness_finish(nomax, &a));
        CHECK(feed(nopeak, buf, frames, 2, 4096) && loudness_finish(nopeak, &b));
        CHECK(feed(lean, buf, frames, 2, 1000) && loudness_finish(lean, &c));
        CHECK(isfinite(f.integrated) && isfinite(f.momentary_max) && f.range > 0.0);
        CHECK(a.integrated == f.integrated && a.range == f.range);
        CHECK(a.true_peak_max == f.true_peak_max && a.sample_peak[1] == f.sample_peak[1]);
        CHECK(isnan(a.momentary_max) && isnan(a.shortterm_max));
        CHECK(b.integrated == f.integrated && b.range == f.range);
        CHECK(isinf(b.true_peak_max) && isinf(b.sample_peak_max) && isnan(b.plr));
        /* I alone keeps 400 ms of audio, not 3 s: libebur128's sums wrap
         * elsewhere and round differently */
        CHECK_NEAR(c.integrated, f.integrated, 1e-9);
        CHECK(isnan(c.range) && isinf(c.true_peak_max));
    }
    free(buf);
    loudness_free(full);
    loudness_free(nomax);
    loudness_free(nopeak);
    loudness_free(lean);
}

/* A meter without peaks reports the ones merged into it: here a peak
 * meter's over the same frames, which is what the meter measures itself. */
TEST(merged_peaks_are_the_peaks_of_a_meter_without_its_own)
{
    const int rate = 44100;
    size_t frames = 3 * (size_t)rate;
    double *buf = calloc(frames * 2, sizeof *buf);
    struct loudness *src = loudness_new(rate, 2);
    struct loudness *dst = loudness_new_flags(rate, 2, LOUDNESS_NO_PEAKS);
    struct peak_meter *pm = peak_meter_new(rate, 2);
    CHECK(buf && src && dst && pm);
    if (buf && src && dst && pm) {
        /* an inter-sample peak: fs/4 at 45 degrees, 0.5 per sample, 0.707 true */
        for (size_t n = (size_t)rate; n < 2 * (size_t)rate; n++) {
            buf[2 * n] = 0.5 * sin(M_PI / 2 * (double)n + M_PI / 4) * M_SQRT2;
            buf[2 * n + 1] = 0.25 * sin(2 * M_PI * 1000.0 * (double)n / rate);
        }
        CHECK(feed(src, buf, frames, 2, 999) && feed(dst, buf, frames, 2, 4096));
        peak_meter_add(pm, buf, frames);
        peak_meter_flush(pm);
        double sp[2], tp[2];
        peak_meter_take(pm, sp, tp);
        loudness_merge_peaks(dst, sp, tp);
        struct loudness_result a, b;
        CHECK(loudness_finish(src, &a) && loudness_finish(dst, &b));
        for (int c = 0; c < 2; c++) {
            CHECK(a.sample_peak[c] == b.sample_peak[c]);
            CHECK(a.true_peak[c] == b.true_peak[c]);
        }
        CHECK(b.true_peak[0] > b.sample_peak[0] + 2.5);
        CHECK(a.plr == b.plr && a.integrated == b.integrated);
    }
    free(buf);
    loudness_free(src);
    loudness_free(dst);
    peak_meter_free(pm);
}
