/* SPDX-License-Identifier: MIT */
/* Tests of audio/pqsheet: the table of a known album with times worked
 * out by hand, a disc whose WAV lacks the 2 s pregap, and the JSON form
 * read back by Python's json module. */
#include <stdlib.h>
#include <sys/wait.h>

#include "audio/pqsheet.h"
#include "session/model.h"
#include "session/timeline.h"
#include "tests/harness.h"

#include "tests/sheet_album.h"


static char *pq(const struct session *s, bool json, bool *ok, char *err, size_t errlen)
{
    struct timeline tl;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *ok = timeline_build(s, &tl)
          && (json ? pqsheet_write_json : pqsheet_write)(f, s, &tl, err, errlen);
    fclose(f);
    timeline_free(&tl);
    return buf;
}

TEST(pq_sheet_of_a_known_album)
{
    struct session *s = album();
    char err[256] = "", expected[4096];
    char g2[32], s2[32], x2[32], s3[32], len1[32], len2[32], len3[32], gap2[32], out[32], play[32];
    bool ok;
    char *text = pq(s, false, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    snprintf(expected, sizeof expected,
             "PQ sheet\n\n"
             "Title:      Night Drive\n"
             "Performer:  The Night Band\n"
             "UPC/EAN:    0036000291452\n"
             "Tracks:     3\n"
             "Times:      absolute CD time, mm:ss:ff (75 frames a second); "
             "the album WAV starts at 00:00:00\n\n"
             "Track  Index  Start     Length    Pregap    ISRC          Flags    Title\n"
             "01     00     00:00:00\n"
             "01     01     00:02:00  %s  00:02:00  GBABC2600001  DCP      Intro\n"
             "02     00     %s\n"
             "02     01     %s  %s  %s  GBABC2600002  PRE      Caf\xc3\xa9 Noir\n"
             "02     02     %s\n"
             "03     01     %s  %s  00:00:00  GBABC2600003  DCP PRE  Coda\n"
             "\n"
             "Lead-out:      %s\n"
             "Playing time:  %s  (track 1 index 01 to the lead-out)\n",
             msf(S2 - 150, len1), msf(G2, g2), msf(S2, s2), msf(S3 - S2, len2),
             msf(S2 - G2, gap2), msf(X2, x2), msf(S3, s3), msf(LEADOUT - S3, len3),
             msf(LEADOUT, out), msf(LEADOUT - 150, play));
    CHECK_EQ_STR(text, expected);
    free(text);
    session_free(s);
}

/* Without a gap before track 1 the burner puts 2 s of silence before the
 * album WAV: every time moves by 150 frames and track 1 gets index 00. */
TEST(pq_sheet_adds_the_missing_pregap)
{
    struct session *s = album();
    s->tracks[0].gap.seconds = 0;
    char err[256] = "", line[160], a[32], b[32];
    bool ok;
    char *text = pq(s, false, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && strstr(text, "the album WAV starts at 00:02:00\n"));
    CHECK(text && strstr(text, "01     00     00:00:00\n01     01     00:02:00  "));
    long s2 = frames_floor(LEN1 + GAP2);          /* index 01 of track 2 in the WAV */
    snprintf(line, sizeof line, "\n02     01     %s  ", msf(s2 + 150, a));
    CHECK_MSG(text && strstr(text, line), "no \"%s\" in:\n%s", line, text);
    long end = frames_ceil(LEN1 + GAP2 + LEN2 + LEN3);
    snprintf(line, sizeof line, "Lead-out:      %s\nPlaying time:  %s  ", msf(end + 150, a),
             msf(end, b));
    CHECK_MSG(text && strstr(text, line), "no \"%s\" in:\n%s", line, text);
    free(text);
    session_free(s);
}

TEST(pq_sheet_as_json)
{
    struct session *s = album();
    char err[256] = "", path[512], cmd[1024], out[4096], errout[1024], expected[512];
    bool ok;
    char *text = pq(s, true, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    snprintf(path, sizeof path, "%s/pq.json", harness_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f && text);
    if (f && text)
        fputs(text, f);
    if (f)
        fclose(f);
    snprintf(cmd, sizeof cmd, "python3 -c 'import json; d = json.load(open(\"pq.json\")); "
             "t = d[\"tracks\"]; "
             "print(d[\"upc\"], d[\"offset\"], len(t), d[\"leadout\"][\"frame\"], d[\"playing_time\"]); "
             "[print(x[\"track\"], x[\"isrc\"], x[\"copy\"], x[\"emphasis\"], x[\"pregap\"], x[\"length\"], "
             "\" \".join(\"%%d@%%d\" %% (i[\"index\"], i[\"frame\"]) for i in x[\"indexes\"])) for x in t]'");
    int status = run(cmd, out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    char a[32], b[32], c[32], d[32], e[32];
    snprintf(expected, sizeof expected,
             "0036000291452 0 3 %ld %s\n"
             "1 GBABC2600001 True False 00:02:00 %s 0@0 1@150\n"
             "2 GBABC2600002 False True %s %s 0@%ld 1@%ld 2@%ld\n"
             "3 GBABC2600003 True True 00:00:00 %s 1@%ld\n",
             LEADOUT, msf(LEADOUT - 150, a), msf(S2 - 150, b), msf(S2 - G2, c),
             msf(S3 - S2, d), G2, S2, X2, msf(LEADOUT - S3, e), S3);
    CHECK_EQ_STR(out, expected);
    free(text);
    session_free(s);
}

TEST(pq_sheet_refuses_a_disc_it_cannot_describe)
{
    struct session *s = album();
    char err[256] = "";
    bool ok;
    str_set(&s->album.upc, "12345");
    free(pq(s, false, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "UPC/EAN \"12345\""), "%s", err);
    session_free(s);
    s = session_new();
    free(pq(s, true, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "0 tracks"), "%s", err);
    session_free(s);
}
