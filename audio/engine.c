/* SPDX-License-Identifier: MIT */
/* The playback engine (engine.h names its threads and what each may do).
 *
 * Shared state and its rules: `pcm` (device frames) has the reader as its
 * only producer and the audio thread as its only consumer; `meters` has
 * the audio thread as producer and the UI thread as consumer. The flags
 * and counters below are atomics written by one thread each (stop: any).
 * Everything else belongs to the thread that uses it: the album, the stage
 * and `staging` to the reader; `out` to the audio thread once started. */
#define _GNU_SOURCE
#include "audio/engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/album_stream.h"
#include "audio/ddp_read.h"
#include "audio/outstage.h"
#include "audio/ring.h"
#include "audio/sink.h"
#include "session/timeline.h"

#define READ_BLOCK 1024         /* album frames per read; any size gives the same bits */
#define STAGING 4096            /* frames converted at a time */
#define METER_FRAMES 256        /* meter frames the ring holds */

struct engine {
    const struct session *s;
    struct timeline tl;
    struct output monitor;
    const struct output *o;
    struct sink_context ctx;    /* for marks at the output rate */
    int rate, bits;
    enum pcm_sample sample;
    int frame_bytes;
    int64_t start, end;
    int ntracks;
    int64_t *marks;             /* index 01 of each track at engine rate, then the end */
    const struct ddp *ddp;      /* playing a DDP image instead of a session */
    int16_t *ddp_s16;
    int32_t *ddp_pcm;

    struct album_stream *album;
    struct outstage *stage;
    double *block;
    unsigned char *staging;
    struct ring *pcm, *meters;
    struct pcm_out *out;

    pthread_t reader, audio;
    bool reader_started, audio_started;
    atomic_bool stop;
    atomic_bool reader_done;    /* reader: no more frames will come */
    atomic_bool reader_failed;
    atomic_bool audio_done;     /* audio thread: left its loop */
    atomic_bool audio_failed;
    atomic_bool realtime;
    atomic_int xruns, starved;
    _Atomic int64_t played;     /* frames the device took */
    bool reached_end;           /* reader */
    int audio_error;            /* set before audio_failed */
    char reader_err[512];       /* set before reader_failed */
    char err[600];
};

static struct output *find_output(const struct session *s, const char *name)
{
    for (int i = 0; i < s->noutputs; i++)
        if (strcmp(s->outputs[i].name, name) == 0)
            return &s->outputs[i];
    return NULL;
}

static enum pcm_sample sample_for(int bits)
{
    return bits == 16 ? PCM_S16 : bits == 24 ? PCM_S32 : PCM_FLOAT;
}

/* Needs marks[0..ntracks], the last being the end. */
static bool set_span(struct engine *e, const struct engine_options *opt, char *err, size_t errlen)
{
    int64_t length = e->marks[e->ntracks];
    e->start = 0;
    e->end = length;
    if (opt->track) {
        if (opt->track < 1 || opt->track > e->ntracks) {
            snprintf(err, errlen, "no track %d (the album has %d)", opt->track, e->ntracks);
            return false;
        }
        e->start = e->marks[opt->track - 1];
        e->end = e->marks[opt->track];
    }
    if (opt->from >= 0)
        e->start = llround(opt->from * e->rate);
    if (opt->to >= 0)
        e->end = llround(opt->to * e->rate);
    if (e->end > length)
        e->end = length;
    if (e->start >= e->end) {
        snprintf(err, errlen, "nothing to play: the span is empty (the album is %.3f s long)",
                 (double)length / e->rate);
        return false;
    }
    return true;
}

