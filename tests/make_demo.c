/* SPDX-License-Identifier: MIT */
/* make_demo DIR: synthesizes lathe's demo album (four stereo mixes and the
 * session that masters them) so `make run` and the tests have music to work on. */
#include "audio/soundfile.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RATE 48000
#define PATH_LEN 4096
/* Room for ".PID.tmp" after a path. */
#define TMP_LEN (PATH_LEN + 32)
#define TAU (2.0 * M_PI)

/* Parts of the arrangement a section switches on. */
enum { PAD = 1, BASS = 2, KICK = 4, SNARE = 8, HAT = 16, ARP = 32 };
#define ALL (PAD | BASS | KICK | SNARE | HAT | ARP)

struct section {
    int bars;           /* the last section runs on to the end of the mix */
    double db;          /* velocity of the notes; a ramp goes on to the next section's */
    bool ramp;
    unsigned parts;
    double cutoff;      /* the chords' low-pass, Hz */
};

/* Drum, bass and arpeggio patterns are 16 steps to the bar: bit i = step i. */
struct song {
    const char *file;
    int seconds;
    double bpm;
    int tonic;          /* pitch class, 0 = C */
    bool minor, sevenths;
    int prog[4];        /* scale degree (0-based) of each bar's chord */
    double saw;         /* chord timbre: 0 triangle .. 1 saw */
    double attack, release;
    uint16_t kick, snare, hat, openhat, bass, bass_oct, arp;
    double kick_decay;
    double echo;        /* how much of the chords and arpeggio goes to the echo */
    double drive;       /* bus saturation; higher squashes the drums more */
    double peak_db;
    double fade_out;    /* seconds */
    uint64_t seed;
    int nsec;
    struct section sec[6];
};

static const struct song songs[] = {
    {
        .file = "01 First Light.wav", .seconds = 35, .bpm = 72, .tonic = 2,
        .sevenths = true, .prog = { 0, 4, 5, 3 }, .saw = 0.25,
        .attack = 1.2, .release = 2.0,
        .kick = 0x0101, .hat = 0x4444, .bass = 0x0101, .arp = 0x5555,
        .kick_decay = 0.3, .echo = 0.45, .drive = 1.0, .peak_db = -3.0,
        .fade_out = 4.0, .seed = 0x1f1a57,
        .nsec = 4, .sec = {
            { 2, -15, false, PAD, 700 },
            { 2, -11, true, PAD | ARP, 1500 },
            { 4, -1, false, PAD | ARP | BASS | KICK | HAT, 3200 },
            { 3, -6, false, PAD | ARP, 1200 },
        },
    },
    {
        .file = "02 Night Drive.wav", .seconds = 50, .bpm = 124, .tonic = 9,
        .minor = true, .prog = { 0, 5, 2, 6 }, .saw = 0.9,
        .attack = 0.02, .release = 0.3,
        .kick = 0x1111, .snare = 0x1010, .hat = 0xbfff, .openhat = 0x4000,
        .bass = 0x5555, .bass_oct = 0x4444, .arp = 0xffff,
        .kick_decay = 0.22, .echo = 0.25, .drive = 1.3, .peak_db = -1.0,
        .fade_out = 2.0, .seed = 0x2d417e,
        .nsec = 6, .sec = {
            { 4, -14, false, PAD | HAT, 800 },
            { 6, -6, false, PAD | BASS | KICK | HAT, 1600 },
            { 8, 0, false, ALL, 4500 },
            { 2, -9, false, PAD | ARP, 1000 },
            { 4, 0, false, ALL, 4500 },
            { 2, -6, false, PAD, 1500 },
        },
    },
    {
        .file = "03 Glass City.wav", .seconds = 45, .bpm = 100, .tonic = 4,
        .minor = true, .sevenths = true, .prog = { 5, 3, 0, 4 }, .saw = 0.6,
        .attack = 0.15, .release = 0.8,
        .kick = 0x0121, .snare = 0x1010, .hat = 0x5555, .bass = 0x494b, .arp = 0xffff,
        .kick_decay = 0.25, .echo = 0.4, .drive = 1.1, .peak_db = -1.5,
        .fade_out = 2.5, .seed = 0x3c17a,
        .nsec = 6, .sec = {
            { 2, -14, false, PAD | ARP, 900 },
            { 6, -6, false, PAD | ARP | BASS | KICK | HAT, 1800 },
            { 6, 0, false, ALL, 4000 },
            { 2, -8, false, PAD | BASS, 1200 },
            { 2, 0, false, ALL, 4000 },
            { 2, -8, false, PAD | ARP, 1400 },
        },
    },
    {
        .file = "04 Last Train.wav", .seconds = 40, .bpm = 68, .tonic = 0,
        .sevenths = true, .prog = { 0, 5, 3, 4 }, .saw = 0.35,
        .attack = 0.4, .release = 1.5,
        .kick = 0x0401, .snare = 0x0100, .hat = 0x5555, .bass = 0x0141, .arp = 0x5555,
        .kick_decay = 0.35, .echo = 0.35, .drive = 1.0, .peak_db = -2.5,
        .fade_out = 7.0, .seed = 0x4a57,
        .nsec = 4, .sec = {
            { 2, -13, false, PAD, 900 },
            { 3, -6, false, PAD | ARP | BASS, 1500 },
            { 4, 0, false, ALL, 3000 },
            { 3, -3, false, PAD | ARP | BASS | KICK | HAT, 2000 },
        },
    },
};

