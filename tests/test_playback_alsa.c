/* SPDX-License-Identifier: MIT */
/* The console's playback adapter: its meter arithmetic (dB, peak hold,
 * clip markers), and its transport run to ALSA's null PCM on a short
 * album made here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "dsp/octave.h"
#include "session/sessfile.h"
#include "tests/harness.h"
#include "tui/playback_alsa.h"

#define RATE 48000
/* marks sit on CD frames: 1/75 s */
#define CD_FRAME (RATE / 75)

TEST(db_of_linear_levels)
{
    CHECK_NEAR(playback_db(1.0), 0.0, 1e-12);
    CHECK_NEAR(playback_db(0.5), -6.0206, 1e-4);
    CHECK_NEAR(playback_db(0.1), -20.0, 1e-9);
    CHECK_NEAR(playback_db(2.0), 6.0206, 1e-4);
    CHECK(isinf(playback_db(0)) && playback_db(0) < 0);
}

TEST(hold_rises_at_once_and_falls_after_its_time)
{
    struct playback_hold h;
    playback_hold_reset(&h);
    CHECK(isinf(h.level) && !h.clip);
    playback_hold_update(&h, -20, -19.5, 10.0);
    CHECK_NEAR(h.level, -20, 0);
    playback_hold_update(&h, -6, -5.5, 10.1);      /* louder: at once */
    CHECK_NEAR(h.level, -6, 0);
    playback_hold_update(&h, -30, -29, 10.1 + PLAYBACK_HOLD_SECONDS * 0.9);
    CHECK_NEAR(h.level, -6, 0);                     /* still held */
    playback_hold_update(&h, -30, -29, 10.1 + PLAYBACK_HOLD_SECONDS + 0.01);
    CHECK_NEAR(h.level, -30, 0);                    /* let go: the level now */
    playback_hold_update(&h, -HUGE_VAL, -HUGE_VAL, 20);
    playback_hold_update(&h, -HUGE_VAL, -HUGE_VAL, 23);
    CHECK(isinf(h.level));
    CHECK(!h.clip);
}

TEST(clip_marker_on_full_scale_or_true_peak_over)
{
    struct playback_hold h;
    playback_hold_reset(&h);
    playback_hold_update(&h, -0.1, -0.05, 1.0);
    CHECK(!h.clip);                                 /* close, not clipped */
    playback_hold_update(&h, playback_db(32767.0 / 32768.0), -0.0002, 2.0);
    CHECK(h.clip);                                  /* the largest 16-bit code */
    playback_hold_update(&h, -12, -12, 2.0 + PLAYBACK_HOLD_SECONDS * 0.5);
    CHECK(h.clip);                                  /* stays up a while */
    playback_hold_update(&h, -12, -12, 2.0 + PLAYBACK_HOLD_SECONDS + 0.01);
    CHECK(!h.clip);
    playback_hold_update(&h, -1.0, 0.3, 10.0);      /* an intersample over */
    CHECK(h.clip);
}

TEST(no_device_gives_a_note)
{
    char note[512] = "";
    struct playback *p = playback_alsa_new("lathe_no_such_pcm", note, sizeof note);
    CHECK(p == NULL);
    CHECK_MSG(strstr(note, "\"lathe_no_such_pcm\"") != NULL, "note: %s", note);
}

/* ---- the transport, on the null PCM ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* A tone of `seconds` at -6 dBFS peak. */
static void tone(const char *path, double seconds, double hz)
{
    char err[256];
    long n = (long)(seconds * RATE);
    double *x = malloc(sizeof(double) * 2 * (size_t)n);
    for (long i = 0; i < n; i++)
        x[2 * i] = x[2 * i + 1] = 0.5 * sin(2 * M_PI * hz * (double)i / RATE);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (f) {
        soundfile_write(f, x, n);
        soundfile_close(f);
    }
    free(x);
}

/* Three tracks of 1, 3 and 1 s, with gaps of 0.5 s (track 1's too). */
static struct session *short_album(void)
{
    const char *dir = harness_tmpdir();
    char path[1024], err[1024];
    const char *names[3] = { "a.wav", "b.wav", "c.wav" };
    double lengths[3] = { 1, 3, 1 };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        tone(path, lengths[i], 440 * (i + 1));
    }
    snprintf(path, sizeof path, "%s/short.lathe", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "[lathe]\nversion = 1\n\n[album]\nrate = %d\n", RATE);
    for (int i = 0; i < 3; i++)
        fprintf(f, "\n[track]\nfile = %s\ngap = 0.5s\n", names[i]);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

