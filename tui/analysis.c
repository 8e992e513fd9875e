/* SPDX-License-Identifier: MIT */
/* Background loudness analysis for the console (its cache file is
 * audio/measure_cache.c, shared with the commands).
 *
 * Shared data, all under `lock`: the mix records (one per mix file), the
 * processed records (one per distinct way a track is played), the slots
 * (what the latest session's tracks point at) and the cache lines. A
 * worker claims a record under the lock, measures with the lock released,
 * and publishes the result under it; records are never freed before
 * analysis_free, so pointers to them stay valid. The UI thread only reads
 * results and replaces the slots. Every published result writes one byte
 * to the pipe, so the UI thread never blocks on the workers. */
#include "tui/analysis.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/album_stream.h"
#include "audio/measure_cache.h"
#include "audio/measure_key.h"
#include "audio/ddp_read.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "session/timeline.h"

#define MAX_WORKERS 4
#define READ_FRAMES ALBUM_MAX_BLOCK     /* the album stream's largest read */

/* The session's text, shared by the records an update created. */
struct text_ref {
    char *text;
    char *path;             /* the session's path, for relative mix names */
    int rate;
    int refs;               /* under lock */
};

struct mixrec {
    char *path;
    const struct ddp *ddp;  /* a DDP track: frames from `from`, not a file */
    int64_t from, frames;
    char content[MEASURE_CONTENT_KEY_MAX];  /* "size mtime hash", once read */
    int state;              /* 0 pending, 1 measured, -1 failed */
    bool claimed;
    struct loudness_result r;
};

struct procrec {
    struct mixrec *mix;
    char *text;             /* every setting that shapes the track */
    struct text_ref *session;   /* what a worker measures; NULL once done */
    int track;              /* its index in that session */
    double ready_at;        /* monotonic seconds: not measured before */
    bool referenced;        /* a track of the latest session plays it so */
    bool as_is;             /* a reference: played as it is, no chains */
    int state;
    bool claimed;
    struct loudness_result r;
};

struct slot {
    char *file;
    struct mixrec *mix;
    struct procrec *proc;
};

