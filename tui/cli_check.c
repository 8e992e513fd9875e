/* SPDX-License-Identifier: MIT */
/* `lathe check SESSION [--json]`: QC of a session before delivery. */
#include <stdio.h>
#include <string.h>

#include "audio/mixprobe.h"
#include "session/rules.h"
#include "session/sessfile.h"
#include "session/timeline.h"
#include "tui/cli.h"
#include "tui/json.h"

static void print_table(const struct session *s, const struct timeline *tl)
{
    char start[16], len[16], gap[16];
    printf(" #  %-28s %-9s %-9s %-7s %s\n", "title", "start", "length", "gap", "ISRC");
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        const struct timeline_track *tt = &tl->tracks[i];
        timeline_msf(tl, tt->index1, start, sizeof start);
        timeline_msf(tl, tt->next_index1 - tt->index1, len, sizeof len);
        double g = (double)(tt->index1 - tt->index0) / tl->rate;
        if (tt->crossfade > 0)
            snprintf(gap, sizeof gap, "x%.2fs", (double)tt->crossfade / tl->rate);
        else
            snprintf(gap, sizeof gap, "%.2fs", g);
        printf("%2d  %-28.28s %-9s %-9s %-7s %s\n", i + 1, t->text.title ? t->text.title : t->file,
               start, t->mix.ok ? len : "?", gap, t->isrc ? t->isrc : "-");
    }
    char total[16];
    timeline_msf(tl, tl->end, total, sizeof total);
    printf("    %-28s %-9s\n", "total", total);
}

static void print_json(const char *path, const struct session *s, const struct timeline *tl,
                       const struct problems *p)
{
    printf("{\"session\": ");
    json_string(stdout, path);
    printf(", \"rate\": %d, \"length_seconds\": ", tl->rate);
    json_number(stdout, (double)tl->end / tl->rate);
    printf(", \"errors\": %d, \"warnings\": %d,\n \"tracks\": [", p->errors, p->warnings);
    for (int i = 0; i < s->ntracks; i++) {
        const struct timeline_track *tt = &tl->tracks[i];
        printf("%s\n  {\"number\": %d, \"title\": ", i ? "," : "", i + 1);
        json_string(stdout, s->tracks[i].text.title);
        printf(", \"file\": ");
        json_string(stdout, s->tracks[i].file);
        printf(", \"isrc\": ");
        json_string(stdout, s->tracks[i].isrc);
        printf(", \"start_frames\": %lld, \"length_frames\": %lld, \"pregap_frames\": %lld}",
               (long long)timeline_frames(tl, tt->index1),
               (long long)timeline_frames(tl, tt->next_index1 - tt->index1),
               (long long)timeline_frames(tl, tt->index1 - tt->index0));
    }
    printf("],\n \"problems\": [");
    for (int i = 0; i < p->n; i++) {
        printf("%s\n  {\"severity\": \"%s\", \"track\": %d, \"code\": \"%s\", \"message\": ",
               i ? "," : "", p->items[i].severity == SEV_ERROR ? "error" : "warning",
               p->items[i].track, p->items[i].code);
        json_string(stdout, p->items[i].message);
        printf("}");
    }
    printf("]}\n");
}

int cli_check(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: lathe check SESSION [--json]\n");
            return EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: lathe check SESSION [--json]\n");
        return EXIT_USAGE;
    }
    char err[1024];
    struct session *s = session_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "lathe check: %s\n", err);
        return EXIT_USAGE;
    }
    mix_probe_session(s);
    struct timeline tl;
    struct problems p = { 0 };
    if (!timeline_build(s, &tl)) {
        fprintf(stderr, "lathe check: out of memory\n");
        session_free(s);
        return EXIT_USAGE;
    }
    rules_check(s, &tl, &p);
    if (json) {
        print_json(path, s, &tl, &p);
    } else {
        printf("%s: %d track%s\n", path, s->ntracks, s->ntracks == 1 ? "" : "s");
        if (s->ntracks)
            print_table(s, &tl);
        for (int i = 0; i < p.n; i++) {
            const struct problem *it = &p.items[i];
            char where[16] = "album";
            if (it->track)
                snprintf(where, sizeof where, "track %d", it->track);
            printf("%s: %s: %s\n", it->severity == SEV_ERROR ? "error" : "warning", where,
                   it->message);
        }
        if (p.n == 0)
            printf("clean: no problems found\n");
        else
            printf("%d error%s, %d warning%s\n", p.errors, p.errors == 1 ? "" : "s", p.warnings,
                   p.warnings == 1 ? "" : "s");
    }
    int status = p.n ? EXIT_PROBLEMS : EXIT_OK;
    problems_free(&p);
    timeline_free(&tl);
    session_free(s);
    return status;
}
