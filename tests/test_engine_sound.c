/* SPDX-License-Identifier: MIT */
/* Tests of what audio/engine plays and measures: a pre-roll that skips the
 * tracks before and settles to the exact sound, a crossfade longer than a
 * mix ring, and meters and the tap that match the frames played. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/engine.h"
#include "audio/soundfile.h"
#include "tests/engine_fixture.h"
#include "tests/harness.h"

TEST(meters_match_the_frames_played)
{
    struct session *s = album();
    char err[512];
    struct engine_options opt = { .output = "cd", .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e)
        return;
    struct fake f = { .frame_bytes = 4, .cap = 44100 * 16 };
    f.buf = calloc(1, f.cap);
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = &fake_ops, .dev = &f, .period = 1024, .buffer = 4096 };
    CHECK(engine_start(e, p, err, sizeof err));
    double peak = 0, peak_seen = 0;
    int64_t frames = 0;
    struct engine_status st;
    struct engine_meter m;
    do {
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        while (engine_meter_pop(e, &m)) {   /* the ring is read while it fills */
            frames += m.frames;
            peak_seen = m.peak[0] > peak_seen ? m.peak[0] : peak_seen;
        }
    } while (st.running);
    while (engine_meter_pop(e, &m)) {
        frames += m.frames;
        peak_seen = m.peak[0] > peak_seen ? m.peak[0] : peak_seen;
    }
    const int16_t *x = (const int16_t *)f.buf;
    for (size_t i = 0; i < f.used / 2; i += 2)
        peak = fabs(x[i] / 32768.0) > peak ? fabs(x[i] / 32768.0) : peak;
    CHECK(peak > 0.1);
    CHECK_NEAR(peak_seen, peak, 1e-6);
    CHECK(frames > 0 && frames <= (int64_t)(f.used / 4));
    engine_free(e);
    session_free(s);
    free(f.buf);
}

/* ---- starting with a pre-roll ---- */

/* Plays `opt` of `s` into a fresh fake device; false when the engine
 * failed. The frames in f->buf, f->used bytes. */
static bool play_into(const struct session *s, const struct engine_options *opt, int period,
                      struct fake *f)
{
    char err[512];
    struct engine *e = engine_new(s, opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e)
        return false;
    int64_t start, end;
    engine_span(e, &start, &end);
    f->frame_bytes = 2 * pcm_sample_bytes(engine_sample(e));
    f->cap = (size_t)(end - start) * (size_t)f->frame_bytes;
    f->buf = calloc(1, f->cap);
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = &fake_ops, .dev = f, .period = period, .buffer = period * 4 };
    struct engine_status st = { 0 };
    CHECK_MSG(engine_start(e, p, err, sizeof err), "%s", err);
    for (int waited = 0; waited < 20000; waited++) {
        engine_status(e, &st);
        if (!st.running)
            break;
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    snprintf(last_error, sizeof last_error, "%s", engine_error(e));
    engine_free(e);
    return !st.failed && !st.running;
}

/* The largest difference of two S32 plays over frames [from, to), in dBFS. */
static double error_db(const struct fake *a, const struct fake *b, size_t from, size_t to)
{
    const int32_t *x = (const int32_t *)a->buf, *y = (const int32_t *)b->buf;
    double worst = 0;
    for (size_t i = from * 2; i < to * 2 && i < a->used / 4 && i < b->used / 4; i++) {
        double d = fabs(((double)x[i] - (double)y[i]) / 2147483648.0);
        worst = d > worst ? d : worst;
    }
    return worst > 0 ? 20 * log10(worst) : -400;
}

static const char *preroll_session =
    "[album]\nrate = 48000\n"
    "[master]\ncomp = threshold -24dB ratio 4 attack 5ms release 150ms\nlimit = ceiling -1dBTP\n"
    "[track]\nfile = p1.wav\n"
    "[track]\nfile = p2.wav\ngap = 0.5s\n"
    "[track]\nfile = p3.wav\ngap = 2.5s\neq = bell 2kHz +2dB q 1\n";

