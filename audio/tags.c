/* SPDX-License-Identifier: MIT */
/* Tags libsndfile cannot write, added to finished files (see tags.h). */
#include "audio/tags.h"

#include <FLAC/metadata.h>
#include <errno.h>
#include <fcntl.h>
#include <ogg/ogg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vorbis/codec.h>

static bool set(const char *s)
{
    return s && *s;
}

/* One code point from UTF-8 at *p; malformed bytes give U+FFFD. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
          : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *p = s + 1;
        return 0xFFFD;
    }
    c &= n == 0 ? 0x7F : 0x3F >> n;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return 0xFFFD;
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    *p = s + n + 1;
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    return c;
}

void tags_latin1(char *dst, size_t max, const char *src)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)(src ? src : "");
    while (*p && n < max) {
        uint32_t c = utf8_next(&p);
        dst[n++] = (char)(c < 0x100 ? c : '?');
    }
    dst[n] = 0;
}

uint32_t tags_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* Flushes a rewritten file to disk and puts it in place of `path`. */
static bool replace_with(FILE *out, const char *tmp, const char *path, char *err, size_t errlen)
{
    bool ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
    int saved = errno;
    if (fclose(out) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "%s: %s", path, strerror(saved));
        unlink(tmp);
    }
    return ok;
}

/* ---- FLAC ---- */

bool tags_flac_add(const char *path, const char *name, const char *value,
                   char *err, size_t errlen)
{
    FLAC__Metadata_Chain *chain = FLAC__metadata_chain_new();
    FLAC__Metadata_Iterator *it = FLAC__metadata_iterator_new();
    bool ok = false;
    if (!chain || !it) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    if (!FLAC__metadata_chain_read(chain, path))
        goto chain_error;
    FLAC__metadata_iterator_init(it, chain);
    FLAC__StreamMetadata *vc = NULL;
    do {
        if (FLAC__metadata_iterator_get_block_type(it) == FLAC__METADATA_TYPE_VORBIS_COMMENT)
            vc = FLAC__metadata_iterator_get_block(it);
    } while (!vc && FLAC__metadata_iterator_next(it));
    if (!vc) {
        /* none yet: one after the last block */
        vc = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
        if (!vc || !FLAC__metadata_iterator_insert_block_after(it, vc)) {
            FLAC__metadata_object_delete(vc);
            snprintf(err, errlen, "%s: out of memory", path);
            goto done;
        }
    }
    FLAC__StreamMetadata_VorbisComment_Entry entry;
    if (!FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(&entry, name, value)) {
        snprintf(err, errlen, "%s: cannot make the tag %s=%s", path, name, value);
        goto done;
    }
    if (!FLAC__metadata_object_vorbiscomment_append_comment(vc, entry, false)) {
        free(entry.entry);
        snprintf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    /* Grows the metadata; without padding to take it from, libFLAC
     * rewrites the file through a temporary file beside it. */
    if (!FLAC__metadata_chain_write(chain, true, false))
        goto chain_error;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto done;
    }
    close(fd);
    ok = true;
    goto done;
chain_error:
    snprintf(err, errlen, "%s: cannot write the FLAC tags (%s)", path,
             FLAC__Metadata_ChainStatusString[FLAC__metadata_chain_status(chain)]);
done:
    FLAC__metadata_iterator_delete(it);
    FLAC__metadata_chain_delete(chain);
    return ok;
}

/* ---- Ogg Vorbis ---- */

struct ogg_rewrite {
    FILE *in, *out;
    ogg_sync_state sync;
    ogg_stream_state is, os;
    bool is_init, os_init;
    vorbis_info vi;
    vorbis_comment vc;
    ogg_packet head[3];         /* copies: identification, comment, setup */
    int nhead;
    long pages_in, pages_out;   /* header pages read and written */
};

