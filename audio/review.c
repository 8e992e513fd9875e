/* SPDX-License-Identifier: MIT */
/* The client's review package (review.h): two file sinks (album and
 * tracks) in the output's lossy format, then the page and the notes. */
#include "audio/review.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/file_sink.h"
#include "audio/textfile.h"
#include "session/timeline.h"

struct review {
    struct output lossy;        /* the output as the file sinks see it */
    struct sink_context c;
    struct sink *album, *tracks;
    int revision;
};

void review_folder_name(const struct output *o, int revision, char *out, size_t len)
{
    snprintf(out, len, "%s-r%d", o->name ? o->name : "review", revision);
}

static bool rv_write(void *state, const struct render_block *b, char *err, size_t errlen)
{
    struct review *r = state;
    return r->album->ops->write(r->album->state, b, err, errlen) &&
           r->tracks->ops->write(r->tracks->state, b, err, errlen);
}

/* ---- the page ---- */

static void html(FILE *f, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++)
        switch (*p) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
}

/* A file name as a relative URL: every byte but the unreserved ones
 * percent-encoded, so spaces, '#', '%' and UTF-8 all survive. */
static void url(FILE *f, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
}

static void clock_of(const struct timeline *tl, int64_t samples, char *buf, int len)
{
    timeline_clock(tl->rate, samples, buf, len);
}

static bool page(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct review *r = ctx;
    const struct session *s = r->c.s;
    const struct timeline *tl = r->c.tl;
    const char *title = s->album.text.title ? s->album.text.title : "Album";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    html(f, title);
    fprintf(f, " — review r%d</title>\n", r->revision);
    fputs("<style>\nbody { font-family: sans-serif; margin: 2em; max-width: 60em; color: #222; }\n"
          "table { border-collapse: collapse; width: 100%; }\n"
          "th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }\n"
          "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
          "audio { width: 100%; }\ntd audio { min-width: 18em; }\n.notes { margin: 0; padding-left: 1.2em; color: #555; }\n"
          "button.start { font: inherit; border: none; background: none; color: #0645ad; cursor: pointer; padding: 0; }\n"
          "</style>\n</head>\n<body>\n<h1>", f);
    html(f, title);
    fputs("</h1>\n", f);
    if (s->album.text.performer) {
        fputs("<p class=\"performer\">", f);
        html(f, s->album.text.performer);
        fputs("</p>\n", f);
    }
    char total[32];
    clock_of(tl, tl->end, total, sizeof total);
    fprintf(f, "<p>Reference master, revision %d, %d tracks, %s.</p>\n", r->revision,
            s->ntracks, total);
    fputs("<h2>The album</h2>\n<audio id=\"album\" controls preload=\"metadata\" src=\"", f);
    url(f, file_sink_name(r->album, 0));
    fputs("\"></audio>\n<h2>Tracks</h2>\n<table id=\"tracks\">\n<thead><tr><th>#</th><th>Title</th>"
          "<th>Start</th><th>Length</th><th>ISRC</th><th>Listen</th></tr></thead>\n<tbody>\n", f);
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct timeline_track *tt = &tl->tracks[i];
        char start[32], len[32];
        clock_of(tl, tt->index1, start, sizeof start);
        clock_of(tl, tt->next_index1 - tt->index1, len, sizeof len);
        fprintf(f, "<tr data-track=\"%d\" data-start=\"%.3f\" data-length=\"%.3f\">"
                "<td class=\"num\">%d</td><td>", i + 1, (double)tt->index1 / tl->rate,
                (double)(tt->next_index1 - tt->index1) / tl->rate, i + 1);
        html(f, t->text.title ? t->text.title : "");
        if (t->nnote) {
            fputs("<ul class=\"notes\">", f);
            for (int n = 0; n < t->nnote; n++) {
                fputs("<li>", f);
                html(f, t->note[n]);
                fputs("</li>", f);
            }
            fputs("</ul>", f);
        }
        fprintf(f, "</td><td class=\"num\"><button type=\"button\" class=\"start\">%s</button></td>"
                "<td class=\"num\">%s</td><td>", start, len);
        html(f, t->isrc ? t->isrc : "");
        fputs("</td><td><audio controls preload=\"none\" src=\"", f);
        url(f, file_sink_name(r->tracks, i));
        fputs("\"></audio></td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n<h2>Documents</h2>\n<ul>\n"
          "<li><a href=\"notes.txt\">Notes</a></li>\n"
          "<li><a href=\"loudness.txt\">Loudness report</a></li>\n"
          "<li><a href=\"pq.txt\">PQ sheet</a></li>\n"
          "<li><a href=\"MANIFEST.md5\">Checksums</a></li>\n</ul>\n"
          "<script>\n"
          "document.querySelectorAll('#tracks tbody tr').forEach(function (row) {\n"
          "  row.querySelector('button.start').addEventListener('click', function () {\n"
          "    var album = document.getElementById('album');\n"
          "    album.currentTime = parseFloat(row.dataset.start);\n"
          "    album.play().catch(function () {});\n"
          "  });\n"
          "});\n"
          "</script>\n</body>\n</html>\n", f);
    return !ferror(f);
}

