/* SPDX-License-Identifier: MIT */
/* The console's playback over the ALSA engine: every transport operation
 * of tui/playback.h, the status and meter snapshots, and the descriptor
 * that wakes the console.
 *
 * Everything here runs on the UI thread. The engine plays the adapter's own
 * copy of the session (the console edits its session while the engine's
 * reader thread runs), and a copy lives exactly as long as the engine that
 * plays it. The wake descriptor is a timerfd: 25 Hz while playing, once
 * after a change of state, quiet otherwise; the audio thread never touches
 * it.
 *
 * Positions are kept in album seconds, so that a change of output (and so
 * of rate) keeps the place. Pause holds the engine and its device where
 * they are; an edit of chains or gains goes live (engine_update). Changes
 * the engine cannot make in place (seek, next, loop, a new output, an edit
 * of the timeline) restart it at the position, pre-rolled so that the
 * dynamics have settled.
 *
 * Meters: peaks, true peaks, correlation and gain reduction come per period
 * from the audio thread; loudness and the spectrum are measured here, from
 * the engine's tap of the frames played. */
#include "tui/playback_alsa.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audio/engine.h"
#include "audio/mixprobe.h"
#include "audio/pcm_out.h"
#include "dsp/live_loudness.h"
#include "dsp/octave.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tui/console.h"

#define PERIOD_FRAMES 1024
#define PERIODS 4
#define PREROLL_SECONDS 2.5
#define FRAME_NS 40000000L      /* 25 Hz */
#define TAP_FRAMES 4096         /* read from the tap at a time */
/* The spectrum's bars fall at most this fast, so that they can be read. */
#define SPECTRUM_FALL_DB_PER_S 24.0
/* "previous" goes to the start of the track when further in than this */
#define PREV_RESTART_SECONDS 2.0

struct alsa_playback {
    struct playback pb;
    char device[256];
    int timer;
    const struct session *live;     /* what plays: the console's (valid until the next play
                                     * or update) or `ref_s` */
    const struct session *master;   /* the console's, while a reference plays */
    struct session *ref_s;          /* a reference as a one-track session, no chains */
    int ref;                        /* the reference playing, -1 the master */
    int ref_track;                  /* the master's track the reference stands in for */
    char ref_name[64];
    struct session *s;              /* our copy, which the engine plays */
    struct timeline tl;             /* of `s` */
    bool tl_ok;
    struct engine *e;
    int rate;                       /* the engine's (the last one's) rate */

    enum playback_state state;
    double pos;                     /* album seconds: where paused, stopped or started */
    int track;                      /* 0-based, -1 none */
    int span_track;                 /* the track the engine started in */
    bool loop;
    char output[64];
    unsigned xruns;                 /* of the engines before the current one */
    double trim;                    /* loudness-matched bypass, dB */
    bool audition;
    int audition_next;              /* transition to play after this one */
    double audition_seconds;
    bool changed;                   /* a status not yet polled */
    char error[256];                /* why the engine failed, not yet polled */

    struct playback_hold hold[PLAYBACK_MAX_CHANNELS];
    struct playback_meters m;
    /* loudness and spectrum of what was played, fed from the engine's tap;
     * made for the engine's rate, and loudness integrates over a play
     * (restarts for a seek or a new output included) */
    struct live_loudness *loud;
    struct octave_bank *bank;
    int meter_rate;
    float *tap;
    double *tapd;
    double spectrum_at;         /* when the spectrum was last read */
};

/* ---- meter arithmetic ---- */

double playback_db(double linear)
{
    return linear > 0 ? 20 * log10(linear) : -HUGE_VAL;
}

void playback_hold_reset(struct playback_hold *h)
{
    *h = (struct playback_hold){ .level = -HUGE_VAL };
}

/* A sample at full scale: the largest 16- and 24-bit codes read a hair
 * under 0 dB, and they are clipped all the same. */
#define CLIP_DB -0.001

