/* SPDX-License-Identifier: MIT */
/* The QC rules of `lathe check`: every problem the plant, a player or a
 * distributor would trip over, with the figures that show it. */
#include "session/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/codes.h"

void problems_add(struct problems *p, enum severity sev, int track, const char *code,
                  const char *fmt, ...)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 32;
        struct problem *grown = realloc(p->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return;
        p->items = grown;
        p->cap = cap;
    }
    struct problem *it = &p->items[p->n++];
    it->severity = sev;
    it->track = track;
    it->code = code;
    it->output = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
    if (sev == SEV_ERROR)
        p->errors++;
    else
        p->warnings++;
}

void problems_free(struct problems *p)
{
    free(p->items);
    memset(p, 0, sizeof *p);
}

static void check_text(struct problems *p, int track, const char *field, const char *v)
{
    if (!v)
        return;
    size_t bad;
    if (!text_latin1_ok(v, &bad)) {
        char ch[8] = { 0 };
        int len = 1;
        unsigned char c = (unsigned char)v[bad];
        len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        memcpy(ch, v + bad, (size_t)len);
        problems_add(p, SEV_ERROR, track, "cdtext-charset",
            "CD-Text %s \"%s\": \"%s\" is not in Latin-1 (ISO-8859-1), which CD-Text uses",
            field, v, ch);
    }
    if (text_latin1_length(v) > RULE_MAX_CDTEXT_FIELD)
        problems_add(p, SEV_WARNING, track, "cdtext-long",
            "CD-Text %s is %zu characters; players show about 80", field, text_latin1_length(v));
}

/* Packs one CD-Text type takes: disc string and every track's, NUL-ended,
 * in 12-byte payloads (standards §2.3). */
static int cdtext_packs(const struct session *s, size_t field_offset)
{
    size_t bytes = 0;
    bool any = false;
    const char *disc = *(char *const *)((const char *)&s->album.text + field_offset);
    any |= disc != NULL;
    bytes += (disc ? text_latin1_length(disc) : 0) + 1;
    for (int i = 0; i < s->ntracks; i++) {
        const char *v = *(char *const *)((const char *)&s->tracks[i].text + field_offset);
        any |= v != NULL;
        bytes += (v ? text_latin1_length(v) : 0) + 1;
    }
    return any ? (int)((bytes + 11) / 12) : 0;
}

static void check_cdtext(const struct session *s, struct problems *p)
{
    static const struct { const char *name; size_t off; } fields[] = {
        { "title", offsetof(struct cdtext, title) },
        { "performer", offsetof(struct cdtext, performer) },
        { "songwriter", offsetof(struct cdtext, songwriter) },
        { "composer", offsetof(struct cdtext, composer) },
        { "arranger", offsetof(struct cdtext, arranger) },
        { "message", offsetof(struct cdtext, message) },
    };
    int packs = 0;
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        check_text(p, 0, fields[f].name, *(char *const *)((const char *)&s->album.text + fields[f].off));
        for (int i = 0; i < s->ntracks; i++)
            check_text(p, i + 1, fields[f].name,
                       *(char *const *)((const char *)&s->tracks[i].text + fields[f].off));
        packs += cdtext_packs(s, fields[f].off);
    }
    check_text(p, 0, "genre", s->album.genre);
    bool codes = s->album.upc != NULL;
    for (int i = 0; i < s->ntracks; i++)
        codes |= s->tracks[i].isrc != NULL;
    if (packs > 0 && codes)     /* type 0x8E: a 13-digit UPC, then 12-character ISRCs */
        packs += (14 + 13 * s->ntracks + 11) / 12;
    if (packs > 0)
        packs += 3;             /* the size information */
    if (packs > RULE_MAX_CDTEXT_PACKS)
        problems_add(p, SEV_ERROR, 0, "cdtext-size",
            "CD-Text needs about %d packs; a CD holds %d per language — shorten the texts",
            packs, RULE_MAX_CDTEXT_PACKS);
    if (genre_code(s->album.genre) == 1)
        problems_add(p, SEV_WARNING, 0, "genre-unknown",
            "genre \"%s\" is not a CD-Text genre: the disc says \"not defined\" with this text; "
            "CD-Text knows pop, rock, jazz, classical, hip hop, r&b and 20 more", s->album.genre);
}

static void check_codes(const struct session *s, struct problems *p)
{
    const char *upc = s->album.upc;
    if (upc) {
        if (!upc_length_ok(upc))
            problems_add(p, SEV_ERROR, 0, "upc-format",
                "UPC/EAN \"%s\" has %zu digits — expected 13 (EAN-13) or 12 (UPC-A)", upc, strlen(upc));
        else if (!upc_check_ok(upc)) {
            char ean[14];
            snprintf(ean, sizeof ean, "%s%s", strlen(upc) == 12 ? "0" : "", upc);
            problems_add(p, SEV_ERROR, 0, "upc-check",
                "UPC/EAN \"%s\": check digit %c is wrong — expected %d", upc,
                upc[strlen(upc) - 1], ean13_check_digit(ean));
        }
    }
    for (int i = 0; i < s->ntracks; i++) {
        const char *isrc = s->tracks[i].isrc;
        if (!isrc)
            continue;
        if (!isrc_valid(isrc)) {
            problems_add(p, SEV_ERROR, i + 1, "isrc-format",
                "ISRC \"%s\" is malformed — expected CC-XXX-YY-NNNNN, like GBABC2600001", isrc);
            continue;
        }
        for (int j = 0; j < i; j++)
            if (s->tracks[j].isrc && strcmp(s->tracks[j].isrc, isrc) == 0) {
                problems_add(p, SEV_ERROR, i + 1, "isrc-duplicate",
                    "ISRC %s is also on track %d — every recording needs its own", isrc, j + 1);
                break;
            }
    }
}

