/* SPDX-License-Identifier: MIT */
/* A loudness meter over libebur128 (BS.1770 / EBU R 128): integrated
 * loudness, loudness range, the maxima of momentary and short-term loudness
 * read on a fine hop, sample and true peak per channel (from peak_meter.h:
 * libebur128's interpolator, computed only where it can raise the peak),
 * and PLR.
 *
 * Feed it interleaved double frames in blocks of any size: the readings do
 * not depend on how the signal was cut. The meter allocates while it
 * measures (libebur128 keeps its gating blocks in a list), so it belongs on
 * a worker or in the renderer, never on the audio thread.
 *
 * Channel map: 1 channel is mono (weight 1), 2 are L R, 5 are L R C Ls Rs,
 * 6 are L R C LFE Ls Rs with the LFE left out (BS.1770 weights: 1.0 for L, R,
 * C and 1.41 for the surrounds); other counts keep libebur128's default
 * (L R C unused Ls Rs, the rest unused). Peaks are measured on every channel.
 */
#ifndef LATHE_LOUDNESS_H
#define LATHE_LOUDNESS_H

#include <stdbool.h>
#include <stddef.h>

#define LOUDNESS_MAX_CHANNELS 32

struct loudness;

/* Levels in LUFS, dBFS or dBTP; -HUGE_VAL (-inf) where the signal gave
 * nothing to measure (silence, or everything below the gates). */
struct loudness_result {
    int channels;
    double integrated;          /* LUFS, gated (BS.1770) */
    double range;               /* LRA in LU (Tech 3342); 0 when too short */
    double momentary_max;       /* LUFS, 400 ms window, read every <= 5 ms */
    double shortterm_max;       /* LUFS, 3 s window, read every <= 5 ms */
    double sample_peak[LOUDNESS_MAX_CHANNELS];  /* dBFS */
    double true_peak[LOUDNESS_MAX_CHANNELS];    /* dBTP, never below the sample peak */
    double sample_peak_max;     /* dBFS, over the channels */
    double true_peak_max;       /* dBTP, over the channels */
    double plr;                 /* true_peak_max - integrated, in dB; NaN if silent */
};

/* A meter for `channels` (1..LOUDNESS_MAX_CHANNELS) at `rate` Hz; NULL on
 * bad arguments or when memory runs out. */
struct loudness *loudness_new(int rate, int channels);

/* What a meter may leave out, for meters that run over a whole album many
 * times (a render's reports, leveling passes): each costs CPU per sample.
 *   LOUDNESS_NO_MAXIMA  no momentary and short-term readings on the fine
 *                       hop: momentary_max and shortterm_max are NaN;
 *   LOUDNESS_NO_PEAKS   no sample or true peak of its own: the peaks are
 *                       the ones given to loudness_merge_peaks (silence
 *                       when none were), typically a peak meter's over the
 *                       same frames (album_meter.c);
 *   LOUDNESS_INTEGRATED integrated loudness only: also no loudness range
 *                       (NaN) and no peaks, as LOUDNESS_NO_PEAKS. */
enum {
    LOUDNESS_NO_MAXIMA = 1,
    LOUDNESS_NO_PEAKS = 2,
    LOUDNESS_INTEGRATED = 4 | LOUDNESS_NO_MAXIMA | LOUDNESS_NO_PEAKS,
};
struct loudness *loudness_new_flags(int rate, int channels, unsigned flags);
/* Frees the meter; loudness_free(NULL) does nothing. */
void loudness_free(struct loudness *m);
/* Measures `frames` interleaved frames. False when memory ran out (the
 * meter is then unusable) or after loudness_finish. */
bool loudness_add(struct loudness *m, const double *buf, size_t frames);
/* Raises the peaks of a LOUDNESS_NO_PEAKS meter to at least these linear
 * values per channel. */
void loudness_merge_peaks(struct loudness *m, const double *sample, const double *true_peak);
/* The momentary and short-term loudness at the last hop boundary, in LUFS
 * (for live display and tests). */
double loudness_momentary(const struct loudness *m);
double loudness_shortterm(const struct loudness *m);
/* The hop, in frames, at which momentary and short-term loudness are read. */
int loudness_hop(const struct loudness *m);
/* The channel's name in the map above: "L", "R", "C", "LFE", "Ls", "Rs",
 * "M" for mono, or its number from 1 when the count has no map. */
const char *loudness_channel_name(int channels, int channel);
/* Ends the measurement and fills `out`. Follows Tech 3342 for files: the
 * loudness range is taken after 1.5 s of silence, which also flushes the
 * true-peak filter. The integrated loudness is taken before it. Further
 * calls return the same result; loudness_add is refused afterwards. False
 * when memory ran out. */
bool loudness_finish(struct loudness *m, struct loudness_result *out);

#endif
