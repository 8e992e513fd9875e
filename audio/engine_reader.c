/* SPDX-License-Identifier: MIT */
/* The engine's reader thread (engine.h says what it may do): a DDP image's
 * frames into the ring the audio thread plays from, or, for a session, the
 * fast-forward to the first frame to play, the hand-over of the DSP to the
 * audio thread, and then the mixes fed to it (mix_feed.c). */
#include <stdatomic.h>
#include <stdio.h>

#include "audio/ddp_read.h"
#include "audio/engine_private.h"
#include "audio/mix_feed.h"
#include "audio/ring.h"

/* Hands DDP frames [from, from+n) of the block to the audio thread,
 * waiting while the ring is full. */
static bool queue(struct engine *e, const struct render_block *b, int from, int n)
{
    while (n > 0) {
        int chunk = n < DDP_CHUNK ? n : DDP_CHUNK;
        engine_convert(e, b, from, chunk, e->staging);
        size_t bytes = (size_t)chunk * (size_t)e->frame_bytes;
        while (!ring_write(e->pcm, e->staging, bytes)) {
            if (atomic_load(&e->stop))
                return false;
            engine_sleep_ms(2);
        }
        from += chunk;
        n -= chunk;
    }
    return true;
}

/* The image is the sound as pressed: no state before the start to rebuild. */
static bool read_ddp(struct engine *e, char *err, size_t errlen)
{
    for (int64_t pos = e->start; pos < e->end && !atomic_load(&e->stop);) {
        int64_t n = e->end - pos < READ_BLOCK ? e->end - pos : READ_BLOCK;
        int64_t got = ddp_read_pcm(e->ddp, pos, e->ddp_s16, n, err, errlen);
        if (got < 0)
            return false;
        if (got == 0)
            break;
        for (int64_t i = 0; i < got * 2; i++)
            e->ddp_pcm[i] = e->ddp_s16[i];
        struct render_block b = { .pcm = e->ddp_pcm, .frames = (int)got, .position = pos };
        if (!queue(e, &b, 0, (int)got)) {
            snprintf(err, errlen, "stopped");
            return false;
        }
        pos += got;
    }
    return true;
}

/* Runs the album from `from` up to the span's start without playing it, so
 * that every chain, converter, limiter and dither is where it will be there. */
static bool fast_forward(struct engine *e, char *err, size_t errlen)
{
    mix_feed_direct(e->feed, true);
    while (!e->finished && e->emitted < e->start) {
        if (atomic_load(&e->stop)) {
            snprintf(err, errlen, "stopped");
            return false;
        }
        if (!engine_dsp_step(e, READ_BLOCK)) {
            snprintf(err, errlen, "%s", e->dsp_error ? e->dsp_error : album_stream_error(e->album));
            return false;
        }
    }
    mix_feed_direct(e->feed, false);
    return true;
}

void *engine_reader_main(void *arg)
{
    struct engine *e = arg;
    char err[512] = "";
    bool ok;
    if (e->ddp) {
        ok = read_ddp(e, err, sizeof err);
    } else {
        ok = e->start <= e->stage_from || fast_forward(e, err, sizeof err);
        atomic_store_explicit(&e->handed, true, memory_order_release);
        ok = ok && mix_feed_run(e->feed, &e->primed, err, sizeof err);
    }
    if (!ok && !atomic_load(&e->stop)) {
        snprintf(e->reader_err, sizeof e->reader_err, "%s", err);
        atomic_store(&e->reader_failed, true);
    }
    atomic_store(&e->primed, true);
    atomic_store(&e->reader_done, true);
    return NULL;
}
