/* SPDX-License-Identifier: MIT */
/* Tests of dsp/album_meter: each track and the album read as meters fed
 * with their frames alone would, in blocks of any size, with a pregap, gaps,
 * an empty track and a track the frames never reach. */
#include "dsp/album_meter.h"
#include "tests/harness.h"
#include "tests/signals.h"

#define RATE 48000
#define NTRACKS 4

/* The album: 0.5 s pregap, then tracks of 3 s, 2 s, 0 s (empty) and 2.5 s
 * of different levels with 0.7 s of silence between them; 1 s after the
 * last track's end is still fed (frames past the last bound). */
static double *make_album(int64_t bounds[NTRACKS + 1], size_t *frames)
{
    const double secs[NTRACKS] = { 3.0, 2.0, 0.0, 2.5 };
    const double level[NTRACKS] = { 0.5, 0.1, 0.0, 0.9 };
    size_t n = (size_t)(0.5 * RATE);
    size_t total = n;
    for (int t = 0; t < NTRACKS; t++)
        total += (size_t)((secs[t] + 0.7) * RATE);
    total += RATE;
    double *buf = calloc(total * 2, sizeof *buf);
    if (!buf)
        return NULL;
    uint64_t seed = 7;
    for (int t = 0; t < NTRACKS; t++) {
        bounds[t] = (int64_t)n;
        size_t len = (size_t)(secs[t] * RATE);
        for (size_t i = 0; i < len; i++) {
            double env = 0.5 + 0.5 * sin(2 * M_PI * 1.3 * (double)i / RATE);
            buf[2 * (n + i)] = level[t] * env * sin(2 * M_PI * 440.0 * (double)i / RATE);
            buf[2 * (n + i) + 1] = level[t] * 0.3 * signal_noise(&seed);
        }
        n += len + (size_t)(0.7 * RATE);
    }
    bounds[NTRACKS] = (int64_t)n;
    *frames = total;
    return buf;
}

struct test_album {
    double *buf;
    size_t frames;
    int64_t bounds[NTRACKS + 1];
};

/* The album the tests read, made on first use; NULL when memory ran out. */
static const struct test_album *album_fixture(void)
{
    static struct test_album a;
    if (!a.buf)
        a.buf = make_album(a.bounds, &a.frames);
    CHECK(a.buf);
    return a.buf ? &a : NULL;
}

static bool run(enum album_meter_mode mode, const double *buf, size_t frames,
                const int64_t *bounds, int block, struct loudness_result *tracks,
                struct loudness_result *album)
{
    struct album_meter *m = album_meter_new(RATE, 2, bounds, NTRACKS, mode);
    bool ok = m != NULL;
    for (size_t done = 0; ok && done < frames; done += (size_t)block) {
        int n = frames - done < (size_t)block ? (int)(frames - done) : block;
        ok = album_meter_add(m, buf + 2 * done, n);
    }
    ok = ok && album_meter_finish(m, tracks, album);
    album_meter_free(m);
    return ok;
}

static struct loudness_result alone(const double *buf, int64_t from, int64_t to)
{
    struct loudness_result r = { 0 };
    struct loudness *m = loudness_new(RATE, 2);
    CHECK(m && loudness_add(m, buf + 2 * from, (size_t)(to - from)) && loudness_finish(m, &r));
    loudness_free(m);
    return r;
}

TEST(tracks_and_album_read_as_if_metered_alone)
{
    const struct test_album *src = album_fixture();
    if (!src)
        return;
    struct loudness_result tr[NTRACKS], album;
    CHECK(run(ALBUM_METER_REPORT, src->buf, src->frames, src->bounds, 4096, tr, &album));
    struct loudness_result whole = alone(src->buf, 0, (int64_t)src->frames);
    CHECK(album.integrated == whole.integrated && album.range == whole.range);
    CHECK(album.true_peak_max == whole.true_peak_max);
    CHECK(isnan(album.momentary_max));
    for (int t = 0; t < NTRACKS; t++) {
        if (t == 2)
            continue;
        struct loudness_result a = alone(src->buf, src->bounds[t], src->bounds[t + 1]);
        CHECK_MSG(tr[t].integrated == a.integrated, "track %d: %.4f against %.4f", t + 1,
                  tr[t].integrated, a.integrated);
        CHECK(tr[t].range == a.range);
        CHECK_NEAR(tr[t].true_peak_max, a.true_peak_max, 0.001);
        CHECK(tr[t].sample_peak_max == a.sample_peak_max);
        CHECK(isnan(tr[t].shortterm_max));
    }
    CHECK(tr[3].true_peak_max > tr[0].true_peak_max + 4.0);
    /* the empty track is silence */
    CHECK(isinf(tr[2].integrated) && isinf(tr[2].true_peak_max) && isnan(tr[2].plr));
}

