/* SPDX-License-Identifier: MIT */
/* The PQ sheet of a CD master, as a text table and as JSON. */
#include "audio/pqsheet.h"
#include "audio/textfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/cuesheet.h"
#include "session/codes.h"
#include "session/sessfile.h"

#define PREGAP_FRAMES 150   /* the 2 s before track 1's index 01 on every CD */

/* Every track's marks checked, the catalog number and where the WAV sits. */
struct disc {
    struct cue_marks *m;
    char ean[14];
    int64_t offset;         /* absolute frames before the album WAV's first */
};

static bool disc_read(const struct session *s, const struct timeline *tl, struct disc *d,
                      char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (s->ntracks != tl->ntracks) {
        snprintf(err, errlen, "the timeline has %d tracks, the session %d", tl->ntracks, s->ntracks);
        return false;
    }
    if (s->album.upc && !cuesheet_catalog(s->album.upc, d->ean)) {
        snprintf(err, errlen, "album: UPC/EAN \"%s\" — expected 13 digits, or 12 (UPC-A)",
                 s->album.upc);
        return false;
    }
    if (tl->ntracks < 1 || tl->ntracks > 99) {
        snprintf(err, errlen, "%d tracks — a CD holds 1 to 99", tl->ntracks);
        return false;
    }
    d->m = calloc((size_t)tl->ntracks, sizeof *d->m);
    if (!d->m) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < tl->ntracks; i++) {
        if (!cuesheet_marks(tl, i, &d->m[i], err, errlen)) {
            free(d->m);
            d->m = NULL;
            return false;
        }
        const char *isrc = s->tracks[i].isrc;
        if (isrc && !isrc_valid(isrc)) {
            snprintf(err, errlen, "track %d: ISRC \"%s\" is malformed — expected like GBABC2600001",
                     i + 1, isrc);
            free(d->m);
            d->m = NULL;
            return false;
        }
    }
    if (d->m[0].start < PREGAP_FRAMES)
        d->offset = PREGAP_FRAMES - d->m[0].start;
    return true;
}

/* Absolute frame of track i's index 00: every disc's starts at 00:00:00. */
static int64_t gap_start(const struct disc *d, int i)
{
    return i == 0 ? 0 : d->m[i].gap + d->offset;
}

static const char *flags(const struct track *t)
{
    return t->copy && t->emphasis ? "DCP PRE" : t->copy ? "DCP" : t->emphasis ? "PRE" : "-";
}

static bool finish(FILE *f, char *err, size_t errlen)
{
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "cannot write the PQ sheet");
        return false;
    }
    return true;
}

bool pqsheet_write(FILE *f, const struct session *s, const struct timeline *tl,
                   char *err, size_t errlen)
{
    struct disc d;
    if (!disc_read(s, tl, &d, err, errlen))
        return false;
    const struct cdtext *a = &s->album.text;
    fprintf(f, "PQ sheet\n\n");
    fprintf(f, "Title:      %s\n", a->title ? a->title : "-");
    fprintf(f, "Performer:  %s\n", a->performer ? a->performer : "-");
    fprintf(f, "UPC/EAN:    %s\n", d.ean[0] ? d.ean : "-");
    fprintf(f, "Tracks:     %d\n", s->ntracks);
    char t0[CUESHEET_MSF_LEN], t1[CUESHEET_MSF_LEN], t2[CUESHEET_MSF_LEN];
    cuesheet_msf(d.offset, t0);
    fprintf(f, "Times:      absolute CD time, mm:ss:ff (75 frames a second); "
            "the album WAV starts at %s\n\n", t0);
    fprintf(f, "%-5s  %-5s  %-8s  %-8s  %-8s  %-12s  %-7s  %s\n",
            "Track", "Index", "Start", "Length", "Pregap", "ISRC", "Flags", "Title");
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct cue_marks *m = &d.m[i];
        int64_t gap = gap_start(&d, i), start = m->start + d.offset;
        if (gap < start) {
            cuesheet_msf(gap, t0);
            fprintf(f, "%02d     00     %s\n", i + 1, t0);
        }
        cuesheet_msf(start, t0);
        cuesheet_msf(m->next - m->start, t1);
        cuesheet_msf(start - gap, t2);
        fprintf(f, "%02d     01     %s  %s  %s  %-12s  %-7s  %s\n", i + 1, t0, t1, t2,
                t->isrc ? t->isrc : "-", flags(t), t->text.title ? t->text.title : "");
        for (int k = 0; k < m->nindex; k++) {
            cuesheet_msf(m->index[k] + d.offset, t0);
            fprintf(f, "%02d     %02d     %s\n", i + 1, k + 2, t0);
        }
    }
    const struct cue_marks *last = &d.m[s->ntracks - 1];
    cuesheet_msf(last->next + d.offset, t0);
    cuesheet_msf(last->next - d.m[0].start, t1);
    fprintf(f, "\nLead-out:      %s\n", t0);
    fprintf(f, "Playing time:  %s  (track 1 index 01 to the lead-out)\n", t1);
    free(d.m);
    return finish(f, err, errlen);
}

