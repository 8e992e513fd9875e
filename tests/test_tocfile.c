/* SPDX-License-Identifier: MIT */
/* Tests of audio/tocfile: the text of a known album, what is refused, and
 * the file checked by cdrdao over a real 44.1 kHz 16-bit album WAV, also
 * for a session that runs at 96 kHz. */
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "audio/cuesheet.h"
#include "audio/soundfile.h"
#include "audio/tocfile.h"
#include "session/model.h"
#include "session/timeline.h"
#include "tests/harness.h"

#include "tests/sheet_album.h"



static char *toc(const struct session *s, int rate, int bits, bool *ok, char *err, size_t errlen)
{
    struct timeline tl;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *ok = timeline_build(s, &tl) && tocfile_write(f, s, &tl, "album.wav", rate, bits, err, errlen);
    fclose(f);
    timeline_free(&tl);
    return buf;
}

TEST(toc_of_a_known_album)
{
    struct session *s = album();
    char err[256] = "", g2[32], g2b[32], s2[32], l2[32], x2[32], s3[32], l3[32], expected[4096];
    bool ok;
    char *text = toc(s, 44100, 16, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    /* each track: its gap and audio up to the next track's gap; START and
     * INDEX count from the span's start and from index 01 */
    snprintf(expected, sizeof expected,
             "// 3 tracks over album.wav (44100 Hz, 16-bit, stereo)\n"
             "CD_DA\n"
             "CATALOG \"0036000291452\"\n"
             "CD_TEXT {\n"
             "  LANGUAGE_MAP {\n"
             "    0 : EN\n"
             "  }\n"
             "  LANGUAGE 0 {\n"
             "    TITLE \"Night Drive\"\n"
             "    PERFORMER \"The Night Band\"\n"
             "    SONGWRITER \"\"\n"
             "  }\n"
             "}\n"
             "\n// Track 1\n"
             "TRACK AUDIO\n"
             "COPY\n"
             "ISRC \"GBABC2600001\"\n"
             "CD_TEXT {\n"
             "  LANGUAGE 0 {\n"
             "    TITLE \"Intro\"\n"
             "    PERFORMER \"The Night Band\"\n"
             "    SONGWRITER \"\"\n"
             "  }\n"
             "}\n"
             "FILE \"album.wav\" 00:00:00 %s\n"
             "START 00:02:00\n"
             "\n// Track 2\n"
             "TRACK AUDIO\n"
             "NO COPY\n"
             "PRE_EMPHASIS\n"
             "ISRC \"GBABC2600002\"\n"
             "CD_TEXT {\n"
             "  LANGUAGE 0 {\n"
             "    TITLE \"Caf\xe9 Noir\"\n"
             "    PERFORMER \"The Night Band\"\n"
             "    SONGWRITER \"A. Writer\"\n"
             "  }\n"
             "}\n"
             "FILE \"album.wav\" %s %s\n"
             "START %s\n"
             "INDEX %s\n"
             "\n// Track 3\n"
             "TRACK AUDIO\n"
             "COPY\n"
             "PRE_EMPHASIS\n"
             "ISRC \"GBABC2600003\"\n"
             "CD_TEXT {\n"
             "  LANGUAGE 0 {\n"
             "    TITLE \"Coda\"\n"
             "    PERFORMER \"The Night Band\"\n"
             "    SONGWRITER \"\"\n"
             "  }\n"
             "}\n"
             "FILE \"album.wav\" %s %s\n",
             msf(G2, g2), msf(G2, g2b), msf(S3 - G2, l2), msf(S2 - G2, s2), msf(X2 - S2, x2),
             msf(S3, s3), msf(LEADOUT - S3, l3));
    CHECK_EQ_STR(text, expected);
    free(text);
    session_free(s);
}

TEST(toc_without_cdtext_or_codes)
{
    struct session *s = session_new();
    s->album.rate = R;
    add(s, LEN1, 2.0, NULL, NULL);
    char err[256] = "";
    bool ok;
    char *text = toc(s, 44100, 16, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && !strstr(text, "CD_TEXT") && !strstr(text, "CATALOG") && !strstr(text, "ISRC"));
    CHECK(text && strstr(text, "NO COPY\nFILE \"album.wav\" 00:00:00 "));
    free(text);
    session_free(s);
}

TEST(toc_refuses_what_cdrdao_cannot_burn)
{
    struct session *s = album();
    char err[256] = "";
    bool ok;
    free(toc(s, 48000, 16, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "44100 Hz 16-bit WAV, not 48000 Hz 16-bit"), "%s", err);
    free(toc(s, 44100, 24, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "not 44100 Hz 24-bit"), "%s", err);
    str_set(&s->tracks[2].text.performer, "\xe6\x9d\xb1\xe4\xba\xac");
    free(toc(s, 44100, 16, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "track 3: PERFORMER") && strstr(err, "not in Latin-1"), "%s", err);
    str_set(&s->tracks[2].text.performer, NULL);
    str_set(&s->album.text.message, "say \"hi\"");
    free(toc(s, 44100, 16, &ok, err, sizeof err));
    CHECK_MSG(!ok && strstr(err, "album: MESSAGE") && strstr(err, "double quote"), "%s", err);
    str_set(&s->album.text.message, "hi");
    char *text = toc(s, 44100, 16, &ok, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    CHECK(text && strstr(text, "    MESSAGE \"hi\"\n") && strstr(text, "    MESSAGE \"\"\n"));
    free(text);
    session_free(s);
}

/* Saves the TOC of `s` beside a WAV of the right length; false on failure. */
static bool toc_and_wav(const struct session *s, const char *name, struct timeline *tl)
{
    char path[512], err[512] = "";
    if (!timeline_build(s, tl))
        return false;
    int64_t frames = tl->end / tl->frame * F;      /* the album at 44.1 kHz */
    snprintf(path, sizeof path, "%s/album.wav", harness_tmpdir());
    if (!write_wav(path, frames))
        return false;
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    bool ok = tocfile_save(path, s, tl, "album.wav", 44100, 16, err, sizeof err);
    CHECK_MSG(ok, "%s", err);
    return ok;
}

TEST(cdrdao_accepts_the_toc)
{
    struct session *s = album();
    struct timeline tl;
    CHECK(toc_and_wav(s, "album.toc", &tl));
    char out[4096], errout[4096], line[80], a[32];
    int status = run("cdrdao toc-info album.toc", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    CHECK_MSG(strstr(out, "3 tracks"), "%s", out);
    status = run("cdrdao show-toc album.toc", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    long starts[3] = { 150, S2, S3 }, pregaps[3] = { 150, S2 - G2, 0 };
    for (int k = 0; k < 3; k++) {
        snprintf(line, sizeof line, "START  %s(%6ld)", msf(starts[k], a), starts[k]);
        CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
        snprintf(line, sizeof line, "ISRC GB ABC 26 0000%d", k + 1);
        CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
        snprintf(line, sizeof line, "PREGAP %s(%6ld)", msf(pregaps[k], a), pregaps[k]);
        CHECK_MSG(!pregaps[k] || strstr(out, line), "no \"%s\" in:\n%s", line, out);
    }
    snprintf(line, sizeof line, "INDEX  2 %s(%6ld)", msf(X2, a), X2);
    CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
    snprintf(line, sizeof line, "END    %s(%6ld)", msf(LEADOUT, a), LEADOUT);
    CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
    CHECK(strstr(out, "CATALOG NUMBER: 0036000291452"));
    const char *p = out;
    int copies = 0, emphasis = 0;
    while ((p = strstr(p, "COPY PERMITTED")) != NULL && ++copies)
        p++;
    for (p = out; (p = strstr(p, "\n          PRE-EMPHASIS")) != NULL; p++)
        emphasis++;
    CHECK_EQ_INT(copies, 2);
    CHECK_EQ_INT(emphasis, 2);
    timeline_free(&tl);
    session_free(s);
}

TEST(cdrdao_accepts_the_toc_of_a_96k_session)
{
    struct session *s = album();
    s->album.rate = 96000;
    for (int i = 0; i < s->ntracks; i++) {
        s->tracks[i].mix.rate = 96000;
        s->tracks[i].mix.frames = s->tracks[i].mix.frames * 320 / 147;
    }
    struct timeline tl;
    CHECK(toc_and_wav(s, "hires.toc", &tl));
    CHECK_EQ_INT(tl.frame, 1280);
    char out[4096], errout[4096], line[80], a[32];
    int status = run("cdrdao toc-info hires.toc", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(errout, "");
    status = run("cdrdao show-toc hires.toc", out, sizeof out, errout, sizeof errout);
    CHECK_EQ_INT(status, 0);
    long starts[3] = { 150, tl.tracks[1].index1 / 1280, tl.tracks[2].index1 / 1280 };
    for (int k = 0; k < 3; k++) {
        snprintf(line, sizeof line, "START  %s(%6ld)", msf(starts[k], a), starts[k]);
        CHECK_MSG(strstr(out, line), "no \"%s\" in:\n%s", line, out);
    }
    timeline_free(&tl);
    session_free(s);
}
