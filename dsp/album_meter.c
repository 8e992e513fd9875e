/* SPDX-License-Identifier: MIT */
/* The album and its tracks in one pass (album_meter.h). */
#include "dsp/album_meter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/peak_meter.h"

struct album_meter {
    int rate, channels;
    unsigned flags;             /* of the album's meter and each track's */
    bool lean;                  /* integrated loudness only */
    bool meter_tracks;          /* false: the album alone */
    int64_t *bounds;
    int ntracks;
    int current;                /* the track whose span comes next or is open */
    int64_t position;           /* frames added so far */
    struct loudness *album;     /* NULL when the album is not metered */
    struct loudness *track;     /* the open track's meter, made when it starts */
    struct peak_meter *peaks;   /* ALBUM_METER_REPORT: one span at a time */
    struct loudness_result *results;
    bool failed;
};

struct album_meter *album_meter_new(int rate, int channels, const int64_t *bounds, int ntracks,
                                    enum album_meter_mode mode)
{
    if (ntracks < 0 || channels < 1 || channels > LOUDNESS_MAX_CHANNELS)
        return NULL;
    for (int i = 0; i < ntracks; i++)
        if (bounds[i + 1] < bounds[i])
            return NULL;
    struct album_meter *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->rate = rate;
    m->channels = channels;
    m->ntracks = ntracks;
    m->bounds = malloc(sizeof *m->bounds * ((size_t)ntracks + 1));
    m->results = calloc((size_t)ntracks + 1, sizeof *m->results);
    bool lean = mode != ALBUM_METER_REPORT;
    m->lean = lean;
    bool meter_album = mode != ALBUM_METER_LEAN_TRACKS;
    m->meter_tracks = mode != ALBUM_METER_LEAN_ALBUM;
    m->flags = lean ? LOUDNESS_INTEGRATED : LOUDNESS_NO_MAXIMA | LOUDNESS_NO_PEAKS;
    if (meter_album)
        m->album = loudness_new_flags(rate, channels, m->flags);
    m->peaks = lean ? NULL : peak_meter_new(rate, channels);
    if (!m->bounds || !m->results || (meter_album && !m->album) || (!lean && !m->peaks)) {
        album_meter_free(m);
        return NULL;
    }
    memcpy(m->bounds, bounds, sizeof *m->bounds * ((size_t)ntracks + 1));
    return m;
}

void album_meter_free(struct album_meter *m)
{
    if (!m)
        return;
    loudness_free(m->album);
    loudness_free(m->track);
    peak_meter_free(m->peaks);
    free(m->results);
    free(m->bounds);
    free(m);
}

/* The peaks of the span that ends here count for the album and, when it is
 * a track's, for the track. */
static void take_peaks(struct album_meter *m, struct loudness *track)
{
    if (!m->peaks)
        return;
    double sample[LOUDNESS_MAX_CHANNELS], true_peak[LOUDNESS_MAX_CHANNELS];
    peak_meter_take(m->peaks, sample, true_peak);
    loudness_merge_peaks(m->album, sample, true_peak);
    if (track)
        loudness_merge_peaks(track, sample, true_peak);
}

static bool end_track(struct album_meter *m)
{
    take_peaks(m, m->track);
    bool ok = loudness_finish(m->track, &m->results[m->current]);
    loudness_free(m->track);
    m->track = NULL;
    m->current++;
    return ok;
}

/* n frames that lie on one side of every bound: in the open track or not. */
static bool add_piece(struct album_meter *m, const double *buf, int64_t n, bool in_track)
{
    if (in_track && m->meter_tracks && !m->track) {
        take_peaks(m, NULL);    /* the pregap or the gap before: the album's */
        if (!(m->track = loudness_new_flags(m->rate, m->channels, m->flags)))
            return false;
    }
    if (m->album && !loudness_add(m->album, buf, (size_t)n))
        return false;
    if (m->peaks)
        peak_meter_add(m->peaks, buf, (size_t)n);
    return !m->track || loudness_add(m->track, buf, (size_t)n);
}

/* A reading with nothing in it: `integrated` is -inf for silence (a track
 * the frames never reached) and NaN for what was not metered. */
static void unread(struct loudness_result *r, int channels, bool lean, double integrated)
{
    *r = (struct loudness_result){ .channels = channels, .integrated = integrated,
                                   .range = lean ? NAN : 0.0, .momentary_max = NAN,
                                   .shortterm_max = NAN, .sample_peak_max = -HUGE_VAL,
                                   .true_peak_max = -HUGE_VAL, .plr = NAN };
    for (int c = 0; c < channels; c++)
        r->sample_peak[c] = r->true_peak[c] = -HUGE_VAL;
}

/* What a track the frames never reached reads. */
static double not_reached(const struct album_meter *m)
{
    return m->meter_tracks ? -HUGE_VAL : NAN;
}

bool album_meter_add(struct album_meter *m, const double *buf, int frames)
{
    if (m->failed)
        return false;
    int done = 0;
    while (done < frames) {
        int64_t here = m->position + done;
        int64_t n = frames - done;
        bool in_track = false;
        if (m->current < m->ntracks) {
            int64_t start = m->bounds[m->current], end = m->bounds[m->current + 1];
            if (here < start) {
                n = start - here < n ? start - here : n;
            } else {
                in_track = true;
                n = end - here < n ? end - here : n;
            }
        }
        if (n > 0 && !add_piece(m, buf + (size_t)done * (size_t)m->channels, n, in_track)) {
            m->failed = true;
            return false;
        }
        done += (int)n;
        /* a track ends where its span does, even an empty one */
        while (m->current < m->ntracks && m->position + done >= m->bounds[m->current + 1]) {
            if (!m->track) {
                unread(&m->results[m->current++], m->channels, m->lean, not_reached(m));
            } else if (!end_track(m)) {
                m->failed = true;
                return false;
            }
        }
    }
    m->position += frames;
    return true;
}

bool album_meter_finish(struct album_meter *m, struct loudness_result *tracks,
                        struct loudness_result *album)
{
    if (m->failed)
        return false;
    if (m->peaks)
        peak_meter_flush(m->peaks);     /* the tail counts for the open span */
    if (m->track && !end_track(m))
        return false;
    for (int i = m->current; i < m->ntracks; i++)
        unread(&m->results[i], m->channels, m->lean, not_reached(m));
    m->current = m->ntracks;
    take_peaks(m, NULL);
    if (!m->album)
        unread(album, m->channels, true, NAN);
    else if (!loudness_finish(m->album, album))
        return false;
    if (m->ntracks > 0)
        memcpy(tracks, m->results, sizeof *tracks * (size_t)m->ntracks);
    return true;
}
