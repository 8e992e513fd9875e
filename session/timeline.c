/* SPDX-License-Identifier: MIT */
/* The album timeline: audio placed to the sample, marks on CD frames.
 *
 * A track's audio starts where the previous one ended plus its gap (or minus
 * its crossfade). Marks then move to a CD frame boundary: into the gap when
 * there is room (audio never moves and never falls under the previous mark),
 * else by at most half a frame. */
#include "session/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CD frames are 1/75 s: a whole number of samples at every standard rate;
 * at others (32 kHz) frame k starts at the sample nearest k * rate / 75. */
static int64_t frame_start(int64_t k, int64_t rate)
{
    return (k * rate * 2 + 75) / 150;
}

static int64_t frame_floor(int64_t v, int64_t rate)
{
    int64_t k = v * 75 / rate;
    while (k > 0 && frame_start(k, rate) > v)
        k--;
    while (frame_start(k + 1, rate) <= v)
        k++;
    return k;
}

static int64_t floor_to(int64_t v, int64_t rate)
{
    return v <= 0 ? 0 : frame_start(frame_floor(v, rate), rate);
}

static int64_t ceil_to(int64_t v, int64_t rate)
{
    int64_t down = floor_to(v, rate);
    return down == v ? v : frame_start(frame_floor(v, rate) + 1, rate);
}

static int64_t nearest(int64_t v, int64_t rate)
{
    int64_t down = floor_to(v, rate), up = ceil_to(v, rate);
    return v - down < up - v ? down : up;
}

/* The mark for audio starting at `start` in a gap that began at `gap_start`. */
static int64_t snap_mark(int64_t start, int64_t gap_start, int64_t rate)
{
    int64_t down = floor_to(start, rate);
    if (down >= gap_start)
        return down;
    return nearest(start, rate);
}

/* No header or session value may overflow the timeline (signed overflow
 * is undefined, and a cut-off Ogg's header reads as INT64_MAX frames):
 * every position and length is held in [0, TL_MAX], far past any album
 * (about 200 years at 44.1 kHz), where the CD-frame arithmetic above
 * (v * 75, k * rate * 2) still fits in 64 bits. */
#define TL_MAX ((int64_t)1 << 48)

static int64_t clamp_len(int64_t v)
{
    return v < 0 ? 0 : v > TL_MAX ? TL_MAX : v;
}

/* llround of a value that may be huge or not a number: clamped first */
static int64_t round_len(double v)
{
    return !(v > 0) ? 0 : v >= (double)TL_MAX ? TL_MAX : llround(v);
}

static int64_t add_len(int64_t a, int64_t b)
{
    return clamp_len(clamp_len(a) + clamp_len(b));
}

static int64_t samples_of(struct stime t, int rate)
{
    return t.in_samples ? clamp_len(t.samples) : round_len(t.seconds * rate);
}

static int64_t to_session(int64_t n, int from_rate, int to_rate)
{
    if (from_rate == to_rate || from_rate <= 0)
        return clamp_len(n);
    return round_len((double)n * to_rate / from_rate);
}

