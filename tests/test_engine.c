/* SPDX-License-Identifier: MIT */
/* Tests of audio/engine's audio thread: no allocation, lock or file I/O
 * on it (the allocator and friends interposed here; not under ASan, which
 * owns the allocator), also while live changes are made, which are heard
 * within a period and the chain's latency and never click. What a device
 * does to the engine is tests/test_engine_device.c's job, what it plays
 * and meters tests/test_engine_sound.c's; parity with the render through
 * ALSA is tests/e2e_play.sh's. */
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
#include "dsp/chain.h"
#include "tests/engine_fixture.h"
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
