/* SPDX-License-Identifier: MIT */
/* Tests of dsp/intake: each check fires on a mix made to trip it and stays
 * quiet on a clean mix; the figures behind the warnings are measured. */
#include "dsp/intake.h"
#include "dsp/loudness.h"
#include "tests/harness.h"
#include "tests/signals.h"

#define RATE 48000

static const struct intake_format wav24 = { .bits = 24, .name = "WAV 24-bit" };

/* Runs the meter and the checks over a buffer, in blocks of `block`. */
static void analyse(const double *buf, size_t frames, int channels, int rate,
                    const struct intake_format *fmt, size_t block,
                    struct intake_report *rep, struct loudness_result *lr)
{
    struct loudness *m = loudness_new(rate, channels);
    struct intake *in = intake_new(rate, channels);
    CHECK(m && in);
    if (m && in) {
        for (size_t done = 0; done < frames; done += block) {
            size_t n = frames - done < block ? frames - done : block;
            CHECK(loudness_add(m, buf + done * (size_t)channels, n));
            intake_add(in, buf + done * (size_t)channels, n);
        }
        CHECK(loudness_finish(m, lr));
        intake_finish(in, fmt, lr, rep);
    }
    loudness_free(m);
    intake_free(in);
}

static const struct intake_warning *find(const struct intake_report *r, const char *code)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (strcmp(r->warnings[i].code, code) == 0)
            return &r->warnings[i];
    return NULL;
}

static void show(const char *what, const struct intake_report *r)
{
    for (int i = 0; i < r->nwarnings; i++)
        printf("    %-12s %-8s %-14s %s\n", what, intake_severity_name(r->warnings[i].severity),
               r->warnings[i].code, r->warnings[i].message);
}

/* Renders a mix and analyses it as a 24-bit WAV at 48 kHz. */
static bool mix_report(enum mix_kind kind, struct intake_report *rep, struct loudness_result *lr)
{
    size_t frames;
    double *buf = mix_render(kind, RATE, 8.0, &frames);
    CHECK(buf);
    if (!buf)
        return false;
    analyse(buf, frames, 2, RATE, &wav24, 4096, rep, lr);
    free(buf);
    show(mix_name(kind), rep);
    return true;
}

static void expect_fires(enum mix_kind kind, const char *code, enum intake_severity sev,
                         const char *quiet)
{
    struct intake_report rep;
    struct loudness_result lr;
    if (!mix_report(kind, &rep, &lr))
        return;
    const struct intake_warning *w = find(&rep, code);
    CHECK_MSG(w != NULL, "%s: no %s warning", mix_name(kind), code);
    if (w)
        CHECK_MSG(w->severity == sev, "%s: %s is a %s", mix_name(kind), code,
                  intake_severity_name(w->severity));
    if (quiet)
        CHECK_MSG(find(&rep, quiet) == NULL, "%s: %s fired too", mix_name(kind), quiet);
}

TEST(a_clean_mix_raises_nothing)
{
    struct intake_report rep;
    struct loudness_result lr;
    if (!mix_report(MIX_CLEAN, &rep, &lr))
        return;
    CHECK_EQ_INT(rep.nwarnings, 0);
    /* The figures that keep it clean, measured rather than assumed. */
    printf("    clean: PLR %.1f dB, true peak %.2f dBTP, correlation %.2f, %lld near the peak\n",
           lr.plr, lr.true_peak_max, rep.correlation, (long long)rep.near_peak);
    CHECK(lr.plr > 8.0);
    CHECK(lr.true_peak_max < -1.0);
    CHECK(rep.correlation > 0.5 && rep.correlation < 0.99);
    CHECK(rep.head_silence < 0.01 && rep.tail_silence < 0.01);
    CHECK(rep.dc_offset[0] < -100.0 && rep.dc_offset[1] < -100.0);
    CHECK_EQ_INT(rep.clipped_runs, 0);
    CHECK_EQ_INT(rep.clipped_first, -1);
}

