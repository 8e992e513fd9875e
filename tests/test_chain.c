/* SPDX-License-Identifier: MIT */
/* Tests of dsp/chain: order, block independence, latency compensation,
 * bypass, snapshots; with the gain processor and test-only processors. */
#include "dsp/chain.h"
#include "tests/harness.h"

#include <math.h>
#include <stdlib.h>

/* A test-only delay line whose length in frames is its GAIN_LEVEL setting,
 * standing in for a look-ahead processor such as the limiter. */
struct delay {
    int frames, channels;
    long pos, len;
    double *line;
};

static void *delay_create(const struct proc *s, double rate, int channels,
                          int max_block)
{
    struct delay *d = calloc(1, sizeof *d);
    d->frames = (int)proc_get(s, GAIN_LEVEL);
    d->channels = channels;
    d->len = (long)d->frames * channels;
    d->line = calloc(d->len + 1, sizeof *d->line);
    return d;
}

static void delay_process(void *state, double *buf, int frames)
{
    struct delay *d = state;
    if (d->len == 0)
        return;
    for (long i = 0; i < (long)frames * d->channels; i++) {
        double t = d->line[d->pos];
        d->line[d->pos] = buf[i];
        buf[i] = t;
        d->pos = (d->pos + 1) % d->len;
    }
}

static void delay_reset(void *state)
{
    struct delay *d = state;
    memset(d->line, 0, sizeof *d->line * d->len);
    d->pos = 0;
}

static int delay_latency(const void *state)
{
    return ((const struct delay *)state)->frames;
}

static double delay_gr(const void *state)
{
    return 1.5;     /* a fixed, recognisable "gain reduction" */
}

static void delay_copy(void *dst, const void *src)
{
    struct delay *a = dst;
    const struct delay *b = src;
    memcpy(a->line, b->line, sizeof *a->line * a->len);
    a->pos = b->pos;
}

static void delay_destroy(void *state)
{
    struct delay *d = state;
    free(d->line);
    free(d);
}

static const struct processor_ops delay_ops = {
    .name = "delay", .create = delay_create, .process = delay_process,
    .reset = delay_reset, .latency = delay_latency, .gain_reduction = delay_gr,
    .copy_state = delay_copy, .destroy = delay_destroy,
};

/* A one-pole low-pass: state that depends on every past sample, so any
 * block-size dependence or lost state shows in the output bits. */
struct smooth { int channels; double y[8]; };

static void *smooth_create(const struct proc *s, double rate, int channels,
                           int max_block)
{
    if (channels > 8)
        return NULL;
    struct smooth *m = calloc(1, sizeof *m);
    m->channels = channels;
    return m;
}

static void smooth_process(void *state, double *buf, int frames)
{
    struct smooth *m = state;
    for (int f = 0; f < frames; f++)
        for (int c = 0; c < m->channels; c++) {
            double *x = &buf[f * m->channels + c];
            m->y[c] += 0.01 * (*x - m->y[c]);
            *x = m->y[c];
        }
}

static void smooth_reset(void *state)
{
    struct smooth *m = state;
    memset(m->y, 0, sizeof m->y);
}

static void smooth_copy(void *dst, const void *src)
{
    memcpy(dst, src, sizeof(struct smooth));
}

static void smooth_destroy(void *state)
{
    free(state);
}

static const struct processor_ops smooth_ops = {
    .name = "smooth", .create = smooth_create, .process = smooth_process,
    .reset = smooth_reset, .copy_state = smooth_copy, .destroy = smooth_destroy,
};

static void *refuse_create(const struct proc *s, double rate, int channels,
                           int max_block)
{
    return NULL;
}

static const struct processor_ops refuse_ops = {
    .name = "refuse", .create = refuse_create, .process = smooth_process,
    .reset = smooth_reset, .copy_state = smooth_copy, .destroy = smooth_destroy,
};

static struct proc gain_proc(double db)
{
    struct proc p;
    proc_init(&p, PROC_GAIN);
    proc_set(&p, GAIN_LEVEL, db);
    return p;
}

