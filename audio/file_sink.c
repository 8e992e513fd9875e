/* SPDX-License-Identifier: MIT */
/* Per-track and album sound-file sinks (see file_sink.h). */
#include "audio/file_sink.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audio/soundfile.h"
#include "audio/tags.h"

/* Longest base name kept, in bytes: room for " (NNN)", the extension and
 * the temporary prefix and suffixes within a file system's 255 bytes. */
#define BASE_MAX 200
#define NAME_LEN 256

/* One file: the output frames it holds and its final name. */
struct span {
    int64_t start, end;
    int track;                  /* session track index, or -1 for the album file */
    char name[NAME_LEN];
};

struct file_sink {
    struct sink_context c;
    char dir[PATH_MAX];
    enum soundfile_kind kind;
    bool lossy;
    struct span *spans;
    int nspans;
    /* Invariant: spans before `cur` are complete and renamed; `f`, when
     * open, is spans[cur] being written under the name `tmp`. */
    int cur;
    struct soundfile *f;
    char tmp[PATH_MAX];
    int64_t pos;                /* the album frame the next block must start at */
    int32_t *ibuf;              /* integer frames shifted to 32-bit scale */
    size_t icap;
};

static const struct {
    enum soundfile_kind kind;
    const char *ext;
} formats[] = {
    [OUT_WAV] = { SF_KIND_WAV, ".wav" },   [OUT_AIFF] = { SF_KIND_AIFF, ".aiff" },
    [OUT_FLAC] = { SF_KIND_FLAC, ".flac" }, [OUT_MP3] = { SF_KIND_MP3, ".mp3" },
    [OUT_OGG] = { SF_KIND_OGG, ".ogg" },   [OUT_CUE] = { SF_KIND_WAV, ".wav" },
    [OUT_TOC] = { SF_KIND_WAV, ".wav" },
};

/* Cuts a name cut short by a byte limit back to whole UTF-8 characters. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return;
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    unsigned char lead = (unsigned char)s[i];
    size_t want = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3
                : (lead & 0xF8) == 0xF0 ? 4 : 1;
    if (n - i < want)
        s[i] = 0;
}

/* The characters sink_track_name replaces, for names given whole. */
static void clean_name(char *out, size_t len, const char *name)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < len; p++)
        out[n++] = (char)(*p < 0x20 || strchr("/\\:*?\"<>|", *p) ? '_' : *p);
    out[n] = 0;
    if (!out[0] || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        snprintf(out, len, "album");
}

static bool taken(const struct file_sink *k, int upto, const char *name)
{
    for (int i = 0; i < upto; i++)
        if (strcasecmp(k->spans[i].name, name) == 0)
            return true;
    return false;
}

/* Gives span i its final name from `base`: unique in the sink, new in the folder. */
static bool name_span(struct file_sink *k, int i, char *base, char *err, size_t errlen)
{
    const char *ext = formats[k->c.o->format].ext;
    utf8_trim(base);
    char *name = k->spans[i].name;
    snprintf(name, NAME_LEN, "%s%s", base, ext);
    for (int n = 2; taken(k, i, name); n++)
        snprintf(name, NAME_LEN, "%s (%d)%s", base, n, ext);
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", k->dir, name) >= (int)sizeof path) {
        snprintf(err, errlen, "%s/%s: path too long", k->dir, name);
        return false;
    }
    if (access(path, F_OK) == 0) {
        snprintf(err, errlen, "%s: already exists", path);
        return false;
    }
    return true;
}

static const char *text_or(const char *a, const char *b)
{
    return a && *a ? a : b;
}

/* The tags of a span's file; `num` holds the track number's text. */
static void span_tags(const struct file_sink *k, const struct span *sp, struct tag_set *t,
                      char num[16])
{
    const struct session *s = k->c.s;
    *t = (struct tag_set){ .title = s->album.text.title, .artist = s->album.text.performer,
                           .album = s->album.text.title };
    if (sp->track >= 0) {
        const struct track *tr = &s->tracks[sp->track];
        snprintf(num, 16, "%d", sp->track + 1);
        t->title = tr->text.title;
        t->artist = text_or(tr->text.performer, s->album.text.performer);
        t->tracknumber = num;
        t->isrc = tr->isrc;
    }
}

