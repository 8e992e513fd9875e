/* SPDX-License-Identifier: MIT */
/* The DDP sink: the image streamed to disk with its MD5 kept running, the
 * small files laid out from the timeline when the audio is complete.
 *
 * Records are fixed-width ASCII (standards §1.2-§1.5): text left-aligned and
 * space-padded, numbers right-aligned and space-padded as in the worked
 * example of §1.10, which the tests reproduce byte for byte. */
#define _GNU_SOURCE
#include "audio/ddp_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/cdtext.h"
#include "audio/ddp_read.h"
#include "audio/pqsheet.h"
#include "session/codes.h"

/* One PQ entry: a track's index at a sector. */
struct mark {
    int track, index;
    int64_t sector;
    int control;
    const char *isrc;
};

struct ddp_sink {
    const struct sink_context *c;
    char dir[PATH_MAX - 64];     /* room for "/.NAME.part" */
    char upc[14];               /* 13 digits or "" */
    char master_id[49];
    struct mark *marks;
    int nmarks;
    int64_t leadout;            /* sectors of the image */
    int pregap;                 /* track 1's index 01 sector */
    uint8_t *cdtext;
    size_t cdtext_len;
    char image_tmp[PATH_MAX];
    FILE *image;
    EVP_MD_CTX *image_md5;
    int64_t frames;             /* frames written to the image */
    char done[8][24];           /* files renamed into place, for CHECKSUM.MD5 */
    char md5[8][33];
    int ndone;
};

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* ---- the layout ---- */

static int64_t sector_of(const struct sink_context *c, int64_t session_samples)
{
    int64_t f = sink_mark(c, session_samples);
    return (f + DDP_SECTOR_FRAMES / 2) / DDP_SECTOR_FRAMES;
}

static void seconds(int64_t sectors, char *buf, size_t len)
{
    snprintf(buf, len, "%.2f s", sectors / 75.0);
}

static bool add_mark(struct ddp_sink *d, int track, int index, int64_t sector, int control,
                     const char *isrc)
{
    struct mark *grown = realloc(d->marks, (size_t)(d->nmarks + 1) * sizeof *grown);
    if (!grown)
        return false;
    d->marks = grown;
    d->marks[d->nmarks++] = (struct mark){ track, index, sector, control, isrc };
    return true;
}

static bool plan_marks(struct ddp_sink *d, char *err, size_t errlen)
{
    const struct sink_context *c = d->c;
    const struct session *s = c->s;
    const struct timeline *tl = c->tl;
    if (s->ntracks < 1 || s->ntracks > DDP_MAX_TRACKS || tl->ntracks != s->ntracks)
        return fail(err, errlen, "a CD holds 1 to %d tracks; the album has %d", DDP_MAX_TRACKS,
                    s->ntracks);
    d->leadout = (c->length + DDP_SECTOR_FRAMES - 1) / DDP_SECTOR_FRAMES;
    if (d->leadout > DDP_MAX_SECTORS) {
        char at[DDP_MSF_LEN];
        ddp_msf(d->leadout, at);
        return fail(err, errlen, "the album is %s long; CD addresses end at 99:59:74", at);
    }
    char a[32], b[32];
    int64_t prev = 0;
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct timeline_track *tt = &tl->tracks[i];
        int n = i + 1;
        int64_t i0 = sector_of(c, tt->index0), i1 = sector_of(c, tt->index1);
        int64_t next = i + 1 < s->ntracks ? sector_of(c, tl->tracks[i + 1].index1) : d->leadout;
        if (i == 0)
            i0 = 0;
        if (t->isrc && !isrc_valid(t->isrc))
            return fail(err, errlen, "track %d: ISRC \"%s\" is malformed — expected CC-XXX-YY-NNNNN "
                        "like GBABC2600001", n, t->isrc);
        if (i0 < prev || i1 < i0 || next <= i1)
            return fail(err, errlen, "track %d: its marks are out of order on the timeline", n);
        if (i == 0 && i1 < 150) {
            seconds(i1, a, sizeof a);
            return fail(err, errlen, "the pregap before track 1 is %s; a CD needs at least 2 s", a);
        }
        if (next - i1 < 300) {
            seconds(next - i1, a, sizeof a);
            return fail(err, errlen, "track %d is %s long; a CD track needs at least 4 s", n, a);
        }
        int control = (t->emphasis ? 1 : 0) | (t->copy ? 2 : 0);
        bool ok = true;
        if (i0 < i1)
            ok &= add_mark(d, n, 0, i0, control, t->isrc);
        ok &= add_mark(d, n, 1, i1, control, t->isrc);
        int64_t last = i1;
        if (tt->nextra > DDP_MAX_INDEX - 1)
            return fail(err, errlen, "track %d has %d indexes; a track holds at most 99", n,
                        tt->nextra + 1);
        for (int k = 0; k < tt->nextra; k++) {
            int64_t x = sector_of(c, tt->extra_index[k]);
            if (x <= last || x >= next) {
                seconds(x - i1, a, sizeof a);
                seconds(next - i1, b, sizeof b);
                return fail(err, errlen, "track %d: index %02d at %s is not after the index before "
                            "it and inside the track (%s long)", n, k + 2, a, b);
            }
            ok &= add_mark(d, n, k + 2, x, control, NULL);
            last = x;
        }
        if (!ok)
            return fail(err, errlen, "out of memory");
        if (i == 0)
            d->pregap = (int)i1;
        prev = i1;
    }
    return true;
}

