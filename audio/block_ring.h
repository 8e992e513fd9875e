/* SPDX-License-Identifier: MIT */
/* A ring of audio blocks that one thread fills and one or more consumer
 * threads each read in order, every consumer at its own pace: the reader of
 * a render runs up to the ring's length ahead of the slowest output
 * worker, so that threads which cost different amounts per block keep the
 * cores busy instead of meeting at every block.
 *
 * A slot is written only after every consumer has released it, and read
 * only after it was published; the lock that hands it over orders the
 * memory, so nothing in a block needs atomics. */
#ifndef LATHE_BLOCK_RING_H
#define LATHE_BLOCK_RING_H

#include <stdbool.h>

struct block_ring;

/* NULL on bad arguments or when memory runs out. */
struct block_ring *block_ring_new(int nblocks, int block_frames, int channels, int nconsumers);
void block_ring_free(struct block_ring *r);

/* Producer: the next slot to fill (block_frames frames), once every
 * consumer has released it; NULL after block_ring_close. */
double *block_ring_slot(struct block_ring *r);
/* Producer: the slot from block_ring_slot holds `frames` frames. */
void block_ring_publish(struct block_ring *r, int frames);
/* Producer: no more blocks. Consumers read what was published, then end. */
void block_ring_close(struct block_ring *r);
/* Producer: waits until every consumer has released every published block. */
void block_ring_wait_drained(struct block_ring *r);

/* Consumer `c`: the next block and its frame count; false when the ring is
 * closed and every block was read. A sole consumer may change the block in
 * place; several only read it. */
bool block_ring_next(struct block_ring *r, int c, double **buf, int *frames);
/* Consumer `c`: done with the block from block_ring_next. `failed` marks the
 * ring failed for the producer to see (block_ring_failed). */
void block_ring_release(struct block_ring *r, int c, bool failed);
/* True once a consumer released a block with `failed`. */
bool block_ring_failed(struct block_ring *r);

#endif
