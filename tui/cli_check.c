/* SPDX-License-Identifier: MIT */
/* `lathe check SESSION [--json]`: QC of a session before delivery. */
#include <stdio.h>
#include <string.h>

#include <math.h>
#include <stdlib.h>

#include "audio/measure_reuse.h"
#include "audio/mix_analysis.h"
#include "audio/mixprobe.h"
#include "audio/platforms.h"
#include "audio/render_check.h"
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
        int64_t xf = tt->crossfade;
        /* after a mix that cannot be read the overlap has nothing to take
         * from: show what the session asks for */
        if (xf == 0 && i > 0 && !tl->tracks[i - 1].length_known)
            xf = stime_samples(t->crossfade, tl->rate);
        if (xf > 0)
            snprintf(gap, sizeof gap, "x%.2fs", (double)xf / tl->rate);
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
                       const struct problems *p, bool audio_checked,
                       const struct platform_preview *pv)
{
    printf("{\"session\": ");
    json_string(stdout, path);
    printf(", \"rate\": %d, \"length_seconds\": ", tl->rate);
    json_number(stdout, (double)tl->end / tl->rate);
    printf(", \"errors\": %d, \"warnings\": %d, \"audio_checked\": %s,\n \"tracks\": [",
           p->errors, p->warnings, audio_checked ? "true" : "false");
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
        printf("%s\n  {\"severity\": \"%s\", \"track\": %d, \"code\": \"%s\", ",
               i ? "," : "", p->items[i].severity == SEV_ERROR ? "error" : "warning",
               p->items[i].track, p->items[i].code);
        if (p->items[i].output) {
            printf("\"output\": ");
            json_string(stdout, p->items[i].output);
            printf(", ");
        }
        printf("\"message\": ");
        json_string(stdout, p->items[i].message);
        printf("}");
    }
    printf("]");
    if (pv && pv->rows) {
        printf(",\n \"platforms\": ");
        platforms_write_json(stdout, pv);
    }
    printf("}\n");
}

/* What only the audio shows: overs and clipping in the mixes, limited mixes,
 * rate conversions, and the loudness a render would have against the target.
 * With `pv`, the one measurement of the master also fills the platform
 * preview. */
/* platforms_measure, the album pass taken from the cache when it holds it. */
static bool measure_platforms(struct measure_reuse *r, const struct session *s,
                              const struct timeline *tl, struct platform_preview *out, char *err,
                              size_t errlen)
{
    if (!platforms_prepare(s, out, err, errlen))
        return false;
    if (!measure_reuse_album(r, s, tl, !isnan(out->ceiling), out->ceiling, ALBUM_METER_REPORT,
                             out->tracks, &out->album, err, errlen)) {
        platforms_free(out);
        return false;
    }
    if (!platforms_apply(out)) {
        snprintf(err, errlen, "out of memory");
        platforms_free(out);
        return false;
    }
    return true;
}

static void check_audio(struct measure_reuse *r, struct session *s, const struct timeline *tl,
                        struct problems *p, struct platform_preview *pv)
{
    int n = s->ntracks;
    struct mix_analysis *jobs = calloc((size_t)(n ? n : 1), sizeof *jobs);
    char (*paths)[4096] = calloc((size_t)(n ? n : 1), sizeof *paths);
    int *track_of = calloc((size_t)(n ? n : 1), sizeof *track_of);
    int njobs = 0;
    bool all_ok = true;
    for (int i = 0; jobs && paths && track_of && i < n; i++) {
        if (!s->tracks[i].mix.ok) {
            all_ok = false;
            continue;
        }
        mix_path(s, s->tracks[i].file, paths[njobs], sizeof paths[njobs]);
        jobs[njobs].path = paths[njobs];
        track_of[njobs++] = i;
    }
    if (njobs)
        measure_reuse_mixes(r, s, jobs, track_of, njobs);
    for (int j = 0; j < njobs; j++) {
        int t = track_of[j] + 1;
        const struct mix_analysis *a = &jobs[j];
        if (!a->ok) {
            problems_add(p, SEV_ERROR, t, "mix-unreadable", "%s", a->error);
            all_ok = false;
            continue;
        }
        if (a->loud.true_peak_max > 0)
            problems_add(p, SEV_WARNING, t, "mix-overs", "%s: true peak %+.2f dBTP — the mix is over full scale",
                         s->tracks[track_of[j]].file, a->loud.true_peak_max);
        for (int w = 0; w < a->intake.nwarnings; w++) {
            const struct intake_warning *iw = &a->intake.warnings[w];
            /* mixes normally peak near 0 dBTP; the master's ceiling handles that */
            if (iw->severity == INTAKE_NOTE || strcmp(iw->code, "headroom") == 0)
                continue;
            problems_add(p, SEV_WARNING, t, iw->code, "%s: %s", s->tracks[track_of[j]].file,
                         iw->message);
        }
        if (a->info.rate != tl->rate)
            problems_add(p, SEV_WARNING, t, "rate-mismatch",
                         "%s is %d Hz; it is converted to the session's %d Hz on the way in",
                         s->tracks[track_of[j]].file, a->info.rate, tl->rate);
    }
    free(jobs);
    free(paths);
    free(track_of);
    if (!all_ok || n == 0 || (s->album.leveling == LEVEL_OFF && !pv))
        return;
    char err[1024];
    if (pv) {
        if (!measure_platforms(r, s, tl, pv, err, sizeof err)) {
            problems_add(p, SEV_ERROR, 0, "render", "%s", err);
            return;
        }
        if (s->album.leveling == LEVEL_OFF)
            return;
    }
    double ceiling = NAN;
    for (int i = 0; i < s->noutputs; i++)
        if (s->outputs[i].has_ceiling && (isnan(ceiling) || s->outputs[i].ceiling < ceiling))
            ceiling = s->outputs[i].ceiling;
    struct loudness_result *lr = calloc((size_t)n, sizeof *lr), album;
    if (lr && pv) {
        memcpy(lr, pv->tracks, (size_t)n * sizeof *lr);
        album = pv->album;
    } else if (!lr || !measure_reuse_album(r, s, tl, !isnan(ceiling), ceiling, ALBUM_METER_LEAN, lr,
                                               &album, err, sizeof err)) {
        if (lr)
            problems_add(p, SEV_ERROR, 0, "render", "%s", err);
        free(lr);
        return;
    }
    double target = s->album.target;
    if (s->album.leveling == LEVEL_ALBUM && fabs(album.integrated - target) > 0.5)
        problems_add(p, SEV_WARNING, 0, "loudness-target",
                     "the album renders at %.1f LUFS against a target of %.1f LUFS — run lathe level",
                     album.integrated, target);
    for (int i = 0; s->album.leveling == LEVEL_TRACK && i < n; i++)
        if (isfinite(lr[i].integrated) && fabs(lr[i].integrated - target) > 0.5)
            problems_add(p, SEV_WARNING, i + 1, "loudness-target",
                         "renders at %.1f LUFS against a target of %.1f LUFS — run lathe level",
                         lr[i].integrated, target);
    free(lr);
}