/* The master ID is ASCII: Latin-1 letters lose their accents, anything
 * else becomes '_'. It never reaches the disc. */
static void ascii_name(const char *s, size_t len, char *out, size_t outlen)
{
    static const char folded[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs"
                                 "aaaaaaaceeeeiiiidnooooo_ouuuuyty";
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < outlen;) {
        unsigned c = u[i];
        if (c >= 0x20 && c < 0x7F) {
            out[n++] = (char)c;
            i++;
            continue;
        }
        int seq = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (c == 0xC3 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] < 0xC0)
            out[n++] = folded[u[i + 1] - 0x80];
        else
            out[n++] = '_';
        i += (size_t)seq;
    }
    out[n] = 0;
}

static bool plan_codes(struct ddp_sink *d, char *err, size_t errlen)
{
    const struct session *s = d->c->s;
    const char *upc = s->album.upc;
    d->upc[0] = 0;
    if (upc && *upc) {
        if (!upc_length_ok(upc))
            return fail(err, errlen, "UPC/EAN \"%s\" has %zu digits — expected 13 (EAN-13) or 12 (UPC-A)",
                        upc, strlen(upc));
        snprintf(d->upc, sizeof d->upc, "%s%s", strlen(upc) == 12 ? "0" : "", upc);
        if (!upc_check_ok(d->upc))
            return fail(err, errlen, "UPC/EAN \"%s\": check digit %c is wrong — expected %d", upc,
                        upc[strlen(upc) - 1], ean13_check_digit(d->upc));
    }
    /* the session file's name: what the engineer calls the project */
    const char *path = s->path ? s->path : "";
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t end = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    ascii_name(base, end, d->master_id, sizeof d->master_id);
    return true;
}

static bool plan_cdtext(struct ddp_sink *d, char *err, size_t errlen)
{
    struct cdtext_disc text;
    if (!cdtext_from_session(d->c->s, &text, err, errlen))
        return false;
    bool ok = cdtext_encode(&text, &d->cdtext, &d->cdtext_len, err, errlen);
    cdtext_disc_free(&text);
    return ok;
}

/* ---- fixed-width records ---- */

static void put_text(char *rec, int off, int width, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n)
        memcpy(rec + off, s, n < (size_t)width ? n : (size_t)width);
}

static void put_number(char *rec, int off, int width, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%*lld", width, (long long)v);
    memcpy(rec + off, buf, (size_t)width);
}

static void make_ddpid(const struct ddp_sink *d, char rec[DDP_ID_BYTES])
{
    memset(rec, ' ', DDP_ID_BYTES);
    put_text(rec, 0, 8, "DDP 2.00");
    put_text(rec, 8, 13, d->upc);
    put_text(rec, 38, 48, d->master_id);
    put_text(rec, 87, 2, "CD");
}

static void make_stream(char rec[DDP_MS_BYTES], const char *dst, int64_t dsl, const char *sub,
                        const char *name)
{
    memset(rec, ' ', DDP_MS_BYTES);
    put_text(rec, 0, 4, "VVVM");
    put_text(rec, 4, 2, dst);
    put_number(rec, 14, 8, dsl);
    put_text(rec, 30, 8, sub);
    put_number(rec, 71, 3, DDP_NAME_MAX);
    put_text(rec, 74, DDP_NAME_MAX, name);
}