TEST(clipping_is_counted_in_runs)
{
    expect_fires(MIX_CLIPPED, "clipping", INTAKE_PROBLEM, NULL);
    /* Runs by hand: 2 samples at full scale are no run, 3 and 5 are one each,
     * and a run across a block boundary counts once. */
    double buf[40] = { 0 };
    for (int n = 2; n < 4; n++) buf[2 * n] = 1.0;          /* L: 2 */
    for (int n = 6; n < 9; n++) buf[2 * n] = -1.0;         /* L: 3 */
    for (int n = 10; n < 15; n++) buf[2 * n + 1] = 0.99995; /* R: 5 */
    for (size_t block = 1; block <= 20; block += 6) {
        struct intake *in = intake_new(RATE, 2);
        CHECK(in);
        if (!in)
            return;
        for (size_t done = 0; done < 20; done += block)
            intake_add(in, buf + 2 * done, done + block > 20 ? 20 - done : block);
        struct intake_report rep;
        intake_finish(in, NULL, NULL, &rep);
        CHECK_EQ_INT(rep.clipped_runs, 2);
        CHECK_EQ_INT(rep.clipped_first, 6);
        CHECK_EQ_INT(rep.overs, 0);
        intake_free(in);
    }
}

TEST(dc_offset_is_found_on_its_channel)
{
    struct intake_report rep;
    struct loudness_result lr;
    if (!mix_report(MIX_DC, &rep, &lr))
        return;
    const struct intake_warning *w = find(&rep, "dc-offset");
    CHECK(w && strstr(w->message, "L -40.0 dBFS") && !strstr(w->message, "R "));
    CHECK_NEAR(rep.dc_offset[0], -40.0, 0.01);
    CHECK(rep.dc_offset[1] < -100.0);
}

TEST(silence_at_head_and_tail_is_measured)
{
    struct intake_report rep;
    struct loudness_result lr;
    if (!mix_report(MIX_SILENT_ENDS, &rep, &lr))
        return;
    CHECK(find(&rep, "head-silence") && find(&rep, "tail-silence"));
    CHECK_NEAR(rep.head_silence, 2.0, 0.001);
    CHECK_NEAR(rep.tail_silence, 3.0, 0.05);
}

TEST(inverted_polarity_and_poor_mono_compatibility)
{
    expect_fires(MIX_POLARITY, "polarity", INTAKE_PROBLEM, "mono-compat");
    expect_fires(MIX_ANTIPHASE, "mono-compat", INTAKE_WARNING, "polarity");
    struct intake_report rep;
    struct loudness_result lr;
    if (mix_report(MIX_ANTIPHASE, &rep, &lr))
        CHECK_NEAR(rep.correlation, -0.3, 0.05);
    expect_fires(MIX_DUAL_MONO, "dual-mono", INTAKE_NOTE, "polarity");
    expect_fires(MIX_DEAD_RIGHT, "silent-channel", INTAKE_WARNING, NULL);
}

TEST(a_limited_mix_is_recognised)
{
    struct intake_report rep;
    struct loudness_result lr;
    if (mix_report(MIX_LIMITED, &rep, &lr)) {
        const struct intake_warning *w = find(&rep, "limited");
        CHECK_MSG(w && strstr(w->message, "PLR"), "no PLR warning; PLR %.1f dB", lr.plr);
    }
    /* Pinned without a low PLR: the clean mix's drum peaks shaved flat by
     * 2 dB at -1 dBFS leave the PLR high but crowd the peak. */
    size_t frames;
    double *buf = mix_render(MIX_CLEAN, RATE, 8.0, &frames);
    CHECK(buf);
    if (!buf)
        return;
    double ceiling = pow(10.0, -1.0 / 20.0), g = pow(10.0, 8.0 / 20.0);
    for (size_t i = 0; i < 2 * frames; i++)
        buf[i] = fmax(-ceiling, fmin(ceiling, buf[i] * g));
    analyse(buf, frames, 2, RATE, &wav24, 1000, &rep, &lr);
    show("shaved", &rep);
    const struct intake_warning *w = find(&rep, "limited");
    CHECK_MSG(lr.plr >= 8.0, "PLR %.1f: the pinned test needs a high PLR", lr.plr);
    CHECK(w && strstr(w->message, "samples within"));
    CHECK(rep.near_peak > 1000);
    free(buf);
}

/* Counts near the peak, whatever the order: samples 0.2 dB under a peak
 * that came first are near it; samples that came while the peak was 0.5 dB
 * lower are near it too once it rises 0.1 dB; samples 0.4 dB under are not. */
static int64_t near_peak_of(const double *levels, const int *counts, int n)
{
    struct intake *in = intake_new(RATE, 1);
    CHECK(in);
    if (!in)
        return -1;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < counts[i]; k++) {
            double x = k % 2 ? levels[i] : -levels[i];
            intake_add(in, &x, 1);
        }
    struct loudness_result lr = { .true_peak_max = 0, .plr = 20 };
    struct intake_report rep;
    intake_finish(in, &wav24, &lr, &rep);
    intake_free(in);
    return rep.near_peak;
}