struct engine *engine_new(const struct session *s, const struct engine_options *opt,
                          char *err, size_t errlen)
{
    for (int i = 0; i < s->ntracks; i++)
        if (!s->tracks[i].mix.ok) {
            snprintf(err, errlen, "track %d: %s", i + 1, s->tracks[i].mix.error);
            return NULL;
        }
    if (s->ntracks == 0) {
        snprintf(err, errlen, "the session has no tracks");
        return NULL;
    }
    struct engine *e = calloc(1, sizeof *e);
    if (!e || !timeline_build(s, &e->tl)) {
        snprintf(err, errlen, "out of memory");
        free(e);
        return NULL;
    }
    e->s = s;
    e->ntracks = s->ntracks;
    if (opt->output) {
        e->o = find_output(s, opt->output);
        if (!e->o) {
            snprintf(err, errlen, "no [output %s] in the session", opt->output);
            goto fail;
        }
    } else {
        e->monitor.name = "monitor";
        e->monitor.format = OUT_WAV;
        e->monitor.bits = 24;
        e->o = &e->monitor;
    }
    if (opt->rate > 0 && opt->rate != outstage_rate_of(e->o, e->tl.rate)) {
        /* the output's sound at another rate: its stage resamples there */
        e->monitor = *e->o;
        if (e->monitor.format == OUT_DDP || e->monitor.format == OUT_CUE ||
            e->monitor.format == OUT_TOC || e->monitor.format == OUT_MP3 ||
            e->monitor.format == OUT_OGG) {
            e->monitor.format = OUT_WAV;    /* whose checks allow any rate */
            e->monitor.bits = outstage_bits_of(e->o) ? outstage_bits_of(e->o) : 32;
        }
        e->monitor.rate = opt->rate;
        e->o = &e->monitor;
    }
    e->rate = outstage_rate_of(e->o, e->tl.rate);
    e->bits = outstage_bits_of(e->o);
    e->sample = sample_for(e->bits);
    e->frame_bytes = 2 * pcm_sample_bytes(e->sample);
    e->ctx = (struct sink_context){ .s = s, .tl = &e->tl, .o = e->o, .rate = e->rate,
                                    .bits = e->bits };
    e->ctx.length = sink_mark(&e->ctx, e->tl.end);
    e->marks = calloc((size_t)s->ntracks + 1, sizeof *e->marks);
    if (!e->marks) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (int i = 0; i < s->ntracks; i++)
        e->marks[i] = sink_mark(&e->ctx, e->tl.tracks[i].index1);
    e->marks[s->ntracks] = e->ctx.length;
    if (!set_span(e, opt, err, errlen))
        goto fail;
    e->album = album_stream_new(s, &e->tl, err, errlen);
    if (!e->album)
        goto fail;
    e->stage = outstage_new(e->o, e->tl.rate, READ_BLOCK, err, errlen);
    if (!e->stage)
        goto fail;
    e->block = malloc(sizeof(double) * READ_BLOCK * ALBUM_CHANNELS);
    e->staging = malloc((size_t)STAGING * (size_t)e->frame_bytes);
    e->meters = ring_new(METER_FRAMES * sizeof(struct engine_meter));
    if (!e->block || !e->staging || !e->meters) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return e;
fail:
    engine_free(e);
    return NULL;
}

struct engine *engine_new_ddp(const struct ddp *d, const struct engine_options *opt,
                              char *err, size_t errlen)
{
    if (opt->output) {
        snprintf(err, errlen, "a DDP image plays as it is (44.1 kHz, 16-bit); --output is for sessions");
        return NULL;
    }
    int64_t sectors = ddp_image_sectors(d);
    if (sectors <= 0 || d->fd < 0 || d->ntracks == 0) {
        snprintf(err, errlen, "%s: the DDP image has no audio to play (see lathe ddp verify)", d->dir);
        return NULL;
    }
    struct engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->ddp = d;
    e->rate = DDP_RATE;
    e->bits = 16;
    e->sample = PCM_S16;
    e->frame_bytes = 4;
    e->ntracks = d->ntracks;
    e->marks = calloc((size_t)d->ntracks + 1, sizeof *e->marks);
    e->ddp_s16 = malloc(sizeof(int16_t) * READ_BLOCK * 2);
    e->ddp_pcm = malloc(sizeof(int32_t) * READ_BLOCK * 2);
    e->staging = malloc((size_t)STAGING * (size_t)e->frame_bytes);
    e->meters = ring_new(METER_FRAMES * sizeof(struct engine_meter));
    if (!e->marks || !e->ddp_s16 || !e->ddp_pcm || !e->staging || !e->meters) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (int i = 0; i < d->ntracks; i++) {
        int64_t at = d->tracks[i].start >= 0 ? d->tracks[i].start : 0;
        e->marks[i] = at * DDP_SECTOR_FRAMES;
    }
    e->marks[d->ntracks] = sectors * DDP_SECTOR_FRAMES;
    if (!set_span(e, opt, err, errlen))
        goto fail;
    return e;
fail:
    engine_free(e);
    return NULL;
}

int engine_rate(const struct engine *e)
{
    return e->rate;
}

enum pcm_sample engine_sample(const struct engine *e)
{
    return e->sample;
}

void engine_span(const struct engine *e, int64_t *start, int64_t *end)
{
    *start = e->start;
    *end = e->end;
}

/* ---- the reader thread ---- */

