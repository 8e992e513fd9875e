/* SPDX-License-Identifier: MIT */
/* The album stream (see album_stream.h).
 *
 * Each track is a pull pipeline: its source (decode, stereo, resample to
 * the session rate: mix_reader.h, or a ring a reader thread fills) -> gain
 * and fades at track-relative positions -> track
 * chain. Chains with lookahead are fed ahead by their latency, so their
 * output lands where the timeline says. The album sums the tracks that
 * overlap each block (a crossfade is two at once), then runs the master gain
 * and master chain, fed ahead the same way. Everything is positioned by
 * frame counts, never by block boundaries, so the stream is the same for
 * any block size.
 *
 * Everything is allocated in album_stream_new and freed in _free (the
 * chains of finished tracks too), so reading allocates nothing itself. */
#include "audio/album_stream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/mix_reader.h"
#include "dsp/chain.h"
#include "dsp/fade.h"

/* A block of the album is read from a mix in one call. */
_Static_assert(ALBUM_MAX_BLOCK <= MIX_READER_MAX_BLOCK,
               "an album block must fit in one read of a mix");

struct track_src {
    const struct track *t;
    const struct timeline_track *tt;
    int64_t pre_pos;        /* track-relative frame pre_read gives next */
    int latency;            /* its chain's, the same in every set of chains */
    bool primed;
    int64_t out_pos;        /* track-relative frame track_read gives next */
    int64_t xf_out;         /* the next track's crossfade: fade out over it */
    int ramp_left;          /* frames still crossfading from the old chain */
};

/* A chain with the kinds of its processors (to know whose state carries
 * over and which ones are dynamics). */
struct live_chain {
    struct chain *chain;
    int n;
    enum proc_kind *kinds;
};

struct album_chains {
    int ntracks;
    struct live_chain *track;
    double *gain;           /* linear, per track */
    struct live_chain master;
    double master_gain;
};

