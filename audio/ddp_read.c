/* SPDX-License-Identifier: MIT */
/* The DDP reader: every record parsed field by field, never trusted. A file
 * name comes from DDPMS only when it is a plain name inside the folder;
 * sizes are bounded before anything is read; whatever does not parse is
 * kept as a note and the rest is read on. */
#define _GNU_SOURCE
#include "audio/ddp_read.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/regfile.h"

#define MAX_NOTES 200
#define MAX_MAP_BYTES (64 * DDP_MS_BYTES)
#define MAX_PQ_BYTES ((DDP_MAX_TRACKS * (DDP_MAX_INDEX + 1) + 8) * DDP_PQ_BYTES)
#define MAX_TEXT_BYTES (8 * 256 * CDTEXT_PACK_BYTES + CDTEXT_PACK_BYTES)

static void note(struct ddp *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct ddp *d, const char *fmt, ...)
{
    if (d->nnotes >= MAX_NOTES)
        return;
    struct ddp_note *grown = realloc(d->notes, (size_t)(d->nnotes + 1) * sizeof *grown);
    if (!grown)
        return;
    d->notes = grown;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->notes[d->nnotes].text, sizeof d->notes[0].text, fmt, ap);
    va_end(ap);
    d->nnotes++;
    if (d->nnotes == MAX_NOTES)
        snprintf(d->notes[MAX_NOTES - 1].text, sizeof d->notes[0].text,
                 "more problems than %d: the rest are not listed", MAX_NOTES);
}

void ddp_msf(int64_t n, char buf[DDP_MSF_LEN])
{
    if (n < 0)
        n = 0;
    snprintf(buf, DDP_MSF_LEN, "%02lld:%02lld:%02lld", (long long)(n / 4500),
             (long long)(n / 75 % 60), (long long)(n % 75));
}

