/* SPDX-License-Identifier: MIT */
/* The engine's audio thread (engine.h says what it may and may not do),
 * and the DSP step it runs a period at a time, which the reader also runs
 * to fast-forward before it hands the DSP over: so everything here keeps
 * the audio thread's rules, and each function says in one line which
 * thread calls it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "audio/album_stream.h"
#include "audio/engine_private.h"
#include "audio/outstage.h"
#include "audio/ring.h"
#include "dsp/level_meter.h"

#define STALL_SECONDS 2         /* a device that takes nothing this long is lost */

/* ---- shared by both threads ---- */

/* Audio thread (while a mix ring is short) and reader (while rings are full). */
void engine_sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* Audio thread (and the reader's fast-forward): frames [from, from+n) of
 * the block, as the device takes them, to `to`. */
void engine_convert(const struct engine *e, const struct render_block *b, int from, int n,
                    unsigned char *to)
{
    size_t k = (size_t)from * 2, count = (size_t)n * 2;
    if (e->sample == PCM_S16) {
        int16_t *d = (int16_t *)to;
        for (size_t i = 0; i < count; i++)
            d[i] = (int16_t)b->pcm[k + i];
    } else if (e->sample == PCM_S32) {
        int32_t *d = (int32_t *)to;
        for (size_t i = 0; i < count; i++)
            d[i] = (int32_t)((uint32_t)b->pcm[k + i] << 8);
    } else {
        float *d = (float *)to;
        for (size_t i = 0; i < count; i++)
            d[i] = (float)b->samples[k + i];
    }
}

/* Audio thread (and fast-forward): the stage's frames that fall in the
 * span go to the device FIFO. */
static bool emit_fifo(void *ctx, const struct render_block *b, char *err, size_t errlen)
{
    struct engine *e = ctx;
    (void)err;
    (void)errlen;
    int64_t lo = b->position > e->start ? b->position : e->start;
    int64_t hi = b->position + b->frames < e->end ? b->position + b->frames : e->end;
    e->emitted = b->position + b->frames;
    if (e->emitted >= e->end)
        e->finished = true;
    if (hi <= lo)
        return true;
    long n = (long)(hi - lo);
    if (e->fifo_off + e->fifo_len + n > e->fifo_cap) {
        memmove(e->fifo, e->fifo + (size_t)e->fifo_off * (size_t)e->frame_bytes,
                (size_t)e->fifo_len * (size_t)e->frame_bytes);
        e->fifo_off = 0;
    }
    if (e->fifo_len + n > e->fifo_cap) {
        e->dsp_error = "the device FIFO overflowed (a bug)";
        return false;
    }
    engine_convert(e, b, (int)(lo - b->position), (int)n,
            e->fifo + (size_t)(e->fifo_off + e->fifo_len) * (size_t)e->frame_bytes);
    e->fifo_len += n;
    return true;
}

/* Audio thread (and fast-forward): the trim, ramped to where it was set. */
static void apply_trim(struct engine *e, double *buf, int n)
{
    double target = atomic_load_explicit(&e->trim, memory_order_relaxed);
    if (target != e->trim_to) {
        e->trim_from = e->trim_now;
        e->trim_to = target;
        e->trim_left = e->ramp;
    }
    if (e->trim_left == 0 && e->trim_now == 1.0)
        return;
    for (int i = 0; i < n; i++) {
        if (e->trim_left > 0) {
            e->trim_now = e->trim_to + (e->trim_from - e->trim_to) * e->trim_left / e->ramp;
            e->trim_left--;
        } else {
            e->trim_now = e->trim_to;
        }
        for (int c = 0; c < ALBUM_CHANNELS; c++)
            buf[i * ALBUM_CHANNELS + c] *= e->trim_now;
    }
}

/* Audio thread (and fast-forward): one step of the album through the
 * output's stage into the FIFO. */
bool engine_dsp_step(struct engine *e, int frames)
{
    char err[8];    /* the sources' and stage's messages: see dsp_error */
    int n = album_stream_read(e->album, e->block, frames);
    if (n < 0)
        return false;
    if (n == 0) {
        e->finished = true;
        return outstage_finish(e->stage, emit_fifo, e, err, sizeof err);
    }
    apply_trim(e, e->block, n);
    return outstage_push(e->stage, e->block, n, emit_fifo, e, err, sizeof err);
}

/* Audio thread, once a period: takes a published set of chains, hands back
 * the one a finished change let go of. */
static void take_changes(struct engine *e)
{
    if (!atomic_load(&e->retired)) {
        struct album_chains *r = album_stream_retired(e->album);
        if (r)
            atomic_store(&e->retired, r);
    }
    if (album_stream_can_set_chains(e->album) && atomic_load(&e->pending)) {
        struct album_chains *next = atomic_exchange(&e->pending, NULL);
        if (next)
            album_stream_set_chains(e->album, next, e->ramp);
    }
}

/* ---- the audio thread ---- */

/* Audio thread: the track (0-based) at an engine-rate position. */
static int track_at(const struct engine *e, int64_t position)
{
    int t = 0;
    while (t + 1 < e->ntracks && position >= e->marks[t + 1])
        t++;
    return t;
}

/* Audio thread: the frames just written, as floats into the tap (dropped
 * when the reader of the tap lags). */
static void tap(struct engine *e, const void *data, long frames)
{
    if (ring_write_space(e->tap) < (size_t)frames * 2 * sizeof(float))
        return;
    for (long done = 0; done < frames;) {
        long n = frames - done < TAP_CHUNK ? frames - done : TAP_CHUNK;
        for (long i = 0; i < n * 2; i++) {
            long k = done * 2 + i;
            e->tap_buf[i] = e->sample == PCM_S16 ? ((const int16_t *)data)[k] / 32768.0f
                          : e->sample == PCM_S32 ? (float)(((const int32_t *)data)[k] / 2147483648.0)
                                                 : ((const float *)data)[k];
        }
        ring_write(e->tap, e->tap_buf, (size_t)n * 2 * sizeof(float));
        done += n;
    }
}

/* Audio thread: levels of the frames just written, as the device has them. */
static void meter(struct engine *e, const void *data, long frames, int64_t position)
{
    if (e->sample == PCM_S16)
        level_meter_process_s16(e->lm, data, frames);
    else if (e->sample == PCM_S32)
        level_meter_process_s32(e->lm, data, frames);
    else
        level_meter_process_float(e->lm, data, frames);
    tap(e, data, frames);
    struct level_reading r;
    level_meter_take(e->lm, &r);
    struct engine_meter m = { .position = position, .frames = (int)frames,
                              .correlation = (float)r.correlation };
    for (int c = 0; c < 2; c++) {
        m.peak[c] = (float)r.peak[c];
        m.rms[c] = (float)r.rms[c];
        m.true_peak[c] = (float)r.true_peak[c];
    }
    if (e->album) {
        double comp, limit;
        album_stream_gain_reduction(e->album, track_at(e, position), &comp, &limit);
        m.gr_comp = (float)comp;
        m.gr_limit = (float)limit;
    }
    ring_write(e->meters, &m, sizeof m);    /* a full ring drops the frame */
}

/* Audio thread: real-time priority when the system allows it. */
static void go_realtime(struct engine *e)
{
    struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) + 10 };
    atomic_store(&e->realtime, pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0);
}

