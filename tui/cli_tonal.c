/* SPDX-License-Identifier: MIT */
/* `lathe analyze --tonal SESSION [-t N] [-r REFERENCE] [--json]`: the tonal
 * balance of the tracks as the album plays them against a reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/measure_reuse.h"
#include "audio/mixprobe.h"
#include "audio/tonal.h"
#include "dsp/tonal_match.h"
#include "session/sessfile.h"
#include "tui/cli.h"
#include "tui/json.h"

#define USAGE "usage: lathe analyze --tonal [-t N] [-r REFERENCE] [--json] [--] SESSION\n"

static void json_bands(const char *key, const double *db)
{
    printf("\"%s\": [", key);
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        printf("%s", i ? ", " : "");
        json_number(stdout, db[i]);
    }
    printf("]");
}

int cli_analyze_tonal(int argc, char **argv)
{
    const char *path = NULL, *ref_name = NULL;
    int only = 0;
    bool json = false;
    bool options = true;    /* until "--": a name may start with - */
    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
            continue;
        }
        if (!options) {
            if (path) {
                fprintf(stderr, "lathe analyze: unexpected \"%s\"\n" USAGE, argv[i]);
                return EXIT_USAGE;
            }
            path = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--tonal") == 0)
            continue;
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);   /* range first, then int */
            only = *end || end == argv[i] || n < 1 || n > SESSION_MAX_TRACKS ? 0 : (int)n;
            if (only == 0) {
                fprintf(stderr, "lathe analyze: -t \"%s\": expected a track number\n" USAGE, argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            ref_name = argv[++i];
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "lathe analyze: unexpected \"%s\"\n" USAGE, argv[i]);
            return EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "lathe analyze: no SESSION given\n" USAGE);
        return EXIT_USAGE;
    }
    char err[4096 + 600];
    struct session *s = session_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "lathe analyze: %s\n", err);
        return EXIT_USAGE;
    }
    mix_probe_session(s);
    int status = EXIT_USAGE;
    int ref = tonal_find_reference(s, ref_name, err, sizeof err);
    struct timeline tl = { 0 };
    struct measure_reuse *reuse = NULL;
    double (*db)[OCTAVE_BANDS] = calloc((size_t)s->ntracks + 1, sizeof *db);
    double rdb[OCTAVE_BANDS];
    if (ref < 0 || !db)
        goto out;
    if (only > s->ntracks) {
        snprintf(err, sizeof err, "-t %d: the session has %d tracks", only, s->ntracks);
        goto out;
    }
    for (int i = 0; i < s->ntracks; i++)
        if (!s->tracks[i].mix.ok) {
            snprintf(err, sizeof err, "track %d: %s", i + 1, s->tracks[i].mix.error);
            goto out;
        }
    if (s->ntracks == 0) {
        snprintf(err, sizeof err, "the session has no tracks");
        goto out;
    }
    if (!timeline_build(s, &tl)) {
        snprintf(err, sizeof err, "out of memory");
        goto out;
    }
    if (!(reuse = measure_reuse_open(s))) {
        snprintf(err, sizeof err, "out of memory");
        goto out;
    }
    if (!measure_reuse_tonal_reference(reuse, s, ref, rdb, err, sizeof err) ||
        !measure_reuse_tonal_tracks(reuse, s, &tl, only, db, err, sizeof err))
        goto out;
    measure_reuse_report(reuse, "lathe analyze", "files");
    const char *rname = s->refs[ref].name ? s->refs[ref].name : s->refs[ref].file;
    if (json) {
        printf("{\"reference\": ");
        json_string(stdout, rname);
        printf(", \"bands_hz\": [");
        for (int i = 0; i < OCTAVE_BANDS; i++)
            printf("%s%.1f", i ? ", " : "", octave_band_centre(i));
        printf("],\n ");
        json_bands("reference_db", rdb);
        printf(",\n \"tracks\": [");
    }
    int shown = 0;
    for (int i = 0; i < s->ntracks; i++) {
        if (only && i != only - 1)
            continue;
        double diff[OCTAVE_BANDS];
        tonal_difference(db[i], rdb, diff);
        char name[300];
        snprintf(name, sizeof name, "%02d %s", i + 1, s->tracks[i].text.title ? s->tracks[i].text.title : s->tracks[i].file);
        if (json) {
            printf("%s\n  {\"number\": %d, \"title\": ", shown ? "," : "", i + 1);
            json_string(stdout, s->tracks[i].text.title);
            printf(", ");
            json_bands("db", db[i]);
            printf(", ");
            json_bands("difference_db", diff);
            printf("}");
        } else {
            printf("%s", shown ? "\n" : "");
            tonal_chart(stdout, name, db[i], rname, rdb);
        }
        shown++;
    }
    if (json)
        printf("]}\n");
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fprintf(stderr, "lathe analyze: %s\n", err);
    measure_reuse_close(reuse);
    free(db);
    timeline_free(&tl);
    session_free(s);
    return status;
}