/* A chain: gain, smooth, delay(d1), gain, delay(d2); latency d1 + d2. */
static struct chain *test_chain(int d1, int d2, int channels, int max_block)
{
    const struct processor_ops *ops[] = {
        processor_ops_of(PROC_GAIN), &smooth_ops, &delay_ops,
        processor_ops_of(PROC_GAIN), &delay_ops,
    };
    struct proc procs[] = { gain_proc(-3), gain_proc(0), gain_proc(d1),
                            gain_proc(1.5), gain_proc(d2) };
    return chain_new_ops(ops, procs, 5, 44100, channels, max_block);
}

static double *signal(int frames, int channels, unsigned seed)
{
    double *b = malloc(sizeof *b * frames * channels);
    for (int i = 0; i < frames * channels; i++) {
        seed = seed * 1664525u + 1013904223u;
        b[i] = (seed >> 8) / 16777216.0 - 0.5 + 0.3 * sin(i * 0.003);
    }
    return b;
}

TEST(gain_processor_scales_by_its_level_in_db)
{
    struct proc p[] = { gain_proc(-6) };
    struct chain *c = chain_new(p, 1, 48000, 2, 16);
    CHECK(c != NULL);
    double buf[4] = { 1, -0.5, 0.25, 0 };
    chain_process(c, buf, 2);
    double g = pow(10, -6 / 20.0);
    CHECK_NEAR(buf[0], g, 1e-15);
    CHECK_NEAR(buf[1], -0.5 * g, 1e-15);
    CHECK_NEAR(buf[2], 0.25 * g, 1e-15);
    CHECK(buf[3] == 0);
    CHECK_EQ_INT(chain_latency(c), 0);
    CHECK_NEAR(chain_gain_reduction(c, 0), 0, 0);
    chain_free(c);

    /* 0 dB is bit-transparent. */
    struct proc z[] = { gain_proc(0) };
    c = chain_new(z, 1, 48000, 1, 16);
    double x[3] = { 0.1, -0.7, 1e-300 };
    chain_process(c, x, 3);
    CHECK(x[0] == 0.1 && x[1] == -0.7 && x[2] == 1e-300);
    chain_free(c);
}

TEST(failing_processor_gives_null_and_frees_the_rest)
{
    /* Leaks would show under `make asan` (LeakSanitizer). */
    const struct processor_ops *ops[] = { &delay_ops, &smooth_ops, &refuse_ops };
    struct proc procs[] = { gain_proc(10), gain_proc(0), gain_proc(0) };
    CHECK(chain_new_ops(ops, procs, 3, 44100, 2, 64) == NULL);
    struct proc unknown = gain_proc(0);
    unknown.kind = PROC_KIND_COUNT;
    struct proc two[] = { gain_proc(1), unknown };
    CHECK(chain_new(two, 2, 44100, 2, 64) == NULL);
    CHECK(chain_new(procs, 1, 44100, 0, 64) == NULL);
    CHECK(chain_new(procs, 1, 44100, 2, 0) == NULL);
    chain_free(NULL);
    /* An empty chain is the identity. */
    struct chain *c = chain_new(NULL, 0, 44100, 2, 8);
    CHECK(c != NULL);
    double buf[40];
    for (int i = 0; i < 40; i++)
        buf[i] = i;
    chain_process(c, buf, 20);
    for (int i = 0; i < 40; i++)
        CHECK(buf[i] == i);
    chain_free(c);
}

TEST(output_is_identical_for_any_block_size)
{
    const int n = 50000, ch = 2;
    double *ref = signal(n, ch, 1), *x = malloc(sizeof *x * n * ch);
    double *in = signal(n, ch, 1);
    struct chain *c = test_chain(3, 5, ch, 64);
    chain_process(c, ref, n);      /* one call, split internally */
    int sizes[] = { 1, 7, 64, 65536 };
    for (int s = 0; s < 4; s++) {
        chain_reset(c);
        memcpy(x, in, sizeof *x * n * ch);
        for (int f = 0; f < n; f += sizes[s]) {
            int k = n - f < sizes[s] ? n - f : sizes[s];
            chain_process(c, x + f * ch, k);
        }
        CHECK_MSG(memcmp(x, ref, sizeof *x * n * ch) == 0, "blocks of %d differ", sizes[s]);
    }
    chain_free(c);
    free(ref);
    free(x);
    free(in);
}

