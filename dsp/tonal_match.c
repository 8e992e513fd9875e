/* SPDX-License-Identifier: MIT */
/* Tonal balance difference and the corrective EQ fit (tonal_match.h). */
#include "dsp/tonal_match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"

#define FIRST 2                 /* 31.5 Hz */
#define LAST 29                 /* 16 kHz */
#define CONTENT_DB 60.0
#define DONE_DB 0.25            /* a residual this small needs no band */
#define SHELF_Q 0.7071
#define REFINE_PASSES 8

static double power_sum(const double *db, const bool *use)
{
    double sum = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        if (use[i])
            sum += pow(10.0, db[i] / 10.0);
    return 10.0 * log10(sum);
}

void tonal_difference(const double a[OCTAVE_BANDS], const double b[OCTAVE_BANDS],
                      double diff[OCTAVE_BANDS])
{
    bool use[OCTAVE_BANDS];
    int n = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        n += use[i] = isfinite(a[i]) && isfinite(b[i]);
    double pa = n ? power_sum(a, use) : 0, pb = n ? power_sum(b, use) : 0;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        diff[i] = use[i] ? (b[i] - pb) - (a[i] - pa) : -HUGE_VAL;
}

/* The bands the match looks at. */
static int usable(const double *track, const double *ref, int rate, bool use[OCTAVE_BANDS])
{
    double top_t = -HUGE_VAL, top_r = -HUGE_VAL;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        top_t = fmax(top_t, track[i]);
        top_r = fmax(top_r, ref[i]);
    }
    int n = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        use[i] = i >= FIRST && i <= LAST && isfinite(track[i]) && isfinite(ref[i]) &&
                 track[i] > top_t - CONTENT_DB && ref[i] > top_r - CONTENT_DB &&
                 octave_band_centre(i) * 1.12 < rate / 2.0;
        n += use[i];
    }
    return n;
}

double tonal_loudest_band(const double db[OCTAVE_BANDS])
{
    double top = -HUGE_VAL;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        if (isfinite(db[i]) && db[i] > top)
            top = db[i];
    return top;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void tonal_match_target(const double track[OCTAVE_BANDS], const double ref[OCTAVE_BANDS],
                        int rate, double want[OCTAVE_BANDS])
{
    bool use[OCTAVE_BANDS];
    double diff[OCTAVE_BANDS], sorted[OCTAVE_BANDS], raw[OCTAVE_BANDS];
    memset(want, 0, sizeof(double) * OCTAVE_BANDS);
    int n = usable(track, ref, rate, use);
    if (n == 0)
        return;
    double pt = power_sum(track, use), pr = power_sum(ref, use);
    int k = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        diff[i] = use[i] ? (ref[i] - pr) - (track[i] - pt) : 0;
        if (use[i])
            sorted[k++] = diff[i];
    }
    qsort(sorted, (size_t)k, sizeof *sorted, by_value);
    double median = k % 2 ? sorted[k / 2] : 0.5 * (sorted[k / 2 - 1] + sorted[k / 2]);
    for (int i = 0; i < OCTAVE_BANDS; i++)
        raw[i] = use[i] ? diff[i] - median : 0;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        if (!use[i])
            continue;
        double sum = 0.5 * raw[i], w = 0.5;
        if (i > 0 && use[i - 1])
            sum += 0.25 * raw[i - 1], w += 0.25;
        if (i + 1 < OCTAVE_BANDS && use[i + 1])
            sum += 0.25 * raw[i + 1], w += 0.25;
        double v = sum / w;
        want[i] = fmax(-TONAL_MATCH_LIMIT, fmin(TONAL_MATCH_LIMIT, v));
    }
}

static void design(const struct proc *p, int rate, struct biquad *bq)
{
    static const enum biquad_type types[] = { [EQ_BELL] = BQ_BELL, [EQ_LOWSHELF] = BQ_LOWSHELF,
                                              [EQ_HIGHSHELF] = BQ_HIGHSHELF };
    biquad_design(bq, types[(int)proc_get(p, EQ_TYPE)], rate, proc_get(p, EQ_FREQ),
                  proc_get(p, EQ_GAIN), proc_get(p, EQ_Q));
}

double tonal_eq_response(const struct proc *p, int n, int rate, double freq)
{
    double db = 0;
    for (int i = 0; i < n; i++) {
        struct biquad bq;
        int type = (int)proc_get(&p[i], EQ_TYPE);
        if (type != EQ_BELL && type != EQ_LOWSHELF && type != EQ_HIGHSHELF)
            continue;
        design(&p[i], rate, &bq);
        db += biquad_magnitude_db(&bq, rate, freq);
    }
    return db;
}

static double round_to(double v, double step)
{
    return round(v / step) * step;
}

/* Three significant digits, as a session shows a frequency. */
static double round_freq(double f)
{
    double step = pow(10.0, floor(log10(f)) - 2);
    return round_to(f, step);
}

/* What a band of the fit is refined against: the residual where its
 * response is strongest. */
struct fit_band {
    int lo, hi;             /* the bands it answers for */
};

static void residual(const double *want, const bool *use, const struct proc *p, int n, int rate,
                     double *res)
{
    for (int i = 0; i < OCTAVE_BANDS; i++)
        res[i] = use[i] ? want[i] - tonal_eq_response(p, n, rate, octave_band_centre(i)) : 0;
}

