/* SPDX-License-Identifier: MIT */
/* What the engine's tests share (tests/test_engine.c, test_engine_device.c
 * and test_engine_sound.c): a fake device, a small album and the way it is
 * played into the device, and tone files and sessions written for a test.
 * Static inline, as each test file uses some of them. */
#ifndef LATHE_TEST_ENGINE_FIXTURE_H
#define LATHE_TEST_ENGINE_FIXTURE_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/engine.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "tests/harness.h"

/* ---- a fake device: fills memory, fails when told to ---- */

struct fake {
    unsigned char *buf;
    size_t cap, used;
    int frame_bytes;
    int calls;
    int epipe_every;    /* every Nth write underruns */
    int dead_at;        /* from this write on the device is gone */
    int epipes;
    bool drained, dropped;
    int pace_us;        /* a write takes this long, as a device's would */
    atomic_int pauses, resumes;
    atomic_bool paused;
    atomic_int writes_while_paused;
    int stall_at;       /* from this write on the device takes nothing (-EAGAIN) */
    struct timespec died;   /* when it first failed for good */
    double stopped_after;   /* seconds from then until the engine stopped */
};

static inline long fake_write(void *dev, const void *data, long frames)
{
    struct fake *f = dev;
    f->calls++;
    if (atomic_load(&f->paused))
        atomic_fetch_add(&f->writes_while_paused, 1);
    if (f->pace_us) {
        struct timespec ts = { 0, f->pace_us * 1000L };
        nanosleep(&ts, NULL);
    }
    if (f->dead_at && f->calls >= f->dead_at) {
        if (f->died.tv_sec == 0)
            clock_gettime(CLOCK_MONOTONIC, &f->died);
        return -ENODEV;
    }
    if (f->stall_at && f->calls >= f->stall_at) {
        if (f->died.tv_sec == 0)
            clock_gettime(CLOCK_MONOTONIC, &f->died);
        return -EAGAIN;
    }
    if (f->epipe_every && f->calls % f->epipe_every == 0) {
        f->epipes++;
        return -EPIPE;
    }
    long take = f->calls % 7 == 0 && frames > 1 ? frames / 2 : frames;   /* short writes too */
    size_t room = (f->cap - f->used) / (size_t)f->frame_bytes;
    if ((size_t)take > room)
        take = (long)room;
    memcpy(f->buf + f->used, data, (size_t)take * (size_t)f->frame_bytes);
    f->used += (size_t)take * (size_t)f->frame_bytes;
    return take;
}

static inline int fake_recover(void *dev, int error)
{
    if (error == -EAGAIN) {     /* as ALSA's: wait a little for room */
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
        return 0;
    }
    return error == -EPIPE ? 0 : error;
}

static inline double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static inline void fake_finish(void *dev, bool drain)
{
    struct fake *f = dev;
    f->drained = drain;
    f->dropped = !drain;
}

static inline void fake_close(void *dev)
{
}

static const char *fake_strerror(int error)
{
    return strerror(-error);
}

static inline int fake_pause(void *dev, bool on)
{
    struct fake *f = dev;
    atomic_fetch_add(on ? &f->pauses : &f->resumes, 1);
    atomic_store(&f->paused, on);
    return 0;
}

static const struct pcm_out_ops fake_ops = {
    .write = fake_write, .recover = fake_recover, .finish = fake_finish,
    .close = fake_close, .strerror = fake_strerror,
};

static const struct pcm_out_ops fake_pause_ops = {
    .write = fake_write, .recover = fake_recover, .finish = fake_finish,
    .close = fake_close, .strerror = fake_strerror, .pause = fake_pause,
};

/* ---- a small album ---- */

static inline void write_tone(const char *path, double seconds, double freq, double amp)
{
    char err[512];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, 48000, 2, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    double buf[2 * 1000];
    long frames = (long)(seconds * 48000);
    for (long k = 0; k < frames;) {
        int n = frames - k > 1000 ? 1000 : (int)(frames - k);
        for (int i = 0; i < n; i++)
            buf[2 * i] = buf[2 * i + 1] = amp * sin(2 * M_PI * freq * (double)(k + i) / 48000);
        soundfile_write(f, buf, n);
        k += n;
    }
    soundfile_close(f);
}

