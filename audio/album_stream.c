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

struct track_src {
    const struct track *t;
    const struct timeline_track *tt;
    int64_t pre_pos;        /* track-relative frame pre_read gives next */
    struct chain *chain;
    int latency;
    bool primed;
    int64_t out_pos;        /* track-relative frame track_read gives next */
    double gain;
    int64_t xf_out;         /* the next track's crossfade: fade out over it */
};

struct album_stream {
    const struct session *s;
    const struct timeline *tl;
    struct track_src *tracks;
    int ntracks;
    int first_active;
    struct album_source src;
    struct mix_reader **readers;    /* the file source's, one per track */
    double master_gain;
    struct chain *master;
    int master_latency;
    bool primed, skip_master;
    int64_t in_pos, out_pos;
    double *scratch;        /* ALBUM_MAX_BLOCK * 2 */
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

/* The track's audio before its chain: frames [pre_pos, pre_pos + n),
 * silence past its end, with gain and fades applied. */
static bool pre_read(struct album_stream *a, struct track_src *ts, double *buf, int n)
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
    if (ts->gain != 1.0)
        for (int i = 0; i < have * ALBUM_CHANNELS; i++)
            buf[i] *= ts->gain;
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

/* The track through its chain: frames [out_pos, out_pos + n). */
static bool track_read(struct album_stream *a, struct track_src *ts, double *buf, int n)
{
    if (!ts->primed) {
        /* feed the chain ahead by its latency, so its output is on time */
        int left = ts->latency;
        while (left > 0) {
            int k = left < n ? left : n;
            if (!pre_read(a, ts, buf, k))
                return false;
            chain_process(ts->chain, buf, k);
            left -= k;
        }
        ts->primed = true;
    }
    if (!pre_read(a, ts, buf, n))
        return false;
    chain_process(ts->chain, buf, n);
    ts->out_pos += n;
    return true;
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
    if (src) {
        a->src = *src;
    } else {
        a->src = (struct album_source){ .ctx = a, .read = file_read, .close = file_close };
        a->readers = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *a->readers);
    }
    if (!a->tracks || !a->scratch || (!src && !a->readers)) {
        snprintf(err, errlen, "out of memory");
        album_stream_free(a);
        return NULL;
    }
    for (int i = 0; i < s->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        const struct track *t = &s->tracks[i];
        ts->t = t;
        ts->tt = &tl->tracks[i];
        ts->gain = pow(10.0, t->gain / 20.0);
        ts->xf_out = i + 1 < s->ntracks ? tl->tracks[i + 1].crossfade : 0;
        if (!t->mix.ok) {
            snprintf(err, errlen, "%s", t->mix.probed ? t->mix.error : "mix not read");
            album_stream_free(a);
            return NULL;
        }
        /* the chain is built now, so that bad settings fail before any work */
        ts->chain = chain_new(t->chain.procs, t->chain.n, tl->rate, ALBUM_CHANNELS, ALBUM_MAX_BLOCK);
        if (!ts->chain) {
            snprintf(err, errlen, "track %d: its chain cannot be built", i + 1);
            album_stream_free(a);
            return NULL;
        }
        chain_set_bypass(ts->chain, t->chain.bypass);
        ts->latency = chain_latency(ts->chain);
    }
    a->master_gain = pow(10.0, s->master.gain / 20.0);
    a->master = chain_new(s->master.chain.procs, s->master.chain.n, tl->rate, ALBUM_CHANNELS,
                          ALBUM_MAX_BLOCK);
    if (!a->master) {
        snprintf(err, errlen, "the master chain cannot be built");
        album_stream_free(a);
        return NULL;
    }
    chain_set_bypass(a->master, s->master.chain.bypass);
    a->master_latency = chain_latency(a->master);
    return a;
}

void album_stream_free(struct album_stream *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->ntracks && a->tracks; i++)
        chain_free(a->tracks[i].chain);
    for (int i = 0; i < a->ntracks && a->readers; i++)
        mix_reader_close(a->readers[i]);
    free(a->readers);
    free(a->tracks);
    chain_free(a->master);
    free(a->scratch);
    free(a);
}

/* The sum of the tracks over album frames [in_pos, in_pos + n). */
static bool premaster_read(struct album_stream *a, double *buf, int n)
{
    memset(buf, 0, sizeof(double) * (size_t)n * ALBUM_CHANNELS);
    int64_t lo = a->in_pos, hi = a->in_pos + n;
    for (int i = a->first_active; i < a->ntracks; i++) {
        struct track_src *ts = &a->tracks[i];
        int64_t start = ts->tt->audio_start, end = start + ts->tt->audio_length;
        if (start >= hi)
            break;
        if (end <= lo) {
            if (i == a->first_active) {
                a->src.close(a->src.ctx, i);
                a->first_active++;
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

static bool master_block(struct album_stream *a, double *buf, int n)
{
    if (!premaster_read(a, buf, n))
        return false;
    if (a->skip_master)
        return true;
    if (a->master_gain != 1.0)
        for (int i = 0; i < n * ALBUM_CHANNELS; i++)
            buf[i] *= a->master_gain;
    chain_process(a->master, buf, n);
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
