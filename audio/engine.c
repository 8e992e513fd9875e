/* SPDX-License-Identifier: MIT */
/* The playback engine (engine.h names its threads and what each may do):
 * making one, for a session or a DDP image, and everything the UI thread
 * calls on it. The reader thread is in engine_reader.c, the audio thread
 * in engine_audio.c; the state they share, and its rules, in
 * engine_private.h. */
#include "audio/engine.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "audio/ddp_read.h"
#include "audio/engine_private.h"
#include "audio/mix_feed.h"
#include "audio/outstage.h"
#include "audio/ring.h"
#include "audio/sink.h"
#include "dsp/level_meter.h"
#include "session/timeline.h"

#define FIFO_SPARE 65536        /* device frames one DSP step may add to the FIFO */
#define METER_FRAMES 256        /* meter frames the ring holds */
#define TAP_SECONDS 2           /* played frames the tap holds */
#define RAMP_SECONDS 0.015      /* a live change crossfades over this long */

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
        e->o = session_find_output(s, opt->output);
        if (!e->o) {
            session_no_output(s, opt->output, err, errlen);
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
    /* the converter restarts at each track start as the render's does */
    int nrestarts = 0;
    e->restarts = outstage_restarts(&e->tl, &nrestarts);
    if (!e->restarts)
        goto oom;
    struct resample_plan plan = {
        .backend = outstage_backend(e->o, &s->album),
        .from = e->from, .restarts = e->restarts, .nrestarts = nrestarts,
    };
    e->stage = outstage_new(e->o, e->tl.rate, READ_BLOCK, &plan, err, errlen);
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
    if (pthread_create(&e->reader, NULL, engine_reader_main, e) != 0) {
        snprintf(err, errlen, "cannot start the reader thread");
        return false;
    }
    e->reader_started = true;
    if (pthread_create(&e->audio, NULL, engine_audio_main, e) != 0) {
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
    /* Wait (up to a second; a period is far less) for the audio thread to
     * finish the write it is in, so that the position read after a pause
     * is where the sound stopped and stays there. */
    for (int ms = 0; ms < 1000 && atomic_load(&e->looping) && !atomic_load(&e->audio_done) &&
                     atomic_load(&e->paused) != paused; ms++)
        engine_sleep_ms(1);
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
    free(e->restarts);
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