void playback_hold_update(struct playback_hold *h, double peak_db, double true_peak_db, double now)
{
    if (peak_db >= h->level || now - h->since >= PLAYBACK_HOLD_SECONDS) {
        h->level = peak_db;
        h->since = now;
    }
    if (peak_db >= CLIP_DB || true_peak_db > 0) {
        h->clip = true;
        h->clip_since = now;
    } else if (h->clip && now - h->clip_since >= PLAYBACK_HOLD_SECONDS) {
        h->clip = false;
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void meters_silent(struct alsa_playback *p)
{
    struct playback_meters *m = &p->m;
    m->channels = 2;
    for (int c = 0; c < PLAYBACK_MAX_CHANNELS; c++) {
        m->peak[c] = m->true_peak[c] = m->hold[c] = -HUGE_VAL;
        m->clip[c] = false;
        playback_hold_reset(&p->hold[c]);
    }
    m->momentary = m->shortterm = m->integrated = -HUGE_VAL;
    m->range = 0;
    m->gr_comp = m->gr_limit = 0;
    m->correlation = 0;
    for (int i = 0; i < PLAYBACK_SPECTRUM_BANDS; i++)
        m->spectrum[i] = -HUGE_VAL;
}

/* Loudness and spectrum meters for `rate`; false when out of memory. */
static bool tap_meters_for(struct alsa_playback *p, int rate)
{
    if (p->meter_rate == rate && p->loud && p->bank)
        return true;
    live_loudness_free(p->loud);
    octave_bank_free(p->bank);
    p->loud = live_loudness_new(2, rate);
    p->bank = octave_bank_new(rate, 2);
    p->meter_rate = p->loud && p->bank ? rate : 0;
    return p->meter_rate != 0;
}

/* Feeds what was played since the last poll to the loudness meter and the
 * spectrum; false when nothing was played. */
static bool take_tap(struct alsa_playback *p)
{
    if (!p->meter_rate)
        return false;
    long n, total = 0;
    while ((n = engine_tap_read(p->e, p->tap, TAP_FRAMES)) > 0) {
        live_loudness_add_float(p->loud, p->tap, n);
        for (long i = 0; i < 2 * n; i++)
            p->tapd[i] = p->tap[i];
        octave_bank_process(p->bank, p->tapd, n);
        total += n;
    }
    if (total == 0)
        return false;
    struct live_loudness_reading r;
    live_loudness_read(p->loud, &r);
    struct playback_meters *m = &p->m;
    m->momentary = r.momentary;
    m->shortterm = r.shortterm;
    m->integrated = r.integrated;
    m->range = r.range;
    double db[OCTAVE_BANDS], now = now_seconds();
    octave_bank_read(p->bank, db, true);
    double fall = (now - p->spectrum_at) * SPECTRUM_FALL_DB_PER_S;
    p->spectrum_at = now;
    for (int i = 0; i < OCTAVE_BANDS && i < PLAYBACK_SPECTRUM_BANDS; i++) {
        double was = m->spectrum[i] - fall;
        m->spectrum[i] = isfinite(m->spectrum[i]) && was > db[i] ? was : db[i];
    }
    return true;
}

/* Takes the meter frames the audio thread produced since the last poll;
 * false when there were none. */
static bool take_meters(struct alsa_playback *p)
{
    struct engine_meter f;
    double peak[2] = { 0, 0 }, tp[2] = { 0, 0 }, comp = 0, limit = 0, corr = 0;
    bool got = false;
    while (engine_meter_pop(p->e, &f)) {
        for (int c = 0; c < 2; c++) {
            peak[c] = f.peak[c] > peak[c] ? f.peak[c] : peak[c];
            tp[c] = f.true_peak[c] > tp[c] ? f.true_peak[c] : tp[c];
        }
        comp = f.gr_comp > comp ? f.gr_comp : comp;
        limit = f.gr_limit > limit ? f.gr_limit : limit;
        corr = f.correlation;
        got = true;
    }
    if (!got)
        return false;
    double now = now_seconds();
    struct playback_meters *m = &p->m;
    for (int c = 0; c < 2; c++) {
        m->peak[c] = playback_db(peak[c]);
        m->true_peak[c] = playback_db(tp[c]);
        playback_hold_update(&p->hold[c], m->peak[c], m->true_peak[c], now);
        m->hold[c] = p->hold[c].level;
        m->clip[c] = p->hold[c].clip;
    }
    m->gr_comp = comp;
    m->gr_limit = limit;
    m->correlation = corr;
    return true;
}

/* Keeps why playback stopped, for the next poll; cut to fit. */
static void note_error(struct alsa_playback *p, const char *err)
{
    size_t n = strlen(err);
    if (n >= sizeof p->error)
        n = sizeof p->error - 1;
    memcpy(p->error, err, n);
    p->error[n] = 0;
}

/* ---- the wake descriptor ---- */

/* 25 Hz while playing; otherwise once, soon, so that the console takes the
 * new state. */
static void arm(struct alsa_playback *p)
{
    struct itimerspec it = { .it_value = { 0, 1000000L } };
    if (p->state == PLAYBACK_PLAYING)
        it.it_interval.tv_nsec = FRAME_NS;
    timerfd_settime(p->timer, 0, &it, NULL);
    p->changed = true;
}

/* ---- the album's geometry, from our copy ---- */

static int ntracks(const struct alsa_playback *p)
{
    return p->tl_ok ? p->tl.ntracks : 0;
}

static double album_seconds(const struct alsa_playback *p, int64_t samples)
{
    return (double)samples / p->tl.rate;
}

/* Index 01 of track i; the album's end for i == ntracks. */
static double track_start(const struct alsa_playback *p, int i)
{
    if (i >= ntracks(p))
        return album_seconds(p, p->tl.end);
    return album_seconds(p, p->tl.tracks[i < 0 ? 0 : i].index1);
}

/* The end of track i's audio. */
static double track_end(const struct alsa_playback *p, int i)
{
    const struct timeline_track *t = &p->tl.tracks[i];
    return album_seconds(p, t->audio_start + t->audio_length);
}

/* The track shown at album time t: a track's pregap (its index 00 on)
 * counts as that track's, as CD players count it down. */
static int track_at(const struct alsa_playback *p, double t)
{
    int k = 0;
    for (int i = 0; i < ntracks(p); i++)
        if (t >= album_seconds(p, p->tl.tracks[i].index0))
            k = i;
    return k;
}

/* ---- the engine ---- */

static void halt(struct alsa_playback *p)
{
    if (!p->e)
        return;
    struct engine_status st;
    engine_status(p->e, &st);
    p->xruns += (unsigned)st.xruns;
    engine_free(p->e);
    p->e = NULL;
}

/* Where the engine is, in album seconds. */
static double engine_seconds(const struct alsa_playback *p)
{
    struct engine_status st;
    engine_status(p->e, &st);
    return (double)st.position / p->rate;
}

static double now_at(const struct alsa_playback *p)
{
    return p->e ? engine_seconds(p) : p->pos;
}

/* Takes a fresh copy of the console's session (after the engine that
 * played the old one has gone). */
static bool refresh_copy(struct alsa_playback *p, char *err, size_t errlen)
{
    if (!p->live) {
        snprintf(err, errlen, "no session");
        return false;
    }
    struct session *c = session_copy(p->live, err, errlen);
    if (!c)
        return false;
    struct timeline tl;
    if (!timeline_build(c, &tl)) {
        session_free(c);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (p->tl_ok)
        timeline_free(&p->tl);
    session_free(p->s);
    p->s = c;
    p->tl = tl;
    p->tl_ok = true;
    return true;
}

/* Where the span played from `from` ends: the looped track's end, the
 * transition's end, or the album's (-1). */
static double span_end(const struct alsa_playback *p, double from, double audition_to)
{
    if (p->audition)
        return audition_to;
    if (p->loop)
        return track_end(p, track_at(p, from));
    return -1;
}

/* (Re)starts the engine at `from` album seconds, on a fresh copy of the
 * session; `to` < 0: to the album's end. */
static bool start_at(struct alsa_playback *p, double from, double to, char *err, size_t errlen)
{
    halt(p);
    if (!refresh_copy(p, err, errlen))
        return false;
    double end = track_start(p, ntracks(p));
    if (from < 0)
        from = 0;
    if (from >= end) {
        snprintf(err, errlen, "nothing to play after %.1f s (the album is %.1f s long)", from, end);
        return false;
    }
    struct engine_options opt = {
        .output = p->output[0] ? p->output : NULL,
        .from = from,
        .to = to,
        .preroll = PREROLL_SECONDS,
    };
    /* a DDP opened as an album plays from its image, as the plant has it */
    const struct ddp *ddp = p->ref < 0 ? console_ddp() : NULL;
    if (p->ref >= 0) {
        opt.output = NULL;      /* a reference plays as it is */
        opt.preroll = 0;
    }
    if (ddp) {
        opt.output = NULL;
        opt.preroll = 0;
    }
    struct engine *e = ddp ? engine_new_ddp(ddp, &opt, err, errlen) : engine_new(p->s, &opt, err, errlen);
    if (!e)
        return false;
    /* a device that cannot take the rate gets the nearest one it can */
    int nearest = pcm_out_nearest_rate(p->device, engine_rate(e));
    if (nearest > 0 && nearest != engine_rate(e)) {
        engine_free(e);
        if (ddp) {
            snprintf(err, errlen, "the device cannot play a DDP's 44.1 kHz (it offers %d Hz)", nearest);
            return false;
        }
        opt.rate = nearest;
        e = engine_new(p->s, &opt, err, errlen);
        if (!e)
            return false;
    }
    struct pcm_out *out = pcm_out_open(p->device, engine_rate(e), engine_sample(e), PERIOD_FRAMES,
                                       PERIODS, err, errlen);
    if (!out) {
        engine_free(e);
        return false;
    }
    engine_set_trim(e, p->trim);
    if (!engine_start(e, out, err, errlen)) {
        engine_free(e);
        return false;
    }
    p->e = e;
    p->rate = engine_rate(e);
    if (!tap_meters_for(p, p->rate))
        p->meter_rate = 0;      /* out of memory: no loudness or spectrum, still plays */
    p->pos = from;
    p->track = p->span_track = track_at(p, from);
    p->state = PLAYBACK_PLAYING;
    arm(p);
    return true;
}

/* Restarts at `from` when playing, else only moves there. */
static void move_to(struct alsa_playback *p, double from)
{
    char err[512];
    double end = track_start(p, ntracks(p));
    if (from > end - 0.1)
        from = end - 0.1;
    if (from < 0)
        from = 0;
    if (p->state != PLAYBACK_PLAYING) {
        halt(p);        /* a paused engine is elsewhere: resuming starts afresh */
        p->pos = from;
        p->track = track_at(p, from);
        arm(p);
        return;
    }
    if (!start_at(p, from, span_end(p, from, -1), err, sizeof err)) {
        note_error(p, err);
        p->state = PLAYBACK_STOPPED;
        arm(p);
    }
}

/* The transition k: the last seconds of track k into the first of k+1. */
static void transition(const struct alsa_playback *p, int k, double *from, double *to)
{
    const struct timeline_track *a = &p->tl.tracks[k], *b = &p->tl.tracks[k + 1];
    double out = album_seconds(p, a->audio_start + a->audio_length);
    double in = album_seconds(p, b->index1);
    double b_end = album_seconds(p, b->audio_start + b->audio_length);
    *from = out - p->audition_seconds;
    if (*from < album_seconds(p, a->audio_start))
        *from = album_seconds(p, a->audio_start);
    *to = in + p->audition_seconds;
    if (*to > b_end)
        *to = b_end;
}

static bool play_transition(struct alsa_playback *p, int k, char *err, size_t errlen)
{
    if (!refresh_copy(p, err, errlen))
        return false;
    if (k + 1 >= ntracks(p)) {
        snprintf(err, errlen, "no transition after track %d", k + 1);
        return false;
    }
    double from, to;
    transition(p, k, &from, &to);
    p->audition_next = k + 1;
    return start_at(p, from, to, err, errlen);
}

/* ---- the operations ---- */

static int op_wake_fd(void *self)
{
    struct alsa_playback *p = self;
    return p->timer;
}

/* Back to the master (a new play, an audition): the reference's session
 * goes once no engine plays it. */
static void leave_reference(struct alsa_playback *p)
{
    halt(p);
    p->ref = -1;
    p->ref_name[0] = 0;
    session_free(p->ref_s);
    p->ref_s = NULL;
}

static bool op_play(void *self, const struct session *s, int track, char *msg, size_t msglen)
{
    struct alsa_playback *p = self;
    leave_reference(p);
    p->live = s;
    p->audition = false;
    p->xruns = 0;
    meters_silent(p);
    halt(p);
    p->state = PLAYBACK_STOPPED;
    arm(p);
    if (p->loud)
        live_loudness_reset(p->loud);    /* integrated: since play */
    if (!refresh_copy(p, msg, msglen))
        return false;
    if (ntracks(p) == 0) {
        snprintf(msg, msglen, "the session has no tracks");
        return false;
    }
    if (track < 0 || track >= ntracks(p))
        track = 0;
    double from = track_start(p, track);
    if (!start_at(p, from, span_end(p, from, -1), msg, msglen)) {
        p->state = PLAYBACK_STOPPED;
        arm(p);
        return false;
    }
    return true;
}

static void op_pause(void *self)
{
    struct alsa_playback *p = self;
    char err[512];
    if (p->state == PLAYBACK_PLAYING) {
        /* the device holds still and keeps its place: resuming loses and
         * repeats nothing */
        engine_pause(p->e, true);
        p->pos = engine_seconds(p);
        p->state = PLAYBACK_PAUSED;
    } else if (p->state == PLAYBACK_PAUSED && p->e) {
        engine_pause(p->e, false);
        p->state = PLAYBACK_PLAYING;
    } else if (p->live) {
        /* paused and moved since, or stopped: start afresh there */
        double to = -1;
        if (p->audition) {
            double from;
            transition(p, p->audition_next - 1, &from, &to);
        }
        if (!start_at(p, p->pos, span_end(p, p->pos, to), err, sizeof err)) {
            note_error(p, err);
            p->state = PLAYBACK_STOPPED;
        }
    }
    arm(p);
}

static void op_stop(void *self)
{
    struct alsa_playback *p = self;
    halt(p);
    if (p->state != PLAYBACK_STOPPED && p->track >= 0)
        p->pos = track_start(p, p->track);
    p->state = PLAYBACK_STOPPED;
    p->audition = false;
    meters_silent(p);
    arm(p);
}

static void op_seek(void *self, double seconds)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || !p->tl_ok)
        return;
    double to = now_at(p) + seconds;
    if (p->loop) {
        /* stay within the looped track */
        double lo = track_start(p, p->track), hi = track_end(p, p->track) - 0.1;
        to = to < lo ? lo : to > hi ? hi : to;
    }
    p->audition = false;
    move_to(p, to);
}

static void op_next(void *self)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || p->track + 1 >= ntracks(p))
        return;
    p->audition = false;
    move_to(p, track_start(p, p->track + 1));
}

