/* SPDX-License-Identifier: MIT */
/* The playback engine: the album through the same album stream and output
 * stage as the renderer, to an audio device, in real time.
 *
 * Threads:
 * - the caller's (UI) thread creates, starts, polls and frees the engine;
 *   it reads status snapshots and meter frames and never touches the rest;
 * - the reader thread decodes, runs the track chains, the master chain and
 *   the output's stage (resample, limiter, dither, quantize) ahead of time
 *   and puts finished device frames into a lock-free SPSC ring; it may
 *   allocate, read files and sleep while the ring is full;
 * - the audio thread only copies frames from that ring to the device, a
 *   period at a time, recovers and counts xruns and measures the meters
 *   into a second SPSC ring. It never allocates, locks, logs or touches a
 *   file: after the thread starts it calls only functions marked
 *   "audio thread" (ring_*, the pcm_out ops, its own meter code) and a
 *   nanosleep while the ring is empty. tests/test_engine.c interposes the
 *   allocator to prove it.
 *
 * Bit-identity: playback starts by running the album from its start up to
 * the first frame to play ("fast-forward", without playing), so the master
 * chain, the resampler, the limiter and the dither are exactly where the
 * render has them there; what is played is then the render's bytes.
 *
 * What is heard: through an output's stage (--output NAME: its rate, depth,
 * ceiling and dither), or, without one, monitoring at the session rate:
 * TPDF-dithered 24-bit samples in 32-bit words, the same as a 24-bit wav
 * output at the session rate without a ceiling. 16-bit outputs play as
 * S16, 24-bit ones as S32, float and lossy ones as FLOAT. */
#ifndef LATHE_ENGINE_H
#define LATHE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/pcm_out.h"
#include "session/model.h"

struct engine;

struct engine_options {
    const char *output;     /* an [output NAME] to hear through; NULL: monitor */
    int track;              /* 1-based: from its index 01 to the next; 0: none */
    double from, to;        /* album seconds; < 0: not set (to: the span's end) */
    double preroll;         /* > 0: start by running the album from this many
                             * seconds before `from`/the track instead of from
                             * the album start: quick, settled, not bit-identical
                             * (seeks in the console); 0: exact (lathe play) */
    int rate;               /* play at this rate instead (a device that cannot take
                             * the output's): the stage resamples to it; 0: no */
};

/* Prepares playback of the session (whose mixes must have been probed).
 * NULL with a message on bad input. Nothing plays until engine_start. */
struct engine *engine_new(const struct session *s, const struct engine_options *opt,
                          char *err, size_t errlen);
/* Prepares playback of a DDP image as it is (44.1 kHz, 16-bit; tracks and
 * spans at its PQ marks). The image must outlive the engine. */
struct ddp;
struct engine *engine_new_ddp(const struct ddp *d, const struct engine_options *opt,
                              char *err, size_t errlen);
/* Stops (if playing), joins the threads, closes the device; NULL does nothing. */
void engine_free(struct engine *e);

/* What the device must take. */
int engine_rate(const struct engine *e);
enum pcm_sample engine_sample(const struct engine *e);
/* The span played, in frames at engine_rate from the album start. */
void engine_span(const struct engine *e, int64_t *start, int64_t *end);

/* Starts the reader and audio threads on `out`, which the engine then owns
 * (even on failure). */
bool engine_start(struct engine *e, struct pcm_out *out, char *err, size_t errlen);
/* Asks both threads to stop; any thread; returns at once. */
void engine_stop(struct engine *e);

struct engine_status {
    bool running;           /* false once everything was played, or on stop/error */
    bool failed;            /* engine_error says why */
    bool realtime;          /* the audio thread got real-time priority */
    int64_t position;       /* album frame at engine_rate of the next frame to play */
    int track;              /* 1-based track at the position; 0 in track 1's pregap */
    int xruns;              /* device underruns recovered */
    int starved;            /* times the reader had no frames ready */
};
void engine_status(const struct engine *e, struct engine_status *st);
const char *engine_error(const struct engine *e);

/* Pauses (the device stops at once) or resumes where it paused; any thread. */
void engine_pause(struct engine *e, bool paused);

/* Live changes (UI thread). The chains of every track and the master of `s`
 * (which must keep the engine's tracks, order and timeline; otherwise false
 * and the caller restarts playback) are built here and published with an
 * atomic pointer swap; the audio thread takes them at its next period,
 * carries the processors' state over and crossfades to them over a short
 * ramp. Chains it let go of are freed by a later call, never by the audio
 * thread. */
bool engine_update(struct engine *e, const struct session *s, char *err, size_t errlen);
/* A gain in dB after the master chain (loudness-matched bypass), ramped. */
void engine_set_trim(struct engine *e, double db);

/* One period's levels, as the device gets them. */
struct engine_meter {
    int64_t position;       /* album frame at engine_rate of the period's start */
    int frames;
    float peak[2];          /* linear, 0..1 */
    float rms[2];
    float true_peak[2];     /* linear, BS.1770 4x */
    float correlation;      /* -1..+1 */
    float gr_comp, gr_limit;    /* dB of gain reduction now, >= 0: the largest of
                                 * the compressors' (comp, multiband) and limiters' */
};
/* The oldest meter frame not yet read; false when there is none. */
bool engine_meter_pop(struct engine *e, struct engine_meter *m);
/* The frames played, as interleaved float stereo at engine_rate, for meters
 * computed off the audio thread (loudness, spectrum): up to `frames` of the
 * oldest not yet read; 0 when none. A tap not read for a while drops frames. */
long engine_tap_read(struct engine *e, float *buf, long frames);

#endif
