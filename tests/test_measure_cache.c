/* SPDX-License-Identifier: MIT */
/* The measurement cache's file (audio/measure_cache.h): round trips to the
 * bit, skips what does not read, ignores a FIFO, stays bounded, and merges
 * with what another writer left. */
#include "tests/harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/measure_cache.h"

static struct loudness_result sample_result(void)
{
    struct loudness_result r;
    memset(&r, 0, sizeof r);                /* padding too: compared with memcmp */
    r.channels = 2;
    r.integrated = -14.25;
    r.range = NAN;
    r.momentary_max = -9;
    r.shortterm_max = -11;
    r.sample_peak_max = r.sample_peak[0] = -1.5;
    r.true_peak_max = r.true_peak[0] = -0.75;
    r.sample_peak[1] = r.true_peak[1] = -HUGE_VAL;
    r.plr = 1.0 / 3;                        /* needs all 17 digits */
    return r;
}

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", harness_tmpdir(), name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(MEASURE_CACHE_MAX_BYTES * 2) : NULL;
    *len = buf ? fread(buf, 1, MEASURE_CACHE_MAX_BYTES * 2 - 1, f) : 0;
    if (buf)
        buf[*len] = 0;
    if (f)
        fclose(f);
    return buf;
}

static void spit(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
}

TEST(results_round_trip_to_the_bit)
{
    struct loudness_result r = sample_result(), back;
    char buf[MEASURE_RESULT_MAX];
    measure_result_format(buf, sizeof buf, &r);
    const char *end = measure_result_parse(buf, &back);
    CHECK(end && *end == 0);
    CHECK(isnan(back.range));
    back.range = r.range = 0;               /* NaN never compares equal */
    CHECK(memcmp(&back, &r, sizeof r) == 0);
    CHECK(measure_result_parse("2 -14 x", &back) == NULL);
}

TEST(save_and_load_keep_the_newest_of_each_key)
{
    char path[4200];
    path_of(path, sizeof path, "a.cache");
    unlink(path);
    struct measure_cache c = { 0 };
    CHECK(measure_cache_put(&c, "mix", "10 20.5 00ff", "one"));
    CHECK(measure_cache_put(&c, "mix", "10 20.5 00ff", "two"));
    CHECK(measure_cache_put(&c, "album", "k\twith tab", "v1\tv2"));
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_STR(measure_cache_get(&c, "mix", "10 20.5 00ff"), "two");
    CHECK_EQ_STR(measure_cache_get(&c, "album", "k with tab"), "v1\tv2");
    CHECK(measure_cache_get(&c, "proc", "10 20.5 00ff") == NULL);
    char err[4300];
    CHECK(measure_cache_save(&c, path, err, sizeof err));
    measure_cache_free(&c);
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_STR(measure_cache_get(&c, "mix", "10 20.5 00ff"), "two");
    CHECK_EQ_STR(measure_cache_get(&c, "album", "k with tab"), "v1\tv2");
    /* another writer's file meanwhile: its entries stay beside ours */
    struct measure_cache other = { 0 };
    measure_cache_put(&other, "intake", "x", "theirs");
    measure_cache_put(&other, "mix", "10 20.5 00ff", "three");
    CHECK(measure_cache_save(&other, path, err, sizeof err));
    measure_cache_free(&other);
    CHECK(measure_cache_save(&c, path, err, sizeof err));
    measure_cache_free(&c);
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_STR(measure_cache_get(&c, "intake", "x"), "theirs");
    CHECK_EQ_STR(measure_cache_get(&c, "mix", "10 20.5 00ff"), "two");    /* the last writer's */
    measure_cache_free(&c);
}