static void op_prev(void *self)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || p->track < 0)
        return;
    double at = now_at(p);
    int t = p->track;
    if (at - track_start(p, t) <= PREV_RESTART_SECONDS && t > 0)
        t--;
    p->audition = false;
    move_to(p, track_start(p, t));
}

static void op_loop(void *self, bool on)
{
    struct alsa_playback *p = self;
    p->loop = on;
    /* the engine's span ends at the track's end, or not: a new start */
    if (p->state == PLAYBACK_PLAYING && !p->audition)
        move_to(p, now_at(p));
    else if (p->state == PLAYBACK_PAUSED && !p->audition && p->e) {
        p->pos = engine_seconds(p);
        halt(p);                    /* resuming starts afresh, looping or not */
    }
    arm(p);
}

static bool op_audition(void *self, const struct session *s, int track, double seconds,
                        char *msg, size_t msglen)
{
    struct alsa_playback *p = self;
    leave_reference(p);
    p->live = s;
    p->state = PLAYBACK_STOPPED;
    arm(p);
    if (s->ntracks < 2) {
        snprintf(msg, msglen, "auditioning transitions needs two tracks or more");
        return false;
    }
    if (track < 0)
        track = 0;
    if (track > s->ntracks - 2)
        track = s->ntracks - 2;
    p->audition = true;
    p->audition_seconds = seconds > 0 ? seconds : 5;
    p->xruns = 0;
    meters_silent(p);
    if (p->loud)
        live_loudness_reset(p->loud);
    if (!play_transition(p, track, msg, msglen)) {
        p->audition = false;
        p->state = PLAYBACK_STOPPED;
        arm(p);
        return false;
    }
    return true;
}

