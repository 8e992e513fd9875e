/* SPDX-License-Identifier: MIT */
/* The playback engine (engine.h names its threads and what each may do).
 *
 * Shared state and its rules, written where it is declared below: the
 * mixes' rings (mix_feed.c says how) and `pcm` (a DDP image's device
 * frames) have the reader as their only producer and the audio thread as
 * their only consumer; `meters` and `tap` have the audio thread as
 * producer and the UI thread as consumer. Flags and counters are atomics, each written by one thread
 * (stop and pause: any). The album, the stage and the device FIFO belong
 * to the reader until it sets `handed`, then to the audio thread. */
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
#include "audio/mix_feed.h"
#include "audio/outstage.h"
#include "audio/ring.h"
#include "audio/sink.h"
#include "dsp/level_meter.h"
#include "session/timeline.h"

#define READ_BLOCK 1024         /* most album frames the DSP runs at a time */
#define FIFO_SPARE 65536        /* device frames one DSP step may add to the FIFO */
#define DDP_CHUNK 4096          /* DDP frames the reader moves at a time */
#define METER_FRAMES 256        /* meter frames the ring holds */
#define TAP_SECONDS 2           /* played frames the tap holds */
#define TAP_CHUNK 1024          /* frames converted for the tap at a time */
#define STALL_SECONDS 2         /* a device that takes nothing this long is lost */
#define RAMP_SECONDS 0.015      /* a live change crossfades over this long */

struct engine {
    const struct session *s;
    struct timeline tl;
    struct output monitor;
    const struct output *o;
    struct sink_context ctx;    /* for marks at the output rate */
    int rate, bits;
    enum pcm_sample sample;
    int frame_bytes;
    int64_t start, end;         /* the span, at engine rate */
    int64_t from;               /* album frame (session rate) the DSP starts at */
    int64_t stage_from;         /* the same instant at engine rate */
    int ntracks;
    int64_t *marks;             /* index 01 of each track at engine rate, then the end */
    const struct ddp *ddp;      /* playing a DDP image instead of a session */
    int16_t *ddp_s16;
    int32_t *ddp_pcm;

    /* the DSP: the reader's until `handed`, then the audio thread's */
    struct album_stream *album;
    struct outstage *stage;
    double *block;              /* READ_BLOCK album frames */
    int chunk;                  /* album frames per DSP step: about a period */
    unsigned char *fifo;        /* device frames made and not yet written */
    long fifo_off, fifo_len, fifo_cap;
    int64_t emitted;            /* engine-rate position after the last frame made */
    bool finished;              /* the span's last frame is in the FIFO */
    const char *dsp_error;      /* set before audio_failed */
    int ramp;                   /* frames of a live change's crossfade */
    double trim_now, trim_from, trim_to;
    int trim_left;

    /* live changes: UI -> audio (pending), audio -> UI (retired); each
     * pointer is taken with an atomic exchange, so one side only ever
     * owns a set */
    _Atomic(struct album_chains *) pending;
    _Atomic(struct album_chains *) retired;
    _Atomic double trim;        /* linear gain after the master chain: UI -> audio */

    struct mix_feed *feed;      /* the mixes: reader -> audio (mix_feed.h) */

    /* the reader's */
    unsigned char *staging;     /* DDP frames on their way to `pcm` */
    bool reached_end;
    struct ring *pcm;           /* DDP device frames: reader -> audio */

    struct ring *meters;        /* audio -> UI: struct engine_meter */
    struct ring *tap;           /* audio -> UI: float stereo frames played */
    struct level_meter *lm;     /* the audio thread's */
    float *tap_buf;             /* TAP_CHUNK frames, the audio thread's */
    struct pcm_out *out;        /* the audio thread's once started */

