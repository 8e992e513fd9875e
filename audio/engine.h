/* SPDX-License-Identifier: MIT */
/* The playback engine: the album through the same album stream and output
 * stage as the renderer, to an audio device, in real time.
 *
 * Threads, and what each may do:
 * - the caller's (UI) thread creates, starts, pauses, updates, polls and
 *   frees the engine. It builds new chains (engine_update), frees the ones
 *   the audio thread let go of, reads status snapshots, meter frames and
 *   the tap. It never touches the DSP state.
 * - the reader thread opens, decodes, makes stereo and converts each mix to
 *   the session rate (mix_reader.h) into one lock-free SPSC ring per track
 *   slot, a few slots reused in turn, each about a second ahead, all topped
 *   up together so that a crossfade never waits for one mix behind another.
 *   It may allocate, read files and sleep. Before playing it also runs the
 *   album from the DSP's start point to the first frame to play
 *   (fast-forward, below), then hands the DSP to the audio thread.
 * - the audio thread runs the DSP a period at a time: the album stream
 *   (track chains, timeline, master chain) over the mix rings, the trim,
 *   the output's stage (resample, limiter, dither, quantize), into a small
 *   preallocated FIFO of device frames; writes a period to the device;
 *   recovers and counts xruns; measures the meters (level_meter.h, gain
 *   reduction) into an SPSC ring and copies the frames played into the tap
 *   ring. Once a period it takes a new set of chains published by
 *   engine_update (an atomic exchange) and hands back the one a finished
 *   change let go of, for the UI thread to free. It never allocates,
 *   frees, locks, logs or touches a file: it waits only in the device's
 *   write (a non-blocking PCM and a 100 ms poll), while paused, and in a
 *   1 ms nanosleep while a mix ring is short (counted as `starved`).
 *   Every function it calls says so in one line ("Audio thread");
 *   tests/test_engine.c interposes malloc, free, the locks, open, read,
 *   write and stdio to prove it.
 *
 * Start. With preroll == 0 playback is bit-identical to the render: the
 * DSP starts at the album's start and the reader fast-forwards it to the
 * first frame to play, so every chain, converter, limiter and dither is
 * exactly where the render has it. With preroll > 0 the DSP starts that
 * many seconds before the span (tracks that ended by then are never
 * opened; mixes are opened at the right offset): quick, and settled by the
 * time the span begins, not the same bits.
 *
 * What is heard: through an output's stage (--output NAME: its rate, depth,
 * ceiling and dither), or, without one, monitoring at the session rate:
 * TPDF-dithered 24-bit samples in 32-bit words, the same as a 24-bit wav
 * output at the session rate without a ceiling. 16-bit outputs play as
 * S16, 24-bit ones as S32, float and lossy ones as FLOAT.
 *
 * Live changes are heard within a period (plus the FIFO's part of one)
 * and the chain's latency, crossfaded over 15 ms. A device that fails, or
 * takes nothing for 2 s, stops the engine with a message (engine_error). */
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

/* Pauses (the device stops at once) or resumes where it paused; any thread
 * but the audio thread: it returns once the audio thread has done it. */
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
