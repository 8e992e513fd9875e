/* SPDX-License-Identifier: MIT */
/* The console's playback over the ALSA engine: every transport operation
 * of tui/playback.h, the status and meter snapshots, and the descriptor
 * that wakes the console. The engine under the operations is in
 * playback_engine.c, the meters in playback_meters.c.
 *
 * All of it runs on the UI thread. The engine plays the adapter's own
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
 * dynamics have settled. */
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
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tui/playback_alsa_private.h"

#define FRAME_NS 40000000L      /* 25 Hz */
/* "previous" goes to the start of the track when further in than this */
#define PREV_RESTART_SECONDS 2.0

/* Keeps why playback stopped, for the next poll; cut to fit. */
void playback_note_error(struct alsa_playback *p, const char *err)
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
void playback_arm(struct alsa_playback *p)
{
    struct itimerspec it = { .it_value = { 0, 1000000L } };
    if (p->state == PLAYBACK_PLAYING)
        it.it_interval.tv_nsec = FRAME_NS;
    timerfd_settime(p->timer, 0, &it, NULL);
    p->changed = true;
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
    playback_halt(p);
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
    playback_meters_silent(p);
    playback_halt(p);
    p->state = PLAYBACK_STOPPED;
    playback_arm(p);
    if (p->loud)
        live_loudness_reset(p->loud);    /* integrated: since play */
    if (!playback_refresh_copy(p, msg, msglen))
        return false;
    if (playback_ntracks(p) == 0) {
        snprintf(msg, msglen, "the session has no tracks");
        return false;
    }
    if (track < 0 || track >= playback_ntracks(p))
        track = 0;
    double from = playback_track_start(p, track);
    if (!playback_start_at(p, from, playback_span_end(p, from, -1), msg, msglen)) {
        p->state = PLAYBACK_STOPPED;
        playback_arm(p);
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
        p->pos = playback_engine_seconds(p);
        p->state = PLAYBACK_PAUSED;
    } else if (p->state == PLAYBACK_PAUSED && p->e) {
        engine_pause(p->e, false);
        p->state = PLAYBACK_PLAYING;
    } else if (p->live) {
        /* paused and moved since, or stopped: start afresh there */
        double to = -1;
        if (p->audition) {
            double from;
            playback_transition(p, p->audition_next - 1, &from, &to);
        }
        if (!playback_start_at(p, p->pos, playback_span_end(p, p->pos, to), err, sizeof err)) {
            playback_note_error(p, err);
            p->state = PLAYBACK_STOPPED;
        }
    }
    playback_arm(p);
}

static void op_stop(void *self)
{
    struct alsa_playback *p = self;
    playback_halt(p);
    if (p->state != PLAYBACK_STOPPED && p->track >= 0)
        p->pos = playback_track_start(p, p->track);
    p->state = PLAYBACK_STOPPED;
    p->audition = false;
    playback_meters_silent(p);
    playback_arm(p);
}

static void op_seek(void *self, double seconds)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || !p->tl_ok)
        return;
    double to = playback_now_at(p) + seconds;
    if (p->loop) {
        /* stay within the looped track */
        double lo = playback_track_start(p, p->track), hi = playback_track_end(p, p->track) - 0.1;
        to = to < lo ? lo : to > hi ? hi : to;
    }
    p->audition = false;
    playback_move_to(p, to);
}

static void op_next(void *self)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || p->track + 1 >= playback_ntracks(p))
        return;
    p->audition = false;
    playback_move_to(p, playback_track_start(p, p->track + 1));
}

static void op_prev(void *self)
{
    struct alsa_playback *p = self;
    if (p->state == PLAYBACK_STOPPED || p->track < 0)
        return;
    double at = playback_now_at(p);
    int t = p->track;
    if (at - playback_track_start(p, t) <= PREV_RESTART_SECONDS && t > 0)
        t--;
    p->audition = false;
    playback_move_to(p, playback_track_start(p, t));
}

