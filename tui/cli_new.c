/* SPDX-License-Identifier: MIT */
/* `lathe new SESSION MIX...`: a session from mix files, in name order. */
#define _GNU_SOURCE     /* strverscmp: "2 x.wav" sorts before "10 x.wav" */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/intake_report.h"
#include "audio/soundfile.h"
#include "session/codes.h"
#include "session/params.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tui/cli.h"

struct mix {
    const char *path;
    const char *base;
    struct soundfile_info info;
};

static int by_name(const void *a, const void *b)
{
    const struct mix *x = a, *y = b;
    int c = strverscmp(x->base, y->base);
    return c ? c : strcmp(x->path, y->path);
}

/* "01 - Night_Drive.wav" -> "Night Drive" */
static void title_from_name(const char *base, char *out, size_t len)
{
    const char *s = base;
    while (isdigit((unsigned char)*s))
        s++;
    if (s != base)
        while (*s == ' ' || *s == '-' || *s == '_' || *s == '.')
            s++;
    if (!*s)
        s = base;
    const char *dot = strrchr(s, '.');
    size_t n = dot && dot != s ? (size_t)(dot - s) : strlen(s);
    if (n >= len)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = s[i] == '_' ? ' ' : s[i];
    out[n] = 0;
}

/* The path of `target` relative to the folder `dir` (both made absolute). */
static void relative_path(const char *dir, const char *target, char *out, size_t len)
{
    char adir[PATH_MAX], atarget[PATH_MAX];
    if (!realpath(dir, adir) || !realpath(target, atarget)) {
        snprintf(out, len, "%s", target);
        return;
    }
    size_t common = 0, i = 0;
    while (adir[i] && adir[i] == atarget[i]) {
        if (adir[i] == '/')
            common = i;
        i++;
    }
    if (!adir[i] && atarget[i] == '/')
        common = i;
    if (!adir[i] && !atarget[i])
        common = i;
    size_t used = 0;
    for (const char *p = adir + common; *p; p++)
        if (*p == '/' && used + 3 < len)
            used += (size_t)snprintf(out + used, len - used, "../");
    if (strcmp(adir, "/") == 0)
        used = 0;
    snprintf(out + used, len - used, "%s", atarget + common + (atarget[common] == '/' ? 1 : 0));
}

static void session_dir(const char *session_path, char *out, size_t len)
{
    const char *slash = strrchr(session_path, '/');
    if (!slash)
        snprintf(out, len, ".");
    else if (slash == session_path)
        snprintf(out, len, "/");
    else
        snprintf(out, len, "%.*s", (int)(slash - session_path), session_path);
}

static void add_output(struct session *s, const char *name, enum output_format format,
                       int rate, int bits, int dither, bool ceiling, bool album,
                       const char *name_template)
{
    struct output *o = session_add_output(s, name);
    if (!o)
        return;
    o->format = format;
    o->has_format = true;
    o->rate = rate;
    o->bits = bits;
    if (dither >= 0) {
        o->dither = dither;
        o->has_dither = true;
    }
    if (ceiling) {
        o->ceiling = -1;
        o->has_ceiling = true;
    }
    o->album = album;
    if (name_template)
        str_set(&o->name_template, name_template);
}

static struct session *build(const char *path, struct mix *mixes, int n)
{
    struct session *s = session_new();
    if (!s)
        return NULL;
    s->has_lathe = s->has_album = s->has_master = true;
    char dir[PATH_MAX], title[256];
    session_dir(path, dir, sizeof dir);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    title_from_name(base, title, sizeof title);
    str_set(&s->album.text.title, title);
    /* the session rate: the rate most mixes have */
    int best = 0, best_count = 0;
    for (int i = 0; i < n; i++) {
        int count = 0;
        for (int j = 0; j < n; j++)
            count += mixes[j].info.rate == mixes[i].info.rate;
        if (count > best_count) {
            best = mixes[i].info.rate;
            best_count = count;
        }
    }
    s->album.rate = best;
    for (int i = 0; i < n; i++) {
        struct track *t = session_insert_track(s, s->ntracks);
        char rel[PATH_MAX];
        if (!t)
            break;
        relative_path(dir, mixes[i].path, rel, sizeof rel);
        str_set(&t->file, rel);
        title_from_name(mixes[i].base, title, sizeof title);
        str_set(&t->text.title, title);
        t->gap.seconds = SESSION_DEFAULT_GAP;
        t->has_gap = true;
        t->mix.probed = t->mix.ok = true;
        t->mix.rate = mixes[i].info.rate;
        t->mix.channels = mixes[i].info.channels;
        t->mix.frames = mixes[i].info.frames;
    }
    struct proc limit;
    char err[128];
    proc_parse(&limit, PROC_LIMIT, "ceiling -1dBTP release 60ms", err, sizeof err);
    chain_settings_insert(&s->master.chain, 0, &limit);
    add_output(s, "cd", OUT_DDP, 44100, 16, DITHER_CHOICE_SHAPED, true, false, NULL);
    add_output(s, "stream", OUT_FLAC, 48000, 24, -1, true, false, "{nn} {title}");
    add_output(s, "client", OUT_MP3, 44100, 0, -1, false, true, NULL);
    return s;
}