static inline struct session *album(void)
{
    static bool made;
    char path[512], err[512];
    if (!made) {
        snprintf(path, sizeof path, "%s/a.wav", harness_tmpdir());
        write_tone(path, 1.2, 440, 0.5);
        snprintf(path, sizeof path, "%s/b.wav", harness_tmpdir());
        write_tone(path, 1.0, 1000, 0.25);
        snprintf(path, sizeof path, "%s/s.lathe", harness_tmpdir());
        FILE *f = fopen(path, "w");
        fputs("[album]\nrate = 48000\n[master]\ncomp = threshold -20dB ratio 3\n"
              "[track]\nfile = a.wav\ngap = 0.5s\neq = bell 1kHz -2dB q 1\n"
              "[track]\nfile = b.wav\ncrossfade = 0.3s\n"
              "[output cd]\nformat = wav\nrate = 44100\nbits = 16\nceiling = -1dBTP\n", f);
        fclose(f);
        made = true;
    }
    snprintf(path, sizeof path, "%s/s.lathe", harness_tmpdir());
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

/* The album's cd output, started into `f` through `ops`; *sp holds the
 * session. NULL when it could not be made (the session is then freed);
 * else the caller frees the engine and the session. */
static inline struct engine *start_cd(struct fake *f, const struct pcm_out_ops *ops, int period,
                                      int buffer, struct session **sp)
{
    struct session *s = *sp = album();
    if (!s)
        return NULL;
    char err[512];
    struct engine_options opt = { .output = "cd", .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e) {
        session_free(s);
        return NULL;
    }
    f->frame_bytes = 4;
    f->cap = 44100 * 4 * 4;
    f->buf = calloc(1, f->cap);
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = ops, .dev = f, .period = period, .buffer = buffer };
    CHECK_MSG(engine_start(e, p, err, sizeof err), "%s", err);
    return e;
}

/* Plays the album's cd output into `f`; the final status in *st. */
static char last_error[512];

static inline void play(struct fake *f, int period, struct engine_status *st, bool stop_at_once)
{
    struct session *s;
    struct engine *e = start_cd(f, &fake_ops, period, period * 4, &s);
    if (!e)
        return;
    if (stop_at_once)
        engine_stop(e);
    for (int waited = 0;; waited++) {
        engine_status(e, st);
        if (!st->running) {
            if (f->died.tv_sec)
                f->stopped_after = since(&f->died);
            break;
        }
        CHECK_MSG(waited < 20000, "the engine did not end within 20 s");
        if (waited >= 20000)
            break;
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    snprintf(last_error, sizeof last_error, "%s", engine_error(e));
    engine_free(e);
    session_free(s);
}

static inline size_t expected_bytes(void)
{
    struct session *s = album();
    char err[512];
    struct engine_options opt = { .output = "cd", .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    int64_t start, end;
    engine_span(e, &start, &end);
    engine_free(e);
    session_free(s);
    return (size_t)(end - start) * 4;
}

/* ---- tones and sessions written for a test ---- */

static inline void write_tone_at(const char *name, int rate, double seconds, double freq, double amp)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, rate, 2, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    double buf[2 * 1000];
    long frames = (long)(seconds * rate);
    for (long k = 0; k < frames;) {
        int n = frames - k > 1000 ? 1000 : (int)(frames - k);
        for (int i = 0; i < n; i++) {
            double t = (double)(k + i) / rate;
            buf[2 * i] = amp * sin(2 * M_PI * freq * t) * (0.6 + 0.4 * sin(2 * M_PI * 1.5 * t));
            buf[2 * i + 1] = amp * sin(2 * M_PI * freq * 1.5 * t);
        }
        soundfile_write(f, buf, n);
        k += n;
    }
    soundfile_close(f);
}

static inline struct session *load_text(const char *name, const char *text)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

static inline double left(const struct fake *f, size_t i)
{
    return ((const int32_t *)f->buf)[2 * i] / 2147483648.0;
}

static inline double rms_left(const struct fake *f, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += left(f, i) * left(f, i);
    return sqrt(sum / (double)(to - from));
}

#endif
