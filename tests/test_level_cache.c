/* SPDX-License-Identifier: MIT */
/* Leveling's cache: a pass over the cached album (before the master, or the
 * tracks' converted mixes) measures the same bits as a pass over the mix
 * files; the cache's file leaves nothing behind; no room is a clear error. */
#include <dirent.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio/framecache.h"
#include "audio/level.h"
#include "audio/level_cache.h"
#include "audio/measure.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tests/harness.h"

/* A mix with loud and quiet passages, so the dynamics have work to do. */
static void write_mix(const char *path, int rate, double seconds, double freq)
{
    char err[1024];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, rate, 2, 24, err, sizeof err);
    CHECK_MSG(f != NULL, "%s", err);
    if (!f)
        return;
    long frames = lround(seconds * rate);
    double buf[2 * 1024];
    for (long done = 0; done < frames;) {
        int n = frames - done > 1024 ? 1024 : (int)(frames - done);
        for (int i = 0; i < n; i++) {
            double t = (double)(done + i) / rate;
            double env = fmod(t, 1.0) < 0.5 ? 0.7 : 0.1;
            buf[2 * i] = env * sin(2 * M_PI * freq * t);
            buf[2 * i + 1] = env * 0.8 * sin(2 * M_PI * freq * 1.5 * t);
        }
        CHECK(soundfile_write(f, buf, n));
        done += n;
    }
    CHECK(soundfile_close(f));
}

/* Two tracks, one at another rate (converted on the way in), a crossfade,
 * chains on a track and on the master, and a ceiling. */