TEST(latency_is_the_sum_and_drain_flushes_the_tail)
{
    struct chain *c = test_chain(3, 5, 1, 16);
    CHECK_EQ_INT(chain_latency(c), 8);
    const struct processor_ops *ops[] = { &delay_ops };
    struct proc p[] = { gain_proc(7) };
    struct chain *d = chain_new_ops(ops, p, 1, 44100, 1, 16);
    double buf[20] = { 0 };
    buf[19] = 1;
    chain_process(d, buf, 20);
    CHECK(buf[19] == 0);
    double tail[7];
    chain_drain(d, tail, 7);
    for (int i = 0; i < 7; i++)
        CHECK(tail[i] == (i == 6 ? 1 : 0));
    chain_free(c);
    chain_free(d);
}

static int argmax(const double *x, int n, int stride)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (fabs(x[i * stride]) > fabs(x[best * stride]))
            best = i;
    return best;
}

/* Runs an impulse at input frame k through a runner over a pure-delay chain
 * (gains and delays only), in blocks of `block`, and checks it comes out at
 * output frame k, with as many frames out as in. */
static void check_runner(int d1, int d2, int n, int k, int block)
{
    const struct processor_ops *ops[] = {
        processor_ops_of(PROC_GAIN), &delay_ops, &delay_ops };
    struct proc procs[] = { gain_proc(-6), gain_proc(d1), gain_proc(d2) };
    struct chain *c = chain_new_ops(ops, procs, 3, 44100, 2, 32);
    struct chain_runner *r = chain_runner_new(c);
    double *in = calloc((size_t)n * 2, sizeof *in), *out = calloc((size_t)n * 2 + 2, sizeof *out);
    double *buf = malloc(sizeof *buf * 2 * block);
    in[2 * k] = 1;
    in[2 * k + 1] = -1;
    int got = 0;
    for (int f = 0; f < n; f += block) {
        int m = n - f < block ? n - f : block;
        memcpy(buf, in + 2 * f, sizeof *buf * 2 * m);
        int o = chain_runner_process(r, buf, m);
        CHECK(got + o <= n);
        if (got + o > n)
            break;
        memcpy(out + 2 * got, buf, sizeof *buf * 2 * o);
        got += o;
    }
    for (;;) {
        int o = chain_runner_finish(r, buf, block);
        CHECK(got + o <= n);
        if (o == 0 || got + o > n)
            break;
        memcpy(out + 2 * got, buf, sizeof *buf * 2 * o);
        got += o;
    }
    CHECK_MSG(got == n, "latency %d n %d block %d: %d frames out", d1 + d2, n, block, got);
    CHECK_MSG(argmax(out, n, 2) == k, "latency %d block %d: impulse at %d moved to %d",
              d1 + d2, block, k, argmax(out, n, 2));
    CHECK_NEAR(out[2 * k], pow(10, -6 / 20.0), 1e-15);
    CHECK_NEAR(out[2 * k + 1], -pow(10, -6 / 20.0), 1e-15);
    chain_runner_free(r);
    chain_free(c);
    free(in);
    free(out);
    free(buf);
}

TEST(runner_keeps_an_impulse_on_its_frame_whatever_the_latency)
{
    int lat[][2] = { { 0, 0 }, { 1, 0 }, { 3, 5 }, { 64, 100 }, { 441, 0 } };
    int blocks[] = { 1, 7, 64, 65536 };
    for (int l = 0; l < 5; l++)
        for (int b = 0; b < 4; b++) {
            check_runner(lat[l][0], lat[l][1], 3000, 1234, blocks[b]);
            check_runner(lat[l][0], lat[l][1], 3000, 0, blocks[b]);
            check_runner(lat[l][0], lat[l][1], 3000, 2999, blocks[b]);
        }
    /* Input shorter than the latency. */
    check_runner(100, 64, 50, 20, 7);
    check_runner(100, 64, 1, 0, 1);
}