/* The intake checks of every mix added, one line per finding. */
static void report_intake(struct mix *mixes, int n)
{
    struct mix_analysis *jobs = calloc((size_t)n, sizeof *jobs);
    const char **labels = calloc((size_t)n, sizeof *labels);
    if (!jobs || !labels) {
        free(jobs);
        free(labels);
        return;
    }
    for (int i = 0; i < n; i++) {
        jobs[i].path = mixes[i].path;
        labels[i] = mixes[i].base;
    }
    intake_report_measure(jobs, n);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int findings = f ? intake_report_write(f, jobs, labels, n, false) : 0;
    if (f)
        fclose(f);
    if (text && *text) {
        printf("intake (%d finding%s to look at; lathe analyze MIX for the figures):\n", findings,
               findings == 1 ? "" : "s");
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            printf("  %s\n", line);
    } else if (text) {
        printf("intake: every mix is clean\n");
    }
    free(text);
    free(jobs);
    free(labels);
}

int cli_new(int argc, char **argv)
{
    bool intake = true;
    /* options go before "--"; after it every word is a name, even -x.wav */
    for (int i = 1; i < argc; i++) {
        bool dashes = strcmp(argv[i], "--") == 0;
        if (!dashes && strcmp(argv[i], "--no-intake") != 0)
            continue;
        intake &= dashes;
        memmove(&argv[i], &argv[i + 1], sizeof *argv * (size_t)(argc - i - 1));
        argc--;
        i--;
        if (dashes)
            break;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: lathe new SESSION MIX...\n");
        return EXIT_USAGE;
    }
    const char *path = argv[1];
    if (access(path, F_OK) == 0) {
        fprintf(stderr, "lathe new: %s already exists — lathe never overwrites a session; "
                        "choose another name or remove it\n", path);
        return EXIT_USAGE;
    }
    int n = argc - 2;
    struct mix *mixes = calloc((size_t)n, sizeof *mixes);
    if (!mixes) {
        fprintf(stderr, "lathe new: out of memory\n");
        return EXIT_USAGE;
    }
    int bad = 0, bad_names = 0;
    for (int i = 0; i < n; i++) {
        char err[1024];
        mixes[i].path = argv[i + 2];
        mixes[i].base = strrchr(argv[i + 2], '/') ? strrchr(argv[i + 2], '/') + 1 : argv[i + 2];
        bool clean = text_utf8_ok(mixes[i].path, strlen(mixes[i].path));
        for (const char *c = mixes[i].path; clean && *c; c++)
            clean = (unsigned char)*c >= 0x20 && *c != 0x7f;
        if (!clean) {
            fprintf(stderr, "lathe new: %s: the file name is not clean UTF-8 text; rename the mix\n",
                    mixes[i].path);
            bad_names++;
        } else if (!soundfile_probe(mixes[i].path, &mixes[i].info, err, sizeof err)) {
            fprintf(stderr, "lathe new: %s\n", err);
            bad++;
        }
    }
    bad += bad_names;
    if (bad) {
        fprintf(stderr, "lathe new: %d of %d mixes unreadable; %s not written\n", bad, n, path);
        free(mixes);
        return EXIT_USAGE;
    }
    qsort(mixes, (size_t)n, sizeof *mixes, by_name);
    struct session *s = build(path, mixes, n);
    char err[1024];
    char *text = s ? session_format(s) : NULL;
    if (!text) {
        fprintf(stderr, "lathe new: out of memory\n");
        session_free(s);
        free(mixes);
        return EXIT_WRITE;
    }
    /* the check above is advice; this is the guarantee: two `new` at once
     * cannot both write */
    bool ok = file_create_atomic(path, text, strlen(text), err, sizeof err);
    bool taken = !ok && errno == EEXIST;
    free(text);
    if (!ok) {
        fprintf(stderr, "lathe new: %s\n", err);
        session_free(s);
        free(mixes);
        return taken ? EXIT_USAGE : EXIT_WRITE;    /* taken: as the check above says */
    }
    struct timeline tl;
    if (timeline_build(s, &tl)) {
        char len[32];
        timeline_clock(tl.rate, tl.end, len, sizeof len);
        printf("%s: %d tracks, %d Hz, %s\n", path, s->ntracks, tl.rate, len);
        timeline_free(&tl);
    }
    fflush(stdout);
    if (intake)
        report_intake(mixes, n);
    free(mixes);
    session_free(s);
    return EXIT_OK;
}