static void op_loop(void *self, bool on)
{
    struct alsa_playback *p = self;
    p->loop = on;
    /* the engine's span ends at the track's end, or not: a new start */
    if (p->state == PLAYBACK_PLAYING && !p->audition)
        playback_move_to(p, playback_now_at(p));
    else if (p->state == PLAYBACK_PAUSED && !p->audition && p->e) {
        p->pos = playback_engine_seconds(p);
        playback_halt(p);                    /* resuming starts afresh, looping or not */
    }
    playback_arm(p);
}

static bool op_audition(void *self, const struct session *s, int track, double seconds,
                        char *msg, size_t msglen)
{
    struct alsa_playback *p = self;
    leave_reference(p);
    p->live = s;
    p->state = PLAYBACK_STOPPED;
    playback_arm(p);
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
    playback_meters_silent(p);
    if (p->loud)
        live_loudness_reset(p->loud);
    if (!playback_play_transition(p, track, msg, msglen)) {
        p->audition = false;
        p->state = PLAYBACK_STOPPED;
        playback_arm(p);
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
        playback_halt(p);
    else if (p->state == PLAYBACK_PLAYING && !p->audition)
        playback_move_to(p, playback_now_at(p));
    playback_arm(p);
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
        playback_halt(p);        /* resuming starts afresh on the new session */
    else if (p->state == PLAYBACK_PLAYING && !p->audition)
        playback_move_to(p, playback_now_at(p));
}

/* Where playback is within the track playing, 0..1 (0 when stopped). */
static double relative_position(const struct alsa_playback *p)
{
    if (p->state == PLAYBACK_STOPPED || p->track < 0 || p->track >= playback_ntracks(p))
        return 0;
    double a = playback_track_start(p, p->track), b = playback_track_end(p, p->track);
    double r = b > a ? (playback_now_at(p) - a) / (b - a) : 0;
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
    playback_halt(p);
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
    if (!playback_refresh_copy(p, msg, msglen) || playback_ntracks(p) == 0) {
        if (playback_ntracks(p) == 0)
            snprintf(msg, msglen, "the session has no tracks");
        p->state = PLAYBACK_STOPPED;
        playback_arm(p);
        return false;
    }
    int t = ref >= 0 ? 0 : p->ref_track < playback_ntracks(p) ? p->ref_track : 0;
    double a = playback_track_start(p, t), b = playback_track_end(p, t);
    double from = a + rel * (b - a);
    if (from > b - 0.1)
        from = b - 0.1 > a ? b - 0.1 : a;
    if (!playback_start_at(p, from, playback_span_end(p, from, -1), msg, msglen)) {
        p->state = PLAYBACK_STOPPED;
        playback_arm(p);
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
    playback_halt(p);
    if (!failed && p->loop && !p->audition) {
        double from = playback_track_start(p, p->span_track);
        if (playback_start_at(p, from, playback_span_end(p, from, -1), err, sizeof err))
            return;
    }
    if (!failed && p->audition && p->audition_next + 1 < playback_ntracks(p) &&
        playback_play_transition(p, p->audition_next, err, sizeof err))
        return;
    if (!failed && err[0])
        playback_note_error(p, err);    /* the restart failed */
    p->audition = false;
    p->state = PLAYBACK_STOPPED;
    if (!failed)
        p->pos = playback_track_start(p, 0);     /* the album played: Space starts it again */
    p->track = playback_track_at(p, p->pos);
    playback_meters_silent(p);
    playback_arm(p);
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
        playback_take_meters(p);
        playback_take_tap(p);
        if (!es.running) {
            ended(p, es.failed);
        } else {
            p->pos = (double)es.position / p->rate;
            p->track = playback_track_at(p, p->pos);
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
    if (k >= 0 && k < playback_ntracks(p)) {
        /* negative in the pregap, counting down to index 01 */
        double a = playback_track_start(p, k);
        st->position = llround((p->pos - a) * rate);
        st->length = llround((playback_track_end(p, k) - a) * rate);
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
    playback_halt(p);
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
    playback_meters_silent(p);
    p->pb.ops = &alsa_ops;
    p->pb.self = p;
    return &p->pb;
}