/* The tags libsndfile writes itself, before the first frame. */
static void put_sndfile_tags(struct file_sink *k, const struct tag_set *t)
{
    const char *names[] = { "title", "artist", "album", "tracknumber" };
    const char *values[] = { t->title, t->artist, t->album, t->tracknumber };
    for (int i = 0; i < 4; i++) {
        if (!values[i] || !*values[i])
            continue;
        if (k->kind == SF_KIND_MP3) {
            /* libsndfile's MP3 tag is ID3v1: Latin-1, 30 bytes a field.
             * Fitting it there keeps lame from adding an ID3v2 tag of its
             * own before the full one tags.c puts in front. */
            char latin1[31];
            tags_latin1(latin1, 30, values[i]);
            soundfile_set_tag(k->f, names[i], latin1);
        } else {
            soundfile_set_tag(k->f, names[i], values[i]);
        }
    }
}

/* "01 Intro.wav: problem", from a soundfile message that names the temporary file. */
static void file_error(const struct file_sink *k, const struct span *sp, const char *msg,
                       char *err, size_t errlen)
{
    size_t n = strlen(k->tmp);
    if (strncmp(msg, k->tmp, n) == 0 && msg[n] == ':')
        msg += n + 2;
    snprintf(err, errlen, "%s/%s: %s", k->dir, sp->name, msg);
}

static bool open_span(struct file_sink *k, char *err, size_t errlen)
{
    const struct span *sp = &k->spans[k->cur];
    if (snprintf(k->tmp, sizeof k->tmp, "%s/.%s.part", k->dir, sp->name) >= (int)sizeof k->tmp) {
        snprintf(err, errlen, "%s/%s: path too long", k->dir, sp->name);
        return false;
    }
    char msg[PATH_MAX + 256];
    k->f = soundfile_create(k->tmp, k->kind, k->c.rate, SINK_CHANNELS,
                            k->lossy ? 16 : k->c.bits, msg, sizeof msg);
    if (!k->f) {
        file_error(k, sp, msg, err, errlen);
        return false;
    }
    if (k->kind == SF_KIND_MP3)
        soundfile_set_compression(k->f, 0.0, true);     /* 320 kbps */
    else if (k->kind == SF_KIND_OGG)
        soundfile_set_compression(k->f, 0.2, false);    /* quality 8 of 10 */
    struct tag_set t;
    char num[16];
    span_tags(k, sp, &t, num);
    put_sndfile_tags(k, &t);
    return true;
}

/* Closes spans[cur] (creating it first if it holds no frames), adds what
 * libsndfile could not write, and gives it its final name. */
static bool close_span(struct file_sink *k, char *err, size_t errlen)
{
    const struct span *sp = &k->spans[k->cur];
    if (!k->f && !open_span(k, err, errlen))
        return false;
    struct tag_set t;
    char num[16];
    span_tags(k, sp, &t, num);
    errno = 0;
    bool ok = soundfile_close(k->f);
    k->f = NULL;
    char msg[PATH_MAX + 256];
    if (!ok)
        snprintf(msg, sizeof msg, "cannot finish the file (%s)",
                 errno ? strerror(errno) : "write error");
    if (ok && k->kind == SF_KIND_FLAC && t.isrc && *t.isrc)
        ok = tags_flac_add(k->tmp, "ISRC", t.isrc, msg, sizeof msg);
    if (ok && k->kind == SF_KIND_OGG)
        ok = tags_ogg_finish(k->tmp, tags_hash(sp->name), t.isrc, msg, sizeof msg);
    if (ok && k->kind == SF_KIND_MP3)
        ok = tags_mp3_add_id3v2(k->tmp, &t, msg, sizeof msg);
    /* the album WAV a CUE sheet or TOC points at stays as plain as can be */
    bool for_cd = k->c.o->format == OUT_CUE || k->c.o->format == OUT_TOC;
    if (ok && (k->kind == SF_KIND_WAV || k->kind == SF_KIND_AIFF) && !for_cd)
        ok = tags_chunk_add_id3(k->tmp, &t, msg, sizeof msg);
    char path[PATH_MAX];
    if (ok && snprintf(path, sizeof path, "%s/%s", k->dir, sp->name) >= (int)sizeof path) {
        ok = false;
        snprintf(msg, sizeof msg, "path too long");
    }
    if (ok && rename(k->tmp, path) != 0) {
        ok = false;
        snprintf(msg, sizeof msg, "%s", strerror(errno));
    }
    if (!ok) {
        file_error(k, sp, msg, err, errlen);
        unlink(k->tmp);
        return false;
    }
    k->tmp[0] = 0;
    k->cur++;
    return true;
}

