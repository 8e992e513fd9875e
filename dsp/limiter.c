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
/* Below this the release counts as done and the gain is exactly unity. */
#define RELEASED_DB -1e-9

/* Everything that changes while it runs, besides the buffers in `mem`. */
struct limit_run {
    int64_t n;              /* input frames so far */
    int delay_pos, hist_pos;
    int min_head, min_len;  /* monotonic deque of the sliding minimum */
    int line_pos, nflags;   /* stage 2: see line(); flags set */
    int box1_pos, box2_pos;
    double box1_sum, box2_sum;
    double env_db;          /* stage 1 gain after the release, dB */
    double gr;              /* reduction of the last frame out, dB */
};

struct limiter {
    int channels, nfilt;
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
    struct truepeak_filter filt[TRUEPEAK_MAX_FILTERS];

    /* Buffers, all in one block so that copy_state is one memcpy. */
    double *delay;          /* stage1 x channels: input in flight */
    double *hist;           /* channels x 2 hist_len: input, newest first */
    double *peak;           /* qlen: largest point beside sample k, slot k % qlen */
    double *min_val;        /* min_window: deque values */
    int64_t *min_idx;       /* min_window: deque sample indices */
    double *box1_buf, *box2_buf;
    /* Stage 2's line, per channel 2 x line_len, newest first as in hist:
     * frames s - ahead .. s in hand as stage 1 let them out, and before
     * them the last frames sent, as they went. */
    double *line;
    double *held_db;        /* line_len: stage 1 gain of frame s, slot s % line_len */
    unsigned char *flag;    /* line_len: a point ending at frame m is over */
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
    l->release = exp(-1 / (proc_get(s, LIMIT_RELEASE) / 1000 * rate));