/* Audio thread: a DDP image's frames from the reader's ring into the FIFO. */
static void take_ddp(struct engine *e, long want)
{
    size_t bytes = (size_t)want * (size_t)e->frame_bytes;
    size_t have = ring_read_space(e->pcm);
    if (have < bytes)
        bytes = have - have % (size_t)e->frame_bytes;
    if (e->fifo_off + e->fifo_len + (long)(bytes / (size_t)e->frame_bytes) > e->fifo_cap) {
        memmove(e->fifo, e->fifo + (size_t)e->fifo_off * (size_t)e->frame_bytes,
                (size_t)e->fifo_len * (size_t)e->frame_bytes);
        e->fifo_off = 0;
    }
    ring_read(e->pcm, e->fifo + (size_t)(e->fifo_off + e->fifo_len) * (size_t)e->frame_bytes, bytes);
    e->fifo_len += (long)(bytes / (size_t)e->frame_bytes);
}

/* Audio thread: fills the FIFO with at least a period, if the album has it.
 * False when the DSP failed (or stop was asked while a ring was short). */
static bool make_period(struct engine *e, long period)
{
    if (e->ddp) {
        if (e->fifo_len < period)
            take_ddp(e, period - e->fifo_len);
        if (e->fifo_len == 0 && !atomic_load(&e->reader_done)) {
            atomic_fetch_add(&e->starved, 1);
            engine_sleep_ms(1);
        }
        /* reader_done before the ring: a frame written before done is seen */
        e->finished = atomic_load(&e->reader_done) && ring_read_space(e->pcm) == 0;
        return true;
    }
    while (e->fifo_len < period && !e->finished)
        if (!engine_dsp_step(e, e->chunk))
            return false;
    return true;
}

