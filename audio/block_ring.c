/* SPDX-License-Identifier: MIT */
/* One producer, several in-order consumers (block_ring.h). */
#include "audio/block_ring.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

struct block_ring {
    int nblocks, block_frames, channels, nconsumers;
    double *data;               /* nblocks x block_frames x channels */
    int *frames;                /* per slot */
    int64_t produced;           /* blocks published */
    int64_t *consumed;          /* per consumer: blocks released */
    bool closed, failed;
    pthread_mutex_t lock;
    pthread_cond_t published;   /* consumers wait on it */
    pthread_cond_t released;    /* the producer waits on it */
};

struct block_ring *block_ring_new(int nblocks, int block_frames, int channels, int nconsumers)
{
    if (nblocks < 1 || block_frames < 1 || channels < 1 || nconsumers < 1)
        return NULL;
    struct block_ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->nblocks = nblocks;
    r->block_frames = block_frames;
    r->channels = channels;
    r->nconsumers = nconsumers;
    r->data = malloc(sizeof *r->data * (size_t)nblocks * (size_t)block_frames * (size_t)channels);
    r->frames = calloc((size_t)nblocks, sizeof *r->frames);
    r->consumed = calloc((size_t)nconsumers, sizeof *r->consumed);
    if (!r->data || !r->frames || !r->consumed) {
        free(r->data);
        free(r->frames);
        free(r->consumed);
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->published, NULL);
    pthread_cond_init(&r->released, NULL);
    return r;
}

void block_ring_free(struct block_ring *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->published);
    pthread_cond_destroy(&r->released);
    free(r->data);
    free(r->frames);
    free(r->consumed);
    free(r);
}

/* Under the lock: the fewest blocks any consumer has released. */
static int64_t slowest(const struct block_ring *r)
{
    int64_t least = r->consumed[0];
    for (int c = 1; c < r->nconsumers; c++)
        if (r->consumed[c] < least)
            least = r->consumed[c];
    return least;
}

static double *slot_data(struct block_ring *r, int64_t block)
{
    return r->data + (size_t)(block % r->nblocks) * (size_t)r->block_frames * (size_t)r->channels;
}

double *block_ring_slot(struct block_ring *r)
{
    pthread_mutex_lock(&r->lock);
    while (!r->closed && r->produced - slowest(r) >= r->nblocks)
        pthread_cond_wait(&r->released, &r->lock);
    double *buf = r->closed ? NULL : slot_data(r, r->produced);
    pthread_mutex_unlock(&r->lock);
    return buf;
}

void block_ring_publish(struct block_ring *r, int frames)
{
    pthread_mutex_lock(&r->lock);
    r->frames[r->produced % r->nblocks] = frames;
    r->produced++;
    pthread_cond_broadcast(&r->published);
    pthread_mutex_unlock(&r->lock);
}

void block_ring_close(struct block_ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->closed = true;
    pthread_cond_broadcast(&r->published);
    pthread_cond_broadcast(&r->released);
    pthread_mutex_unlock(&r->lock);
}

void block_ring_wait_drained(struct block_ring *r)
{
    pthread_mutex_lock(&r->lock);
    while (slowest(r) < r->produced)
        pthread_cond_wait(&r->released, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

bool block_ring_next(struct block_ring *r, int c, double **buf, int *frames)
{
    pthread_mutex_lock(&r->lock);
    while (!r->closed && r->consumed[c] == r->produced)
        pthread_cond_wait(&r->published, &r->lock);
    bool more = r->consumed[c] < r->produced;
    if (more) {
        *buf = slot_data(r, r->consumed[c]);
        *frames = r->frames[r->consumed[c] % r->nblocks];
    }
    pthread_mutex_unlock(&r->lock);
    return more;
}

void block_ring_release(struct block_ring *r, int c, bool failed)
{
    pthread_mutex_lock(&r->lock);
    r->consumed[c]++;
    r->failed |= failed;
    pthread_cond_broadcast(&r->released);
    pthread_mutex_unlock(&r->lock);
}

bool block_ring_failed(struct block_ring *r)
{
    pthread_mutex_lock(&r->lock);
    bool failed = r->failed;
    pthread_mutex_unlock(&r->lock);
    return failed;
}
