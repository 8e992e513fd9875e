/* SPDX-License-Identifier: MIT */
/* The true-peak limiter: a look-ahead gain envelope driven by oversampled
 * peak detection, then a guard that checks every output point exactly.
 *
 * Stage 1 runs every input sample through the true-peak meters' own
 * interpolators (truepeak.h) and notes, for each sample, the largest point
 * beside it. The gain that brings that peak a little under the ceiling is
 * pushed through a sliding minimum over the look-ahead window widened by
 * the filters' reach on both sides, and then through two moving averages.
 * So every required gain is reached in time along an S-shaped ramp, and
 * held flat over the whole span of samples that its points are made from,
 * which scales those points exactly. The release is exponential in dB.
 * Everything is linked across channels.
 *
 * Stage 2 keeps one filter length of stage 1's output in hand, so that
 * when a sample leaves, every meter point it belongs to is known in full.
 * Those points stay within the ceiling as they are in almost every case,
 * and then the sample leaves untouched. If one would still go over, the
 * samples of it not yet sent out are all scaled by the one factor that
 * brings it back to the ceiling: an isolated overshoot is then corrected
 * exactly.
 *
 * Speed. Computing every point twice (once per stage) is most of the work,
 * and almost all of it is skipped by bounds that can only be pessimistic,
 * so the output is bit for bit what computing everything gives (tests run
 * both): no point is larger than the filter's sum of |taps| times the
 * largest |sample| it is made from, so a filter length of input (or of
 * stage 1's output) under the bound divided by that sum has no point over
 * the target (or the ceiling); and a point of stage 1's output is its input
 * point scaled by the gains over its span, to within the spread of those
 * gains, so the input point already computed bounds it. Bounds keep a
 * margin far wider than the rounding of the points they stand for. The
 * envelope runs in natural log units, and while it releases the linear gain
 * follows it by small steps, with one exp() in 64 frames at most.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/processor.h"
#include "dsp/truepeak.h"

/* Stage 1 aims this far under the ceiling. */
#define MARGIN_DB 0.05
/* Stage 2 keeps this far under it (relative), for the meters' float maths. */
#define GUARD 1e-6
/* Below this the release counts as done and the gain is exactly unity:
 * -1e-9 dB, in nepers (the envelope runs in natural log units, where the
 * gain is one exp() away). */
#define RELEASED_NP (-1e-9 * M_LN10 / 20)
/* The least stage 1 gain (-6000 dB): after absurdly loud input the moving
 * sums can round to 0 or a hair under it, whose log would stick the
 * envelope at -inf or NaN for good. */
#define GAIN_FLOOR 1e-300
/* Relative room a bound leaves for the rounding of the points it bounds
 * (a 25-tap dot product rounds by under 1e-14). */
#define ROUNDING 1e-9

/* Two points side by side; GCC and Clang map it onto SSE2 or NEON. */
typedef double pair __attribute__((vector_size(16)));

/* One filter laid out for vectors, every point summed in the same order as
 * the scalar form so that all of them agree to the bit: `h` holds its phases
 * in pairs, for two points of one channel in a pass (stage 2); `both` each
 * tap twice, for the points of two channels at once (stage 1). */
struct bank {
    int taps, phases, pairs, delay;
    /* point p of frame n is noted for frame n - off[p]: delay or delay - 1 */
    int off[TRUEPEAK_MAX_PHASES];
    pair h[TRUEPEAK_MAX_PHASES / 2][TRUEPEAK_MAX_TAPS];
    pair both[TRUEPEAK_MAX_TAPS][TRUEPEAK_MAX_PHASES];
};

/* What stage 2's bound needs to know of a run of frames. */
struct stretch {
    double gmin, gmax;      /* stage 1 gains */
    double xmax;            /* largest |input| over the channels */
};