/* Audio thread (while the ring is empty) and reader (while it is full). */
static void sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static void convert(struct engine *e, const struct render_block *b, int from, int n)
{
    size_t k = (size_t)from * 2, count = (size_t)n * 2;
    if (e->sample == PCM_S16) {
        int16_t *d = (int16_t *)e->staging;
        for (size_t i = 0; i < count; i++)
            d[i] = (int16_t)b->pcm[k + i];
    } else if (e->sample == PCM_S32) {
        int32_t *d = (int32_t *)e->staging;
        for (size_t i = 0; i < count; i++)
            d[i] = (int32_t)((uint32_t)b->pcm[k + i] << 8);
    } else {
        float *d = (float *)e->staging;
        for (size_t i = 0; i < count; i++)
            d[i] = (float)b->samples[k + i];
    }
}

/* Hands frames [from, from+n) of the block to the audio thread, waiting
 * while the ring is full. */
static bool queue(struct engine *e, const struct render_block *b, int from, int n)
{
    while (n > 0) {
        int chunk = n < STAGING ? n : STAGING;
        convert(e, b, from, chunk);
        size_t bytes = (size_t)chunk * (size_t)e->frame_bytes;
        while (!ring_write(e->pcm, e->staging, bytes)) {
            if (atomic_load(&e->stop))
                return false;
            sleep_ms(2);
        }
        from += chunk;
        n -= chunk;
    }
    return true;
}

static bool emit(void *ctx, const struct render_block *b, char *err, size_t errlen)
{
    struct engine *e = ctx;
    if (atomic_load(&e->stop)) {
        snprintf(err, errlen, "stopped");
        return false;
    }
    int64_t lo = b->position > e->start ? b->position : e->start;
    int64_t hi = b->position + b->frames < e->end ? b->position + b->frames : e->end;
    if (hi >= e->end)
        e->reached_end = true;
    if (hi > lo && !queue(e, b, (int)(lo - b->position), (int)(hi - lo))) {
        snprintf(err, errlen, "stopped");
        return false;
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
        if (!emit(e, &b, err, errlen))
            return false;
        pos += got;
    }
    return true;
}

static void *reader_main(void *arg)
{
    struct engine *e = arg;
    char err[512] = "";
    bool ok = e->ddp ? read_ddp(e, err, sizeof err) : true;
    while (!e->ddp && ok && !e->reached_end && !atomic_load(&e->stop)) {
        int n = album_stream_read(e->album, e->block, READ_BLOCK);
        if (n < 0) {
            snprintf(err, sizeof err, "%s", album_stream_error(e->album));
            ok = false;
        } else if (n == 0) {
            ok = outstage_finish(e->stage, emit, e, err, sizeof err);
            break;
        } else {
            ok = outstage_push(e->stage, e->block, n, emit, e, err, sizeof err);
        }
    }
    if (!ok && !atomic_load(&e->stop)) {
        snprintf(e->reader_err, sizeof e->reader_err, "%s", err);
        atomic_store(&e->reader_failed, true);
    }
    atomic_store(&e->reader_done, true);
    return NULL;
}

/* ---- the audio thread ---- */

/* Audio thread: levels of the frames just written. */
static void meter(struct engine *e, const void *data, long frames, int64_t position)
{
    struct engine_meter m = { .position = position, .frames = (int)frames };
    double sum[2] = { 0, 0 }, peak[2] = { 0, 0 };
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++) {
            double v;
            if (e->sample == PCM_S16)
                v = ((const int16_t *)data)[2 * i + c] / 32768.0;
            else if (e->sample == PCM_S32)
                v = ((const int32_t *)data)[2 * i + c] / 2147483648.0;
            else
                v = ((const float *)data)[2 * i + c];
            v = fabs(v);
            peak[c] = v > peak[c] ? v : peak[c];
            sum[c] += v * v;
        }
    for (int c = 0; c < 2; c++) {
        m.peak[c] = (float)peak[c];
        m.rms[c] = frames ? (float)sqrt(sum[c] / (double)frames) : 0;
    }
    ring_write(e->meters, &m, sizeof m);    /* a full ring drops the frame */
}

/* Audio thread: real-time priority when the system allows it. */
static void go_realtime(struct engine *e)
{
    struct sched_param sp = { .sched_priority = sched_get_priority_min(SCHED_FIFO) + 10 };
    atomic_store(&e->realtime, pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0);
}

/* Audio thread: its whole life; waits only inside the device's write and,
 * while the ring is empty, in sleep_ms. */