    l->line_len = 2 * l->ahead + 1;
    size_t sizes[] = {
        (size_t)l->stage1 * channels * sizeof(double),
        (size_t)channels * 2 * l->hist_len * sizeof(double),
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
        (void **)&l->delay, (void **)&l->hist, (void **)&l->peak, (void **)&l->min_val,
        (void **)&l->min_idx, (void **)&l->box1_buf, (void **)&l->box2_buf,
        (void **)&l->line, (void **)&l->held_db, (void **)&l->flag,
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
    memset(l->mem, 0, l->mem_size);
    memset(&l->run, 0, sizeof l->run);
    /* as if it had always seen silence: unity gain all along */
    for (int i = 0; i < l->box1; i++)
        l->box1_buf[i] = 1;
    for (int i = 0; i < l->box2; i++)
        l->box2_buf[i] = 1;
    l->run.box1_sum = l->box1;
    l->run.box2_sum = l->box2;
}

/* ---- stage 1 ---- */

/* Records |v| as a peak beside sample k (k within the last qlen samples).
 * Points before the first sample are made from it alone, so they count
 * for it. */
static void note_peak(struct limiter *l, int64_t k, double v)
{
    if (k < 0)
        k = 0;
    double *slot = &l->peak[k % l->qlen];
    v = fabs(v);
    if (v > *slot)
        *slot = v;
}

/* Pushes one input frame through the meters' filters and notes each point
 * beside the sample it lies nearest to. */
static void detect(struct limiter *l, const double *x)
{
    struct limit_run *r = &l->run;
    int len = l->hist_len;
    r->hist_pos = r->hist_pos == 0 ? len - 1 : r->hist_pos - 1;
    for (int c = 0; c < l->channels; c++) {
        double *h = l->hist + (size_t)c * 2 * len;
        h[r->hist_pos] = h[r->hist_pos + len] = x[c];
        const double *w = h + r->hist_pos;   /* w[t] = x[n - t] */
        note_peak(l, r->n, x[c]);
        for (int i = 0; i < l->nfilt; i++) {
            const struct truepeak_filter *f = &l->filt[i];
            for (int p = 0; p < f->phases; p++) {
                double acc = 0;
                for (int t = 0; t < f->taps; t++)
                    acc += f->h[p][t] * w[t];
                note_peak(l, r->n - f->delay + (f->pos[p] > 0.5), acc);
            }
        }
    }
}

/* Pushes the gain that sample k needs into the sliding minimum and returns
 * the minimum over the window that ends at k. */
static double window_min(struct limiter *l, int64_t k, double need)
{
    struct limit_run *r = &l->run;
    int cap = l->min_window;
    while (r->min_len > 0 && l->min_idx[r->min_head] <= k - cap) {
        r->min_head = (r->min_head + 1) % cap;
        r->min_len--;
    }
    while (r->min_len > 0 && l->min_val[(r->min_head + r->min_len - 1) % cap] >= need)
        r->min_len--;
    int at = (r->min_head + r->min_len) % cap;
    l->min_val[at] = need;
    l->min_idx[at] = k;
    r->min_len++;
    return l->min_val[r->min_head];
}

/* One step of a moving average. The running sum is rebuilt from the ring at
 * each wrap, so rounding cannot build up over an album. */
static double boxcar(double *buf, int len, int *pos, double *sum, double v)
{
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

/* The stage 1 gain, in dB, of the frame stage 1 lets out now (frame n - stage1):
 * the minimum over [k - W, k + A - 1 + W] for the frame k = n - D whose
 * peak just became complete, i.e. over the A + 2W frames up to k, and the
 * averages over the last A of those minima. */
static double stage1_gain_db(struct limiter *l)
{
    struct limit_run *r = &l->run;
    int64_t k = r->n - l->reach;
    double need = 1;
    if (k >= 0) {
        double *slot = &l->peak[k % l->qlen];
        if (*slot > l->target)
            need = l->target / *slot;
        *slot = 0;
    }
    double g = window_min(l, k, need);
    g = boxcar(l->box1_buf, l->box1, &r->box1_pos, &r->box1_sum, g);
    g = boxcar(l->box2_buf, l->box2, &r->box2_pos, &r->box2_sum, g);
    double g_db = g < 1 ? 20 * log10(g) : 0;
    if (g_db < r->env_db)
        r->env_db = g_db;
    else
        r->env_db = g_db + l->release * (r->env_db - g_db);
    if (g_db == 0 && r->env_db > RELEASED_DB)
        r->env_db = 0;
    return r->env_db;
}

/* ---- stage 2 ---- */

/* Frame s - d of channel c in the guard's line is line(l, c)[d]. */
static double *line(struct limiter *l, int c)
{
    return l->line + (size_t)c * 2 * l->line_len + l->run.line_pos;
}

/* Sets frame s - d of channel c in the line, both copies. */
static void line_set(struct limiter *l, int c, int d, double v)
{
    double *base = l->line + (size_t)c * 2 * l->line_len;
    int at = l->run.line_pos + d;
    if (at >= l->line_len)
        at -= l->line_len;
    base[at] = base[at + l->line_len] = v;
}

/* Whether any point ending at frame s - d goes past the bound. */
static int point_over(struct limiter *l, int d)
{
    for (int c = 0; c < l->channels; c++) {
        const double *w = line(l, c) + d;
        for (int i = 0; i < l->nfilt; i++) {
            const struct truepeak_filter *f = &l->filt[i];
            for (int p = 0; p < f->phases; p++) {
                double v = 0;
                for (int t = 0; t < f->taps; t++)
                    v += f->h[p][t] * w[t];
                if (fabs(v) > l->ceiling)
                    return 1;
            }
        }
    }
    return 0;
}

static void set_flag(struct limiter *l, int64_t m, int over)
{
    unsigned char *flag = &l->flag[m % l->line_len];
    l->run.nflags += over - *flag;
    *flag = (unsigned char)over;
}

/* The gain (<= 1) at which frame o = s - ahead may leave. A point over the
 * bound is brought back to it by scaling all its frames not yet sent by the
 * same k, this one first: the next ones then find the same k. */
static double guard_gain(struct limiter *l, int64_t o)
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
                if (!l->flag[(o + ahead - d) % l->line_len])
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

static void limit_process(void *state, double *buf, int frames)
{
    struct limiter *l = state;
    struct limit_run *r = &l->run;
    int nch = l->channels;
    double *in = l->in;
    for (int fr = 0; fr < frames; fr++) {
        double *x = buf + (size_t)fr * nch;
        for (int c = 0; c < nch; c++)
            in[c] = isfinite(x[c]) ? x[c] : 0;
        detect(l, in);
        double g1_db = stage1_gain_db(l);
        double g1 = g1_db < 0 ? pow(10, g1_db / 20) : 1;

        /* stage 1 lets out the frame that came in stage1 frames ago, and
         * stage 2 takes it in hand: the points ending there are complete */
        int64_t s = r->n - l->stage1;
        double *slot = l->delay + (size_t)r->delay_pos * nch;
        r->line_pos = r->line_pos == 0 ? l->line_len - 1 : r->line_pos - 1;
        for (int c = 0; c < nch; c++) {
            line_set(l, c, 0, s >= 0 ? g1 * slot[c] : 0);
            slot[c] = in[c];
        }
        if (++r->delay_pos == l->stage1)
            r->delay_pos = 0;
        if (s >= 0) {
            l->held_db[s % l->line_len] = g1_db;
            set_flag(l, s, point_over(l, 0));
        }

        /* the oldest frame in hand leaves: all its points are in hand */
        int64_t o = s - l->ahead;
        if (o >= 0) {
            double g2 = guard_gain(l, o);
            for (int c = 0; c < nch; c++) {
                x[c] = g2 * line(l, c)[l->ahead];
                line_set(l, c, l->ahead, x[c]);
            }
            if (g2 < 1)
                for (int d = 0; d <= l->ahead; d++)
                    set_flag(l, s - d, point_over(l, d));
            set_flag(l, o, 0);   /* its point is complete and gone */
            r->gr = -l->held_db[o % l->line_len] -
                    (g2 < 1 ? 20 * log10(fmax(g2, 1e-15)) : 0);
        } else {
            for (int c = 0; c < nch; c++)
                x[c] = 0;
        }
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
    return l->run.gr;
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
