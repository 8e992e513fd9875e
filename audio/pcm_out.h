/* SPDX-License-Identifier: MIT */
/* Where the engine's audio thread sends its frames: an ALSA playback PCM,
 * or anything else with the same small interface (tests use a fake one that
 * stalls and fails on purpose). Frames are stereo interleaved. */
#ifndef LATHE_PCM_OUT_H
#define LATHE_PCM_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum pcm_sample {
    PCM_S16,    /* 16-bit output formats */
    PCM_S32,    /* 24-bit values in the top 24 bits of a 32-bit word */
    PCM_FLOAT,  /* float and lossy outputs: the stage's samples as floats */
};

int pcm_sample_bytes(enum pcm_sample s);

struct pcm_out_ops {
    /* Audio thread: writes up to `frames` frames; returns the frames taken
     * or a negative errno (-EPIPE underrun, -ESTRPIPE suspended, ...). */
    long (*write)(void *dev, const void *data, long frames);
    /* Audio thread: after a failed write; 0 when writing may go on. */
    int (*recover)(void *dev, int error);
    /* Audio thread, at the end: plays what is queued (drain) or drops it. */
    void (*finish)(void *dev, bool drain);
    void (*close)(void *dev);
    /* What a negative error from write or recover means. */
    const char *(*strerror)(int error);
    /* Audio thread; optional (NULL: the engine only stops writing, and the
     * device plays out what it holds): on stops the sound at once, off
     * goes on where it stopped, nothing lost or played twice. 0 or a
     * negative errno. */
    int (*pause)(void *dev, bool on);
};

struct pcm_out {
    const struct pcm_out_ops *ops;
    void *dev;
    int period;     /* frames the engine writes at a time */
    int buffer;     /* frames the device queues */
};

/* Opens ALSA playback PCM `name` (any ALSA name: default, hw:1, plughw:0,
 * file:'/tmp/x.raw',raw ...) at exactly `rate` in format `sample`, with
 * the period and buffer sizes nearest those asked for (0: 1024 and 4
 * periods). NULL with a message that names the device when it is missing,
 * busy or cannot take the rate or format. */
struct pcm_out *pcm_out_open(const char *name, int rate, enum pcm_sample sample,
                             int period, int periods, char *err, size_t errlen);
/* What an error from opening device `name` means, in words: busy, missing,
 * no sound card at all. */
void pcm_out_describe(const char *name, int error, char *err, size_t errlen);
/* Audio thread too: a failed device in words (gone, busy, stalled: -ETIMEDOUT). */
const char *pcm_out_lost(int error);
/* The rate nearest `rate` that device `name` plays (== rate when it takes
 * it), or 0 when the device cannot be opened. */
int pcm_out_nearest_rate(const char *name, int rate);
/* Closes and frees; NULL does nothing. */
void pcm_out_free(struct pcm_out *p);

/* Lists the playback devices ALSA knows (name and description); the
 * number listed. */
int pcm_out_list(FILE *f);

#endif
