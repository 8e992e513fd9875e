/* SPDX-License-Identifier: MIT */
/* The cdrdao TOC file of a CD master: tracks, flags, codes, CD-Text and
 * each track's span of the album WAV. */
#include "audio/tocfile.h"
#include "audio/textfile.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "audio/cuesheet.h"
#include "session/codes.h"
#include "session/sessfile.h"

static const struct {
    const char *name;
    size_t off;
} fields[] = {
    { "TITLE", offsetof(struct cdtext, title) },
    { "PERFORMER", offsetof(struct cdtext, performer) },
    { "SONGWRITER", offsetof(struct cdtext, songwriter) },
    { "COMPOSER", offsetof(struct cdtext, composer) },
    { "ARRANGER", offsetof(struct cdtext, arranger) },
    { "MESSAGE", offsetof(struct cdtext, message) },
};
#define NFIELDS (int)(sizeof fields / sizeof fields[0])

static const char *field(const struct cdtext *t, int k)
{
    return *(char *const *)((const char *)t + fields[k].off);
}

/* cdrdao wants an item in the disc and every track once any has it
 * (standards §4.2), so each field is written everywhere or nowhere. */
static void fields_used(const struct session *s, bool used[NFIELDS], bool *any)
{
    *any = false;
    for (int k = 0; k < NFIELDS; k++) {
        used[k] = field(&s->album.text, k) != NULL;
        for (int i = 0; i < s->ntracks; i++)
            used[k] |= field(&s->tracks[i].text, k) != NULL;
        *any |= used[k];
    }
}

static bool put_language(FILE *f, const char *indent, const struct cdtext *t,
                         const bool used[NFIELDS], const char *where, char *err, size_t errlen)
{
    fprintf(f, "%sLANGUAGE 0 {\n", indent);
    for (int k = 0; k < NFIELDS; k++) {
        if (!used[k])
            continue;
        const char *v = field(t, k) ? field(t, k) : "";
        size_t cap = strlen(v) + 1;
        char *text = malloc(cap);
        char why[160];
        if (!text) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        bool ok = cuesheet_text(v, true, text, cap, why, sizeof why);
        if (ok)
            fprintf(f, "%s  %s \"%s\"\n", indent, fields[k].name, text);
        else
            snprintf(err, errlen, "%s %s \"%s\": %s", where, fields[k].name, v, why);
        free(text);
        if (!ok)
            return false;
    }
    fprintf(f, "%s}\n", indent);
    return true;
}

static bool put_track(FILE *f, const struct session *s, const struct timeline *tl, int i,
                      const char *wav_name, const bool used[NFIELDS], bool cdtext,
                      char *err, size_t errlen)
{
    const struct track *t = &s->tracks[i];
    struct cue_marks m;
    if (!cuesheet_marks(tl, i, &m, err, errlen))
        return false;
    fprintf(f, "\n// Track %d\nTRACK AUDIO\n%s\n", i + 1, t->copy ? "COPY" : "NO COPY");
    if (t->emphasis)
        fprintf(f, "PRE_EMPHASIS\n");
    if (t->isrc) {
        if (!isrc_valid(t->isrc)) {
            snprintf(err, errlen, "track %d: ISRC \"%s\" is malformed — expected like GBABC2600001",
                     i + 1, t->isrc);
            return false;
        }
        fprintf(f, "ISRC \"%s\"\n", t->isrc);
    }
    if (cdtext) {
        char where[32];
        snprintf(where, sizeof where, "track %d:", i + 1);
        fprintf(f, "CD_TEXT {\n");
        /* a track without its own performer is the album's, as in the DDP's CD-Text */
        struct cdtext text = t->text;
        if (!text.performer)
            text.performer = s->album.text.performer;
        if (!put_language(f, "  ", &text, used, where, err, errlen))
            return false;
        fprintf(f, "}\n");
    }
    char from[CUESHEET_MSF_LEN], len[CUESHEET_MSF_LEN], mark[CUESHEET_MSF_LEN];
    cuesheet_msf(m.gap, from);
    cuesheet_msf(m.end - m.gap, len);
    fprintf(f, "FILE \"%s\" %s %s\n", wav_name, from, len);
    if (m.gap < m.start) {
        cuesheet_msf(m.start - m.gap, mark);
        fprintf(f, "START %s\n", mark);
    }
    for (int k = 0; k < m.nindex; k++) {     /* from index 01, the gap left out */
        cuesheet_msf(m.index[k] - m.start, mark);
        fprintf(f, "INDEX %s\n", mark);
    }
    return true;
}

bool tocfile_write(FILE *f, const struct session *s, const struct timeline *tl,
                   const char *wav_name, int wav_rate, int wav_bits,
                   char *err, size_t errlen)
{
    if (wav_rate != 44100 || wav_bits != 16) {
        snprintf(err, errlen, "a TOC file needs a 44100 Hz 16-bit WAV, not %d Hz %d-bit",
                 wav_rate, wav_bits);
        return false;
    }
    if (s->ntracks != tl->ntracks) {
        snprintf(err, errlen, "the timeline has %d tracks, the session %d", tl->ntracks, s->ntracks);
        return false;
    }
    if (strpbrk(wav_name, "\"\\\n\r")) {
        snprintf(err, errlen, "\"%s\": a file name in a TOC file cannot hold a double quote, "
                 "a backslash or a line break", wav_name);
        return false;
    }
    fprintf(f, "// %d tracks over %s (44100 Hz, 16-bit, stereo)\nCD_DA\n", s->ntracks, wav_name);
    if (s->album.upc) {
        char ean[14];
        if (!cuesheet_catalog(s->album.upc, ean)) {
            snprintf(err, errlen, "album: UPC/EAN \"%s\" — expected 13 digits, or 12 (UPC-A)",
                     s->album.upc);
            return false;
        }
        fprintf(f, "CATALOG \"%s\"\n", ean);
    }
    bool used[NFIELDS], cdtext;
    fields_used(s, used, &cdtext);
    if (cdtext) {
        fprintf(f, "CD_TEXT {\n  LANGUAGE_MAP {\n    0 : EN\n  }\n");
        if (!put_language(f, "  ", &s->album.text, used, "album:", err, errlen))
            return false;
        fprintf(f, "}\n");
    }
    for (int i = 0; i < s->ntracks; i++)
        if (!put_track(f, s, tl, i, wav_name, used, cdtext, err, errlen))
            return false;
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "cannot write the TOC file");
        return false;
    }
    return true;
}

struct toc_job {
    const struct session *s;
    const struct timeline *tl;
    const char *wav_name;
    int rate, bits;
};

static bool toc_writer(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct toc_job *j = ctx;
    return tocfile_write(f, j->s, j->tl, j->wav_name, j->rate, j->bits, err, errlen);
}

bool tocfile_save(const char *path, const struct session *s, const struct timeline *tl,
                  const char *wav_name, int wav_rate, int wav_bits,
                  char *err, size_t errlen)
{
    struct toc_job j = { s, tl, wav_name, wav_rate, wav_bits };
    return text_save(path, toc_writer, &j, err, errlen);
}
