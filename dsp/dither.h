/* SPDX-License-Identifier: MIT */
/* The last stage of every fixed-point output: TPDF dither, optional noise
 * shaping and quantization to 16 or 24 bits (standards.md §6).
 *
 * Noise. TPDF of 2 LSB peak to peak: the sum of two uniforms in [-1/2, 1/2)
 * LSB, then round to nearest and clip. The uniforms come from a counter-based
 * generator, a hash of (seed, absolute frame position, channel), not from a
 * running random state, so the output depends only on the input and its
 * place on the album timeline: never on the block size, and two renders of
 * the same format carry the same bits. The seed is derived from the output
 * format (dither_seed), so outputs of different formats get different noise.
 *
 * Shaping (DITHER_SHAPED), by error feedback: v = x - sum c_k e[n-1-k],
 * y = Q(v + d), e[n] = y - v, so the noise is shaped by NTF(z) = 1 - sum c_k
 * z^-(k+1). Within 5% of 44.1 kHz the Lipshitz 5-tap filter pushes the noise
 * out of the 1-5 kHz region where the ear is most sensitive (like SoX, only
 * near the rate it was designed for: elsewhere its dip would land on the
 * wrong frequencies). At other rates a first-order shaper, NTF = 1 - z^-1: it
 * needs no design rate, only tilts the noise toward Nyquist (beyond the
 * sensitive range at 48 kHz and above), and costs +3 dB of total noise. The
 * error fed back is the rounding error before clipping, so it stays within
 * +-1.5 LSB and the loop cannot run away on a clipped sample.
 *
 * Digital silence stays exact zero: a frame whose input samples are all
 * exactly 0.0 outputs 0 on every channel, gets no dither, and enters the
 * shaping history as zero error (its true error, since 0 is exact). So a gap
 * is silent from its first frame, and once the gap is longer than the filter
 * (5 frames) no error from before it reaches the music after it.
 *
 * DITHER_OFF is plain rounding to nearest (ties upward) with clipping.
 * dither_process may be called from the audio thread.
 */
#ifndef LATHE_DITHER_H
#define LATHE_DITHER_H

#include <stdint.h>

enum dither_mode { DITHER_OFF, DITHER_TPDF, DITHER_SHAPED };
enum dither_shaping { SHAPING_NONE, SHAPING_FIRST_ORDER, SHAPING_LIPSHITZ };

struct dither;

/* The noise shaping a mode gets at a rate (see above). */
enum dither_shaping dither_shaping_for(enum dither_mode mode, int rate);
/* The noise seed of an output format. */
uint64_t dither_seed(int rate, int bits, int mode, int shaping);

/* bits: 8 to 24. NULL on bad arguments or no memory. */
struct dither *dither_new(int channels, int bits, enum dither_mode mode,
                          int rate);
void dither_free(struct dither *d);

/* Quantizes `frames` interleaved frames to integers in [-2^(bits-1),
 * 2^(bits-1) - 1] (full scale 1.0 = 2^(bits-1)). `position` is the absolute
 * frame index on the album timeline of in[0]; successive calls must follow
 * each other on the timeline for the shaping state to carry over. */
void dither_process(struct dither *d, const double *in, int32_t *out,
                    int frames, int64_t position);
/* Samples clipped since creation or the last reset. */
int64_t dither_clipped(const struct dither *d);
enum dither_shaping dither_shaping(const struct dither *d);
/* Clears the shaping history and the clip count. */
void dither_reset(struct dither *d);
/* Copies the shaping history (for snapshots); dst keeps its clip count. Both
 * must have the same channels and mode. */
void dither_copy_state(struct dither *dst, const struct dither *src);

#endif