static double mean_over(const double *res, const bool *use, int lo, int hi)
{
    double sum = 0;
    int n = 0;
    for (int i = lo; i <= hi; i++)
        if (use[i])
            sum += res[i], n++;
    return n ? sum / n : 0;
}

static bool same_band_as_any(const struct proc *p, const struct proc *out, int n)
{
    for (int j = 0; j < n; j++)
        if (proc_get(&out[j], EQ_TYPE) == proc_get(p, EQ_TYPE) &&
            proc_get(&out[j], EQ_FREQ) == proc_get(p, EQ_FREQ) &&
            proc_get(&out[j], EQ_Q) == proc_get(p, EQ_Q))
            return true;
    return false;
}

/* Bands that overlap (two shelves, a shelf and a bell) can add up past the
 * limit between the bands fitted or beyond them, down to 20 Hz and up to
 * 20 kHz: then every gain is scaled so that the whole response keeps to
 * it. The scale is taken a little low so that rounding to 0.1 dB cannot
 * lift it back over. */
#define LIMIT_GRID 240          /* points from 20 Hz to 20 kHz */

static void held_within_limit(struct proc *out, int n, int rate)
{
    double most = 0;
    for (int i = 0; i < LIMIT_GRID; i++) {
        double f = 20.0 * pow(1000.0, i / (LIMIT_GRID - 1.0));
        if (f < 0.45 * rate)
            most = fmax(most, fabs(tonal_eq_response(out, n, rate, f)));
    }
    if (most <= TONAL_MATCH_LIMIT)
        return;
    double scale = (TONAL_MATCH_LIMIT - 0.1) / most;
    for (int j = 0; j < n; j++)
        proc_set(&out[j], EQ_GAIN, proc_get(&out[j], EQ_GAIN) * scale);
}

int tonal_match(const double track[OCTAVE_BANDS], const double ref[OCTAVE_BANDS], int rate,
                struct proc out[TONAL_MATCH_MAX])
{
    bool use[OCTAVE_BANDS];
    double want[OCTAVE_BANDS], res[OCTAVE_BANDS];
    if (usable(track, ref, rate, use) == 0)
        return 0;
    tonal_match_target(track, ref, rate, want);
    int first = -1, last = -1;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        if (use[i]) {
            if (first < 0)
                first = i;
            last = i;
        }
    struct fit_band fb[TONAL_MATCH_MAX];
    int n = 0;
    while (n < TONAL_MATCH_MAX) {
        residual(want, use, out, n, rate, res);
        int peak = -1;
        for (int i = first; i <= last; i++)
            if (use[i] && (peak < 0 || fabs(res[i]) > fabs(res[peak])))
                peak = i;
        if (peak < 0 || fabs(res[peak]) < DONE_DB)
            break;
        /* the residual's bump: where it keeps its sign and half its size */
        double half = res[peak] / 2;
        int lo = peak, hi = peak;
        while (lo > first && (!use[lo - 1] || res[lo - 1] / half >= 1))
            lo--;
        while (hi < last && (!use[hi + 1] || res[hi + 1] / half >= 1))
            hi++;
        struct proc *p = &out[n];
        proc_init(p, PROC_EQ);
        if (hi == last && lo > first) {
            proc_set(p, EQ_TYPE, EQ_HIGHSHELF);
            /* a shelf has half its gain at its corner */
            proc_set(p, EQ_FREQ, round_freq(octave_band_centre(lo) / pow(10.0, 0.05)));
            proc_set(p, EQ_Q, SHELF_Q);
        } else if (lo == first && hi < last) {
            proc_set(p, EQ_TYPE, EQ_LOWSHELF);
            proc_set(p, EQ_FREQ, round_freq(octave_band_centre(hi) * pow(10.0, 0.05)));
            proc_set(p, EQ_Q, SHELF_Q);
        } else {
            /* bandwidth in octaves between the half-size edges, Q from it */
            double octaves = fmax((hi - lo + 1) / 3.0, 1.0 / 3.0);
            double r = pow(2.0, octaves);
            double q = fmax(0.5, fmin(4.0, sqrt(r) / (r - 1)));
            proc_set(p, EQ_TYPE, EQ_BELL);
            proc_set(p, EQ_FREQ, round_freq(octave_band_centre(peak)));
            proc_set(p, EQ_Q, round_to(q, 0.01));
            lo = hi = peak;
        }
        proc_set(p, EQ_GAIN, 0);
        /* The same band again means the first is at its limit and the
         * residual is what the limit leaves: a second would only stack
         * past it. */
        if (same_band_as_any(p, out, n))
            break;
        fb[n] = (struct fit_band){ lo, hi };
        n++;
        /* every gain against what is left where it acts */
        for (int pass = 0; pass < REFINE_PASSES; pass++)
            for (int j = 0; j < n; j++) {
                residual(want, use, out, n, rate, res);
                double g = proc_get(&out[j], EQ_GAIN) + mean_over(res, use, fb[j].lo, fb[j].hi);
                proc_set(&out[j], EQ_GAIN, fmax(-TONAL_MATCH_LIMIT, fmin(TONAL_MATCH_LIMIT, g)));
            }
    }
    held_within_limit(out, n, rate);
    /* round the gains as the session writes them; drop bands that do nothing */
    int kept = 0;
    for (int j = 0; j < n; j++) {
        double g = round_to(proc_get(&out[j], EQ_GAIN), 0.1);
        if (fabs(g) < 0.05)
            continue;
        out[kept] = out[j];
        proc_set(&out[kept], EQ_GAIN, g);
        kept++;
    }
    return kept;
}
