/* SPDX-License-Identifier: MIT */
/* Tests of dsp/resample_stream: the converter restarted at track starts
 * keeps the exact length and block independence, stays within a hair of a
 * continuous run, and its output from a track start on depends neither on
 * the input long before it nor on where the stream began. */
#include "dsp/resample_stream.h"
#include "tests/harness.h"

#include <stdlib.h>

static double *signal_of(int n, double rate, unsigned seed)
{
    double *x = malloc(sizeof *x * (size_t)n * 2);
    for (int f = 0; f < n; f++)
        for (int c = 0; c < 2; c++) {
            seed = seed * 1103515245u + 12345u;
            double noise = ((seed >> 8) & 0xffff) / 65536.0 - 0.5;
            x[2 * f + c] = 0.5 * sin(2 * M_PI * (997 + 300 * c) / rate * f) + 0.2 * noise;
        }
    return x;
}

/* Frames [from, n) of x through a stream; returns the output, *m its length. */
static double *run(const double *x, int64_t from, int64_t n, int in, int out,
                   const struct resample_plan *p0, int block, int64_t *m)
{
    struct resample_plan p = *p0;
    p.from = from;
    struct resample_stream *s = resample_stream_new(2, in, out, &p, block);
    CHECK(s != NULL);
    if (!s)
        return NULL;
    int cap = resample_stream_max_out(s);
    double *y = malloc(sizeof *y * 2 * (size_t)(resampler_out_length(n, in, out) + 2 * cap));
    int64_t got = 0;
    for (int64_t f = from; f < n; f += block) {
        int k = n - f < block ? (int)(n - f) : block;
        int o = resample_stream_process(s, x + 2 * f, k, y + 2 * got);
        CHECK(o >= 0);
        got += o > 0 ? o : 0;
    }
    int o;
    while ((o = resample_stream_drain(s, y + 2 * got)) > 0)
        got += o;
    CHECK(o == 0);
    resample_stream_free(s);
    *m = got;
    return y;
}

static const int64_t tracks96[] = { 96000, 200960, 250880 };   /* 1/75 s marks */

TEST(restarts_keep_the_exact_length_and_block_independence)
{
    for (int b = 0; b < 2; b++) {
        const int n = 300000;
        double *x = signal_of(n, 96000, 1);
        struct resample_plan p = { .backend = b ? RESAMPLE_LIBSAMPLERATE : RESAMPLE_SOXR,
                                   .restarts = tracks96, .nrestarts = 3 };
        int64_t m0, m;
        double *ref = run(x, 0, n, 96000, 44100, &p, 4096, &m0);
        CHECK_EQ_INT(m0, resampler_out_length(n, 96000, 44100));
        static const int blocks[] = { 1, 64, 1000, 4096 };
        for (int k = 0; k < 4; k++) {
            double *y = run(x, 0, n, 96000, 44100, &p, blocks[k], &m);
            CHECK_MSG(m == m0 && memcmp(y, ref, sizeof *y * 2 * (size_t)m) == 0,
                      "backend %d, blocks of %d differ", b, blocks[k]);
            free(y);
        }
        free(ref);
        free(x);
    }
}

TEST(soxr_restarted_is_within_1e_15_of_a_continuous_run)
{
    static const int rates[][2] = { { 96000, 44100 }, { 48000, 44100 } };
    for (int r = 0; r < 2; r++) {
        int in = rates[r][0], out = rates[r][1];
        int n = 3 * in;
        int64_t at[] = { in, in * 2 + in / 75 * 7 };
        double *x = signal_of(n, in, 7);
        struct resample_plan cont = { .backend = RESAMPLE_SOXR };
        struct resample_plan cut = { .backend = RESAMPLE_SOXR, .restarts = at, .nrestarts = 2 };
        int64_t m0, m1;
        double *a = run(x, 0, n, in, out, &cont, 4096, &m0);
        double *b = run(x, 0, n, in, out, &cut, 4096, &m1);
        CHECK_EQ_INT(m0, m1);
        double worst = 0;
        for (int64_t i = 0; i < 2 * m0 && m0 == m1; i++)
            worst = fabs(a[i] - b[i]) > worst ? fabs(a[i] - b[i]) : worst;
        printf("    %d->%d: restarted vs continuous differ by at most %.2g\n", in, out, worst);
        CHECK(worst < 1e-15);
        free(a);
        free(b);
        free(x);
    }
}

TEST(output_from_a_track_start_depends_on_nothing_long_before_it)
{
    const int n = 300000, in = 96000, out = 44100;
    double *x = signal_of(n, in, 3), *z = signal_of(n, in, 4);
    /* z is x from 0.1 s before track 2 on, different before */
    int64_t keep = tracks96[1] - in / 10;
    memcpy(z + 2 * keep, x + 2 * keep, sizeof *x * 2 * (size_t)(n - keep));
    struct resample_plan p = { .backend = RESAMPLE_SOXR, .restarts = tracks96, .nrestarts = 3 };
    int64_t mx, mz, ml;
    double *yx = run(x, 0, n, in, out, &p, 4096, &mx);
    double *yz = run(z, 0, n, in, out, &p, 1024, &mz);
    /* a stream that starts late (playback's pre-roll), on the period grid */
    int64_t late = (tracks96[1] - in / 5) / 320 * 320;
    double *yl = run(x, late, n, in, out, &p, 1024, &ml);
    int64_t mark = tracks96[1] * out / in;
    CHECK_EQ_INT(mx, mz);
    CHECK_EQ_INT(ml, mx - late * out / in);
    CHECK(mx == mz && memcmp(yx + 2 * mark, yz + 2 * mark, sizeof *yx * 2 * (size_t)(mx - mark)) == 0);
    CHECK(ml == mx - late * out / in &&
          memcmp(yx + 2 * mark, yl + 2 * (mark - late * out / in),
                 sizeof *yx * 2 * (size_t)(mx - mark)) == 0);
    /* and before the mark the different past does show */
    CHECK(memcmp(yx + 2 * (mark - 10000), yz + 2 * (mark - 10000), sizeof *yx * 2 * 100) != 0);
    free(yx);
    free(yz);
    free(yl);
    free(x);
    free(z);
}

TEST(bad_plans_are_refused)
{
    struct resample_plan p = { .backend = RESAMPLE_SOXR, .from = 100 };   /* off the grid */
    CHECK(resample_stream_new(2, 96000, 44100, &p, 1024) == NULL);
    p.from = 0;
    CHECK(resample_stream_new(2, 44100, 44100, &p, 1024) == NULL);
    resample_stream_free(NULL);
}