struct album_stream {
    const struct session *s;
    const struct timeline *tl;
    struct track_src *tracks;
    int ntracks;
    int first_active;
    struct album_source src;
    struct album_premaster pm;      /* the master's input, when .read is set */
    struct mix_reader **readers;    /* the file source's, one per track */
    struct album_chains *cur;       /* the chains that play */
    struct album_chains *old;       /* the ones crossfaded from, while ramping */
    struct album_chains *retired;   /* done with, for the caller to take and free */
    int ramp;                       /* frames of the last change's crossfade */
    int ramping;                    /* chains whose ramp_left is still > 0 */
    int master_ramp_left;
    int master_latency;
    bool primed, skip_master;
    int64_t in_pos, out_pos;
    double *scratch;        /* ALBUM_MAX_BLOCK * 2 */
    double *ramp_buf;       /* ALBUM_MAX_BLOCK * 2: the old chain's copy */
    char error[4096 + 256];
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ---- the file source: each mix opened when first read ---- */

static int file_read(void *ctx, int track, int64_t pos, double *buf, int frames, char *err,
                     size_t errlen)
{
    struct album_stream *a = ctx;
    if (!a->readers[track]) {
        a->readers[track] = mix_reader_open(a->s, a->tl, track, pos, err, errlen);
        if (!a->readers[track])
            return -1;
    }
    return mix_reader_read(a->readers[track], buf, frames, err, errlen);
}

static void file_close(void *ctx, int track)
{
    struct album_stream *a = ctx;
    mix_reader_close(a->readers[track]);
    a->readers[track] = NULL;
}

/* Audio thread: the track's audio before its chain: frames [pre_pos,
 * pre_pos + n), silence past its end, with `gain` and the fades applied. */
static bool pre_read(struct album_stream *a, struct track_src *ts, double *buf, int n,
                     double gain)
{
    int64_t len = ts->tt->audio_length;
    int have = (int)max64(0, min64(n, len - ts->pre_pos));
    if (have > 0) {
        int i = (int)(ts - a->tracks);
        int take = a->src.read(a->src.ctx, i, ts->pre_pos, buf, have, a->error, sizeof a->error);
        if (take < 0)
            return false;
        if (take < have)
            memset(buf + take * ALBUM_CHANNELS, 0, sizeof(double) * (size_t)(have - take) * ALBUM_CHANNELS);
    }
    memset(buf + have * ALBUM_CHANNELS, 0, sizeof(double) * (size_t)(n - have) * ALBUM_CHANNELS);
    if (gain != 1.0)
        for (int i = 0; i < have * ALBUM_CHANNELS; i++)
            buf[i] *= gain;
    int64_t p = ts->pre_pos;
    const struct track *t = ts->t;
    const struct timeline_track *tt = ts->tt;
    if (tt->fade_in > 0 && p < tt->fade_in)
        fade_apply(buf, have, ALBUM_CHANNELS, p, 0, tt->fade_in,
                   (enum fade_curve)proc_get(&t->fade_in, FADE_CURVE), true);
    if (tt->fade_out > 0 && p + have > len - tt->fade_out)
        fade_apply(buf, have, ALBUM_CHANNELS, p, len - tt->fade_out, tt->fade_out,
                   (enum fade_curve)proc_get(&t->fade_out, FADE_CURVE), false);
    /* a crossfade is equal power: sine curves on both sides */
    if (tt->crossfade > 0 && p < tt->crossfade)
        fade_apply(buf, have, ALBUM_CHANNELS, p, 0, tt->crossfade, FADE_SINE, true);
    if (ts->xf_out > 0 && p + have > len - ts->xf_out)
        fade_apply(buf, have, ALBUM_CHANNELS, p, len - ts->xf_out, ts->xf_out, FADE_SINE, false);
    ts->pre_pos += n;
    return true;
}

/* Audio thread. */
static void scale(double *buf, int n, double gain)
{
    if (gain != 1.0)
        for (int i = 0; i < n * ALBUM_CHANNELS; i++)
            buf[i] *= gain;
}

/* Audio thread: equal-gain crossfade from `old` (the old chain's output) into buf over
 * the ramp's remaining frames. */
static void crossfade(struct album_stream *a, double *buf, const double *old, int n, int *left)
{
    for (int i = 0; i < n && *left > 0; i++, (*left)--) {
        double w = (double)*left / a->ramp;
        for (int c = 0; c < ALBUM_CHANNELS; c++)
            buf[i * ALBUM_CHANNELS + c] = buf[i * ALBUM_CHANNELS + c] * (1 - w) +
                                          old[i * ALBUM_CHANNELS + c] * w;
    }
    if (*left == 0)
        a->ramping--;
}

/* Audio thread: k frames of the track into its chain (and, while ramping, the old one). */
static bool track_step(struct album_stream *a, struct track_src *ts, double *buf, int k)
{
    int i = (int)(ts - a->tracks);
    if (ts->ramp_left <= 0) {
        if (!pre_read(a, ts, buf, k, a->cur->gain[i]))
            return false;
        chain_process(a->cur->track[i].chain, buf, k);
        return true;
    }
    if (!pre_read(a, ts, buf, k, 1.0))
        return false;
    memcpy(a->ramp_buf, buf, sizeof(double) * (size_t)k * ALBUM_CHANNELS);
    scale(a->ramp_buf, k, a->old->gain[i]);
    chain_process(a->old->track[i].chain, a->ramp_buf, k);
    scale(buf, k, a->cur->gain[i]);
    chain_process(a->cur->track[i].chain, buf, k);
    crossfade(a, buf, a->ramp_buf, k, &ts->ramp_left);
    return true;
}

/* Audio thread: the track through its chain, frames [out_pos, out_pos + n). */
static bool track_read(struct album_stream *a, struct track_src *ts, double *buf, int n)
{
    if (!ts->primed) {
        /* feed the chain ahead by its latency, so its output is on time */
        int left = ts->latency;
        while (left > 0) {
            int k = left < n ? left : n;
            if (!track_step(a, ts, buf, k))
                return false;
            left -= k;
        }
        ts->primed = true;
    }
    if (!track_step(a, ts, buf, n))
        return false;
    ts->out_pos += n;
    return true;
}

/* ---- sets of chains ---- */

static bool live_chain_build(struct live_chain *lc, const struct chain_settings *cs, int rate)
{
    lc->chain = chain_new(cs->procs, cs->n, rate, ALBUM_CHANNELS, ALBUM_MAX_BLOCK);
    lc->kinds = malloc(sizeof *lc->kinds * (size_t)(cs->n ? cs->n : 1));
    if (!lc->chain || !lc->kinds)
        return false;
    lc->n = cs->n;
    for (int j = 0; j < cs->n; j++)
        lc->kinds[j] = cs->procs[j].kind;
    chain_set_bypass(lc->chain, cs->bypass);
    return true;
}

static void live_chain_free(struct live_chain *lc)
{
    chain_free(lc->chain);
    free(lc->kinds);
}

struct album_chains *album_chains_new(const struct session *s, const struct timeline *tl,
                                      char *err, size_t errlen)
{
    struct album_chains *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ntracks = s->ntracks;
    c->track = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *c->track);
    c->gain = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *c->gain);
    if (!c->track || !c->gain) {
        snprintf(err, errlen, "out of memory");
        album_chains_free(c);
        return NULL;
    }
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        c->gain[i] = pow(10.0, t->gain / 20.0);
        if (!live_chain_build(&c->track[i], &t->chain, tl->rate)) {
            snprintf(err, errlen, "track %d: its chain cannot be built", i + 1);
            album_chains_free(c);
            return NULL;
        }
    }
    c->master_gain = pow(10.0, s->master.gain / 20.0);
    if (!live_chain_build(&c->master, &s->master.chain, tl->rate)) {
        snprintf(err, errlen, "the master chain cannot be built");
        album_chains_free(c);
        return NULL;
    }
    return c;
}

