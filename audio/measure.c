/* SPDX-License-Identifier: MIT */
/* Loudness of the album as a render would deliver it (measure.h). */
#include "audio/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "dsp/chain.h"

struct meters {
    const struct timeline *tl;
    struct loudness *album, *track;
    struct loudness_result *results;
    int current;
    int64_t position;
};

/* Adds frames to the album meter and to the meter of the track whose span
 * [index1, next index1) they fall in. */
static bool meters_add(struct meters *m, const double *buf, int frames)
{
    loudness_add(m->album, buf, (size_t)frames);
    int done = 0;
    while (done < frames && m->current < m->tl->ntracks) {
        const struct timeline_track *tt = &m->tl->tracks[m->current];
        int64_t here = m->position + done;
        if (here < tt->index1) {
            int64_t skip = tt->index1 - here;
            done += (int)(skip < frames - done ? skip : frames - done);
            continue;
        }
        int64_t n = tt->next_index1 - here;
        if (n > frames - done)
            n = frames - done;
        if (!m->track && !(m->track = loudness_new(m->tl->rate, 2)))
            return false;
        loudness_add(m->track, buf + (size_t)done * 2, (size_t)n);
        done += (int)n;
        if (here + n >= tt->next_index1) {
            loudness_finish(m->track, &m->results[m->current]);
            loudness_free(m->track);
            m->track = NULL;
            m->current++;
        }
    }
    m->position += frames;
    return true;
}

bool measure_album(const struct session *s, const struct timeline *tl, bool has_ceiling,
                   double ceiling, struct loudness_result *tracks,
                   struct loudness_result *album, char *err, size_t errlen)
{
    struct album_stream *a = album_stream_new(s, tl, err, errlen);
    if (!a)
        return false;
    struct chain *limiter = NULL;
    struct chain_runner *runner = NULL;
    if (has_ceiling) {
        struct proc p;
        proc_init(&p, PROC_LIMIT);
        proc_set(&p, LIMIT_CEILING, ceiling);
        limiter = chain_new(&p, 1, tl->rate, 2, ALBUM_MAX_BLOCK);
        runner = limiter ? chain_runner_new(limiter) : NULL;
        if (!runner) {
            snprintf(err, errlen, "the true-peak limiter cannot be built");
            chain_free(limiter);
            album_stream_free(a);
            return false;
        }
    }
    struct meters m = { .tl = tl, .results = tracks, .album = loudness_new(tl->rate, 2) };
    double *buf = malloc(sizeof(double) * ALBUM_MAX_BLOCK * 2);
    bool ok = m.album && buf;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    int n;
    while (ok && (n = album_stream_read(a, buf, ALBUM_MAX_BLOCK)) != 0) {
        if (n < 0) {
            snprintf(err, errlen, "%s", album_stream_error(a));
            ok = false;
            break;
        }
        int out = runner ? chain_runner_process(runner, buf, n) : n;
        ok = meters_add(&m, buf, out);
    }
    while (ok && runner && (n = chain_runner_finish(runner, buf, ALBUM_MAX_BLOCK)) > 0)
        ok = meters_add(&m, buf, n);
    if (ok) {
        if (m.track) {
            loudness_finish(m.track, &tracks[m.current]);
        }
        loudness_finish(m.album, album);
    }
    loudness_free(m.track);
    loudness_free(m.album);
    free(buf);
    chain_runner_free(runner);
    chain_free(limiter);
    album_stream_free(a);
    return ok;
}
