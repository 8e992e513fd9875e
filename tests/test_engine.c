/* SPDX-License-Identifier: MIT */
/* Tests of audio/engine behind a fake device: xruns recovered and counted
 * with nothing lost, a lost device stopping the engine cleanly, stop in
 * mid-play, meters that match the frames played, and no allocation, lock
 * or file I/O on the audio thread (the allocator and friends interposed
 * here; not under ASan, which owns the allocator). Parity with the render
 * through ALSA is tests/e2e_play.sh's job. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "audio/engine.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "dsp/chain.h"
#include "session/sessfile.h"
#include "tests/harness.h"

/* ---- what the audio thread calls, counted ---- */

static atomic_int audio_calls;      /* allocator, lock or file calls on the audio thread */

#if !defined(__SANITIZE_ADDRESS__)
#define WATCHING 1
static bool on_audio_thread(void)
{
    char name[17] = "";
    prctl(PR_GET_NAME, name);
    return strcmp(name, "lathe-audio") == 0;
}

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static void count(void)
{
    if (on_audio_thread())
        atomic_fetch_add(&audio_calls, 1);
}

void *malloc(size_t n)
{
    count();
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    count();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    count();
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p)
        count();
    __libc_free(p);
}

int posix_memalign(void **p, size_t align, size_t n)
{
    static int (*real)(void **, size_t, size_t);
    if (!real)
        real = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    count();
    return real(p, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    static void *(*real)(size_t, size_t);
    if (!real)
        real = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    count();
    return real(align, n);
}

/* One interposer per symbol: count the call, then the real one. */
#define PASS(ret, name, params, args)                                          \
    ret name params                                                            \
    {                                                                          \
        static ret(*real) params;                                              \
        if (!real)                                                             \
            real = (ret(*) params)dlsym(RTLD_NEXT, #name);                     \
        count();                                                               \
        return real args;                                                      \
    }

PASS(int, pthread_mutex_lock, (pthread_mutex_t *m), (m))
PASS(int, pthread_mutex_trylock, (pthread_mutex_t *m), (m))
PASS(int, pthread_rwlock_rdlock, (pthread_rwlock_t *l), (l))
PASS(int, pthread_rwlock_wrlock, (pthread_rwlock_t *l), (l))
PASS(int, pthread_cond_wait, (pthread_cond_t *c, pthread_mutex_t *m), (c, m))
PASS(int, sem_wait, (sem_t *sem), (sem))
PASS(ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n))
PASS(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
PASS(ssize_t, pread, (int fd, void *buf, size_t n, off_t at), (fd, buf, n, at))
PASS(off_t, lseek, (int fd, off_t at, int whence), (fd, at, whence))
PASS(int, close, (int fd), (fd))
PASS(FILE *, fopen, (const char *path, const char *mode), (path, mode))
PASS(size_t, fwrite, (const void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
PASS(size_t, fread, (void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
PASS(int, fflush, (FILE *f), (f))

static void count_open(void)
{
    count();
}

int open(const char *path, int flags, ...)
{
    static int (*real)(const char *, int, ...);
    if (!real)
        real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    count_open();
    return real(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    static int (*real)(int, const char *, int, ...);
    if (!real)
        real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    count_open();
    return real(dir, path, flags, mode);
}
#else
#define WATCHING 0
#endif

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

static long fake_write(void *dev, const void *data, long frames)
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

static int fake_recover(void *dev, int error)
{
    if (error == -EAGAIN) {     /* as ALSA's: wait a little for room */
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
        return 0;
    }
    return error == -EPIPE ? 0 : error;
}

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static void fake_finish(void *dev, bool drain)
{
    struct fake *f = dev;
    f->drained = drain;
    f->dropped = !drain;
}

static void fake_close(void *dev)
{
}

static const char *fake_strerror(int error)
{
    return strerror(-error);
}

static int fake_pause(void *dev, bool on)
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

static void write_tone(const char *path, double seconds, double freq, double amp)
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

static struct session *album(void)
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

/* Plays the album's cd output into `f`; the final status in *st. */
static char last_error[512];

static void play(struct fake *f, int period, struct engine_status *st, bool stop_at_once)
{
    struct session *s = album();
    if (!s)
        return;
    char err[512];
    struct engine_options opt = { .output = "cd", .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e) {
        session_free(s);
        return;
    }
    f->frame_bytes = 4;
    f->cap = 44100 * 4 * 4;
    f->buf = calloc(1, f->cap);
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = &fake_ops, .dev = f, .period = period, .buffer = period * 4 };
    CHECK_MSG(engine_start(e, p, err, sizeof err), "%s", err);
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

static size_t expected_bytes(void)
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

TEST(xruns_are_recovered_counted_and_lose_nothing)
{
    struct fake clean = { 0 }, bad = { .epipe_every = 5 };
    struct engine_status st;
    play(&clean, 441, &st, false);
    CHECK(!st.failed);
    CHECK_EQ_INT(st.xruns, 0);
    CHECK_EQ_INT(clean.used, expected_bytes());
    CHECK(clean.drained);
    play(&bad, 441, &st, false);
    CHECK(!st.failed);
    CHECK(bad.epipes > 10);
    CHECK_EQ_INT(st.xruns, bad.epipes);
    CHECK_EQ_INT(bad.used, clean.used);
    CHECK(memcmp(bad.buf, clean.buf, clean.used) == 0);
    free(clean.buf);
    free(bad.buf);
}

TEST(a_lost_device_stops_the_engine_with_a_message)
{
    struct fake f = { .dead_at = 20 };
    struct engine_status st;
    play(&f, 256, &st, false);
    printf("  lost: stopped %.3f s after the device went; \"%s\"\n", f.stopped_after, last_error);
    CHECK(f.stopped_after < 1.0);
    CHECK(strstr(last_error, "gone"));
    CHECK(st.failed);
    CHECK(!st.running);
    CHECK(f.used > 0 && f.used < expected_bytes());
    CHECK_MSG(strstr(last_error, "device") && strstr(last_error, strerror(ENODEV)), "%s", last_error);
    CHECK(f.dropped);
    free(f.buf);
}

TEST(stop_in_mid_play_returns_and_drops)
{
    struct fake f = { 0 };
    struct engine_status st;
    play(&f, 64, &st, true);
    CHECK(!st.running);
    CHECK(!st.failed);
    CHECK(f.used < expected_bytes());
    CHECK(f.dropped);
    free(f.buf);
}

TEST(no_allocation_lock_or_file_io_on_the_audio_thread)
{
    if (!WATCHING) {
        printf("  (skipped under ASan, which owns the allocator)\n");
        return;
    }
    struct fake f = { .epipe_every = 9 };
    struct engine_status st;
    atomic_store(&audio_calls, 0);
    play(&f, 128, &st, false);
    CHECK_EQ_INT(f.used, expected_bytes());
    CHECK_EQ_INT(atomic_load(&audio_calls), 0);
    /* the counter works: this thread is not the audio thread, a renamed one is */
    prctl(PR_SET_NAME, "lathe-audio");
    void *p = malloc(16);
    free(p);
    prctl(PR_SET_NAME, "test_engine");
    CHECK(atomic_load(&audio_calls) >= 2);
    free(f.buf);
}

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

TEST(an_output_plays_at_another_rate_when_the_device_needs_it)
{
    struct session *s = album();
    if (!s)
        return;
    char err[512];
    struct engine_options mon = { .from = -1, .to = -1 };
    struct engine_options at48 = { .output = "cd", .from = -1, .to = -1, .rate = 48000 };
    struct engine *m = engine_new(s, &mon, err, sizeof err);
    struct engine *e = engine_new(s, &at48, err, sizeof err);
    CHECK_MSG(m && e, "%s", err);
    if (m && e) {
        int64_t ms, me, es, ee;
        engine_span(m, &ms, &me);
        engine_span(e, &es, &ee);
        CHECK_EQ_INT(engine_rate(e), 48000);
        CHECK_EQ_INT(engine_sample(e), PCM_S16);    /* still the output's depth */
        CHECK_EQ_INT(ee - es, me - ms);
        struct fake f = { .frame_bytes = 4, .cap = (size_t)(ee - es) * 4 + 4096 };
        f.buf = calloc(1, f.cap);
        struct pcm_out *p = calloc(1, sizeof *p);
        *p = (struct pcm_out){ .ops = &fake_ops, .dev = &f, .period = 512, .buffer = 2048 };
        CHECK(engine_start(e, p, err, sizeof err));
        struct engine_status st;
        do {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
            engine_status(e, &st);
        } while (st.running);
        CHECK(!st.failed);
        CHECK_EQ_INT(f.used, (size_t)(ee - es) * 4);
        free(f.buf);
    }
    engine_free(m);
    engine_free(e);
    session_free(s);
}

/* ---- starting with a pre-roll ---- */

static void write_tone_at(const char *name, int rate, double seconds, double freq, double amp)
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

static struct session *load_text(const char *name, const char *text)
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

/* ---- pause ---- */

/* Plays the album's cd output, pausing twice on the way. */
static void play_paused(struct fake *f, const struct pcm_out_ops *ops)
{
    struct session *s = album();
    if (!s)
        return;
    char err[512];
    struct engine_options opt = { .output = "cd", .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e) {
        session_free(s);
        return;
    }
    f->frame_bytes = 4;
    f->cap = 44100 * 4 * 4;
    f->buf = calloc(1, f->cap);
    f->pace_us = 2000;  /* the album takes about 0.8 s */
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = ops, .dev = f, .period = 256, .buffer = 1024 };
    CHECK(engine_start(e, p, err, sizeof err));
    struct engine_status st;
    for (int round = 0; round < 2; round++) {
        struct timespec ts = { 0, 60 * 1000000L };
        nanosleep(&ts, NULL);
        engine_pause(e, true);
        ts.tv_nsec = 10 * 1000000L;     /* a period and a bit: the write under way ends */
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        size_t used = f->used;
        int64_t position = st.position;
        ts.tv_nsec = 80 * 1000000L;
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        CHECK(st.running);
        CHECK_EQ_INT(f->used, used);                /* nothing written while paused */
        CHECK_EQ_INT(st.position, position);
        CHECK(used < expected_bytes());
        engine_pause(e, false);
    }
    do {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
        engine_status(e, &st);
    } while (st.running);
    CHECK(!st.failed);
    engine_free(e);
    session_free(s);
}

TEST(pause_stops_at_once_and_resumes_with_nothing_lost_or_repeated)
{
    struct fake plain = { 0 }, with_op = { 0 }, without_op = { 0 };
    struct engine_status st;
    play(&plain, 256, &st, false);
    play_paused(&with_op, &fake_pause_ops);
    CHECK_EQ_INT(atomic_load(&with_op.pauses), 2);
    CHECK_EQ_INT(atomic_load(&with_op.resumes), 2);
    CHECK_EQ_INT(atomic_load(&with_op.writes_while_paused), 0);
    CHECK_EQ_INT(with_op.used, plain.used);
    CHECK(memcmp(with_op.buf, plain.buf, plain.used) == 0);
    play_paused(&without_op, &fake_ops);    /* a device without the op: writes stop */
    CHECK_EQ_INT(without_op.used, plain.used);
    CHECK(memcmp(without_op.buf, plain.buf, plain.used) == 0);
    free(plain.buf);
    free(with_op.buf);
    free(without_op.buf);
}

/* ---- live changes ---- */

static const char *live_session =
    "[album]\nrate = 48000\n"
    "[master]\neq = bell 100Hz +6dB q 1\nlimit = ceiling -1dBTP\n"
    "[track]\nfile = live.wav\n";

enum change { GAIN, BYPASS, TRIM };

struct live_play {
    struct fake f;
    int64_t before, after;  /* positions around the change */
};

/* Plays the live session at the session rate; with `change` made once
 * half a second has been played (change < 0: none). */
static void play_live(struct session *s, int change, struct live_play *lp)
{
    char err[512];
    struct engine_options opt = { .from = -1, .to = -1 };
    struct engine *e = engine_new(s, &opt, err, sizeof err);
    CHECK_MSG(e != NULL, "%s", err);
    if (!e)
        return;
    int64_t start, end;
    engine_span(e, &start, &end);
    lp->f.frame_bytes = 8;
    lp->f.cap = (size_t)(end - start) * 8;
    lp->f.buf = calloc(1, lp->f.cap);
    lp->f.pace_us = 2000;
    struct pcm_out *p = calloc(1, sizeof *p);
    *p = (struct pcm_out){ .ops = &fake_ops, .dev = &lp->f, .period = 256, .buffer = 1024 };
    CHECK(engine_start(e, p, err, sizeof err));
    struct engine_status st;
    bool changed = change < 0;
    do {
        struct timespec ts = { 0, 500000 };
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        if (!changed && st.position >= start + 120000) {   /* after 2 s of pregap */
            lp->before = st.position;
            if (change == TRIM) {
                engine_set_trim(e, -6);
            } else {
                if (change == GAIN)
                    s->master.gain = -6;
                else
                    s->master.chain.bypass = true;
                CHECK_MSG(engine_update(e, s, err, sizeof err), "%s", err);
                s->master.gain = 0;
                s->master.chain.bypass = false;
            }
            engine_status(e, &st);
            lp->after = st.position;
            changed = true;
        }
    } while (st.running);
    CHECK(!st.failed);
    engine_free(e);
}

static double left(const struct fake *f, size_t i)
{
    return ((const int32_t *)f->buf)[2 * i] / 2147483648.0;
}

static double rms_left(const struct fake *f, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += left(f, i) * left(f, i);
    return sqrt(sum / (double)(to - from));
}

TEST(a_live_change_is_heard_within_a_period_and_the_latency_and_never_clicks)
{
    write_tone_at("live.wav", 48000, 2.0, 100, 0.2);
    struct session *s = load_text("live.lathe", live_session);
    if (!s)
        return;
    struct chain *master = chain_new(s->master.chain.procs, s->master.chain.n, 48000, 2, 1024);
    int latency = chain_latency(master);
    chain_free(master);
    struct live_play ref = { 0 };
    play_live(s, -1, &ref);
    size_t n = ref.f.used / 8;
    double natural = 0;     /* the sine's own largest step from sample to sample */
    for (size_t i = 1; i < n; i++)
        natural = fmax(natural, fabs(left(&ref.f, i) - left(&ref.f, i - 1)));
    static const char *names[] = { "master gain", "master bypass", "trim" };
    for (int change = GAIN; change <= TRIM; change++) {
        struct live_play lp = { 0 };
        int calls = atomic_load(&audio_calls);
        play_live(s, change, &lp);
        CHECK_EQ_INT(lp.f.used, ref.f.used);
        CHECK_EQ_INT(atomic_load(&audio_calls), calls);   /* no allocation on the audio thread */
        size_t first = 0;
        while (first < n && left(&lp.f, first) == left(&ref.f, first))
            first++;
        double jump = 0;
        for (size_t i = 1; i < n; i++)
            jump = fmax(jump, fabs(left(&lp.f, i) - left(&lp.f, i - 1)));
        double drop = 20 * log10(rms_left(&lp.f, n - 24000, n) / rms_left(&ref.f, n - 24000, n));
        printf("  %s: heard %ld frames after it was published (period 256, latency %d); "
               "largest step %.5f (the sine's own %.5f); %.2f dB at the end\n", names[change],
               (long)((int64_t)first - lp.after), latency, jump, natural, drop);
        CHECK(first >= (size_t)lp.before);
        CHECK((int64_t)first <= lp.after + 3 * 256 + latency);
        CHECK(jump < natural * 1.05);
        CHECK_NEAR(drop, -6, 0.3);
        free(lp.f.buf);
    }
    free(ref.f.buf);
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

TEST(a_device_that_stops_taking_frames_is_given_up_with_a_message)
{
    struct fake f = { .stall_at = 30 };
    struct engine_status st;
    play(&f, 256, &st, false);
    printf("  stalled: stopped %.3f s after the device stopped taking frames; \"%s\"\n",
           f.stopped_after, last_error);
    CHECK(st.failed);
    CHECK(!st.running);
    CHECK(f.stopped_after > 1.5 && f.stopped_after < 3.5);
    CHECK_MSG(strstr(last_error, "stopped taking frames"), "%s", last_error);
    CHECK(f.dropped);
    free(f.buf);
}

TEST(opening_errors_say_busy_or_missing_and_name_the_device)
{
    char err[512];
    pcm_out_describe("hw:1", -EBUSY, err, sizeof err);
    CHECK_MSG(strstr(err, "\"hw:1\" is busy (used by another program?)"), "%s", err);
    pcm_out_describe("hw:9", -ENOENT, err, sizeof err);
    CHECK_MSG(strstr(err, "\"hw:9\"") && (strstr(err, "no sound card") || strstr(err, "list-devices")),
              "%s", err);
    CHECK(strstr(pcm_out_lost(-ENODEV), "gone"));
    /* a real open of a device that cannot be there */
    struct pcm_out *p = pcm_out_open("hw:97", 48000, PCM_S16, 256, 4, err, sizeof err);
    CHECK(p == NULL);
    CHECK_MSG(strstr(err, "\"hw:97\""), "%s", err);
    pcm_out_free(p);
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