static struct playback *null_playback(void)
{
    char note[512];
    struct playback *p = playback_alsa_new("null", note, sizeof note);
    CHECK_MSG(p != NULL, "null PCM: %s", note);
    return p;
}

/* Polls until the state is `want` or `ms` have passed; the last status. */
static bool poll_until(struct playback *p, enum playback_state want, int ms,
                       struct playback_status *st, struct playback_meters *m,
                       double *loudest)
{
    for (int t = 0; t < ms; t += 5) {
        if (p->ops->poll(p->self, st, m)) {
            if (loudest && m->peak[0] > *loudest)
                *loudest = m->peak[0];
            if (st->state == want)
                return true;
        }
        sleep_ms(5);
    }
    return false;
}

TEST(plays_the_album_to_its_end)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    struct playback_status st;
    struct playback_meters m;
    char msg[512] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_MSG(p->ops->play(p->self, s, 0, msg, sizeof msg), "%s", msg);
    CHECK(poll_until(p, PLAYBACK_PLAYING, 2000, &st, &m, NULL));
    CHECK_EQ_INT(st.rate, RATE);
    CHECK(poll_until(p, PLAYBACK_STOPPED, 20000, &st, &m, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* the null PCM is paced as a card: the 6 s from track 1 never take less
     * (only the lower bound: a busy machine may take longer) */
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    CHECK_MSG(took >= 6.0 * 0.95, "the album played in %.2f s", took);
    CHECK_EQ_INT(st.track, 0);
    CHECK_EQ_INT(st.position, 0);               /* back at the start */
    CHECK_NEAR(st.length, RATE, CD_FRAME);
    CHECK(isinf(m.peak[0]));                    /* quiet when stopped */
    p->ops->free(p->self);
    session_free(s);
}

TEST(paused_transport_moves_without_playing)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    struct playback_status st;
    struct playback_meters m;
    char msg[512] = "";
    CHECK_MSG(p->ops->play(p->self, s, 1, msg, sizeof msg), "%s", msg);
    p->ops->pause(p->self);
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    int64_t at = st.position;
    CHECK_EQ_INT(st.track, 1);
    CHECK_NEAR(st.length, 3 * RATE, CD_FRAME);
    CHECK(at >= 0 && at < 3 * RATE);
    sleep_ms(50);
    CHECK(!p->ops->poll(p->self, &st, &m) || st.position == at);   /* stands */
    p->ops->next(p->self);
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_EQ_INT(st.track, 2);
    CHECK_EQ_INT(st.position, 0);
    p->ops->next(p->self);                      /* no track after the last */
    poll_until(p, PLAYBACK_PAUSED, 100, &st, &m, NULL);
    CHECK_EQ_INT(st.track, 2);
    p->ops->prev(p->self);                      /* at its start: the one before */
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_EQ_INT(st.track, 1);
    CHECK_EQ_INT(st.position, 0);
    p->ops->seek(p->self, 0.75);
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_NEAR((double)st.position / RATE, 0.75, 1e-3);
    p->ops->seek(p->self, 1.75);
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_NEAR((double)st.position / RATE, 2.5, 1e-3);
    p->ops->prev(p->self);                      /* further in than 2 s: its start */
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_EQ_INT(st.track, 1);
    CHECK_EQ_INT(st.position, 0);
    p->ops->seek(p->self, -10);                 /* into track 1's pregap, the album start */
    CHECK(poll_until(p, PLAYBACK_PAUSED, 1000, &st, &m, NULL));
    CHECK_EQ_INT(st.track, 0);
    CHECK_NEAR(st.position, -RATE / 2, CD_FRAME);
    p->ops->stop(p->self);
    CHECK(poll_until(p, PLAYBACK_STOPPED, 1000, &st, &m, NULL));
    p->ops->free(p->self);
    session_free(s);
}