static bool write_page(struct ogg_rewrite *r, const ogg_page *pg)
{
    return fwrite(pg->header, 1, (size_t)pg->header_len, r->out) == (size_t)pg->header_len &&
           fwrite(pg->body, 1, (size_t)pg->body_len, r->out) == (size_t)pg->body_len;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The three header packets, with the new comment, on pages of their own. */
static bool write_headers(struct ogg_rewrite *r, uint32_t serial, const char *isrc)
{
    if (set(isrc))
        vorbis_comment_add_tag(&r->vc, "ISRC", isrc);
    ogg_packet comment;
    if (vorbis_commentheader_out(&r->vc, &comment) != 0)
        return false;
    ogg_stream_init(&r->os, (int)serial);
    r->os_init = true;
    ogg_stream_packetin(&r->os, &r->head[0]);
    ogg_stream_packetin(&r->os, &comment);
    ogg_stream_packetin(&r->os, &r->head[2]);
    ogg_packet_clear(&comment);
    ogg_page pg;
    while (ogg_stream_flush(&r->os, &pg)) {
        if (!write_page(r, &pg))
            return false;
        r->pages_out++;
    }
    return true;
}

static bool read_header_page(struct ogg_rewrite *r, ogg_page *pg, const char **why)
{
    if (!r->is_init) {
        ogg_stream_init(&r->is, ogg_page_serialno(pg));
        r->is_init = true;
    }
    if (ogg_stream_pagein(&r->is, pg) != 0) {
        *why = "a header page of another stream";
        return false;
    }
    r->pages_in++;
    ogg_packet op;
    while (r->nhead < 3 && ogg_stream_packetout(&r->is, &op) == 1) {
        if (vorbis_synthesis_headerin(&r->vi, &r->vc, &op) != 0) {
            *why = "not a Vorbis header";
            return false;
        }
        ogg_packet *h = &r->head[r->nhead++];
        *h = op;
        h->packet = malloc((size_t)op.bytes);
        if (!h->packet) {
            *why = "out of memory";
            return false;
        }
        memcpy(h->packet, op.packet, (size_t)op.bytes);
    }
    /* Audio must start on a page of its own, as libsndfile writes it,
     * for the pages after the headers to be copied as they are. */
    if (r->nhead == 3 && ogg_stream_packetpeek(&r->is, NULL) == 1) {
        *why = "audio on a header page";
        return false;
    }
    return true;
}

bool tags_ogg_finish(const char *path, uint32_t serial, const char *isrc,
                     char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tags", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "%s: path too long", path);
        return false;
    }
    struct ogg_rewrite r = { 0 };
    const char *why = NULL;
    bool ok = false;
    ogg_sync_init(&r.sync);
    vorbis_info_init(&r.vi);
    vorbis_comment_init(&r.vc);
    r.in = fopen(path, "rb");
    if (!r.in || !(r.out = fopen(tmp, "wb"))) {
        snprintf(err, errlen, "%s: %s", r.in ? tmp : path, strerror(errno));
        goto done;
    }
    for (;;) {
        ogg_page pg;
        int got = ogg_sync_pageout(&r.sync, &pg);
        if (got < 0) {
            why = "damaged Ogg pages";
            break;
        }
        if (got == 0) {
            char *buf = ogg_sync_buffer(&r.sync, 65536);
            size_t n = fread(buf, 1, 65536, r.in);
            if (n == 0) {
                if (ferror(r.in))
                    why = strerror(errno);
                else if (r.nhead < 3)
                    why = "no complete Vorbis headers";
                else
                    ok = true;
                break;
            }
            ogg_sync_wrote(&r.sync, (long)n);
            continue;
        }
        if (r.nhead < 3) {
            if (!read_header_page(&r, &pg, &why))
                break;
            if (r.nhead == 3 && !write_headers(&r, serial, isrc)) {
                why = "cannot write the headers";
                break;
            }
            continue;
        }
        if (ogg_page_serialno(&pg) != r.is.serialno) {
            why = "more than one stream";
            break;
        }
        put_le32(pg.header + 14, serial);
        put_le32(pg.header + 18, (uint32_t)(ogg_page_pageno(&pg) - r.pages_in + r.pages_out));
        ogg_page_checksum_set(&pg);
        if (!write_page(&r, &pg)) {
            why = strerror(errno);
            break;
        }
    }
    if (!ok)
        snprintf(err, errlen, "%s: cannot rewrite the Ogg stream (%s)", path, why ? why : "?");
done:
    if (r.in)
        fclose(r.in);
    if (r.out) {
        if (ok)
            ok = replace_with(r.out, tmp, path, err, errlen);
        else {
            fclose(r.out);
            unlink(tmp);
        }
    }
    for (int i = 0; i < r.nhead; i++)
        free(r.head[i].packet);
    if (r.is_init)
        ogg_stream_clear(&r.is);
    if (r.os_init)
        ogg_stream_clear(&r.os);
    ogg_sync_clear(&r.sync);
    vorbis_comment_clear(&r.vc);
    vorbis_info_clear(&r.vi);
    return ok;
}