static void op_match(void *self, double db)
{
    struct alsa_playback *p = self;
    p->trim = db;
    if (p->e)
        engine_set_trim(p->e, db);
}

static void op_preview(void *self, const char *output)
{
    struct alsa_playback *p = self;
    snprintf(p->output, sizeof p->output, "%s", output ? output : "");
    if (p->state == PLAYBACK_PAUSED)
        halt(p);
    else if (p->state == PLAYBACK_PLAYING && !p->audition)
        move_to(p, now_at(p));
    arm(p);
}

static void op_update(void *self, const struct session *s)
{
    struct alsa_playback *p = self;
    char err[512];
    if (p->ref >= 0) {
        p->master = s;      /* heard when going back to it */
        return;
    }
    p->live = s;
    /* new chains and gains go live, crossfaded; a changed timeline (a gap,
     * an order, a trim) or a new latency needs a new start */
    if (!p->e || engine_update(p->e, s, err, sizeof err))
        return;
    if (p->state == PLAYBACK_PAUSED)
        halt(p);        /* resuming starts afresh on the new session */
    else if (p->state == PLAYBACK_PLAYING && !p->audition)
        move_to(p, now_at(p));
}

/* Where playback is within the track playing, 0..1 (0 when stopped). */
static double relative_position(const struct alsa_playback *p)
{
    if (p->state == PLAYBACK_STOPPED || p->track < 0 || p->track >= ntracks(p))
        return 0;
    double a = track_start(p, p->track), b = track_end(p, p->track);
    double r = b > a ? (now_at(p) - a) / (b - a) : 0;
    return r < 0 ? 0 : r > 1 ? 1 : r;
}