static bool notes(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct review *r = ctx;
    const struct session *s = r->c.s;
    fprintf(f, "%s — review r%d\n", s->album.text.title ? s->album.text.title : "Album",
            r->revision);
    int any = 0;
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        if (!t->nnote)
            continue;
        fprintf(f, "\n%02d %s\n", i + 1, t->text.title ? t->text.title : "");
        for (int n = 0; n < t->nnote; n++)
            fprintf(f, "  - %s\n", t->note[n]);
        any++;
    }
    if (!any)
        fprintf(f, "\nNo notes.\n");
    return !ferror(f);
}

static bool save(const struct review *r, const char *name, text_writer fn, char *err,
                 size_t errlen)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", r->c.dir, name);
    return text_save(path, fn, (void *)r, err, errlen);
}

static bool rv_finish(void *state, char *err, size_t errlen)
{
    struct review *r = state;
    return r->album->ops->finish(r->album->state, err, errlen) &&
           r->tracks->ops->finish(r->tracks->state, err, errlen) &&
           save(r, "index.html", page, err, errlen) && save(r, "notes.txt", notes, err, errlen);
}

static void sink_free(struct sink *k)
{
    if (k) {
        k->ops->destroy(k->state);
        free(k);
    }
}

static void rv_destroy(void *state)
{
    struct review *r = state;
    if (!r)
        return;
    sink_free(r->album);
    sink_free(r->tracks);
    free(r);
}

static const struct sink_ops review_ops = {
    .name = "review",
    .write = rv_write,
    .finish = rv_finish,
    .destroy = rv_destroy,
};

bool review_sink_check(const struct sink_context *c, char *err, size_t errlen)
{
    struct output lossy = *c->o;
    lossy.format = c->o->lossy == LOSSY_OGG ? OUT_OGG : OUT_MP3;
    struct sink_context lc = *c;
    lc.o = &lossy;
    return file_sink_check(&lc, err, errlen);
}

struct sink *review_sink_new(const struct sink_context *c, char *err, size_t errlen)
{
    struct review *r = calloc(1, sizeof *r);
    struct sink *k = malloc(sizeof *k);
    if (!r || !k) {
        free(r);
        free(k);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->lossy = *c->o;
    r->lossy.format = c->o->lossy == LOSSY_OGG ? OUT_OGG : OUT_MP3;
    r->c = *c;
    r->c.o = &r->lossy;
    r->revision = c->s->album.revision + 1;
    char name[512];
    snprintf(name, sizeof name, "%s r%d", c->s->album.text.title ? c->s->album.text.title : "Album",
             r->revision);
    r->album = album_sink_new(&r->c, name, err, errlen);
    r->tracks = r->album ? tracks_sink_new(&r->c, err, errlen) : NULL;
    if (!r->tracks) {
        rv_destroy(r);
        free(k);
        return NULL;
    }
    k->ops = &review_ops;
    k->state = r;
    return k;
}