void album_chains_free(struct album_chains *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->ntracks && c->track; i++)
        live_chain_free(&c->track[i]);
    live_chain_free(&c->master);
    free(c->track);
    free(c->gain);
    free(c);
}

bool album_stream_chains_fit(const struct album_stream *a, const struct album_chains *c)
{
    if (c->ntracks != a->ntracks || chain_latency(c->master.chain) != a->master_latency)
        return false;
    for (int i = 0; i < a->ntracks; i++)
        if (chain_latency(c->track[i].chain) != a->tracks[i].latency)
            return false;
    return true;
}

static bool same_kinds(const struct live_chain *x, const struct live_chain *y)
{
    if (x->n != y->n)
        return false;
    for (int j = 0; j < x->n; j++)
        if (x->kinds[j] != y->kinds[j])
            return false;
    return true;
}

bool album_stream_can_set_chains(const struct album_stream *a)
{
    return !a->old && !a->retired;
}

void album_stream_set_chains(struct album_stream *a, struct album_chains *next, int ramp)
{
    a->old = a->cur;
    a->cur = next;
    a->ramp = ramp > 0 ? ramp : 1;
    a->ramping = 0;
    for (int i = 0; i < a->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        if (same_kinds(&next->track[i], &a->old->track[i]))
            chain_copy_state(next->track[i].chain, a->old->track[i].chain);
        /* a track under way crossfades; one not begun or done just switches */
        bool under_way = ts->primed && i >= a->first_active;
        ts->ramp_left = under_way ? a->ramp : 0;
        a->ramping += under_way;
    }
    if (same_kinds(&next->master, &a->old->master))
        chain_copy_state(next->master.chain, a->old->master.chain);
    a->master_ramp_left = a->ramp;
    a->ramping++;
}

struct album_chains *album_stream_retired(struct album_stream *a)
{
    struct album_chains *r = a->retired;
    a->retired = NULL;
    return r;
}

/* Audio thread: once every ramp has ended, the old chains are retired. */
static void retire_old(struct album_stream *a)
{
    if (a->old && a->ramping <= 0) {
        a->retired = a->old;
        a->old = NULL;
    }
}

/* Audio thread. */
static void gr_of(const struct live_chain *lc, double *comp, double *limit)
{
    for (int j = 0; j < lc->n; j++) {
        double gr = chain_gain_reduction(lc->chain, j);
        if (lc->kinds[j] == PROC_COMP || lc->kinds[j] == PROC_MULTIBAND)
            *comp = gr > *comp ? gr : *comp;
        else if (lc->kinds[j] == PROC_LIMIT)
            *limit = gr > *limit ? gr : *limit;
    }
}

void album_stream_gain_reduction(const struct album_stream *a, int track, double *comp,
                                 double *limit)
{
    *comp = *limit = 0;
    gr_of(&a->cur->master, comp, limit);
    if (track >= 0 && track < a->ntracks)
        gr_of(&a->cur->track[track], comp, limit);
}

struct album_stream *album_stream_new(const struct session *s, const struct timeline *tl,
                        char *err, size_t errlen)
{
    return album_stream_new_source(s, tl, NULL, err, errlen);
}

struct album_stream *album_stream_new_source(const struct session *s, const struct timeline *tl,
                                             const struct album_source *src,
                                             char *err, size_t errlen)
{
    struct album_stream *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->s = s;
    a->tl = tl;
    a->ntracks = s->ntracks;
    a->tracks = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *a->tracks);
    a->scratch = malloc(sizeof(double) * ALBUM_MAX_BLOCK * ALBUM_CHANNELS);
    a->ramp_buf = malloc(sizeof(double) * ALBUM_MAX_BLOCK * ALBUM_CHANNELS);
    if (src) {
        a->src = *src;
    } else {
        a->src = (struct album_source){ .ctx = a, .read = file_read, .close = file_close };
        a->readers = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *a->readers);
    }
    if (!a->tracks || !a->scratch || !a->ramp_buf || (!src && !a->readers)) {
        snprintf(err, errlen, "out of memory");
        album_stream_free(a);
        return NULL;
    }
    for (int i = 0; i < s->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        const struct track *t = &s->tracks[i];
        ts->t = t;
        ts->tt = &tl->tracks[i];
        ts->xf_out = i + 1 < s->ntracks ? tl->tracks[i + 1].crossfade : 0;
        if (!t->mix.ok) {
            snprintf(err, errlen, "%s", t->mix.probed ? t->mix.error : "mix not read");
            album_stream_free(a);
            return NULL;
        }
    }
    /* the chains are built now, so that bad settings fail before any work */
    a->cur = album_chains_new(s, tl, err, errlen);
    if (!a->cur) {
        album_stream_free(a);
        return NULL;
    }
    for (int i = 0; i < s->ntracks; i++)
        a->tracks[i].latency = chain_latency(a->cur->track[i].chain);
    a->master_latency = chain_latency(a->cur->master.chain);
    return a;
}

