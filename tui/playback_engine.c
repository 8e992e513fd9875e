/* SPDX-License-Identifier: MIT */
/* The engine under the console's playback: our copy of the session and
 * the album's geometry in it, and the engine (re)started at a place and
 * halted, which every operation of playback_alsa.c comes down to. */
#include <stdio.h>

#include "audio/engine.h"
#include "audio/pcm_out.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tui/console.h"
#include "tui/playback_alsa_private.h"

#define PREROLL_SECONDS 2.5

/* ---- the album's geometry, from our copy ---- */

int playback_ntracks(const struct alsa_playback *p)
{
    return p->tl_ok ? p->tl.ntracks : 0;
}

static double album_seconds(const struct alsa_playback *p, int64_t samples)
{
    return (double)samples / p->tl.rate;
}

/* Index 01 of track i; the album's end for i == ntracks. */
double playback_track_start(const struct alsa_playback *p, int i)
{
    if (i >= playback_ntracks(p))
        return album_seconds(p, p->tl.end);
    return album_seconds(p, p->tl.tracks[i < 0 ? 0 : i].index1);
}

/* The end of track i's audio. */
double playback_track_end(const struct alsa_playback *p, int i)
{
    const struct timeline_track *t = &p->tl.tracks[i];
    return album_seconds(p, t->audio_start + t->audio_length);
}

/* The track shown at album time t: a track's pregap (its index 00 on)
 * counts as that track's, as CD players count it down. */
int playback_track_at(const struct alsa_playback *p, double t)
{
    int k = 0;
    for (int i = 0; i < playback_ntracks(p); i++)
        if (t >= album_seconds(p, p->tl.tracks[i].index0))
            k = i;
    return k;
}

/* ---- the engine ---- */

void playback_halt(struct alsa_playback *p)
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
double playback_engine_seconds(const struct alsa_playback *p)
{
    struct engine_status st;
    engine_status(p->e, &st);
    return (double)st.position / p->rate;
}

double playback_now_at(const struct alsa_playback *p)
{
    return p->e ? playback_engine_seconds(p) : p->pos;
}

/* Takes a fresh copy of the console's session (after the engine that
 * played the old one has gone). */
bool playback_refresh_copy(struct alsa_playback *p, char *err, size_t errlen)
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
double playback_span_end(const struct alsa_playback *p, double from, double audition_to)
{
    if (p->audition)
        return audition_to;
    if (p->loop)
        return playback_track_end(p, playback_track_at(p, from));
    return -1;
}

/* (Re)starts the engine at `from` album seconds, on a fresh copy of the
 * session; `to` < 0: to the album's end. */
bool playback_start_at(struct alsa_playback *p, double from, double to, char *err, size_t errlen)
{
    playback_halt(p);
    if (!playback_refresh_copy(p, err, errlen))
        return false;
    double end = playback_track_start(p, playback_ntracks(p));
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
    if (!playback_tap_meters_for(p, p->rate))
        p->meter_rate = 0;      /* out of memory: no loudness or spectrum, still plays */
    p->pos = from;
    p->track = p->span_track = playback_track_at(p, from);
    p->state = PLAYBACK_PLAYING;
    playback_arm(p);
    return true;
}

/* Restarts at `from` when playing, else only moves there. */
void playback_move_to(struct alsa_playback *p, double from)
{
    char err[512];
    double end = playback_track_start(p, playback_ntracks(p));
    if (from > end - 0.1)
        from = end - 0.1;
    if (from < 0)
        from = 0;
    if (p->state != PLAYBACK_PLAYING) {
        playback_halt(p);        /* a paused engine is elsewhere: resuming starts afresh */
        p->pos = from;
        p->track = playback_track_at(p, from);
        playback_arm(p);
        return;
    }
    if (!playback_start_at(p, from, playback_span_end(p, from, -1), err, sizeof err)) {
        playback_note_error(p, err);
        p->state = PLAYBACK_STOPPED;
        playback_arm(p);
    }
}

/* The transition k: the last seconds of track k into the first of k+1. */
void playback_transition(const struct alsa_playback *p, int k, double *from, double *to)
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

bool playback_play_transition(struct alsa_playback *p, int k, char *err, size_t errlen)
{
    if (!playback_refresh_copy(p, err, errlen))
        return false;
    if (k + 1 >= playback_ntracks(p)) {
        snprintf(err, errlen, "no transition after track %d", k + 1);
        return false;
    }
    double from, to;
    playback_transition(p, k, &from, &to);
    p->audition_next = k + 1;
    return playback_start_at(p, from, to, err, errlen);
}
