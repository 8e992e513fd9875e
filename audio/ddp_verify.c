/* SPDX-License-Identifier: MIT */
/* The DDP checks. Each finding is one line naming the file, the packet or
 * the track and the figures, so the engineer can find it without a hex
 * editor: "PQDESCR packet 4: track 02 index 00 at 00:06:00 is before
 * packet 3's 00:07:00". */
#define _GNU_SOURCE
#include "audio/ddp_verify.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/fsutil.h"
#include "session/regfile.h"
#include "session/codes.h"

struct out {
    ddp_problem_fn fn;
    void *ctx;
    int problems;
};

static void say(struct out *o, bool warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(struct out *o, bool warning, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!warning)
        o->problems++;
    if (o->fn)
        o->fn(o->ctx, warning, line);
}

static const char *name_of(const struct ddp *d, int stream, const char *fallback)
{
    return stream >= 0 && d->streams[stream].name_ok ? d->streams[stream].name : fallback;
}

static void where(const struct ddp_pq *p, char *buf, size_t len)
{
    char at[DDP_MSF_LEN];
    ddp_msf(p->sector, at);
    if (p->track == DDP_LEADOUT)
        snprintf(buf, len, "lead-out at %s", at);
    else if (p->track == 0)
        snprintf(buf, len, "lead-in at %s", at);
    else
        snprintf(buf, len, "track %02d index %02d at %s", p->track, p->index, at);
}

static void seconds(int64_t sectors, char *buf, size_t len)
{
    snprintf(buf, len, "%.2f s", sectors / 75.0);
}

/* ---- DDPID and the map ---- */

static void check_id(const struct ddp *d, struct out *o)
{
    if (!d->id_ok)
        return;         /* the reader said so */
    if (strcmp(d->level, "DDP 2.00") != 0)
        say(o, false, "DDPID: level \"%s\"; an audio CD master is \"DDP 2.00\"", d->level);
    if (strcmp(d->type, "CD") != 0)
        say(o, false, "DDPID: type \"%s\", expected \"CD\"", d->type);
}

static void check_map(const struct ddp *d, struct out *o)
{
    for (int i = 0; i < d->nstreams; i++) {
        const struct ddp_stream *st = &d->streams[i];
        if (!st->name_ok)
            continue;       /* the reader said so */
        if (i != d->image && i != d->pq && i != d->text)
            continue;
        if (st->file_bytes < 0) {
            say(o, false, "%s: missing (DDPMS packet %d names it)", st->name, i + 1);
            continue;
        }
        if (st->dsl < 0)
            continue;
        if (i == d->image) {
            if (st->file_bytes != st->dsl * DDP_SECTOR_BYTES)
                say(o, false, "%s is %lld bytes; DDPMS says %lld sectors = %lld bytes", st->name,
                    (long long)st->file_bytes, (long long)st->dsl,
                    (long long)(st->dsl * DDP_SECTOR_BYTES));
            if (st->dss != 0)
                say(o, false, "DDPMS packet %d: the image starts at sector %lld; a single-session "
                    "master starts at 0", i + 1, (long long)st->dss);
        } else if (st->file_bytes != st->dsl) {
            say(o, false, "%s is %lld bytes; DDPMS says %lld", st->name, (long long)st->file_bytes,
                (long long)st->dsl);
        }
    }
}

/* ---- checksums ---- */

/* The MD5 of the file's first `limit` bytes. A file longer than that is
 * not read at all (*too_long set, its size in *size): hashing it would take
 * as long as its length, which a hostile or broken folder chooses. */
