/* SPDX-License-Identifier: MIT */
/* `lathe ddp verify|info|extract DIR`: check, describe or unpack a DDP image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/ddp_read.h"
#include "audio/ddp_verify.h"
#include "audio/fsutil.h"
#include "audio/soundfile.h"
#include "session/codes.h"
#include "tui/cli.h"
#include "tui/json.h"

static const char usage[] =
    "usage: lathe ddp verify [--] DIR\n"
    "       lathe ddp info [--json] [--] DIR\n"
    "       lathe ddp extract -o OUT [--] DIR\n";

static struct ddp *open_or_say(const char *dir)
{
    char err[1024];
    struct ddp *d = ddp_open(dir, err, sizeof err);
    if (!d)
        fprintf(stderr, "lathe ddp: %s\n", err);
    return d;
}

static const char *text_of(const struct ddp *d, int track, int field)
{
    if (!d->has_cdtext || track > CDTEXT_MAX_TRACKS)
        return NULL;
    return d->cdtext.text[track][field];
}

static const char *flags_of(const struct ddp_track *t)
{
    static const char *const names[] = { "-", "PRE", "DCP", "DCP PRE" };
    if (t->control < 0)
        return "?";
    if (t->scms)
        return t->control & 1 ? "SCMS PRE" : "SCMS";
    return names[t->control & 3];
}

/* ---- verify ---- */

struct tally {
    int problems, warnings;
};

static void print_finding(void *ctx, bool warning, const char *line)
{
    struct tally *t = ctx;
    if (warning)
        t->warnings++;
    else
        t->problems++;
    printf("%s: %s\n", warning ? "warning" : "error", line);
}

static int run_verify(const char *dir)
{
    struct ddp *d = open_or_say(dir);
    if (!d)
        return EXIT_USAGE;
    struct tally t = { 0, 0 };
    ddp_verify(d, print_finding, &t);
    if (t.problems == 0) {
        char len[DDP_MSF_LEN];
        ddp_msf(d->leadout, len);
        printf("%s: clean: %s, %d track%s, %s\n", dir, d->level, d->ntracks,
               d->ntracks == 1 ? "" : "s", len);
    } else {
        printf("%s: %d problem%s\n", dir, t.problems, t.problems == 1 ? "" : "s");
    }
    ddp_close(d);
    return t.problems ? EXIT_PROBLEMS : EXIT_OK;
}

/* ---- info ---- */

static void info_text(const struct ddp *d)
{
    char a[DDP_MSF_LEN], b[DDP_MSF_LEN], c[DDP_MSF_LEN];
    printf("%s master \"%s\" in %s\n", d->level[0] ? d->level : "DDP", d->master_id, d->dir);
    printf("UPC/EAN:    %s\n", d->disc_upc[0] ? d->disc_upc : "-");
    const char *title = text_of(d, 0, CDTEXT_TITLE), *performer = text_of(d, 0, CDTEXT_PERFORMER);
    if (title || performer)
        printf("Album:      %s%s%s\n", title ? title : "", title && performer ? " / " : "",
               performer ? performer : "");
    if (d->has_cdtext && d->cdtext.genre) {
        const char *g = genre_name(d->cdtext.genre);
        printf("Genre:      %s (code %d)%s%s\n", g ? g : "?", d->cdtext.genre,
               d->cdtext.genre_text ? ", " : "", d->cdtext.genre_text ? d->cdtext.genre_text : "");
    }
    const char *msg = text_of(d, 0, CDTEXT_MESSAGE);
    if (msg)
        printf("Message:    %s\n", msg);
    ddp_msf(d->leadout, a);
    int64_t sectors = ddp_image_sectors(d);
    printf("Image:      %s, %lld sectors, lead-out at %s\n",
           d->image >= 0 ? d->streams[d->image].name : "-", (long long)sectors, a);
    printf("CD-Text:    %s\n", d->has_cdtext ? "yes" : "no");
    printf("\n #  %-9s %-9s %-9s %-12s %-8s %s\n", "start", "length", "pregap", "ISRC", "flags",
           "title / performer");
    for (int i = 0; i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        ddp_msf(t->start, a);
        ddp_msf(t->next - t->start, b);
        ddp_msf(t->index0 >= 0 ? t->start - t->index0 : 0, c);
        const char *tt = text_of(d, t->number, CDTEXT_TITLE);
        const char *tp = text_of(d, t->number, CDTEXT_PERFORMER);
        printf("%2d  %-9s %-9s %-9s %-12s %-8s %s%s%s\n", t->number, a, b, c,
               t->isrc[0] ? t->isrc : "-", flags_of(t), tt ? tt : "", tp ? " / " : "", tp ? tp : "");
        for (int k = 0; k < t->nindex; k++) {
            ddp_msf(t->index[k], a);
            printf("    %-9s index %02d\n", a, k + 2);
        }
    }
}

