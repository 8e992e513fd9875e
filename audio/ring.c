/* SPDX-License-Identifier: MIT */
/* The SPSC byte ring (ring.h).
 *
 * Invariant: `head` is written only by the producer and `tail` only by the
 * consumer; both count bytes for ever (wrapping size_t arithmetic), so
 * head - tail is what is readable. The producer publishes data with a
 * release store of head after copying; the consumer frees space with a
 * release store of tail after using it. */
#include "audio/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct ring {
    unsigned char *buf;
    size_t size, mask;
    _Atomic size_t head;    /* bytes ever written */
    _Atomic size_t tail;    /* bytes ever read */
};

struct ring *ring_new(size_t bytes)
{
    size_t size = 16;
    while (size < bytes)
        size <<= 1;
    struct ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->buf = calloc(1, size);
    if (!r->buf) {
        free(r);
        return NULL;
    }
    r->size = size;
    r->mask = size - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return r;
}

void ring_free(struct ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

size_t ring_write_space(const struct ring *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    return r->size - (head - tail);
}

bool ring_write(struct ring *r, const void *data, size_t n)
{
    if (ring_write_space(r) < n)
        return false;
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t at = head & r->mask, first = r->size - at < n ? r->size - at : n;
    memcpy(r->buf + at, data, first);
    memcpy(r->buf, (const unsigned char *)data + first, n - first);
    atomic_store_explicit(&r->head, head + n, memory_order_release);
    return true;
}

size_t ring_read_space(const struct ring *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    return head - tail;
}

size_t ring_peek(const struct ring *r, const void **data)
{
    size_t n = ring_read_space(r);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t at = tail & r->mask;
    *data = r->buf + at;
    return r->size - at < n ? r->size - at : n;
}

bool ring_read(struct ring *r, void *data, size_t n)
{
    if (ring_read_space(r) < n)
        return false;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t at = tail & r->mask, first = r->size - at < n ? r->size - at : n;
    memcpy(data, r->buf + at, first);
    memcpy((unsigned char *)data + first, r->buf, n - first);
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return true;
}

void ring_consume(struct ring *r, size_t n)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
}

void ring_reset(struct ring *r)
{
    atomic_store(&r->head, 0);
    atomic_store(&r->tail, 0);
}
