/* SPDX-License-Identifier: MIT */
/* The CD-Text pack encoder and decoder (standards §2.1-§2.5).
 *
 * A text type is one byte stream: the disc's string and each track's, every
 * one closed by a NUL, cut into 12-byte payloads. The pack header names the
 * string that owns payload byte 0 and how many of its characters came
 * earlier, so a reader can start anywhere; the size record at the end
 * counts the packs so a reader can tell a file is whole. */
#include "audio/cdtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/codes.h"

#define PAYLOAD 12
#define TYPE_TITLE 0x80
#define TYPE_GENRE 0x87
#define TYPE_SIZE 0x8F
#define LANGUAGE_ENGLISH 0x09

static const char *const field_names[CDTEXT_NFIELDS] = {
    "title", "performer", "songwriter", "composer", "arranger", "message",
};

const char *cdtext_field_name(enum cdtext_field f)
{
    return f >= 0 && f < CDTEXT_NFIELDS ? field_names[f] : "?";
}

uint16_t cdtext_crc(const uint8_t *b, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(b[i] << 8);
        for (int k = 0; k < 8; k++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc ^ 0xFFFF;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

static const char *session_field(const struct cdtext *t, int f)
{
    switch (f) {
    case CDTEXT_TITLE: return t->title;
    case CDTEXT_PERFORMER: return t->performer;
    case CDTEXT_SONGWRITER: return t->songwriter;
    case CDTEXT_COMPOSER: return t->composer;
    case CDTEXT_ARRANGER: return t->arranger;
    default: return t->message;
    }
}

bool cdtext_from_session(const struct session *s, struct cdtext_disc *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    if (s->ntracks < 1 || s->ntracks > CDTEXT_MAX_TRACKS) {
        snprintf(err, errlen, "CD-Text holds 1 to %d tracks; the session has %d",
                 CDTEXT_MAX_TRACKS, s->ntracks);
        return false;
    }
    d->ntracks = s->ntracks;
    bool ok = true;
    for (int f = 0; f < CDTEXT_NFIELDS; f++) {
        const char *disc = session_field(&s->album.text, f);
        d->text[0][f] = dup_or_null(disc);
        ok &= !disc || !*disc || d->text[0][f];
        for (int i = 0; i < s->ntracks; i++) {
            const char *v = session_field(&s->tracks[i].text, f);
            if ((!v || !*v) && f == CDTEXT_PERFORMER)
                v = disc;
            d->text[i + 1][f] = dup_or_null(v);
            ok &= !v || !*v || d->text[i + 1][f];
        }
    }
    d->genre = genre_code(s->album.genre);
    d->genre_text = d->genre ? dup_or_null(s->album.genre) : NULL;
    if (!ok || (d->genre && !d->genre_text)) {
        cdtext_disc_free(d);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

bool cdtext_is_empty(const struct cdtext_disc *d)
{
    if (d->genre)
        return false;
    for (int t = 0; t <= d->ntracks && t <= CDTEXT_MAX_TRACKS; t++)
        for (int f = 0; f < CDTEXT_NFIELDS; f++)
            if (d->text[t][f] && *d->text[t][f])
                return false;
    return true;
}

void cdtext_disc_free(struct cdtext_disc *d)
{
    for (int t = 0; t <= CDTEXT_MAX_TRACKS; t++)
        for (int f = 0; f < CDTEXT_NFIELDS; f++)
            free(d->text[t][f]);
    free(d->genre_text);
    memset(d, 0, sizeof *d);
}

/* ---- encoding ---- */

/* A growing byte stream with the owning string of every byte. */
struct stream {
    uint8_t *bytes;
    uint8_t *owner;         /* track number owning each byte */
    uint8_t *pos;           /* characters of the owner before each byte, capped at 15 */
    size_t n, cap;
};

static bool stream_put(struct stream *st, uint8_t b, int owner, size_t pos)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 256;
        uint8_t *nb = realloc(st->bytes, cap), *no, *np;
        if (!nb)
            return false;
        st->bytes = nb;
        if (!(no = realloc(st->owner, cap)))
            return false;
        st->owner = no;
        if (!(np = realloc(st->pos, cap)))
            return false;
        st->pos = np;
        st->cap = cap;
    }
    st->bytes[st->n] = b;
    st->owner[st->n] = (uint8_t)owner;
    st->pos[st->n] = (uint8_t)(pos > 15 ? 15 : pos);
    st->n++;
    return true;
}

static void where(char *buf, size_t len, int track)
{
    if (track == 0)
        snprintf(buf, len, "of the album");
    else
        snprintf(buf, len, "of track %d", track);
}

/* Appends UTF-8 text as Latin-1 and its NUL; false with a message when a
 * character has no Latin-1 form or is a control character. */
static bool put_latin1(struct stream *st, const char *text, const char *field, int track,
                       char *err, size_t errlen)
{
    const unsigned char *u = (const unsigned char *)(text ? text : "");
    size_t chars = 0;
    char at[32];
    for (size_t i = 0; u[i];) {
        unsigned c = u[i];
        int len = 1;
        if (c >= 0x80) {
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            bool valid = c >= 0xC2 && c <= 0xF4;
            for (int k = 1; k < len && valid; k++)
                valid = (u[i + k] & 0xC0) == 0x80;
            if (!valid) {
                where(at, sizeof at, track);
                snprintf(err, errlen, "CD-Text %s %s \"%s\" is not valid UTF-8", field, at, text);
                return false;
            }
            if (len == 2 && (c == 0xC2 || c == 0xC3))
                c = ((c & 0x1F) << 6) | (u[i + 1] & 0x3F);
            else
                c = 0x100;  /* beyond Latin-1 */
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
            where(at, sizeof at, track);
            snprintf(err, errlen, "CD-Text %s %s \"%s\" contains a control character (U+%04X), "
                     "which CD-Text cannot carry", field, at, text, c);
            return false;
        }
        if (c > 0xFF) {
            where(at, sizeof at, track);
            snprintf(err, errlen, "CD-Text %s %s \"%s\": \"%.*s\" is not in Latin-1 (ISO-8859-1), "
                     "the only character set lathe writes to CD-Text; spell it in Latin-1",
                     field, at, text, len, (const char *)u + i);
            return false;
        }
        if (!stream_put(st, (uint8_t)c, track, chars++)) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        i += (size_t)len;
    }
    if (!stream_put(st, 0, track, chars)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

struct packer {
    uint8_t *out;
    size_t npacks, cap;
    int count[16];          /* packs per type 0x80..0x8F */
};

static bool emit(struct packer *pk, uint8_t type, uint8_t track, uint8_t pos, const uint8_t *payload)
{
    if (pk->npacks == pk->cap) {
        size_t cap = pk->cap ? pk->cap * 2 : 32;
        uint8_t *grown = realloc(pk->out, cap * CDTEXT_PACK_BYTES);
        if (!grown)
            return false;
        pk->out = grown;
        pk->cap = cap;
    }
    uint8_t *p = pk->out + pk->npacks * CDTEXT_PACK_BYTES;
    p[0] = type;
    p[1] = track;
    p[2] = (uint8_t)pk->npacks;     /* sequence; refused before it wraps */
    p[3] = pos;                     /* single-byte characters, block 0 */
    memcpy(p + 4, payload, PAYLOAD);
    uint16_t crc = cdtext_crc(p, 16);
    p[16] = (uint8_t)(crc >> 8);
    p[17] = (uint8_t)crc;
    pk->npacks++;
    pk->count[type & 0x0F]++;
    return true;
}

/* Cuts a type's stream into packs; the last payload is filled with NULs. */
static bool emit_stream(struct packer *pk, uint8_t type, const struct stream *st)
{
    for (size_t at = 0; at < st->n; at += PAYLOAD) {
        uint8_t payload[PAYLOAD] = { 0 };
        size_t n = st->n - at < PAYLOAD ? st->n - at : PAYLOAD;
        memcpy(payload, st->bytes + at, n);
        if (!emit(pk, type, st->owner[at], st->pos[at], payload))
            return false;
    }
    return true;
}

static bool field_present(const struct cdtext_disc *d, int f)
{
    for (int t = 0; t <= d->ntracks; t++)
        if (d->text[t][f] && *d->text[t][f])
            return true;
    return false;
}

bool cdtext_encode(const struct cdtext_disc *d, uint8_t **out, size_t *len,
                   char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    if (d->ntracks < 1 || d->ntracks > CDTEXT_MAX_TRACKS) {
        snprintf(err, errlen, "CD-Text holds 1 to %d tracks, not %d", CDTEXT_MAX_TRACKS, d->ntracks);
        return false;
    }
    if (cdtext_is_empty(d))
        return true;
    struct packer pk = { 0 };
    struct stream st = { 0 };
    bool ok = true;
    for (int f = 0; f < CDTEXT_NFIELDS && ok; f++) {
        if (!field_present(d, f))
            continue;
        st.n = 0;
        for (int t = 0; t <= d->ntracks && ok; t++)
            ok = put_latin1(&st, d->text[t][f], field_names[f], t, err, errlen);
        if (ok && !(ok = emit_stream(&pk, (uint8_t)(TYPE_TITLE + f), &st)))
            snprintf(err, errlen, "out of memory");
    }
    if (ok && d->genre) {
        st.n = 0;
        ok = stream_put(&st, (uint8_t)(d->genre >> 8), 0, 0) &&
             stream_put(&st, (uint8_t)d->genre, 0, 0);
        if (!ok)
            snprintf(err, errlen, "out of memory");
        else if ((ok = put_latin1(&st, d->genre_text, "genre", 0, err, errlen)) &&
                 !(ok = emit_stream(&pk, TYPE_GENRE, &st)))
            snprintf(err, errlen, "out of memory");
    }
    free(st.bytes);
    free(st.owner);
    free(st.pos);
    if (ok && pk.npacks > CDTEXT_MAX_TEXT_PACKS) {
        snprintf(err, errlen, "CD-Text needs %zu packs; one language block holds at most %d "
                 "(plus 3 for its size) — shorten the texts", pk.npacks, CDTEXT_MAX_TEXT_PACKS);
        ok = false;
    }
    if (ok) {
        uint8_t size[3 * PAYLOAD] = { 0 };
        size[0] = 0x00;                     /* ISO-8859-1 */
        size[1] = 1;
        size[2] = (uint8_t)d->ntracks;
        size[3] = 0;                        /* not copyrighted */
        pk.count[0x0F] = 3;
        for (int k = 0; k < 16; k++)
            size[4 + k] = (uint8_t)pk.count[k];
        size[20] = (uint8_t)(pk.npacks + 2);  /* the sequence of the last size pack */
        size[28] = LANGUAGE_ENGLISH;
        pk.count[0x0F] = 0;
        for (int k = 0; k < 3 && ok; k++)
            ok = emit(&pk, TYPE_SIZE, (uint8_t)k, 0, size + k * PAYLOAD);
        if (!ok)
            snprintf(err, errlen, "out of memory");
    }
    if (!ok) {
        free(pk.out);
        return false;
    }
    *out = pk.out;
    *len = pk.npacks * CDTEXT_PACK_BYTES;
    return true;
}

/* ---- decoding ---- */

static void report(cdtext_problem_fn fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(cdtext_problem_fn fn, void *ctx, const char *fmt, ...)
{
    if (!fn)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fn(ctx, msg);
}

static char *latin1_to_utf8(const uint8_t *s, size_t n)
{
    char *out = malloc(n * 2 + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            out[k++] = (char)s[i];
        } else {
            out[k++] = (char)(0xC0 | (s[i] >> 6));
            out[k++] = (char)(0x80 | (s[i] & 0x3F));
        }
    }
    out[k] = 0;
    return out;
}

static const char *type_name(int type)
{
    static const char *const names[16] = {
        "title", "performer", "songwriter", "composer", "arranger", "message",
        "disc id", "genre", "TOC", "TOC 2", "reserved", "reserved", "reserved",
        "closed info", "UPC/ISRC", "size",
    };
    return type >= 0x80 && type <= 0x8F ? names[type - 0x80] : "unknown";
}

/* Splits a text type's bytes into strings from track `first` on. */
static void split_strings(struct cdtext_disc *d, int f, const uint8_t *bytes, size_t n, int first)
{
    int track = first;
    size_t start = 0;
    for (size_t i = 0; i < n && track <= CDTEXT_MAX_TRACKS; i++) {
        if (bytes[i] != 0)
            continue;
        size_t len = i - start;
        if (len == 1 && bytes[start] == '\t' && track > 0) {
            /* the shortcut for "same as the previous track" */
            const char *prev = d->text[track - 1][f];
            free(d->text[track][f]);
            d->text[track][f] = prev ? strdup(prev) : NULL;
        } else if (len > 0) {
            free(d->text[track][f]);
            d->text[track][f] = latin1_to_utf8(bytes + start, len);
        }
        track++;
        start = i + 1;
    }
}

bool cdtext_decode(const uint8_t *buf, size_t len, struct cdtext_disc *d,
                   cdtext_problem_fn problem, void *ctx)
{
    memset(d, 0, sizeof *d);
    size_t npacks = len / CDTEXT_PACK_BYTES;
    if (npacks == 0)
        return false;
    /* per type: the payload bytes of block 0 in file order, and the first owner */
    uint8_t *bytes[16] = { 0 };
    size_t nbytes[16] = { 0 };
    int first[16], count[16] = { 0 };
    uint8_t size[3 * PAYLOAD];
    bool size_seen[3] = { false, false, false };
    int max_track = 0, last_seq = -1, expect_seq = 0;
    bool double_byte_said = false;
    for (int k = 0; k < 16; k++)
        first[k] = -1;
    for (size_t i = 0; i < npacks; i++) {
        const uint8_t *p = buf + i * CDTEXT_PACK_BYTES;
        uint16_t crc = cdtext_crc(p, 16);
        uint16_t stored = (uint16_t)(p[16] << 8 | p[17]);
        int type = p[0], block = (p[3] >> 4) & 7;
        if (crc != stored)
            report(problem, ctx, "pack %zu (%s): CRC %04x does not match its bytes (expected %04x)",
                   i + 1, type_name(type), stored, crc);
        if (type < 0x80 || type > 0x8F) {
            report(problem, ctx, "pack %zu: type 0x%02x is not a CD-Text pack type", i + 1, type);
            continue;
        }
        if (block != 0)
            continue;       /* other languages: not read */
        if (p[3] & 0x80) {
            if (!double_byte_said)
                report(problem, ctx, "pack %zu: double-byte text, which lathe does not read", i + 1);
            double_byte_said = true;
            continue;
        }
        if (p[2] != expect_seq)
            report(problem, ctx, "pack %zu (%s): sequence number %d, expected %d",
                   i + 1, type_name(type), p[2], expect_seq);
        expect_seq = p[2] + 1;
        last_seq = p[2];
        int t = type & 0x0F;
        count[t]++;
        if (type == TYPE_SIZE) {
            if (p[1] > 2)
                report(problem, ctx, "pack %zu (size): part %d, expected 0 to 2", i + 1, p[1]);
            else {
                memcpy(size + p[1] * PAYLOAD, p + 4, PAYLOAD);
                size_seen[p[1]] = true;
            }
            continue;
        }
        if (first[t] < 0)
            first[t] = p[1];
        if (type < 0x86 && p[1] > max_track)
            max_track = p[1];
        uint8_t *grown = realloc(bytes[t], nbytes[t] + PAYLOAD);
        if (!grown)
            continue;
        bytes[t] = grown;
        memcpy(bytes[t] + nbytes[t], p + 4, PAYLOAD);
        nbytes[t] += PAYLOAD;
    }
    /* a trailing partial pack (len % 18) is a stray byte some writers leave: ignored */
    bool sized = size_seen[0] && size_seen[1] && size_seen[2];
    if (sized) {
        if (size[0] != 0x00 && size[0] != 0x01)
            report(problem, ctx, "size information: character code 0x%02x; lathe reads only "
                   "ISO-8859-1 and ASCII", size[0]);
        d->ntracks = size[2] >= 1 && size[2] <= CDTEXT_MAX_TRACKS ? size[2] : max_track;
        if (size[1] > size[2] || size[2] > CDTEXT_MAX_TRACKS)
            report(problem, ctx, "size information: tracks %d to %d", size[1], size[2]);
        for (int k = 0; k < 16; k++)
            if (size[4 + k] != count[k])
                report(problem, ctx, "size information counts %d %s pack%s; the file has %d",
                       size[4 + k], type_name(0x80 + k), size[4 + k] == 1 ? "" : "s", count[k]);
        if (size[20] != last_seq)
            report(problem, ctx, "size information: last sequence number %d; the file's is %d",
                   size[20], last_seq);
    } else {
        report(problem, ctx, "no complete size information (packs 0x8f)");
        d->ntracks = max_track;
    }
    if (d->ntracks < 1)
        d->ntracks = 1;
    for (int f = 0; f < CDTEXT_NFIELDS; f++)
        if (bytes[f])
            split_strings(d, f, bytes[f], nbytes[f], first[f]);
    int g = TYPE_GENRE & 0x0F;
    if (bytes[g] && nbytes[g] >= 2) {
        d->genre = bytes[g][0] << 8 | bytes[g][1];
        size_t n = 0;
        while (2 + n < nbytes[g] && bytes[g][2 + n])
            n++;
        d->genre_text = n ? latin1_to_utf8(bytes[g] + 2, n) : NULL;
    }
    for (int k = 0; k < 16; k++)
        free(bytes[k]);
    return true;
}
