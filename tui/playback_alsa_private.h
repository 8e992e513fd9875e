/* SPDX-License-Identifier: MIT */
/* What the parts of the console's playback over the ALSA engine share,
 * and nothing else may use: the adapter's state, and the calls that cross
 * from one part to another (playback_alsa.c: the operations;
 * playback_engine.c: the engine under them; playback_meters.c: the
 * meters they show). */
#ifndef LATHE_PLAYBACK_ALSA_PRIVATE_H
#define LATHE_PLAYBACK_ALSA_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/engine.h"
#include "dsp/live_loudness.h"
#include "dsp/octave.h"
#include "session/timeline.h"
#include "tui/playback_alsa.h"

#define PERIOD_FRAMES 1024
#define PERIODS 4
#define TAP_FRAMES 4096         /* read from the tap at a time */

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

/* playback_alsa.c: the wake descriptor, and why playback stopped. */
void playback_arm(struct alsa_playback *p);
void playback_note_error(struct alsa_playback *p, const char *err);

/* playback_engine.c: the album's geometry, from our copy. */
int playback_ntracks(const struct alsa_playback *p);
double playback_track_start(const struct alsa_playback *p, int i);
double playback_track_end(const struct alsa_playback *p, int i);
int playback_track_at(const struct alsa_playback *p, double t);

/* playback_engine.c: the engine. */
void playback_halt(struct alsa_playback *p);
double playback_engine_seconds(const struct alsa_playback *p);
double playback_now_at(const struct alsa_playback *p);
bool playback_refresh_copy(struct alsa_playback *p, char *err, size_t errlen);
double playback_span_end(const struct alsa_playback *p, double from, double audition_to);
bool playback_start_at(struct alsa_playback *p, double from, double to, char *err, size_t errlen);
void playback_move_to(struct alsa_playback *p, double from);
void playback_transition(const struct alsa_playback *p, int k, double *from, double *to);
bool playback_play_transition(struct alsa_playback *p, int k, char *err, size_t errlen);

/* playback_meters.c: the meters shown, from the engine. */
void playback_meters_silent(struct alsa_playback *p);
bool playback_tap_meters_for(struct alsa_playback *p, int rate);
bool playback_take_tap(struct alsa_playback *p);
bool playback_take_meters(struct alsa_playback *p);

#endif
