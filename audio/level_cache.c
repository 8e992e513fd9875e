/* SPDX-License-Identifier: MIT */
/* Leveling's cache (level_cache.h).
 *
 * Threads: the mixes of track leveling are read by LEVEL_CACHE_WORKERS
 * workers that take whole tracks in turn (a counter under a mutex) and
 * write disjoint ranges of the cache; the first failure is kept under the
 * same mutex and stops the others at their next track. The cache is only
 * read after they are joined. */
#include "audio/level_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "audio/framecache.h"
#include "audio/mix_reader.h"

#define LEVEL_CACHE_WORKERS 2

struct level_cache {
    enum level_cache_kind kind;
    const struct timeline *tl;
    struct framecache *fc;
    int64_t *offset;            /* LEVEL_CACHE_MIXES: each track's first frame */
    struct album_source source;
    struct album_premaster premaster;
    struct measure_feed feed;
};

/* ---- reading it back ---- */

static bool premaster_read(void *ctx, int64_t pos, double *buf, int frames, char *err,
                           size_t errlen)
{
    struct level_cache *c = ctx;
    return framecache_read(c->fc, pos, buf, frames, err, errlen);
}

static int mix_read(void *ctx, int track, int64_t pos, double *buf, int frames, char *err,
                    size_t errlen)
{
    struct level_cache *c = ctx;
    int64_t left = c->tl->tracks[track].audio_length - pos;
    int n = left < frames ? (int)(left > 0 ? left : 0) : frames;
    return framecache_read(c->fc, c->offset[track] + pos, buf, n, err, errlen) ? n : -1;
}

static void mix_close(void *ctx, int track)
{
    (void)ctx;
    (void)track;
}

/* ---- album leveling: the album before the master ---- */

static bool build_premaster(struct level_cache *c, const struct session *s, bool *fatal,
                            char *err, size_t errlen)
{
    struct album_stream *a = album_stream_new(s, c->tl, err, errlen);
    double *buf = malloc(sizeof(double) * ALBUM_MAX_BLOCK * ALBUM_CHANNELS);
    if (!a || !buf) {
        if (a)
            snprintf(err, errlen, "out of memory");
        *fatal = true;
        album_stream_free(a);
        free(buf);
        return false;
    }
    album_stream_skip_master(a, true);
    bool ok = true;
    int64_t pos = 0;
    int n;
    while (ok && (n = album_stream_read(a, buf, ALBUM_MAX_BLOCK)) > 0) {
        ok = framecache_write(c->fc, pos, buf, n, err, errlen);
        pos += n;
    }
    if (ok && n < 0) {
        snprintf(err, errlen, "%s", album_stream_error(a));
        ok = false;
        *fatal = true;
    }
    album_stream_free(a);
    free(buf);
    return ok;
}

/* ---- track leveling: every mix, by workers ---- */

struct workers {
    struct level_cache *c;
    const struct session *s;
    pthread_mutex_t lock;
    int next;                   /* the next track to take */
    bool failed, fatal;
    char err[4096];
};

/* One track's mix into the cache; false with a message in err. */
static bool read_mix(struct workers *w, int i, double *buf, bool *fatal, char *err, size_t errlen)
{
    const struct timeline_track *tt = &w->c->tl->tracks[i];
    struct mix_reader *m = mix_reader_open(w->s, w->c->tl, i, 0, err, errlen);
    if (!m) {
        *fatal = true;
        return false;
    }
    bool ok = true;
    for (int64_t pos = 0; ok && pos < tt->audio_length; pos += MIX_READER_MAX_BLOCK) {
        int want = tt->audio_length - pos < MIX_READER_MAX_BLOCK ? (int)(tt->audio_length - pos)
                                                                 : MIX_READER_MAX_BLOCK;
        int got = mix_reader_read(m, buf, want, err, errlen);
        if (got < 0) {
            *fatal = true;
            ok = false;
            break;
        }
        /* as the album stream does with a mix that ends early */
        memset(buf + (size_t)got * ALBUM_CHANNELS, 0,
               sizeof(double) * (size_t)(want - got) * ALBUM_CHANNELS);
        ok = framecache_write(w->c->fc, w->c->offset[i] + pos, buf, want, err, errlen);
    }
    mix_reader_close(m);
    return ok;
}

