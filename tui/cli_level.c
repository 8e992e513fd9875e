/* SPDX-License-Identifier: MIT */
/* `lathe level SESSION [--target LUFS] [--mode album|track] [--ceiling dBTP]`:
 * computes gains with the master chain and a limiter in the loop, iterating
 * until the measured result is within 0.1 LU of the target, and writes the
 * gains into the session, where render reads them: nothing hidden happens
 * at render time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/level.h"
#include "audio/mixprobe.h"
#include "session/params.h"
#include "session/sessfile.h"
#include "session/sesssave.h"
#include "tui/cli.h"

static int usage(void)
{
    fprintf(stderr, "usage: lathe level [--target LUFS] [--mode album|track] [--ceiling dBTP] [--] SESSION\n");
    return EXIT_USAGE;
}

int cli_level(int argc, char **argv)
{
    const char *path = NULL;
    double target = NAN, ceiling = NAN;
    int mode = -1;
    bool options = true;    /* until "--": a name may start with - */
    for (int i = 1; i < argc; i++) {
        double v;
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (!options) {
            if (path)
                return usage();
            path = argv[i];
        } else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            char buf[64];
            i++;
            snprintf(buf, sizeof buf, "%s%s", argv[i], strstr(argv[i], "LUFS") ? "" : " LUFS");
            if (!param_parse_value(UNIT_LUFS, NULL, buf, &v) || !limit_in(v, LIMIT_TARGET_MIN, LIMIT_TARGET_MAX)) {
                fprintf(stderr, "lathe level: --target \"%s\" — expected a loudness like -14\n", argv[i]);
                return EXIT_USAGE;
            }
            target = v;
        } else if (strcmp(argv[i], "--ceiling") == 0 && i + 1 < argc) {
            char buf[64];
            i++;
            snprintf(buf, sizeof buf, "%s%s", argv[i], strstr(argv[i], "dBTP") ? "" : "dBTP");
            if (!param_parse_value(UNIT_DBTP, NULL, buf, &v) || !limit_in(v, LIMIT_CEILING_MIN, LIMIT_CEILING_MAX)) {
                fprintf(stderr, "lathe level: --ceiling \"%s\" — expected a true peak like -1\n", argv[i]);
                return EXIT_USAGE;
            }
            ceiling = v;
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "album") == 0)
                mode = LEVEL_ALBUM;
            else if (strcmp(argv[i], "track") == 0)
                mode = LEVEL_TRACK;
            else {
                fprintf(stderr, "lathe level: --mode \"%s\" — expected album or track\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' || path) {
            return usage();
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return usage();
    char err[4096];
    struct session *s = session_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "lathe level: %s\n", err);
        return EXIT_USAGE;
    }
    mix_probe_session(s);
    s->has_album = true;
    if (!isnan(target))
        s->album.target = target;
    if (mode >= 0)
        s->album.leveling = mode;
    if (s->album.leveling == LEVEL_OFF) {
        fprintf(stderr, "lathe level: leveling = off in %s — give --mode album or --mode track\n", path);
        session_free(s);
        return EXIT_USAGE;
    }
    struct loudness_result *lr = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *lr);
    struct level_report r;
    int status = EXIT_OK;
    if (!lr) {
        fprintf(stderr, "lathe level: out of memory\n");
        session_free(s);
        return EXIT_USAGE;
    }
    if (!level_session(s, ceiling, lr, &r, err, sizeof err)) {
        fprintf(stderr, "lathe level: %s\n", err);
        status = EXIT_USAGE;
        goto out;
    }
    printf("%s: %s leveling to %.1f LUFS%s (%d pass%s)\n", path,
           s->album.leveling == LEVEL_TRACK ? "track" : "album", s->album.target,
           r.has_ceiling ? "" : ", no limiter", r.passes, r.passes == 1 ? "" : "es");
    if (r.note[0])
        printf("  note: %s\n", r.note);
    for (int i = 0; i < s->ntracks; i++)
        printf("  %2d  %-28.28s gain %+6.2f dB  %6.1f LUFS  %5.1f dBTP\n", i + 1,
               s->tracks[i].text.title ? s->tracks[i].text.title : s->tracks[i].file,
               s->tracks[i].gain, lr[i].integrated, lr[i].true_peak_max);
    printf("  album master gain %+.2f dB  %.1f LUFS  %.1f dBTP\n", s->master.gain,
           r.album.integrated, r.album.true_peak_max);
    if (!r.converged)
        printf("  not within %.1f LU after %d passes: the limiter holds the level back\n",
               LEVEL_TOLERANCE, LEVEL_MAX_PASSES);
    if (!isnan(ceiling)) {
        /* What was measured is what renders: the outputs that limit take
         * the ceiling leveling used, and the session says so. */
        for (int i = 0; i < s->noutputs; i++)
            if (s->outputs[i].has_ceiling && s->outputs[i].ceiling != ceiling) {
                s->outputs[i].ceiling = ceiling;
                printf("  [output %s] ceiling set to %.1f dBTP\n", s->outputs[i].name, ceiling);
            }
    }
    /* the file must still be the one measured: gains worked out for a
     * session someone changed meanwhile would be wrong for it */
    enum session_save_result saved = session_save(s, path, err, sizeof err);
    if (saved != SAVE_OK) {
        fprintf(stderr, "lathe level: %s — the gains above were not written%s\n", err,
                saved == SAVE_CONFLICT ? "; run lathe level again" : "");
        status = EXIT_WRITE;
    }
out:
    free(lr);
    session_free(s);
    return status;
}