static const char session_text[] =
    "[lathe]\n"
    "version = 1\n"
    "\n"
    "# lathe demo album, synthesized by tests/make_demo.c\n"
    "[album]\n"
    "title = Night Drive\n"
    "performer = The Demo Band\n"
    "upc = 5012345678900\n"
    "rate = 48000\n"
    "target = -14 LUFS\n"
    "leveling = album\n"
    "\n"
    "[master]\n"
    "gain = +5.45dB\n"
    "eq = lowshelf 90Hz +0.8dB q 0.7\n"
    "comp = threshold -16dB ratio 1.5 attack 30ms release 200ms knee 6dB\n"
    "limit = ceiling -1dBTP release 60ms\n"
    "\n"
    "[track]\n"
    "file = mixes/01 First Light.wav\n"
    "title = First Light\n"
    "isrc = GBABC2600001\n"
    "gap = 2s\n"
    "fade-in = 1s\n"
    "\n"
    "[track]\n"
    "file = mixes/02 Night Drive.wav\n"
    "title = Night Drive\n"
    "isrc = GBABC2600002\n"
    "gap = 2s\n"
    "eq = bell 3kHz -1.5dB q 1.2\n"
    "\n"
    "[track]\n"
    "file = mixes/03 Glass City.wav\n"
    "title = Glass City\n"
    "isrc = GBABC2600003\n"
    "gap = 1.5s\n"
    "\n"
    "[track]\n"
    "file = mixes/04 Last Train.wav\n"
    "title = Last Train\n"
    "isrc = GBABC2600004\n"
    "gap = 2s\n"
    "fade-out = 4s\n"
    "\n"
    "[output cd]\n"
    "format = ddp\n"
    "rate = 44100\n"
    "bits = 16\n"
    "dither = shaped\n"
    "ceiling = -1dBTP\n"
    "\n"
    "[output stream]\n"
    "format = flac\n"
    "rate = 48000\n"
    "bits = 24\n"
    "ceiling = -1dBTP\n"
    "name = {nn} {title}\n"
    "\n"
    "[output client]\n"
    "format = mp3\n"
    "rate = 44100\n"
    "album = yes\n";

/* splitmix64: a fixed seed per song keeps the files the same on every run. */
struct rng { uint64_t s; };

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_noise(struct rng *r)
{
    return 2.0 * rng_unit(r) - 1.0;
}

/* Topology-preserving state-variable filter: stays stable while its cutoff
 * moves, which the chords' sweeping low-pass needs. */
struct svf { double a1, a2, a3, k, ic1, ic2; };

static void svf_set(struct svf *f, double hz, double q)
{
    double g = tan(M_PI * hz / RATE);
    f->k = 1.0 / q;
    f->a1 = 1.0 / (1.0 + g * (g + f->k));
    f->a2 = g * f->a1;
    f->a3 = g * f->a2;
}

