/* SPDX-License-Identifier: MIT */
/* Tonal balance: a signal against itself, pink against white noise against
 * theory, and `match` recovering the inverse of a known EQ curve. Signals
 * are periodic noise made from an exact spectrum, so every band's power is
 * the formula's with no estimation noise. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "audio/tonal.h"
#include "dsp/chain.h"
#include "dsp/tonal_match.h"
#include "session/editor.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tests/harness.h"

#define RATE 48000
#define PERIOD (1L << 17)
#define PERIODS 3

/* In-place radix-2 FFT; sign -1 forward, +1 inverse (unscaled). */
static void fft(double complex *x, long n, int sign)
{
    for (long i = 1, j = 0; i < n; i++) {
        long bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    for (long len = 2; len <= n; len <<= 1) {
        double complex w = cexp(sign * 2 * M_PI * I / (double)len);
        for (long i = 0; i < n; i += len) {
            double complex u = 1;
            for (long k = 0; k < len / 2; k++) {
                double complex a = x[i + k], b = x[i + k + len / 2] * u;
                x[i + k] = a + b;
                x[i + k + len / 2] = a - b;
                u *= w;
            }
        }
    }
}

/* One period of noise whose bin k has power k^-tilt (0 white, 1 pink),
 * random phases, scaled to `rms`; the same in both channels, since the
 * bank measures the channels' average, where two unrelated noises would
 * add by chance per bin. */
static double *noise(double tilt, double rms, uint64_t seed)
{
    double *x = malloc(sizeof(double) * PERIOD * 2);
    double complex *X = calloc(PERIOD, sizeof *X);
    for (int ch = 0; ch < 1; ch++) {
        uint64_t s = seed * 2 + 1;
        double power = 0;
        for (long k = 0; k < PERIOD; k++)
            X[k] = 0;
        for (long k = 1; k < PERIOD / 2; k++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            double phase = 2 * M_PI * (double)(s >> 11) / 9007199254740992.0;
            double a = pow((double)k, -tilt / 2);
            X[k] = a * cexp(I * phase);
            X[PERIOD - k] = conj(X[k]);
            power += 2 * a * a;
        }
        fft(X, PERIOD, +1);
        double g = rms / sqrt(power);
        for (long n = 0; n < PERIOD; n++)
            x[2 * n] = x[2 * n + 1] = creal(X[n]) * g;
    }
    free(X);
    return x;
}

static void write_periods(const char *name, const double *x)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 32, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    for (int p = 0; f && p < PERIODS; p++)
        CHECK(soundfile_write(f, x, PERIOD));
    if (f)
        CHECK(soundfile_close(f));
}

/* A session of one track `mix` and one reference `ref`. */
static struct session *session_of(const char *mix, const char *ref)
{
    struct session *s = session_new();
    char path[512];
    snprintf(path, sizeof path, "%s/t.lathe", harness_tmpdir());
    str_set(&s->path, path);
    s->album.rate = RATE;
    str_set(&session_insert_track(s, 0)->file, mix);
    struct reference *r = session_add_reference(s);
    str_set(&r->file, ref);
    str_set(&r->name, "ref");
    mix_probe_session(s);
    return s;
}