static void json_string(FILE *f, const char *v)
{
    if (!v) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

static void json_time(FILE *f, const char *key, int64_t frames)
{
    char t[CUESHEET_MSF_LEN];
    cuesheet_msf(frames, t);
    fprintf(f, "\"%s\": \"%s\"", key, t);
}

static void json_index(FILE *f, int index, int64_t frames, bool first)
{
    fprintf(f, "%s{\"index\": %d, ", first ? "" : ", ", index);
    json_time(f, "start", frames);
    fprintf(f, ", \"frame\": %lld}", (long long)frames);
}

bool pqsheet_write_json(FILE *f, const struct session *s, const struct timeline *tl,
                        char *err, size_t errlen)
{
    struct disc d;
    if (!disc_read(s, tl, &d, err, errlen))
        return false;
    fputs("{\"title\": ", f);
    json_string(f, s->album.text.title);
    fputs(", \"performer\": ", f);
    json_string(f, s->album.text.performer);
    fputs(", \"upc\": ", f);
    json_string(f, d.ean[0] ? d.ean : NULL);
    fprintf(f, ", \"offset\": %lld, \"tracks\": [", (long long)d.offset);
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct cue_marks *m = &d.m[i];
        int64_t gap = gap_start(&d, i);
        fprintf(f, "%s\n  {\"track\": %d, \"title\": ", i ? "," : "", i + 1);
        json_string(f, t->text.title);
        fputs(", \"performer\": ", f);
        json_string(f, t->text.performer);
        fputs(", \"isrc\": ", f);
        json_string(f, t->isrc);
        fprintf(f, ", \"copy\": %s, \"emphasis\": %s, ", t->copy ? "true" : "false",
                t->emphasis ? "true" : "false");
        json_time(f, "pregap", m->start + d.offset - gap);
        fputs(", ", f);
        json_time(f, "length", m->next - m->start);
        fputs(", \"indexes\": [", f);
        if (gap < m->start + d.offset)
            json_index(f, 0, gap, true);
        json_index(f, 1, m->start + d.offset, gap == m->start + d.offset);
        for (int k = 0; k < m->nindex; k++)
            json_index(f, k + 2, m->index[k] + d.offset, false);
        fputs("]}", f);
    }
    const struct cue_marks *last = &d.m[s->ntracks - 1];
    fputs("\n], \"leadout\": {", f);
    json_time(f, "start", last->next + d.offset);
    fprintf(f, ", \"frame\": %lld}, ", (long long)(last->next + d.offset));
    json_time(f, "playing_time", last->next - d.m[0].start);
    fputs("}\n", f);
    free(d.m);
    return finish(f, err, errlen);
}

struct pq_job {
    const struct session *s;
    const struct timeline *tl;
};

static bool pq_writer(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct pq_job *j = ctx;
    return pqsheet_write(f, j->s, j->tl, err, errlen);
}

bool pqsheet_save(const char *path, const struct session *s, const struct timeline *tl,
                  char *err, size_t errlen)
{
    struct pq_job j = { s, tl };
    return text_save(path, pq_writer, &j, err, errlen);
}
