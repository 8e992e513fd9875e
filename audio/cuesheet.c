/* SPDX-License-Identifier: MIT */
/* The CUE sheet of a CD master, and the marks and text rules it shares
 * with the TOC and the PQ sheet.
 *
 * Marks come from the timeline in samples at the session rate; every one
 * sits on a CD frame, so CD frames are exact at any rate and the sheet
 * fits the album WAV whatever rate it was rendered at. */
#include "audio/cuesheet.h"
#include "audio/textfile.h"

#include <stdlib.h>
#include <string.h>

#include "session/codes.h"
#include "session/sessfile.h"

/* A gap can begin off a frame when it is shorter than the rest of the
 * previous track's last frame; the frame it starts in still holds that
 * track's audio, so the gap begins at the next frame. */
static int64_t gap_frames(const struct timeline *tl, int64_t index0)
{
    return timeline_frames_ceil(tl, index0);
}

bool cuesheet_marks(const struct timeline *tl, int i, struct cue_marks *m,
                    char *err, size_t errlen)
{
    if (tl->ntracks < 1 || tl->ntracks > 99) {
        snprintf(err, errlen, "%d tracks — a CD holds 1 to 99", tl->ntracks);
        return false;
    }
    const struct timeline_track *t = &tl->tracks[i];
    m->start = timeline_frames(tl, t->index1);
    m->gap = i == 0 ? 0 : gap_frames(tl, t->index0);
    if (m->gap > m->start)
        m->gap = m->start;
    m->next = timeline_frames(tl, t->next_index1);
    m->end = i + 1 < tl->ntracks ? gap_frames(tl, tl->tracks[i + 1].index0) : m->next;
    if (m->end > m->next)
        m->end = m->next;
    char a[CUESHEET_MSF_LEN], b[CUESHEET_MSF_LEN];
    if (m->end <= m->start) {
        cuesheet_msf(m->start, a);
        snprintf(err, errlen, "track %d: starts at %s and has no length", i + 1, a);
        return false;
    }
    m->nindex = t->nextra;
    int64_t prev = m->start;
    for (int k = 0; k < t->nextra; k++) {
        m->index[k] = timeline_frames(tl, t->extra_index[k]);
        if (m->index[k] <= prev || m->index[k] >= m->end) {
            cuesheet_msf(m->index[k], a);
            cuesheet_msf(prev, b);
            snprintf(err, errlen, "track %d: index %02d at %s is not inside the track after %s",
                     i + 1, k + 2, a, b);
            return false;
        }
        prev = m->index[k];
    }
    return true;
}

void cuesheet_msf(int64_t frames, char buf[CUESHEET_MSF_LEN])
{
    if (frames < 0)
        frames = 0;
    snprintf(buf, CUESHEET_MSF_LEN, "%02lld:%02lld:%02lld", (long long)(frames / 4500),
             (long long)(frames / 75 % 60), (long long)(frames % 75));
}

bool cuesheet_catalog(const char *upc, char ean[14])
{
    if (!upc || !upc_length_ok(upc))
        return false;
    for (const char *c = upc; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    snprintf(ean, 14, "%s%s", strlen(upc) == 12 ? "0" : "", upc);
    return true;
}

bool cuesheet_text(const char *utf8, bool latin1, char *out, size_t outlen,
                   char *why, size_t whylen)
{
    size_t bad;
    if (latin1 && !text_latin1_ok(utf8, &bad)) {
        const unsigned char *u = (const unsigned char *)utf8 + bad;
        int len = *u >= 0xF0 ? 4 : *u >= 0xE0 ? 3 : *u >= 0xC0 ? 2 : 1;
        snprintf(why, whylen, "\"%.*s\" is not in Latin-1 (ISO-8859-1), which CD-Text uses",
                 len, (const char *)u);
        return false;
    }
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)utf8; *u; u++) {
        if (*u == '"' || *u == '\\') {
            snprintf(why, whylen, "holds a %s, which cue sheets and TOC files cannot carry"
                     " — use ' or /", *u == '"' ? "double quote" : "backslash");
            return false;
        }
        if (*u < 0x20 || *u == 0x7f) {
            snprintf(why, whylen, "holds a control character");
            return false;
        }
        unsigned char c = *u;
        if (latin1 && c >= 0x80)        /* C2/C3 lead bytes, checked above */
            c = (unsigned char)(((c & 0x03) << 6) | (*++u & 0x3F));
        if (n + 1 >= outlen) {
            snprintf(why, whylen, "is too long");
            return false;
        }
        out[n++] = (char)c;
    }
    out[n] = 0;
    return true;
}