void album_stream_free(struct album_stream *a)
{
    if (!a)
        return;
    album_chains_free(a->cur);
    album_chains_free(a->old);
    album_chains_free(a->retired);
    for (int i = 0; i < a->ntracks && a->readers; i++)
        mix_reader_close(a->readers[i]);
    free(a->readers);
    free(a->tracks);
    free(a->scratch);
    free(a->ramp_buf);
    free(a);
}

/* Audio thread: the sum of the tracks over album frames [in_pos, in_pos + n). */
static bool premaster_read(struct album_stream *a, double *buf, int n)
{
    int64_t lo = a->in_pos, hi = a->in_pos + n;
    if (a->pm.read) {
        if (!a->pm.read(a->pm.ctx, lo, buf, n, a->error, sizeof a->error))
            return false;
        a->in_pos = hi;
        return true;
    }
    memset(buf, 0, sizeof(double) * (size_t)n * ALBUM_CHANNELS);
    for (int i = a->first_active; i < a->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        int64_t start = ts->tt->audio_start, end = start + ts->tt->audio_length;
        if (start >= hi)
            break;
        if (end <= lo) {
            if (i == a->first_active) {
                a->src.close(a->src.ctx, i);
                a->first_active++;
                if (ts->ramp_left > 0) {
                    ts->ramp_left = 0;
                    a->ramping--;
                }
            }
            continue;
        }
        int64_t from = max64(lo, start), to = min64(hi, end);
        int k = (int)(to - from);
        if (!track_read(a, ts, a->scratch, k))
            return false;
        double *dst = buf + (from - lo) * ALBUM_CHANNELS;
        for (int j = 0; j < k * ALBUM_CHANNELS; j++)
            dst[j] += a->scratch[j];
    }
    a->in_pos = hi;
    return true;
}

/* Audio thread: the next n frames after the master chain. */
static bool master_block(struct album_stream *a, double *buf, int n)
{
    if (!premaster_read(a, buf, n))
        return false;
    if (a->skip_master)
        return true;
    if (a->master_ramp_left > 0) {
        memcpy(a->ramp_buf, buf, sizeof(double) * (size_t)n * ALBUM_CHANNELS);
        scale(a->ramp_buf, n, a->old->master_gain);
        chain_process(a->old->master.chain, a->ramp_buf, n);
        scale(buf, n, a->cur->master_gain);
        chain_process(a->cur->master.chain, buf, n);
        crossfade(a, buf, a->ramp_buf, n, &a->master_ramp_left);
        return true;
    }
    scale(buf, n, a->cur->master_gain);
    chain_process(a->cur->master.chain, buf, n);
    return true;
}

int album_stream_read(struct album_stream *a, double *buf, int frames)
{
    int64_t left = a->tl->end - a->out_pos;
    if (left <= 0)
        return 0;
    int n = (int)min64(frames, left);
    if (!a->primed) {
        int lat = a->skip_master ? 0 : a->master_latency;
        while (lat > 0) {
            int k = lat < ALBUM_MAX_BLOCK ? lat : ALBUM_MAX_BLOCK;
            if (!master_block(a, buf, k))
                return -1;
            lat -= k;
        }
        a->primed = true;
    }
    if (!master_block(a, buf, n))
        return -1;
    a->out_pos += n;
    retire_old(a);
    return n;
}

int64_t album_stream_position(const struct album_stream *a)
{
    return a->out_pos;
}

int64_t album_stream_length(const struct album_stream *a)
{
    return a->tl->end;
}

const char *album_stream_error(const struct album_stream *a)
{
    return a->error;
}

void album_stream_start_at(struct album_stream *a, int64_t pos)
{
    a->in_pos = a->out_pos = pos;
    for (int i = 0; i < a->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        int64_t start = ts->tt->audio_start;
        if (start + ts->tt->audio_length <= pos && i == a->first_active)
            a->first_active++;
        else if (start < pos)
            ts->pre_pos = ts->out_pos = pos - start;
    }
}

void album_stream_skip_master(struct album_stream *a, bool skip)
{
    a->skip_master = skip;
}

void album_stream_set_premaster(struct album_stream *a, const struct album_premaster *pm)
{
    a->pm = *pm;
}