static void make_pq(char rec[DDP_PQ_BYTES], int track, int index, int64_t sector, int control,
                    const char *isrc, const char *upc)
{
    char buf[16];
    memset(rec, ' ', DDP_PQ_BYTES);
    put_text(rec, 0, 4, "VVVS");
    if (track == DDP_LEADOUT)
        put_text(rec, 4, 2, "AA");
    else {
        snprintf(buf, sizeof buf, "%02d", track);
        put_text(rec, 4, 2, buf);
    }
    snprintf(buf, sizeof buf, "%02d", index);
    put_text(rec, 6, 2, buf);
    snprintf(buf, sizeof buf, "%02d%02d%02d", (int)(sector / 4500), (int)(sector / 75 % 60),
             (int)(sector % 75));
    put_text(rec, 10, 6, buf);
    snprintf(buf, sizeof buf, "%X1", control);
    put_text(rec, 16, 2, buf);
    put_text(rec, 20, 12, isrc);
    put_text(rec, 32, 13, upc);
}

/* ---- files ---- */

/* Writes `name` in the folder through a temporary file and a rename, and
 * remembers its MD5 for CHECKSUM.MD5. */
static bool save(struct ddp_sink *d, const char *name, const void *bytes, size_t len,
                 char *err, size_t errlen)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.part", d->dir, name);
    snprintf(path, sizeof path, "%s/%s", d->dir, name);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return fail(err, errlen, "%s: cannot create (%s)", tmp, strerror(errno));
    bool ok = fwrite(bytes, 1, len, f) == len;
    ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return fail(err, errlen, "%s: cannot write (%s)", path, strerror(e));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_Digest(bytes, len, md, &n, EVP_md5(), NULL))
        return fail(err, errlen, "%s: MD5 failed", name);
    snprintf(d->done[d->ndone], sizeof d->done[0], "%s", name);
    hex(md, n, d->md5[d->ndone]);
    d->ndone++;
    return true;
}

static bool save_text(struct ddp_sink *d, const char *name, char *text, size_t len,
                      char *err, size_t errlen)
{
    bool ok = save(d, name, text, len, err, errlen);
    free(text);
    return ok;
}

/* The PQ sheet for the plant and the client (audio/pqsheet.h), in memory
 * so that its MD5 goes into CHECKSUM.MD5 with the rest. */
static char *pq_sheet(const struct ddp_sink *d, size_t *len, char *err, size_t errlen)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bool ok = pqsheet_write(f, d->c->s, d->c->tl, err, errlen);
    if (fclose(f) != 0 && ok) {
        snprintf(err, errlen, "out of memory");
        ok = false;
    }
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}

static bool write_image_tail(struct ddp_sink *d, char *err, size_t errlen)
{
    /* zeros up to the lead-out: a final partial sector, or frames never sent */
    static const unsigned char zeros[DDP_SECTOR_BYTES];
    int64_t want = d->leadout * DDP_SECTOR_FRAMES;
    while (d->frames < want) {
        int64_t n = want - d->frames;
        if (n > DDP_SECTOR_FRAMES)
            n = DDP_SECTOR_FRAMES;
        if (fwrite(zeros, 4, (size_t)n, d->image) != (size_t)n)
            return fail(err, errlen, "%s: write error (%s)", d->image_tmp, strerror(errno));
        EVP_DigestUpdate(d->image_md5, zeros, (size_t)n * 4);
        d->frames += n;
    }
    bool ok = fflush(d->image) == 0 && fsync(fileno(d->image)) == 0;
    ok &= fclose(d->image) == 0;
    d->image = NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", d->dir, DDP_FILE_IMAGE);
    if (!ok || rename(d->image_tmp, path) != 0)
        return fail(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
    d->image_tmp[0] = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_DigestFinal_ex(d->image_md5, md, &n))
        return fail(err, errlen, "%s: MD5 failed", DDP_FILE_IMAGE);
    snprintf(d->done[d->ndone], sizeof d->done[0], "%s", DDP_FILE_IMAGE);
    hex(md, n, d->md5[d->ndone]);
    d->ndone++;
    return true;
}

/* ---- the sink ---- */