/* A field's text with control bytes shown as '?', for messages. */
static void shown(const char *field, int width, char *out)
{
    for (int i = 0; i < width; i++) {
        unsigned char c = (unsigned char)field[i];
        out[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[width] = 0;
}

/* A text field without its padding. */
static void text_field(const char *rec, int off, int width, char *out)
{
    int start = off, end = off + width;
    while (start < end && rec[start] == ' ')
        start++;
    while (end > start && (rec[end - 1] == ' ' || rec[end - 1] == 0))
        end--;
    shown(rec + start, end - start, out);
}

/* A number padded with spaces or zeros: -1 when blank, -2 when not a number. */
static int64_t number_field(const char *rec, int off, int width)
{
    int64_t v = 0;
    bool digits = false, trailing = false;
    for (int i = off; i < off + width; i++) {
        char c = rec[i];
        if (c == ' ') {
            trailing = digits;
            continue;
        }
        if (c < '0' || c > '9' || trailing)
            return -2;
        v = v * 10 + (c - '0');
        digits = true;
    }
    return digits ? v : -1;
}

/* Reads a whole file of at most `max` bytes. NULL and *len -1 when it is
 * missing or unreadable; *len the true size when it is larger than `max`
 * (the first `max` bytes are returned). */
static char *slurp(const char *path, size_t max, int64_t *len, int *error)
{
    *len = -1;
    *error = 0;
    /* a FIFO must not wait for a writer, a device never ends */
    char err[4200];
    struct stat st;
    int fd = regfile_open(path, REGFILE_NOFOLLOW, &st, err, sizeof err);
    if (fd < 0) {
        *error = errno;
        return NULL;
    }
    size_t want = (size_t)st.st_size < max ? (size_t)st.st_size : max;
    char *buf = malloc(want + 1);
    size_t got = 0;
    while (buf && got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got < want) {
        *error = buf ? EIO : ENOMEM;
        free(buf);
        return NULL;
    }
    buf[got] = 0;
    *len = st.st_size;
    return buf;
}

static bool plain_name(const char *name)
{
    if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7E)
            return false;
    return true;
}

void ddp_stream_path(const struct ddp *d, const struct ddp_stream *st, char *buf, size_t len)
{
    if (!st->name_ok)
        buf[0] = 0;
    else
        snprintf(buf, len, "%s/%s", d->dir, st->name);
}

/* ---- DDPID ---- */

static void read_id(struct ddp *d, const char *rec, int64_t len)
{
    d->id_bytes = len;
    char id[DDP_ID_BYTES];
    memset(id, ' ', sizeof id);
    memcpy(id, rec, len < DDP_ID_BYTES ? (size_t)len : DDP_ID_BYTES);
    text_field(id, 0, 8, d->level);
    d->id_ok = strncmp(id, "DDP ", 4) == 0 && isdigit((unsigned char)id[4]) && id[5] == '.';
    if (!d->id_ok) {
        char level[9];
        shown(id, 8, level);
        note(d, "DDPID: not a DDP identifier: level \"%s\", expected \"DDP 2.00\"", level);
        return;
    }
    if (len != DDP_ID_BYTES)
        note(d, "DDPID is %lld bytes; a DDPID record is %d", (long long)len, DDP_ID_BYTES);
    text_field(id, 8, 13, d->upc);
    text_field(id, 38, 48, d->master_id);
    text_field(id, 87, 2, d->type);
}

/* ---- DDPMS ---- */

static void read_stream(struct ddp *d, const char *rec, int number)
{
    if (memcmp(rec, "VVVM", 4) != 0) {
        char m[5];
        shown(rec, 4, m);
        note(d, "DDPMS packet %d: marker \"%s\", expected \"VVVM\"", number, m);
        return;
    }
    struct ddp_stream *grown = realloc(d->streams, (size_t)(d->nstreams + 1) * sizeof *grown);
    if (!grown)
        return;
    d->streams = grown;
    struct ddp_stream *st = &d->streams[d->nstreams++];
    memset(st, 0, sizeof *st);
    text_field(rec, 4, 2, st->dst);
    text_field(rec, 30, 8, st->sub);
    text_field(rec, 38, 2, st->cdm);
    st->dsl = number_field(rec, 14, 8);
    if (st->dsl < 0) {
        note(d, "DDPMS packet %d: stream length \"%.8s\" is not a number", number, rec + 14);
        st->dsl = -1;
    }
    st->dss = number_field(rec, 22, 8);
    if (st->dss == -2) {
        note(d, "DDPMS packet %d: start sector \"%.8s\" is not a number", number, rec + 22);
        st->dss = 0;
    }
    if (st->dss < 0)
        st->dss = 0;
    int64_t pre2 = number_field(rec, 46, 4);
    if (pre2 == -2)
        note(d, "DDPMS packet %d: pregap \"%.4s\" is not a number", number, rec + 46);
    st->pre2 = pre2 < 0 ? -1 : (int)pre2;
    /* the size field is the name field's width (17), not the name's length */
    int64_t size = number_field(rec, 71, 3);
    if (size == -2 || size > DDP_NAME_MAX)
        note(d, "DDPMS packet %d: file name size \"%.3s\" — a name holds at most %d characters",
             number, rec + 71, DDP_NAME_MAX);
    int end = 74 + DDP_NAME_MAX;
    while (end > 74 && (rec[end - 1] == ' ' || rec[end - 1] == 0))
        end--;
    memcpy(st->name, rec + 74, (size_t)(end - 74));
    st->name[end - 74] = 0;
    st->name_ok = plain_name(st->name);
    if (!st->name_ok) {
        char name[DDP_NAME_MAX + 1];
        shown(st->name, end - 74, name);
        note(d, "DDPMS packet %d: file name \"%s\" is not a plain name inside the folder", number, name);
    }
    st->file_bytes = -1;
    if (st->name_ok) {
        char path[4096];
        struct stat sb;
        ddp_stream_path(d, st, path, sizeof path);
        if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            st->file_bytes = sb.st_size;
    }
}

static void classify_streams(struct ddp *d)
{
    d->image = d->pq = d->text = -1;
    for (int i = 0; i < d->nstreams; i++) {
        const struct ddp_stream *st = &d->streams[i];
        int *slot = NULL;
        const char *what = NULL;
        if (strcmp(st->dst, "D0") == 0 && strcmp(st->cdm, "DA") == 0) {
            slot = &d->image;
            what = "audio (D0 DA)";
        } else if (strcmp(st->dst, "S0") == 0 && strcmp(st->sub, "PQ DESCR") == 0) {
            slot = &d->pq;
            what = "PQ DESCR";
        } else if (strcmp(st->dst, "S0") == 0 && strcmp(st->sub, "CDTEXT") == 0) {
            slot = &d->text;
            what = "CDTEXT";
        } else {
            note(d, "DDPMS packet %d: stream \"%s\" \"%s\" \"%s\" is not part of an audio master",
                 i + 1, st->dst, st->sub, st->cdm);
            continue;
        }
        if (*slot >= 0)
            note(d, "DDPMS: more than one %s stream (packets %d and %d)", what, *slot + 1, i + 1);
        else
            *slot = i;
    }
}

/* ---- PQ ---- */

static int two_digits(const char *p)
{
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static void read_packet(struct ddp *d, const char *name, const char *rec, struct ddp_pq *p, int number)
{
    memset(p, 0, sizeof *p);
    shown(rec, 4, p->marker);
    p->track = p->index = p->control = -1;
    p->sector = -1;
    if (memcmp(rec, "VVVS", 4) != 0) {
        note(d, "%s packet %d: marker \"%s\", expected \"VVVS\"", name, number, p->marker);
        return;
    }
    char f[16];
    p->track = memcmp(rec + 4, "AA", 2) == 0 ? DDP_LEADOUT : two_digits(rec + 4);
    p->index = two_digits(rec + 6);
    int m = two_digits(rec + 10), s = two_digits(rec + 12), fr = two_digits(rec + 14);
    if (p->track < 0) {
        shown(rec + 4, 2, f);
        note(d, "%s packet %d: track \"%s\" is not 00-99 or AA", name, number, f);
    }
    if (p->index < 0) {
        shown(rec + 6, 2, f);
        note(d, "%s packet %d: index \"%s\" is not 00-99", name, number, f);
    }
    if (m < 0 || s < 0 || fr < 0 || s > 59 || fr > 74) {
        shown(rec + 10, 6, f);
        note(d, "%s packet %d: time \"%s\" is not MMSSFF", name, number, f);
    } else {
        p->sector = (int64_t)m * 4500 + s * 75 + fr;
    }
    int c = rec[16];
    if (isxdigit(c) && (rec[17] == '1' || rec[17] == 'S')) {
        p->control = isdigit(c) ? c - '0' : toupper(c) - 'A' + 10;
        p->scms = rec[17] == 'S';
    } else {
        shown(rec + 16, 2, f);
        note(d, "%s packet %d: control \"%s\" is not a hex digit and 1 or S", name, number, f);
    }
    text_field(rec, 20, 12, p->isrc);
    text_field(rec, 32, 13, p->upc);
}

static void build_tracks(struct ddp *d)
{
    d->leadout = -1;
    for (int i = 0; i < d->npackets; i++) {
        const struct ddp_pq *p = &d->packets[i];
        if (p->track == DDP_LEADOUT) {
            if (d->nleadout++ == 0)
                d->leadout = p->sector;
            continue;
        }
        if (!d->disc_upc[0] && p->upc[0])
            snprintf(d->disc_upc, sizeof d->disc_upc, "%s", p->upc);
        if (p->track < 1 || p->track > DDP_MAX_TRACKS || p->index < 0)
            continue;
        struct ddp_track *t = d->ntracks ? &d->tracks[d->ntracks - 1] : NULL;
        if (!t || t->number != p->track) {
            struct ddp_track *grown = realloc(d->tracks, (size_t)(d->ntracks + 1) * sizeof *grown);
            if (!grown)
                return;
            d->tracks = grown;
            t = &d->tracks[d->ntracks++];
            memset(t, 0, sizeof *t);
            t->number = p->track;
            t->index0 = t->start = -1;
            t->control = p->control;
            t->scms = p->scms;
        }
        if (p->index == 0 && t->index0 < 0)
            t->index0 = p->sector;
        else if (p->index == 1 && t->start < 0) {
            t->start = p->sector;
            t->control = p->control;
            t->scms = p->scms;
        } else if (p->index >= 2 && t->nindex < DDP_MAX_INDEX - 1)
            t->index[t->nindex++] = p->sector;
        if (!t->isrc[0] && p->isrc[0] && p->index <= 1)
            snprintf(t->isrc, sizeof t->isrc, "%s", p->isrc);
    }
    if (!d->disc_upc[0])
        snprintf(d->disc_upc, sizeof d->disc_upc, "%s", d->upc);
    for (int i = 0; i < d->ntracks; i++)
        d->tracks[i].next = i + 1 < d->ntracks ? d->tracks[i + 1].start : d->leadout;
}

/* Reads a stream named in DDPMS, at most `max` bytes (a larger file is
 * noted and cut). NULL when it is missing or unreadable (noted too). */
static char *load_stream(struct ddp *d, const struct ddp_stream *st, int64_t max,
                         const char *what, int64_t *len)
{
    char path[4096];
    ddp_stream_path(d, st, path, sizeof path);
    int error;
    char *buf = slurp(path, max, len, &error);
    if (!buf) {
        note(d, "%s: %s (%s)", st->name, error == ENOENT ? "missing" : strerror(error), what);
        return NULL;
    }
    if (*len > max)
        note(d, "%s is %lld bytes; %s needs at most %lld (only those are read)", st->name,
             (long long)*len, what, (long long)max);
    return buf;
}

static void read_pq(struct ddp *d)
{
    if (d->pq < 0) {
        note(d, "DDPMS: no PQ DESCR stream");
        return;
    }
    const struct ddp_stream *st = &d->streams[d->pq];
    if (!st->name_ok)
        return;
    int64_t len;
    char *buf = load_stream(d, st, MAX_PQ_BYTES, "the PQ descriptor", &len);
    if (!buf)
        return;
    int64_t used = len < MAX_PQ_BYTES ? len : MAX_PQ_BYTES;
    if (len % DDP_PQ_BYTES)
        note(d, "%s is %lld bytes, not a whole number of %d-byte packets", st->name,
             (long long)len, DDP_PQ_BYTES);
    int n = (int)(used / DDP_PQ_BYTES);
    d->packets = calloc(n ? (size_t)n : 1, sizeof *d->packets);
    if (d->packets) {
        for (int i = 0; i < n; i++)
            read_packet(d, st->name, buf + (size_t)i * DDP_PQ_BYTES, &d->packets[i], i + 1);
        d->npackets = n;
    }
    free(buf);
    build_tracks(d);
}

/* ---- CD-Text ---- */

static void text_problem(void *ctx, const char *msg)
{
    struct ddp *d = ctx;
    const char *name = d->text >= 0 ? d->streams[d->text].name : "CD-Text";
    note(d, "%s: %s", name, msg);
}

static void read_text(struct ddp *d)
{
    if (d->text < 0)
        return;
    const struct ddp_stream *st = &d->streams[d->text];
    if (!st->name_ok)
        return;
    int64_t len;
    char *buf = load_stream(d, st, MAX_TEXT_BYTES, "the CD-Text", &len);
    if (!buf)
        return;
    size_t used = (size_t)(len < MAX_TEXT_BYTES ? len : MAX_TEXT_BYTES);
    d->has_cdtext = cdtext_decode((const uint8_t *)buf, used, &d->cdtext, text_problem, d);
    if (!d->has_cdtext)
        note(d, "%s holds no CD-Text pack (%lld bytes)", st->name, (long long)len);
    free(buf);
}

/* ---- the set ---- */

struct ddp *ddp_open(const char *dir, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a folder", dir);
        return NULL;
    }
    char path[4096];
    int64_t idlen, mslen;
    int error;
    snprintf(path, sizeof path, "%s/DDPID", dir);
    char *id = slurp(path, 4096, &idlen, &error);
    if (!id) {
        if (error == ENOENT)
            snprintf(err, errlen, "%s: not a DDP: DDPID is missing", dir);
        else
            snprintf(err, errlen, "%s: not a DDP: DDPID cannot be read (%s)", dir, strerror(error));
        return NULL;
    }
    snprintf(path, sizeof path, "%s/DDPMS", dir);
    char *ms = slurp(path, MAX_MAP_BYTES, &mslen, &error);
    if (!ms) {
        if (error == ENOENT)
            snprintf(err, errlen, "%s: not a DDP: DDPMS is missing", dir);
        else
            snprintf(err, errlen, "%s: not a DDP: DDPMS cannot be read (%s)", dir, strerror(error));
        free(id);
        return NULL;
    }
    struct ddp *d = calloc(1, sizeof *d);
    if (!d || !(d->dir = strdup(dir))) {
        snprintf(err, errlen, "out of memory");
        free(d);
        free(id);
        free(ms);
        return NULL;
    }
    d->fd = -1;
    d->image = d->pq = d->text = -1;
    d->leadout = -1;
    read_id(d, id, idlen);
    d->ms_bytes = mslen;
    if (mslen % DDP_MS_BYTES)
        note(d, "DDPMS is %lld bytes, not a whole number of %d-byte packets", (long long)mslen,
             DDP_MS_BYTES);
    int64_t used = mslen < MAX_MAP_BYTES ? mslen : MAX_MAP_BYTES;
    for (int i = 0; i < used / DDP_MS_BYTES; i++)
        read_stream(d, ms + (size_t)i * DDP_MS_BYTES, i + 1);
    free(id);
    free(ms);
    if (d->nstreams == 0) {
        snprintf(err, errlen, "%s: not a DDP: DDPMS holds no stream packet (VVVM)", dir);
        ddp_close(d);
        return NULL;
    }
    classify_streams(d);
    read_pq(d);
    read_text(d);
    if (d->image < 0)
        note(d, "DDPMS: no audio stream (D0 DA)");
    else if (d->streams[d->image].name_ok) {
        ddp_stream_path(d, &d->streams[d->image], path, sizeof path);
        char why[4200];
        d->fd = regfile_open(path, REGFILE_NOFOLLOW, NULL, why, sizeof why);
        if (d->fd < 0 && (errno == EINVAL || errno == EISDIR))
            note(d, "%s: not a regular file (the audio image)", d->streams[d->image].name);
        else if (d->fd < 0)
            note(d, "%s: %s (the audio image)", d->streams[d->image].name,
                 errno == ENOENT ? "missing" : strerror(errno));
    }
    return d;
}

void ddp_close(struct ddp *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    cdtext_disc_free(&d->cdtext);
    free(d->streams);
    free(d->packets);
    free(d->tracks);
    free(d->notes);
    free(d->dir);
    free(d);
}

int64_t ddp_image_sectors(const struct ddp *d)
{
    return d->image >= 0 ? d->streams[d->image].dsl : -1;
}

int64_t ddp_read_pcm(const struct ddp *d, int64_t frame, int16_t *buf, int64_t frames,
                     char *err, size_t errlen)
{
    if (d->fd < 0) {
        snprintf(err, errlen, "%s: the audio image cannot be read", d->dir);
        return -1;
    }
    if (frame < 0 || frames < 0) {
        snprintf(err, errlen, "%s: no frame %lld in the image", d->dir, (long long)frame);
        return -1;
    }
    uint8_t raw[4096];
    int64_t done = 0;
    while (done < frames) {
        int64_t n = frames - done;
        if (n > (int64_t)sizeof raw / 4)
            n = (int64_t)sizeof raw / 4;
        ssize_t got = pread(d->fd, raw, (size_t)n * 4, (off_t)((frame + done) * 4));
        if (got < 0) {
            snprintf(err, errlen, "%s: read error (%s)", d->streams[d->image].name, strerror(errno));
            return -1;
        }
        int64_t whole = got / 4;
        for (int64_t k = 0; k < whole * 2; k++)
            buf[done * 2 + k] = (int16_t)(uint16_t)(raw[2 * k] | raw[2 * k + 1] << 8);
        done += whole;
        if (whole < n)
            break;
    }
    return done;
}
