/* SPDX-License-Identifier: MIT */
/* Tests of audio/album_stream: tracks placed, trimmed, faded and crossfaded
 * to the sample, against an expectation computed here from the session's
 * numbers alone; and the same stream whatever the block size. */
#include <math.h>
#include <stdlib.h>

#include "audio/album_stream.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "tests/harness.h"

#define RATE 48000

/* Float WAVs whose samples say where they came from. */
static double value_a(int64_t k, int ch) { return (ch ? -1 : 1) * (double)(float)((k + 1) * 1e-6); }
static double value_b(int64_t k, int ch) { return (ch ? -1 : 1) * (double)(float)(0.25 + k * 1e-6); }

static void write_mix(const char *path, int64_t frames, double (*value)(int64_t, int), int rate)
{
    char err[512];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, rate, 2, 32, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    double buf[2 * 1000];
    for (int64_t k = 0; k < frames;) {
        int n = frames - k > 1000 ? 1000 : (int)(frames - k);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 2; c++)
                buf[2 * i + c] = value(k + i, c);
        soundfile_write(f, buf, n);
        k += n;
    }
    soundfile_close(f);
}

static struct session *load(const char *text, struct timeline *tl)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/s.lathe", harness_tmpdir());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    mix_probe_session(s);
    CHECK(timeline_build(s, tl));
    return s;
}

static double *read_all(struct session *s, struct timeline *tl, int block, int64_t *frames)
{
    char err[512];
    struct album_stream *a = album_stream_new(s, tl, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    if (!a)
        return NULL;
    int64_t len = album_stream_length(a);
    double *out = calloc((size_t)len * 2, sizeof *out);
    int64_t pos = 0;
    int n;
    while ((n = album_stream_read(a, out + pos * 2, block)) > 0)
        pos += n;
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(pos, len);
    album_stream_free(a);
    *frames = len;
    return out;
}

static const char *session_text =
    "[album]\nrate = 48000\n"
    "[track]\nfile = a.wav\ngap = 2s\ntrim-in = 0.1s\ntrim-out = 0.9s\ngain = -6dB\nfade-in = 0.05s linear\n"
    "[track]\nfile = b.wav\ngap = 0.25s\n"
    "[track]\nfile = a.wav\ncrossfade = 0.2s\n";

TEST(tracks_land_to_the_sample_with_trims_gains_fades_and_crossfades)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.wav", harness_tmpdir());
    snprintf(b, sizeof b, "%s/b.wav", harness_tmpdir());
    write_mix(a, RATE, value_a, RATE);
    write_mix(b, RATE / 2, value_b, RATE);
    struct timeline tl;
    struct session *s = load(session_text, &tl);
    int64_t len;
    double *out = read_all(s, &tl, 1000, &len);
    if (!out)
        return;
    /* expectation from the session's numbers, independent of the timeline code */
    const int64_t t1 = 96000, t1len = 38400, t2 = t1 + t1len + 12000, t2len = 24000;
    const int64_t xf = 9600, t3 = t2 + t2len - xf, t3len = 48000;
    CHECK_EQ_INT(len, (t3 + t3len + 639) / 640 * 640);
    double g = pow(10, -6 / 20.0);
    int bad = 0;
    for (int64_t p = 0; p < len && bad < 5; p++)
        for (int c = 0; c < 2; c++) {
            double want = 0;
            if (p >= t1 && p < t1 + t1len) {
                int64_t r = p - t1;
                double v = value_a(4800 + r, c) * g;
                if (r < 2400)
                    v *= (r + 0.5) / 2400;
                want += v;
            }
            if (p >= t2 && p < t2 + t2len) {
                int64_t r = p - t2;
                double v = value_b(r, c);
                if (r >= t2len - xf)
                    v *= sin(M_PI / 2 * (1 - (r - (t2len - xf) + 0.5) / xf));
                want += v;
            }
            if (p >= t3 && p < t3 + t3len) {
                int64_t r = p - t3;
                double v = value_a(r, c);
                if (r < xf)
                    v *= sin(M_PI / 2 * (r + 0.5) / xf);
                want += v;
            }
            if (fabs(out[p * 2 + c] - want) > 1e-12) {
                CHECK_MSG(0, "frame %lld ch %d: %.12g, expected %.12g", (long long)p, c,
                          out[p * 2 + c], want);
                bad++;
            }
        }
    CHECK(out[0] == 0 && out[2 * (t1 - 1)] == 0);           /* pregap: digital silence */
    CHECK(out[2 * (t1 + t1len)] == 0 && out[2 * (t2 - 1)] == 0); /* gap */
    free(out);
    timeline_free(&tl);
    session_free(s);
}

TEST(the_stream_is_the_same_for_any_block_size_with_chains)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.wav", harness_tmpdir());
    snprintf(b, sizeof b, "%s/b.wav", harness_tmpdir());
    write_mix(a, RATE, value_a, RATE);
    write_mix(b, RATE / 2, value_b, 44100);     /* converted on the way in */
    struct timeline tl;
    struct session *s = load(
        "[album]\nrate = 48000\n[master]\neq = lowshelf 90Hz +2dB\neq = highpass 20Hz slope 24dB\n"
        "[track]\nfile = a.wav\neq = bell 3kHz -1.5dB q 1.2\n"
        "[track]\nfile = b.wav\ncrossfade = 0.1s\n", &tl);
    int64_t l1, l7, l4096;
    double *o1 = read_all(s, &tl, 1, &l1);
    double *o7 = read_all(s, &tl, 7, &l7);
    double *o4096 = read_all(s, &tl, 4096, &l4096);
    CHECK(o1 && o7 && o4096);
    if (o1 && o7 && o4096) {
        CHECK_EQ_INT(l1, l4096);
        CHECK(memcmp(o1, o7, (size_t)l1 * 2 * sizeof(double)) == 0);
        CHECK(memcmp(o1, o4096, (size_t)l1 * 2 * sizeof(double)) == 0);
        /* the 44.1k mix became 24000 * 48000/44100 frames */
        CHECK_EQ_INT(tl.tracks[1].audio_length, 26122);
    }
    free(o1);
    free(o7);
    free(o4096);
    timeline_free(&tl);
    session_free(s);
}

TEST(a_missing_mix_is_a_clear_error)
{
    struct timeline tl;
    struct session *s = load("[track]\nfile = nothere.wav\n", &tl);
    char err[512];
    struct album_stream *a = album_stream_new(s, &tl, err, sizeof err);
    CHECK(a == NULL);
    CHECK(strstr(err, "nothere.wav: No such file or directory") != NULL);
    timeline_free(&tl);
    session_free(s);
}
