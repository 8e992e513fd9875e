/* SPDX-License-Identifier: MIT */
/* Tests of the console's background analysis: mix and processed loudness,
 * the cache beside the session, and what invalidates an entry. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "tests/harness.h"
#include "tui/analysis.h"
#include "audio/measure_cache.h"

#define RATE 44100

/* A stereo sine of `seconds` at `db` dBFS peak. */
static bool write_sine(const char *path, double seconds, double freq, double db)
{
    char err[512];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 24, err, sizeof err);
    if (!f)
        return false;
    long frames = lround(seconds * RATE);
    double amp = pow(10, db / 20), buf[2 * 1024];
    bool ok = true;
    for (long done = 0; ok && done < frames;) {
        int n = frames - done > 1024 ? 1024 : (int)(frames - done);
        for (int i = 0; i < n; i++)
            buf[2 * i] = buf[2 * i + 1] = amp * sin(2 * M_PI * freq * (double)(done + i) / RATE);
        ok = soundfile_write(f, buf, n);
        done += n;
    }
    return soundfile_close(f) && ok;
}

static const char *dir(void)
{
    static char d[4096];
    snprintf(d, sizeof d, "%s/analysis", harness_tmpdir());
    mkdir(d, 0777);
    return d;
}

static struct session *load(const char *text)
{
    char path[4200], err[1024];
    snprintf(path, sizeof path, "%s/a.lathe", dir());
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    if (s)
        mix_probe_session(s);
    return s;
}

/* Waits (up to 20 s) until every track is measured both ways. */
static bool settle(struct analysis *a)
{
    for (int i = 0; i < 2000; i++) {
        int done, total;
        analysis_progress(a, &done, &total);
        if (done == total)
            return true;
        usleep(10000);
    }
    return false;
}

static const char *album_text =
    "[album]\nrate = 44100\n\n"
    "[track]\nfile = one.wav\n\n"
    "[track]\nfile = two.wav\ngain = +3dB\n";

static void make_mixes(void)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/one.wav", dir());
    CHECK(write_sine(p, 4, 997, -20));
    snprintf(p, sizeof p, "%s/two.wav", dir());
    CHECK(write_sine(p, 4, 997, -12));
}

/* One run over a session: results of both tracks, and the counts. */
struct run {
    struct loudness_result mix[2], proc[2];
    int decoded, cached;
};

static bool run(const char *text, struct run *r)
{
    struct session *s = load(text);
    if (!s)
        return false;
    struct analysis *a = analysis_start(s);
    bool ok = a && settle(a);
    for (int i = 0; ok && i < 2; i++) {
        ok = analysis_get(a, s->tracks[i].file, &r->mix[i]) == 1 &&
             analysis_get_processed(a, i, &r->proc[i]) == 1;
    }
    if (a)
        analysis_counts(a, &r->decoded, &r->cached);
    analysis_free(a);
    session_free(s);
    return ok;
}

TEST(processed_loudness_follows_gain_and_the_cache_makes_a_reopen_free)
{
    make_mixes();
    char sess[4200], cache[4300];
    snprintf(sess, sizeof sess, "%s/a.lathe", dir());
    measure_cache_path(sess, cache, sizeof cache);
    unlink(cache);
    struct run first = { 0 }, second = { 0 };
    CHECK(run(album_text, &first));
    CHECK_EQ_INT(first.decoded, 4);         /* two mixes, two tracks as played */
    CHECK_EQ_INT(first.cached, 0);
    /* a -20 dBFS sine at 997 Hz in both channels reads -20 LUFS; two is 8 dB hotter */
    CHECK_NEAR(first.mix[0].integrated, -20.0, 0.1);
    CHECK_NEAR(first.mix[1].integrated - first.mix[0].integrated, 8.0, 0.3);
    /* processed: the same with no chain, plus track two's +3 dB gain */
    CHECK_NEAR(first.proc[0].integrated, first.mix[0].integrated, 0.05);
    CHECK_NEAR(first.proc[1].integrated, first.mix[1].integrated + 3, 0.05);
    CHECK_NEAR(first.proc[1].true_peak_max, first.mix[1].true_peak_max + 3, 0.1);
    struct stat st;
    CHECK_MSG(stat(cache, &st) == 0, "no cache file %s", cache);

    CHECK(run(album_text, &second));
    CHECK_EQ_INT(second.decoded, 0);
    CHECK_EQ_INT(second.cached, 4);
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(second.mix[i].integrated, first.mix[i].integrated, 1e-12);
        CHECK_NEAR(second.proc[i].integrated, first.proc[i].integrated, 1e-12);
        CHECK_NEAR(second.proc[i].true_peak_max, first.proc[i].true_peak_max, 1e-12);
        CHECK_EQ_INT(second.proc[i].channels, 2);
        CHECK_NEAR(second.proc[i].true_peak[1], first.proc[i].true_peak[1], 1e-12);
    }
}