TEST(samples_near_the_peak_are_counted_in_any_order)
{
    double p = 0.8, under02 = p * pow(10.0, -0.2 / 20.0), under04 = p * pow(10.0, -0.4 / 20.0);
    double under01 = p * pow(10.0, -0.1 / 20.0), under06 = p * pow(10.0, -0.6 / 20.0);
    /* the peak first, then 100 samples 0.2 dB under it and 50 0.4 dB under */
    CHECK_EQ_INT(near_peak_of((double[]){ p, under02, under04 }, (int[]){ 1, 100, 50 }, 3), 101);
    /* 100 samples at 0.1 dB under the final peak while the loudest was 0.6 dB under it */
    CHECK_EQ_INT(near_peak_of((double[]){ under06, under01, p }, (int[]){ 30, 100, 1 }, 3), 101);
    /* the same, the peak first: the 0.6 dB ones stay out */
    CHECK_EQ_INT(near_peak_of((double[]){ p, under06, under01 }, (int[]){ 1, 30, 100 }, 3), 101);
    /* near_peak() reaches one bin under 0.25 dB: with the peak 0.8 of a bin
     * above a bin's edge, samples 0.28 dB under it are in the last bin
     * counted, and must be counted though they came after it */
    double edge = pow(10.0, (-2.0 + 0.04) / 20.0), under028 = edge * pow(10.0, -0.28 / 20.0);
    CHECK_EQ_INT(near_peak_of((double[]){ edge, under028 }, (int[]){ 1, 40 }, 2), 41);
}

TEST(headroom_silence_and_overs)
{
    expect_fires(MIX_HOT, "headroom", INTAKE_WARNING, "clipping");
    expect_fires(MIX_SILENT, "silent", INTAKE_PROBLEM, "head-silence");
    expect_fires(MIX_OVERS, "overs", INTAKE_PROBLEM, NULL);
}

TEST(rate_depth_and_lossy_come_from_the_format)
{
    size_t frames;
    double *buf = mix_render(MIX_CLEAN, 32000, 3.0, &frames);
    CHECK(buf);
    if (!buf)
        return;
    struct intake_report rep;
    struct loudness_result lr;
    const struct intake_format pcm16 = { .bits = 16, .name = "WAV 16-bit" };
    const struct intake_format pcm8 = { .bits = 8, .name = "WAV 8-bit" };
    const struct intake_format mp3 = { .lossy = true, .name = "MP3" };
    const struct intake_format flt = { .bits = 32, .is_float = true };
    analyse(buf, frames, 2, 32000, &pcm16, 4096, &rep, &lr);
    show("32k 16-bit", &rep);
    CHECK(find(&rep, "rate") && find(&rep, "depth"));
    CHECK(find(&rep, "depth") && find(&rep, "depth")->severity == INTAKE_WARNING);
    analyse(buf, frames, 2, 32000, &pcm8, 4096, &rep, &lr);
    CHECK(find(&rep, "depth") && find(&rep, "depth")->severity == INTAKE_PROBLEM);
    /* Most severe first. */
    CHECK(rep.nwarnings >= 2 && rep.warnings[0].severity == INTAKE_PROBLEM);
    analyse(buf, frames, 2, 32000, &mp3, 4096, &rep, &lr);
    CHECK(find(&rep, "lossy") && strstr(find(&rep, "lossy")->message, "MP3"));
    CHECK(!find(&rep, "depth"));
    analyse(buf, frames, 2, 32000, &flt, 4096, &rep, &lr);
    CHECK(!find(&rep, "depth") && !find(&rep, "lossy"));
    free(buf);
    buf = mix_render(MIX_CLEAN, 44100, 3.0, &frames);
    CHECK(buf);
    if (!buf)
        return;
    analyse(buf, frames, 2, 44100, &wav24, 4096, &rep, &lr);
    CHECK_EQ_INT(rep.nwarnings, 0);
    free(buf);
}

/* Stereo takes a loop of its own: its figures must be those the general
 * walk gives the same two channels beside a silent third. The right
 * channel clips first, the left more often; both go over 0 dBFS. */
