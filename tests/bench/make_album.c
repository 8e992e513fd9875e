/* SPDX-License-Identifier: MIT */
/* make_album DIR TRACKS SECONDS RATE: writes the benchmark album, TRACKS
 * stereo 24-bit WAV mixes of music-like sound (chords, bass, drums, quiet
 * and loud sections) named DIR/NN.wav. Table oscillators keep it quick:
 * forty minutes at 96 kHz take seconds, not minutes. */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TABLE 4096
#define BLOCK 8192
#define TAU (2.0 * M_PI)

static float sine[TABLE + 1];

static double osc(double phase)         /* phase in cycles, [0, 1) */
{
    double x = phase * TABLE;
    int i = (int)x;
    double f = x - i;
    return sine[i] + (sine[i + 1] - sine[i]) * f;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double noise(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / (double)(1ull << 52) - 1.0;
}

static double note_hz(int midi)
{
    return 440.0 * pow(2.0, (midi - 69) / 12.0);
}

struct voice {
    double phase[4], inc[4];
};

static void voice_set(struct voice *v, double hz, int rate)
{
    for (int h = 0; h < 4; h++)
        v->inc[h] = hz * (h + 1) / rate;
}

static double voice_step(struct voice *v)
{
    static const double amp[4] = { 1.0, 0.45, 0.25, 0.12 };
    double s = 0;
    for (int h = 0; h < 4; h++) {
        s += amp[h] * osc(v->phase[h]);
        v->phase[h] += v->inc[h];
        if (v->phase[h] >= 1.0)
            v->phase[h] -= 1.0;
    }
    return s;
}

static int write_track(const char *path, int track, int seconds, int rate)
{
    SF_INFO info = { .samplerate = rate, .channels = 2,
                     .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    static const int prog[4][3] = { { 0, 4, 7 }, { 9, 12, 16 }, { 5, 9, 12 }, { 7, 11, 14 } };
    double bpm = 84 + 7 * track;
    int root = 48 + (track * 5) % 12;
    int64_t beat = (int64_t)(rate * 60.0 / bpm);
    int64_t bar = 4 * beat, total = (int64_t)seconds * rate;
    struct voice pad[3], bass;
    double lp[2] = { 0, 0 }, hp = 0, echo_l = 0;
    rng ^= (uint64_t)track * 0x2545F4914F6CDD1Dull;
    float buf[BLOCK * 2];
    int fill = 0;
    for (int64_t t = 0; t < total; t++) {
        int64_t b = t / bar, in_bar = t % bar, in_beat = t % beat;
        int beat_no = (int)(in_bar / beat);
        if (in_bar == 0) {
            const int *c = prog[b % 4];
            for (int i = 0; i < 3; i++)
                voice_set(&pad[i], note_hz(root + 12 + c[i]), rate);
            voice_set(&bass, note_hz(root - 12 + c[0]), rate);
        }
        /* sections of 8 bars: quiet verse, loud chorus, a breakdown */
        int section = (int)(b / 8) % 4;
        static const double sec_db[4] = { -14, -4, -9, 0 };
        double level = pow(10.0, sec_db[section] / 20.0);
        double fade = t < rate * 2 ? (double)t / (rate * 2)
                    : t > total - rate * 4 ? (double)(total - t) / (rate * 4) : 1.0;
        double tb = (double)in_beat / rate;
        double pad_s = 0;
        for (int i = 0; i < 3; i++)
            pad_s += voice_step(&pad[i]);
        double swell = 0.6 + 0.4 * osc(fmod((double)t / (bar * 2), 1.0));
        pad_s *= 0.12 * swell;
        double bass_s = 0.35 * voice_step(&bass) * exp(-3.0 * tb);
        double kick = (beat_no % 2 == 0 || section == 3) && section != 0
            ? 0.8 * osc(fmod(50.0 * tb + 100.0 / 30.0 * (1 - exp(-30.0 * tb)), 1.0)) *
              exp(-9.0 * tb) : 0;
        double snare = beat_no % 2 == 1 && section != 0 ? 0.35 * noise() * exp(-18.0 * tb) : 0;
        int64_t eighth = beat / 2;
        double th = (double)(t % eighth) / rate;
        double hat_n = noise();
        hp = 0.6 * hp + 0.4 * hat_n;
        double hat = 0.12 * (hat_n - hp) * exp(-60.0 * th);
        double l = pad_s * 1.1 + bass_s + kick + snare * 0.9 + hat * 0.6;
        double r = pad_s * 0.9 + bass_s + kick + snare * 1.1 + hat * 1.4;
        echo_l = 0.995 * echo_l + 0.005 * l;
        l = l * level * fade;
        r = (r + 0.2 * echo_l) * level * fade;
        for (int c = 0; c < 2; c++) {
            double x = c ? r : l;
            lp[c] += 0.5 * (x - lp[c]);
            x = 0.7 * lp[c] + 0.3 * x;
            x = x / (1.0 + fabs(x) * 0.35);         /* bus saturation */
            buf[fill * 2 + c] = (float)(0.75 * x);
        }
        if (++fill == BLOCK) {
            if (sf_writef_float(f, buf, fill) != fill)
                goto fail;
            fill = 0;
        }
    }
    if (fill && sf_writef_float(f, buf, fill) != fill)
        goto fail;
    return sf_close(f) == 0 ? 0 : 1;
fail:
    fprintf(stderr, "%s: %s\n", path, sf_strerror(f));
    sf_close(f);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: make_album DIR TRACKS SECONDS RATE\n");
        return 2;
    }
    int tracks = atoi(argv[2]), seconds = atoi(argv[3]), rate = atoi(argv[4]);
    if (tracks < 1 || seconds < 8 || rate < 8000) {
        fprintf(stderr, "make_album: bad TRACKS, SECONDS or RATE\n");
        return 2;
    }
    for (int i = 0; i <= TABLE; i++)
        sine[i] = (float)sin(TAU * i / TABLE);
    for (int i = 0; i < tracks; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%02d.wav", argv[1], i + 1);
        if (write_track(path, i, seconds, rate) != 0)
            return 1;
    }
    return 0;
}
