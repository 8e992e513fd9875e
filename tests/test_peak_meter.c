/* SPDX-License-Identifier: MIT */
/* Tests of dsp/peak_meter: the skipped interpolation finds exactly the peak
 * that computing every point finds, agrees with libebur128's true peak, and
 * starts afresh at each take. */
#include "dsp/peak_meter.h"
#include "dsp/truepeak.h"
#include "tests/harness.h"
#include "tests/signals.h"

#include <ebur128.h>

/* Music-like: noise under a slow envelope, a loud burst with inter-sample
 * peaks in the middle, then quiet again. */
static double *make(int rate, size_t *frames)
{
    size_t n = 4 * (size_t)rate;
    double *buf = malloc(n * 2 * sizeof *buf);
    if (!buf)
        return NULL;
    uint64_t seed = 11;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / rate;
        double env = 0.06 + 0.04 * sin(2 * M_PI * 0.7 * t);
        buf[2 * i] = env * signal_noise(&seed);
        buf[2 * i + 1] = env * sin(2 * M_PI * 997.0 * t);
        if (t > 1.5 && t < 1.6) {   /* fs/4 at 45 degrees: samples 0.6, points 0.85 */
            buf[2 * i] = 0.6 * M_SQRT2 * sin(M_PI / 2 * (double)i + M_PI / 4);
            buf[2 * i + 1] *= 3;
        }
    }
    *frames = n;
    return buf;
}

/* Every point, the slow way (from 192 kHz, the samples alone). */
static double every_point(int rate, const double *buf, size_t frames, int c)
{
    if (rate >= 192000) {
        double peak = 0;
        for (size_t i = 0; i < frames; i++)
            peak = fmax(peak, fabs(buf[2 * i + (size_t)c]));
        return peak;
    }
    struct truepeak_filter f;
    truepeak_hann_sinc(&f, rate < 96000 ? 4 : 2, 49);
    return truepeak_measure(&f, buf, (long)frames, 2, c);
}

static double libebur128_true_peak(int rate, const double *buf, size_t frames, int c)
{
    ebur128_state *st = ebur128_init(2, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
    double tp = NAN, zeros[2 * 64] = { 0 };
    if (st && ebur128_add_frames_double(st, buf, frames) == EBUR128_SUCCESS &&
        ebur128_add_frames_double(st, zeros, 64) == EBUR128_SUCCESS)
        ebur128_true_peak(st, (unsigned)c, &tp);
    if (st)
        ebur128_destroy(&st);
    return tp;
}

TEST(the_peak_is_what_every_point_gives_and_what_libebur128_reads)
{
    static const int rates[] = { 44100, 48000, 96000, 192000 };
    for (int r = 0; r < 4; r++) {
        size_t frames;
        double *buf = make(rates[r], &frames);
        struct peak_meter *m = peak_meter_new(rates[r], 2);
        CHECK(buf && m);
        if (buf && m) {
            peak_meter_add(m, buf, frames);
            peak_meter_flush(m);
            double sp[2], tp[2];
            peak_meter_take(m, sp, tp);
            for (int c = 0; c < 2; c++) {
                double all = every_point(rates[r], buf, frames, c);
                CHECK_MSG(tp[c] == all, "%d Hz ch %d: %.17g against every point's %.17g",
                          rates[r], c, tp[c], all);
                double lib = libebur128_true_peak(rates[r], buf, frames, c);
                CHECK_MSG(fabs(20 * log10(tp[c] / lib)) < 1e-4,
                          "%d Hz ch %d: %.9f against libebur128's %.9f", rates[r], c, tp[c], lib);
                CHECK(tp[c] >= sp[c]);
            }
            if (rates[r] < 192000)
                CHECK_MSG(tp[0] > 0.84 && sp[0] < 0.61, "%d Hz: %.4f %.4f", rates[r], tp[0], sp[0]);
            else
                CHECK(tp[0] == sp[0]);
        }
        free(buf);
        peak_meter_free(m);
    }
}

/* A take starts afresh: the quiet span after a loud one gets its own peak,
 * exactly as a meter that saw only it (but for the few samples of the loud
 * span still in the filter). */
TEST(a_take_starts_a_fresh_span)
{
    const int rate = 48000;
    size_t frames;
    double *buf = make(rate, &frames);
    struct peak_meter *m = peak_meter_new(rate, 2);
    CHECK(buf && m);
    if (buf && m) {
        size_t cut = (size_t)(1.7 * rate);  /* after the burst */
        double sp[2], tp[2], sp2[2], tp2[2];
        peak_meter_add(m, buf, cut);
        peak_meter_take(m, sp, tp);
        peak_meter_add(m, buf + 2 * cut, frames - cut);
        peak_meter_flush(m);
        peak_meter_take(m, sp2, tp2);
        CHECK(tp[0] > 0.84);
        double rest = every_point(rate, buf + 2 * cut, frames - cut, 0);
        CHECK_MSG(fabs(tp2[0] - rest) < 1e-3 && tp2[0] < 0.5, "%.6f against %.6f", tp2[0], rest);
    }
    free(buf);
    peak_meter_free(m);
}

TEST(blocks_of_any_size_give_the_same_peaks)
{
    const int rate = 44100;
    size_t frames;
    double *buf = make(rate, &frames);
    CHECK(buf);
    if (!buf)
        return;
    double first[2] = { 0 };
    static const size_t blocks[] = { 1, 7, 4096, 1 << 20 };
    for (int b = 0; b < 4; b++) {
        struct peak_meter *m = peak_meter_new(rate, 2);
        CHECK(m);
        if (!m)
            break;
        for (size_t done = 0; done < frames; done += blocks[b])
            peak_meter_add(m, buf + 2 * done,
                           frames - done < blocks[b] ? frames - done : blocks[b]);
        double sp[2], tp[2];
        peak_meter_take(m, sp, tp);
        if (b == 0)
            memcpy(first, tp, sizeof first);
        CHECK(tp[0] == first[0] && tp[1] == first[1]);
        peak_meter_free(m);
    }
    free(buf);
}

TEST(bad_arguments_are_refused)
{
    CHECK(peak_meter_new(0, 2) == NULL);
    CHECK(peak_meter_new(48000, 0) == NULL);
    CHECK(peak_meter_new(48000, 33) == NULL);
    peak_meter_free(NULL);
}