struct analysis {
    const struct ddp *ddp;  /* a DDP's tracks: nothing to update or cache */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct mixrec **mixes;
    int nmixes, capmixes;
    struct procrec **procs;
    int nprocs, capprocs;
    struct slot *slots;
    int nslots;             /* the tracks', then the references' */
    int ntracks;
    struct measure_cache cache;     /* what the file held, and what was measured since */
    char *cache_path;       /* NULL: no cache file */
    unsigned long cache_version, cache_written;  /* under lock / write_lock */
    pthread_mutex_t write_lock;
    atomic_bool stop;           /* set once, by analysis_free: measurements give up */
    int pipe[2];
    pthread_t threads[MAX_WORKERS];
    int nthreads;
    atomic_int decoded, hits;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Room for one more item in an array of `n` with room for `*cap`. */
static bool grow(void *arrayp, int n, int *cap, size_t size)
{
    void **array = arrayp;
    if (n < *cap)
        return true;
    int c = *cap ? *cap * 2 : 8;
    void *p = realloc(*array, (size_t)c * size);
    if (!p)
        return false;
    *array = p;
    *cap = c;
    return true;
}

/* Writes the cache file: a copy of the entries taken under the lock,
 * written outside it, so the UI thread never waits on the disk. */
static void cache_write(struct analysis *a)
{
    if (!a->cache_path)
        return;
    pthread_mutex_lock(&a->write_lock);
    pthread_mutex_lock(&a->lock);
    unsigned long version = a->cache_version;
    struct measure_cache copy = { 0 };
    bool ok = version != a->cache_written;
    for (int i = 0; ok && i < a->cache.n; i++)
        ok = measure_cache_put(&copy, a->cache.items[i].kind, a->cache.items[i].key,
                               a->cache.items[i].value);
    pthread_mutex_unlock(&a->lock);
    char err[4200];
    if (ok && measure_cache_save(&copy, a->cache_path, err, sizeof err))
        a->cache_written = version;
    measure_cache_free(&copy);
    pthread_mutex_unlock(&a->write_lock);
}

/* A loudness result filed under kind and key (lock held); false when none. */
static bool cache_find(struct analysis *a, const char *kind, const char *key,
                       struct loudness_result *r)
{
    const char *v = measure_cache_get(&a->cache, kind, key);
    const char *end = v ? measure_result_parse(v, r) : NULL;
    return end && *end == 0;
}

static void cache_add(struct analysis *a, const char *kind, const char *key,
                      const struct loudness_result *r)
{
    char v[MEASURE_RESULT_MAX];
    measure_result_format(v, sizeof v, r);
    if (measure_cache_put(&a->cache, kind, key, v))
        a->cache_version++;
}

/* ---- measuring ---- */

static bool meter_run(struct analysis *a, struct loudness *m, int channels,
                      int64_t (*read)(void *src, double *buf, int frames), void *src,
                      struct loudness_result *r)
{
    double *buf = malloc(sizeof(double) * READ_FRAMES * (size_t)channels);
    bool ok = m && buf;
    int64_t n;
    while (ok && !atomic_load(&a->stop) && (n = read(src, buf, READ_FRAMES)) != 0)
        ok = n > 0 && loudness_add(m, buf, (size_t)n);
    ok = ok && !atomic_load(&a->stop) && loudness_finish(m, r);
    free(buf);
    loudness_free(m);
    return ok;
}

static int64_t read_file(void *src, double *buf, int frames)
{
    return soundfile_read(src, buf, frames);
}

static int64_t read_album(void *src, double *buf, int frames)
{
    return album_stream_read(src, buf, frames);
}

static bool decode_mix(struct analysis *a, const char *path, struct loudness_result *r)
{
    char err[1024];
    struct soundfile_info info;
    struct soundfile *f = soundfile_open(path, &info, err, sizeof err);
    if (!f)
        return false;
    bool ok = meter_run(a, loudness_new(info.rate, info.channels), info.channels, read_file, f, r);
    soundfile_close(f);
    return ok;
}

struct ddp_src {
    const struct mixrec *m;
    int64_t done;
    int16_t pcm[READ_FRAMES * 2];
};

static int64_t read_ddp(void *src, double *buf, int frames)
{
    struct ddp_src *d = src;
    char err[512];
    int64_t n = d->m->frames - d->done < frames ? d->m->frames - d->done : frames;
    n = n > 0 ? ddp_read_pcm(d->m->ddp, d->m->from + d->done, d->pcm, n, err, sizeof err) : 0;
    for (int64_t i = 0; i < 2 * n; i++)
        buf[i] = d->pcm[i] / 32768.0;
    d->done += n > 0 ? n : 0;
    return n;
}

static bool decode_ddp(struct analysis *a, const struct mixrec *m, struct loudness_result *r)
{
    struct ddp_src *src = malloc(sizeof *src);
    if (!src)
        return false;
    *src = (struct ddp_src){ .m = m };
    bool ok = meter_run(a, loudness_new(DDP_RATE, 2), 2, read_ddp, src, r);
    free(src);
    return ok;
}

/* The track alone, as the album plays it: the other tracks removed, the
 * rate kept, no pregap or crossfade, every chain on. What is left of the
 * album stream is the track, and silence the gates leave out. */
static bool measure_track(struct analysis *a, const struct text_ref *t, int track,
                          struct loudness_result *r)
{
    char err[1024];
    struct session *s = session_parse(t->text, strlen(t->text), "session", err, sizeof err);
    if (!s)
        return false;
    bool ok = false;
    struct timeline tl;
    if (track < s->ntracks && str_set(&s->path, t->path)) {
        for (int i = s->ntracks - 1; i >= 0; i--)
            if (i != track)
                session_remove_track(s, i);
        s->album.rate = t->rate;
        struct track *tr = &s->tracks[0];
        tr->has_gap = true;
        tr->gap = (struct stime){ .seconds = 0 };
        tr->crossfade = (struct stime){ .seconds = 0 };
        tr->chain.bypass = false;
        s->master.chain.bypass = false;
        mix_probe_session(s);
        if (tr->mix.ok && timeline_build(s, &tl)) {
            struct album_stream *as = album_stream_new(s, &tl, err, sizeof err);
            if (as)
                ok = meter_run(a, loudness_new(tl.rate, ALBUM_CHANNELS), ALBUM_CHANNELS,
                               read_album, as, r);
            album_stream_free(as);
            timeline_free(&tl);
        }
    }
    session_free(s);
    return ok;
}

static void text_release(struct text_ref *t)
{
    if (t && --t->refs == 0) {
        free(t->text);
        free(t->path);
        free(t);
    }
}

static void publish(struct analysis *a)
{
    pthread_cond_broadcast(&a->changed);
    ssize_t w = write(a->pipe[1], "r", 1);
    (void)w;                    /* a full pipe already wakes the reader */
}

/* Measures a mix (lock held on entry and exit). */
static void run_mix(struct analysis *a, struct mixrec *m)
{
    m->claimed = true;
    pthread_mutex_unlock(&a->lock);
    if (m->ddp) {
        struct loudness_result r;
        atomic_fetch_add(&a->decoded, 1);
        bool ok = decode_ddp(a, m, &r);
        pthread_mutex_lock(&a->lock);
        m->r = r;
        m->state = ok ? 1 : -1;
        publish(a);
        return;
    }
    char content[sizeof m->content];
    bool ok = measure_content_key(m->path, content, sizeof content);
    pthread_mutex_lock(&a->lock);
    snprintf(m->content, sizeof m->content, "%s", content);
    struct loudness_result hit;
    if (ok && cache_find(a, "mix", content, &hit)) {
        m->r = hit;
        m->state = 1;
        atomic_fetch_add(&a->hits, 1);
    } else if (ok) {
        pthread_mutex_unlock(&a->lock);
        struct loudness_result r;
        atomic_fetch_add(&a->decoded, 1);
        ok = decode_mix(a, m->path, &r);
        pthread_mutex_lock(&a->lock);
        m->r = r;
        m->state = ok ? 1 : -1;
        if (ok)
            cache_add(a, "mix", content, &r);
    } else {
        m->state = -1;
    }
    publish(a);
}

/* Measures a processed record (lock held on entry and exit). */
static void run_proc(struct analysis *a, struct procrec *p)
{
    p->claimed = true;
    struct mixrec *m = p->mix;
    if (m->state == 0 && !m->claimed)
        run_mix(a, m);
    while (m->state == 0 && !a->stop)
        pthread_cond_wait(&a->changed, &a->lock);
    if (m->state <= 0 || m->ddp || p->as_is) {
        p->state = m->state > 0 ? 1 : -1;     /* a DDP track plays as it is */
        p->r = m->r;
        publish(a);
        return;
    }
    size_t klen = strlen(m->content) + strlen(p->text) + 2;
    char *key = malloc(klen);
    if (!key) {
        p->claimed = false;
        return;
    }
    snprintf(key, klen, "%s %s", m->content, p->text);
    struct loudness_result hit;
    if (cache_find(a, "proc", key, &hit)) {
        p->r = hit;
        p->state = 1;
        atomic_fetch_add(&a->hits, 1);
    } else {
        struct text_ref *t = p->session;
        t->refs++;
        int track = p->track;
        pthread_mutex_unlock(&a->lock);
        struct loudness_result r;
        atomic_fetch_add(&a->decoded, 1);
        bool ok = measure_track(a, t, track, &r);
        pthread_mutex_lock(&a->lock);
        text_release(t);
        p->r = r;
        p->state = ok ? 1 : -1;
        if (ok)
            cache_add(a, "proc", key, &r);
    }
    free(key);
    text_release(p->session);
    p->session = NULL;
    publish(a);
}

/* The next record due, or NULL; *wait gets how long until one will be. */
static struct procrec *next_job(struct analysis *a, double *wait)
{
    double t = now();
    *wait = -1;
    for (int i = 0; i < a->nprocs; i++) {
        struct procrec *p = a->procs[i];
        if (p->state != 0 || p->claimed || !p->referenced)
            continue;
        if (p->ready_at <= t)
            return p;
        if (*wait < 0 || p->ready_at - t < *wait)
            *wait = p->ready_at - t;
    }
    return NULL;
}

static void *worker(void *arg)
{
    struct analysis *a = arg;
    pthread_mutex_lock(&a->lock);
    while (!a->stop) {
        double wait;
        struct procrec *p = next_job(a, &wait);
        if (p) {
            unsigned long before = a->cache_version;
            run_proc(a, p);
            if (a->cache_version != before) {
                pthread_mutex_unlock(&a->lock);
                cache_write(a);
                pthread_mutex_lock(&a->lock);
            }
        } else if (wait < 0) {
            pthread_cond_wait(&a->changed, &a->lock);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            double until = (double)ts.tv_sec + ts.tv_nsec / 1e9 + wait;
            ts.tv_sec = (time_t)until;
            ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
            pthread_cond_timedwait(&a->changed, &a->lock, &ts);
        }
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* ---- the records of a session ---- */

static struct mixrec *mix_for(struct analysis *a, const char *path)
{
    for (int i = 0; i < a->nmixes; i++)
        if (strcmp(a->mixes[i]->path, path) == 0)
            return a->mixes[i];
    struct mixrec *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path)) || !grow(&a->mixes, a->nmixes, &a->capmixes, sizeof *a->mixes)) {
        if (m)
            free(m->path);
        free(m);
        return NULL;
    }
    a->mixes[a->nmixes++] = m;
    return m;
}

