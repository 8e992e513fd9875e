/* SPDX-License-Identifier: MIT */
/* Sample and true peak with skipped interpolation (peak_meter.h). */
#include "dsp/peak_meter.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/truepeak.h"

#define MAX_CHANNELS 32

struct peak_meter {
    int channels;
    int taps;
    int nphases;                        /* phases that are not the samples themselves */
    double h[TRUEPEAK_MAX_PHASES][TRUEPEAK_MAX_TAPS];
    double bound;                       /* no point exceeds this x the largest |sample| */
    double *hist;                       /* per channel 2 x taps, newest first, see push() */
    int pos;
    int64_t n;                          /* frames so far */
    int64_t loud[MAX_CHANNELS];         /* last frame whose sample could lift the peak */
    double sample[MAX_CHANNELS];        /* since the last take */
    double peak[MAX_CHANNELS];          /* points and samples since the last take */
};

/* True when phase p of the filter is a pure delay (its one tap is 1): its
 * points are input samples, which the sample peak already has. */
static int is_delay(const struct truepeak_filter *f, int p)
{
    int nonzero = 0, one = 0;
    for (int t = 0; t < f->taps; t++)
        if (f->h[p][t] != 0) {
            nonzero++;
            one = f->h[p][t] == 1.0;
        }
    return nonzero == 1 && one;
}

struct peak_meter *peak_meter_new(double rate, int channels)
{
    if (!(rate > 0) || channels < 1 || channels > MAX_CHANNELS)
        return NULL;
    struct peak_meter *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->channels = channels;
    if (rate < 192000) {
        struct truepeak_filter f;
        truepeak_hann_sinc(&f, rate < 96000 ? 4 : 2, 49);
        m->taps = f.taps;
        for (int p = 0; p < f.phases; p++)
            if (!is_delay(&f, p))
                memcpy(m->h[m->nphases++], f.h[p], sizeof f.h[p]);
        m->bound = truepeak_gain_bound(&f);
    } else {
        m->taps = 1;        /* libebur128 does not interpolate from 192 kHz */
        m->bound = 1;
    }
    m->hist = calloc((size_t)channels * 2 * (size_t)m->taps, sizeof *m->hist);
    if (!m->hist) {
        free(m);
        return NULL;
    }
    for (int c = 0; c < channels; c++)
        m->loud[c] = INT64_MIN / 2;
    return m;
}

void peak_meter_free(struct peak_meter *m)
{
    if (!m)
        return;
    free(m->hist);
    free(m);
}

/* One frame into the history. Each channel's history holds its last `taps`
 * samples twice over, newest first from `pos`, so that a window never
 * wraps. */
static void store(struct peak_meter *m, const double *x)
{
    int taps = m->taps;
    m->pos = m->pos == 0 ? taps - 1 : m->pos - 1;
    for (int c = 0; c < m->channels; c++) {
        double *w = m->hist + (size_t)c * 2 * (size_t)taps;
        w[m->pos] = w[m->pos + taps] = x[c];
    }
}

/* One frame in: its sample peaks and the points it completes. */
static void push(struct peak_meter *m, const double *x)
{
    int taps = m->taps;
    store(m, x);
    for (int c = 0; c < m->channels; c++) {
        double a = fabs(x[c]);
        const double *w = m->hist + (size_t)c * 2 * (size_t)taps + m->pos;
        if (a > m->sample[c])
            m->sample[c] = a;
        if (a > m->peak[c])
            m->peak[c] = a;
        /* a sample this large may make a point over the peak so far */
        if (a * m->bound > m->peak[c])
            m->loud[c] = m->n;
        if (m->n - m->loud[c] >= taps)
            continue;
        for (int p = 0; p < m->nphases; p++) {
            double acc = 0;
            for (int t = 0; t < taps; t++)
                acc += m->h[p][t] * w[t];
            if (fabs(acc) > m->peak[c])
                m->peak[c] = fabs(acc);
        }
    }
    m->n++;
}

/* The largest |sample| of one channel over n interleaved frames. Plain
 * comparisons: libm's fmax is a call that honours NaN (a NaN is skipped
 * here, as push() skips it). */
static double channel_max(const double *buf, size_t n, int nch, int c)
{
    double most = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(buf[i * (size_t)nch + (size_t)c]);
        most = a > most ? a : most;
    }
    return most;
}

/* n frames in which no point can lift any channel's peak: every sample
 * under the peak over the bound and no loud sample in the history. Such
 * frames only raise the sample peaks and fill the history. */
static int quiet_run(struct peak_meter *m, const double *buf, size_t n, double *most)
{
    for (int c = 0; c < m->channels; c++) {
        if (m->n - m->loud[c] < m->taps)
            return 0;
        most[c] = channel_max(buf, n, m->channels, c);
        if (!(most[c] * m->bound <= m->peak[c]))
            return 0;
    }
    return 1;
}

static void pass_quiet(struct peak_meter *m, const double *buf, size_t n, const double *most)
{
    for (int c = 0; c < m->channels; c++)
        m->sample[c] = most[c] > m->sample[c] ? most[c] : m->sample[c];
    size_t keep = n < (size_t)m->taps ? n : (size_t)m->taps;
    for (size_t i = n - keep; i < n; i++)
        store(m, buf + i * (size_t)m->channels);
    m->n += (int64_t)n;
}

/* Frames are looked at in runs of this many: a quiet run costs a max per
 * channel and a copy of its last `taps` frames. */
#define RUN 256

void peak_meter_add(struct peak_meter *m, const double *buf, size_t frames)
{
    double most[MAX_CHANNELS];
    while (frames > 0) {
        size_t n = frames < RUN ? frames : RUN;
        if (quiet_run(m, buf, n, most))
            pass_quiet(m, buf, n, most);
        else
            for (size_t i = 0; i < n; i++)
                push(m, buf + i * (size_t)m->channels);
        buf += n * (size_t)m->channels;
        frames -= n;
    }
}

void peak_meter_flush(struct peak_meter *m)
{
    double zeros[MAX_CHANNELS] = { 0 };
    for (int i = 1; i < m->taps; i++)
        push(m, zeros);
}

void peak_meter_take(struct peak_meter *m, double *sample, double *true_peak)
{
    for (int c = 0; c < m->channels; c++) {
        sample[c] = m->sample[c];
        true_peak[c] = m->peak[c];
        m->sample[c] = m->peak[c] = 0;
        /* the next span starts with no peak: every sample may lift it */
        m->loud[c] = m->n;
    }
}
