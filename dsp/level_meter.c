/* SPDX-License-Identifier: MIT */
/* Playback's level meters: sample peak, BS.1770 true peak, RMS and the
 * correlation of the first two channels, sample by sample. */
#include "dsp/level_meter.h"
#include "dsp/truepeak.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The interpolator needs the last `taps` samples of each channel. They are
 * written twice, at i and i + HIST, so that the newest `taps` samples always
 * lie in one straight run hist[i + 1 .. i + HIST] whatever i is. */
#define HIST TRUEPEAK_MAX_TAPS

struct level_meter {
    int channels;
    struct truepeak_filter f;
    int pos;                                    /* 0 .. f.taps - 1 */
    double hist[LEVEL_METER_MAX_CHANNELS][2 * HIST];
    /* Since the last take; the history above outlives takes. */
    long frames;
    double peak[LEVEL_METER_MAX_CHANNELS], true_peak[LEVEL_METER_MAX_CHANNELS];
    double sum_sq[LEVEL_METER_MAX_CHANNELS];
    double sum_xy;
};

struct level_meter *level_meter_new(int channels, int rate)
{
    if (channels < 1 || channels > LEVEL_METER_MAX_CHANNELS)
        return NULL;
    struct level_meter *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->channels = channels;
    /* BS.1770's 4x table at every rate: the meter shows what the standard
     * defines, the limiter's own guard is elsewhere. */
    truepeak_bs1770(&m->f);
    return m;
}

void level_meter_free(struct level_meter *m)
{
    free(m);
}

static void clear_reading(struct level_meter *m)
{
    m->frames = 0;
    m->sum_xy = 0;
    for (int c = 0; c < LEVEL_METER_MAX_CHANNELS; c++)
        m->peak[c] = m->true_peak[c] = m->sum_sq[c] = 0;
}

void level_meter_reset(struct level_meter *m)
{
    memset(m->hist, 0, sizeof m->hist);
    m->pos = 0;
    clear_reading(m);
}

/* Audio thread: one frame, already scaled to full scale = 1.0. */
static inline void frame(struct level_meter *m, const double *x)
{
    const struct truepeak_filter *f = &m->f;
    int taps = f->taps;
    int pos = m->pos;
    for (int c = 0; c < m->channels; c++) {
        double v = x[c];
        double *h = m->hist[c];
        h[pos] = h[pos + taps] = v;
        /* newest first: x[n - t] = w[-t] */
        const double *w = h + pos + taps;
        double tp = m->true_peak[c];
        for (int p = 0; p < f->phases; p++) {
            double acc = 0;
            for (int t = 0; t < taps; t++)
                acc += f->h[p][t] * w[-t];
            tp = fmax(tp, fabs(acc));
        }
        m->true_peak[c] = tp;
        m->peak[c] = fmax(m->peak[c], fabs(v));
        m->sum_sq[c] += v * v;
    }
    if (m->channels >= 2)
        m->sum_xy += x[0] * x[1];
    m->pos = pos + 1 == taps ? 0 : pos + 1;
    m->frames++;
}

/* Audio thread. */
void level_meter_process(struct level_meter *m, const double *x, long frames)
{
    for (long n = 0; n < frames; n++)
        frame(m, x + n * m->channels);
}

/* Audio thread. */
void level_meter_process_s16(struct level_meter *m, const short *x, long frames)
{
    double v[LEVEL_METER_MAX_CHANNELS];
    for (long n = 0; n < frames; n++, x += m->channels) {
        for (int c = 0; c < m->channels; c++)
            v[c] = x[c] * (1.0 / 32768.0);
        frame(m, v);
    }
}

/* Audio thread. */
void level_meter_process_s32(struct level_meter *m, const int *x, long frames)
{
    double v[LEVEL_METER_MAX_CHANNELS];
    for (long n = 0; n < frames; n++, x += m->channels) {
        for (int c = 0; c < m->channels; c++)
            v[c] = x[c] * (1.0 / 2147483648.0);
        frame(m, v);
    }
}

/* Audio thread. */
void level_meter_process_float(struct level_meter *m, const float *x, long frames)
{
    double v[LEVEL_METER_MAX_CHANNELS];
    for (long n = 0; n < frames; n++, x += m->channels) {
        for (int c = 0; c < m->channels; c++)
            v[c] = x[c];
        frame(m, v);
    }
}

/* Audio thread. */
void level_meter_take(struct level_meter *m, struct level_reading *r)
{
    memset(r, 0, sizeof *r);
    r->channels = m->channels;
    r->frames = m->frames;
    for (int c = 0; c < m->channels; c++) {
        r->peak[c] = m->peak[c];
        r->true_peak[c] = fmax(m->true_peak[c], m->peak[c]);
        r->rms[c] = m->frames > 0 ? sqrt(m->sum_sq[c] / (double)m->frames) : 0;
    }
    if (m->channels >= 2) {
        double d = m->sum_sq[0] * m->sum_sq[1];
        /* rounding may carry |r| a hair past 1 */
        r->correlation = d > 0 ? fmax(-1.0, fmin(1.0, m->sum_xy / sqrt(d))) : 0;
    }
    clear_reading(m);
}
