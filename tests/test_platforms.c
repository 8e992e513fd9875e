/* SPDX-License-Identifier: MIT */
/* Platform preview: the rules against hand-worked cases, and the preview of
 * an album of tones whose loudness and true peak are known in advance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/mixprobe.h"
#include "audio/platforms.h"
#include "audio/soundfile.h"
#include "session/timeline.h"
#include "tests/harness.h"

#define RATE 48000
#define SECONDS 8

TEST(rules_by_hand)
{
    const struct platform *sp = platform_of(PLATFORM_SPOTIFY), *ap = platform_of(PLATFORM_APPLE),
                          *yt = platform_of(PLATFORM_YOUTUBE), *am = platform_of(PLATFORM_AMAZON),
                          *td = platform_of(PLATFORM_TIDAL);
    /* loud master: everyone turns it down in full */
    CHECK_NEAR(platform_gain(sp, -8, -0.5), -6, 1e-9);
    CHECK_NEAR(platform_gain(ap, -8, -0.5), -8, 1e-9);
    CHECK_NEAR(platform_gain(yt, -8, -0.5), -6, 1e-9);
    CHECK_NEAR(platform_gain(am, -8, -0.5), -6, 1e-9);
    CHECK_NEAR(platform_gain(td, -8, -0.5), -6, 1e-9);
    /* quiet master with headroom: raised to the target */
    CHECK_NEAR(platform_gain(sp, -18, -10), 4, 1e-9);
    CHECK_NEAR(platform_gain(ap, -18, -10), 2, 1e-9);
    CHECK_NEAR(platform_gain(yt, -18, -10), 0, 1e-9);
    /* quiet but peaky: the raise stops at -1 dBTP (Amazon: -2) */
    CHECK_NEAR(platform_gain(sp, -18, -3), 2, 1e-9);
    CHECK_NEAR(platform_gain(ap, -18, -3), 2, 1e-9);
    CHECK_NEAR(platform_gain(am, -18, -3), 1, 1e-9);
    /* already past the limit: no raise, never a cut of a quiet master */
    CHECK_NEAR(platform_gain(sp, -18, -0.2), 0, 1e-9);
    CHECK_NEAR(platform_gain(am, -18, -1.5), 0, 1e-9);
    /* silence */
    CHECK_NEAR(platform_gain(sp, -HUGE_VAL, -HUGE_VAL), 0, 1e-9);
}

/* A 1 kHz stereo tone at `db` dBFS; with `burst_db`, 5 ms bursts at that
 * level (whole cycles, in phase) every second from 1 s to SECONDS-2 s. */
static void tone(const char *path, double db, double burst_db)
{
    int n = RATE * SECONDS;
    double *buf = malloc(sizeof(double) * 2 * (size_t)n);
    double a = pow(10, db / 20), b = pow(10, burst_db / 20);
    for (int i = 0; i < n; i++) {
        int in_sec = i % RATE;
        bool burst = burst_db > -200 && i >= RATE && i < (SECONDS - 2) * RATE && in_sec < RATE / 200;
        double v = (burst ? b : a) * sin(2 * M_PI * 1000.0 * i / RATE);
        buf[2 * i] = buf[2 * i + 1] = v;
    }
    char err[256];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 32, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (f) {
        CHECK(soundfile_write(f, buf, n));
        CHECK(soundfile_close(f));
    }
    free(buf);
}

/* BS.1770 gating blocks of 400 ms every 100 ms over one track of the tone
 * with bursts: the mean power of the blocks (all above both gates). */
static double burst_loudness(double db, double burst_db)
{
    double p0 = pow(10, db / 10), pb = pow(10, burst_db / 10);
    int blocks = (SECONDS * 1000 - 400) / 100 + 1;
    int bursts = SECONDS - 3;          /* at 1 s .. SECONDS-3 s */
    /* each burst lies wholly inside 4 blocks */
    double sum = blocks * p0 + bursts * 4 * (5.0 / 400.0) * (pb - p0);
    return 10 * log10(sum / blocks);
}

TEST(preview_of_known_tones)
{
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/quiet.wav", harness_tmpdir());
    snprintf(b, sizeof b, "%s/peaky.wav", harness_tmpdir());
    snprintf(c, sizeof c, "%s/loud.wav", harness_tmpdir());
    tone(a, -20, -300);
    tone(b, -20, -2);
    tone(c, -6, -300);
    struct session *s = session_new();
    char path[512];
    snprintf(path, sizeof path, "%s/p.lathe", harness_tmpdir());
    str_set(&s->path, path);
    const char *files[] = { "quiet.wav", "peaky.wav", "loud.wav" };
    for (int i = 0; i < 3; i++) {
        struct track *t = session_insert_track(s, i);
        str_set(&t->file, files[i]);
        t->has_gap = true;          /* no gaps: each track's span is its tone */
    }
    s->album.rate = RATE;
    mix_probe_session(s);
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    struct platform_preview pv;
    char err[512];
    bool ok = platforms_measure(s, &tl, &pv, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    if (!ok) {
        timeline_free(&tl);
        session_free(s);
        return;
    }
    double peaky_i = burst_loudness(-20, -2);
    CHECK_NEAR(pv.tracks[0].integrated, -20, 0.1);
    CHECK_NEAR(pv.tracks[1].integrated, peaky_i, 0.1);
    CHECK_NEAR(pv.tracks[1].true_peak_max, -2, 0.1);
    CHECK_NEAR(pv.tracks[2].integrated, -6, 0.1);
    /* theory: [track][platform] from the tones' levels alone */
    double expect[3][PLATFORM_COUNT] = {
        /* Spotify, Apple, YouTube, Tidal (album: below), Amazon */
        { 6, 4, 0, 0, 6 },
        { 1, 1, 0, 0, 0 },          /* raises stop at -1 dBTP (Amazon -2) */
        { -8, -10, -8, 0, -8 },
    };
    for (int i = 0; i < 3; i++)
        for (int p = 0; p < PLATFORM_COUNT; p++) {
            if (p == PLATFORM_TIDAL)
                continue;
            CHECK_MSG(fabs(pv.rows[i][p].gain - expect[i][p]) <= 0.1,
                      "track %d %s: gain %.3f dB, expected %.1f", i + 1, platform_of(p)->name,
                      pv.rows[i][p].gain, expect[i][p]);
            CHECK_NEAR(pv.rows[i][p].loudness, pv.tracks[i].integrated + pv.rows[i][p].gain, 1e-9);
        }
    /* Tidal: one gain for every track, from the album's loudness: every
     * block passes the gates, so that is the mean power of the three */
    double album_i = 10 * log10((pow(10, -2.0) + pow(10, peaky_i / 10) + pow(10, -0.6)) / 3);
    double tidal = pv.rows[3][PLATFORM_TIDAL].gain;
    CHECK_NEAR(pv.album.integrated, album_i, 0.1);
    CHECK_NEAR(tidal, -14 - album_i, 0.1);
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(pv.rows[i][PLATFORM_TIDAL].gain, tidal, 1e-9);
    /* the album row of a track platform applies its rule to the album */
    CHECK_NEAR(pv.rows[3][PLATFORM_YOUTUBE].gain, -14 - pv.album.integrated, 1e-9);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    platforms_write(f, s, &pv);
    fclose(f);
    CHECK(strstr(text, "Spotify") && strstr(text, "Amazon Music") && strstr(text, "album"));
    CHECK(strstr(text, "+6.0") != NULL);
    free(text);
    platforms_free(&pv);
    timeline_free(&tl);
    session_free(s);
}
