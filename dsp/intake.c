/* SPDX-License-Identifier: MIT */
/* Intake checks on a mix in one streaming pass (see intake.h for the
 * thresholds). Every figure is a running sum, count or extreme taken sample
 * by sample, so the report does not depend on how the frames were cut. */
#include "dsp/intake.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIP_LEVEL 0.9999
#define CLIP_RUN 3
#define SILENCE_LEVEL 0.001         /* -60 dBFS */
#define DC_LEVEL 0.001              /* -60 dBFS */
#define DUAL_MONO_LEVEL 1e-6        /* -120 dBFS */
#define HEAD_SILENCE_S 1.0
#define TAIL_SILENCE_S 2.0
#define POLARITY_CORRELATION -0.5
#define LIMITED_PLR_DB 8.0
#define HEADROOM_DBTP -1.0
#define PINNED_WITHIN_DB 0.25
#define PINNED_RATIO 1e-4
#define PINNED_MIN 20
/* Sample magnitudes from -12 to +12 dBFS in 0.05 dB bins: enough to find
 * how many samples crowd the peak without keeping the samples. */
#define HIST_LO_DB -12.0
#define HIST_BIN_DB 0.05
#define HIST_BINS 480
#define HIST_LO_LINEAR 0.25118864315095801     /* 10^(-12/20) */
/* A sample further under the loudest so far than PINNED_WITHIN_DB and two
 * bins can never be counted near the final peak (near_peak() reaches one
 * bin under PINNED_WITHIN_DB), so it is not binned: a log10 per sample was
 * the dearest part of the checks. */
#define UNCOUNTED_BELOW_DB (PINNED_WITHIN_DB + 2 * HIST_BIN_DB)

struct intake {
    int rate;
    int channels;
    int64_t frames;
    int64_t first_loud;         /* first frame with a sample >= -60 dBFS, or -1 */
    int64_t last_loud;
    int64_t clipped_runs;
    int64_t clipped_first;
    int64_t overs;
    int run[LOUDNESS_MAX_CHANNELS];         /* current run of clipped samples */
    double sum[LOUDNESS_MAX_CHANNELS];      /* for DC and correlation */
    double peak[LOUDNESS_MAX_CHANNELS];     /* largest |x| per channel */
    double sum_ll, sum_rr, sum_lr;          /* first two channels */
    double max_diff;                        /* largest |L - R| */
    double count_from;                      /* smallest |x| that is binned */
    double uncounted_below;                 /* UNCOUNTED_BELOW_DB, linear */
    int64_t hist[HIST_BINS];
};

struct intake *intake_new(int rate, int channels)
{
    if (rate < 1 || channels < 1 || channels > LOUDNESS_MAX_CHANNELS)
        return NULL;
    struct intake *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->rate = rate;
    in->channels = channels;
    in->first_loud = in->last_loud = -1;
    in->clipped_first = -1;
    in->count_from = HIST_LO_LINEAR;
    in->uncounted_below = pow(10, -UNCOUNTED_BELOW_DB / 20);
    return in;
}

void intake_free(struct intake *in)
{
    free(in);
}

static void count_magnitude(struct intake *in, double a)
{
    if (a * in->uncounted_below > in->count_from)
        in->count_from = a * in->uncounted_below;
    int b = (int)((20.0 * log10(a) - HIST_LO_DB) / HIST_BIN_DB);
    if (b >= HIST_BINS)
        b = HIST_BINS - 1;
    if (b < 0)
        b = 0;
    in->hist[b]++;
}

/* One channel of a block. The running figures are kept in locals: as
 * fields they were loaded and stored at every sample (the samples could
 * alias them), which chained each sample on the last one's store. */
static void scan_channel(struct intake *in, const double *buf, size_t frames, int c,
                         int64_t *first_loud, int64_t *last_loud, int64_t *first_clip)
{
    int nch = in->channels;
    double sum = in->sum[c], peak = in->peak[c];
    int run = in->run[c];
    int64_t overs = 0, runs = 0, loud_from = -1, loud_to = -1, clip = -1;
    for (size_t f = 0; f < frames; f++) {
        double x = buf[f * (size_t)nch + (size_t)c], a = fabs(x);
        sum += x;
        peak = a > peak ? a : peak;
        if (a >= SILENCE_LEVEL) {
            if (loud_from < 0)
                loud_from = (int64_t)f;
            loud_to = (int64_t)f;
        }
        overs += a > 1.0;
        if (a >= CLIP_LEVEL) {
            if (++run == CLIP_RUN) {
                if (runs++ == 0)
                    clip = (int64_t)f;
            }
        } else {
            run = 0;
        }
        if (a >= in->count_from)
            count_magnitude(in, a);
    }
    in->sum[c] = sum;
    in->peak[c] = peak;
    in->run[c] = run;
    in->overs += overs;
    in->clipped_runs += runs;
    if (loud_from >= 0 && (*first_loud < 0 || loud_from < *first_loud))
        *first_loud = loud_from;
    if (loud_to > *last_loud)
        *last_loud = loud_to;
    if (clip >= 0 && (*first_clip < 0 || clip < *first_clip))
        *first_clip = clip;
}