TEST(readings_do_not_depend_on_the_blocks)
{
    const struct test_album *src = album_fixture();
    if (!src)
        return;
    struct loudness_result first[NTRACKS], album1;
    CHECK(run(ALBUM_METER_REPORT, src->buf, src->frames, src->bounds, 65536, first, &album1));
    static const int blocks[] = { 1, 441, 4096 };
    for (int b = 0; b < 3; b++) {
        struct loudness_result tr[NTRACKS], album;
        CHECK(run(ALBUM_METER_REPORT, src->buf, src->frames, src->bounds, blocks[b], tr, &album));
        CHECK(album.integrated == album1.integrated && album.true_peak_max == album1.true_peak_max);
        for (int t = 0; t < NTRACKS; t++)
            CHECK_MSG(tr[t].integrated == first[t].integrated &&
                          tr[t].true_peak_max == first[t].true_peak_max,
                      "block %d, track %d", blocks[b], t + 1);
    }
}

TEST(lean_reads_the_same_integrated_loudness_only)
{
    const struct test_album *src = album_fixture();
    if (!src)
        return;
    struct loudness_result full[NTRACKS], lean[NTRACKS], fa, la;
    CHECK(run(ALBUM_METER_REPORT, src->buf, src->frames, src->bounds, 1024, full, &fa));
    CHECK(run(ALBUM_METER_LEAN, src->buf, src->frames, src->bounds, 1024, lean, &la));
    /* libebur128 keeps 400 ms of audio for I alone and 3 s with LRA: the
     * sums wrap at other places and round differently */
    CHECK_NEAR(la.integrated, fa.integrated, 1e-9);
    CHECK(isnan(la.range) && isinf(la.true_peak_max));
    for (int t = 0; t < NTRACKS; t++)
        CHECK((isinf(lean[t].integrated) && isinf(full[t].integrated)) ||
              fabs(lean[t].integrated - full[t].integrated) < 1e-9);
    CHECK(isnan(lean[0].range));
}

TEST(lean_album_or_tracks_meters_only_those)
{
    const struct test_album *src = album_fixture();
    if (!src)
        return;
    struct loudness_result lean[NTRACKS], la, tr[NTRACKS], ta, al[NTRACKS], aa;
    CHECK(run(ALBUM_METER_LEAN, src->buf, src->frames, src->bounds, 1024, lean, &la));
    CHECK(run(ALBUM_METER_LEAN_TRACKS, src->buf, src->frames, src->bounds, 1000, tr, &ta));
    CHECK(run(ALBUM_METER_LEAN_ALBUM, src->buf, src->frames, src->bounds, 777, al, &aa));
    CHECK(isnan(ta.integrated) && isinf(ta.true_peak_max));
    CHECK_NEAR(aa.integrated, la.integrated, 1e-12);
    for (int t = 0; t < NTRACKS; t++) {
        CHECK(isnan(al[t].integrated));
        CHECK_MSG(isinf(lean[t].integrated) ? isinf(tr[t].integrated)
                                            : fabs(tr[t].integrated - lean[t].integrated) < 1e-12,
                  "track %d: %.6f alone, %.6f with the album", t + 1, tr[t].integrated,
                  lean[t].integrated);
    }
    /* src->frames that stop inside track 2: 3 and 4 are silence, or NaN unmetered */
    CHECK(run(ALBUM_METER_LEAN_TRACKS, src->buf, (size_t)src->bounds[1] + RATE, src->bounds, 4096, tr, &ta));
    CHECK(isfinite(tr[1].integrated) && isinf(tr[3].integrated));
    CHECK(run(ALBUM_METER_LEAN_ALBUM, src->buf, (size_t)src->bounds[1] + RATE, src->bounds, 4096, al, &aa));
    CHECK(isnan(al[3].integrated) && isfinite(aa.integrated));
}

/* Frames that stop before the last tracks: those read as silence. */
TEST(tracks_never_reached_are_silent)
{
    const struct test_album *src = album_fixture();
    if (!src)
        return;
    struct loudness_result tr[NTRACKS], album;
    CHECK(run(ALBUM_METER_REPORT, src->buf, (size_t)src->bounds[1] + RATE, src->bounds, 4096, tr, &album));
    CHECK(isfinite(tr[0].integrated) && isfinite(tr[1].integrated));
    CHECK(isinf(tr[2].integrated));
    CHECK(isinf(tr[3].integrated) && isinf(tr[3].true_peak_max));
}

TEST(bad_arguments_are_refused)
{
    int64_t backwards[3] = { 100, 50, 200 };
    CHECK(album_meter_new(RATE, 2, backwards, 2, ALBUM_METER_REPORT) == NULL);
    int64_t ok[1] = { 0 };
    CHECK(album_meter_new(RATE, 0, ok, 0, ALBUM_METER_REPORT) == NULL);
    CHECK(album_meter_new(1, 2, ok, 0, ALBUM_METER_REPORT) == NULL);
    struct album_meter *m = album_meter_new(RATE, 2, ok, 0, ALBUM_METER_LEAN);
    CHECK(m != NULL);
    struct loudness_result album;
    CHECK(m && album_meter_finish(m, NULL, &album) && isinf(album.integrated));
    album_meter_free(m);
    album_meter_free(NULL);
}
