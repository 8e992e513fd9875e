/* SPDX-License-Identifier: MIT */
/* The console's listening comparisons: A/B against a session's reference,
 * loudness-matched, and the master played as a streaming platform's
 * normalization would play it. Both are a trim after the master chain
 * (playback_ops.match / reference); they combine with nothing else, so
 * that what is heard is always one comparison: switching to a reference
 * or bypassing turns the platform off, and a platform plays the master. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/platforms.h"
#include "tui/analysis.h"
#include "tui/console.h"

/* The reference playing instead of the master, -1 for none (the adapter
 * leaves it by itself on a new play or audition). */
static int reference_playing(const struct console *c)
{
    return c->have_status && c->status.reference[0] && c->ab_ref >= 0 ? c->ab_ref : -1;
}

/* The master track heard: the one playing, else the selected one. */
static int heard_track(const struct console *c)
{
    int n = c->e->s->ntracks;
    if (c->have_status && c->status.state != PLAYBACK_STOPPED && c->status.track >= 0 &&
        c->status.track < n)
        return c->status.track;
    return c->e->selected >= 0 && c->e->selected < n ? c->e->selected : 0;
}

static unsigned polled(struct console *c)
{
    if (c->engine->ops->poll(c->engine->self, &c->status, &c->meters))
        c->have_status = true;
    return DRAW_MESSAGE | DRAW_TRANSPORT | DRAW_METERS;
}

static bool have_engine(struct console *c)
{
    if (c->engine && c->engine->ops->reference)
        return true;
    console_message(c, true, "no playback: %s", c->engine ? "this playback plays no references"
                                                          : c->engine_note);
    return false;
}

static const char *ref_name(const struct reference *r)
{
    return r->name ? r->name : r->file ? r->file : "?";
}

/* Back to the master, with the bypass's match if bypassed. */
static bool back_to_master(struct console *c, char *msg, size_t msglen)
{
    c->ab_ref = -1;
    if (!c->engine->ops->reference(c->engine->self, c->e->s, -1, 0, msg, msglen))
        return false;
    polled(c);      /* the status says the master again: the bypass's match applies */
    console_bypass_match(c, false);
    return true;
}

unsigned console_ab(struct console *c, int argc, char **argv, const char *rest)
{
    (void)rest;
    if (!have_engine(c))
        return DRAW_MESSAGE;
    const struct session *s = c->e->s;
    if (s->nrefs == 0) {
        console_message(c, true, "no reference to compare with: add a [reference] section "
                                 "(file = ..., name = ...) to the session");
        return DRAW_MESSAGE;
    }
    int ref = argc >= 2 ? session_find_reference(s, argv[1]) : 0;
    if (ref < 0) {
        console_message(c, true, "no reference \"%s\" (the first is \"%s\")", argv[1],
                        ref_name(&s->refs[0]));
        return DRAW_MESSAGE;
    }
    char msg[512] = "";
    int playing = reference_playing(c);
    if (playing >= 0 && (argc < 2 || ref == playing)) {
        if (back_to_master(c, msg, sizeof msg))
            console_message(c, false, "master: track %d", heard_track(c) + 1);
        else
            console_message(c, true, "master: %s", msg);
        return polled(c);
    }
    int t = playing >= 0 ? c->status.track : heard_track(c);
    struct loudness_result proc, mix;
    bool matched = c->analysis && t >= 0 && t < s->ntracks &&
                   analysis_get_processed(c->analysis, t, &proc) == 1 &&
                   analysis_get(c->analysis, s->refs[ref].file, &mix) == 1 &&
                   isfinite(proc.integrated) && isfinite(mix.integrated);
    double db = matched ? proc.integrated - mix.integrated : 0;
    c->platform = -1;
    if (!c->engine->ops->reference(c->engine->self, s, ref, db, msg, sizeof msg)) {
        console_message(c, true, "reference: %s", msg);
        return polled(c);
    }
    c->ab_ref = ref;
    if (matched)
        console_message(c, false, "reference: %s, matched %+.1f dB (to track %d)",
                        ref_name(&s->refs[ref]), db, t + 1);
    else
        console_message(c, false, "reference: %s, not matched (not measured yet)",
                        ref_name(&s->refs[ref]));
    return polled(c);
}

