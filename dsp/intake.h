/* SPDX-License-Identifier: MIT */
/* Intake checks on a client's mix, measured in one streaming pass beside the
 * loudness meter: clipping, DC offset, silence at head and tail, stereo
 * correlation and polarity, an already-limited mix, headroom, and the
 * file's rate, depth and lossy origin.
 *
 * Thresholds (each warning's message carries the measured figure):
 *   clipping       >= 3 consecutive samples at |x| >= 0.9999 in one channel
 *                  is one clipped run; any run is a problem
 *   overs          samples above 0 dBFS, possible only in float files: problem
 *   dc-offset      |mean| of a channel above -60 dBFS (0.001): warning
 *   silent         every sample below -60 dBFS: problem
 *   silent-channel one channel below -60 dBFS throughout while another is
 *                  not (the LFE of a 6-channel file is exempt): warning
 *   head-silence   more than 1.0 s before the first sample at or above
 *                  -60 dBFS in any channel: note
 *   tail-silence   more than 2.0 s after the last such sample: note
 *   dual-mono      L and R identical (differ by less than -120 dBFS): note
 *   polarity       Pearson correlation of L and R below -0.5: problem
 *                  (one channel is probably inverted)
 *   mono-compat    correlation below 0 (and not below -0.5): warning
 *   limited        PLR below 8 dB, or the sample peak pinned: at least
 *                  1 in 10,000 samples (and at least 20) lie within 0.25 dB
 *                  of the sample peak, which must be above -12 dBFS: warning
 *   headroom       true peak above -1 dBTP: warning
 *   rate           not 44.1, 48, 88.2, 96, 176.4 or 192 kHz: warning
 *   depth          8 bits or fewer: problem; 9 to 16 bits: warning
 *   lossy          decoded from MP3, Ogg Vorbis or Opus: problem
 * Correlation is measured on the first two channels over the whole file
 * (silence adds nothing to it); it is undefined (NaN) when either channel
 * is constant or the file is mono.
 */
#ifndef LATHE_INTAKE_H
#define LATHE_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/loudness.h"

#define INTAKE_MAX_WARNINGS 24

struct intake;

enum intake_severity { INTAKE_NOTE, INTAKE_WARNING, INTAKE_PROBLEM };

struct intake_warning {
    const char *code;               /* "clipping", "dc-offset", ... (see above) */
    enum intake_severity severity;
    char message[192];              /* one sentence with the figures */
};

/* What the file says about itself (dsp/ reads no files: the caller fills it). */
struct intake_format {
    int bits;           /* bits per sample of integer PCM; 32/64 for float; 0 lossy */
    bool is_float;
    bool lossy;
    const char *name;   /* "MP3", "WAV 16-bit"... for messages; may be NULL */
};

struct intake_report {
    int channels;
    int64_t frames;
    double head_silence;            /* seconds before the first sample >= -60 dBFS */
    double tail_silence;            /* seconds after the last one */
    double dc_offset[LOUDNESS_MAX_CHANNELS];    /* mean, in dBFS (-inf if none) */
    double correlation;             /* L/R Pearson, NaN when undefined */
    int64_t clipped_runs;           /* over all channels */
    int64_t clipped_first;          /* frame where the first run starts, or -1 */
    int64_t overs;                  /* samples above 0 dBFS */
    int64_t near_peak;              /* samples within 0.25 dB of the sample peak */
    int nwarnings;
    struct intake_warning warnings[INTAKE_MAX_WARNINGS];
};

/* Checks for `channels` (1..LOUDNESS_MAX_CHANNELS) at `rate` Hz; NULL on bad
 * arguments or when memory runs out. */
struct intake *intake_new(int rate, int channels);
/* intake_free(NULL) does nothing. */
void intake_free(struct intake *in);
/* Looks at `frames` interleaved frames; blocks of any size give the same
 * report. Never allocates. */
void intake_add(struct intake *in, const double *buf, size_t frames);
/* Fills `out` with the figures and the warnings, most severe first. `lr`
 * is the loudness meter's result for the same frames (for PLR and the true
 * peak); `fmt` may be NULL when the source format is unknown. */
void intake_finish(const struct intake *in, const struct intake_format *fmt,
                   const struct loudness_result *lr, struct intake_report *out);
/* "note", "warning", "problem". */
const char *intake_severity_name(enum intake_severity s);

#endif