TEST(a_preroll_skips_the_tracks_before_and_settles_to_the_exact_sound)
{
    write_tone_at("p1.wav", 48000, 1.0, 300, 0.5);
    write_tone_at("p2.wav", 48000, 1.0, 500, 0.5);
    write_tone_at("p3.wav", 44100, 6.0, 220, 0.7);
    struct session *s = load_text("p.lathe", preroll_session);
    if (!s)
        return;
    char err[512];
    struct engine_options t3 = { .track = 3, .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &t3, err, sizeof err);
    int64_t start, end;
    engine_span(e, &start, &end);
    engine_free(e);
    double index1 = (double)start / 48000;
    /* exact plays: from track 3, and from 2 s into it (the chains working) */
    struct engine_options mid = { .from = index1 + 2.0, .to = index1 + 4.0 };
    struct fake exact3 = { 0 }, exact_mid = { 0 };
    CHECK_MSG(play_into(s, &t3, 512, &exact3), "%s", last_error);
    CHECK_MSG(play_into(s, &mid, 512, &exact_mid), "%s", last_error);

    /* tracks 1 and 2 gone: a pre-rolled start never opens them */
    char a[512], b[512];
    for (int i = 1; i <= 2; i++) {
        snprintf(a, sizeof a, "%s/p%d.wav", harness_tmpdir(), i);
        snprintf(b, sizeof b, "%s/p%d.gone", harness_tmpdir(), i);
        CHECK(rename(a, b) == 0);
    }
    struct engine_options t3p = t3, midp = mid;
    t3p.preroll = 2.0;
    struct fake pre3 = { 0 }, again = { 0 };
    CHECK_MSG(play_into(s, &t3p, 512, &pre3), "%s", last_error);
    /* mid-track the chains start cold: how far off the first 50 ms are after
     * pre-rolls of 10 ms to 2 s */
    static const double prerolls[] = { 0.01, 0.1, 0.5, 1.0, 2.0 };
    double err_db[5];
    printf("  pre-roll mid-track, error of the first 50 ms:");
    for (int k = 0; k < 5; k++) {
        struct fake pre_mid = { 0 };
        midp.preroll = prerolls[k];
        CHECK_MSG(play_into(s, &midp, 512, &pre_mid), "%s", last_error);
        CHECK_EQ_INT(pre_mid.used, exact_mid.used);
        err_db[k] = error_db(&pre_mid, &exact_mid, 0, 2400);
        if (err_db[k] > -400)
            printf(" %g s %.1f dBFS%s", prerolls[k], err_db[k], k < 4 ? "," : "\n");
        else
            printf(" %g s the same bits%s", prerolls[k], k < 4 ? "," : "\n");
        free(pre_mid.buf);
    }
    CHECK_MSG(!play_into(s, &t3, 512, &again), "an exact start reads the album from its start");
    CHECK_MSG(strstr(last_error, "p1.wav"), "%s", last_error);
    for (int i = 1; i <= 2; i++) {
        snprintf(a, sizeof a, "%s/p%d.wav", harness_tmpdir(), i);
        snprintf(b, sizeof b, "%s/p%d.gone", harness_tmpdir(), i);
        rename(b, a);
    }

    CHECK_EQ_INT(pre3.used, exact3.used);
    double e3 = error_db(&pre3, &exact3, 0, exact3.used / 8);
    printf("  pre-roll of 2 s before track 3 (in its gap): error %.1f dBFS\n", e3);
    CHECK(e3 < -90);
    CHECK(err_db[0] > -60);     /* 10 ms is not enough: the chains are still cold */
    CHECK(err_db[3] < -90);     /* after a second the comp and limiter have settled */
    CHECK(err_db[4] < -90);
    free(exact3.buf);
    free(exact_mid.buf);
    free(pre3.buf);
    free(again.buf);
    session_free(s);
}

/* ---- meters and the tap ---- */

static void write_mono(const char *name, double seconds, double freq, double amp)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, 48000, 1, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    double buf[1000];
    long frames = (long)(seconds * 48000);
    for (long k = 0; k < frames;) {
        int n = frames - k > 1000 ? 1000 : (int)(frames - k);
        for (int i = 0; i < n; i++)
            buf[i] = amp * sin(2 * M_PI * freq * (double)(k + i) / 48000);
        soundfile_write(f, buf, n);
        k += n;
    }
    soundfile_close(f);
}

