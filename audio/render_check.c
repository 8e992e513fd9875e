/* SPDX-License-Identifier: MIT */
/* The refusals of a render, asked of the same code the render runs (the
 * output stage, the sinks' plans, the sheets written to nowhere, the
 * encoders fed a few frames in memory), so the two cannot drift apart. */
#include "audio/render_check.h"

#include <stdio.h>

#include "audio/album_stream.h"
#include "audio/cuesheet.h"
#include "audio/ddp_write.h"
#include "audio/file_sink.h"
#include "audio/outstage.h"
#include "audio/pqsheet.h"
#include "audio/review.h"
#include "audio/sink.h"
#include "audio/tocfile.h"
#include "dsp/resample.h"

/* What belongs to the tracks, not to an output: render names the first. */
static void check_tracks(const struct session *s, struct problems *p)
{
    if (s->ntracks == 0)
        problems_add(p, SEV_ERROR, 0, "render", "the session has no tracks");
    for (int i = 0; i < s->ntracks; i++) {
        const struct track *t = &s->tracks[i];
        if (!t->mix.ok)
            problems_add(p, SEV_ERROR, i + 1, "mix-unreadable", "%s",
                         t->mix.probed ? t->mix.error : "mix not read");
        else if (stime_samples(t->trim_in, t->mix.rate) >= t->mix.frames)
            problems_add(p, SEV_ERROR, i + 1, "trim", "trim-in is past the end of the mix (%.2f s)",
                         (double)t->mix.frames / t->mix.rate);
    }
}

static void add(struct problems *p, const struct output *o, const char *msg)
{
    int before = p->n;
    problems_add(p, SEV_ERROR, 0, "render", "%s", msg);
    if (p->n > before)
        p->items[before].output = o->name;
}

/* A sheet render writes at the end, written now to nowhere. */
enum sheet { SHEET_PQ, SHEET_CUE, SHEET_TOC };

static bool sheet_ok(const struct session *s, const struct timeline *tl, enum sheet which,
                     const struct sink_context *c, char *err, size_t errlen)
{
    FILE *null = fopen("/dev/null", "w");
    if (!null) {
        snprintf(err, errlen, "/dev/null: cannot open");
        return false;
    }
    bool ok = which == SHEET_PQ ? pqsheet_write(null, s, tl, err, errlen)
            : which == SHEET_CUE ? cuesheet_write(null, s, tl, "album.wav", CUE_UTF8, err, errlen)
            : tocfile_write(null, s, tl, "album.wav", c->rate, c->bits, err, errlen);
    fclose(null);
    return ok;
}

static void check_output(const struct session *s, const struct timeline *tl,
                         const struct output *o, struct problems *p)
{
    char err[1024], msg[1200];
    if (!outstage_check(o, tl->rate, err, sizeof err)) {
        add(p, o, err);
        return;         /* the rest assumes a rate and depth that make sense */
    }
    struct outstage *st = outstage_new_converted(o, tl->rate, ALBUM_MAX_BLOCK, err, sizeof err);
    if (!st) {
        add(p, o, err);
        return;
    }
    outstage_free(st);
    struct sink_context c = {
        .s = s, .tl = tl, .o = o, .dir = "",
        .rate = outstage_rate_of(o, tl->rate), .bits = outstage_bits_of(o),
    };
    c.length = sink_mark(&c, tl->end);
    if (c.rate != tl->rate) {
        struct resampler *rs = resampler_new(SINK_CHANNELS, tl->rate, c.rate,
                                             outstage_backend(o, &s->album), ALBUM_MAX_BLOCK);
        if (!rs) {
            snprintf(msg, sizeof msg, "[output %s]: cannot convert %d Hz to %d Hz", o->name,
                     tl->rate, c.rate);
            add(p, o, msg);
            return;
        }
        resampler_free(rs);
    }
    /* the sink render_session's job_setup picks for the format */
    bool ok = o->format == OUT_DDP ? ddp_sink_check(&c, err, sizeof err)
            : o->format == OUT_CUE || o->format == OUT_TOC ? file_sink_check(&c, err, sizeof err)
            : o->format == OUT_REVIEW ? review_sink_check(&c, err, sizeof err)
            : file_sink_check(&c, err, sizeof err);
    if (!ok) {
        add(p, o, err);
        return;
    }
    enum sheet sheets[2];
    int nsheets = 0;
    if (o->format == OUT_CUE)
        sheets[nsheets++] = SHEET_CUE;
    if (o->format == OUT_TOC)
        sheets[nsheets++] = SHEET_TOC;
    /* a DDP carries its PQ sheet inside; every other output beside it */
    sheets[nsheets++] = SHEET_PQ;
    for (int k = 0; k < nsheets; k++)
        if (!sheet_ok(s, tl, sheets[k], &c, err, sizeof err)) {
            snprintf(msg, sizeof msg, "[output %s]: %s", o->name, err);
            add(p, o, msg);
            return;
        }
}

int render_check(const struct session *s, const struct timeline *tl,
                 const struct output *const *outs, int n, struct problems *p)
{
    int before = p->errors;
    check_tracks(s, p);
    /* an output cannot be judged on tracks with no audio: their own errors
     * say why */
    if (p->errors > before)
        return p->errors - before;
    /* a session with no outputs yet is work in progress, not an error:
     * render says so itself when asked to render nothing */
    if (!outs) {
        for (int i = 0; i < s->noutputs; i++)
            check_output(s, tl, &s->outputs[i], p);
    } else {
        for (int i = 0; i < n; i++)
            check_output(s, tl, outs[i], p);
    }
    return p->errors - before;
}

void render_check_message(const struct problem *it, char *out, size_t len)
{
    if (it->track && !it->output)
        snprintf(out, len, "track %d: %s", it->track, it->message);
    else
        snprintf(out, len, "%s", it->message);
}