static void *audio_main(void *arg)
{
    struct engine *e = arg;
    struct pcm_out *out = e->out;
    pthread_setname_np(pthread_self(), "lathe-audio");
    go_realtime(e);
    size_t prefill = (size_t)out->buffer * (size_t)e->frame_bytes;
    /* the device starts when its buffer is full: give it a full buffer */
    while (!atomic_load(&e->stop) && !atomic_load(&e->reader_done) &&
           ring_read_space(e->pcm) < prefill)
        sleep_ms(1);
    bool dry = false;
    while (!atomic_load(&e->stop)) {
        const void *data;
        long frames = (long)(ring_peek(e->pcm, &data) / (size_t)e->frame_bytes);
        if (frames == 0) {
            /* read done before peeking: a frame written before done is seen */
            if (atomic_load(&e->reader_done) && ring_read_space(e->pcm) == 0)
                break;
            if (!dry)
                atomic_fetch_add(&e->starved, 1);
            dry = true;
            sleep_ms(1);
            continue;
        }
        dry = false;
        if (frames > out->period)
            frames = out->period;
        long w = out->ops->write(out->dev, data, frames);
        if (w < 0) {
            if (w == -EPIPE || w == -ESTRPIPE)
                atomic_fetch_add(&e->xruns, 1);
            int r = out->ops->recover(out->dev, (int)w);
            if (r < 0) {
                e->audio_error = r;
                atomic_store(&e->audio_failed, true);
                atomic_store(&e->stop, true);
                break;
            }
            continue;
        }
        int64_t played = atomic_load(&e->played);
        meter(e, data, w, e->start + played);
        ring_consume(e->pcm, (size_t)w * (size_t)e->frame_bytes);
        atomic_store(&e->played, played + w);
    }
    out->ops->finish(out->dev, !atomic_load(&e->stop));
    atomic_store(&e->audio_done, true);
    return NULL;
}

bool engine_start(struct engine *e, struct pcm_out *out, char *err, size_t errlen)
{
    e->out = out;
    if (out->period < 1 || out->buffer < out->period) {
        snprintf(err, errlen, "the device reports a period of %d and a buffer of %d frames",
                 out->period, out->buffer);
        return false;
    }
    /* a second ahead, and never less than a few device buffers */
    size_t frames = (size_t)e->rate;
    if (frames < (size_t)out->buffer * 4)
        frames = (size_t)out->buffer * 4;
    e->pcm = ring_new(frames * (size_t)e->frame_bytes);
    if (!e->pcm) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (pthread_create(&e->reader, NULL, reader_main, e) != 0) {
        snprintf(err, errlen, "cannot start the reader thread");
        return false;
    }
    e->reader_started = true;
    if (pthread_create(&e->audio, NULL, audio_main, e) != 0) {
        snprintf(err, errlen, "cannot start the audio thread");
        return false;
    }
    e->audio_started = true;
    return true;
}

void engine_stop(struct engine *e)
{
    atomic_store(&e->stop, true);
}

void engine_status(const struct engine *e, struct engine_status *st)
{
    bool audio_done = atomic_load(&e->audio_done);
    st->running = e->audio_started && !audio_done;
    st->failed = atomic_load(&e->audio_failed) || atomic_load(&e->reader_failed);
    st->realtime = atomic_load(&e->realtime);
    st->position = e->start + atomic_load(&e->played);
    st->xruns = atomic_load(&e->xruns);
    st->starved = atomic_load(&e->starved);
    st->track = 0;
    for (int i = 0; i < e->ntracks; i++)
        if (st->position >= e->marks[i])
            st->track = i + 1;
}

const char *engine_error(const struct engine *e)
{
    struct engine *m = (struct engine *)e;   /* the message is built on demand */
    if (atomic_load(&e->audio_failed))
        snprintf(m->err, sizeof m->err, "the audio device failed: %s",
                 e->out->ops->strerror(e->audio_error));
    else if (atomic_load(&e->reader_failed))
        snprintf(m->err, sizeof m->err, "%s", e->reader_err);
    else
        m->err[0] = 0;
    return m->err;
}

bool engine_meter_pop(struct engine *e, struct engine_meter *m)
{
    return ring_read(e->meters, m, sizeof *m);
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    atomic_store(&e->stop, true);
    if (e->reader_started)
        pthread_join(e->reader, NULL);
    if (e->audio_started)
        pthread_join(e->audio, NULL);
    pcm_out_free(e->out);
    album_stream_free(e->album);
    outstage_free(e->stage);
    ring_free(e->pcm);
    ring_free(e->meters);
    free(e->block);
    free(e->staging);
    free(e->marks);
    free(e->ddp_s16);
    free(e->ddp_pcm);
    if (!e->ddp)
        timeline_free(&e->tl);
    free(e);
}