TEST(stereo_reads_as_the_same_channels_among_three)
{
    enum { FRAMES = 48000 };
    double *two = calloc(2 * FRAMES, sizeof *two), *three = calloc(3 * FRAMES, sizeof *three);
    CHECK(two && three);
    if (!two || !three) {
        free(two);
        free(three);
        return;
    }
    uint64_t seed = 99;
    for (int f = 0; f < FRAMES; f++) {
        double l = f < 6000 ? 0 : 0.6 * sin(f * 0.01) + 0.01 * signal_noise(&seed);
        double r = f < 9000 ? 0.0002 : -0.5 * sin(f * 0.013) + 0.02;
        if (f >= 20000 && f < 20004)
            r = 1.0;
        if ((f >= 30000 && f < 30005) || (f >= 40000 && f < 40003))
            l = -1.2;
        if (f > 47000)
            l = r = 0;
        two[2 * f] = three[3 * f] = l;
        two[2 * f + 1] = three[3 * f + 1] = r;
    }
    struct intake_report a, b;
    struct loudness_result lr;
    const struct intake_format flt = { .bits = 32, .is_float = true };
    analyse(two, FRAMES, 2, RATE, &flt, 1000, &a, &lr);
    analyse(three, FRAMES, 3, RATE, &flt, 1000, &b, &lr);
    CHECK_EQ_INT(a.clipped_runs, 3);
    CHECK_EQ_INT(a.clipped_first, 20000);
    CHECK_EQ_INT(a.clipped_runs, b.clipped_runs);
    CHECK_EQ_INT(a.clipped_first, b.clipped_first);
    CHECK_EQ_INT(a.overs, b.overs);
    CHECK_EQ_INT(a.near_peak, b.near_peak);
    CHECK(a.overs == 8 && a.near_peak >= 8);
    CHECK(a.head_silence == b.head_silence && a.tail_silence == b.tail_silence);
    CHECK_NEAR(a.head_silence, 6000.0 / RATE, 1e-12);
    CHECK(a.dc_offset[0] == b.dc_offset[0] && a.dc_offset[1] == b.dc_offset[1]);
    CHECK(a.correlation == b.correlation);
    free(two);
    free(three);
}

TEST(report_does_not_depend_on_block_size)
{
    size_t frames;
    double *buf = mix_render(MIX_SILENT_ENDS, RATE, 2.0, &frames);
    CHECK(buf);
    if (!buf)
        return;
    struct intake_report a, b;
    struct loudness_result la, lb;
    analyse(buf, frames, 2, RATE, &wav24, 65536, &a, &la);
    static const size_t blocks[] = { 1, 7, 64 };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        analyse(buf, frames, 2, RATE, &wav24, blocks[i], &b, &lb);
        CHECK(memcmp(&a.correlation, &b.correlation, sizeof a.correlation) == 0);
        CHECK(memcmp(a.dc_offset, b.dc_offset, 2 * sizeof a.dc_offset[0]) == 0);
        CHECK(a.head_silence == b.head_silence && a.tail_silence == b.tail_silence);
        CHECK_EQ_INT(a.near_peak, b.near_peak);
        CHECK_EQ_INT(a.nwarnings, b.nwarnings);
        for (int w = 0; w < a.nwarnings && w < b.nwarnings; w++)
            CHECK_EQ_STR(a.warnings[w].message, b.warnings[w].message);
    }
    free(buf);
}

TEST(mono_and_surround_files)
{
    /* Mono: no stereo checks, no correlation. */
    size_t frames = RATE;
    double *buf = calloc(6 * frames, sizeof *buf);
    CHECK(buf);
    if (!buf)
        return;
    for (size_t n = 0; n < frames; n++)
        buf[n] = 0.3 * sin(2 * M_PI * 440.0 * (double)n / RATE) * (1.0 + sin(2 * M_PI * 3.0 * (double)n / RATE));
    struct intake_report rep;
    struct loudness_result lr;
    analyse(buf, frames, 1, RATE, &wav24, 4096, &rep, &lr);
    CHECK(isnan(rep.correlation));
    CHECK(!find(&rep, "dual-mono") && !find(&rep, "silent-channel"));
    /* 5.1 with an empty LFE: no silent-channel warning for it. */
    for (size_t n = frames; n-- > 0;)
        for (int c = 0; c < 6; c++)
            buf[6 * n + (size_t)c] = c == 3 ? 0.0 : buf[n] * (c == 1 ? 0.8 : 1.0);
    analyse(buf, frames, 6, RATE, &wav24, 4096, &rep, &lr);
    show("5.1", &rep);
    CHECK(!find(&rep, "silent-channel"));
    for (size_t n = 0; n < frames; n++)
        buf[6 * n + 4] = 0.0;
    analyse(buf, frames, 6, RATE, &wav24, 4096, &rep, &lr);
    CHECK(find(&rep, "silent-channel") && strstr(find(&rep, "silent-channel")->message, "Ls"));
    free(buf);
    CHECK(intake_new(RATE, 0) == NULL);
    intake_free(NULL);
}