static struct procrec *proc_for(struct analysis *a, struct mixrec *m, char *text, double ready)
{
    for (int i = 0; i < a->nprocs; i++)
        if (a->procs[i]->mix == m && strcmp(a->procs[i]->text, text) == 0) {
            free(text);
            return a->procs[i];
        }
    struct procrec *p = calloc(1, sizeof *p);
    if (!p || !grow(&a->procs, a->nprocs, &a->capprocs, sizeof *a->procs)) {
        free(p);
        free(text);
        return NULL;
    }
    p->mix = m;
    p->text = text;
    p->ready_at = ready;
    a->procs[a->nprocs++] = p;
    return p;
}

static void free_slots(struct slot *slots, int n)
{
    for (int i = 0; i < n; i++)
        free(slots[i].file);
    free(slots);
}

/* Points the slots at the records of `s`'s tracks, making the new ones
 * (measured from `ready` on). */
static void update(struct analysis *a, const struct session *s, double ready)
{
    struct slot *slots = calloc((size_t)(s->ntracks + s->nrefs + 1), sizeof *slots);
    struct text_ref *t = calloc(1, sizeof *t);
    char *text = session_format(s);
    char *path = strdup(s->path ? s->path : "");
    if (!slots || !t || !text || !path) {
        free(slots);
        free(t);
        free(text);
        free(path);
        return;                 /* out of memory: keep the old results */
    }
    *t = (struct text_ref){ .text = text, .path = path, .rate = session_rate(s), .refs = 1 };
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < a->nprocs; i++)
        a->procs[i]->referenced = false;
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *tr = &s->tracks[i];
        slots[i].file = strdup(tr->file ? tr->file : "");
        if (!tr->mix.ok || !tr->file)
            continue;
        char mpath[4096];
        mix_path(s, tr->file, mpath, sizeof mpath);
        struct mixrec *m = mix_for(a, mpath);
        char *settings = m ? measure_track_alone_key(s, i) : NULL;
        struct procrec *p = settings ? proc_for(a, m, settings, ready) : NULL;
        slots[i].mix = m;
        slots[i].proc = p;
        if (p && p->state == 0 && !p->claimed) {
            /* measure it in this session: its track may have moved */
            text_release(p->session);
            p->session = t;
            t->refs++;
            p->track = i;
        }
        if (p)
            p->referenced = true;
    }
    /* the references, measured as they are, for the console's A/B */
    for (int i = 0; i < s->nrefs; i++) {
        const struct reference *rf = &s->refs[i];
        struct slot *sl = &slots[s->ntracks + i];
        sl->file = strdup(rf->file ? rf->file : "");
        if (!rf->mix.ok || !rf->file)
            continue;
        char mpath[4096];
        mix_path(s, rf->file, mpath, sizeof mpath);
        struct mixrec *m = mix_for(a, mpath);
        char *as_is = m ? strdup("reference") : NULL;
        struct procrec *p = as_is ? proc_for(a, m, as_is, ready) : NULL;
        sl->mix = m;
        if (p) {
            p->as_is = true;
            p->referenced = true;
        }
    }
    struct slot *old = a->slots;
    int nold = a->nslots;
    a->slots = slots;
    a->nslots = s->ntracks + s->nrefs;
    a->ntracks = s->ntracks;
    text_release(t);
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    free_slots(old, nold);
}