/* Everything that changes while it runs, besides the buffers in `mem`. */
struct limit_run {
    int64_t n;              /* input frames so far */
    int delay_pos, hist_pos;
    int peak_pos;           /* slot of frame n in peak */
    int min_head, min_len;  /* monotonic deque of the sliding minimum */
    int line_pos, nflags;   /* stage 2: see line(); flags set */
    int box1_pos, box2_pos;
    int ones1, ones2;       /* trailing unity values in each moving average */
    double box1_sum, box2_sum;
    double env_np;          /* stage 1 gain after the release, nepers */
    double gain_np, gain;   /* the last env_np let out and exp of it */
    int64_t loud_in;        /* last input frame over quiet_in */
    int64_t loud_line;      /* last frame of the line over quiet_line */
    /* Frames s - hist_len + 1 .. s of the line lie within these two runs
     * of hist_len frames: the one before and the one being filled. */
    struct stretch run_before, run_now;
    int run_frames;         /* frames in run_now */
    double out_np1, out_g2; /* last frame out: stage 1 gain (nepers) and stage 2's */
};

struct limiter {
    int channels, nfilt;
    int exact;              /* every point computed, no bound used (tests) */
    int latency;            /* frames, both stages */
    int reach;              /* D: the filters' points lag their input by <= D */
    int span;               /* W = D + 1: gain held flat this far around a peak */
    int stage1;             /* D + W + A - 1: stage 1's own delay */
    int ahead;              /* stage 2's look-ahead: longest filter - 1 */
    int line_len;           /* stage 2's frames: 2 ahead + 1 */
    int min_window;         /* A + 2W */
    int box1, box2;         /* moving-average lengths, box1 + box2 - 1 = A */
    int qlen;               /* D + 1 pending peak slots */
    int hist_len;           /* taps of the longest filter */
    double target;          /* stage 1 aim, linear */
    double ceiling;         /* stage 2 bound, linear */
    double release;         /* one-pole coefficient of the release */
    double sum_taps;        /* largest sum of |taps| of any phase */
    double quiet_in;        /* input this low has no point over target */
    double quiet_line;      /* stage 1 output this low has none over ceiling */
    struct truepeak_filter filt[TRUEPEAK_MAX_FILTERS];
    struct bank bank[TRUEPEAK_MAX_FILTERS];

    /* Buffers, all in one block so that copy_state is one memcpy. */
    double *delay;          /* stage1 x channels: input in flight */
    double *point_max;      /* stage1: bound of every |point| of each frame in delay */
    /* Input, newest first, twice over so that a window never wraps; a
     * channel pair per element: (channels + 1) / 2 x 2 hist_len. */
    pair *hist;
    double *peak;           /* qlen: largest point over target beside a frame */
    double *min_val;        /* min_window: deque values */
    int64_t *min_idx;       /* min_window: deque sample indices */
    double *box1_buf, *box2_buf;
    /* Stage 2's line, per channel 2 x line_len, newest first as in hist:
     * frames s - ahead .. s in hand as stage 1 let them out, and before
     * them the last frames sent, as they went. */
    double *line;
    /* Per frame of the line, at the same place (line_pos + d for s - d):
     * its stage 1 gain in nepers, and whether a point ending there is over. */
    double *held_np;
    unsigned char *flag;
    void *mem;
    size_t mem_size;
    double *in;             /* channels: scratch, the incoming frame */
    struct limit_run run;
};