static void json_text_fields(const struct ddp *d, int track)
{
    for (int f = 0; f < CDTEXT_NFIELDS; f++) {
        printf(", \"%s\": ", cdtext_field_name(f));
        json_string(stdout, text_of(d, track, f));
    }
}

static void info_json(const struct ddp *d)
{
    printf("{\"dir\": ");
    json_string(stdout, d->dir);
    printf(", \"level\": ");
    json_string(stdout, d->level);
    printf(", \"master_id\": ");
    json_string(stdout, d->master_id);
    printf(", \"upc\": ");
    json_string(stdout, d->disc_upc[0] ? d->disc_upc : NULL);
    printf(", \"image\": ");
    json_string(stdout, d->image >= 0 ? d->streams[d->image].name : NULL);
    printf(", \"sectors\": %lld, \"leadout\": %lld, \"length_seconds\": ",
           (long long)ddp_image_sectors(d), (long long)d->leadout);
    json_number(stdout, d->leadout / 75.0);
    printf(", \"cdtext\": %s", d->has_cdtext ? "true" : "false");
    json_text_fields(d, 0);
    printf(", \"genre\": ");
    if (d->has_cdtext && d->cdtext.genre) {
        printf("{\"code\": %d, \"name\": ", d->cdtext.genre);
        json_string(stdout, genre_name(d->cdtext.genre));
        printf(", \"text\": ");
        json_string(stdout, d->cdtext.genre_text);
        printf("}");
    } else {
        printf("null");
    }
    printf(",\n \"tracks\": [");
    for (int i = 0; i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        char msf[DDP_MSF_LEN];
        ddp_msf(t->start, msf);
        printf("%s\n  {\"number\": %d, \"start\": \"%s\", \"start_sector\": %lld, "
               "\"index0_sector\": %lld, \"length_sectors\": %lld, \"pregap_sectors\": %lld, "
               "\"isrc\": ", i ? "," : "", t->number, msf, (long long)t->start,
               (long long)t->index0, (long long)(t->next - t->start),
               (long long)(t->index0 >= 0 ? t->start - t->index0 : 0));
        json_string(stdout, t->isrc[0] ? t->isrc : NULL);
        printf(", \"copy\": %s, \"emphasis\": %s, \"scms\": %s, \"indexes\": [",
               t->control >= 0 && (t->control & 2) ? "true" : "false",
               t->control >= 0 && (t->control & 1) ? "true" : "false", t->scms ? "true" : "false");
        for (int k = 0; k < t->nindex; k++)
            printf("%s%lld", k ? ", " : "", (long long)t->index[k]);
        printf("]");
        json_text_fields(d, t->number);
        printf("}");
    }
    printf("]}\n");
}

static int run_info(const char *dir, bool json)
{
    struct ddp *d = open_or_say(dir);
    if (!d)
        return EXIT_USAGE;
    if (json)
        info_json(d);
    else
        info_text(d);
    ddp_close(d);
    return EXIT_OK;
}

/* ---- extract ----
 *
 * Everything is written into a private folder made by mkdtemp beside its
 * destination (so nothing planted at a predictable name can redirect a
 * write), then put in place at once: renamed to OUT when OUT is new, or
 * linked into OUT file by file, never over a name that exists. A killed
 * extract leaves only that hidden folder, which the next one removes. */

#define EXTRACT_BLOCK 4096
#define EXTRACT_TMP ".lathe-extract-"

/* Set by SIGINT, SIGTERM or SIGHUP: the extract stops and removes its
 * private folder, as a render does. */
static volatile sig_atomic_t extract_cancelled;

static void on_signal(int sig)
{
    (void)sig;
    extract_cancelled = 1;
}

struct extract {
    const struct ddp *d;
    const char *out;            /* the private folder being filled */
    int16_t pcm[EXTRACT_BLOCK * 2];
    double buf[EXTRACT_BLOCK * 2];
};