    pthread_t reader, audio;
    bool reader_started, audio_started;
    atomic_bool stop;
    atomic_bool pause;          /* asked (any thread) */
    atomic_bool handed;         /* reader: the DSP is the audio thread's now */
    atomic_bool primed;         /* reader: the rings are full for a start */
    atomic_bool reader_done;    /* reader: no more frames will come */
    atomic_bool reader_failed;
    atomic_bool audio_done;     /* audio thread: left its loop */
    atomic_bool audio_failed;
    atomic_bool realtime;
    atomic_int xruns, starved;
    _Atomic int64_t played;     /* frames the device took */
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

static struct engine *new_engine(void)
{
    return calloc(1, sizeof(struct engine));
}

/* Needs e->rate. */
static bool new_meters(struct engine *e)
{
    e->meters = ring_new(METER_FRAMES * sizeof(struct engine_meter));
    e->tap = ring_new((size_t)e->rate * TAP_SECONDS * 2 * sizeof(float));
    e->tap_buf = malloc(sizeof(float) * 2 * TAP_CHUNK);
    e->lm = level_meter_new(2, e->rate);
    return e->meters && e->tap && e->tap_buf && e->lm;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Where the DSP starts: the album's start (exact), or `preroll` seconds
 * before the span on an instant that is a whole frame at both the session
 * and the engine rate. */
static void start_point(struct engine *e, double preroll)
{
    if (preroll > 0) {
        int64_t g = gcd64(e->tl.rate, e->rate);
        int64_t unit_in = e->tl.rate / g, unit_out = e->rate / g;
        double t = (double)e->start / e->rate - preroll;
        int64_t k = t > 0 ? (int64_t)(t * e->tl.rate) / unit_in : 0;
        e->from = k * unit_in;
        e->stage_from = k * unit_out;
    }
    e->emitted = e->stage_from;
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
    struct engine *e = new_engine();
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
    start_point(e, opt->preroll);
    e->feed = mix_feed_new(s, &e->tl, e->from, &e->stop);
    if (!e->feed)
        goto oom;
    struct album_source src = mix_feed_source(e->feed);
    e->album = album_stream_new_source(s, &e->tl, &src, err, errlen);
    if (!e->album)
        goto fail;
    e->stage = outstage_new(e->o, e->tl.rate, READ_BLOCK, err, errlen);
    if (!e->stage)
        goto fail;
    album_stream_start_at(e->album, e->from);
    outstage_set_position(e->stage, e->stage_from);
    e->ramp = (int)(RAMP_SECONDS * e->tl.rate) > 1 ? (int)(RAMP_SECONDS * e->tl.rate) : 1;
    e->trim_now = e->trim_from = e->trim_to = 1.0;
    atomic_init(&e->trim, 1.0);
    e->block = malloc(sizeof(double) * READ_BLOCK * ALBUM_CHANNELS);
    if (!e->block || !new_meters(e))
        goto oom;
    return e;
oom:
    snprintf(err, errlen, "out of memory");
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
    struct engine *e = new_engine();
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
    e->staging = malloc((size_t)DDP_CHUNK * (size_t)e->frame_bytes);
    if (!e->marks || !e->ddp_s16 || !e->ddp_pcm || !e->staging || !new_meters(e)) {
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
/* ---- shared by both threads ---- */

/* Audio thread (while a mix ring is short) and reader (while rings are full). */
static void sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* Audio thread (and the reader's fast-forward): frames [from, from+n) of
 * the block, as the device takes them, to `to`. */
static void convert(const struct engine *e, const struct render_block *b, int from, int n,
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
    convert(e, b, (int)(lo - b->position), (int)n,
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
static bool dsp_step(struct engine *e, int frames)
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

/* ---- the reader thread ---- */

/* Hands DDP frames [from, from+n) of the block to the audio thread,
 * waiting while the ring is full. */
static bool queue(struct engine *e, const struct render_block *b, int from, int n)
{
    while (n > 0) {
        int chunk = n < DDP_CHUNK ? n : DDP_CHUNK;
        convert(e, b, from, chunk, e->staging);
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
        if (!dsp_step(e, READ_BLOCK)) {
            snprintf(err, errlen, "%s", e->dsp_error ? e->dsp_error : album_stream_error(e->album));
            return false;
        }
    }
    mix_feed_direct(e->feed, false);
    return true;
}

static void *reader_main(void *arg)
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
            sleep_ms(1);
        }
        /* reader_done before the ring: a frame written before done is seen */
        e->finished = atomic_load(&e->reader_done) && ring_read_space(e->pcm) == 0;
        return true;
    }
    while (e->fifo_len < period && !e->finished)
        if (!dsp_step(e, e->chunk))
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
        sleep_ms(1);
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
 * while paused, and in sleep_ms while a mix ring is short. */
static void *audio_main(void *arg)
{
    struct engine *e = arg;
    struct pcm_out *out = e->out;
    pthread_setname_np(pthread_self(), "lathe-audio");
    go_realtime(e);
    bool paused = false;
    struct timespec stall = { 0, 0 };   /* since when the device took nothing */
    if (wait_for_reader(e)) {
        while (!atomic_load(&e->stop)) {
            if (atomic_load(&e->pause) != paused) {
                paused = !paused;
                int r = out->ops->pause ? out->ops->pause(out->dev, paused) : 0;
                if (r < 0) {
                    device_failed(e, r);
                    break;
                }
            }
            if (paused) {
                stall.tv_sec = 0;
                sleep_ms(2);
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

bool engine_start(struct engine *e, struct pcm_out *out, char *err, size_t errlen)
{
    e->out = out;
    if (out->period < 1 || out->buffer < out->period) {
        snprintf(err, errlen, "the device reports a period of %d and a buffer of %d frames",
                 out->period, out->buffer);
        return false;
    }
    e->fifo_cap = out->period + FIFO_SPARE;
    e->fifo = malloc((size_t)e->fifo_cap * (size_t)e->frame_bytes);
    if (e->ddp) {
        /* a second ahead, and never less than a few device buffers */
        size_t frames = (size_t)e->rate;
        if (frames < (size_t)out->buffer * 4)
            frames = (size_t)out->buffer * 4;
        e->pcm = ring_new(frames * (size_t)e->frame_bytes);
    }
    if (!e->fifo || (e->ddp && !e->pcm)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!e->ddp) {
        /* album frames per DSP step: a period's worth at the session rate */
        long chunk = ((long)out->period * e->tl.rate + e->rate - 1) / e->rate;
        e->chunk = chunk < 1 ? 1 : chunk > READ_BLOCK ? READ_BLOCK : (int)chunk;
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

void engine_pause(struct engine *e, bool paused)
{
    atomic_store(&e->pause, paused);
}

static bool same_timeline(const struct timeline *a, const struct timeline *b)
{
    if (a->rate != b->rate || a->ntracks != b->ntracks || a->end != b->end)
        return false;
    for (int i = 0; i < a->ntracks; i++) {
        const struct timeline_track *x = &a->tracks[i], *y = &b->tracks[i];
        if (x->audio_start != y->audio_start || x->audio_length != y->audio_length ||
            x->source_start != y->source_start || x->source_length != y->source_length ||
            x->fade_in != y->fade_in || x->fade_out != y->fade_out || x->crossfade != y->crossfade)
            return false;
    }
    return true;
}

bool engine_update(struct engine *e, const struct session *s, char *err, size_t errlen)
{
    if (e->ddp) {
        snprintf(err, errlen, "a DDP image plays as it is: it has no chains to change");
        return false;
    }
    album_chains_free(atomic_exchange(&e->retired, NULL));
    struct timeline tl;
    if (!timeline_build(s, &tl)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool same = same_timeline(&tl, &e->tl);
    timeline_free(&tl);
    if (!same) {
        snprintf(err, errlen, "the tracks or the timeline changed: playback must start again");
        return false;
    }
    struct album_chains *c = album_chains_new(s, &e->tl, err, errlen);
    if (!c)
        return false;
    if (!album_stream_chains_fit(e->album, c)) {
        snprintf(err, errlen, "a chain's latency changed (a limiter's lookahead?): playback must "
                 "start again");
        album_chains_free(c);
        return false;
    }
    /* a set published before and not taken yet is replaced: ours to free */
    album_chains_free(atomic_exchange(&e->pending, c));
    return true;
}

void engine_set_trim(struct engine *e, double db)
{
    atomic_store(&e->trim, pow(10.0, db / 20.0));
}

void engine_status(const struct engine *e, struct engine_status *st)
{
    bool audio_done = atomic_load(&e->audio_done);
    st->running = e->audio_started && !audio_done;
    st->failed = atomic_load(&e->audio_failed) || atomic_load(&e->reader_failed);
    st->realtime = atomic_load(&e->realtime);
    st->position = e->start + atomic_load(&e->played);
    st->xruns = atomic_load(&e->xruns);
    st->starved = atomic_load(&e->starved) + (e->feed ? mix_feed_starved(e->feed) : 0);
    st->track = 0;
    for (int i = 0; i < e->ntracks; i++)
        if (st->position >= e->marks[i])
            st->track = i + 1;
}

const char *engine_error(const struct engine *e)
{
    struct engine *m = (struct engine *)e;   /* the message is built on demand */
    if (atomic_load(&e->reader_failed))
        snprintf(m->err, sizeof m->err, "%s", e->reader_err);
    else if (atomic_load(&e->audio_failed) && e->audio_error)
        snprintf(m->err, sizeof m->err, "%s: %s; playback stopped", pcm_out_lost(e->audio_error),
                 e->audio_error == -ETIMEDOUT ? "nothing taken for a while"
                                              : e->out->ops->strerror(e->audio_error));
    else if (atomic_load(&e->audio_failed))
        snprintf(m->err, sizeof m->err, "%s", e->dsp_error ? e->dsp_error : "playback failed");
    else
        m->err[0] = 0;
    return m->err;
}

bool engine_meter_pop(struct engine *e, struct engine_meter *m)
{
    return ring_read(e->meters, m, sizeof *m);
}

long engine_tap_read(struct engine *e, float *buf, long frames)
{
    size_t frame = 2 * sizeof(float);
    size_t have = ring_read_space(e->tap) / frame;
    long n = (long)have < frames ? (long)have : frames;
    if (n > 0)
        ring_read(e->tap, buf, (size_t)n * frame);
    return n > 0 ? n : 0;
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
    album_chains_free(atomic_load(&e->pending));
    album_chains_free(atomic_load(&e->retired));
    outstage_free(e->stage);
    mix_feed_free(e->feed);
    ring_free(e->pcm);
    ring_free(e->meters);
    ring_free(e->tap);
    free(e->tap_buf);
    level_meter_free(e->lm);
    free(e->block);
    free(e->fifo);
    free(e->staging);
    free(e->marks);
    free(e->ddp_s16);
    free(e->ddp_pcm);
    if (!e->ddp)
        timeline_free(&e->tl);
    free(e);
}