static bool write_frames(struct file_sink *k, const struct render_block *b, int off, int n,
                         char *err, size_t errlen)
{
    bool ok;
    if (k->lossy || k->c.bits == 32) {
        ok = soundfile_write(k->f, b->samples + (size_t)off * SINK_CHANNELS, n);
    } else {
        size_t count = (size_t)n * SINK_CHANNELS;
        if (count > k->icap) {
            int32_t *p = realloc(k->ibuf, count * sizeof *p);
            if (!p) {
                snprintf(err, errlen, "%s/%s: out of memory", k->dir, k->spans[k->cur].name);
                return false;
            }
            k->ibuf = p;
            k->icap = count;
        }
        int shift = 32 - k->c.bits;
        int32_t top = (int32_t)((1u << (k->c.bits - 1)) - 1);
        for (size_t i = 0; i < count; i++) {
            size_t at = (size_t)off * SINK_CHANNELS + i;
            /* without pcm, the samples are pcm / 2^(bits-1) */
            double x = b->pcm ? b->pcm[at] : nearbyint(b->samples[at] * (top + 1.0));
            int32_t v = x > top ? top : x < -top - 1 ? -top - 1 : (int32_t)x;
            k->ibuf[i] = (int32_t)((uint32_t)v << shift);
        }
        ok = soundfile_write_int(k->f, k->ibuf, n);
    }
    if (!ok)
        file_error(k, &k->spans[k->cur], soundfile_error(k->f), err, errlen);
    return ok;
}

static bool fs_write(void *state, const struct render_block *b, char *err, size_t errlen)
{
    struct file_sink *k = state;
    if (b->position != k->pos) {
        snprintf(err, errlen, "%s: a block at frame %lld, expected frame %lld", k->dir,
                 (long long)b->position, (long long)k->pos);
        return false;
    }
    int64_t p = b->position;
    int off = 0;
    while (off < b->frames) {
        if (k->cur >= k->nspans) {
            snprintf(err, errlen, "%s: frames past the album end (frame %lld of %lld)", k->dir,
                     (long long)p, (long long)k->spans[k->nspans - 1].end);
            return false;
        }
        const struct span *sp = &k->spans[k->cur];
        if (p >= sp->end) {
            if (!close_span(k, err, errlen))
                return false;
            continue;
        }
        if (p < sp->start) {
            int skip = (int)(sp->start - p < b->frames - off ? sp->start - p : b->frames - off);
            p += skip;
            off += skip;
            continue;
        }
        if (!k->f && !open_span(k, err, errlen))
            return false;
        int n = (int)(sp->end - p < b->frames - off ? sp->end - p : b->frames - off);
        if (!write_frames(k, b, off, n, err, errlen))
            return false;
        p += n;
        off += n;
        if (p == sp->end && !close_span(k, err, errlen))
            return false;
    }
    k->pos = b->position + b->frames;
    return true;
}

static bool fs_finish(void *state, char *err, size_t errlen)
{
    struct file_sink *k = state;
    if (k->nspans > 0 && k->pos < k->spans[k->nspans - 1].end) {
        int i = k->cur < k->nspans ? k->cur : k->nspans - 1;
        snprintf(err, errlen, "%s/%s: the render ended at frame %lld, before the file's end at %lld",
                 k->dir, k->spans[i].name, (long long)k->pos, (long long)k->spans[i].end);
        return false;
    }
    while (k->cur < k->nspans)
        if (!close_span(k, err, errlen))
            return false;
    return true;
}

static void fs_destroy(void *state)
{
    struct file_sink *k = state;
    if (!k)
        return;
    if (k->f) {
        soundfile_close(k->f);
        unlink(k->tmp);
    }
    free(k->spans);
    free(k->ibuf);
    free(k);
}

static const struct sink_ops file_sink_ops = {
    .name = "files",
    .write = fs_write,
    .finish = fs_finish,
    .destroy = fs_destroy,
};

/* The rates of MPEG-1, 2 and 2.5 layer III: anything else fails only when
 * the first file opens, after a render has begun. */
static bool mp3_rate(int rate)
{
    static const int rates[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000 };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        if (rates[i] == rate)
            return true;
    return false;
}

