/* SPDX-License-Identifier: MIT */
/* The album timeline: where every track's audio and marks sit, in samples
 * at the session rate, and the CD frames of those marks (DESIGN §3). */
#ifndef LATHE_TIMELINE_H
#define LATHE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "session/model.h"

struct timeline_track {
    int64_t audio_start;    /* first sample of the track's audio on the album */
    int64_t audio_length;   /* samples of audio after trims, at the session rate */
    int64_t source_start;   /* trim-in, in samples of the mix at its own rate */
    int64_t source_length;  /* samples of the mix used, at its own rate */
    int64_t index0;         /* start of the gap (pregap); == index1 when none */
    int64_t index1;         /* the track's start mark, on a CD frame */
    int64_t next_index1;    /* the next track's index 01, or the album end */
    int64_t extra_index[SESSION_MAX_INDEXES];  /* index 02..: album positions */
    int nextra;
    int64_t fade_in, fade_out;  /* lengths in samples */
    int64_t crossfade;      /* overlap with the previous track, in samples */
    bool length_known;      /* the mix was read; else its length counts as 0 */
};

struct timeline {
    int rate;
    int frame;              /* samples per CD frame at this rate (rate / 75) */
    int ntracks;
    struct timeline_track *tracks;
    int64_t end;            /* album end: after the last audio, on a CD frame */
};

/* Lays the session's tracks out on the album. Tracks whose mix was not
 * probed (mix.ok false) count as empty. Returns false when out of memory. */
bool timeline_build(const struct session *s, struct timeline *tl);
void timeline_free(struct timeline *tl);

/* The CD frame (1/75 s) that holds sample `samples`: marks give their
 * frame exactly. */
int64_t timeline_frames(const struct timeline *tl, int64_t samples);
/* The first CD frame at or after `samples`. */
int64_t timeline_frames_ceil(const struct timeline *tl, int64_t samples);
/* The first sample of CD frame k at `rate`: k * rate / 75, rounded. */
int64_t timeline_frame_start(int rate, int64_t k);
/* Formats samples as mm:ss:ff (CD frames), rounding down to a frame. */
void timeline_msf(const struct timeline *tl, int64_t samples, char *buf, int len);
/* Formats samples as m:ss.fff. */
void timeline_clock(int rate, int64_t samples, char *buf, int len);

#endif