static bool measure(struct session *s, double t[OCTAVE_BANDS], double r[OCTAVE_BANDS])
{
    struct timeline tl;
    char err[512];
    bool ok = timeline_build(s, &tl);
    ok = ok && tonal_of_track(s, &tl, 0, t, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    bool rok = tonal_of_reference(s, 0, r, err, sizeof err);
    CHECK_MSG(rok, "%s", err);
    timeline_free(&tl);
    return ok && rok;
}

TEST(self_is_flat)
{
    double *x = noise(1, 0.1, 7);
    write_periods("self.wav", x);
    free(x);
    struct session *s = session_of("self.wav", "self.wav");
    double t[OCTAVE_BANDS], r[OCTAVE_BANDS], diff[OCTAVE_BANDS], worst = 0;
    if (measure(s, t, r)) {
        /* the same spectrum: exactly 0 */
        tonal_difference(r, r, diff);
        for (int i = 0; i < OCTAVE_BANDS; i++)
            CHECK_MSG(diff[i] == 0, "band %s: %g dB", octave_band_label(i), diff[i]);
        /* the track as the album plays it against its own file: the album
         * adds only the filters' ringing into the silence after the mix,
         * up to the next CD frame */
        tonal_difference(t, r, diff);
        for (int i = 0; i < OCTAVE_BANDS; i++) {
            CHECK_MSG(isfinite(diff[i]) && fabs(diff[i]) <= 0.05, "band %s: %.4f dB",
                      octave_band_label(i), diff[i]);
            worst = fmax(worst, fabs(diff[i]));
        }
        printf("  self: every band within %.5f dB of 0\n", worst);
        struct proc eq[TONAL_MATCH_MAX];
        CHECK_EQ_INT(tonal_match(t, r, RATE, eq), 0);
    }
    session_free(s);
}

TEST(pink_against_white)
{
    double *p = noise(1, 0.1, 11), *w = noise(0, 0.1, 12);
    write_periods("pink.wav", p);
    write_periods("white.wav", w);
    free(p);
    free(w);
    /* the track is pink, the reference white: white rises 1 dB per band
     * (power in proportion to bandwidth), pink is flat */
    struct session *s = session_of("pink.wav", "white.wav");
    double t[OCTAVE_BANDS], r[OCTAVE_BANDS], diff[OCTAVE_BANDS], worst = 0, worst_step = 0;
    if (measure(s, t, r)) {
        tonal_difference(t, r, diff);
        int k = 17;     /* 1 kHz */
        for (int i = 0; i < OCTAVE_BANDS; i++) {
            double want = (double)(i - k);
            CHECK_MSG(fabs(diff[i] - diff[k] - want) <= 0.5, "band %s: %.3f dB against 1 kHz, theory %+.0f",
                      octave_band_label(i), diff[i] - diff[k], want);
            worst = fmax(worst, fabs(diff[i] - diff[k] - want));
            if (i > 0) {
                double step = diff[i] - diff[i - 1];
                CHECK_MSG(fabs(step - 1) <= 0.5, "band %s: step %.3f dB", octave_band_label(i), step);
                worst_step = fmax(worst_step, fabs(step - 1));
            }
        }
        printf("  pink vs white: +1 dB per band within %.3f dB per step, %.3f dB from 20 Hz to 20 kHz\n",
               worst_step, worst);
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        tonal_chart(f, "pink", t, "white", r);
        fclose(f);
        CHECK(strstr(text, "1.25k") && strstr(text, "20k") && strstr(text, "pink"));
        free(text);
    }
    session_free(s);
}

/* The curve the test EQs the track with. */
static int known_curve(struct proc *p)
{
    char err[256];
    CHECK(proc_parse(&p[0], PROC_EQ, "highshelf 5kHz +2dB", err, sizeof err));
    CHECK(proc_parse(&p[1], PROC_EQ, "bell 250Hz -1.5dB q 1", err, sizeof err));
    return 2;
}

TEST(match_recovers_the_inverse_curve)
{
    double *x = noise(1, 0.1, 21);
    write_periods("original.wav", x);
    struct proc curve[2];
    int ncurve = known_curve(curve);
    struct chain *c = chain_new(curve, ncurve, RATE, 2, 4096);
    CHECK(c != NULL);
    /* the EQ'd track: the periodic signal run through the curve, the
     * first period settling the filters */
    double *y = malloc(sizeof(double) * PERIOD * 2);
    for (int p = 0; p < 2; p++) {
        memcpy(y, x, sizeof(double) * PERIOD * 2);
        chain_process(c, y, (int)PERIOD);
    }
    write_periods("eqd.wav", y);
    chain_free(c);
    free(x);
    free(y);
    struct session *s = session_of("eqd.wav", "original.wav");
    tonal_install();
    struct editor *e = editor_new(s);
    char msg[1024];
    bool ok = editor_run(e, "match 1 ref", msg, sizeof msg);
    CHECK_MSG(ok, "%s", msg);
    printf("  %s\n", msg);
    struct chain_settings *ch = &e->s->tracks[0].chain;
    CHECK(ch->n >= 1 && ch->n <= TONAL_MATCH_MAX);
    double worst = 0;
    for (int i = 0; i < ch->n; i++) {
        CHECK_EQ_INT(ch->procs[i].kind, PROC_EQ);
        CHECK(fabs(proc_get(&ch->procs[i], EQ_GAIN)) <= 3.0);
    }
    for (int i = 2; i <= 29; i++) {      /* 31.5 Hz .. 16 kHz */
        double f = octave_band_centre(i);
        double got = tonal_eq_response(ch->procs, ch->n, RATE, f);
        double want = -tonal_eq_response(curve, ncurve, RATE, f);
        CHECK_MSG(fabs(got - want) <= 1.0, "%s Hz: correction %+.2f dB, inverse curve %+.2f dB",
                  octave_band_label(i), got, want);
        worst = fmax(worst, fabs(got - want));
    }
    printf("  match: the correction is within %.2f dB of the inverse curve, 31.5 Hz..16 kHz\n", worst);
    /* visible in the session text, and undone in one step */
    char *text = session_format(e->s);
    CHECK(text && strstr(text, "eq = highshelf"));
    free(text);
    CHECK(editor_run(e, "undo", msg, sizeof msg));
    CHECK_EQ_INT(e->s->tracks[0].chain.n, 0);
    /* bad arguments change nothing */
    CHECK(!editor_run(e, "match 2", msg, sizeof msg));
    CHECK(!editor_run(e, "match 1 nosuch", msg, sizeof msg));
    CHECK_EQ_INT(e->s->tracks[0].chain.n, 0);
    editor_free(e);
}

/* A difference the limit cannot follow (a reference with 12 dB more deep
 * bass): the fit must not stack the same shelf again and again, and all its
 * bands together keep within the limit from 20 Hz to 20 kHz. */
TEST(match_keeps_within_the_limit_when_the_difference_does_not)
{
    double track[OCTAVE_BANDS], ref[OCTAVE_BANDS];
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        track[i] = -20.0;
        ref[i] = i <= 6 ? -8.0 : -20.0;     /* to 80 Hz */
    }
    struct proc out[TONAL_MATCH_MAX];
    int n = tonal_match(track, ref, RATE, out);
    CHECK(n >= 1);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            CHECK_MSG(!(proc_get(&out[i], EQ_TYPE) == proc_get(&out[j], EQ_TYPE) &&
                        proc_get(&out[i], EQ_FREQ) == proc_get(&out[j], EQ_FREQ)),
                      "bands %d and %d are the same (%.0f Hz)", j + 1, i + 1,
                      proc_get(&out[i], EQ_FREQ));
    double most = 0;
    for (double f = 20; f <= 20000; f *= 1.01)
        most = fmax(most, fabs(tonal_eq_response(out, n, RATE, f)));
    CHECK_MSG(most <= TONAL_MATCH_LIMIT + 0.05, "%d bands reach %.2f dB", n, most);
    CHECK(most >= 2.0);     /* it still does what it can */
}

TEST(match_without_reference)
{
    struct session *s = session_new();
    str_set(&session_insert_track(s, 0)->file, "x.wav");
    tonal_install();
    struct editor *e = editor_new(s);
    char msg[512];
    CHECK(!editor_run(e, "match 1", msg, sizeof msg));
    CHECK(strstr(msg, "no [reference]") != NULL);
    editor_free(e);
}