TEST(loop_keeps_playing_the_track)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    struct playback_status st;
    struct playback_meters m;
    char msg[512] = "";
    p->ops->loop(p->self, true);
    CHECK_MSG(p->ops->play(p->self, s, 2, msg, sizeof msg), "%s", msg);
    /* the null PCM plays a 1 s track in a few ms: it must come round */
    bool left = false, playing = true;
    double peak = -HUGE_VAL, true_peak = -HUGE_VAL, hold = -HUGE_VAL, shortterm = -HUGE_VAL;
    double spectrum[PLAYBACK_SPECTRUM_BANDS];
    for (int i = 0; i < PLAYBACK_SPECTRUM_BANDS; i++)
        spectrum[i] = -HUGE_VAL;
    for (int t = 0; t < 1500; t += 5) {
        if (p->ops->poll(p->self, &st, &m)) {
            left |= st.track != 2;
            playing &= st.state == PLAYBACK_PLAYING;
            peak = fmax(peak, m.peak[1]);
            true_peak = fmax(true_peak, m.true_peak[1]);
            hold = fmax(hold, m.hold[1]);
            shortterm = fmax(shortterm, m.momentary);
            for (int i = 0; i < PLAYBACK_SPECTRUM_BANDS; i++)
                spectrum[i] = fmax(spectrum[i], m.spectrum[i]);
        }
        sleep_ms(5);
    }
    CHECK(playing);
    CHECK(!left);
    CHECK(st.loop);
    /* track 3 is a 1320 Hz tone at -6 dBFS, monitored at 24 bits with dither */
    CHECK_NEAR(peak, -6.02, 0.05);
    CHECK(true_peak >= peak - 0.01 && true_peak < peak + 0.1);
    CHECK_NEAR(hold, peak, 0.05);
    /* a sine of peak -6 dBFS in both channels: about -6.0 LUFS momentary
     * (-3 dB RMS, +3 dB for two channels, K-weighting's +0.5 dB near 1 kHz,
     * 0.691 off) */
    CHECK_MSG(shortterm > -8 && shortterm < -4, "momentary %.2f", shortterm);
    /* its band (1250 Hz) is the loudest by far */
    int band = 0, loudest = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        if (fabs(log(octave_band_centre(i) / 1320)) < fabs(log(octave_band_centre(band) / 1320)))
            band = i;
    for (int i = 1; i < PLAYBACK_SPECTRUM_BANDS; i++)
        if (spectrum[i] > spectrum[loudest])
            loudest = i;
    CHECK_EQ_STR(octave_band_label(band), "1.25k");
    CHECK_EQ_INT(loudest, band);
    CHECK_MSG(spectrum[band] > -12 && spectrum[band] < 0, "1250 Hz band %.2f dB", spectrum[band]);
    CHECK(spectrum[band - 8] < spectrum[band] - 30);
    p->ops->loop(p->self, false);
    CHECK(poll_until(p, PLAYBACK_STOPPED, 5000, &st, &m, NULL));
    CHECK(!st.loop);
    p->ops->free(p->self);
    session_free(s);
}

TEST(audition_plays_only_around_the_transitions)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    struct playback_status st;
    struct playback_meters m;
    char msg[512] = "";
    CHECK_MSG(p->ops->audition(p->self, s, 0, 0.25, msg, sizeof msg), "%s", msg);
    /* every position seen lies in the last 0.25 s of a track, its gap, or
     * the first 0.25 s of the next (a period of slack for the device) */
    double slack = 0.25 + 2048.0 / RATE;
    int bad = 0, seen = 0;
    for (int t = 0; t < 10000; t += 2) {
        if (p->ops->poll(p->self, &st, &m)) {
            if (st.state == PLAYBACK_STOPPED)
                break;
            double at = (double)st.position / RATE, len = (double)st.length / RATE;
            bool ok = at <= slack || at >= len - slack;
            CHECK_MSG(ok, "track %d at %.3f s of %.3f", st.track, at, len);
            bad += !ok;
            seen++;
        }
        sleep_ms(2);
    }
    CHECK_EQ_INT(st.state, PLAYBACK_STOPPED);
    CHECK(seen > 0);
    CHECK_EQ_INT(bad, 0);
    p->ops->free(p->self);
    session_free(s);
}

TEST(a_mix_lost_while_playing_is_told)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    char path[1024], msg[512] = "";
    snprintf(path, sizeof path, "%s/c.wav", harness_tmpdir());
    remove(path);       /* probed, then gone */
    struct playback_status st;
    struct playback_meters m;
    char said[512] = "";
    if (!p->ops->play(p->self, s, 0, msg, sizeof msg)) {
        snprintf(said, sizeof said, "%s", msg);
    } else {
        for (int t = 0; t < 10000 && !said[0]; t += 5) {
            if (p->ops->poll(p->self, &st, &m) && st.error[0])
                snprintf(said, sizeof said, "%s", st.error);
            sleep_ms(5);
        }
        CHECK_EQ_INT(st.state, PLAYBACK_STOPPED);
        CHECK(!p->ops->poll(p->self, &st, &m) || !st.error[0]);    /* told once */
    }
    CHECK_MSG(strstr(said, "c.wav") != NULL, "said: \"%s\"", said);
    p->ops->free(p->self);
    session_free(s);
}