static struct file_sink *sink_base(const struct sink_context *c, int nspans, char *err,
                                   size_t errlen)
{
    enum output_format fmt = c->o->format;
    if (fmt >= sizeof formats / sizeof formats[0] || !formats[fmt].ext) {
        snprintf(err, errlen, "[output %s]: not a sound-file format", c->o->name ? c->o->name : "");
        return NULL;
    }
    if (fmt == OUT_MP3 && !mp3_rate(c->rate)) {
        snprintf(err, errlen, "[output %s]: MP3 cannot hold %d Hz: set rate to 44100 or 48000",
                 c->o->name ? c->o->name : "", c->rate);
        return NULL;
    }
    struct file_sink *k = calloc(1, sizeof *k);
    struct span *spans = calloc((size_t)(nspans > 0 ? nspans : 1), sizeof *spans);
    if (!k || !spans) {
        free(k);
        free(spans);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    k->c = *c;
    k->spans = spans;
    k->nspans = nspans;
    k->kind = formats[fmt].kind;
    k->lossy = k->kind == SF_KIND_MP3 || k->kind == SF_KIND_OGG;
    bool depth_ok = k->lossy || c->bits == 16 || c->bits == 24 ||
                    (c->bits == 32 && k->kind != SF_KIND_FLAC);
    if (!depth_ok || snprintf(k->dir, sizeof k->dir, "%s", c->dir) >= (int)sizeof k->dir) {
        if (!depth_ok)
            snprintf(err, errlen, "[output %s]: %s cannot hold %d-bit samples",
                     c->o->name ? c->o->name : "", formats[fmt].ext + 1, c->bits);
        else
            snprintf(err, errlen, "%s: path too long", c->dir);
        fs_destroy(k);
        return NULL;
    }
    /* encoders refuse some rates only when a file is opened or first
     * written, after a render has begun: ask before */
    char why[256];
    if (!soundfile_can_write(k->kind, c->rate, SINK_CHANNELS, c->bits, why, sizeof why)) {
        snprintf(err, errlen, "[output %s]: %s cannot be written at %d Hz (%s)",
                 c->o->name ? c->o->name : "", formats[fmt].ext + 1, c->rate, why);
        fs_destroy(k);
        return NULL;
    }
    return k;
}

bool file_sink_check(const struct sink_context *c, char *err, size_t errlen)
{
    struct file_sink *k = sink_base(c, 1, err, errlen);
    fs_destroy(k);
    return k != NULL;
}

static struct sink *wrap(struct file_sink *k, char *err, size_t errlen)
{
    struct sink *sk = malloc(sizeof *sk);
    if (!sk) {
        fs_destroy(k);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sk->ops = &file_sink_ops;
    sk->state = k;
    return sk;
}

struct sink *tracks_sink_new(const struct sink_context *c, char *err, size_t errlen)
{
    int n = c->s->ntracks;
    if (n < 1 || n > c->tl->ntracks) {
        snprintf(err, errlen, "[output %s]: no tracks to write", c->o->name ? c->o->name : "");
        return NULL;
    }
    struct file_sink *k = sink_base(c, n, err, errlen);
    if (!k)
        return NULL;
    const char *tmpl = text_or(c->o->name_template, "{nn} {title}");
    for (int i = 0; i < n; i++) {
        struct span *sp = &k->spans[i];
        sp->track = i;
        sp->start = sink_mark(c, c->tl->tracks[i].index1);
        sp->end = sink_mark(c, c->tl->tracks[i].next_index1);
        if (sp->end < sp->start || (i > 0 && sp->start < k->spans[i - 1].end)) {
            snprintf(err, errlen, "track %d: its marks are out of order", i + 1);
            fs_destroy(k);
            return NULL;
        }
        char base[BASE_MAX + 1];
        sink_track_name(c, tmpl, i, base, sizeof base);
        if (!name_span(k, i, base, err, errlen)) {
            fs_destroy(k);
            return NULL;
        }
    }
    return wrap(k, err, errlen);
}

struct sink *album_sink_new(const struct sink_context *c, const char *name,
                            char *err, size_t errlen)
{
    struct file_sink *k = sink_base(c, 1, err, errlen);
    if (!k)
        return NULL;
    k->spans[0] = (struct span){ .start = 0, .end = c->length, .track = -1 };
    char base[BASE_MAX + 1];
    clean_name(base, sizeof base, name ? name : "album");
    if (!name_span(k, 0, base, err, errlen)) {
        fs_destroy(k);
        return NULL;
    }
    return wrap(k, err, errlen);
}

const char *file_sink_name(const struct sink *k, int i)
{
    if (!k || k->ops != &file_sink_ops)
        return NULL;
    const struct file_sink *f = k->state;
    return i >= 0 && i < f->nspans ? f->spans[i].name : NULL;
}