/* The album's loudness and true peak from its tracks': the
 * duration-weighted power mean of the tracks' integrated loudness (the
 * gates per track, not over the album: close for an album of songs) and
 * the highest true peak. False when a track is not measured yet. */
static bool album_from_tracks(struct console *c, double *integrated, double *peak)
{
    const struct session *s = c->e->s;
    double energy = 0, seconds = 0;
    *peak = -HUGE_VAL;
    for (int i = 0; i < s->ntracks; i++) {
        struct loudness_result r;
        if (!c->tl_ok || i >= c->tl.ntracks || analysis_get_processed(c->analysis, i, &r) != 1)
            return false;
        double d = (double)c->tl.tracks[i].audio_length;
        if (isfinite(r.integrated))
            energy += d * pow(10, r.integrated / 10);
        seconds += d;
        *peak = r.true_peak_max > *peak ? r.true_peak_max : *peak;
    }
    *integrated = energy > 0 && seconds > 0 ? 10 * log10(energy / seconds) : -HUGE_VAL;
    return true;
}

bool console_platform_db(struct console *c, double *db)
{
    *db = 0;
    if (c->platform < 0 || !c->analysis || c->e->s->ntracks == 0)
        return false;
    const struct platform *pf = platform_of((enum platform_id)c->platform);
    double integrated, peak;
    if (pf->album) {
        if (!album_from_tracks(c, &integrated, &peak))
            return false;
    } else {
        struct loudness_result r;
        if (analysis_get_processed(c->analysis, heard_track(c), &r) != 1)
            return false;
        integrated = r.integrated;
        peak = r.true_peak_max;
    }
    *db = platform_gain(pf, integrated, peak);
    return true;
}

unsigned console_platform(struct console *c, int argc, char **argv, const char *rest)
{
    (void)rest;
    int id = -2;
    if (argc == 2 && strcmp(argv[1], "off") == 0)
        id = -1;
    else if (argc == 2 && strcmp(argv[1], "next") == 0)
        id = c->platform + 1 >= PLATFORM_COUNT ? -1 : c->platform + 1;
    for (int i = 0; argc == 2 && i < PLATFORM_COUNT; i++)
        if (strcmp(argv[1], platform_of((enum platform_id)i)->key) == 0)
            id = i;
    if (id == -2) {
        console_message(c, true, "usage: platform spotify|apple|youtube|tidal|amazon|off|next");
        return DRAW_MESSAGE;
    }
    if (!have_engine(c))
        return DRAW_MESSAGE;
    const struct chain_settings *master = &c->e->s->master.chain;
    bool bypassed = master->bypass;
    for (int i = 0; i < c->e->s->ntracks; i++)
        bypassed |= c->e->s->tracks[i].chain.bypass;
    if (id >= 0 && bypassed) {
        console_message(c, true, "platform: a chain is bypassed; a platform plays the master as "
                                 "it is (bypass off first)");
        return DRAW_MESSAGE;
    }
    char msg[512] = "";
    if (reference_playing(c) >= 0 && !back_to_master(c, msg, sizeof msg)) {
        console_message(c, true, "master: %s", msg);
        return polled(c);
    }
    c->platform = id;
    double db;
    bool known = console_platform_db(c, &db);
    console_bypass_match(c, false);
    if (id < 0)
        console_message(c, false, "platform off: the master as it is");
    else if (!known)
        console_message(c, false, "as %s plays it: not measured yet (0 dB until it is)",
                        platform_of((enum platform_id)id)->name);
    else
        console_message(c, false, "as %s plays it: %+.1f dB%s", platform_of((enum platform_id)id)->name,
                        db, platform_of((enum platform_id)id)->album ? " (album)" : "");
    return polled(c);
}
