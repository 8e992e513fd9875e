/* SPDX-License-Identifier: MIT */
/* A lock-free single-producer, single-consumer byte ring: one thread writes,
 * one other thread reads, neither ever waits on the other. */
#ifndef LATHE_RING_H
#define LATHE_RING_H

#include <stdbool.h>
#include <stddef.h>

struct ring;

/* A ring holding at least `bytes` (rounded up to a power of two). */
struct ring *ring_new(size_t bytes);
void ring_free(struct ring *r);

/* Empties the ring; only while neither side is using it. */
void ring_reset(struct ring *r);

/* Producer side. Audio-thread safe: no allocation, lock or I/O. */
size_t ring_write_space(const struct ring *r);
/* Writes all of `n` bytes or nothing (false when there is not room). */
bool ring_write(struct ring *r, const void *data, size_t n);

/* Consumer side. Audio-thread safe: no allocation, lock or I/O. */
size_t ring_read_space(const struct ring *r);
/* The readable bytes that are contiguous in memory, at *data. */
size_t ring_peek(const struct ring *r, const void **data);
/* Reads all of `n` bytes or nothing. */
bool ring_read(struct ring *r, void *data, size_t n);
/* Drops `n` (<= ring_read_space) bytes after they have been used. */
void ring_consume(struct ring *r, size_t n);

#endif
