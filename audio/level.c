/* SPDX-License-Identifier: MIT */
/* Leveling by measurement: the gains go into the session, where render
 * reads them, so nothing hidden happens at render time. */
#include "audio/level.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/measure.h"
#include "session/timeline.h"

static double clamp_gain(double g)
{
    g = round(g * 100) / 100;
    return g < -60 ? -60 : g > 24 ? 24 : g;
}

bool level_ceiling(const struct session *s, double *ceiling)
{
    bool found = false;
    for (int i = 0; i < s->noutputs; i++)
        if (s->outputs[i].has_ceiling && (!found || s->outputs[i].ceiling < *ceiling)) {
            *ceiling = s->outputs[i].ceiling;
            found = true;
        }
    return found;
}

/* One pass's correction; false when it moved nothing. */
static bool correct(struct session *s, const struct loudness_result *lr,
                    const struct loudness_result *album)
{
    bool moved = false;
    if (s->album.leveling == LEVEL_TRACK) {
        for (int i = 0; i < s->ntracks; i++) {
            double d = s->album.target - lr[i].integrated;
            if (!isfinite(d) || fabs(d) <= LEVEL_TOLERANCE)
                continue;
            double g = clamp_gain(s->tracks[i].gain + d);
            if (g != s->tracks[i].gain)
                moved = true;
            s->tracks[i].gain = g;
        }
        return moved;
    }
    double d = s->album.target - album->integrated;
    if (isfinite(d) && fabs(d) > LEVEL_TOLERANCE) {
        double g = clamp_gain(s->master.gain + d);
        if (g != s->master.gain)
            moved = true;
        s->master.gain = g;
        s->has_master = true;
    }
    return moved;
}

bool level_session(struct session *s, double ceiling, struct loudness_result *tracks,
                   struct level_report *r, char *err, size_t errlen)
{
    *r = (struct level_report){ .ceiling = ceiling, .has_ceiling = !isnan(ceiling) };
    if (s->album.leveling == LEVEL_OFF) {
        snprintf(err, errlen, "leveling = off — set album.leveling to album or track");
        return false;
    }
    if (!r->has_ceiling)
        r->has_ceiling = level_ceiling(s, &r->ceiling);
    struct loudness_result *lr = tracks ? tracks
                                        : calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *lr);
    struct timeline tl;
    if (!lr || !timeline_build(s, &tl)) {
        if (!tracks)
            free(lr);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = true;
    bool done = false;
    while (r->passes < LEVEL_MAX_PASSES && !done) {
        if (!measure_album(s, &tl, r->has_ceiling, r->ceiling, lr, &r->album, err, errlen)) {
            ok = false;
            break;
        }
        r->passes++;
        done = !correct(s, lr, &r->album);
    }
    r->converged = done;
    timeline_free(&tl);
    if (!tracks)
        free(lr);
    return ok;
}
