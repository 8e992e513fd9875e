/* SPDX-License-Identifier: MIT */
/* The album model: construction, destruction and structural edits. */
#include "session/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/grow.h"

int64_t stime_samples(struct stime t, int rate)
{
    if (t.in_samples)
        return t.samples;
    return llround(t.seconds * rate);
}

bool str_set(char **dst, const char *src)
{
    char *copy = NULL;
    if (src && !(copy = strdup(src)))
        return false;
    free(*dst);
    *dst = copy;
    return true;
}

static void items_free(struct layout_item *items, int n)
{
    for (int i = 0; i < n; i++) {
        free(items[i].raw);
        free(items[i].canon);
        free(items[i].comment);
    }
    free(items);
}

static void layout_free(struct layout *l)
{
    free(l->header_raw);
    items_free(l->lead, l->nlead);
    items_free(l->items, l->nitems);
    memset(l, 0, sizeof *l);
}

static void cdtext_free(struct cdtext *t)
{
    free(t->title);
    free(t->performer);
    free(t->songwriter);
    free(t->composer);
    free(t->arranger);
    free(t->message);
}

static void track_free(struct track *t)
{
    layout_free(&t->layout);
    free(t->file);
    cdtext_free(&t->text);
    free(t->isrc);
    for (int i = 0; i < t->nnote; i++)
        free(t->note[i]);
    free(t->chain.procs);
}

static void track_init(struct track *t)
{
    memset(t, 0, sizeof *t);
    proc_init(&t->fade_in, PROC_FADE);
    proc_init(&t->fade_out, PROC_FADE);
}

struct session *session_new(void)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lathe.version = SESSION_VERSION;
    s->album.target = SESSION_DEFAULT_TARGET;
    s->album.leveling = LEVEL_ALBUM;
    return s;
}

void session_free(struct session *s)
{
    if (!s)
        return;
    session_lock_release(s->lock);
    free(s->path);
    layout_free(&s->lathe.layout);
    layout_free(&s->album.layout);
    cdtext_free(&s->album.text);
    free(s->album.genre);
    free(s->album.upc);
    layout_free(&s->master.layout);
    free(s->master.chain.procs);
    for (int i = 0; i < s->ntracks; i++)
        track_free(&s->tracks[i]);
    free(s->tracks);
    for (int i = 0; i < s->nrefs; i++) {
        layout_free(&s->refs[i].layout);
        free(s->refs[i].file);
        free(s->refs[i].name);
    }
    free(s->refs);
    for (int i = 0; i < s->noutputs; i++) {
        layout_free(&s->outputs[i].layout);
        free(s->outputs[i].name);
        free(s->outputs[i].name_template);
    }
    free(s->outputs);
    free(s->order);
    items_free(s->tail, s->ntail);
    free(s);
}

int session_rate(const struct session *s)
{
    if (s->album.rate > 0)
        return s->album.rate;
    /* the rate most mixes have; ties go to the first seen */
    int best = 0, best_count = 0;
    for (int i = 0; i < s->ntracks; i++) {
        if (!s->tracks[i].mix.ok)
            continue;
        int r = s->tracks[i].mix.rate, count = 0;
        for (int j = 0; j < s->ntracks; j++)
            count += s->tracks[j].mix.ok && s->tracks[j].mix.rate == r;
        if (count > best_count) {
            best = r;
            best_count = count;
        }
    }
    return best ? best : 48000;
}

struct stime session_track_gap(const struct session *s, int i)
{
    const struct track *t = &s->tracks[i];
    if (t->has_gap)
        return t->gap;
    struct stime def = { .seconds = SESSION_DEFAULT_GAP };
    return def;
}

struct track *session_insert_track(struct session *s, int at)
{
    if (at < 0 || at > s->ntracks || s->ntracks >= SESSION_MAX_TRACKS)
        return NULL;
    if (!grow_for_one((void **)&s->tracks, s->ntracks, sizeof *s->tracks))
        return NULL;
    memmove(&s->tracks[at + 1], &s->tracks[at], (size_t)(s->ntracks - at) * sizeof *s->tracks);
    s->ntracks++;
    track_init(&s->tracks[at]);
    return &s->tracks[at];
}

void session_remove_track(struct session *s, int at)
{
    if (at < 0 || at >= s->ntracks)
        return;
    track_free(&s->tracks[at]);
    memmove(&s->tracks[at], &s->tracks[at + 1], (size_t)(s->ntracks - at - 1) * sizeof *s->tracks);
    s->ntracks--;
}

void session_move_track(struct session *s, int from, int to)
{
    if (from < 0 || from >= s->ntracks || to < 0 || to >= s->ntracks || from == to)
        return;
    struct track t = s->tracks[from];
    if (from < to)
        memmove(&s->tracks[from], &s->tracks[from + 1], (size_t)(to - from) * sizeof t);
    else
        memmove(&s->tracks[to + 1], &s->tracks[to], (size_t)(from - to) * sizeof t);
    s->tracks[to] = t;
}

struct output *session_add_output(struct session *s, const char *name)
{
    if (!grow_for_one((void **)&s->outputs, s->noutputs, sizeof *s->outputs))
        return NULL;
    struct output *o = &s->outputs[s->noutputs];
    memset(o, 0, sizeof *o);
    if (!str_set(&o->name, name))
        return NULL;
    s->noutputs++;
    return o;
}

struct output *session_find_output(const struct session *s, const char *name)
{
    for (int i = 0; i < s->noutputs; i++)
        if (strcmp(s->outputs[i].name, name) == 0)
            return &s->outputs[i];
    return NULL;
}

void session_no_output(const struct session *s, const char *name, char *msg, size_t len)
{
    int n = snprintf(msg, len, "no [output %s] in the session", name);
    for (int i = 0; i < s->noutputs && n >= 0 && (size_t)n < len; i++)
        n += snprintf(msg + n, len - (size_t)n, "%s%s", i ? ", " : " (it has ",
                      s->outputs[i].name);
    if (s->noutputs == 0 && n >= 0 && (size_t)n < len)
        snprintf(msg + n, len - (size_t)n, " (it has none)");
    else if (n >= 0 && (size_t)n < len)
        snprintf(msg + n, len - (size_t)n, ")");
}

struct reference *session_add_reference(struct session *s)
{
    if (!grow_for_one((void **)&s->refs, s->nrefs, sizeof *s->refs))
        return NULL;
    memset(&s->refs[s->nrefs], 0, sizeof *s->refs);
    return &s->refs[s->nrefs++];
}

bool chain_settings_insert(struct chain_settings *c, int at, const struct proc *p)
{
    if (at < 0 || at > c->n)
        return false;
    if (!grow_for_one((void **)&c->procs, c->n, sizeof *c->procs))
        return false;
    memmove(&c->procs[at + 1], &c->procs[at], (size_t)(c->n - at) * sizeof *c->procs);
    c->procs[at] = *p;
    c->n++;
    return true;
}

void chain_settings_remove(struct chain_settings *c, int at)
{
    if (at < 0 || at >= c->n)
        return;
    memmove(&c->procs[at], &c->procs[at + 1], (size_t)(c->n - at - 1) * sizeof *c->procs);
    c->n--;
}

int session_find_reference(const struct session *s, const char *what)
{
    char *end;
    long k = strtol(what, &end, 10);
    if (!*end && k >= 1 && k <= s->nrefs)
        return (int)k - 1;
    for (int i = 0; i < s->nrefs; i++)
        if ((s->refs[i].name && strcmp(s->refs[i].name, what) == 0) ||
            (s->refs[i].file && strcmp(s->refs[i].file, what) == 0))
            return i;
    return -1;
}
