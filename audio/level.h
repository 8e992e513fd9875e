/* SPDX-License-Identifier: MIT */
/* Leveling: gains for the album's target loudness, found by measuring the
 * render path (master chain and, with a ceiling, a limiter) and iterating
 * until the result is within LEVEL_TOLERANCE LU. `lathe level` and the
 * console's `level` command both use it. */
#ifndef LATHE_LEVEL_H
#define LATHE_LEVEL_H

#include <stdbool.h>
#include <stddef.h>

#include "dsp/loudness.h"
#include "session/model.h"

#define LEVEL_MAX_PASSES 8
#define LEVEL_TOLERANCE 0.1

struct level_report {
    int passes;
    bool converged;             /* within the tolerance before the passes ran out */
    bool has_ceiling;
    double ceiling;             /* dBTP, when has_ceiling */
    struct loudness_result album;
    /* How the passes read the album: from a cache made once (in memory or
     * a temporary file), or, when it could not be made, from the mixes on
     * every pass, with the reason in `note`. */
    bool cached, cache_on_disk;
    char note[512];
};

/* The lowest ceiling among the session's outputs; false when none has one. */
bool level_ceiling(const struct session *s, double *ceiling);

/* Sets the track gains (leveling = track) or the master gain (album) of a
 * session whose mixes were probed. `ceiling` is NAN to take the outputs'.
 * `tracks` has room for s->ntracks results, or is NULL. On failure returns
 * false with the reason in err; the gains may then be partly moved. */
bool level_session(struct session *s, double ceiling, struct loudness_result *tracks,
                   struct level_report *r, char *err, size_t errlen);

#endif
