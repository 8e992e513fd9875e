/* SPDX-License-Identifier: MIT */
/* Leveling by measurement: the gains go into the session, where render
 * reads them, so nothing hidden happens at render time. */
#include "audio/level.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/framecache.h"
#include "audio/level_cache.h"
#include "audio/measure.h"
#include "session/timeline.h"

/* A pass that misses the target by at most this (LU) is expected to be
 * followed by the last. */
#define LEVEL_NEAR 0.5

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

/* What a gain moved last pass and the loudness it gave, so that the next
 * step follows the measured slope (a limiter flattens it: 1 dB of gain
 * gives less than 1 LU) instead of assuming 1 LU per dB. */
struct history {
    bool have;
    double gain, loudness;
};

/* The gain that should reach `target` from (gain, loudness), given the
 * previous point: a secant step, its slope kept within sane bounds. */
static double next_gain(struct history *h, double gain, double loudness, double target)
{
    double slope = 1.0;
    if (h->have && fabs(gain - h->gain) > 0.005) {
        slope = (loudness - h->loudness) / (gain - h->gain);
        slope = slope < 0.1 ? 0.1 : slope > 1.5 ? 1.5 : slope;
    }
    *h = (struct history){ .have = true, .gain = gain, .loudness = loudness };
    return clamp_gain(gain + (target - loudness) / slope);
}

/* How far the pass missed the target, in LU: the album's miss, or the
 * largest of the tracks'. */
static double largest_miss(const struct session *s, const struct loudness_result *lr,
                           const struct loudness_result *album)
{
    if (s->album.leveling != LEVEL_TRACK)
        return isfinite(album->integrated) ? fabs(s->album.target - album->integrated) : 0.0;
    double miss = 0.0;
    for (int i = 0; i < s->ntracks; i++)
        if (isfinite(lr[i].integrated) && fabs(s->album.target - lr[i].integrated) > miss)
            miss = fabs(s->album.target - lr[i].integrated);
    return miss;
}

/* One pass's correction; false when it moved nothing. `hist` holds one
 * entry per track and one for the album, last. */
static bool correct(struct session *s, const struct loudness_result *lr,
                    const struct loudness_result *album, struct history *hist)
{
    bool moved = false;
    if (s->album.leveling == LEVEL_TRACK) {
        for (int i = 0; i < s->ntracks; i++) {
            double d = s->album.target - lr[i].integrated;
            if (!isfinite(d) || fabs(d) <= LEVEL_TOLERANCE)
                continue;
            double g = next_gain(&hist[i], s->tracks[i].gain, lr[i].integrated, s->album.target);
            if (g != s->tracks[i].gain)
                moved = true;
            s->tracks[i].gain = g;
        }
        return moved;
    }
    double d = s->album.target - album->integrated;
    if (isfinite(d) && fabs(d) > LEVEL_TOLERANCE) {
        double g = next_gain(&hist[s->ntracks], s->master.gain, album->integrated,
                             s->album.target);
        if (g != s->master.gain)
            moved = true;
        s->master.gain = g;
        s->has_master = true;
    }
    return moved;
}

/* The session's folder, where the cache's file goes if $TMPDIR has no room. */
static void session_dir(const struct session *s, char *dir, size_t len)
{
    const char *slash = s->path ? strrchr(s->path, '/') : NULL;
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == s->path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - s->path), s->path);
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
    struct history *hist = calloc((size_t)s->ntracks + 1, sizeof *hist);
    struct timeline tl;
    if (!lr || !hist || !timeline_build(s, &tl)) {
        if (!tracks)
            free(lr);
        free(hist);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (framecache_memory_limit() < 0) {
        snprintf(err, errlen, "LATHE_LEVEL_MEMORY \"%s\" — expected bytes like 512M",
                 getenv("LATHE_LEVEL_MEMORY"));
        timeline_free(&tl);
        free(hist);
        if (!tracks)
            free(lr);
        return false;
    }
    /* What the gains do not change is read once; if there is no room for
     * it, every pass reads the mixes as before. */
    bool fatal = false;
    char why[400], dir[4096];
    session_dir(s, dir, sizeof dir);
    struct level_cache *cache =
        level_cache_build(s, &tl, s->album.leveling == LEVEL_TRACK ? LEVEL_CACHE_MIXES
                                                                   : LEVEL_CACHE_PREMASTER,
                          dir, &fatal, why, sizeof why);
    if (!cache && fatal) {
        snprintf(err, errlen, "%s", why);
        timeline_free(&tl);
        free(hist);
        if (!tracks)
            free(lr);
        return false;
    }
    if (cache) {
        r->cached = true;
        r->cache_on_disk = level_cache_on_disk(cache);
    } else {
        snprintf(r->note, sizeof r->note, "no room to keep the album between passes (%s): every pass reads the mixes", why);
    }
    const struct measure_feed *feed = cache ? level_cache_feed(cache) : NULL;
    /* Steering passes measure only the integrated loudness that steering
     * reads: the album's or the tracks' (no true peak, no range, one
     * K-weighting instead of two). The pass expected to be
     * the last measures everything for the report: the first (an album
     * leveled before is done in one pass) and any after one that came near
     * the target. If a lean pass finds nothing to move, one full pass
     * follows. */
    enum album_meter_mode lean = s->album.leveling == LEVEL_TRACK ? ALBUM_METER_LEAN_TRACKS
                                                                  : ALBUM_METER_LEAN_ALBUM;
    bool ok = true;
    bool done = false;
    bool full = true;
    while (r->passes < LEVEL_MAX_PASSES && !done) {
        if (r->passes == LEVEL_MAX_PASSES - 1)
            full = true;
        if (!measure_album_feed(s, &tl, feed, r->has_ceiling, r->ceiling,
                           full ? ALBUM_METER_REPORT : lean, lr, &r->album, err,
                           errlen)) {
            ok = false;
            break;
        }
        r->passes++;
        double miss = largest_miss(s, lr, &r->album);
        if (!correct(s, lr, &r->album, hist))
            done = full;
        full = miss <= LEVEL_NEAR;
    }
    r->converged = done;
    level_cache_free(cache);
    timeline_free(&tl);
    free(hist);
    if (!tracks)
        free(lr);
    return ok;
}
