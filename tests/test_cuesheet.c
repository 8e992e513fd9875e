/* SPDX-License-Identifier: MIT */
/* Tests of audio/cuesheet: the text of a known album, the charsets, what
 * is refused, and the sheet run through shnsplit, cuebreakpoints and
 * cdrdao over a real album WAV, whose split must be bit-exact. */
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "audio/cuesheet.h"
#include "audio/soundfile.h"
#include "session/model.h"
#include "session/timeline.h"
#include "tests/harness.h"

#include "tests/sheet_album.h"

static char *sheet(const struct session *s, enum cue_charset cs, bool *ok, char *err, size_t errlen)
{
    struct timeline tl;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *ok = timeline_build(s, &tl) && cuesheet_write(f, s, &tl, "album.wav", cs, err, errlen);
    fclose(f);
    timeline_free(&tl);
    return buf;
}

TEST(cue_sheet_of_a_known_album)
{
    struct session *s = album();
    char err[256] = "", a[32], b[32], c[32], d[32], expected[2048];
    bool ok;
    char *text = sheet(s, CUE_UTF8, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    snprintf(expected, sizeof expected,
             "REM GENRE \"Electronic\"\n"
             "CATALOG 0036000291452\n"
             "TITLE \"Night Drive\"\n"
             "PERFORMER \"The Night Band\"\n"
             "FILE \"album.wav\" WAVE\n"
             "  TRACK 01 AUDIO\n"
             "    TITLE \"Intro\"\n"
             "    PERFORMER \"The Night Band\"\n"
             "    FLAGS DCP\n"
             "    ISRC GBABC2600001\n"
             "    INDEX 00 00:00:00\n"
             "    INDEX 01 00:02:00\n"
             "  TRACK 02 AUDIO\n"
             "    TITLE \"Caf\xc3\xa9 Noir\"\n"
             "    SONGWRITER \"A. Writer\"\n"
             "    FLAGS PRE\n"
             "    ISRC GBABC2600002\n"
             "    INDEX 00 %s\n"
             "    INDEX 01 %s\n"
             "    INDEX 02 %s\n"
             "  TRACK 03 AUDIO\n"
             "    TITLE \"Coda\"\n"
             "    FLAGS DCP PRE\n"
             "    ISRC GBABC2600003\n"
             "    INDEX 01 %s\n",
             msf(G2, a), msf(S2, b), msf(X2, c), msf(S3, d));
    CHECK_EQ_STR(text, expected);
    free(text);
    session_free(s);
}

TEST(cue_text_in_utf8_or_latin1)
{
    struct session *s = album();
    char err[256] = "";
    bool ok;
    char *text = sheet(s, CUE_LATIN1, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && strstr(text, "TITLE \"Caf\xe9 Noir\"\n"));
    free(text);
    str_set(&s->tracks[2].text.title, "\xe6\x9d\xb1\xe4\xba\xac");     /* Tokyo */
    text = sheet(s, CUE_LATIN1, &ok, err, sizeof err);
    CHECK(!ok);
    CHECK_MSG(strstr(err, "track 3: TITLE") && strstr(err, "\"\xe6\x9d\xb1\" is not in Latin-1"),
              "%s", err);
    free(text);
    text = sheet(s, CUE_UTF8, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && strstr(text, "TITLE \"\xe6\x9d\xb1\xe4\xba\xac\"\n"));
    free(text);
    session_free(s);
}

TEST(cue_refuses_what_a_sheet_cannot_carry)
{
    struct session *s = album();
    char err[256] = "";
    bool ok;
    str_set(&s->tracks[1].text.title, "The \"Best\" One");
    free(sheet(s, CUE_UTF8, &ok, err, sizeof err));
    CHECK(!ok);
    CHECK_MSG(strstr(err, "track 2: TITLE") && strstr(err, "double quote"), "%s", err);
    str_set(&s->tracks[1].text.title, "AC\\DC");
    free(sheet(s, CUE_UTF8, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "backslash"), "%s", err);
    str_set(&s->tracks[1].text.title, "Fine");
    str_set(&s->album.upc, "12345");
    free(sheet(s, CUE_UTF8, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "UPC/EAN \"12345\""), "%s", err);
    str_set(&s->album.upc, "5012345678900");
    str_set(&s->tracks[0].isrc, "GBABC26001");
    free(sheet(s, CUE_UTF8, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "track 1: ISRC \"GBABC26001\""), "%s", err);
    str_set(&s->tracks[0].isrc, NULL);
    s->tracks[1].index[0].seconds = 30.0;      /* past the track's end */
    free(sheet(s, CUE_UTF8, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "track 2: index 02"), "%s", err);
    s->tracks[1].nindex = 0;
    char *text = sheet(s, CUE_UTF8, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && strstr(text, "CATALOG 5012345678900\n") && !strstr(text, "ISRC GBABC2600001"));
    free(text);
    session_free(s);
}

/* The timeline starts a gap shorter than the rest of the previous track's
 * last frame off a frame; that frame still holds the previous track's
 * audio, so the gap is no gap on the CD. */
TEST(cue_gap_inside_a_frame_gives_no_index_00)
{
    struct session *s = session_new();
    s->album.rate = R;
    add(s, 4 * R + 400 - 2 * R % F, 2.0, NULL, NULL);   /* ends 400 samples into a frame */
    struct track *t = add(s, 5 * R, 0, NULL, NULL);
    t->gap.in_samples = true;
    t->gap.samples = 100;
    char err[256] = "", a[32], line[64];
    bool ok;
    char *text = sheet(s, CUE_UTF8, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    long start2 = frames_ceil(2 * R + 4 * R + 400 - 2 * R % F);
    snprintf(line, sizeof line, "  TRACK 02 AUDIO\n    INDEX 01 %s\n", msf(start2, a));
    CHECK_MSG(text && strstr(text, line), "no \"%s\" in:\n%s", line, text);
    free(text);
    session_free(s);
}

TEST(cue_catalog_and_msf)
{
    char ean[14], buf[CUESHEET_MSF_LEN];
    CHECK(cuesheet_catalog("036000291452", ean));
    CHECK_EQ_STR(ean, "0036000291452");
    CHECK(cuesheet_catalog("5012345678900", ean));
    CHECK_EQ_STR(ean, "5012345678900");
    CHECK(!cuesheet_catalog("501234567890x", ean));
    CHECK(!cuesheet_catalog("50123456789001", ean));
    cuesheet_msf(79 * 4500 + 57 * 75 + 74, buf);
    CHECK_EQ_STR(buf, "79:57:74");
}



/* Frames [from, to) of `path`, or NULL. */
static double *read_span(const char *path, int64_t from, int64_t to, int64_t *total)
{
    char err[256];
    struct soundfile_info info;
    struct soundfile *f = soundfile_open(path, &info, err, sizeof err);
    if (!f)
        return NULL;
    *total = info.frames;
    double *buf = malloc((size_t)(to - from) * 2 * sizeof *buf);
    bool ok = buf && info.channels == 2 && soundfile_seek(f, from)
              && soundfile_read(f, buf, to - from) == to - from;
    soundfile_close(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

TEST(cue_sheet_splits_the_album_wav_exactly)
{
    struct session *s = album();
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.end, LEADOUT * F);
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/album.wav", harness_tmpdir());
    CHECK(write_wav(path, tl.end));
    snprintf(path, sizeof path, "%s/album.cue", harness_tmpdir());
    CHECK_MSG(cuesheet_save(path, s, &tl, "album.wav", CUE_LATIN1, err, sizeof err), "%s", err);

    char out[4096], errout[4096], expected[256];
    int status = run("cuebreakpoints album.cue", out, sizeof out, errout, sizeof errout);
    /* m:ss.ff, ff in CD frames: index 01 of tracks 2 and 3 */
    snprintf(expected, sizeof expected, "%ld:%02ld.%02ld\n%ld:%02ld.%02ld\n",
             S2 / 4500, S2 / 75 % 60, S2 % 75, S3 / 4500, S3 / 75 % 60, S3 % 75);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(out, expected);
    CHECK_EQ_STR(errout, "");

    status = run("mkdir -p split && shnsplit -q -f album.cue -d split -o wav album.wav",
                 out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    /* split-track00 is track 1's pregap; then each track to the next index 01 */
    long bounds[5] = { 0, 150, S2, S3, LEADOUT };
    snprintf(path, sizeof path, "%s/album.wav", harness_tmpdir());
    int64_t total;
    double *whole = read_span(path, 0, tl.end, &total);
    CHECK(whole != NULL);
    for (int k = 0; k < 4 && whole; k++) {
        char piece[512];
        snprintf(piece, sizeof piece, "%s/split/split-track%02d.wav", harness_tmpdir(), k);
        int64_t n = (bounds[k + 1] - bounds[k]) * F, got = -1;
        double *part = read_span(piece, 0, n, &got);
        CHECK_MSG(part != NULL, "%s: cannot read %lld frames", piece, (long long)n);
        CHECK_EQ_INT(got, n);
        int64_t diff = 0;
        for (int64_t i = 0; part && i < 2 * n; i++)
            diff += part[i] != whole[2 * bounds[k] * F + i];
        CHECK_EQ_INT(diff, 0);
        free(part);
    }
    free(whole);
    timeline_free(&tl);
    session_free(s);
}

/* cdrdao 1.2.4 reads a cue sheet's INDEX 02.. from the track's index 01,
 * not from the file's start as CDRWIN defines (an index at file time
 * 00:14:00 of a track starting at 00:13:00 lands at 00:27:00), so it
 * checks sheets without extra indexes here; cuetools and shntool read
 * them right. */
TEST(cdrdao_reads_the_cue_sheet)
{
    struct session *s = album();
    s->tracks[1].nindex = 0;
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/album.wav", harness_tmpdir());
    CHECK(write_wav(path, tl.end));
    snprintf(path, sizeof path, "%s/cdrdao.cue", harness_tmpdir());
    CHECK_MSG(cuesheet_save(path, s, &tl, "album.wav", CUE_LATIN1, err, sizeof err), "%s", err);
    char out[4096], errout[4096], a[32], b[32], c[32], line[64];
    int status = run("cdrdao toc-info cdrdao.cue", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    CHECK_MSG(strstr(out, "3 tracks"), "%s", out);
    status = run("cdrdao show-toc cdrdao.cue", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    long starts[3] = { 150, S2, S3 };
    const char *msfs[3] = { msf(150, a), msf(S2, b), msf(S3, c) };
    for (int k = 0; k < 3; k++) {
        snprintf(line, sizeof line, "START  %s(%6ld)", msfs[k], starts[k]);
        CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
        snprintf(line, sizeof line, "ISRC GB ABC 26 0000%d", k + 1);
        CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
    }
    CHECK(strstr(out, "CATALOG NUMBER: 0036000291452"));
    timeline_free(&tl);
    session_free(s);
}