/* A one-track session that plays reference `ref` of `s` as it is: its own
 * rate, no pregap, no chains, no gain. */
static struct session *reference_session(const struct session *s, int ref, char *err, size_t errlen)
{
    struct session *r = session_new();
    struct track *t = r ? session_insert_track(r, 0) : NULL;
    if (!t || !str_set(&r->path, s->path) || !str_set(&t->file, s->refs[ref].file)) {
        session_free(r);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mix_probe_session(r);
    if (!t->mix.ok) {
        snprintf(err, errlen, "reference %s: %s", s->refs[ref].file, t->mix.error);
        session_free(r);
        return NULL;
    }
    return r;
}

static bool op_reference(void *self, const struct session *s, int ref, double db, char *msg,
                         size_t msglen)
{
    struct alsa_playback *p = self;
    double rel = relative_position(p);
    bool was_ref = p->ref >= 0;
    if (ref >= s->nrefs) {
        snprintf(msg, msglen, "the session has no reference %d", ref + 1);
        return false;
    }
    if (!was_ref) {
        p->master = s;
        p->ref_track = p->track >= 0 ? p->track : 0;
    }
    struct session *rs = NULL;
    if (ref >= 0 && !(rs = reference_session(s, ref, msg, msglen)))
        return false;
    halt(p);
    session_free(p->ref_s);
    p->ref_s = rs;
    p->ref = ref;
    p->live = rs ? rs : p->master;
    const char *name = ref >= 0 ? (s->refs[ref].name ? s->refs[ref].name : s->refs[ref].file) : "";
    snprintf(p->ref_name, sizeof p->ref_name, "%s", name);
    p->trim = db;
    p->audition = false;
    if (p->loud)
        live_loudness_reset(p->loud);
    /* the new timeline first, for the position in it */
    if (!refresh_copy(p, msg, msglen) || ntracks(p) == 0) {
        if (ntracks(p) == 0)
            snprintf(msg, msglen, "the session has no tracks");
        p->state = PLAYBACK_STOPPED;
        arm(p);
        return false;
    }
    int t = ref >= 0 ? 0 : p->ref_track < ntracks(p) ? p->ref_track : 0;
    double a = track_start(p, t), b = track_end(p, t);
    double from = a + rel * (b - a);
    if (from > b - 0.1)
        from = b - 0.1 > a ? b - 0.1 : a;
    if (!start_at(p, from, span_end(p, from, -1), msg, msglen)) {
        p->state = PLAYBACK_STOPPED;
        arm(p);
        return false;
    }
    return true;
}

/* The engine ran to the end of its span (or failed): loop, go on with
 * the next transition, or stop. */
static void ended(struct alsa_playback *p, bool failed)
{
    char err[512] = "";
    if (failed)
        snprintf(p->error, sizeof p->error, "%s", engine_error(p->e));
    halt(p);
    if (!failed && p->loop && !p->audition) {
        double from = track_start(p, p->span_track);
        if (start_at(p, from, span_end(p, from, -1), err, sizeof err))
            return;
    }
    if (!failed && p->audition && p->audition_next + 1 < ntracks(p) &&
        play_transition(p, p->audition_next, err, sizeof err))
        return;
    if (!failed && err[0])
        note_error(p, err);    /* the restart failed */
    p->audition = false;
    p->state = PLAYBACK_STOPPED;
    if (!failed)
        p->pos = track_start(p, 0);     /* the album played: Space starts it again */
    p->track = track_at(p, p->pos);
    meters_silent(p);
    arm(p);
}

static bool op_poll(void *self, struct playback_status *st, struct playback_meters *m)
{
    struct alsa_playback *p = self;
    uint64_t ticks;
    ssize_t r = read(p->timer, &ticks, sizeof ticks);
    (void)r;
    bool fresh = p->changed;
    p->changed = false;
    if (p->e) {
        struct engine_status es;
        engine_status(p->e, &es);
        /* what an engine played is metered even when it has just ended
         * (a short looped span may end between two polls every time) */
        take_meters(p);
        take_tap(p);
        if (!es.running) {
            ended(p, es.failed);
        } else {
            p->pos = (double)es.position / p->rate;
            p->track = track_at(p, p->pos);
        }
        fresh = true;
    }
    if (!fresh)
        return false;
    int rate = p->rate > 0 ? p->rate : (p->tl_ok ? p->tl.rate : 48000);
    st->state = p->state;
    st->track = p->tl_ok ? p->track : -1;
    if (p->ref >= 0)
        st->track = p->ref_track;    /* the master's track it stands in for */
    st->rate = rate;
    st->loop = p->loop && !p->audition;
    st->xruns = p->xruns;
    if (p->e) {
        struct engine_status es;
        engine_status(p->e, &es);
        st->xruns += (unsigned)es.xruns;
    }
    st->position = st->length = 0;
    int k = p->ref >= 0 ? 0 : st->track;
    if (k >= 0 && k < ntracks(p)) {
        /* negative in the pregap, counting down to index 01 */
        double a = track_start(p, k);
        st->position = llround((p->pos - a) * rate);
        st->length = llround((track_end(p, k) - a) * rate);
    }
    snprintf(st->reference, sizeof st->reference, "%s", p->ref_name);
    snprintf(st->output, sizeof st->output, "%s", p->output);
    snprintf(st->error, sizeof st->error, "%s", p->error);
    p->error[0] = 0;
    *m = p->m;
    return true;
}

static void op_free(void *self)
{
    struct alsa_playback *p = self;
    if (!p)
        return;
    halt(p);
    if (p->tl_ok)
        timeline_free(&p->tl);
    session_free(p->s);
    session_free(p->ref_s);
    if (p->timer >= 0)
        close(p->timer);
    live_loudness_free(p->loud);
    octave_bank_free(p->bank);
    free(p->tap);
    free(p->tapd);
    free(p);
}

static const struct playback_ops alsa_ops = {
    .wake_fd = op_wake_fd,
    .play = op_play,
    .pause = op_pause,
    .stop = op_stop,
    .seek = op_seek,
    .next = op_next,
    .prev = op_prev,
    .loop = op_loop,
    .audition = op_audition,
    .match = op_match,
    .reference = op_reference,
    .preview = op_preview,
    .update = op_update,
    .poll = op_poll,
    .free = op_free,
};

struct playback *playback_alsa_new(const char *device, char *note, size_t notelen)
{
    if (pcm_out_nearest_rate(device, 48000) <= 0) {
        /* opening it says why: missing, busy, ...; the console's message
         * line has room for the short of it */
        char why[512];
        struct pcm_out *o = pcm_out_open(device, 48000, PCM_S16, PERIOD_FRAMES, PERIODS, why, sizeof why);
        if (o) {
            pcm_out_free(o);
            snprintf(note, notelen, "audio device \"%s\" takes no usual rate", device);
        } else if (strstr(why, "busy")) {
            snprintf(note, notelen, "audio device \"%s\" is busy", device);
        } else {
            snprintf(note, notelen, "no audio device \"%s\"", device);
        }
        return NULL;
    }
    struct alsa_playback *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(note, notelen, "out of memory");
        return NULL;
    }
    p->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    p->tap = malloc(sizeof(float) * 2 * TAP_FRAMES);
    p->tapd = malloc(sizeof(double) * 2 * TAP_FRAMES);
    if (p->timer < 0 || !p->tap || !p->tapd) {
        snprintf(note, notelen, p->timer < 0 ? "cannot create a timer" : "out of memory");
        p->pb.self = p;
        op_free(p);
        return NULL;
    }
    snprintf(p->device, sizeof p->device, "%s", device);
    p->track = -1;
    p->ref = -1;
    p->state = PLAYBACK_STOPPED;
    meters_silent(p);
    p->pb.ops = &alsa_ops;
    p->pb.self = p;
    return &p->pb;
}