TEST(loop_set_while_paused_holds_on_resume)
{
    struct session *s = short_album();
    struct playback *p = s ? null_playback() : NULL;
    if (!p) {
        session_free(s);
        return;
    }
    struct playback_status st;
    struct playback_meters m;
    char msg[512] = "";
    CHECK_MSG(p->ops->play(p->self, s, 0, msg, sizeof msg), "%s", msg);
    p->ops->pause(p->self);
    p->ops->loop(p->self, true);
    p->ops->pause(p->self);             /* resume, looping track 1 */
    bool left = false, stopped = false;
    for (int t = 0; t < 800; t += 5) {
        if (p->ops->poll(p->self, &st, &m)) {
            left |= st.track != 0;
            stopped |= st.state == PLAYBACK_STOPPED;
        }
        sleep_ms(5);
    }
    CHECK(!left);
    CHECK(!stopped);
    CHECK(st.loop);
    p->ops->free(p->self);
    session_free(s);
}

/* ---- A/B, bypass and platforms, recorded through the file PCM ---- */

#include "audio/platforms.h"
#include "dsp/loudness.h"
#include "tui/analysis.h"

/* A tone of `seconds` at `amp` peak. */
static void tone_at(const char *path, double seconds, double hz, double amp)
{
    char err[256];
    long n = (long)(seconds * RATE);
    double *x = malloc(sizeof(double) * 2 * (size_t)n);
    for (long i = 0; i < n; i++)
        x[2 * i] = x[2 * i + 1] = amp * sin(2 * M_PI * hz * (double)i / RATE);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (f) {
        soundfile_write(f, x, n);
        soundfile_close(f);
    }
    free(x);
}

/* One track whose master chain adds 4 dB at its tone, and a much quieter
 * reference of another length. */
static struct session *ab_session(void)
{
    const char *dir = harness_tmpdir();
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/m.wav", dir);
    tone_at(path, 3, 440, 0.5);
    snprintf(path, sizeof path, "%s/r.wav", dir);
    tone_at(path, 4, 1000, 0.1);
    snprintf(path, sizeof path, "%s/ab.lathe", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "[lathe]\nversion = 1\n\n[album]\nrate = %d\n\n[master]\n"
               "eq = bell 440Hz +4dB q 1\n\n[track]\nfile = m.wav\n\n"
               "[reference]\nfile = r.wav\nname = quiet one\n", RATE);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

/* The integrated loudness of what the file PCM recorded (24-bit values in
 * 32-bit words, stereo, as 24-bit mixes play). */
static double recorded_loudness(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "no recording %s", path);
    if (!f)
        return NAN;
    struct loudness *m = loudness_new(RATE, 2);
    int32_t in[2048];
    double x[2048];
    size_t n, total = 0;
    while ((n = fread(in, sizeof in[0], 2048, f)) > 0) {
        for (size_t i = 0; i < n; i++)
            x[i] = in[i] / 2147483648.0;
        loudness_add(m, x, n / 2);
        total += n / 2;
    }
    fclose(f);
    struct loudness_result r;
    bool ok = loudness_finish(m, &r);
    loudness_free(m);
    CHECK_MSG(ok && total > RATE, "%zu frames recorded", total);
    return ok ? r.integrated : NAN;
}

/* Waits for the background analysis of the master track and the
 * reference. */
static bool analysed(struct analysis *a, const char *ref, struct loudness_result *proc,
                     struct loudness_result *mix, struct loudness_result *refr)
{
    for (int t = 0; t < 20000; t += 10) {
        if (analysis_get_processed(a, 0, proc) == 1 && analysis_get(a, "m.wav", mix) == 1 &&
            analysis_get(a, ref, refr) == 1)
            return true;
        sleep_ms(10);
    }
    return false;
}

/* Plays until stopped and measures the recording. */
static double played_loudness(struct playback *p, const char *raw)
{
    struct playback_status st;
    struct playback_meters m;
    CHECK(poll_until(p, PLAYBACK_STOPPED, 20000, &st, &m, NULL));
    return recorded_loudness(raw);
}

