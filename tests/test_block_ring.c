/* SPDX-License-Identifier: MIT */
/* Tests of audio/block_ring: consumers at different paces each see every
 * block in order and intact (a slot overwritten before its release would
 * show), a closed ring ends them, and a failure reaches the producer. */
#include "audio/block_ring.h"
#include "tests/harness.h"

#include <pthread.h>
#include <time.h>

#define FRAMES 64
#define BLOCKS 500

struct consumer {
    struct block_ring *ring;
    int index;
    long pause_ns;              /* per block: the slow one lags the others */
    int seen;                   /* blocks read in order and intact */
    int bad;
    int fail_at;                /* release this block as failed; -1 never */
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    double *buf;
    int frames;
    while (block_ring_next(c->ring, c->index, &buf, &frames)) {
        bool intact = frames == 1 + c->seen % FRAMES;
        for (int i = 0; i < 2 * frames; i++)
            intact &= buf[i] == c->seen * 1000.0 + i;
        if (c->pause_ns) {
            struct timespec ts = { 0, c->pause_ns };
            nanosleep(&ts, NULL);
        }
        /* read again after the pause: still ours */
        for (int i = 0; i < 2 * frames; i++)
            intact &= buf[i] == c->seen * 1000.0 + i;
        c->bad += !intact;
        block_ring_release(c->ring, c->index, c->seen == c->fail_at);
        c->seen++;
    }
    return NULL;
}

static void produce(struct block_ring *r, int blocks)
{
    for (int b = 0; b < blocks; b++) {
        double *buf = block_ring_slot(r);
        CHECK(buf != NULL);
        if (!buf)
            return;
        int frames = 1 + b % FRAMES;
        for (int i = 0; i < 2 * frames; i++)
            buf[i] = b * 1000.0 + i;
        block_ring_publish(r, frames);
    }
}

TEST(every_consumer_sees_every_block_in_order_and_intact)
{
    struct block_ring *r = block_ring_new(4, FRAMES, 2, 3);
    CHECK(r);
    if (!r)
        return;
    struct consumer c[3] = {
        { r, 0, 0, 0, 0, -1 }, { r, 1, 20000, 0, 0, -1 }, { r, 2, 3000, 0, 0, -1 },
    };
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, consume, &c[i]);
    produce(r, BLOCKS);
    block_ring_wait_drained(r);
    CHECK(!block_ring_failed(r));
    block_ring_close(r);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ_INT(c[i].seen, BLOCKS);
        CHECK_EQ_INT(c[i].bad, 0);
    }
    block_ring_free(r);
}

TEST(a_failure_reaches_the_producer_and_close_ends_everyone)
{
    struct block_ring *r = block_ring_new(2, FRAMES, 2, 2);
    CHECK(r);
    if (!r)
        return;
    struct consumer c[2] = { { r, 0, 0, 0, 0, 5 }, { r, 1, 0, 0, 0, -1 } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, consume, &c[i]);
    produce(r, 10);
    block_ring_wait_drained(r);
    CHECK(block_ring_failed(r));
    block_ring_close(r);
    CHECK(block_ring_slot(r) == NULL);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ_INT(c[i].seen, 10);
    }
    block_ring_free(r);
}

TEST(bad_arguments_are_refused)
{
    CHECK(block_ring_new(0, FRAMES, 2, 1) == NULL);
    CHECK(block_ring_new(2, 0, 2, 1) == NULL);
    CHECK(block_ring_new(2, FRAMES, 2, 0) == NULL);
    block_ring_free(NULL);
}