static double svf_low(struct svf *f, double in, double *high)
{
    double v3 = in - f->ic2;
    double v1 = f->a1 * f->ic1 + f->a2 * v3;
    double v2 = f->ic2 + f->a2 * f->ic1 + f->a3 * v3;
    f->ic1 = 2.0 * v1 - f->ic1;
    f->ic2 = 2.0 * v2 - f->ic2;
    if (high)
        *high = in - f->k * v1 - v2;
    return v2;
}

static double midi_hz(double note)
{
    return 440.0 * pow(2.0, (note - 69.0) / 12.0);
}

static double db_gain(double db)
{
    return pow(10.0, db / 20.0);
}

/* Per-sample factor of an exponential decay with time constant tau: cheaper
 * than exp() every sample. */
static double decay_per_sample(double tau)
{
    return exp(-1.0 / (tau * RATE));
}

/* A sine at a fixed frequency as a rotating phasor, cheaper than sin() every sample. */
struct phasor { double c, s, cw, sw; };

static struct phasor phasor_at(double hz)
{
    double w = TAU * hz / RATE;
    return (struct phasor){ 1.0, 0.0, cos(w), sin(w) };
}

static double phasor_next(struct phasor *p)
{
    double s = p->s, c = p->c;
    p->c = c * p->cw - s * p->sw;
    p->s = s * p->cw + c * p->sw;
    return s;
}

static void pan_gains(double pan, double *gl, double *gr)
{
    double a = (pan + 1.0) * M_PI / 4.0;
    *gl = cos(a);
    *gr = sin(a);
}

static int wrap_into(int note, int lo)
{
    return lo + ((note - lo) % 12 + 12) % 12;
}

/* A scale degree as a MIDI note in the lowest octaves; callers wrap it into their register. */
static int scale_note(const struct song *s, int degree)
{
    static const int major[7] = { 0, 2, 4, 5, 7, 9, 11 };
    static const int minor[7] = { 0, 2, 3, 5, 7, 8, 10 };
    int oct = degree >= 0 ? degree / 7 : -((6 - degree) / 7);
    int d = degree - 7 * oct;
    return s->tonic + 12 * oct + (s->minor ? minor : major)[d];
}

/* The chord of bar b, as pitch classes from its root up. */
static int chord_tones(const struct song *s, int bar, int *tones)
{
    int n = s->sevenths ? 4 : 3;
    for (int k = 0; k < n; k++)
        tones[k] = scale_note(s, s->prog[bar % 4] + 2 * k);
    return n;
}

static const struct section *section_at(const struct song *s, int bar, double *frac)
{
    int start = 0;
    for (int i = 0; i < s->nsec; i++) {
        if (bar < start + s->sec[i].bars || i == s->nsec - 1) {
            *frac = (double)(bar - start) / s->sec[i].bars;
            return &s->sec[i];
        }
        start += s->sec[i].bars;
    }
    return &s->sec[s->nsec - 1];
}

/* Velocity in dB at a point of the bar; a ramp climbs to the next section. */
static double level_at(const struct song *s, int bar, int step, unsigned *parts)
{
    double frac = 0.0;
    const struct section *sec = section_at(s, bar, &frac);
    *parts = sec->parts;
    double db = sec->db;
    if (sec->ramp && sec < &s->sec[s->nsec - 1])
        db += (sec[1].db - db) * (frac + step / (16.0 * sec->bars));
    return db;
}

struct mixbuf {
    double *mix;        /* the stereo mix */
    double *bus;        /* the chords before their filter, then the echo's send */
    int64_t frames;
};

static int64_t clamp_len(const struct mixbuf *m, int64_t start, int64_t len)
{
    return start + len > m->frames ? m->frames - start : len;
}

/* Band-limited saw: the polyBLEP correction keeps the chords from aliasing. */
static double saw_blep(double ph, double inc)
{
    double x = 2.0 * ph - 1.0;
    if (ph < inc) {
        double t = ph / inc;
        x -= t + t - t * t - 1.0;
    } else if (ph > 1.0 - inc) {
        double t = (ph - 1.0) / inc;
        x -= t * t + t + t + 1.0;
    }
    return x;
}

/* A chord note: three detuned voices panned apart, so the two channels beat
 * differently and the correlation meter has something to show. */