static bool md5_file(const char *path, int64_t limit, char out[33], bool *too_long, int64_t *size)
{
    *too_long = false;
    /* a FIFO listed in a checksum file must not hang verify */
    char err[4200];
    int fd = regfile_open(path, REGFILE_NOFOLLOW, NULL, err, sizeof err);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return false;
    }
    *size = (int64_t)st.st_size;
    if (*size > limit) {
        *too_long = true;
        close(fd);
        return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    unsigned char buf[65536];
    ssize_t n;
    int64_t left = limit;       /* the file may grow while it is read */
    while (ok && left > 0 &&
           (n = read(fd, buf, (size_t)(left < (int64_t)sizeof buf ? left : (int64_t)sizeof buf))) != 0) {
        if (n < 0) {
            ok = false;
            break;
        }
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n);
        left -= n;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &len) && len == 16;
    EVP_MD_CTX_free(ctx);
    close(fd);
    for (unsigned i = 0; ok && i < 16; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
    return ok;
}

/* The most bytes the checksum of `name` may need: what DDPMS declares for a
 * stream's file, and for any other file the largest image a CD holds. */
static int64_t declared_bytes(const struct ddp *d, const char *name, bool *declared)
{
    for (int i = 0; i < d->nstreams; i++) {
        const struct ddp_stream *st = &d->streams[i];
        if (st->name_ok && st->dsl >= 0 && strcmp(st->name, name) == 0) {
            *declared = true;
            return i == d->image ? st->dsl * DDP_SECTOR_BYTES : st->dsl;
        }
    }
    *declared = false;
    return ((int64_t)DDP_MAX_SECTORS + 1) * DDP_SECTOR_BYTES;
}

static bool ends_md5(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".md5") == 0;
}

/* Checks one md5sum-style file; marks the names it lists. */
static void check_sums(const struct ddp *d, const char *sums, char **names, int nnames,
                       bool *listed, struct out *o)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, sums);
    char err[4200];
    FILE *f = regfile_fopen(path, REGFILE_NOFOLLOW, err, sizeof err);
    if (!f) {
        say(o, false, "%s: cannot read (%s)", sums,
            errno == EINVAL ? "not a regular file" : strerror(errno));
        return;
    }
    char line[1024];
    int number = 0, entries = 0;
    while (fgets(line, sizeof line, f) && number < 1000) {
        number++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0)
            continue;
        bool hexok = n > 34;
        for (int i = 0; i < 32 && hexok; i++)
            hexok = isxdigit((unsigned char)line[i]);
        if (!hexok || line[32] != ' ' || (line[33] != ' ' && line[33] != '*')) {
            say(o, false, "%s line %d is not \"<md5> *NAME\"", sums, number);
            continue;
        }
        const char *name = line + 34;
        entries++;
        if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            say(o, false, "%s line %d names \"%s\", which is not a file of this folder", sums, number,
                name);
            continue;
        }
        int k = -1;
        for (int i = 0; i < nnames; i++)
            if (strcmp(names[i], name) == 0)
                k = i;
        if (k < 0) {
            say(o, false, "%s line %d: %s is missing", sums, number, name);
            continue;
        }
        listed[k] = true;
        char want[33], got[33];
        for (int i = 0; i < 32; i++)
            want[i] = (char)tolower((unsigned char)line[i]);
        want[32] = 0;
        snprintf(path, sizeof path, "%s/%s", d->dir, name);
        bool declared, too_long;
        int64_t limit = declared_bytes(d, name, &declared), size = 0;
        bool read = md5_file(path, limit, got, &too_long, &size);
        if (too_long)
            say(o, false, "%s: %lld bytes, more than the %lld %s — its MD5 is not checked", name,
                (long long)size, (long long)limit,
                declared ? "DDPMS declares" : "of the largest CD image");
        else if (!read)
            say(o, false, "%s: cannot read to check its MD5 (%s)", name, strerror(errno));
        else if (strcmp(want, got) != 0)
            say(o, false, "%s: MD5 %s does not match %s's %s — the file changed after it was written",
                name, got, sums, want);
    }
    fclose(f);
    if (entries == 0)
        say(o, false, "%s lists no file", sums);
}