/* ---- MP3: ID3v2.3 ---- */

struct bytes {
    unsigned char *p;
    size_t n, cap;
    bool failed;
};

static void put(struct bytes *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 256;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_byte(struct bytes *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put_utf16(struct bytes *b, uint32_t u)
{
    put_byte(b, u & 0xFF);
    put_byte(b, u >> 8);
}

/* A text frame: Latin-1 (encoding 0) when the text is ASCII, else UTF-16
 * with a byte order mark (encoding 1), which every ID3v2.3 reader knows. */
static void put_text_frame(struct bytes *b, const char *id, const char *text)
{
    if (!set(text))
        return;
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x80)
            ascii = false;
    struct bytes body = { 0 };
    if (ascii) {
        put_byte(&body, 0);
        put(&body, text, strlen(text));
    } else {
        put_byte(&body, 1);
        put_utf16(&body, 0xFEFF);
        for (const unsigned char *p = (const unsigned char *)text; *p;) {
            uint32_t c = utf8_next(&p);
            if (c >= 0x10000) {
                c -= 0x10000;
                put_utf16(&body, 0xD800 | (c >> 10));
                put_utf16(&body, 0xDC00 | (c & 0x3FF));
            } else {
                put_utf16(&body, c);
            }
        }
    }
    if (body.failed) {
        b->failed = true;
        free(body.p);
        return;
    }
    unsigned char head[10] = { (unsigned char)id[0], (unsigned char)id[1], (unsigned char)id[2],
                               (unsigned char)id[3], (unsigned char)(body.n >> 24),
                               (unsigned char)(body.n >> 16), (unsigned char)(body.n >> 8),
                               (unsigned char)body.n, 0, 0 };
    put(b, head, sizeof head);
    put(b, body.p, body.n);
    free(body.p);
}

/* The whole ID3v2.3 tag (header and frames) into *tag; false when out of memory. */
static bool build_id3v2(const struct tag_set *t, struct bytes *tag)
{
    struct bytes frames = { 0 };
    put_text_frame(&frames, "TIT2", t->title);
    put_text_frame(&frames, "TPE1", t->artist);
    put_text_frame(&frames, "TALB", t->album);
    put_text_frame(&frames, "TRCK", t->tracknumber);
    put_text_frame(&frames, "TSRC", t->isrc);
    *tag = (struct bytes){ 0 };
    if (frames.failed || frames.n >= 1u << 28) {
        free(frames.p);
        return false;
    }
    if (frames.n > 0) {
        /* version 2.3.0, no flags, the size as four 7-bit bytes */
        unsigned char head[10] = { 'I', 'D', '3', 3, 0, 0,
                                   (unsigned char)(frames.n >> 21 & 0x7F),
                                   (unsigned char)(frames.n >> 14 & 0x7F),
                                   (unsigned char)(frames.n >> 7 & 0x7F),
                                   (unsigned char)(frames.n & 0x7F) };
        put(tag, head, sizeof head);
        put(tag, frames.p, frames.n);
    }
    free(frames.p);
    if (tag->failed) {
        free(tag->p);
        *tag = (struct bytes){ 0 };
        return false;
    }
    return true;
}

bool tags_mp3_add_id3v2(const char *path, const struct tag_set *t, char *err, size_t errlen)
{
    struct bytes tag;
    if (!build_id3v2(t, &tag)) {
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    if (tag.n == 0)
        return true;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tags", path) >= (int)sizeof tmp) {
        free(tag.p);
        snprintf(err, errlen, "%s: path too long", path);
        return false;
    }
    FILE *in = fopen(path, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
    if (!out) {
        snprintf(err, errlen, "%s: %s", in ? tmp : path, strerror(errno));
        if (in)
            fclose(in);
        free(tag.p);
        return false;
    }
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = malloc(CHUNK);
    bool ok = buf && fwrite(tag.p, 1, tag.n, out) == tag.n;
    free(tag.p);
    size_t n;
    while (ok && (n = fread(buf, 1, CHUNK, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = ok && !ferror(in);
    int saved = buf ? errno : ENOMEM;
    free(buf);
    fclose(in);
    if (!ok) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(saved));
        fclose(out);
        unlink(tmp);
        return false;
    }
    return replace_with(out, tmp, path, err, errlen);
}

/* ---- WAV and AIFF: an ID3 chunk ---- */

static void put_size(unsigned char *p, uint32_t v, bool big_endian)
{
    for (int i = 0; i < 4; i++)
        p[big_endian ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

bool tags_chunk_add_id3(const char *path, const struct tag_set *t, char *err, size_t errlen)
{
    struct bytes tag;
    if (!build_id3v2(t, &tag)) {
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    if (tag.n == 0)
        return true;
    FILE *f = fopen(path, "r+b");
    unsigned char head[12];
    const char *why = NULL;
    if (!f || fread(head, 1, sizeof head, f) != sizeof head || fseek(f, 0, SEEK_END) != 0) {
        why = f ? "cannot read the header" : strerror(errno);
    } else {
        bool riff = memcmp(head, "RIFF", 4) == 0, form = memcmp(head, "FORM", 4) == 0;
        long end = ftell(f);
        /* RIFF sizes are little-endian, AIFF's big-endian; chunks start
         * on even offsets */
        uint64_t total = (uint64_t)end + (end & 1) + 8 + tag.n + (tag.n & 1);
        if (!riff && !form)
            why = "neither RIFF nor AIFF";
        else if (total - 8 > UINT32_MAX)
            why = "too large for an ID3 chunk";
        else {
            unsigned char chunk[8] = { 'I', 'D', '3', ' ' };
            if (riff)
                memcpy(chunk, "id3 ", 4);   /* the name WAV readers look for */
            put_size(chunk + 4, (uint32_t)tag.n, form);
            static const unsigned char zero = 0;
            bool ok = (!(end & 1) || fwrite(&zero, 1, 1, f) == 1) &&
                      fwrite(chunk, 1, 8, f) == 8 && fwrite(tag.p, 1, tag.n, f) == tag.n &&
                      (!(tag.n & 1) || fwrite(&zero, 1, 1, f) == 1);
            unsigned char size[4];
            put_size(size, (uint32_t)(total - 8), form);
            ok = ok && fseek(f, 4, SEEK_SET) == 0 && fwrite(size, 1, 4, f) == 4 &&
                 fflush(f) == 0 && fsync(fileno(f)) == 0;
            if (!ok)
                why = strerror(errno);
        }
    }
    free(tag.p);
    if (f && fclose(f) != 0 && !why)
        why = strerror(errno);
    if (why)
        snprintf(err, errlen, "%s: cannot add the ID3 chunk (%s)", path, why);
    return !why;
}