static size_t align_up(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static void limit_reset(void *state);

static void limit_destroy(void *state)
{
    struct limiter *l = state;
    if (!l)
        return;
    free(l->mem);
    free(l->in);
    free(l);
}

static void make_bank(struct bank *b, const struct truepeak_filter *f)
{
    b->taps = f->taps;
    b->phases = f->phases;
    b->delay = f->delay;
    b->pairs = (f->phases + 1) / 2;
    for (int p = 0; p < 2 * b->pairs; p++) {
        /* a point past the middle of its interval is nearer the next sample */
        b->off[p] = f->delay - (p < f->phases && f->pos[p] > 0.5);
        for (int t = 0; t < f->taps; t++) {
            double v = p < f->phases ? f->h[p][t] : 0;
            b->h[p / 2][t][p % 2] = v;
            if (p < f->phases)
                b->both[t][p] = (pair){ v, v };
        }
    }
}

static void *limit_create(const struct proc *s, double rate, int channels, int max_block)
{
    struct limiter *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->channels = channels;
    l->nfilt = truepeak_filters_for_rate(l->filt, rate);
    for (int i = 0; i < l->nfilt; i++) {
        if (l->filt[i].delay > l->reach)
            l->reach = l->filt[i].delay;
        if (l->filt[i].taps > l->hist_len)
            l->hist_len = l->filt[i].taps;
        make_bank(&l->bank[i], &l->filt[i]);
        l->sum_taps = fmax(l->sum_taps, truepeak_gain_bound(&l->filt[i]));
    }
    l->span = l->reach + 1;
    l->ahead = l->hist_len - 1;
    /* The look-ahead pays for detection, the flat hold, stage 2 and the
     * attack ramp A; too short a setting keeps a ramp of 2 frames. */
    int lookahead = (int)lround(proc_get(s, LIMIT_LOOKAHEAD) / 1000 * rate);
    int attack = lookahead - l->ahead - l->reach - l->span + 1;
    if (attack < 2)
        attack = 2;
    l->stage1 = l->reach + l->span + attack - 1;
    l->latency = l->stage1 + l->ahead;
    l->min_window = attack + 2 * l->span;
    l->box1 = (attack + 1) / 2;
    l->box2 = attack + 1 - l->box1;
    l->qlen = l->reach + 1;
    double ceiling = pow(10, proc_get(s, LIMIT_CEILING) / 20);
    l->ceiling = ceiling * (1 - GUARD);
    l->target = ceiling * pow(10, -MARGIN_DB / 20);
    /* a one-pole in log gain: the same in nepers as in dB */
    l->release = exp(-1 / (proc_get(s, LIMIT_RELEASE) / 1000 * rate));
    l->quiet_in = l->target / (l->sum_taps * (1 + ROUNDING));
    l->quiet_line = l->ceiling / (l->sum_taps * (1 + ROUNDING));

    l->line_len = 2 * l->ahead + 1;
    size_t sizes[] = {
        (size_t)l->stage1 * channels * sizeof(double),
        (size_t)l->stage1 * sizeof(double),
        (size_t)(channels + 1) / 2 * 2 * l->hist_len * sizeof(pair),
        (size_t)l->qlen * sizeof(double),
        (size_t)l->min_window * sizeof(double),
        (size_t)l->min_window * sizeof(int64_t),
        (size_t)l->box1 * sizeof(double),
        (size_t)l->box2 * sizeof(double),
        (size_t)channels * 2 * l->line_len * sizeof(double),
        (size_t)l->line_len * sizeof(double),
        (size_t)l->line_len,
    };
    void **ptrs[] = {
        (void **)&l->delay, (void **)&l->point_max, (void **)&l->hist, (void **)&l->peak,
        (void **)&l->min_val, (void **)&l->min_idx, (void **)&l->box1_buf,
        (void **)&l->box2_buf, (void **)&l->line, (void **)&l->held_np, (void **)&l->flag,
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        total += align_up(sizes[i]);
    l->mem = malloc(total);
    l->in = malloc((size_t)channels * sizeof *l->in);
    if (!l->mem || !l->in) {
        limit_destroy(l);
        return NULL;
    }
    l->mem_size = total;
    unsigned char *at = l->mem;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        *ptrs[i] = at;
        at += align_up(sizes[i]);
    }
    limit_reset(l);
    return l;
}

static void limit_reset(void *state)
{
    struct limiter *l = state;
    struct limit_run *r = &l->run;
    memset(l->mem, 0, l->mem_size);
    memset(r, 0, sizeof *r);
    /* as if it had always seen silence: unity gain all along */
    for (int i = 0; i < l->box1; i++)
        l->box1_buf[i] = 1;
    for (int i = 0; i < l->box2; i++)
        l->box2_buf[i] = 1;
    r->box1_sum = l->box1;
    r->box2_sum = l->box2;
    r->ones1 = l->box1;
    r->ones2 = l->box2;
    r->loud_in = r->loud_line = -l->hist_len;
    r->run_before = r->run_now = (struct stretch){ 1, 1, 0 };
    r->out_g2 = 1;
    r->gain = 1;
}

/* libm's fmax and fmin are calls that honour NaN: these are for values
 * that cannot be NaN. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

static inline double min2(double a, double b)
{
    return a < b ? a : b;
}

/* Points of one filter for the two channels of a pair, ending at w[0]
 * (w[t] is the input t frames back), into out[phase]: every phase in one
 * loop, so that the sums run side by side instead of one after another. */
static void bank_points(const struct bank *b, const pair *w, pair *out)
{
    const pair(*h)[TRUEPEAK_MAX_PHASES] = b->both;
    if (b->phases == 4) {
        pair a0 = { 0, 0 }, a1 = a0, a2 = a0, a3 = a0;
        for (int t = 0; t < b->taps; t++) {
            a0 += h[t][0] * w[t];
            a1 += h[t][1] * w[t];
            a2 += h[t][2] * w[t];
            a3 += h[t][3] * w[t];
        }
        out[0] = a0;
        out[1] = a1;
        out[2] = a2;
        out[3] = a3;
    } else if (b->phases == 2) {
        pair a0 = { 0, 0 }, a1 = a0;
        for (int t = 0; t < b->taps; t++) {
            a0 += h[t][0] * w[t];
            a1 += h[t][1] * w[t];
        }
        out[0] = a0;
        out[1] = a1;
    } else {
        for (int p = 0; p < b->phases; p++) {
            pair a = { 0, 0 };
            for (int t = 0; t < b->taps; t++)
                a += h[t][p] * w[t];
            out[p] = a;
        }
    }
}

/* Two points of `taps` taps ending at w[0]: w[t] is the input t frames back. */
static inline pair pair_points(const pair *h, const double *w, int taps)
{
    pair acc = { 0, 0 };
    for (int t = 0; t < taps; t++)
        acc += h[t] * w[t];
    return acc;
}

/* ---- stage 1 ---- */

/* Records v = |point| as a peak beside the frame `off` before frame n.
 * Only peaks over the target ask for a gain, so only they are kept. Points
 * before the first sample are made from it alone, so they count for it. */
static void note_peak(struct limiter *l, int off, double v)
{
    if (!(v > l->target))
        return;
    int at = 0;
    if (l->run.n >= off) {
        at = l->run.peak_pos - off;
        if (at < 0)
            at += l->qlen;
    }
    if (v > l->peak[at])
        l->peak[at] = v;
}

/* Computes every point of the frame just pushed into hist, notes their
 * peaks and returns the largest |point| (infinite if one is not a number,
 * which only absurd input can make). */
static double detect(struct limiter *l)
{
    double most = 0, all = 0;
    for (int c = 0; c < l->channels; c += 2) {
        const pair *w = l->hist + (size_t)c * l->hist_len + l->run.hist_pos;
        note_peak(l, 0, fabs(w[0][0]));
        note_peak(l, 0, fabs(w[0][1]));
        for (int i = 0; i < l->nfilt; i++) {
            const struct bank *b = &l->bank[i];
            pair v[TRUEPEAK_MAX_PHASES];
            bank_points(b, w, v);
            /* a filter's points fall beside two frames: note each once */
            double near = 0, next = 0;
            for (int p = 0; p < b->phases; p++) {
                double a0 = fabs(v[p][0]), a1 = fabs(v[p][1]), a = max2(a0, a1);
                if (b->off[p] == b->delay)
                    near = max2(near, a);
                else
                    next = max2(next, a);
                all += a0 + a1;
            }
            note_peak(l, b->delay, near);
            note_peak(l, b->delay - 1, next);
            most = max2(most, max2(near, next));
        }
    }
    return isnan(all) ? INFINITY : most;
}

/* Pushes the gain that sample k needs into the sliding minimum and returns
 * the minimum over the window that ends at k. */
static double window_min(struct limiter *l, int64_t k, double need)
{
    struct limit_run *r = &l->run;
    int cap = l->min_window;
    if (r->min_len > 0 && l->min_idx[r->min_head] <= k - cap) {
        if (++r->min_head == cap)
            r->min_head = 0;
        r->min_len--;
    }
    while (r->min_len > 0) {
        int back = r->min_head + r->min_len - 1;
        if (back >= cap)
            back -= cap;
        if (l->min_val[back] < need)
            break;
        r->min_len--;
    }
    int at = r->min_head + r->min_len;
    if (at >= cap)
        at -= cap;
    l->min_val[at] = need;
    l->min_idx[at] = k;
    r->min_len++;
    return l->min_val[r->min_head];
}

/* One step of a moving average. The running sum is rebuilt from the ring at
 * each wrap, so rounding cannot build up over an album. While every value
 * is 1 and the sum exact, a step changes nothing but the position. */
static double boxcar(double *buf, int len, int *pos, double *sum, int *ones, double v)
{
    if (v == 1 && *ones == len && *sum == len) {
        if (++*pos == len)
            *pos = 0;
        return 1;
    }
    *ones = v != 1 ? 0 : *ones < len ? *ones + 1 : len;
    *sum += v - buf[*pos];
    buf[*pos] = v;
    if (++*pos == len) {
        *pos = 0;
        double s = 0;
        for (int i = 0; i < len; i++)
            s += buf[i];
        *sum = s;
    }
    return *sum / len;
}

/* The stage 1 gain, in nepers, of the frame stage 1 lets out now (frame n - stage1):
 * the minimum over [k - W, k + A - 1 + W] for the frame k = n - D whose
 * peak just became complete, i.e. over the A + 2W frames up to k, and the
 * averages over the last A of those minima. */
static double stage1_gain_np(struct limiter *l)
{
    struct limit_run *r = &l->run;
    int64_t k = r->n - l->reach;
    double need = 1;
    if (k >= 0) {
        int at = r->peak_pos - l->reach;
        double *slot = &l->peak[at < 0 ? at + l->qlen : at];
        if (*slot > l->target)
            need = l->target / *slot;
        *slot = 0;
    }
    double g = window_min(l, k, need);
    g = boxcar(l->box1_buf, l->box1, &r->box1_pos, &r->box1_sum, &r->ones1, g);
    g = boxcar(l->box2_buf, l->box2, &r->box2_pos, &r->box2_sum, &r->ones2, g);
    if (!(g > GAIN_FLOOR))
        g = GAIN_FLOOR;
    double g_np = g < 1 ? log(g) : 0;
    if (g_np == 0 && r->env_np == 0)
        return 0;
    if (g_np < r->env_np)
        r->env_np = g_np;
    else
        r->env_np = g_np + l->release * (r->env_np - g_np);
    if (g_np == 0 && r->env_np > RELEASED_NP)
        r->env_np = 0;
    return r->env_np;
}

/* exp(env), the linear stage 1 gain. While the envelope releases it moves
 * by tiny steps, and the gain follows by exp of the step from a short
 * series (off by < 5e-14 a step); exp itself runs at least every 64 frames,
 * so that the error stays far below the margin stage 1 keeps (and stage 2
 * checks the outcome exactly anyway). */
static double stage1_linear(struct limiter *l, double env)
{
    struct limit_run *r = &l->run;
    double step = env - r->gain_np, g;
    if (env == 0)
        g = 1;
    else if (step > -1e-3 && step < 1e-3 && (r->n & 63) && r->gain_np != 0)
        g = r->gain * (1 + step * (1 + step * (0.5 + step * (1.0 / 6))));
    else
        g = exp(env);
    if (g > 1)
        g = 1;
    r->gain_np = env;
    r->gain = g;
    return g;
}

/* ---- stage 2 ---- */

static int line_at(const struct limiter *l, int d)
{
    int at = l->run.line_pos + d;
    return at >= l->line_len ? at - l->line_len : at;
}

/* Frame s - d of channel c in the guard's line is line(l, c)[d]. */
static double *line(struct limiter *l, int c)
{
    return l->line + (size_t)c * 2 * l->line_len + l->run.line_pos;
}

/* Sets frame s - d of channel c in the line, both copies. */
static void line_set(struct limiter *l, int c, int d, double v)
{
    double *base = l->line + (size_t)c * 2 * l->line_len;
    int at = line_at(l, d);
    base[at] = base[at + l->line_len] = v;
}

/* Whether any point ending at frame s - d goes past the bound. */
static int point_over(struct limiter *l, int d)
{
    for (int c = 0; c < l->channels; c++) {
        const double *w = line(l, c) + d;
        for (int i = 0; i < l->nfilt; i++) {
            const struct bank *b = &l->bank[i];
            for (int q = 0; q < b->pairs; q++) {
                pair v = pair_points(b->h[q], w, b->taps);
                if (fabs(v[0]) > l->ceiling || fabs(v[1]) > l->ceiling)
                    return 1;
            }
        }
    }
    return 0;
}

/* Whether the points ending at frame s are surely within the ceiling, given
 * `most`, the largest |point| of the input frame s. With gains g_t over the
 * frames of a point, between gmin and gmax, the point is
 * gmax * (input point) - sum h_t (gmax - g_t) x_t, so it is at most
 * gmax most + sum_taps xmax (gmax - gmin), with room for rounding. */
static int points_bounded(const struct limiter *l, double most)
{
    const struct stretch *a = &l->run.run_before, *b = &l->run.run_now;
    double gmax = max2(a->gmax, b->gmax), gmin = min2(a->gmin, b->gmin);
    double xmax = max2(a->xmax, b->xmax);
    double bound = gmax * most + l->sum_taps * xmax * (gmax - gmin + ROUNDING);
    return bound * (1 + ROUNDING) <= l->ceiling;
}

/* Adds frame s, its stage 1 gain and largest |input|, to the stretches. */
static void note_stretch(struct limiter *l, double g, double xmax)
{
    struct limit_run *r = &l->run;
    if (r->run_frames == l->hist_len) {
        r->run_before = r->run_now;
        r->run_frames = 0;
    }
    struct stretch *now = &r->run_now;
    if (r->run_frames++ == 0) {
        *now = (struct stretch){ g, g, xmax };
    } else {
        now->gmin = min2(now->gmin, g);
        now->gmax = max2(now->gmax, g);
        now->xmax = max2(now->xmax, xmax);
    }
}

static void set_flag(struct limiter *l, int d, int over)
{
    unsigned char *flag = &l->flag[line_at(l, d)];
    l->run.nflags += over - *flag;
    *flag = (unsigned char)over;
}

/* The gain (<= 1) at which frame o = s - ahead may leave. A point over the
 * bound is brought back to it by scaling all its frames not yet sent by the
 * same k, this one first: the next ones then find the same k. */
static double guard_gain(struct limiter *l)
{
    double g = 1, lim = l->ceiling;
    int ahead = l->ahead;
    for (int c = 0; c < l->channels; c++) {
        const double *w = line(l, c);
        if (fabs(w[ahead]) * g > lim)
            g = lim / fabs(w[ahead]);
        if (l->run.nflags == 0)
            continue;
        for (int i = 0; i < l->nfilt; i++) {
            const struct truepeak_filter *f = &l->filt[i];
            /* the points frame o belongs to end at frames o .. o + taps - 1 */
            for (int d = ahead; d > ahead - f->taps; d--) {
                if (!l->flag[line_at(l, d)])
                    continue;
                for (int p = 0; p < f->phases; p++) {
                    double sent = 0, unsent = 0;
                    for (int t = 0; t < f->taps; t++) {
                        if (d + t > ahead)
                            sent += f->h[p][t] * w[d + t];
                        else
                            unsent += f->h[p][t] * w[d + t];
                    }
                    double v = sent + unsent;
                    if (fabs(v) <= lim || unsent == 0)
                        continue;
                    g = fmin(g, fmax(((v > 0 ? lim : -lim) - sent) / unsent, 0));
                }
            }
        }
    }
    return g;
}

/* Stage 1 lets out frame s = n - stage1 with gain g1 and takes in frame n;
 * stage 2 takes frame s in hand: the points ending there are complete.
 * `most` bounds every |point| of input frame n. */
static void stage2_take(struct limiter *l, const double *in, double g1, double g1_np,
                        double most)
{
    struct limit_run *r = &l->run;
    int64_t s = r->n - l->stage1;
    double *slot = l->delay + (size_t)r->delay_pos * l->channels;
    double most_s = l->point_max[r->delay_pos];
    l->point_max[r->delay_pos] = most;
    r->line_pos = r->line_pos == 0 ? l->line_len - 1 : r->line_pos - 1;
    double ymax = 0, xmax = 0;
    for (int c = 0; c < l->channels; c++) {
        double v = s >= 0 ? g1 * slot[c] : 0;
        line_set(l, c, 0, v);
        ymax = max2(ymax, fabs(v));
        xmax = max2(xmax, fabs(slot[c]));
        slot[c] = in[c];
    }
    if (++r->delay_pos == l->stage1)
        r->delay_pos = 0;
    note_stretch(l, g1, xmax);
    if (s < 0)
        return;
    l->held_np[r->line_pos] = g1_np;
    if (ymax > l->quiet_line || l->exact)
        r->loud_line = s;
    if (s - r->loud_line >= l->hist_len)
        return;
    if (!l->exact && points_bounded(l, most_s))
        return;
    if (point_over(l, 0))
        set_flag(l, 0, 1);
}

/* The oldest frame in hand, o = s - ahead, leaves into x: all its points
 * are in hand. */
static void stage2_send(struct limiter *l, double *x)
{
    struct limit_run *r = &l->run;
    if (r->n - l->stage1 - l->ahead < 0) {
        for (int c = 0; c < l->channels; c++)
            x[c] = 0;
        return;
    }
    double g2 = guard_gain(l);
    for (int c = 0; c < l->channels; c++)
        x[c] = line(l, c)[l->ahead];
    if (g2 < 1) {
        for (int c = 0; c < l->channels; c++) {
            x[c] *= g2;
            line_set(l, c, l->ahead, x[c]);
        }
        for (int d = 0; d <= l->ahead; d++)
            set_flag(l, d, point_over(l, d));
    }
    set_flag(l, l->ahead, 0);   /* its point is complete and gone */
    r->out_np1 = l->held_np[line_at(l, l->ahead)];
    r->out_g2 = g2;
}

static void limit_process(void *state, double *buf, int frames)
{
    struct limiter *l = state;
    struct limit_run *r = &l->run;
    int nch = l->channels, len = l->hist_len;
    double *in = l->in;
    for (int fr = 0; fr < frames; fr++) {
        double *x = buf + (size_t)fr * nch;
        double xmax = 0;
        r->hist_pos = r->hist_pos == 0 ? len - 1 : r->hist_pos - 1;
        for (int c = 0; c < nch; c++) {
            double v = isfinite(x[c]) ? x[c] : 0;
            pair *h = l->hist + (size_t)(c / 2) * 2 * len;
            in[c] = h[r->hist_pos][c & 1] = h[r->hist_pos + len][c & 1] = v;
            xmax = max2(xmax, fabs(v));
        }
        if (xmax > l->quiet_in || l->exact)
            r->loud_in = r->n;
        double most = l->target;   /* the bound while the input is quiet */
        if (r->n - r->loud_in < len)
            most = detect(l);
        double g1_np = stage1_gain_np(l);
        double g1 = stage1_linear(l, g1_np);
        stage2_take(l, in, g1, g1_np, most);
        stage2_send(l, x);
        if (++r->peak_pos == l->qlen)
            r->peak_pos = 0;
        r->n++;
    }
}

static int limit_latency(const void *state)
{
    const struct limiter *l = state;
    return l->latency;
}

static double limit_gain_reduction(const void *state)
{
    const struct limiter *l = state;
    double g2 = l->run.out_g2;
    return 0 - 20 / M_LN10 * l->run.out_np1 - (g2 < 1 ? 20 * log10(fmax(g2, 1e-15)) : 0);
}

static void limit_copy_state(void *dst, const void *src)
{
    struct limiter *d = dst;
    const struct limiter *s = src;
    if (d->mem_size != s->mem_size)
        return;
    memcpy(d->mem, s->mem, d->mem_size);
    d->run = s->run;
}

const struct processor_ops limit_ops = {
    .name = "limit",
    .create = limit_create,
    .process = limit_process,
    .reset = limit_reset,
    .latency = limit_latency,
    .gain_reduction = limit_gain_reduction,
    .copy_state = limit_copy_state,
    .destroy = limit_destroy,
};

/* For tests of stage 2 alone: stage 1 aims `db` over the ceiling instead of
 * a little under it, so that the guard has to catch what it lets through. */
void limit_test_aim_over(void *state, double db)
{
    struct limiter *l = state;
    l->target = l->ceiling / (1 - GUARD) * pow(10, db / 20);
    l->quiet_in = l->target / (l->sum_taps * (1 + ROUNDING));
}

/* The same limiter computing every point, for tests that compare it with
 * the one above: not in the registry. */
static void *limit_create_exact(const struct proc *s, double rate, int channels,
                                int max_block)
{
    struct limiter *l = limit_create(s, rate, channels, max_block);
    if (l)
        l->exact = 1;
    return l;
}

const struct processor_ops limit_exact_ops = {
    .name = "limit",
    .create = limit_create_exact,
    .process = limit_process,
    .reset = limit_reset,
    .latency = limit_latency,
    .gain_reduction = limit_gain_reduction,
    .copy_state = limit_copy_state,
    .destroy = limit_destroy,
};
