/* SPDX-License-Identifier: MIT */
/* Tests of audio/album_stream: tracks placed, trimmed, faded and crossfaded
 * to the sample, against an expectation computed here from the session's
 * numbers alone; and the same stream whatever the block size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Reads the album to its end or first error; the last read's result. */
static int read_to_end(struct album_stream *a)
{
    double buf[2 * 4096];
    int n;
    while ((n = album_stream_read(a, buf, 4096)) > 0)
        ;
    return n;
}

/* A mix that gives fewer frames than the session measured must not turn
 * into silence in a master. */
TEST(a_mix_shorter_than_its_header_promised_is_an_error_not_silence)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/a.wav", harness_tmpdir());
    write_mix(path, RATE, value_a, RATE);
    struct timeline tl;
    struct session *s = load("[album]\nrate = 48000\n[track]\nfile = a.wav\n", &tl);
    timeline_free(&tl);
    s->tracks[0].mix.frames = 2 * RATE;         /* as a lying header would say */
    CHECK(timeline_build(s, &tl));
    struct album_stream *a = album_stream_new(s, &tl, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    CHECK_EQ_INT(read_to_end(a), -1);
    CHECK_MSG(strstr(album_stream_error(a), "a.wav: the audio ends at frame 48000, before the "
                     "96000 its header promised") != NULL, "%s", album_stream_error(a));
    album_stream_free(a);
    timeline_free(&tl);
    session_free(s);
}

TEST(a_mix_cut_while_it_is_read_is_an_error_naming_it)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/a.wav", harness_tmpdir());
    write_mix(path, RATE, value_a, RATE);
    struct timeline tl;
    struct session *s = load("[album]\nrate = 48000\n[track]\nfile = a.wav\ngap = 0s\n", &tl);
    struct album_stream *a = album_stream_new(s, &tl, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    double buf[2 * 4096];
    CHECK_EQ_INT(album_stream_read(a, buf, 4096), 4096);
    CHECK(truncate(path, 100000) == 0);
    CHECK_EQ_INT(read_to_end(a), -1);
    CHECK_MSG(strstr(album_stream_error(a), "a.wav changed while it was read (size") != NULL,
              "%s", album_stream_error(a));
    album_stream_free(a);
    char why[256];
    CHECK(!mix_session_unchanged(s, "while rendering", why, sizeof why));
    CHECK_MSG(strstr(why, "a.wav changed while rendering (size 384.1 kB -> 100.0 kB)") != NULL,
              "%s", why);
    timeline_free(&tl);
    session_free(s);
}

/* A source of made-up frames (each says its track and position), counting
 * what it is asked for. */
struct made {
    int64_t asked[8];       /* frames read per track */
    int64_t first[8];       /* the position of each track's first read; -1: none */
    int closed[8];
};

static double made_value(int track, int64_t pos, int c)
{
    return (c ? -1 : 1) * (double)(float)((track + 1) * 0.1 + pos * 1e-6);
}

static int made_read(void *ctx, int track, int64_t pos, double *buf, int frames, char *err,
                     size_t errlen)
{
    struct made *m = ctx;
    if (m->first[track] < 0)
        m->first[track] = pos;
    m->asked[track] += frames;
    for (int i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++)
            buf[2 * i + c] = made_value(track, pos + i, c);
    return frames;
}

static void made_close(void *ctx, int track)
{
    struct made *m = ctx;
    m->closed[track]++;
}

static const char *made_session =
    "[album]\nrate = 48000\n"
    "[track]\nfile = a.wav\n[track]\nfile = a.wav\ngap = 0.5s\n[track]\nfile = a.wav\ngap = 0.5s\n";