static void check_checksums(const struct ddp *d, struct out *o)
{
    int n = 0;
    char **names = fs_list_files(d->dir, &n);
    if (!names) {
        say(o, false, "%s: cannot list the folder (%s)", d->dir, strerror(errno));
        return;
    }
    bool *listed = calloc((size_t)n + 1, sizeof *listed);
    int found = 0;
    for (int i = 0; i < n && listed; i++)
        if (ends_md5(names[i])) {
            check_sums(d, names[i], names, n, listed, o);
            found++;
        }
    if (!found) {
        say(o, true, "no checksum file (CHECKSUM.MD5): the files cannot be checked against one");
    } else if (listed) {
        /* the DDP's own files must be covered */
        const char *must[8] = { "DDPID", "DDPMS" };
        int nmust = 2;
        int streams[3] = { d->pq, d->text, d->image };
        for (int s = 0; s < 3; s++)
            if (streams[s] >= 0 && d->streams[streams[s]].name_ok &&
                d->streams[streams[s]].file_bytes >= 0)
                must[nmust++] = d->streams[streams[s]].name;
        for (int m = 0; m < nmust; m++)
            for (int i = 0; i < n; i++)
                if (strcmp(names[i], must[m]) == 0 && !listed[i])
                    say(o, false, "%s has no checksum in the checksum file", must[m]);
    }
    free(listed);
    fs_free_list(names, n);
}

/* ---- the PQ ---- */

static void check_codes(const struct ddp *d, struct out *o)
{
    const char *pqname = name_of(d, d->pq, "PQ");
    const char *first_upc = NULL;
    for (int i = 0; i < d->npackets; i++) {
        const struct ddp_pq *p = &d->packets[i];
        if (p->isrc[0] && !isrc_valid(p->isrc))
            say(o, false, "%s packet %d: ISRC \"%s\" is malformed — expected CC-XXX-YY-NNNNN "
                "(12 characters, no dashes) like USABC2400001", pqname, i + 1, p->isrc);
        if (p->upc[0]) {
            if (first_upc && strcmp(first_upc, p->upc) != 0)
                say(o, false, "%s packet %d: UPC/EAN %s differs from %s in an earlier packet",
                    pqname, i + 1, p->upc, first_upc);
            if (!first_upc)
                first_upc = p->upc;
        }
    }
    if (first_upc && d->upc[0] && strcmp(first_upc, d->upc) != 0)
        say(o, false, "UPC/EAN: DDPID says %s, %s says %s", d->upc, pqname, first_upc);
    const char *upc = first_upc ? first_upc : d->upc[0] ? d->upc : NULL;
    if (upc) {
        if (strlen(upc) != 13 || !upc_length_ok(upc))
            say(o, false, "UPC/EAN \"%s\" is not 13 digits", upc);
        else if (!upc_check_ok(upc))
            say(o, false, "UPC/EAN %s: check digit %c is wrong — expected %d", upc, upc[12],
                ean13_check_digit(upc));
    }
    for (int i = 0; i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        for (int j = 0; j < i && t->isrc[0]; j++)
            if (strcmp(d->tracks[j].isrc, t->isrc) == 0) {
                say(o, false, "track %02d: ISRC %s is also on track %02d", t->number, t->isrc,
                    d->tracks[j].number);
                break;
            }
    }
}