TEST(a_line_that_does_not_read_is_skipped)
{
    char path[4200];
    path_of(path, sizeof path, "b.cache");
    unlink(path);
    struct measure_cache c = { 0 };
    measure_cache_put(&c, "mix", "k1", "first");
    measure_cache_put(&c, "mix", "k2", "second -12.345678");
    char err[4300];
    CHECK(measure_cache_save(&c, path, err, sizeof err));
    measure_cache_free(&c);
    size_t len;
    char *text = slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    /* an edited figure: its checksum no longer matches */
    char *v = strstr(text, "first");
    CHECK(v != NULL);
    char *edited = strdup(text);
    if (v)
        edited[v - text] = 'F';
    spit(path, edited, len);
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 1);
    CHECK(measure_cache_get(&c, "mix", "k1") == NULL);
    measure_cache_free(&c);
    /* cut inside the last line: the figure would read shorter, so the
     * line goes */
    char *cut = strstr(text, "-12.3456");
    spit(path, text, cut ? (size_t)(cut - text) + 5 : len);
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 1);
    CHECK_EQ_STR(measure_cache_get(&c, "mix", "k1"), "first");
    measure_cache_free(&c);
    /* the line whole but without its checksum */
    spit(path, text, len);
    FILE *f = fopen(path, "a");
    if (f) {
        fputs("mix\tk3\tno checksum\n\x01\x02garbage\tline\n", f);
        fclose(f);
    }
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 2);
    measure_cache_free(&c);
    /* another version or build: nothing is taken */
    char *nl = strchr(text, '\n');
    char *magic = nl ? strchr(nl + 1, '\n') : NULL;
    if (magic) {
        char *other = malloc(len + 16);
        int n = snprintf(other, len + 16, "# x\nlathe-measure-cache 1%s", magic);
        spit(path, other, (size_t)n);
        free(other);
    }
    measure_cache_load(&c, path);
    CHECK_EQ_INT(c.n, 0);
    measure_cache_free(&c);
    free(text);
    free(edited);
}

TEST(a_fifo_is_not_read_and_nothing_waits)
{
    char path[4200];
    path_of(path, sizeof path, "fifo.cache");
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    struct measure_cache c = { 0 };
    measure_cache_load(&c, path);           /* would block forever if opened as a file */
    CHECK_EQ_INT(c.n, 0);
    measure_cache_free(&c);
    unlink(path);
}

TEST(the_file_stays_bounded_the_oldest_going_first)
{
    char path[4200];
    path_of(path, sizeof path, "big.cache");
    unlink(path);
    struct measure_cache c = { 0 };
    char key[32], value[1100];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = 0;
    int n = MEASURE_CACHE_MAX_BYTES / 1000 + 200;
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%d", i);
        measure_cache_put(&c, "mix", key, value);
    }
    char err[4300];
    CHECK(measure_cache_save(&c, path, err, sizeof err));
    measure_cache_free(&c);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size <= MEASURE_CACHE_MAX_BYTES);
    measure_cache_load(&c, path);
    CHECK(c.n > 1000 && c.n < n);
    snprintf(key, sizeof key, "k%d", n - 1);
    CHECK(measure_cache_get(&c, "mix", key) != NULL);   /* the newest kept */
    CHECK(measure_cache_get(&c, "mix", "k0") == NULL);  /* the oldest gone */
    measure_cache_free(&c);
}

TEST(a_read_only_folder_only_means_no_cache)
{
    char dir[4200], path[4300];
    path_of(dir, sizeof dir, "ro");
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/.s.lathe.cache", dir);
    chmod(dir, 0500);
    struct measure_cache c = { 0 };
    measure_cache_put(&c, "mix", "k", "v");
    char err[4300] = "";
    bool wrote = measure_cache_save(&c, path, err, sizeof err);
    /* root writes anywhere; anyone else gets a message and no file */
    CHECK(geteuid() == 0 || (!wrote && err[0]));
    measure_cache_free(&c);
    chmod(dir, 0700);
}

TEST(the_cache_of_a_session_sits_beside_it)
{
    char out[64];
    measure_cache_path("/a/b/night.lathe", out, sizeof out);
    CHECK_EQ_STR(out, "/a/b/.night.lathe.cache");
    measure_cache_path("night.lathe", out, sizeof out);
    CHECK_EQ_STR(out, ".night.lathe.cache");
}