/* Audio thread: waits (before the loop) for the reader to hand over. */
static bool wait_for_reader(struct engine *e)
{
    while (!atomic_load(&e->stop)) {
        if (atomic_load(&e->reader_failed))
            return false;
        if (e->ddp ? ring_read_space(e->pcm) >= (size_t)e->out->buffer * (size_t)e->frame_bytes ||
                         atomic_load(&e->reader_done)
                   : atomic_load_explicit(&e->handed, memory_order_acquire) &&
                         atomic_load(&e->primed))
            return true;
        engine_sleep_ms(1);
    }
    return false;
}

/* Audio thread: after a write that took nothing; true once the device has
 * taken nothing for STALL_SECONDS (stall.tv_sec == 0: it just began). */
static bool stalled_too_long(struct timespec *stall)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (stall->tv_sec == 0) {
        *stall = now;
        return false;
    }
    return now.tv_sec - stall->tv_sec + (now.tv_nsec - stall->tv_nsec) / 1e9 > STALL_SECONDS;
}

/* Audio thread: the device failed for good. */
static void device_failed(struct engine *e, int error)
{
    e->audio_error = error;
    atomic_store(&e->audio_failed, true);
    atomic_store(&e->stop, true);
}

/* Audio thread: its whole life; waits only inside the device's write,
 * while paused, and in engine_sleep_ms while a mix ring is short. */
void *engine_audio_main(void *arg)
{
    struct engine *e = arg;
    struct pcm_out *out = e->out;
    pthread_setname_np(pthread_self(), "lathe-audio");
    go_realtime(e);
    bool paused = false;
    struct timespec stall = { 0, 0 };   /* since when the device took nothing */
    if (wait_for_reader(e)) {
        atomic_store(&e->looping, true);
        while (!atomic_load(&e->stop)) {
            if (atomic_load(&e->pause) != paused) {
                paused = !paused;
                int r = out->ops->pause ? out->ops->pause(out->dev, paused) : 0;
                if (r < 0) {
                    device_failed(e, r);
                    break;
                }
                atomic_store(&e->paused, paused);
            }
            if (paused) {
                stall.tv_sec = 0;
                engine_sleep_ms(2);
                continue;
            }
            if (!e->ddp)
                take_changes(e);
            if (!make_period(e, out->period)) {
                if (!atomic_load(&e->stop) && !atomic_load(&e->reader_failed)) {
                    if (!e->dsp_error)
                        e->dsp_error = "the album could not be read";
                    atomic_store(&e->audio_failed, true);
                }
                break;
            }
            if (e->fifo_len == 0) {
                if (e->finished)
                    break;
                continue;
            }
            long frames = e->fifo_len < out->period ? e->fifo_len : out->period;
            const unsigned char *data = e->fifo + (size_t)e->fifo_off * (size_t)e->frame_bytes;
            long w = out->ops->write(out->dev, data, frames);
            if (w <= 0 && stalled_too_long(&stall)) {
                device_failed(e, -ETIMEDOUT);
                break;
            }
            if (w < 0) {
                if (w == -EPIPE || w == -ESTRPIPE)
                    atomic_fetch_add(&e->xruns, 1);
                int r = out->ops->recover(out->dev, (int)w);
                if (r < 0) {
                    device_failed(e, r);
                    break;
                }
                continue;
            }
            if (w > 0)
                stall.tv_sec = 0;
            int64_t played = atomic_load(&e->played);
            meter(e, data, w, e->start + played);
            e->fifo_off += w;
            e->fifo_len -= w;
            atomic_store(&e->played, played + w);
        }
    }
    out->ops->finish(out->dev, !atomic_load(&e->stop));
    atomic_store(&e->audio_done, true);
    return NULL;
}