static void check_flags(const struct ddp *d, struct out *o)
{
    const char *pqname = name_of(d, d->pq, "PQ");
    for (int i = 0; i < d->npackets; i++) {
        const struct ddp_pq *p = &d->packets[i];
        if (p->control < 0 || p->track < 0)
            continue;
        char at[64];
        where(p, at, sizeof at);
        if (p->control & 4)
            say(o, false, "%s packet %d (%s): the data-track flag on an audio CD", pqname, i + 1, at);
        if (p->control & 8)
            say(o, false, "%s packet %d (%s): the four-channel flag, which no audio CD uses",
                pqname, i + 1, at);
        if (p->scms && (p->control & 2))
            say(o, false, "%s packet %d (%s): copy permitted (DCP) and SCMS together", pqname,
                i + 1, at);
        if ((p->track == 0 || p->track == DDP_LEADOUT) && (p->control != 0 || p->scms))
            say(o, false, "%s packet %d (%s): control %X%c; the lead-in and lead-out carry 01",
                pqname, i + 1, at, p->control, p->scms ? 'S' : '1');
    }
    for (int i = 0; i < d->npackets; i++) {
        const struct ddp_pq *p = &d->packets[i];
        for (int j = i + 1; j < d->npackets && p->track >= 1 && p->track <= DDP_MAX_TRACKS; j++) {
            const struct ddp_pq *q = &d->packets[j];
            if (q->track != p->track)
                break;
            if (q->control >= 0 && p->control >= 0 && (q->control != p->control || q->scms != p->scms)) {
                say(o, false, "%s packets %d and %d: track %02d's flags differ between its indexes",
                    pqname, i + 1, j + 1, p->track);
                break;
            }
        }
    }
}

static void check_order(const struct ddp *d, struct out *o)
{
    const char *pqname = name_of(d, d->pq, "PQ");
    int64_t sectors = ddp_image_sectors(d);
    int64_t file_sectors = d->image >= 0 && d->streams[d->image].file_bytes >= 0
                           ? d->streams[d->image].file_bytes / DDP_SECTOR_BYTES : -1;
    if (d->npackets == 0) {
        say(o, false, "%s holds no packet", pqname);
        return;
    }
    const struct ddp_pq *first = &d->packets[0];
    if (first->track != 0)
        say(o, false, "%s packet 1: no lead-in packet (track 00 index 00) first", pqname);
    else if (first->sector != 0 || first->index != 0)
        say(o, false, "%s packet 1: the lead-in is index %02d at sector %lld; expected index 00 at "
            "00:00:00", pqname, first->index, (long long)first->sector);
    int last_track = 0, last_index = -1, prev = -1, leadouts = 0;
    int64_t last_sector = -1;
    bool first_mark = true;
    char a[64], b[64];
    for (int i = 0; i < d->npackets; i++) {
        const struct ddp_pq *p = &d->packets[i];
        if (p->track < 0 || p->index < 0 || p->sector < 0)
            continue;       /* the reader said so */
        where(p, a, sizeof a);
        if (p->track == 0) {
            if (i != 0)
                say(o, false, "%s packet %d: a lead-in packet after packet 1", pqname, i + 1);
            continue;
        }
        if (p->track == DDP_LEADOUT) {
            leadouts++;
            if (p->index != 1)
                say(o, false, "%s packet %d: the lead-out is index %02d; expected 01", pqname, i + 1,
                    p->index);
            if (leadouts > 1 && p->sector != d->leadout)
                say(o, false, "%s packet %d: a second lead-out at another time (%s)", pqname, i + 1, a);
            if (prev >= 0 && p->sector < last_sector) {
                where(&d->packets[prev], b, sizeof b);
                say(o, false, "%s packet %d: %s is before packet %d's %s", pqname, i + 1, a,
                    prev + 1, b);
            }
            continue;
        }
        if (leadouts)
            say(o, false, "%s packet %d: %s comes after the lead-out", pqname, i + 1, a);
        if (first_mark && p->sector != 0)
            say(o, false, "%s packet %d: the first index (%s) is not at 00:00:00, where the image "
                "starts", pqname, i + 1, a);
        first_mark = false;
        if (p->track == last_track) {
            if (p->index != last_index + 1)
                say(o, false, "%s packet %d: %s follows index %02d; indexes go up by one", pqname,
                    i + 1, a, last_index);
        } else if (p->track != last_track + 1) {
            say(o, false, "%s packet %d: %s follows track %02d; tracks go up by one", pqname, i + 1,
                a, last_track);
        } else if (p->index > 1) {
            say(o, false, "%s packet %d: track %02d starts with index %02d; expected 00 or 01",
                pqname, i + 1, p->track, p->index);
        }
        if (prev >= 0 && p->sector <= last_sector && d->packets[prev].track != 0) {
            where(&d->packets[prev], b, sizeof b);
            say(o, false, "%s packet %d: %s is not after packet %d's %s", pqname, i + 1, a,
                prev + 1, b);
        }
        if (sectors >= 0 && p->sector >= sectors)
            say(o, false, "%s packet %d: %s is past the end of the image (%lld sectors)", pqname,
                i + 1, a, (long long)sectors);
        else if (file_sectors >= 0 && p->sector >= file_sectors)
            say(o, false, "%s packet %d: %s is past the end of %s (%lld whole sectors)", pqname,
                i + 1, a, name_of(d, d->image, "the image"), (long long)file_sectors);
        last_track = p->track;
        last_index = p->index;
        last_sector = p->sector;
        prev = i;
    }
    if (leadouts == 0)
        say(o, false, "%s: no lead-out packet (track AA)", pqname);
    else if (leadouts > 2)
        say(o, false, "%s: %d lead-out packets; writers put one or two", pqname, leadouts);
    if (d->leadout >= 0 && sectors >= 0 && d->leadout != sectors) {
        ddp_msf(d->leadout, a);
        ddp_msf(sectors, b);
        say(o, false, "%s: the lead-out is at %s but the image is %lld sectors (%s)", pqname, a,
            (long long)sectors, b);
    }
}