static void pad_note(const struct mixbuf *m, const struct song *s, struct rng *r,
                     int64_t start, int64_t len, int note, double amp)
{
    static const double detune[3] = { -0.09, 0.0, 0.08 };
    static const double pan[3] = { -0.7, 0.05, 0.65 };
    int64_t att = (int64_t)(s->attack * RATE), rel = (int64_t)(s->release * RATE);
    int64_t n = clamp_len(m, start, len + rel);
    double *out = m->bus + 2 * start;
    for (int v = 0; v < 3; v++) {
        double inc = midi_hz(note + detune[v] + 0.02 * rng_noise(r)) / RATE;
        double ph = rng_unit(r), gl, gr;
        pan_gains(pan[v] + 0.15 * rng_noise(r), &gl, &gr);
        gl *= amp;
        gr *= amp;
        for (int64_t i = 0; i < n; i++) {
            double a = i < att ? (double)i / att : 1.0;
            double env = a * a * (3.0 - 2.0 * a);
            if (i >= len) {
                double t = 1.0 - (double)(i - len) / rel;
                env *= t * t;
            }
            double tri = 1.0 - 4.0 * fabs(ph - 0.5);
            double x = s->saw * saw_blep(ph, inc) + (1.0 - s->saw) * tri;
            out[2 * i] += x * env * gl;
            out[2 * i + 1] += x * env * gr;
            ph += inc;
            if (ph >= 1.0)
                ph -= 1.0;
        }
    }
}

/* Saw plus sine through a low-pass whose cutoff falls after the attack: a plucked synth bass. */
static void bass_note(const struct mixbuf *m, int64_t start, int64_t len, int note, double amp)
{
    int64_t gate = len * 85 / 100, rel = RATE / 40;
    int64_t n = clamp_len(m, start, gate + rel);
    double inc = midi_hz(note) / RATE, ph = 0.0;
    struct phasor sine = phasor_at(midi_hz(note));
    struct svf f = { 0 };
    double *out = m->mix + 2 * start;
    for (int64_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            svf_set(&f, 180.0 + 1400.0 * exp(-(double)i / RATE / 0.08), 0.9);
        double env = i < RATE / 250 ? (double)i / (RATE / 250) : 1.0;
        if (i >= gate)
            env *= 1.0 - (double)(i - gate) / rel;
        double x = 0.5 * saw_blep(ph, inc) + 0.7 * phasor_next(&sine);
        double y = svf_low(&f, x, NULL) * env * amp;
        out[2 * i] += y;
        out[2 * i + 1] += y;
        ph += inc;
        if (ph >= 1.0)
            ph -= 1.0;
    }
}

/* A sine swept down from about 160 Hz, with a click of noise on the front. */
static void kick(const struct mixbuf *m, struct rng *r, int64_t start, double decay, double amp)
{
    int64_t n = clamp_len(m, start, RATE / 2), click = RATE / 500, tail = RATE / 100;
    double ph = 0.0, sweep = 1.0, env = 1.0;
    double sweep_k = decay_per_sample(0.03), env_k = decay_per_sample(decay);
    double *out = m->mix + 2 * start;
    for (int64_t i = 0; i < n; i++) {
        ph += (48.0 + 110.0 * sweep) / RATE;
        sweep *= sweep_k;
        double x = sin(TAU * ph) * env;
        env *= env_k;
        if (i > RATE / 2 - tail)
            x *= (double)(RATE / 2 - i) / tail;
        if (i < click)
            x += 0.25 * rng_noise(r) * (1.0 - (double)i / click);
        out[2 * i] += x * amp;
        out[2 * i + 1] += x * amp;
    }
}

/* A noise burst over a two-tone body; the noise is partly different in each channel. */
static void snare(const struct mixbuf *m, struct rng *r, int64_t start, double amp)
{
    int64_t n = clamp_len(m, start, RATE * 3 / 10);
    struct svf fl = { 0 }, fr = { 0 };
    svf_set(&fl, 1200.0, 0.7);
    svf_set(&fr, 1200.0, 0.7);
    struct phasor lo = phasor_at(190.0), hi = phasor_at(330.0);
    double en = 1.0, et = 1.0, en_k = decay_per_sample(0.11), et_k = decay_per_sample(0.045);
    double *out = m->mix + 2 * start;
    for (int64_t i = 0; i < n; i++) {
        double common = rng_noise(r);
        double hl, hr;
        svf_low(&fl, 0.75 * common + 0.25 * rng_noise(r), &hl);
        svf_low(&fr, 0.75 * common + 0.25 * rng_noise(r), &hr);
        double noise = 0.9 * en * (1.0 - (double)i / n);
        double tone = (0.6 * phasor_next(&lo) + 0.3 * phasor_next(&hi)) * et;
        en *= en_k;
        et *= et_k;
        out[2 * i] += amp * (hl * noise + tone);
        out[2 * i + 1] += amp * (hr * noise + tone);
    }
}