static bool ddp_write(void *state, const struct render_block *b, char *err, size_t errlen)
{
    struct ddp_sink *d = state;
    if (!d->image)
        return fail(err, errlen, "DDP: block after the end");
    if (!b->pcm)
        return fail(err, errlen, "DDP: the output stage sent no 16-bit samples");
    if (b->position < d->frames)
        return fail(err, errlen, "DDP: a block at frame %lld overlaps what was written (%lld frames)",
                    (long long)b->position, (long long)d->frames);
    if (b->position + b->frames > d->leadout * DDP_SECTOR_FRAMES)
        return fail(err, errlen, "DDP: a block runs past the album end (frame %lld)",
                    (long long)(b->position + b->frames));
    unsigned char buf[4096];
    size_t used = 0;
    static const unsigned char zero[4];
    /* a hole before this block is silence */
    for (int64_t k = d->frames; k < b->position; k++) {
        if (used + 4 > sizeof buf) {
            if (fwrite(buf, 1, used, d->image) != used)
                return fail(err, errlen, "%s: write error (%s)", d->image_tmp, strerror(errno));
            EVP_DigestUpdate(d->image_md5, buf, used);
            used = 0;
        }
        memcpy(buf + used, zero, 4);
        used += 4;
    }
    for (int64_t k = 0; k < (int64_t)b->frames * SINK_CHANNELS; k++) {
        int32_t v = b->pcm[k];
        if (v < -32768 || v > 32767)
            return fail(err, errlen, "DDP: sample %d at frame %lld is outside 16 bits", (int)v,
                        (long long)(b->position + k / SINK_CHANNELS));
        if (used + 2 > sizeof buf) {
            if (fwrite(buf, 1, used, d->image) != used)
                return fail(err, errlen, "%s: write error (%s)", d->image_tmp, strerror(errno));
            EVP_DigestUpdate(d->image_md5, buf, used);
            used = 0;
        }
        uint16_t u = (uint16_t)(int16_t)v;
        buf[used++] = (unsigned char)(u & 0xFF);
        buf[used++] = (unsigned char)(u >> 8);
    }
    if (used && fwrite(buf, 1, used, d->image) != used)
        return fail(err, errlen, "%s: write error (%s)", d->image_tmp, strerror(errno));
    EVP_DigestUpdate(d->image_md5, buf, used);
    d->frames = b->position + b->frames;
    return true;
}

static bool ddp_finish(void *state, char *err, size_t errlen)
{
    struct ddp_sink *d = state;
    if (!d->image)
        return fail(err, errlen, "DDP: finished twice");
    if (!write_image_tail(d, err, errlen))
        return false;
    /* the PQ descriptor */
    int npq = d->nmarks + 3;
    char *pq = malloc((size_t)npq * DDP_PQ_BYTES);
    if (!pq)
        return fail(err, errlen, "out of memory");
    make_pq(pq, 0, 0, 0, 0, NULL, d->upc);
    for (int m = 0; m < d->nmarks; m++) {
        const struct mark *k = &d->marks[m];
        make_pq(pq + (m + 1) * DDP_PQ_BYTES, k->track, k->index, k->sector, k->control,
                k->index <= 1 ? k->isrc : NULL, NULL);
    }
    for (int k = 0; k < 2; k++)
        make_pq(pq + (d->nmarks + 1 + k) * DDP_PQ_BYTES, DDP_LEADOUT, 1, d->leadout, 0, NULL, NULL);
    /* the map: CD-Text, PQ, audio, as cue2ddp and HOFA order them */
    char map[3 * DDP_MS_BYTES];
    int nmap = 0;
    if (d->cdtext_len) {
        make_stream(map, "S0", (int64_t)d->cdtext_len, "CDTEXT", DDP_FILE_TEXT);
        put_text(map, 55, 2, "00");
        nmap++;
    }
    make_stream(map + nmap++ * DDP_MS_BYTES, "S0", (int64_t)npq * DDP_PQ_BYTES, "PQ DESCR", DDP_FILE_PQ);
    char *audio = map + nmap++ * DDP_MS_BYTES;
    make_stream(audio, "D0", d->leadout, "", DDP_FILE_IMAGE);
    put_text(audio, 38, 2, "DA");
    put_text(audio, 40, 2, "70");           /* SSM 7: whole 2352-byte sectors; not scrambled */
    put_number(audio, 46, 4, d->pregap);
    char id[DDP_ID_BYTES];
    make_ddpid(d, id);
    bool ok = true;
    if (d->cdtext_len)
        ok = save(d, DDP_FILE_TEXT, d->cdtext, d->cdtext_len, err, errlen);
    ok = ok && save(d, DDP_FILE_PQ, pq, (size_t)npq * DDP_PQ_BYTES, err, errlen);
    free(pq);
    ok = ok && save(d, DDP_FILE_MAP, map, (size_t)nmap * DDP_MS_BYTES, err, errlen);
    ok = ok && save(d, DDP_FILE_ID, id, sizeof id, err, errlen);
    if (!ok)
        return false;
    size_t len = 0;
    char *sheet = pq_sheet(d, &len, err, errlen);
    if (!sheet)
        return false;
    if (!save_text(d, DDP_FILE_SHEET, sheet, len, err, errlen))
        return false;
    /* CHECKSUM.MD5 in cue2ddp's order: DDPID, DDPMS, CD-Text, PQ, image */
    static const char *const order[] = { DDP_FILE_ID, DDP_FILE_MAP, DDP_FILE_TEXT, DDP_FILE_PQ,
                                         DDP_FILE_IMAGE, DDP_FILE_SHEET };
    char *sums = NULL;
    FILE *f = open_memstream(&sums, &len);
    if (!f)
        return fail(err, errlen, "out of memory");
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        for (int j = 0; j < d->ndone; j++)
            if (strcmp(d->done[j], order[k]) == 0)
                fprintf(f, "%s *%s\n", d->md5[j], d->done[j]);
    if (fclose(f) != 0) {
        free(sums);
        return fail(err, errlen, "out of memory");
    }
    return save_text(d, DDP_FILE_MD5, sums, len, err, errlen);
}