static void check_tracks(const struct ddp *d, struct out *o)
{
    char a[32];
    if (d->ntracks == 0 && d->npackets > 0)
        say(o, false, "%s: no track", name_of(d, d->pq, "PQ"));
    for (int i = 0; i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        if (t->start < 0) {
            say(o, false, "track %02d has no index 01", t->number);
            continue;
        }
        if (i == 0) {
            int64_t gap = t->start - (t->index0 >= 0 ? t->index0 : 0);
            if (t->start < 150) {
                seconds(gap, a, sizeof a);
                say(o, false, "the pregap before track 01 is %s (index 01 at sector %lld); a CD "
                    "needs at least 2 s", a, (long long)t->start);
            }
        }
        if (t->next >= 0 && t->next - t->start < 300) {
            seconds(t->next - t->start, a, sizeof a);
            say(o, false, "track %02d is %s long (index 01 to the %s); a CD track needs at least 4 s",
                t->number, a, i + 1 < d->ntracks ? "next track's index 01" : "lead-out");
        }
    }
    if (d->ntracks > DDP_MAX_TRACKS)
        say(o, false, "%d tracks; a CD holds at most %d", d->ntracks, DDP_MAX_TRACKS);
}

static void check_text(const struct ddp *d, struct out *o)
{
    if (!d->has_cdtext || d->ntracks == 0)
        return;
    int last = d->tracks[d->ntracks - 1].number;
    if (d->cdtext.ntracks != last)
        say(o, false, "%s: text for %d track%s; the PQ has %d", name_of(d, d->text, "CD-Text"),
            d->cdtext.ntracks, d->cdtext.ntracks == 1 ? "" : "s", last);
}

int ddp_verify(const struct ddp *d, ddp_problem_fn fn, void *ctx)
{
    struct out o = { fn, ctx, 0 };
    for (int i = 0; i < d->nnotes; i++)
        say(&o, false, "%s", d->notes[i].text);
    check_id(d, &o);
    check_map(d, &o);
    check_checksums(d, &o);
    if (d->pq >= 0 && d->packets) {
        check_order(d, &o);
        check_tracks(d, &o);
        check_flags(d, &o);
        check_codes(d, &o);
    }
    check_text(d, &o);
    return o.problems;
}