/* High-passed noise, right of centre. */
static void hat(const struct mixbuf *m, struct rng *r, int64_t start, bool open, double amp)
{
    int64_t n = clamp_len(m, start, open ? RATE * 35 / 100 : RATE * 9 / 100);
    double env = amp, env_k = decay_per_sample(open ? 0.12 : 0.025), gl, gr;
    struct svf f = { 0 };
    svf_set(&f, 7000.0, 0.9);
    pan_gains(0.35, &gl, &gr);
    double *out = m->mix + 2 * start;
    for (int64_t i = 0; i < n; i++) {
        double h;
        svf_low(&f, rng_noise(r), &h);
        double x = h * env * (1.0 - (double)i / n);
        env *= env_k;
        out[2 * i] += x * gl;
        out[2 * i + 1] += x * gr;
    }
}

/* A bell-like pluck: a sine and its second and third harmonics, all derived
 * from one phasor. */
static void arp_note(const struct mixbuf *m, int64_t start, int note, double pan,
                     double amp, double send)
{
    int64_t n = clamp_len(m, start, RATE * 6 / 10);
    struct phasor p = phasor_at(midi_hz(note));
    double rise = 1.0, fall = amp, gl, gr;
    double rise_k = decay_per_sample(0.002), fall_k = decay_per_sample(0.18);
    pan_gains(pan, &gl, &gr);
    double *out = m->mix + 2 * start, *bus = m->bus + 2 * start;
    for (int64_t i = 0; i < n; i++) {
        double c = p.c, s = phasor_next(&p);
        double env = (1.0 - rise) * fall * (1.0 - (double)i / n);
        rise *= rise_k;
        fall *= fall_k;
        double x = (s + 0.35 * 2.0 * s * c + 0.12 * (3.0 * s - 4.0 * s * s * s)) * env;
        out[2 * i] += x * gl;
        out[2 * i + 1] += x * gr;
        bus[2 * i] += x * gl * send;
        bus[2 * i + 1] += x * gr * send;
    }
}

/* The chords' low-pass follows each section's cutoff, gliding over about half a second. */
static void filter_chords(const struct mixbuf *m, const struct song *s, double bar_frames)
{
    struct svf fl = { 0 }, fr = { 0 };
    double frac, lc = log2(section_at(s, 0, &frac)->cutoff);
    const double glide = 1.0 / (0.4 * RATE);
    for (int64_t i = 0; i < m->frames; i++) {
        if (i % 32 == 0) {
            double target = log2(section_at(s, (int)(i / bar_frames), &frac)->cutoff);
            lc += (target - lc) * glide * 32.0;
            svf_set(&fl, exp2(lc), 0.6);
            svf_set(&fr, exp2(lc), 0.6);
        }
        m->bus[2 * i] = svf_low(&fl, m->bus[2 * i], NULL);
        m->bus[2 * i + 1] = svf_low(&fr, m->bus[2 * i + 1], NULL);
    }
}

/* A ping-pong echo, darker on every repeat: the send bus into the mix. */
static bool echo(const struct mixbuf *m, double beat)
{
    int64_t dl = (int64_t)llround(0.75 * beat * RATE), dr = (int64_t)llround(0.5 * beat * RATE);
    double *bl = calloc((size_t)dl, sizeof *bl), *br = calloc((size_t)dr, sizeof *br);
    if (!bl || !br) {
        free(bl);
        free(br);
        return false;
    }
    double lpl = 0.0, lpr = 0.0;
    int64_t il = 0, ir = 0;
    for (int64_t i = 0; i < m->frames; i++) {
        double outl = bl[il], outr = br[ir];
        lpl += 0.35 * (outl - lpl);
        lpr += 0.35 * (outr - lpr);
        bl[il] = m->bus[2 * i] + 0.4 * lpr;
        br[ir] = m->bus[2 * i + 1] + 0.4 * lpl;
        il = il + 1 == dl ? 0 : il + 1;
        ir = ir + 1 == dr ? 0 : ir + 1;
        m->mix[2 * i] += 0.5 * outl;
        m->mix[2 * i + 1] += 0.5 * outr;
    }
    free(bl);
    free(br);
    return true;
}