static void ddp_destroy(void *state)
{
    struct ddp_sink *d = state;
    if (!d)
        return;
    if (d->image)
        fclose(d->image);
    if (d->image_tmp[0])
        unlink(d->image_tmp);
    EVP_MD_CTX_free(d->image_md5);
    free(d->marks);
    free(d->cdtext);
    free(d);
}

static const struct sink_ops ddp_ops = {
    .name = "ddp",
    .write = ddp_write,
    .finish = ddp_finish,
    .destroy = ddp_destroy,
};

/* Everything about the image that follows from the session alone: its
 * marks, codes and CD-Text, each refusal named. No file is touched. */
static struct ddp_sink *ddp_plan(const struct sink_context *c, char *err, size_t errlen)
{
    const char *name = c->o && c->o->name ? c->o->name : "ddp";
    if (c->rate != DDP_RATE || c->bits != 16) {
        snprintf(err, errlen, "output \"%s\": a DDP master is 44.1 kHz 16-bit stereo; this output "
                 "is %d Hz %d-bit — set rate = 44100 and bits = 16", name, c->rate, c->bits);
        return NULL;
    }
    struct ddp_sink *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->c = c;
    if (snprintf(d->dir, sizeof d->dir, "%s", c->dir) >= (int)sizeof d->dir) {
        snprintf(err, errlen, "output \"%s\": the folder's path is too long", name);
        ddp_destroy(d);
        return NULL;
    }
    char why[1024];
    if (!plan_marks(d, why, sizeof why) || !plan_codes(d, why, sizeof why) ||
        !plan_cdtext(d, why, sizeof why)) {
        snprintf(err, errlen, "output \"%s\": %s", name, why);
        ddp_destroy(d);
        return NULL;
    }
    return d;
}

bool ddp_sink_check(const struct sink_context *c, char *err, size_t errlen)
{
    struct ddp_sink *d = ddp_plan(c, err, errlen);
    ddp_destroy(d);
    return d != NULL;
}

struct sink *ddp_sink_new(const struct sink_context *c, char *err, size_t errlen)
{
    const char *name = c->o && c->o->name ? c->o->name : "ddp";
    struct ddp_sink *d = ddp_plan(c, err, errlen);
    if (!d)
        return NULL;
    snprintf(d->image_tmp, sizeof d->image_tmp, "%s/.%s.part", d->dir, DDP_FILE_IMAGE);
    int fd = open(d->image_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    d->image = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!d->image) {
        snprintf(err, errlen, "output \"%s\": %s: cannot create (%s)", name, d->image_tmp,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        ddp_destroy(d);
        return NULL;
    }
    d->image_md5 = EVP_MD_CTX_new();
    if (!d->image_md5 || !EVP_DigestInit_ex(d->image_md5, EVP_md5(), NULL)) {
        snprintf(err, errlen, "output \"%s\": MD5 unavailable", name);
        ddp_destroy(d);
        return NULL;
    }
    struct sink *k = malloc(sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        ddp_destroy(d);
        return NULL;
    }
    k->ops = &ddp_ops;
    k->state = d;
    return k;
}
