/* SPDX-License-Identifier: MIT */
/* Loudness of the album as a render would deliver it (measure.h).
 *
 * Threads: a reader thread runs the album (decode, track and master chains)
 * up to FEED_BLOCKS blocks ahead while the calling thread limits and meters,
 * so the two halves of a leveling pass share two cores. The blocks go
 * through `feed` in order; `count` (under `lock`) says how many are ready;
 * the reader owns the album stream until it is joined. */
#include "audio/measure.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "dsp/chain.h"

#define FEED_BLOCKS 4

struct feed {
    struct album_stream *a;
    double *buf[FEED_BLOCKS];
    int frames[FEED_BLOCKS];    /* as album_stream_read returned; <= 0 ends */
    int count;                  /* blocks ready, under lock */
    bool stop;                  /* the consumer gave up, under lock */
    pthread_mutex_t lock;
    pthread_cond_t changed;
};

static void *feed_main(void *arg)
{
    struct feed *f = arg;
    for (int i = 0;; i = (i + 1) % FEED_BLOCKS) {
        pthread_mutex_lock(&f->lock);
        while (f->count == FEED_BLOCKS && !f->stop)
            pthread_cond_wait(&f->changed, &f->lock);
        bool stop = f->stop;
        pthread_mutex_unlock(&f->lock);
        if (stop)
            return NULL;
        int n = album_stream_read(f->a, f->buf[i], ALBUM_MAX_BLOCK);
        pthread_mutex_lock(&f->lock);
        f->frames[i] = n;
        f->count++;
        pthread_cond_signal(&f->changed);
        pthread_mutex_unlock(&f->lock);
        if (n <= 0)
            return NULL;
    }
}

/* The next block from the reader (threaded) or straight from the album. */
static int feed_next(struct feed *f, bool threaded, int *slot, double **buf)
{
    if (!threaded) {
        *buf = f->buf[0];
        return album_stream_read(f->a, f->buf[0], ALBUM_MAX_BLOCK);
    }
    pthread_mutex_lock(&f->lock);
    while (f->count == 0)
        pthread_cond_wait(&f->changed, &f->lock);
    pthread_mutex_unlock(&f->lock);
    *buf = f->buf[*slot];
    return f->frames[*slot];
}

/* The consumer is done with the block in `slot`. */
static void feed_release(struct feed *f, bool threaded, int *slot)
{
    if (!threaded)
        return;
    pthread_mutex_lock(&f->lock);
    f->count--;
    pthread_cond_signal(&f->changed);
    pthread_mutex_unlock(&f->lock);
    *slot = (*slot + 1) % FEED_BLOCKS;
}

bool measure_album(const struct session *s, const struct timeline *tl, bool has_ceiling,
                   double ceiling, enum album_meter_mode mode, struct loudness_result *tracks,
                   struct loudness_result *album, char *err, size_t errlen)
{
    struct album_stream *a = album_stream_new(s, tl, err, errlen);
    if (!a)
        return false;
    struct chain *limiter = NULL;
    struct chain_runner *runner = NULL;
    if (has_ceiling) {
        struct proc p;
        proc_init(&p, PROC_LIMIT);
        proc_set(&p, LIMIT_CEILING, ceiling);
        limiter = chain_new(&p, 1, tl->rate, 2, ALBUM_MAX_BLOCK);
        runner = limiter ? chain_runner_new(limiter) : NULL;
        if (!runner) {
            snprintf(err, errlen, "the true-peak limiter cannot be built");
            chain_free(limiter);
            album_stream_free(a);
            return false;
        }
    }
    int64_t *bounds = malloc(sizeof *bounds * ((size_t)tl->ntracks + 1));
    for (int i = 0; bounds && i < tl->ntracks; i++)
        bounds[i] = tl->tracks[i].index1;
    if (bounds)
        bounds[tl->ntracks] = tl->ntracks ? tl->tracks[tl->ntracks - 1].next_index1 : 0;
    struct album_meter *meter =
        bounds ? album_meter_new(tl->rate, 2, bounds, tl->ntracks, mode) : NULL;
    free(bounds);
    struct feed f = { .a = a };
    bool ok = meter != NULL;
    for (int i = 0; i < FEED_BLOCKS; i++)
        ok &= (f.buf[i] = malloc(sizeof(double) * ALBUM_MAX_BLOCK * 2)) != NULL;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    pthread_t reader;
    pthread_mutex_init(&f.lock, NULL);
    pthread_cond_init(&f.changed, NULL);
    bool threaded = ok && pthread_create(&reader, NULL, feed_main, &f) == 0;
    int n = 0, slot = 0;
    double *buf = f.buf[0];
    while (ok && (n = feed_next(&f, threaded, &slot, &buf)) != 0) {
        if (n < 0) {
            ok = false;
            break;
        }
        /* the limiter works in place: the block is released after metering */
        int out = runner ? chain_runner_process(runner, buf, n) : n;
        ok = album_meter_add(meter, buf, out);
        feed_release(&f, threaded, &slot);
    }
    if (threaded) {
        pthread_mutex_lock(&f.lock);
        f.stop = true;
        pthread_cond_signal(&f.changed);
        pthread_mutex_unlock(&f.lock);
        pthread_join(reader, NULL);
    }
    if (n < 0)
        snprintf(err, errlen, "%s", album_stream_error(a));
    buf = f.buf[0];
    while (ok && buf && runner && (n = chain_runner_finish(runner, buf, ALBUM_MAX_BLOCK)) > 0)
        ok = album_meter_add(meter, buf, n);
    if (ok && !album_meter_finish(meter, tracks, album)) {
        snprintf(err, errlen, "out of memory");
        ok = false;
    }
    album_meter_free(meter);
    for (int i = 0; i < FEED_BLOCKS; i++)
        free(f.buf[i]);
    pthread_mutex_destroy(&f.lock);
    pthread_cond_destroy(&f.changed);
    chain_runner_free(runner);
    chain_free(limiter);
    album_stream_free(a);
    return ok;
}