TEST(bypass_keeps_the_latency_and_crossfades)
{
    const int n = 4000, ch = 2;
    struct chain *c = test_chain(3, 5, ch, 64);
    CHECK(!chain_bypassed(c));
    chain_set_bypass(c, true);
    CHECK(chain_bypassed(c));
    double *in = signal(n, ch, 7), *x = signal(n, ch, 7);
    chain_process(c, x, n);
    /* Past the 5 ms ramp (221 frames at 44.1 kHz): the input, 8 frames late. */
    for (int f = 300; f < n; f++)
        for (int k = 0; k < ch; k++)
            CHECK(x[f * ch + k] == in[(f - 8) * ch + k]);

    /* Switching back and forth on a constant input moves smoothly. */
    chain_reset(c);
    chain_set_bypass(c, false);
    for (int i = 0; i < n * ch; i++)
        x[i] = 1.0;
    chain_process(c, x, 1000);      /* the smoother settles near -1.5 dB */
    chain_set_bypass(c, true);
    chain_process(c, x + 1000 * ch, 100);
    chain_set_bypass(c, false);     /* mid-ramp: retraces, no jump */
    chain_process(c, x + 1100 * ch, 1400);
    chain_set_bypass(c, true);
    chain_process(c, x + 2500 * ch, 1500);
    double step = 0;
    for (int f = 1000; f < n; f++)
        step = fmax(step, fabs(x[f * ch] - x[(f - 1) * ch]));
    CHECK_MSG(step < 0.002, "largest step %g while switching", step);
    CHECK_NEAR(x[(n - 1) * ch], 1.0, 0);    /* fully bypassed at the end */
    chain_free(c);
    free(in);
    free(x);
}

TEST(bypass_switches_are_block_size_independent)
{
    const int n = 3000, ch = 2;
    double *in = signal(n, ch, 3), *ref = signal(n, ch, 3), *x = malloc(sizeof *x * n * ch);
    int switch_at[] = { 500, 600, 1500 };
    int blocks[] = { 1, 7, 64, 65536 };
    for (int b = -1; b < 4; b++) {
        struct chain *c = test_chain(2, 9, ch, 50);
        double *y = b < 0 ? ref : x;
        memcpy(y, in, sizeof *y * n * ch);
        int s = 0, f = 0;
        while (f < n) {
            /* Blocks never straddle a switch: the switch happens at a frame. */
            int end = s < 3 ? switch_at[s] : n;
            int k = b < 0 ? end - f : (end - f < blocks[b] ? end - f : blocks[b]);
            chain_process(c, y + f * ch, k);
            f += k;
            if (f == end && s < 3)
                chain_set_bypass(c, !chain_bypassed(c)), s++;
        }
        if (b >= 0)
            CHECK_MSG(memcmp(x, ref, sizeof *x * n * ch) == 0, "blocks of %d differ", blocks[b]);
        chain_free(c);
    }
    free(in);
    free(ref);
    free(x);
}

TEST(copied_state_continues_exactly_like_the_original)
{
    const int n = 6000, ch = 6;     /* 5.1 */
    double *a = signal(n, ch, 11), *b = signal(n, ch, 11);
    struct chain *src = test_chain(4, 6, ch, 128);
    struct chain *dst = test_chain(4, 6, ch, 128);
    chain_process(src, a, n / 2);
    chain_process(dst, b, 77);      /* some other history, overwritten */
    chain_copy_state(dst, src);
    chain_process(src, a + n / 2 * ch, n / 2);
    chain_process(dst, b + n / 2 * ch, n / 2);
    CHECK(memcmp(a + n / 2 * ch, b + n / 2 * ch, sizeof *a * n / 2 * ch) == 0);

    /* reset = a fresh chain. */
    struct chain *fresh = test_chain(4, 6, ch, 128);
    double *c1 = signal(n, ch, 5), *c2 = signal(n, ch, 5);
    chain_reset(src);
    chain_process(src, c1, n);
    chain_process(fresh, c2, n);
    CHECK(memcmp(c1, c2, sizeof *c1 * n * ch) == 0);
    chain_free(src);
    chain_free(dst);
    chain_free(fresh);
    free(a);
    free(b);
    free(c1);
    free(c2);
}

