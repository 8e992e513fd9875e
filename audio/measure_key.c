/* SPDX-License-Identifier: MIT */
/* The keys of cached measurements (measure_key.h). */
#include "audio/measure_key.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/keys.h"
#include "session/params.h"

/* A growing line of text; `failed` once memory ran out. */
struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void put(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t c = (t->len + n + 1) * 2;
        char *p = realloc(t->buf, c);
        if (!p) {
            t->failed = true;
            return;
        }
        t->buf = p;
        t->cap = c;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct text *t, const char *fmt, ...)
{
    char v[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    put(t, v);
}

/* The key's text, separators made spaces; NULL when memory ran out. */
static char *finish(struct text *t)
{
    if (t->failed || !t->buf) {
        free(t->buf);
        return NULL;
    }
    for (char *c = t->buf; *c; c++)
        if (*c == '\t' || *c == '\n' || *c == '\r')
            *c = ' ';
    return t->buf;
}

static void put_time(struct text *t, const char *name, struct stime v)
{
    if (v.in_samples)
        putf(t, " %s=%lldsmp", name, (long long)v.samples);
    else
        putf(t, " %s=%.17gs", name, v.seconds);
}

/* A processor as "KEY PARAMS" (proc_format writes nothing for one
 * without parameters, and does not name its kind). */
static void put_proc(struct text *t, const struct proc *p)
{
    char v[1024] = "";
    proc_format(p, v, sizeof v);
    putf(t, "%s %s", proc_def_of(p->kind)->key, v);
}

static void put_chain(struct text *t, const char *name, const struct chain_settings *ch)
{
    putf(t, " %s=[", name);
    for (int i = 0; i < ch->n; i++) {
        put(t, i ? "; " : "");
        put_proc(t, &ch->procs[i]);
    }
    put(t, "]");
}

char *measure_track_alone_key(const struct session *s, int i)
{
    const struct track *tr = &s->tracks[i];
    struct text t = { 0 };
    putf(&t, "rate=%d gain=%.17g", session_rate(s), tr->gain);
    put_time(&t, "trim-in", tr->trim_in);
    put_time(&t, "trim-out", tr->trim_out);
    put(&t, " fade-in=");
    put_proc(&t, &tr->fade_in);
    put(&t, " fade-out=");
    put_proc(&t, &tr->fade_out);
    put_chain(&t, "chain", &tr->chain);
    putf(&t, " master-gain=%.17g", s->master.gain);
    put_chain(&t, "master", &s->master.chain);
    return finish(&t);
}

/* Keys that never shape the sound: text, codes, marks, notes, and what
 * only decides what leveling aims at. */
static bool silent_key(const struct key_def *k)
{
    static const char *const names[] = { "file", "isrc", "upc", "copy", "emphasis", "index",
                                         "note", "revision", "target", "leveling", "name", NULL };
    if (k->type == KT_TEXT || k->type == KT_TEXT_LIST || k->type == KT_ISRC || k->type == KT_UPC)
        return true;
    for (int i = 0; names[i]; i++)
        if (strcmp(k->key, names[i]) == 0)
            return true;
    return false;
}

/* Every key of a section that shapes the sound, as "key=value". */
static void put_section(struct text *t, enum section_kind kind, const void *section)
{
    const struct section_def *d = section_def_of(kind);
    char v[1024] = "";
    for (int k = 0; k < d->nkeys; k++) {
        if (silent_key(&d->keys[k]))
            continue;
        int n = key_count(&d->keys[k], section);
        for (int o = 0; o < n; o++) {
            v[0] = 0;
            key_format(&d->keys[k], section, o, v, sizeof v);
            putf(t, " %s=%s", d->keys[k].key, v);
        }
        if (n == 0)
            putf(t, " %s=-", d->keys[k].key);
    }
}

char *measure_album_key(const struct session *s, const struct timeline *tl,
                        char *const *content, const char *what)
{
    struct text t = { 0 };
    putf(&t, "%s rate=%d end=%lld [album]", what, tl->rate, (long long)tl->end);
    put_section(&t, SECTION_ALBUM, &s->album);
    put(&t, " [master]");
    put_section(&t, SECTION_MASTER, &s->master);
    put_chain(&t, "chain", &s->master.chain);
    for (int i = 0; i < s->ntracks && i < tl->ntracks; i++) {
        const struct timeline_track *tt = &tl->tracks[i];
        putf(&t, " [track %d] content=%s", i + 1, content[i] ? content[i] : "-");
        put_section(&t, SECTION_TRACK, &s->tracks[i]);
        put_chain(&t, "chain", &s->tracks[i].chain);
        putf(&t, " at=%lld+%lld from=%lld+%lld index=%lld,%lld,%lld fades=%lld,%lld x=%lld%s",
             (long long)tt->audio_start, (long long)tt->audio_length, (long long)tt->source_start,
             (long long)tt->source_length, (long long)tt->index0, (long long)tt->index1,
             (long long)tt->next_index1, (long long)tt->fade_in, (long long)tt->fade_out,
             (long long)tt->crossfade, tt->length_known ? "" : " unknown");
    }
    return finish(&t);
}