TEST(a_changed_chain_or_mix_measures_only_its_track)
{
    make_mixes();
    struct run r = { 0 };
    CHECK(run(album_text, &r));             /* fills the cache */
    /* a chain on track one: its processed result only */
    static const char *chained =
        "[album]\nrate = 44100\n\n"
        "[track]\nfile = one.wav\neq = bell 1kHz -6dB q 1\n\n"
        "[track]\nfile = two.wav\ngain = +3dB\n";
    struct run c = { 0 };
    CHECK(run(chained, &c));
    CHECK_EQ_INT(c.decoded, 1);
    CHECK_EQ_INT(c.cached, 3);
    CHECK_MSG(c.proc[0].integrated < r.proc[0].integrated - 4, "the -6 dB bell at 1 kHz: %.2f -> %.2f",
              r.proc[0].integrated, c.proc[0].integrated);
    /* a rewritten mix two (new content, new time): its mix and its track */
    char p[4200];
    snprintf(p, sizeof p, "%s/two.wav", dir());
    CHECK(write_sine(p, 4, 997, -15));
    struct run m = { 0 };
    CHECK(run(chained, &m));
    CHECK_EQ_INT(m.decoded, 2);
    CHECK_EQ_INT(m.cached, 2);
    CHECK_NEAR(m.mix[1].integrated, r.mix[1].integrated - 3, 0.05);
    /* a title is not a setting that changes the sound */
    static const char *titled =
        "[album]\nrate = 44100\ntitle = Another\n\n"
        "[track]\nfile = one.wav\ntitle = First\neq = bell 1kHz -6dB q 1\n\n"
        "[track]\nfile = two.wav\ngain = +3dB\n";
    struct run t = { 0 };
    CHECK(run(titled, &t));
    CHECK_EQ_INT(t.decoded, 0);
}

TEST(an_edit_is_measured_again_after_the_debounce)
{
    make_mixes();
    struct session *s = load(album_text);
    CHECK(s != NULL);
    if (!s)
        return;
    struct analysis *a = analysis_start(s);
    CHECK(a && settle(a));
    if (!a) {
        session_free(s);
        return;
    }
    struct loudness_result before, after, mix;
    CHECK_EQ_INT(analysis_get_processed(a, 0, &before), 1);
    s->tracks[0].gain = -4.5;
    /* and the tracks swap: results follow their tracks */
    session_move_track(s, 0, 1);
    analysis_update(a, s);
    CHECK_EQ_INT(analysis_get_processed(a, 1, &after), 0);     /* not yet: debounced */
    CHECK_EQ_INT(analysis_get_processed(a, 0, &after), 1);     /* two did not change */
    CHECK(settle(a));
    CHECK_EQ_INT(analysis_get_processed(a, 1, &after), 1);
    CHECK_NEAR(after.integrated, before.integrated - 4.5, 0.05);
    CHECK_EQ_INT(analysis_get(a, "one.wav", &mix), 1);
    CHECK_NEAR(mix.integrated, before.integrated, 0.05);
    CHECK_EQ_INT(analysis_get_processed(a, 2, &after), -1);
    analysis_free(a);
    session_free(s);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(freeing_stops_a_measurement_under_way)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/long.wav", dir());
    CHECK(write_sine(p, 240, 997, -10));
    char sess[4200], cache[4300];
    snprintf(sess, sizeof sess, "%s/a.lathe", dir());
    measure_cache_path(sess, cache, sizeof cache);
    unlink(cache);
    struct session *s = load("[album]\nrate = 44100\n\n[track]\nfile = long.wav\n"
                             "multiband = xover 150Hz 2.5kHz threshold -20dB -18dB -22dB ratio 2\nlimit = ceiling -1dBTP\n");
    CHECK(s != NULL);
    if (!s)
        return;
    struct analysis *a = analysis_start(s);
    CHECK(a != NULL);
    usleep(200000);
    int done = 0, total = 0;
    if (a)
        analysis_progress(a, &done, &total);
    double t0 = seconds();
    analysis_free(a);
    double took = seconds() - t0;
    CHECK_EQ_INT(total, 1);
    CHECK_EQ_INT(done, 0);          /* four minutes through a multiband: still at it */
    CHECK_MSG(took < 0.5, "analysis_free took %.2f s", took);
    session_free(s);
}