static struct session *make_session(const char *dir)
{
    char a[512], b[512], path[512];
    snprintf(a, sizeof a, "%s/a.wav", dir);
    snprintf(b, sizeof b, "%s/b.wav", dir);
    snprintf(path, sizeof path, "%s/s.lathe", dir);
    write_mix(a, 48000, 3.0, 440);
    write_mix(b, 44100, 2.5, 220);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    fprintf(f, "[album]\nrate = 48000\ntarget = -14 LUFS\nleveling = album\n\n"
               "[master]\ngain = +4dB\neq = lowshelf 90Hz +0.8dB q 0.7\n"
               "comp = threshold -16dB ratio 2 attack 10ms release 100ms knee 6dB\n"
               "limit = ceiling -1dBTP release 60ms\n\n"
               "[track]\nfile = a.wav\ngap = 1s\nfade-out = 0.5s\n"
               "comp = threshold -14dB ratio 1.5 attack 5ms release 50ms\n\n"
               "[track]\nfile = b.wav\ngain = -2dB\ncrossfade = 0.4s\n\n"
               "[output cd]\nformat = wav\nrate = 44100\nbits = 16\nceiling = -1.5dBTP\n");
    fclose(f);
    char err[1024];
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

static bool same_bits(const struct loudness_result *x, const struct loudness_result *y)
{
    return memcmp(&x->integrated, &y->integrated,
                  sizeof *x - offsetof(struct loudness_result, integrated)) == 0;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.' || strncmp(e->d_name, ".lathe", 6) == 0;
    if (d)
        closedir(d);
    return n;
}

/* A pass through `kind`'s cache against a pass over the files. */
static void compare(enum level_cache_kind kind, bool on_disk)
{
    char dir[512], tmp[600];
    snprintf(dir, sizeof dir, "%s/cmp%d%d", harness_tmpdir(), (int)kind, (int)on_disk);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    mkdir(dir, 0777);
    mkdir(tmp, 0777);
    setenv("TMPDIR", tmp, 1);
    setenv("LATHE_LEVEL_MEMORY", on_disk ? "0" : "1G", 1);
    struct session *s = make_session(dir);
    if (!s)
        return;
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    double ceiling = -1.5;
    char err[4096];
    struct loudness_result t_files[2], t_cache[2], a_files, a_cache;
    CHECK_MSG(measure_album(s, &tl, true, ceiling, ALBUM_METER_REPORT, t_files, &a_files, err,
                            sizeof err), "%s", err);
    bool fatal = true;
    struct level_cache *c = level_cache_build(s, &tl, kind, NULL, &fatal, err, sizeof err);
    CHECK_MSG(c != NULL, "%s", err);
    if (c) {
        CHECK(level_cache_on_disk(c) == on_disk);
        if (on_disk)
            CHECK_EQ_INT(files_in(tmp), 0);         /* unlinked as soon as made */
        /* twice: a pass leaves the cache as it found it */
        for (int pass = 0; pass < 2; pass++) {
            CHECK_MSG(measure_album_feed(s, &tl, level_cache_feed(c), true, ceiling,
                                         ALBUM_METER_REPORT, t_cache, &a_cache, err, sizeof err),
                      "%s", err);
            CHECK_MSG(same_bits(&a_files, &a_cache), "album %.17g vs %.17g LUFS",
                      a_files.integrated, a_cache.integrated);
            for (int i = 0; i < 2; i++)
                CHECK_MSG(same_bits(&t_files[i], &t_cache[i]), "track %d %.17g vs %.17g", i + 1,
                          t_files[i].integrated, t_cache[i].integrated);
        }
        /* and the master gain still moves the result: the cache is not a
         * recording of the master's output */
        s->master.gain += 3;
        CHECK(measure_album_feed(s, &tl, level_cache_feed(c), true, ceiling, ALBUM_METER_LEAN_ALBUM,
                                 t_cache, &a_cache, err, sizeof err));
        CHECK(a_cache.integrated > a_files.integrated + 1);
    }
    level_cache_free(c);
    CHECK_EQ_INT(files_in(tmp), 0);
    timeline_free(&tl);
    session_free(s);
    unsetenv("LATHE_LEVEL_MEMORY");
    unsetenv("TMPDIR");
}

TEST(premaster_in_memory_same_bits) { compare(LEVEL_CACHE_PREMASTER, false); }
TEST(premaster_on_disk_same_bits) { compare(LEVEL_CACHE_PREMASTER, true); }
TEST(mixes_in_memory_same_bits) { compare(LEVEL_CACHE_MIXES, false); }
TEST(mixes_on_disk_same_bits) { compare(LEVEL_CACHE_MIXES, true); }

TEST(no_room_is_a_clear_error)
{
    char err[4096] = "";
    char dir[512];
    snprintf(dir, sizeof dir, "%s/noroom", harness_tmpdir());
    mkdir(dir, 0777);
    setenv("LATHE_LEVEL_MEMORY", "0", 1);
    setenv("TMPDIR", dir, 1);
    /* far more than any disk holds */
    struct framecache *c = framecache_new((int64_t)1 << 50, NULL, err, sizeof err);
    CHECK(c == NULL);
    CHECK_MSG(strstr(err, "MB free") != NULL, "%s", err);
    CHECK_EQ_INT(files_in(dir), 0);
    setenv("TMPDIR", "/nonexistent-lathe-dir", 1);
    c = framecache_new(1000, NULL, err, sizeof err);
    CHECK(c == NULL);
    CHECK_MSG(strstr(err, "/nonexistent-lathe-dir") != NULL, "%s", err);
    setenv("LATHE_LEVEL_MEMORY", "lots", 1);
    CHECK(framecache_memory_limit() < 0);
    unsetenv("LATHE_LEVEL_MEMORY");
    unsetenv("TMPDIR");
}

TEST(reads_past_the_end_are_silence)
{
    char err[256];
    struct framecache *c = framecache_new(3, NULL, err, sizeof err);
    CHECK(c != NULL);
    if (!c)
        return;
    double in[6] = { 1, 2, 3, 4, 5, 6 }, out[10];
    CHECK(framecache_write(c, 0, in, 3, err, sizeof err));
    CHECK(!framecache_write(c, 1, in, 3, err, sizeof err));
    CHECK(framecache_read(c, 1, out, 5, err, sizeof err));
    CHECK(out[0] == 3 && out[3] == 6 && out[4] == 0 && out[9] == 0);
    framecache_free(c);
}

/* Leveling from the cache lands within the tolerance, album and track mode. */
TEST(level_session_within_tolerance)
{
    for (int mode = LEVEL_ALBUM; mode <= LEVEL_TRACK; mode++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/lv%d", harness_tmpdir(), mode);
        mkdir(dir, 0777);
        struct session *s = make_session(dir);
        if (!s)
            return;
        s->album.leveling = mode;
        struct loudness_result lr[2];
        struct level_report r;
        char err[4096];
        CHECK_MSG(level_session(s, NAN, lr, &r, err, sizeof err), "%s", err);
        CHECK(r.cached);
        CHECK(r.converged);
        if (mode == LEVEL_ALBUM)
            CHECK_NEAR(r.album.integrated, -14, LEVEL_TOLERANCE);
        else
            for (int i = 0; i < 2; i++)
                CHECK_NEAR(lr[i].integrated, -14, LEVEL_TOLERANCE);
        session_free(s);
    }
}