/* The first two channels' products and difference, for correlation and
 * dual mono. */
static void scan_pair(struct intake *in, const double *buf, size_t frames)
{
    int nch = in->channels;
    double ll = in->sum_ll, rr = in->sum_rr, lr = in->sum_lr, diff = in->max_diff;
    for (size_t f = 0; f < frames; f++) {
        double l = buf[f * (size_t)nch], r = buf[f * (size_t)nch + 1];
        ll += l * l;
        rr += r * r;
        lr += l * r;
        double d = fabs(l - r);
        diff = d > diff ? d : diff;
    }
    in->sum_ll = ll;
    in->sum_rr = rr;
    in->sum_lr = lr;
    in->max_diff = diff;
}

/* Stereo, the common case, in one loop: each channel keeps its own sums
 * in its own order (the same bits as channel by channel), and the two
 * channels' chains of additions run side by side. */
static void scan_stereo(struct intake *in, const double *buf, size_t frames,
                        int64_t *first_loud, int64_t *last_loud, int64_t *first_clip)
{
    double sum0 = in->sum[0], sum1 = in->sum[1], peak0 = in->peak[0], peak1 = in->peak[1];
    double ll = in->sum_ll, rr = in->sum_rr, lr = in->sum_lr, diff = in->max_diff;
    int run0 = in->run[0], run1 = in->run[1];
    int64_t overs = 0, runs = 0, clip = -1;
    for (size_t f = 0; f < frames; f++) {
        double l = buf[2 * f], r = buf[2 * f + 1], al = fabs(l), ar = fabs(r);
        sum0 += l;
        sum1 += r;
        peak0 = al > peak0 ? al : peak0;
        peak1 = ar > peak1 ? ar : peak1;
        ll += l * l;
        rr += r * r;
        lr += l * r;
        double d = fabs(l - r);
        diff = d > diff ? d : diff;
        if (al >= SILENCE_LEVEL || ar >= SILENCE_LEVEL) {
            if (*first_loud < 0)
                *first_loud = (int64_t)f;
            *last_loud = (int64_t)f;
        }
        overs += (al > 1.0) + (ar > 1.0);
        /* a run is counted on its third sample; the earliest frame wins */
        run0 = al >= CLIP_LEVEL ? run0 + 1 : 0;
        run1 = ar >= CLIP_LEVEL ? run1 + 1 : 0;
        if (run0 == CLIP_RUN || run1 == CLIP_RUN) {
            runs += (run0 == CLIP_RUN) + (run1 == CLIP_RUN);
            if (clip < 0)
                clip = (int64_t)f;
        }
        if (al >= in->count_from)
            count_magnitude(in, al);
        if (ar >= in->count_from)
            count_magnitude(in, ar);
    }
    in->sum[0] = sum0;
    in->sum[1] = sum1;
    in->peak[0] = peak0;
    in->peak[1] = peak1;
    in->sum_ll = ll;
    in->sum_rr = rr;
    in->sum_lr = lr;
    in->max_diff = diff;
    in->run[0] = run0;
    in->run[1] = run1;
    in->overs += overs;
    in->clipped_runs += runs;
    *first_clip = clip;
}

/* Channel by channel; each figure comes out as the frame-by-frame walk
 * gives it (the same sums in the same order, the earliest loud frame and
 * clipped run over all channels). */
void intake_add(struct intake *in, const double *buf, size_t frames)
{
    int64_t first_loud = -1, last_loud = -1, first_clip = -1;
    bool had_clips = in->clipped_runs > 0;
    if (in->channels == 2) {
        scan_stereo(in, buf, frames, &first_loud, &last_loud, &first_clip);
    } else {
        for (int c = 0; c < in->channels; c++)
            scan_channel(in, buf, frames, c, &first_loud, &last_loud, &first_clip);
        if (in->channels >= 2)
            scan_pair(in, buf, frames);
    }
    if (first_loud >= 0) {
        if (in->first_loud < 0)
            in->first_loud = in->frames + first_loud;
        in->last_loud = in->frames + last_loud;
    }
    /* a run is counted on its third sample and starts two frames before */
    if (!had_clips && first_clip >= 0)
        in->clipped_first = in->frames + first_clip - (CLIP_RUN - 1);
    in->frames += (int64_t)frames;
}