/* Whatever a render of every output would refuse, that the rules have not
 * already said in the same words. */
static void add_render_refusals(const struct session *s, const struct timeline *tl,
                                struct problems *p)
{
    struct problems r = { 0 };
    render_check(s, tl, NULL, 0, &r);
    for (int i = 0; i < r.n; i++) {
        const struct problem *it = &r.items[i];
        bool said = false;
        for (int k = 0; k < p->n && !said; k++)
            said = p->items[k].track == it->track && strcmp(p->items[k].message, it->message) == 0;
        if (said)
            continue;
        int before = p->n;
        problems_add(p, it->severity, it->track, it->code, "%s", it->message);
        if (p->n > before)
            p->items[before].output = it->output;
    }
    problems_free(&r);
}

int cli_check(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false, audio = true, platforms = false;
    bool options = true;    /* until "--": a name may start with - */
    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0)
            options = false;
        else if (!options && !path)
            path = argv[i];
        else if (!options) {
            fprintf(stderr, "usage: lathe check [--json] [--no-audio] [--platforms] [--] SESSION\n");
            return EXIT_USAGE;
        } else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--platforms") == 0)
            platforms = true;
        else if (strcmp(argv[i], "--no-audio") == 0)
            audio = false;
        else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: lathe check SESSION [--json] [--no-audio] [--platforms]\n");
            return EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: lathe check SESSION [--json] [--no-audio] [--platforms]\n");
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
    add_render_refusals(s, &tl, &p);
    struct platform_preview pv = { 0 };
    if (platforms && !audio) {
        fprintf(stderr, "lathe check: --platforms measures the audio; it cannot go with --no-audio\n");
        problems_free(&p);
        timeline_free(&tl);
        session_free(s);
        return EXIT_USAGE;
    }
    /* the loudness and peaks of a session with errors would mislead */
    bool audio_checked = audio && p.errors == 0;
    if (audio_checked) {
        struct measure_reuse *r = measure_reuse_open(s);
        if (!r) {
            fprintf(stderr, "lathe check: out of memory\n");
            problems_free(&p);
            timeline_free(&tl);
            session_free(s);
            return EXIT_USAGE;
        }
        check_audio(r, s, &tl, &p, platforms ? &pv : NULL);
        measure_reuse_report(r, "lathe check", "mixes");
        measure_reuse_close(r);
    }
    if (json) {
        print_json(path, s, &tl, &p, audio_checked, platforms ? &pv : NULL);
    } else {
        printf("%s: %d track%s\n", path, s->ntracks, s->ntracks == 1 ? "" : "s");
        if (s->ntracks)
            print_table(s, &tl);
        for (int i = 0; i < p.n; i++) {
            const struct problem *it = &p.items[i];
            const char *sev = it->severity == SEV_ERROR ? "error" : "warning";
            char where[16] = "album";
            if (it->track)
                snprintf(where, sizeof where, "track %d", it->track);
            /* a render refusal names its output as render says it */
            if (it->output)
                printf("%s: %s\n", sev, it->message);
            else
                printf("%s: %s: %s\n", sev, where, it->message);
        }
        if (audio && !audio_checked)
            printf("audio: not measured (fix the errors above first)\n");
        if (pv.rows) {
            printf("\n");
            platforms_write(stdout, s, &pv);
            printf("\n");
        } else if (platforms) {
            printf("platform preview: not measured (fix the errors above first)\n");
        }
        if (p.n == 0)
            printf("clean: no problems found\n");
        else
            printf("%d error%s, %d warning%s\n", p.errors, p.errors == 1 ? "" : "s", p.warnings,
                   p.warnings == 1 ? "" : "s");
    }
    int status = p.n ? EXIT_PROBLEMS : EXIT_OK;
    platforms_free(&pv);
    problems_free(&p);
    timeline_free(&tl);
    session_free(s);
    return status;
}