/* `  TITLE "text"`, or nothing when the value is unset. */
static bool put_text(FILE *f, const char *indent, const char *cmd, const char *value,
                     bool latin1, const char *where, char *err, size_t errlen)
{
    if (!value)
        return true;
    size_t cap = strlen(value) + 1;
    char *text = malloc(cap);
    char why[160];
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = cuesheet_text(value, latin1, text, cap, why, sizeof why);
    if (ok)
        fprintf(f, "%s%s \"%s\"\n", indent, cmd, text);
    else
        snprintf(err, errlen, "%s %s \"%s\": %s", where, cmd, value, why);
    free(text);
    return ok;
}

static bool put_cdtext(FILE *f, const char *indent, const struct cdtext *t, bool latin1,
                       const char *where, char *err, size_t errlen)
{
    return put_text(f, indent, "TITLE", t->title, latin1, where, err, errlen)
        && put_text(f, indent, "PERFORMER", t->performer, latin1, where, err, errlen)
        && put_text(f, indent, "SONGWRITER", t->songwriter, latin1, where, err, errlen);
}

static bool put_track(FILE *f, const struct session *s, const struct timeline *tl, int i,
                      bool latin1, char *err, size_t errlen)
{
    const struct track *t = &s->tracks[i];
    struct cue_marks m;
    if (!cuesheet_marks(tl, i, &m, err, errlen))
        return false;
    char where[32], msf[CUESHEET_MSF_LEN];
    snprintf(where, sizeof where, "track %d:", i + 1);
    fprintf(f, "  TRACK %02d AUDIO\n", i + 1);
    if (!put_cdtext(f, "    ", &t->text, latin1, where, err, errlen))
        return false;
    if (t->copy || t->emphasis)
        fprintf(f, "    FLAGS%s%s\n", t->copy ? " DCP" : "", t->emphasis ? " PRE" : "");
    if (t->isrc) {
        if (!isrc_valid(t->isrc)) {
            snprintf(err, errlen, "track %d: ISRC \"%s\" is malformed — expected like GBABC2600001",
                     i + 1, t->isrc);
            return false;
        }
        fprintf(f, "    ISRC %s\n", t->isrc);
    }
    if (m.gap < m.start) {
        cuesheet_msf(m.gap, msf);
        fprintf(f, "    INDEX 00 %s\n", msf);
    }
    cuesheet_msf(m.start, msf);
    fprintf(f, "    INDEX 01 %s\n", msf);
    for (int k = 0; k < m.nindex; k++) {
        cuesheet_msf(m.index[k], msf);
        fprintf(f, "    INDEX %02d %s\n", k + 2, msf);
    }
    return true;
}

bool cuesheet_write(FILE *f, const struct session *s, const struct timeline *tl,
                    const char *wav_name, enum cue_charset charset,
                    char *err, size_t errlen)
{
    bool latin1 = charset == CUE_LATIN1;
    if (s->ntracks != tl->ntracks) {
        snprintf(err, errlen, "the timeline has %d tracks, the session %d", tl->ntracks, s->ntracks);
        return false;
    }
    if (strpbrk(wav_name, "\"\n\r")) {
        snprintf(err, errlen, "\"%s\": a file name in a cue sheet cannot hold a double quote "
                 "or a line break", wav_name);
        return false;
    }
    if (!put_text(f, "", "REM GENRE", s->album.genre, latin1, "album:", err, errlen))
        return false;
    if (s->album.upc) {
        char ean[14];
        if (!cuesheet_catalog(s->album.upc, ean)) {
            snprintf(err, errlen, "album: UPC/EAN \"%s\" — expected 13 digits, or 12 (UPC-A)",
                     s->album.upc);
            return false;
        }
        fprintf(f, "CATALOG %s\n", ean);
    }
    if (!put_cdtext(f, "", &s->album.text, latin1, "album:", err, errlen))
        return false;
    fprintf(f, "FILE \"%s\" WAVE\n", wav_name);
    for (int i = 0; i < s->ntracks; i++)
        if (!put_track(f, s, tl, i, latin1, err, errlen))
            return false;
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "cannot write the cue sheet");
        return false;
    }
    return true;
}

struct cue_job {
    const struct session *s;
    const struct timeline *tl;
    const char *wav_name;
    enum cue_charset charset;
};

static bool cue_writer(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct cue_job *j = ctx;
    return cuesheet_write(f, j->s, j->tl, j->wav_name, j->charset, err, errlen);
}

bool cuesheet_save(const char *path, const struct session *s, const struct timeline *tl,
                   const char *wav_name, enum cue_charset charset,
                   char *err, size_t errlen)
{
    struct cue_job j = { s, tl, wav_name, charset };
    return text_save(path, cue_writer, &j, err, errlen);
}