/* One pass over the bars: the chords alone, or everything else. */
static void arrange(const struct mixbuf *m, const struct song *s, struct rng *r, bool chords)
{
    double beat = 60.0 / s->bpm, step_frames = beat / 4.0 * RATE;
    int nbars = (int)ceil(m->frames / (16.0 * step_frames));
    int tones[4];
    for (int b = 0; b < nbars; b++) {
        double bar0 = b * 16.0 * step_frames;
        int nt = chord_tones(s, b, tones);
        unsigned parts;
        double bar_amp = db_gain(level_at(s, b, 0, &parts));
        if (chords) {
            if (parts & PAD)
                for (int k = 0; k < nt; k++)
                    pad_note(m, s, r, (int64_t)llround(bar0),
                             (int64_t)llround(16.0 * step_frames),
                             wrap_into(tones[k], 55), 0.13 * bar_amp);
            continue;
        }
        int arp_count = 0;
        for (int st = 0; st < 16; st++) {
            int64_t at = (int64_t)llround(bar0 + st * step_frames);
            if (at >= m->frames)
                break;
            double amp = db_gain(level_at(s, b, st, &parts));
            double accent = st % 4 == 0 ? 1.0 : 0.7;
            double human = 1.0 + 0.08 * rng_noise(r);
            uint16_t bit = (uint16_t)(1u << st);
            if ((parts & BASS) && (s->bass & bit)) {
                int next = st + 1;
                while (next < 16 && !(s->bass & (1u << next)))
                    next++;
                int note = wrap_into(tones[0], 33) + ((s->bass_oct & bit) ? 12 : 0);
                bass_note(m, at, (int64_t)llround((next - st) * step_frames), note,
                          0.3 * amp * accent);
            }
            if ((parts & KICK) && (s->kick & bit))
                kick(m, r, at, s->kick_decay, 0.75 * amp * human);
            if ((parts & SNARE) && (s->snare & bit))
                snare(m, r, at, 0.4 * amp * human);
            if ((parts & HAT) && ((s->hat | s->openhat) & bit))
                hat(m, r, at, (s->openhat & bit) != 0, 0.16 * amp * accent * human);
            if ((parts & ARP) && (s->arp & bit)) {
                int k = arp_count++;
                int note = wrap_into(tones[k % nt], 67) + ((k / nt) % 2 ? 12 : 0);
                arp_note(m, at, note, k % 2 ? 0.45 : -0.45, 0.09 * amp * accent * human,
                         s->echo);
            }
        }
    }
}

/* Fades at both ends, then a soft saturation that rounds the drum peaks, then
 * the song's peak level. */
static void master(const struct mixbuf *m, const struct song *s)
{
    int64_t in = RATE / 100, out = (int64_t)(s->fade_out * RATE);
    double peak = 0.0;
    for (int64_t i = 0; i < m->frames; i++) {
        double g = 1.0;
        if (i < in)
            g = (double)i / in;
        int64_t left = m->frames - i;
        if (left <= out)
            g *= 0.5 - 0.5 * cos(M_PI * (double)(left - 1) / out);
        for (int c = 0; c < 2; c++) {
            m->mix[2 * i + c] *= g;
            peak = fmax(peak, fabs(m->mix[2 * i + c]));
        }
    }
    if (peak <= 0.0)
        return;
    double k = 1.0 / peak, norm = db_gain(s->peak_db) / tanh(s->drive);
    for (int64_t i = 0; i < 2 * m->frames; i++)
        m->mix[i] = tanh(s->drive * m->mix[i] * k) * norm;
}