bool timeline_build(const struct session *s, struct timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->rate = session_rate(s);
    tl->frame = tl->rate % 75 == 0 ? tl->rate / 75 : (int)lround(tl->rate / 75.0);
    tl->ntracks = s->ntracks;
    if (s->ntracks == 0)
        return true;
    tl->tracks = calloc((size_t)s->ntracks, sizeof *tl->tracks);
    if (!tl->tracks)
        return false;
    int64_t f = tl->rate;   /* the snapping helpers take the rate */
    int64_t prev_end = 0;
    int64_t prev_mark = 0;
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        struct timeline_track *tt = &tl->tracks[i];
        int mix_rate = t->mix.ok ? t->mix.rate : tl->rate;
        int64_t mix_frames = t->mix.ok ? clamp_len(t->mix.frames) : 0;
        tt->length_known = t->mix.ok;
        /* trims are points in the mix: `smp` counts the mix's own samples */
        int64_t in = samples_of(t->trim_in, mix_rate);
        int64_t out = mix_frames;
        bool has_out = t->trim_out.in_samples || t->trim_out.seconds > 0;
        if (has_out) {
            out = samples_of(t->trim_out, mix_rate);
            if (out > mix_frames)
                out = mix_frames;
        }
        if (in > out)
            in = out;
        tt->source_start = in;
        tt->source_length = out - in;
        tt->audio_length = to_session(out - in, mix_rate, tl->rate);
        tt->crossfade = samples_of(t->crossfade, tl->rate);
        int64_t gap = samples_of(session_track_gap(s, i), tl->rate);
        if (i == 0) {
            tt->crossfade = 0;
            tt->audio_start = gap;
            tt->index0 = 0;
            tt->index1 = snap_mark(tt->audio_start, 0, f);
        } else if (tt->crossfade > 0) {
            int64_t xf = tt->crossfade;
            const struct timeline_track *prev = &tl->tracks[i - 1];
            if (xf > prev->audio_length)
                xf = prev->audio_length;
            if (xf > tt->audio_length)
                xf = tt->audio_length;
            tt->crossfade = xf;
            tt->audio_start = prev_end - xf;
            tt->index1 = nearest(tt->audio_start, f);
            tt->index0 = tt->index1;
        } else {
            tt->audio_start = add_len(prev_end, gap);
            int64_t gap_start = ceil_to(prev_end, f);
            tt->index1 = snap_mark(tt->audio_start, gap_start, f);
            /* a gap shorter than what is left of the last frame: no index 00 */
            tt->index0 = gap_start <= tt->index1 ? gap_start : tt->index1;
        }
        if (tt->index1 <= prev_mark && i > 0)     /* a zero-length neighbour: keep order */
            tt->index1 = ceil_to(add_len(prev_mark, 1), f);
        if (tt->index0 < prev_mark && i > 0)
            tt->index0 = tt->index1;
        prev_mark = tt->index1;
        for (int k = 0; k < t->nindex; k++)
            tt->extra_index[k] = nearest(add_len(tt->audio_start, samples_of(t->index[k], tl->rate)), f);
        tt->nextra = t->nindex;
        tt->fade_in = round_len(proc_get(&t->fade_in, FADE_LENGTH) * tl->rate);
        tt->fade_out = round_len(proc_get(&t->fade_out, FADE_LENGTH) * tl->rate);
        int64_t end = add_len(tt->audio_start, tt->audio_length);
        prev_end = end > prev_end ? end : prev_end;
    }
    tl->end = ceil_to(prev_end, f);
    if (tl->end < prev_mark)
        tl->end = prev_mark;
    for (int i = 0; i < s->ntracks; i++)
        tl->tracks[i].next_index1 = i + 1 < s->ntracks ? tl->tracks[i + 1].index1 : tl->end;
    return true;
}

void timeline_free(struct timeline *tl)
{
    free(tl->tracks);
    memset(tl, 0, sizeof *tl);
}

int64_t timeline_frames(const struct timeline *tl, int64_t samples)
{
    return frame_floor(clamp_len(samples), tl->rate);
}

int64_t timeline_frames_ceil(const struct timeline *tl, int64_t samples)
{
    samples = clamp_len(samples);
    int64_t k = frame_floor(samples, tl->rate);
    return frame_start(k, tl->rate) == samples ? k : k + 1;
}

int64_t timeline_frame_start(int rate, int64_t k)
{
    return frame_start(k, rate);
}

void timeline_msf(const struct timeline *tl, int64_t samples, char *buf, int len)
{
    int64_t n = frame_floor(clamp_len(samples), tl->rate);
    snprintf(buf, (size_t)len, "%02lld:%02lld:%02lld", (long long)(n / 4500),
             (long long)(n / 75 % 60), (long long)(n % 75));
}

void timeline_clock(int rate, int64_t samples, char *buf, int len)
{
    samples = clamp_len(samples);
    int64_t ms = (int64_t)llround((double)samples * 1000.0 / rate);
    snprintf(buf, (size_t)len, "%lld:%02lld.%03lld", (long long)(ms / 60000),
             (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}