static void *worker_main(void *arg)
{
    struct workers *w = arg;
    double *buf = malloc(sizeof(double) * MIX_READER_MAX_BLOCK * ALBUM_CHANNELS);
    char err[4096];
    for (;;) {
        pthread_mutex_lock(&w->lock);
        int i = w->failed ? w->s->ntracks : w->next++;
        if (!buf && !w->failed) {
            w->failed = true;
            snprintf(w->err, sizeof w->err, "out of memory");
        }
        pthread_mutex_unlock(&w->lock);
        if (!buf || i >= w->s->ntracks)
            break;
        bool fatal = false;
        if (!read_mix(w, i, buf, &fatal, err, sizeof err)) {
            pthread_mutex_lock(&w->lock);
            if (!w->failed) {
                w->failed = true;
                w->fatal = fatal;
                snprintf(w->err, sizeof w->err, "%s", err);
            }
            pthread_mutex_unlock(&w->lock);
        }
    }
    free(buf);
    return NULL;
}

static bool build_mixes(struct level_cache *c, const struct session *s, bool *fatal, char *err,
                        size_t errlen)
{
    struct workers w = { .c = c, .s = s };
    pthread_mutex_init(&w.lock, NULL);
    pthread_t th[LEVEL_CACHE_WORKERS];
    int started = 0;
    int want = s->ntracks < LEVEL_CACHE_WORKERS ? s->ntracks : LEVEL_CACHE_WORKERS;
    while (started < want && pthread_create(&th[started], NULL, worker_main, &w) == 0)
        started++;
    if (started == 0 && s->ntracks > 0)
        worker_main(&w);        /* no thread to be had: this one does it */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&w.lock);
    if (w.failed) {
        *fatal = w.fatal;
        snprintf(err, errlen, "%s", w.err);
    }
    return !w.failed;
}

struct level_cache *level_cache_build(const struct session *s, const struct timeline *tl,
                                      enum level_cache_kind kind, const char *dir,
                                      bool *fatal, char *err, size_t errlen)
{
    *fatal = false;
    struct level_cache *c = calloc(1, sizeof *c);
    if (c)
        c->offset = calloc((size_t)s->ntracks + 1, sizeof *c->offset);
    if (!c || !c->offset) {
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->kind = kind;
    c->tl = tl;
    int64_t frames = tl->end;
    if (kind == LEVEL_CACHE_MIXES) {
        for (int i = 0; i < s->ntracks; i++)
            c->offset[i + 1] = c->offset[i] + tl->tracks[i].audio_length;
        frames = c->offset[s->ntracks];
    }
    c->fc = framecache_new(frames, dir, err, errlen);
    if (!c->fc || !(kind == LEVEL_CACHE_PREMASTER ? build_premaster(c, s, fatal, err, errlen)
                                                 : build_mixes(c, s, fatal, err, errlen))) {
        level_cache_free(c);
        return NULL;
    }
    if (kind == LEVEL_CACHE_PREMASTER) {
        c->premaster = (struct album_premaster){ .ctx = c, .read = premaster_read };
        c->feed.premaster = &c->premaster;
    } else {
        c->source = (struct album_source){ .ctx = c, .read = mix_read, .close = mix_close };
        c->feed.source = &c->source;
    }
    return c;
}

void level_cache_free(struct level_cache *c)
{
    if (!c)
        return;
    framecache_free(c->fc);
    free(c->offset);
    free(c);
}

const struct measure_feed *level_cache_feed(struct level_cache *c)
{
    return &c->feed;
}

bool level_cache_on_disk(const struct level_cache *c)
{
    return framecache_on_disk(c->fc);
}