static bool write_wav(struct extract *x, const char *name, int64_t from, int64_t to, int track,
                      char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", x->out, name);
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, DDP_RATE, 2, 16, err, errlen);
    if (!f)
        return false;
    const char *title = text_of(x->d, track, CDTEXT_TITLE);
    const char *performer = text_of(x->d, track, CDTEXT_PERFORMER);
    const char *album = text_of(x->d, 0, CDTEXT_TITLE);
    if (title)
        soundfile_set_tag(f, "title", title);
    if (performer)
        soundfile_set_tag(f, "artist", performer);
    if (album)
        soundfile_set_tag(f, "album", album);
    if (track > 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", track);
        soundfile_set_tag(f, "tracknumber", n);
    }
    int16_t *pcm = x->pcm;
    double *buf = x->buf;
    bool ok = true;
    for (int64_t at = from; ok && at < to;) {
        if (extract_cancelled) {
            snprintf(err, errlen, "interrupted");
            ok = false;
            break;
        }
        int64_t n = to - at < EXTRACT_BLOCK ? to - at : EXTRACT_BLOCK;
        int64_t got = ddp_read_pcm(x->d, at, pcm, n, err, errlen);
        if (got != n) {
            if (got >= 0)
                snprintf(err, errlen, "%s: the image ends at frame %lld", x->d->dir,
                         (long long)(at + got));
            ok = false;
            break;
        }
        for (int64_t k = 0; k < n * 2; k++)
            buf[k] = pcm[k] / 32768.0;
        if (!soundfile_write(f, buf, n)) {
            snprintf(err, errlen, "%s", soundfile_error(f));
            ok = false;
        }
        at += n;
    }
    if (!soundfile_close(f) && ok) {
        snprintf(err, errlen, "%s: cannot finish writing", path);
        ok = false;
    }
    return ok;
}

/* CUE text is quoted and has no escape: a double quote becomes a single one. */
static void cue_line(FILE *f, const char *indent, const char *cmd, const char *text)
{
    if (!text)
        return;
    fprintf(f, "%s%s \"", indent, cmd);
    for (const char *p = text; *p; p++)
        fputc(*p == '"' ? '\'' : *p, f);
    fprintf(f, "\"\n");
}

static bool write_cue(struct extract *x, char *err, size_t errlen)
{
    const struct ddp *d = x->d;
    char path[PATH_MAX], msf[DDP_MSF_LEN];
    snprintf(path, sizeof path, "%s/album.cue", x->out);
    FILE *f = fopen(path, "wx");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create (%s)", path, strerror(errno));
        return false;
    }
    if (d->has_cdtext && d->cdtext.genre)
        cue_line(f, "", "REM GENRE", d->cdtext.genre_text ? d->cdtext.genre_text
                                                          : genre_name(d->cdtext.genre));
    if (d->disc_upc[0])
        fprintf(f, "CATALOG %s\n", d->disc_upc);
    cue_line(f, "", "PERFORMER", text_of(d, 0, CDTEXT_PERFORMER));
    cue_line(f, "", "TITLE", text_of(d, 0, CDTEXT_TITLE));
    cue_line(f, "", "SONGWRITER", text_of(d, 0, CDTEXT_SONGWRITER));
    fprintf(f, "FILE \"album.wav\" WAVE\n");
    for (int i = 0; i < d->ntracks; i++) {
        const struct ddp_track *t = &d->tracks[i];
        fprintf(f, "  TRACK %02d AUDIO\n", t->number);
        cue_line(f, "    ", "TITLE", text_of(d, t->number, CDTEXT_TITLE));
        cue_line(f, "    ", "PERFORMER", text_of(d, t->number, CDTEXT_PERFORMER));
        cue_line(f, "    ", "SONGWRITER", text_of(d, t->number, CDTEXT_SONGWRITER));
        if (t->control > 0 || t->scms)
            fprintf(f, "    FLAGS%s%s%s\n", t->control & 2 ? " DCP" : "", t->control & 1 ? " PRE" : "",
                    t->scms ? " SCMS" : "");
        if (t->isrc[0])
            fprintf(f, "    ISRC %s\n", t->isrc);
        if (t->index0 >= 0 && t->index0 < t->start) {
            ddp_msf(t->index0, msf);
            fprintf(f, "    INDEX 00 %s\n", msf);
        }
        ddp_msf(t->start, msf);
        fprintf(f, "    INDEX 01 %s\n", msf);
        for (int k = 0; k < t->nindex; k++) {
            ddp_msf(t->index[k], msf);
            fprintf(f, "    INDEX %02d %s\n", k + 2, msf);
        }
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write error", path);
        return false;
    }
    return true;
}