static void check_mixes(const struct session *s, struct problems *p)
{
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        if (t->mix.probed && !t->mix.ok)
            problems_add(p, SEV_ERROR, i + 1, "mix-unreadable", "%s", t->mix.error);
        else if (t->mix.ok && t->mix.channels > 2)
            problems_add(p, SEV_WARNING, i + 1, "mix-channels",
                "%s has %d channels; CD and stereo outputs take the first two", t->file,
                t->mix.channels);
    }
    for (int i = 0; i < s->nrefs; i++)
        if (s->refs[i].mix.probed && !s->refs[i].mix.ok)
            problems_add(p, SEV_WARNING, 0, "reference-unreadable", "reference %s", s->refs[i].mix.error);
}

static void check_timing(const struct session *s, const struct timeline *tl, struct problems *p)
{
    double rate = tl->rate;
    if (s->ntracks == 0) {
        problems_add(p, SEV_ERROR, 0, "no-tracks", "the session has no tracks");
        return;
    }
    if (s->ntracks > RULE_MAX_TRACKS)
        problems_add(p, SEV_ERROR, 0, "too-many-tracks", "%d tracks — a CD holds at most %d",
            s->ntracks, RULE_MAX_TRACKS);
    const struct timeline_track *first = &tl->tracks[0];
    if (first->index1 - first->index0 < RULE_MIN_PREGAP * rate - 0.5)
        problems_add(p, SEV_ERROR, 1, "pregap-short",
            "the pregap before track 1 is %.2f s — a CD needs at least 2 s",
            (first->index1 - first->index0) / rate);
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct timeline_track *tt = &tl->tracks[i];
        if (!tt->length_known)
            continue;
        double len = (tt->next_index1 - tt->index1) / rate;
        bool next_known = i + 1 >= s->ntracks || tl->tracks[i + 1].length_known;
        if (len < RULE_MIN_TRACK && next_known)
            problems_add(p, SEV_ERROR, i + 1, "track-short",
                "track is %.2f s long — a CD track needs at least 4 s", len);
        if (i > 0 && t->has_gap && stime_samples(t->gap, tl->rate) > 0 &&
            stime_samples(t->crossfade, tl->rate) > 0)
            problems_add(p, SEV_ERROR, i + 1, "gap-and-crossfade",
                "both a gap and a crossfade — a track either follows a gap or overlaps");
        if (t->trim_out.seconds > 0 || t->trim_out.in_samples) {
            int64_t out = stime_samples(t->trim_out, t->mix.rate);
            int64_t in = stime_samples(t->trim_in, t->mix.rate);
            if (out <= in)
                problems_add(p, SEV_ERROR, i + 1, "trim", "trim-out is not after trim-in");
            else if (t->mix.ok && out > t->mix.frames)
                problems_add(p, SEV_WARNING, i + 1, "trim", "trim-out is past the end of the mix (%.2f s)",
                    (double)t->mix.frames / t->mix.rate);
        }
        int64_t xf = stime_samples(t->crossfade, tl->rate);
        if (i == 0 && xf > 0)
            problems_add(p, SEV_ERROR, 1, "crossfade-first",
                "a crossfade on track 1, which has nothing before it to overlap");
        /* a mix that cannot be read has no length to compare with: its own
         * error says so */
        if (i > 0 && xf > 0 && tl->tracks[i - 1].length_known &&
            (xf > tl->tracks[i - 1].audio_length || xf > tt->audio_length))
            problems_add(p, SEV_ERROR, i + 1, "crossfade-long",
                "the crossfade of %.2f s is longer than this track or the one before it", xf / rate);
        if (t->mix.ok && stime_samples(t->trim_in, t->mix.rate) >= t->mix.frames)
            problems_add(p, SEV_ERROR, i + 1, "trim", "trim-in is past the end of the mix (%.2f s)",
                (double)t->mix.frames / t->mix.rate);
        if (tt->fade_in + tt->fade_out > tt->audio_length && tt->audio_length > 0)
            problems_add(p, SEV_WARNING, i + 1, "fades-long", "fade-in and fade-out together are longer than the track");
        for (int k = 0; k < tt->nextra; k++) {
            int64_t prev = k ? tt->extra_index[k - 1] : tt->index1;
            if (tt->extra_index[k] <= prev || tt->extra_index[k] >= tt->next_index1)
                problems_add(p, SEV_ERROR, i + 1, "index-order",
                    "index %02d is not inside the track after the index before it", k + 2);
        }
    }
    double total = (double)tl->end / rate;
    int mm = (int)(total / 60), ss = (int)total % 60;
    if (total > RULE_MAX_TOTAL)
        problems_add(p, SEV_ERROR, 0, "too-long", "the album is %d:%02d — a CD holds at most 79:57", mm, ss);
    else if (total > RULE_WARN_TOTAL)
        problems_add(p, SEV_WARNING, 0, "long", "the album is %d:%02d — over 74:00, some plants refuse it",
            mm, ss);
}

bool rules_check(const struct session *s, const struct timeline *tl, struct problems *out)
{
    check_mixes(s, out);
    check_timing(s, tl, out);
    check_codes(s, out);
    check_cdtext(s, out);
    return true;
}