TEST(meters_give_levels_correlation_and_gain_reduction_and_the_tap_the_frames_played)
{
    write_mono("mono.wav", 1.5, 997, 0.5);
    struct session *s = load_text("m.lathe",
        "[album]\nrate = 48000\n"
        "[master]\ncomp = threshold -24dB ratio 4 attack 5ms release 100ms\nlimit = ceiling -12dBTP\n"
        "[track]\nfile = mono.wav\n");
    if (!s)
        return;
    char err[512];
    struct engine_options opt = { .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e)
        return;
    int64_t start, end;
    engine_span(e, &start, &end);
    struct fake f = { .frame_bytes = 8, .cap = (size_t)(end - start) * 8, .pace_us = 1000 };
    f.buf = calloc(1, f.cap);
    float *tapped = calloc((size_t)(end - start) * 2, sizeof *tapped);
    long ntap = 0;
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = &fake_ops, .dev = &f, .period = 512, .buffer = 2048 };
    CHECK(engine_start(e, p, err, sizeof err));
    double peak = 0, true_peak = 0, comp = 0, limit = 0, sumsq = 0, corr_min = 1;
    int64_t frames = 0, next = start;
    struct engine_status st;
    struct engine_meter m;
    bool in_order = true;
    do {
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        while (engine_meter_pop(e, &m)) {
            in_order = in_order && m.position == next;
            next = m.position + m.frames;
            frames += m.frames;
            peak = fmax(peak, m.peak[0]);
            true_peak = fmax(true_peak, m.true_peak[0]);
            sumsq += (double)m.rms[0] * m.rms[0] * m.frames;
            comp = fmax(comp, m.gr_comp);
            limit = fmax(limit, m.gr_limit);
            if (m.rms[0] > 0.01)
                corr_min = fmin(corr_min, m.correlation);
        }
        long got;
        while ((got = engine_tap_read(e, tapped + ntap * 2, end - start - ntap)) > 0)
            ntap += got;
    } while (st.running);
    long got;
    while ((got = engine_tap_read(e, tapped + ntap * 2, end - start - ntap)) > 0)
        ntap += got;
    CHECK(!st.failed);
    size_t n = f.used / 8;
    const int32_t *x = (const int32_t *)f.buf;
    double out_peak = 0, out_sumsq = 0;
    bool tap_same = (size_t)ntap == n;
    for (size_t i = 0; i < n; i++) {
        double v = x[2 * i] / 2147483648.0;
        out_peak = fmax(out_peak, fabs(v));
        out_sumsq += v * v;
        tap_same = tap_same && tapped[2 * i] == (float)v && tapped[2 * i + 1] == (float)(x[2 * i + 1] / 2147483648.0);
    }
    printf("  meters: peak %.4f true peak %.4f (output peak %.4f), rms %.4f (output %.4f), "
           "gr comp %.1f dB limit %.1f dB, correlation >= %.4f; tap %ld of %zu frames\n",
           peak, true_peak, out_peak, sqrt(sumsq / (double)frames), sqrt(out_sumsq / (double)n),
           comp, limit, corr_min, ntap, n);
    CHECK(in_order);
    CHECK_EQ_INT(frames, (int64_t)n);
    CHECK_NEAR(peak, out_peak, 1e-6);
    CHECK(true_peak >= peak && true_peak < peak * 1.2);
    CHECK_NEAR(sqrt(sumsq / (double)frames), sqrt(out_sumsq / (double)n), 1e-5);
    CHECK(comp > 3);            /* -6 dBFS into a -24 dB threshold at 4:1 */
    CHECK(limit > 0.5);
    CHECK(corr_min > 0.999);    /* a mono mix: both channels the same */
    CHECK(tap_same);
    free(f.buf);
    free(tapped);
    engine_free(e);
    session_free(s);
}

TEST(a_crossfade_longer_than_a_mix_ring_plays_through)
{
    /* 2.5 s of overlap against rings of about 1 s: both mixes must be read
     * ahead side by side, or the audio thread would wait for ever */
    write_tone_at("x1.wav", 48000, 3.0, 300, 0.3);
    write_tone_at("x2.wav", 44100, 3.0, 450, 0.3);
    struct session *s = load_text("x.lathe",
        "[album]\nrate = 48000\n[track]\nfile = x1.wav\n[track]\nfile = x2.wav\ncrossfade = 2.5s\n");
    if (!s)
        return;
    struct engine_options opt = { .from = -1, .to = -1 };
    struct fake f = { 0 };
    CHECK_MSG(play_into(s, &opt, 1024, &f), "%s", last_error);
    CHECK_EQ_INT(f.used, f.cap);
    /* the middle of the overlap (album 2.5 to 5 s) is not silent */
    size_t mid = (size_t)(48000 * 3.75);
    CHECK(rms_left(&f, mid, mid + 4800) > 0.03);
    free(f.buf);
    session_free(s);
}