/* What extraction needs of the set: tracks with index 01 in order and an
 * image that holds everything up to the lead-out. */
static bool extractable(const struct ddp *d, char *err, size_t errlen)
{
    if (d->fd < 0 || d->ntracks == 0 || d->leadout <= 0) {
        snprintf(err, errlen, "%s: no audio image or no tracks to extract; "
                 "'lathe ddp verify' says why", d->dir);
        return false;
    }
    int64_t prev = -1;
    for (int i = 0; i < d->ntracks; i++) {
        if (d->tracks[i].start <= prev || d->tracks[i].start >= d->leadout) {
            snprintf(err, errlen, "%s: track %02d's start is out of order; "
                     "'lathe ddp verify' says more", d->dir, d->tracks[i].number);
            return false;
        }
        prev = d->tracks[i].start;
    }
    struct stat st;
    if (fstat(d->fd, &st) != 0 || st.st_size < d->leadout * DDP_SECTOR_BYTES) {
        snprintf(err, errlen, "%s: the image is shorter than the lead-out (%lld sectors); "
                 "'lathe ddp verify' says more", d->dir, (long long)d->leadout);
        return false;
    }
    return true;
}

/* The folder `out` is made in: its parent, "." for a plain name. */
static void parent_of(const char *out, char *buf, size_t len)
{
    snprintf(buf, len, "%s", out);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == buf)
        buf[1] = 0;
    else
        *slash = 0;
}

/* Links every finished file from `tmp` into the existing folder `out`, or
 * none: a name that appeared meanwhile undoes the ones already linked. */
static int link_all(const char *tmp, const char *out, char names[][32], int n,
                    char *err, size_t errlen)
{
    int placed = 0, status = EXIT_OK;
    for (; placed < n; placed++) {
        char from[PATH_MAX + 64], to[PATH_MAX + 64];
        bool fits = snprintf(from, sizeof from, "%s/%s", tmp, names[placed]) < (int)sizeof from &&
                    snprintf(to, sizeof to, "%s/%s", out, names[placed]) < (int)sizeof to;
        if (!fits || link(from, to) != 0) {
            int e = fits ? errno : ENAMETOOLONG;
            snprintf(err, errlen, "%s: %s", to, e == EEXIST ? "exists; lathe does not overwrite it"
                     : strerror(e));
            status = e == EEXIST ? EXIT_USAGE : EXIT_WRITE;
            break;
        }
    }
    if (status != EXIT_OK)
        for (int i = 0; i < placed; i++) {
            char to[PATH_MAX + 64];
            snprintf(to, sizeof to, "%s/%s", out, names[i]);
            unlink(to);
        }
    return status;
}

/* Renames the finished folder `tmp` to the new name `out`, never over
 * anything that appeared there meanwhile. */
static int rename_new(const char *tmp, const char *out, char *err, size_t errlen)
{
    /* mkdtemp made it 0700; the delivered folder gets the usual mode */
    mode_t mask = umask(0);
    umask(mask);
    if (chmod(tmp, 0777 & ~mask) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return EXIT_WRITE;
    }
    int r = renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE);
    if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
        /* a file system without RENAME_NOREPLACE: claim the name with an
         * empty folder, which rename may then replace */
        r = mkdir(out, 0777);
        if (r == 0 && (r = rename(tmp, out)) != 0)
            rmdir(out);
    }
    if (r != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", out, e == EEXIST || e == ENOTEMPTY
                 ? "appeared while extracting; lathe does not overwrite it" : strerror(e));
        return e == EEXIST || e == ENOTEMPTY ? EXIT_USAGE : EXIT_WRITE;
    }
    return EXIT_OK;
}