/* Reads the album from `from` through the made-up source, in blocks of 999. */
static double *read_made(struct session *s, struct timeline *tl, int64_t from, struct made *m)
{
    char err[512];
    for (int i = 0; i < 8; i++)
        m->first[i] = -1;
    struct album_source src = { .ctx = m, .read = made_read, .close = made_close };
    struct album_stream *a = album_stream_new_source(s, tl, &src, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    if (!a)
        return NULL;
    album_stream_start_at(a, from);
    CHECK_EQ_INT(album_stream_position(a), from);
    int64_t len = album_stream_length(a);
    double *out = calloc((size_t)len * 2, sizeof *out);
    int64_t pos = from;
    int n;
    while ((n = album_stream_read(a, out + pos * 2, 999)) > 0)
        pos += n;
    CHECK_EQ_INT(pos, len);
    album_stream_free(a);
    return out;
}

TEST(a_source_of_its_own_feeds_the_tracks_and_a_late_start_skips_what_ended)
{
    char path[512];
    snprintf(path, sizeof path, "%s/a.wav", harness_tmpdir());
    write_mix(path, RATE, value_a, RATE);   /* 1 s: the mixes' lengths */
    struct timeline tl;
    struct session *s = load(made_session, &tl);
    struct made whole = { 0 }, late = { 0 };
    double *all = read_made(s, &tl, 0, &whole);
    /* every track read in full from its first frame, in order, let go once */
    for (int t = 0; t < 3; t++) {
        CHECK_EQ_INT(whole.first[t], 0);
        CHECK_EQ_INT(whole.asked[t], tl.tracks[t].audio_length);
        CHECK_EQ_INT(whole.closed[t], t < 2 ? 1 : 0);   /* the last one at the album end */
    }
    int64_t t2 = tl.tracks[1].audio_start;
    int64_t from = t2 + 1000;       /* 1000 frames into track 2 */
    double *part = read_made(s, &tl, from, &late);
    CHECK_EQ_INT(late.asked[0], 0);                 /* track 1 had ended: never read */
    CHECK_EQ_INT(late.first[1], 1000);              /* track 2 from where it is */
    CHECK_EQ_INT(late.asked[1], tl.tracks[1].audio_length - 1000);
    CHECK_EQ_INT(late.first[2], 0);
    /* no chains: the late start is exactly the tail of the whole album */
    int64_t len = tl.end;
    CHECK(all && part && memcmp(all + from * 2, part + from * 2,
                                (size_t)(len - from) * 2 * sizeof(double)) == 0);
    CHECK(all && all[2 * (t2 + 1000)] == made_value(1, 1000, 0));
    free(all);
    free(part);
    timeline_free(&tl);
    session_free(s);
}

TEST(new_chains_carry_the_state_over_so_the_same_settings_change_nothing)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/a.wav", harness_tmpdir());
    write_mix(path, RATE, value_a, RATE);
    struct timeline tl;
    struct session *s = load(
        "[album]\nrate = 48000\n[master]\neq = lowshelf 90Hz +2dB\ncomp = threshold -40dB ratio 2\n"
        "[track]\nfile = a.wav\neq = bell 3kHz -1.5dB q 1.2\n", &tl);
    int64_t len;
    double *plain = read_all(s, &tl, 512, &len);
    struct album_stream *a = album_stream_new(s, &tl, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    if (!a || !plain)
        return;
    double *out = calloc((size_t)len * 2, sizeof *out);
    int64_t pos = 0, swap_at = tl.tracks[0].audio_start + 10000;
    int n, swaps = 0;
    while ((n = album_stream_read(a, out + pos * 2, 512)) > 0) {
        pos += n;
        if (pos >= swap_at && swaps == 0 && album_stream_can_set_chains(a)) {
            struct album_chains *c = album_chains_new(s, &tl, err, sizeof err);
            CHECK(album_stream_chains_fit(a, c));
            album_stream_set_chains(a, c, 480);
            swaps++;
        }
    }
    CHECK_EQ_INT(pos, len);
    CHECK_EQ_INT(swaps, 1);
    struct album_chains *old = album_stream_retired(a);
    CHECK(old != NULL);                     /* the first set, handed back */
    CHECK(album_stream_can_set_chains(a));
    album_chains_free(old);
    double worst = 0;
    for (int64_t i = 0; i < len * 2; i++)
        worst = fmax(worst, fabs(out[i] - plain[i]));
    printf("  the same chains swapped in mid-track: largest difference %.3g\n", worst);
    CHECK(worst < 1e-9);
    /* a chain of another latency does not fit */
    struct timeline tl2;
    struct session *s2 = load(
        "[album]\nrate = 48000\n[master]\nlimit = ceiling -1dBTP\n[track]\nfile = a.wav\n", &tl2);
    struct album_chains *c2 = album_chains_new(s2, &tl2, err, sizeof err);
    CHECK(c2 && !album_stream_chains_fit(a, c2));
    album_chains_free(c2);
    timeline_free(&tl2);
    session_free(s2);
    album_stream_free(a);
    free(out);
    free(plain);
    timeline_free(&tl);
    session_free(s);
}
