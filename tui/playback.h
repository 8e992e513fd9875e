/* SPDX-License-Identifier: MIT */
/* What the console needs from playback (tui/playback_alsa.c adapts
 * audio/engine.h to it). The console runs without
 * one (a NULL engine: no playable device) and then says so; an engine plugs
 * in by filling these operations. Every operation is called from the UI
 * thread only and must not block on the audio thread. */
#ifndef LATHE_PLAYBACK_H
#define LATHE_PLAYBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"

#define PLAYBACK_MAX_CHANNELS 8
#define PLAYBACK_SPECTRUM_BANDS 31    /* 1/3 octave, 20 Hz to 20 kHz */

enum playback_state { PLAYBACK_STOPPED, PLAYBACK_PLAYING, PLAYBACK_PAUSED };

/* The transport, as a snapshot. */
struct playback_status {
    enum playback_state state;
    int track;                  /* 0-based track being played, -1 none */
    int64_t position, length;   /* samples of the track, at `rate` */
    int rate;
    bool loop;
    unsigned xruns;
    char output[64];            /* the output being previewed ("" for the session rate) */
    char reference[64];         /* the reference playing instead of the master, "" for none */
    char error[256];            /* why playback stopped by itself (a device lost, a mix
                                 * unreadable), once: the next poll clears it */
};

/* One meter frame, the latest the audio side produced. Levels in dBFS,
 * dBTP, LUFS; -HUGE_VAL where nothing was measured. */
struct playback_meters {
    int channels;
    double peak[PLAYBACK_MAX_CHANNELS], true_peak[PLAYBACK_MAX_CHANNELS];
    double hold[PLAYBACK_MAX_CHANNELS];
    bool clip[PLAYBACK_MAX_CHANNELS];
    double momentary, shortterm, integrated, range;
    double gr_comp, gr_limit;   /* dB of gain reduction, >= 0 */
    double correlation;         /* -1 .. +1 */
    double spectrum[PLAYBACK_SPECTRUM_BANDS];   /* dBFS per band */
};

struct playback_ops {
    /* A descriptor that becomes readable when a new status or meter frame
     * is there; the console polls it beside the terminal. */
    int (*wake_fd)(void *engine);
    /* Plays the session from the start of track `track`; the session is
     * the console's current one and stays valid until the next call of
     * play or update. */
    bool (*play)(void *engine, const struct session *s, int track, char *msg, size_t msglen);
    void (*pause)(void *engine);        /* toggles pause */
    void (*stop)(void *engine);
    void (*seek)(void *engine, double seconds);  /* relative */
    /* Next and previous track while playing (previous: to the start of the
     * current track when more than 2 s into it, as players do). */
    void (*next)(void *engine);
    void (*prev)(void *engine);
    /* Loops the track being played (on) or stops looping. */
    void (*loop)(void *engine, bool on);
    /* Auditions the transitions: the last `seconds` of each track into the
     * first `seconds` of the next, starting with the one into track
     * `track` (0-based; 0: the first transition). */
    bool (*audition)(void *engine, const struct session *s, int track, double seconds,
                     char *msg, size_t msglen);
    /* A gain (dB) added after the master chain while a chain is bypassed,
     * so that bypass is loudness-matched; 0 for none. Ramped, never a click. */
    void (*match)(void *engine, double db);
    /* A/B: ref >= 0 plays [reference] number ref of `s` instead of the
     * master, as it is (no chains), at the same relative position in the
     * track being played (clamped to the reference's length); ref < 0 goes
     * back to the master at the same relative position in the same track.
     * Either way with a trim of `db` (dB). Plays when stopped. */
    bool (*reference)(void *engine, const struct session *s, int ref, double db, char *msg,
                      size_t msglen);
    /* Previews an output of the session by name, NULL for none. */
    void (*preview)(void *engine, const char *output);
    /* The session changed (an edit, an undo): publish its chains. */
    void (*update)(void *engine, const struct session *s);
    /* Takes the latest status and meters; false when nothing is new. It
     * also drains the wake descriptor. */
    bool (*poll)(void *engine, struct playback_status *st, struct playback_meters *m);
    void (*free)(void *engine);
};

struct playback {
    const struct playback_ops *ops;
    void *self;
};

#endif