static int run_extract(const char *dir, const char *out)
{
    struct ddp *d = open_or_say(dir);
    if (!d)
        return EXIT_USAGE;
    char err[2 * PATH_MAX];
    if (!extractable(d, err, sizeof err)) {
        fprintf(stderr, "lathe ddp: %s\n", err);
        ddp_close(d);
        return EXIT_USAGE;
    }
    /* refuse before writing anything */
    char names[DDP_MAX_TRACKS + 2][32];
    int n = 0;
    for (int i = 0; i < d->ntracks; i++)
        snprintf(names[n++], sizeof names[0], "track%02d.wav", d->tracks[i].number);
    snprintf(names[n++], sizeof names[0], "album.wav");
    snprintf(names[n++], sizeof names[0], "album.cue");
    struct stat st;
    bool existing = stat(out, &st) == 0;
    if (existing && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "lathe ddp: %s exists and is not a folder (nothing written)\n", out);
        ddp_close(d);
        return EXIT_USAGE;
    }
    for (int i = 0; existing && i < n; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        if (lstat(path, &st) == 0) {
            fprintf(stderr, "lathe ddp: %s exists; lathe does not overwrite it (nothing written)\n",
                    path);
            ddp_close(d);
            return EXIT_USAGE;
        }
    }
    char home[PATH_MAX], tmp[PATH_MAX + 64];
    if (existing)
        snprintf(home, sizeof home, "%s", out);
    else
        parent_of(out, home, sizeof home);
    if (!fs_mkdirs(home)) {
        fprintf(stderr, "lathe ddp: %s: %s\n", home, strerror(errno));
        ddp_close(d);
        return EXIT_WRITE;
    }
    fs_clean_stale(home, EXTRACT_TMP);
    snprintf(tmp, sizeof tmp, "%s/" EXTRACT_TMP "%d-XXXXXX", home, (int)getpid());
    struct extract *x = calloc(1, sizeof *x);
    if (!x || !mkdtemp(tmp)) {
        fprintf(stderr, "lathe ddp: %s: %s\n", x ? tmp : out, x ? strerror(errno) : "out of memory");
        free(x);
        ddp_close(d);
        return EXIT_WRITE;
    }
    x->d = d;
    x->out = tmp;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    bool ok = true;
    for (int i = 0; ok && i < d->ntracks; i++)
        ok = write_wav(x, names[i], d->tracks[i].start * DDP_SECTOR_FRAMES,
                       d->tracks[i].next * DDP_SECTOR_FRAMES, d->tracks[i].number, err, sizeof err);
    ok = ok && write_wav(x, "album.wav", 0, d->leadout * DDP_SECTOR_FRAMES, 0, err, sizeof err);
    ok = ok && write_cue(x, err, sizeof err);
    if (ok && extract_cancelled) {
        snprintf(err, sizeof err, "interrupted");
        ok = false;
    }
    int status = ok ? (existing ? link_all(tmp, out, names, n, err, sizeof err)
                                : rename_new(tmp, out, err, sizeof err))
                    : EXIT_WRITE;
    if (status != EXIT_OK)
        fprintf(stderr, "lathe ddp: extract to %s: %s (nothing left behind)\n", out, err);
    else
        printf("%s: %d track WAV%s, album.wav and album.cue\n", out, d->ntracks,
               d->ntracks == 1 ? "" : "s");
    fs_remove_tree(tmp);        /* gone already when renamed into place */
    free(x);
    ddp_close(d);
    return status;
}

int cli_ddp(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nverify: every problem of the set, one a line; exit 0 clean, 1 problems, "
               "2 not a DDP.\ninfo: the disc and its tracks.\nextract: trackNN.wav, album.wav "
               "and album.cue into OUT,\nall or none (a new OUT appears whole; an existing file is never overwritten).\n", usage);
        return EXIT_OK;
    }
    if (argc < 3) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1], *dir = NULL, *out = NULL;
    bool json = false;
    bool options = true;    /* until "--": a folder may be named -x */
    for (int i = 2; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0)
            options = false;
        else if (!options && !dir)
            dir = argv[i];
        else if (!options) {
            fputs(usage, stderr);
            return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0 && strcmp(cmd, "info") == 0)
            json = true;
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc && strcmp(cmd, "extract") == 0)
            out = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (!dir) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "verify") == 0)
        return run_verify(dir);
    if (strcmp(cmd, "info") == 0)
        return run_info(dir, json);
    if (strcmp(cmd, "extract") == 0 && out)
        return run_extract(dir, out);
    fputs(usage, stderr);
    return EXIT_USAGE;
}