void analysis_free(struct analysis *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    for (int i = 0; i < a->nthreads; i++)
        pthread_join(a->threads[i], NULL);
    for (int i = 0; i < a->nmixes; i++) {
        free(a->mixes[i]->path);
        free(a->mixes[i]);
    }
    for (int i = 0; i < a->nprocs; i++) {
        text_release(a->procs[i]->session);
        free(a->procs[i]->text);
        free(a->procs[i]);
    }
    measure_cache_free(&a->cache);
    free(a->mixes);
    free(a->procs);
    free_slots(a->slots, a->nslots);
    free(a->cache_path);
    if (a->pipe[0] >= 0) {
        close(a->pipe[0]);
        close(a->pipe[1]);
    }
    pthread_cond_destroy(&a->changed);
    pthread_mutex_destroy(&a->lock);
    pthread_mutex_destroy(&a->write_lock);
    free(a);
}

static struct analysis *analysis_new(void)
{
    struct analysis *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_init(&a->write_lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    a->pipe[0] = a->pipe[1] = -1;
    if (pipe(a->pipe) != 0) {
        analysis_free(a);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(a->pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(a->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    return a;
}

static struct analysis *start_workers(struct analysis *a)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
    while (a->nthreads < want && pthread_create(&a->threads[a->nthreads], NULL, worker, a) == 0)
        a->nthreads++;
    if (a->nthreads == 0) {
        analysis_free(a);
        return NULL;
    }
    return a;
}

struct analysis *analysis_start(const struct session *s)
{
    int probed = 0;
    for (int i = 0; i < s->ntracks; i++)
        probed += s->tracks[i].mix.ok;
    struct analysis *a = probed ? analysis_new() : NULL;
    if (!a)
        return NULL;
    if (s->path) {
        char path[4096 + 16];
        measure_cache_path(s->path, path, sizeof path);
        if (!(a->cache_path = strdup(path))) {
            analysis_free(a);
            return NULL;
        }
        measure_cache_load(&a->cache, a->cache_path);
    }
    update(a, s, 0);
    return start_workers(a);
}

struct analysis *analysis_start_ddp(const struct ddp *d)
{
    struct analysis *a = d->ntracks > 0 && d->fd >= 0 ? analysis_new() : NULL;
    if (!a)
        return NULL;
    a->ddp = d;
    a->slots = calloc((size_t)d->ntracks, sizeof *a->slots);
    bool ok = a->slots != NULL;
    for (int i = 0; ok && i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        char name[32];
        snprintf(name, sizeof name, "track %02d", t->number);
        a->nslots++;
        struct mixrec *m = (a->slots[i].file = strdup(name)) ? mix_for(a, name) : NULL;
        struct procrec *p = m ? proc_for(a, m, strdup("ddp"), 0) : NULL;
        ok = p && p->text;
        if (ok) {
            m->ddp = d;
            m->from = (t->start >= 0 ? t->start : 0) * DDP_SECTOR_FRAMES;
            m->frames = t->next > t->start ? (t->next - t->start) * DDP_SECTOR_FRAMES : 0;
            p->referenced = true;
            a->slots[i].mix = m;
            a->slots[i].proc = p;
        }
    }
    a->ntracks = a->nslots;
    if (!ok) {
        analysis_free(a);
        return NULL;
    }
    return start_workers(a);
}

void analysis_update(struct analysis *a, const struct session *s)
{
    if (!a->ddp)
        update(a, s, now() + ANALYSIS_DEBOUNCE);
}

int analysis_fd(const struct analysis *a)
{
    return a->pipe[0];
}

void analysis_drain(struct analysis *a)
{
    char buf[64];
    while (read(a->pipe[0], buf, sizeof buf) > 0)
        ;
}

void analysis_progress(struct analysis *a, int *done, int *total)
{
    *done = *total = 0;
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < a->ntracks; i++) {
        const struct slot *sl = &a->slots[i];
        if (!sl->mix)
            continue;
        (*total)++;
        *done += sl->mix->state != 0 && (sl->mix->state < 0 || (sl->proc && sl->proc->state != 0));
    }
    pthread_mutex_unlock(&a->lock);
}

int analysis_get(struct analysis *a, const char *file, struct loudness_result *out)
{
    int r = -1;
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < a->nslots; i++)
        if (a->slots[i].file && strcmp(a->slots[i].file, file) == 0) {
            const struct mixrec *m = a->slots[i].mix;
            r = m ? m->state : -1;
            if (r > 0)
                *out = m->r;
            break;
        }
    pthread_mutex_unlock(&a->lock);
    return r;
}

int analysis_get_processed(struct analysis *a, int track, struct loudness_result *out)
{
    int r = -1;
    pthread_mutex_lock(&a->lock);
    if (track >= 0 && track < a->ntracks && a->slots[track].proc) {
        const struct procrec *p = a->slots[track].proc;
        r = p->state;
        if (r > 0)
            *out = p->r;
    }
    pthread_mutex_unlock(&a->lock);
    return r;
}

void analysis_counts(struct analysis *a, int *decoded, int *cached)
{
    *decoded = atomic_load(&a->decoded);
    *cached = atomic_load(&a->hits);
}