TEST(runner_snapshot_restarts_output_at_the_right_frame)
{
    /* Render a stream; snapshot when the input reaches T + latency; a second
     * runner restored from it continues with output frame T. */
    const int n = 5000, ch = 2, t = 2000;
    double *in = signal(n, ch, 9), *full = malloc(sizeof *full * (n + 64) * ch);
    struct chain *c1 = test_chain(3, 5, ch, 64), *c2 = test_chain(3, 5, ch, 64);
    struct chain_runner *r1 = chain_runner_new(c1), *r2 = chain_runner_new(c2);
    int lat = chain_latency(c1), got = 0;
    memcpy(full, in, sizeof *full * (t + lat) * ch);
    got = chain_runner_process(r1, full, t + lat);
    CHECK_EQ_INT(got, t);
    chain_runner_copy_state(r2, r1);
    memcpy(full + got * ch, in + (t + lat) * ch, sizeof *full * (n - t - lat) * ch);
    got += chain_runner_process(r1, full + got * ch, n - t - lat);
    got += chain_runner_finish(r1, full + got * ch, 64);
    CHECK_EQ_INT(got, n);

    double *part = malloc(sizeof *part * (n + 64) * ch);
    memcpy(part, in + (t + lat) * ch, sizeof *part * (n - t - lat) * ch);
    int p = chain_runner_process(r2, part, n - t - lat);
    p += chain_runner_finish(r2, part + p * ch, 64);
    CHECK_EQ_INT(p, n - t);
    CHECK(memcmp(part, full + t * ch, sizeof *part * (n - t) * ch) == 0);
    chain_runner_free(r1);
    chain_runner_free(r2);
    chain_free(c1);
    chain_free(c2);
    free(in);
    free(full);
    free(part);
}

TEST(gain_reduction_is_read_per_processor)
{
    struct chain *c = test_chain(1, 1, 2, 16);
    CHECK_EQ_INT(chain_count(c), 5);
    CHECK_NEAR(chain_gain_reduction(c, 0), 0, 0);
    CHECK_NEAR(chain_gain_reduction(c, 2), 1.5, 0);
    CHECK_NEAR(chain_gain_reduction(c, 5), 0, 0);
    CHECK_NEAR(chain_gain_reduction(c, -1), 0, 0);
    chain_free(c);
}

TEST(real_processors_from_the_registry_are_block_size_independent)
{
    /* A track's `gain` is a track setting, not a session chain line, so the
     * kinds are named here rather than looked up by session key. */
    struct { enum proc_kind kind; const char *text; } lines[] = {
        { PROC_EQ, "highpass 30Hz slope 24dB" }, { PROC_EQ, "bell 3kHz -1.5dB q 1.2" },
        { PROC_WIDTH, "120% mono-below 100Hz" }, { PROC_GAIN, "-2dB" } };
    struct proc procs[4];
    char err[200];
    for (int i = 0; i < 4; i++) {
        err[0] = 0;
        CHECK_MSG(proc_parse(&procs[i], lines[i].kind, lines[i].text, err, sizeof err),
                  "%s: %s", lines[i].text, err);
    }
    const int n = 30000, ch = 2;
    struct chain *c = chain_new(procs, 4, 44100, ch, 256);
    CHECK(c != NULL);
    if (!c)
        return;
    double *ref = signal(n, ch, 21), *x = malloc(sizeof *x * n * ch), *in = signal(n, ch, 21);
    chain_process(c, ref, n);
    int sizes[] = { 1, 7, 64, 65536 };
    for (int s = 0; s < 4; s++) {
        chain_reset(c);
        memcpy(x, in, sizeof *x * n * ch);
        for (int f = 0; f < n; f += sizes[s]) {
            int k = n - f < sizes[s] ? n - f : sizes[s];
            chain_process(c, x + f * ch, k);
        }
        CHECK_MSG(memcmp(x, ref, sizeof *x * n * ch) == 0, "blocks of %d differ", sizes[s]);
    }
    CHECK(memcmp(ref, in, sizeof *x * n * ch) != 0);
    chain_free(c);
    free(ref);
    free(x);
    free(in);
}

TEST(an_empty_chain_passes_its_input_bit_for_bit_even_through_a_bypass_switch)
{
    struct chain *c = chain_new(NULL, 0, 48000, 2, 64);
    CHECK(c != NULL);
    if (!c)
        return;
    double in[2 * 1000], buf[2 * 1000];
    for (int i = 0; i < 2000; i++)
        in[i] = buf[i] = sin(i * 0.01) * 0.3 + 1e-7 * i;
    chain_process(c, buf, 300);
    chain_set_bypass(c, true);     /* a ramp: w * x + (1 - w) * x is not always x */
    chain_process(c, buf + 600, 400);
    chain_set_bypass(c, false);
    chain_process(c, buf + 1400, 300);
    int same = 0;
    for (int i = 0; i < 2000; i++)
        same += buf[i] == in[i];
    CHECK_EQ_INT(same, 2000);
    CHECK_EQ_INT(chain_latency(c), 0);
    chain_free(c);
}