static bool render(const struct song *s, struct mixbuf *m)
{
    m->frames = (int64_t)s->seconds * RATE;
    m->mix = calloc((size_t)m->frames * 2, sizeof *m->mix);
    m->bus = calloc((size_t)m->frames * 2, sizeof *m->bus);
    if (!m->mix || !m->bus)
        return false;
    struct rng r = { s->seed };
    double beat = 60.0 / s->bpm;
    /* The chords go to the bus first so that one filter sweeps them all;
     * what stays on the bus afterwards is the echo's send. */
    arrange(m, s, &r, true);
    filter_chords(m, s, 4.0 * beat * RATE);
    for (int64_t i = 0; i < 2 * m->frames; i++) {
        m->mix[i] += m->bus[i];
        m->bus[i] *= s->echo;
    }
    arrange(m, s, &r, false);
    return echo(m, beat);
}

/* Makes every missing folder of `path`, like mkdir -p. */
static bool make_dirs(const char *path)
{
    char buf[PATH_LEN];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) {
        fprintf(stderr, "make_demo: bad folder name '%s'\n", path);
        return false;
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && (errno != EEXIST || stat(buf, &st) != 0
                                      || !S_ISDIR(st.st_mode))) {
            fprintf(stderr, "make_demo: cannot create %s: %s\n", buf,
                    errno == EEXIST ? "not a folder" : strerror(errno));
            return false;
        }
        buf[i] = c;
    }
    return true;
}

/* A mix already there with the right shape is kept: regenerating gives the same bytes. */
static bool mix_is_current(const char *path, const struct song *s)
{
    struct soundfile_info info;
    char err[512];
    if (access(path, F_OK) != 0)
        return false;
    return soundfile_probe(path, &info, err, sizeof err) && info.rate == RATE
           && info.channels == 2 && info.bits == 24 && !info.is_float
           && info.frames == (int64_t)s->seconds * RATE;
}

static bool write_mix(const char *path, const struct song *s)
{
    struct mixbuf m = { 0 };
    char tmp[TMP_LEN], err[TMP_LEN + 512];
    bool ok = render(s, &m);
    if (!ok) {
        fprintf(stderr, "make_demo: out of memory for %s\n", path);
        goto done;
    }
    master(&m, s);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    struct soundfile *f = soundfile_create(tmp, SF_KIND_WAV, RATE, 2, 24, err, sizeof err);
    if (!f) {
        fprintf(stderr, "make_demo: %s\n", err);
        ok = false;
        goto done;
    }
    ok = soundfile_write(f, m.mix, m.frames);
    if (!ok)
        fprintf(stderr, "make_demo: %s\n", soundfile_error(f));
    if (!soundfile_close(f) && ok) {
        fprintf(stderr, "make_demo: %s: cannot finish the file\n", tmp);
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        fprintf(stderr, "make_demo: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    else
        printf("make_demo: wrote %s (%d s)\n", path, s->seconds);
done:
    free(m.mix);
    free(m.bus);
    return ok;
}

/* The session is written only where there is none, so the user's edits
 * survive; link() refuses to replace one that appeared meanwhile. */
static bool write_session(const char *path)
{
    char tmp[TMP_LEN];
    if (access(path, F_OK) == 0)
        return true;
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "make_demo: cannot create %s: %s\n", tmp, strerror(errno));
        return false;
    }
    bool ok = fputs(session_text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (ok && link(tmp, path) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_demo: cannot create %s: %s\n", path, strerror(errno));
        ok = false;
    }
    unlink(tmp);
    if (ok)
        printf("make_demo: wrote %s\n", path);
    return ok;
}

static bool demo_write(const char *dir)
{
    char path[PATH_LEN];
    if (strlen(dir) > PATH_LEN - 64) {
        fprintf(stderr, "make_demo: folder name too long\n");
        return false;
    }
    snprintf(path, sizeof path, "%s/mixes", dir);
    if (!make_dirs(path))
        return false;
    for (size_t i = 0; i < sizeof songs / sizeof songs[0]; i++) {
        snprintf(path, sizeof path, "%s/mixes/%s", dir, songs[i].file);
        if (!mix_is_current(path, &songs[i]) && !write_mix(path, &songs[i]))
            return false;
    }
    snprintf(path, sizeof path, "%s/demo.lathe", dir);
    return write_session(path);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_demo DIR\n");
        return 2;
    }
    return demo_write(argv[1]) ? 0 : 1;
}
