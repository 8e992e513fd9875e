/* SPDX-License-Identifier: MIT */
/* What the engine's parts share (audio/engine.c, engine_reader.c and
 * engine_audio.c), and nothing outside them may use: the engine itself
 * and the few calls that cross from one part to another.
 *
 * Shared state and its rules, written where it is declared below: the
 * mixes' rings (mix_feed.c says how) and `pcm` (a DDP image's device
 * frames) have the reader as their only producer and the audio thread as
 * their only consumer; `meters` and `tap` have the audio thread as
 * producer and the UI thread as consumer. Flags and counters are atomics, each written by one thread
 * (stop and pause: any). The album, the stage and the device FIFO belong
 * to the reader until it sets `handed`, then to the audio thread. */
#ifndef LATHE_ENGINE_PRIVATE_H
#define LATHE_ENGINE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/album_stream.h"
#include "audio/engine.h"
#include "audio/sink.h"
#include "session/timeline.h"

#define READ_BLOCK 1024         /* most album frames the DSP runs at a time */
#define DDP_CHUNK 4096          /* DDP frames the reader moves at a time */
#define TAP_CHUNK 1024          /* frames converted for the tap at a time */

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
    int64_t *restarts;          /* track starts where the stage's converter restarts */
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
    atomic_bool paused;         /* done: the audio thread has stopped writing (audio thread) */
    atomic_bool looping;        /* the audio thread is past priming, taking requests */
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

/* In engine_audio.c, and called by the reader too: before it hands the
 * DSP over (the fast-forward), and for a DDP image's frames. */
void engine_sleep_ms(int ms);
void engine_convert(const struct engine *e, const struct render_block *b, int from, int n,
                    unsigned char *to);
bool engine_dsp_step(struct engine *e, int frames);

/* The threads' bodies (engine_reader.c, engine_audio.c), for engine_start. */
void *engine_reader_main(void *arg);
void *engine_audio_main(void *arg);

#endif