TEST(ab_bypass_and_platform_are_loudness_matched_as_played)
{
    struct session *s = ab_session();
    struct analysis *a = s ? analysis_start(s) : NULL;
    struct loudness_result proc, mix, ref;
    CHECK(a != NULL);
    if (!a || !analysed(a, "r.wav", &proc, &mix, &ref)) {
        CHECK_MSG(false, "not analysed");
        analysis_free(a);
        session_free(s);
        return;
    }
    CHECK(analysis_get(a, "no such.wav", &ref) == -1);
    CHECK(analysis_get(a, "r.wav", &ref) == 1);
    char raw[1024], dev[1100], note[512], msg[512] = "";
    snprintf(raw, sizeof raw, "%s/ab.raw", harness_tmpdir());
    snprintf(dev, sizeof dev, "file:'%s',raw", raw);
    struct playback *p = playback_alsa_new(dev, note, sizeof note);
    CHECK_MSG(p != NULL, "%s", note);
    if (!p) {
        analysis_free(a);
        session_free(s);
        return;
    }
    /* the master, processed: its chain made it louder than the mix */
    CHECK_MSG(p->ops->play(p->self, s, 0, msg, sizeof msg), "%s", msg);
    double master = played_loudness(p, raw);
    CHECK_NEAR(master, proc.integrated, 0.2);
    CHECK_MSG(proc.integrated - mix.integrated > 3, "processed %.2f, mix %.2f", proc.integrated,
              mix.integrated);

    /* A/B: the reference, matched to the track, as the console does */
    double db = proc.integrated - ref.integrated;
    CHECK_MSG(db > 10, "the reference is %.2f LUFS", ref.integrated);
    CHECK_MSG(p->ops->reference(p->self, s, 0, db, msg, sizeof msg), "%s", msg);
    struct playback_status st;
    struct playback_meters m;
    CHECK(poll_until(p, PLAYBACK_PLAYING, 2000, &st, &m, NULL));
    CHECK_EQ_STR(st.reference, "quiet one");
    CHECK_NEAR(st.length, 4 * RATE, CD_FRAME);      /* the reference's length */
    double reference = played_loudness(p, raw);
    CHECK_MSG(fabs(reference - master) <= 0.2, "master %.2f LUFS, reference %.2f LUFS as played",
              master, reference);
    printf("    master %.2f, reference matched %+.2f dB: %.2f LUFS as played\n", master, db,
           reference);

    /* back to the master, at the same relative position: half way */
    CHECK(p->ops->reference(p->self, s, 0, db, msg, sizeof msg));
    poll_until(p, PLAYBACK_PLAYING, 2000, &st, &m, NULL);
    p->ops->pause(p->self);
    p->ops->seek(p->self, 2.0 - (double)st.position / RATE);   /* 2 s of 4 */
    CHECK(p->ops->reference(p->self, s, -1, 0, msg, sizeof msg));
    CHECK(poll_until(p, PLAYBACK_PLAYING, 2000, &st, &m, NULL));
    CHECK_EQ_STR(st.reference, "");
    CHECK_NEAR(st.length, 3 * RATE, CD_FRAME);
    CHECK_MSG(st.position >= 1.45 * RATE, "back at %.2f s of 3", (double)st.position / RATE);
    CHECK(poll_until(p, PLAYBACK_STOPPED, 20000, &st, &m, NULL));
    CHECK_MSG(p->ops->reference(p->self, s, 5, 0, msg, sizeof msg) == false, "no reference 6");

    /* the matched bypass: the mix raised to the processed loudness */
    s->master.chain.bypass = true;
    p->ops->match(p->self, proc.integrated - mix.integrated);
    CHECK(p->ops->play(p->self, s, 0, msg, sizeof msg));
    double bypassed = played_loudness(p, raw);
    CHECK_MSG(fabs(bypassed - master) <= 0.2, "bypassed %.2f, processed %.2f", bypassed, master);
    s->master.chain.bypass = false;

    /* as Spotify plays it: turned down to its target */
    const struct platform *sp = platform_of(PLATFORM_SPOTIFY);
    double g = platform_gain(sp, proc.integrated, proc.true_peak_max);
    CHECK_MSG(g < -3, "Spotify's gain %.2f dB", g);
    p->ops->match(p->self, g);
    CHECK(p->ops->play(p->self, s, 0, msg, sizeof msg));
    double spotify = played_loudness(p, raw);
    CHECK_NEAR(spotify, sp->target, 0.2);
    printf("    bypassed %.2f LUFS; as Spotify plays it (%+.2f dB) %.2f LUFS\n", bypassed, g, spotify);
    p->ops->free(p->self);
    analysis_free(a);
    session_free(s);
}