const char *intake_severity_name(enum intake_severity s)
{
    switch (s) {
    case INTAKE_NOTE: return "note";
    case INTAKE_WARNING: return "warning";
    case INTAKE_PROBLEM: return "problem";
    }
    return "?";
}

static void warn(struct intake_report *r, const char *code, enum intake_severity sev,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void warn(struct intake_report *r, const char *code, enum intake_severity sev,
                 const char *fmt, ...)
{
    if (r->nwarnings >= INTAKE_MAX_WARNINGS)
        return;
    struct intake_warning *w = &r->warnings[r->nwarnings++];
    w->code = code;
    w->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

static double db_of(double linear)
{
    return linear > 0.0 ? 20.0 * log10(linear) : -HUGE_VAL;
}

/* m:ss.mmm for a frame position. */
static void format_time(char *out, size_t len, int64_t frame, int rate)
{
    double s = (double)frame / rate;
    int m = (int)(s / 60.0);
    snprintf(out, len, "%d:%06.3f", m, s - 60.0 * m);
}

/* Pearson correlation of the first two channels; NaN when undefined. */
static double correlation(const struct intake *in)
{
    if (in->channels < 2 || in->frames == 0)
        return NAN;
    double n = (double)in->frames;
    double ml = in->sum[0] / n, mr = in->sum[1] / n;
    double vl = in->sum_ll / n - ml * ml;
    double vr = in->sum_rr / n - mr * mr;
    /* A constant channel leaves only rounding noise in its variance. */
    if (vl <= 1e-12 * (in->sum_ll / n) + 1e-30 || vr <= 1e-12 * (in->sum_rr / n) + 1e-30)
        return NAN;
    double r = (in->sum_lr / n - ml * mr) / sqrt(vl * vr);
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

/* Samples within PINNED_WITHIN_DB of the sample peak, to one bin. */
static int64_t near_peak(const struct intake *in, double peak)
{
    if (peak < HIST_LO_LINEAR)
        return 0;
    int from = (int)((db_of(peak) - PINNED_WITHIN_DB - HIST_LO_DB) / HIST_BIN_DB);
    if (from < 0)
        from = 0;
    int64_t n = 0;
    for (int b = from; b < HIST_BINS; b++)
        n += in->hist[b];
    return n;
}

static void check_levels(const struct intake *in, struct intake_report *r, double peak)
{
    char where[32];
    if (in->clipped_runs > 0) {
        format_time(where, sizeof where, in->clipped_first, in->rate);
        warn(r, "clipping", INTAKE_PROBLEM,
             "%lld clipped run%s (%d or more samples in a row at full scale), the first at %s",
             (long long)in->clipped_runs, in->clipped_runs == 1 ? "" : "s", CLIP_RUN, where);
    }
    if (in->overs > 0)
        warn(r, "overs", INTAKE_PROBLEM,
             "%lld sample%s above 0 dBFS (peak %+.2f dBFS): they clip in any fixed-point copy",
             (long long)in->overs, in->overs == 1 ? "" : "s", db_of(peak));
    char list[160] = "";
    size_t used = 0;
    for (int c = 0; c < in->channels; c++) {
        double dc = fabs(in->sum[c] / (double)in->frames);
        if (dc > DC_LEVEL && used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s %.1f dBFS",
                                     used ? ", " : "",
                                     loudness_channel_name(in->channels, c), db_of(dc));
    }
    if (used)
        warn(r, "dc-offset", INTAKE_WARNING, "DC offset above -60 dBFS: %s", list);
}

static void check_silence(const struct intake *in, struct intake_report *r)
{
    if (r->head_silence > HEAD_SILENCE_S)
        warn(r, "head-silence", INTAKE_NOTE,
             "%.2f s of silence (below -60 dBFS) before the music starts", r->head_silence);
    if (r->tail_silence > TAIL_SILENCE_S)
        warn(r, "tail-silence", INTAKE_NOTE,
             "%.2f s of silence (below -60 dBFS) after the music ends", r->tail_silence);
    for (int c = 0; c < in->channels; c++) {
        if (in->channels == 6 && c == 3)
            continue;   /* an LFE may well be empty */
        if (in->peak[c] < SILENCE_LEVEL)
            warn(r, "silent-channel", INTAKE_WARNING,
                 "channel %s is silent (below -60 dBFS throughout, peak %.1f dBFS)",
                 loudness_channel_name(in->channels, c), db_of(in->peak[c]));
    }
}

static void check_stereo(const struct intake *in, struct intake_report *r)
{
    if (in->channels < 2)
        return;
    if (in->max_diff < DUAL_MONO_LEVEL) {
        warn(r, "dual-mono", INTAKE_NOTE, "L and R are identical%s",
             in->channels == 2 ? ": a mono mix in a stereo file" : "");
        return;
    }
    double k = r->correlation;
    if (isnan(k))
        return;
    if (k < POLARITY_CORRELATION)
        warn(r, "polarity", INTAKE_PROBLEM,
             "L/R correlation %.2f: one channel is probably polarity-inverted", k);
    else if (k < 0.0)
        warn(r, "mono-compat", INTAKE_WARNING,
             "L/R correlation %.2f: the mix loses level and low end in mono", k);
}

static void check_dynamics(const struct intake *in, struct intake_report *r,
                           const struct loudness_result *lr, double peak)
{
    int64_t samples = in->frames * in->channels;
    bool pinned = r->near_peak >= PINNED_MIN &&
                  (double)r->near_peak >= PINNED_RATIO * (double)samples;
    if (lr && !isnan(lr->plr) && lr->plr < LIMITED_PLR_DB)
        warn(r, "limited", INTAKE_WARNING,
             "PLR %.1f dB (under %.0f dB): the mix looks already limited", lr->plr,
             LIMITED_PLR_DB);
    else if (pinned)
        warn(r, "limited", INTAKE_WARNING,
             "%lld samples within %.2f dB of the %.2f dBFS peak: the mix looks already limited",
             (long long)r->near_peak, PINNED_WITHIN_DB, db_of(peak));
    if (lr && lr->true_peak_max > HEADROOM_DBTP)
        warn(r, "headroom", INTAKE_WARNING,
             "true peak %+.2f dBTP: less than 1 dB of headroom", lr->true_peak_max);
}

static void check_format(const struct intake *in, struct intake_report *r,
                         const struct intake_format *fmt)
{
    static const int rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };
    bool standard = false;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        standard |= in->rate == rates[i];
    if (!standard)
        warn(r, "rate", INTAKE_WARNING,
             "sample rate %d Hz is not 44.1, 48, 88.2, 96, 176.4 or 192 kHz", in->rate);
    if (!fmt)
        return;
    const char *name = fmt->name ? fmt->name : "the file";
    if (fmt->lossy)
        warn(r, "lossy", INTAKE_PROBLEM,
             "decoded from a lossy source (%s): ask for the lossless mix", name);
    else if (!fmt->is_float && fmt->bits > 0 && fmt->bits <= 8)
        warn(r, "depth", INTAKE_PROBLEM, "%d-bit source (%s): far too coarse for a mix",
             fmt->bits, name);
    else if (!fmt->is_float && fmt->bits > 0 && fmt->bits <= 16)
        warn(r, "depth", INTAKE_WARNING,
             "%d-bit source (%s): ask for the 24-bit or float mix", fmt->bits, name);
}

/* Most severe first; a stable insertion sort keeps the order of the checks
 * within a severity. */
static void sort_by_severity(struct intake_report *r)
{
    for (int i = 1; i < r->nwarnings; i++) {
        struct intake_warning w = r->warnings[i];
        int j = i;
        for (; j > 0 && r->warnings[j - 1].severity < w.severity; j--)
            r->warnings[j] = r->warnings[j - 1];
        r->warnings[j] = w;
    }
}

void intake_finish(const struct intake *in, const struct intake_format *fmt,
                   const struct loudness_result *lr, struct intake_report *out)
{
    memset(out, 0, sizeof *out);
    out->channels = in->channels;
    out->frames = in->frames;
    out->clipped_runs = in->clipped_runs;
    out->clipped_first = in->clipped_first;
    out->overs = in->overs;
    double peak = 0.0;
    for (int c = 0; c < in->channels; c++) {
        out->dc_offset[c] = in->frames ? db_of(fabs(in->sum[c] / (double)in->frames))
                                       : -HUGE_VAL;
        if (in->peak[c] > peak)
            peak = in->peak[c];
    }
    out->correlation = correlation(in);
    out->near_peak = near_peak(in, peak);
    bool silent = in->first_loud < 0;
    if (silent) {
        out->head_silence = out->tail_silence = (double)in->frames / in->rate;
    } else {
        out->head_silence = (double)in->first_loud / in->rate;
        out->tail_silence = (double)(in->frames - 1 - in->last_loud) / in->rate;
    }
    if (in->frames > 0) {
        check_levels(in, out, peak);
        if (silent)
            warn(out, "silent", INTAKE_PROBLEM, "the file is silent (nothing reaches -60 dBFS)");
        else {
            check_silence(in, out);
            check_stereo(in, out);
            check_dynamics(in, out, lr, peak);
        }
    }
    check_format(in, out, fmt);
    sort_by_severity(out);
}
