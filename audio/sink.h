/* SPDX-License-Identifier: MIT */
/* Sinks: where an output's final samples go. The renderer runs the album
 * once, passes it through each output's stage (resample, safety limiter,
 * dither, quantize), and hands every block to the output's sinks: per-track
 * files, one album file, a DDP image. A sink writes only inside the output's
 * folder (a temporary folder the renderer renames when all is done). */
#ifndef LATHE_SINK_H
#define LATHE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"
#include "session/timeline.h"

#define SINK_CHANNELS 2

/* One block of an output's final samples, stereo interleaved. */
struct render_block {
    const int32_t *pcm;     /* quantized to `bits`, or NULL for float/lossy outputs */
    const double *samples;  /* the same values in [-1, 1] (pcm / 2^(bits-1)), or the
                             * float samples when pcm is NULL */
    int frames;
    int64_t position;       /* album frame, at the output rate, of the first frame */
};

/* What every sink is told about its output. */
struct sink_context {
    const struct session *s;
    const struct timeline *tl;  /* at the session rate */
    const struct output *o;
    const char *dir;            /* the output's (temporary) folder */
    int rate;                   /* output rate */
    int bits;                   /* 16, 24; 32 = float; 0 = lossy (encoder decides) */
    int64_t length;             /* album frames at the output rate */
};

struct sink_ops {
    const char *name;
    bool (*write)(void *state, const struct render_block *b, char *err, size_t errlen);
    /* After the last block: finish and close every file. */
    bool (*finish)(void *state, char *err, size_t errlen);
    void (*destroy)(void *state);
};

struct sink {
    const struct sink_ops *ops;
    void *state;
};

/* A mark of the timeline (session-rate samples, on a CD frame when the
 * session rate is a multiple of 75) at the output rate. */
int64_t sink_mark(const struct sink_context *c, int64_t session_samples);

/* The file-name template expanded for track i (0-based): {nn} {n} {title}
 * {performer} {album} {isrc}; characters a file system or a plant would
 * choke on (/ \ : * ? " < > | and control characters) become '_'. */
void sink_track_name(const struct sink_context *c, const char *template, int i,
                     char *out, size_t len);

/* Whether every {field} of a name template is one sink_track_name knows. */
bool sink_template_check(const char *template, char *err, size_t errlen);

#endif
