/* SPDX-License-Identifier: MIT */
/* Loudness of the album as a render would deliver it (measure.h).
 *
 * Threads: a reader thread runs the album (decode, track and master chains)
 * up to FEED_BLOCKS blocks ahead while the calling thread limits and meters,
 * so the two halves of a leveling pass share two cores. The blocks go
 * through a block ring; the reader owns the album stream until it is
 * joined. */
#include "audio/measure.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "audio/block_ring.h"
#include "dsp/chain.h"

#define FEED_BLOCKS 4

/* The reader thread: the album into the ring until it ends, fails (`result`
 * < 0) or the consumer closes the ring. */
struct reader {
    struct album_stream *a;
    struct block_ring *ring;
    int result;                 /* album_stream_read's last: 0 at the end, < 0 failed */
};

static void *reader_main(void *arg)
{
    struct reader *rd = arg;
    double *buf;
    while ((buf = block_ring_slot(rd->ring)) != NULL) {
        int n = album_stream_read(rd->a, buf, ALBUM_MAX_BLOCK);
        if (n <= 0) {
            rd->result = n;
            break;
        }
        block_ring_publish(rd->ring, n);
    }
    block_ring_close(rd->ring);
    return NULL;
}

bool measure_album(const struct session *s, const struct timeline *tl, bool has_ceiling,
                   double ceiling, enum album_meter_mode mode, struct loudness_result *tracks,
                   struct loudness_result *album, char *err, size_t errlen)
{
    return measure_album_feed(s, tl, NULL, has_ceiling, ceiling, mode, tracks, album, err,
                              errlen);
}

bool measure_album_feed(const struct session *s, const struct timeline *tl,
                        const struct measure_feed *feed, bool has_ceiling, double ceiling,
                        enum album_meter_mode mode, struct loudness_result *tracks,
                        struct loudness_result *album, char *err, size_t errlen)
{
    struct album_stream *a = feed && feed->source
                                 ? album_stream_new_source(s, tl, feed->source, err, errlen)
                                 : album_stream_new(s, tl, err, errlen);
    if (!a)
        return false;
    if (feed && feed->premaster)
        album_stream_set_premaster(a, feed->premaster);
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
    double *tail = malloc(sizeof(double) * ALBUM_MAX_BLOCK * 2);
    struct reader rd = { .a = a, .ring = block_ring_new(FEED_BLOCKS, ALBUM_MAX_BLOCK, 2, 1) };
    bool ok = meter && tail && rd.ring;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    pthread_t reader;
    if (ok && pthread_create(&reader, NULL, reader_main, &rd) != 0) {
        snprintf(err, errlen, "cannot start a thread to read the album");
        ok = false;
    }
    bool threaded = ok;
    bool metered = true;        /* false when the meter ran out of memory */
    double *buf;
    int n;
    /* the limiter works in place: the block is released after metering */
    while (ok && block_ring_next(rd.ring, 0, &buf, &n)) {
        int out = runner ? chain_runner_process(runner, buf, n) : n;
        ok = metered = album_meter_add(meter, buf, out);
        block_ring_release(rd.ring, 0, false);
    }
    if (threaded) {
        block_ring_close(rd.ring);      /* the reader stops, if we stopped first */
        pthread_join(reader, NULL);
        if (rd.result < 0) {
            snprintf(err, errlen, "%s", album_stream_error(a));
            ok = false;
        }
    }
    while (ok && runner && (n = chain_runner_finish(runner, tail, ALBUM_MAX_BLOCK)) > 0)
        ok = metered = album_meter_add(meter, tail, n);
    if (!metered)
        snprintf(err, errlen, "out of memory");
    if (ok && !album_meter_finish(meter, tracks, album)) {
        snprintf(err, errlen, "out of memory");
        ok = false;
    }
    album_meter_free(meter);
    block_ring_free(rd.ring);
    free(tail);
    chain_runner_free(runner);
    chain_free(limiter);
    album_stream_free(a);
    return ok;
}
