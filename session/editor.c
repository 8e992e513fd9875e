/* SPDX-License-Identifier: MIT */
/* The editor: runs commands from the table on a session, with undo and redo.
 *
 * Undo keeps the session's text before each edit. The writer reproduces a
 * session exactly (comments and layout included), so restoring an old text
 * restores everything a save would have written, and nothing can be left
 * half-undone. */
#include "session/editor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/limits.h"
#include "session/sessfile.h"
#include "session/sesssave.h"

struct editor *editor_new(struct session *s)
{
    struct editor *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->s = s;
    e->selected = s->ntracks > 0 ? 0 : SELECT_ALBUM;
    e->save_wait_ms = SESSION_LOCK_WAIT_MS;
    return e;
}

static void drop(char **texts, int n)
{
    for (int i = 0; i < n; i++)
        free(texts[i]);
}

void editor_free(struct editor *e)
{
    if (!e)
        return;
    session_free(e->s);
    drop(e->undo, e->nundo);
    drop(e->redo, e->nredo);
    free(e->undo);
    free(e->undo_sel);
    free(e->redo);
    free(e->redo_sel);
    free(e);
}

static bool push(char ***texts, int **sels, int *n, char *text, int sel)
{
    if (*n == EDITOR_MAX_UNDO) {    /* forget the oldest */
        free((*texts)[0]);
        memmove(*texts, *texts + 1, (size_t)(*n - 1) * sizeof **texts);
        memmove(*sels, *sels + 1, (size_t)(*n - 1) * sizeof **sels);
        (*n)--;
    }
    char **t = realloc(*texts, (size_t)(*n + 1) * sizeof *t);
    if (!t)
        return false;
    *texts = t;
    int *s = realloc(*sels, (size_t)(*n + 1) * sizeof *s);
    if (!s)
        return false;
    *sels = s;
    t[*n] = text;
    s[*n] = sel;
    (*n)++;
    return true;
}

/* What the audio layer found in the mixes stays known across undo. */
static void carry_mix_info(struct session *to, const struct session *from)
{
    for (int i = 0; i < to->ntracks; i++)
        for (int j = 0; j < from->ntracks; j++)
            if (from->tracks[j].mix.probed && strcmp(to->tracks[i].file, from->tracks[j].file) == 0) {
                to->tracks[i].mix = from->tracks[j].mix;
                break;
            }
    for (int i = 0; i < to->nrefs && i < from->nrefs; i++)
        if (strcmp(to->refs[i].file, from->refs[i].file) == 0)
            to->refs[i].mix = from->refs[i].mix;
}

static bool restore(struct editor *e, const char *text, int sel, char *msg, size_t msglen)
{
    char err[512];
    struct session *s = session_parse(text, strlen(text), e->s->path ? e->s->path : "session",
                                      err, sizeof err);
    if (!s) {
        snprintf(msg, msglen, "cannot restore: %s", err);
        return false;
    }
    str_set(&s->path, e->s->path);
    /* the file it came from, and the writer's lock, stay with the session */
    s->disk = e->s->disk;
    s->lock = e->s->lock;
    e->s->lock = NULL;
    carry_mix_info(s, e->s);
    session_free(e->s);
    e->s = s;
    e->selected = sel < s->ntracks ? sel : (s->ntracks ? s->ntracks - 1 : SELECT_ALBUM);
    e->dirty = true;
    e->generation++;
    return true;
}

bool editor_undo(struct editor *e, char *msg, size_t msglen)
{
    if (e->nundo == 0) {
        snprintf(msg, msglen, "nothing to undo");
        return false;
    }
    char *now = session_format(e->s);
    if (!now || !push(&e->redo, &e->redo_sel, &e->nredo, now, e->selected)) {
        free(now);
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    bool ok = restore(e, e->undo[e->nundo - 1], e->undo_sel[e->nundo - 1], msg, msglen);
    if (!ok) {
        free(e->redo[--e->nredo]);
        return false;
    }
    free(e->undo[--e->nundo]);
    snprintf(msg, msglen, "undone (%d more)", e->nundo);
    return ok;
}

bool editor_redo(struct editor *e, char *msg, size_t msglen)
{
    if (e->nredo == 0) {
        snprintf(msg, msglen, "nothing to redo");
        return false;
    }
    char *now = session_format(e->s);
    if (!now || !push(&e->undo, &e->undo_sel, &e->nundo, now, e->selected)) {
        free(now);
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    bool ok = restore(e, e->redo[e->nredo - 1], e->redo_sel[e->nredo - 1], msg, msglen);
    if (!ok) {
        free(e->undo[--e->nundo]);
        return false;
    }
    free(e->redo[--e->nredo]);
    snprintf(msg, msglen, "redone (%d more)", e->nredo);
    return ok;
}

bool editor_save(struct editor *e, char *msg, size_t msglen)
{
    if (!e->s->path) {
        snprintf(msg, msglen, "the session has no file name");
        return false;
    }
    if (session_save_within(e->s, e->s->path, e->save_wait_ms, msg, msglen) != SAVE_OK)
        return false;
    e->dirty = false;
    snprintf(msg, msglen, "saved %s", e->s->path);
    return true;
}

#define MAX_ARGS 64

/* Splits a command line into words; "double quotes" group words. */
static int split(char *line, char **argv)
{
    int argc = 0;
    char *p = line;
    while (*p && argc < MAX_ARGS) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p == '"') {
            argv[argc++] = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            argv[argc++] = p;
            while (*p && *p != ' ' && *p != '\t')
                p++;
        }
        if (*p)
            *p++ = 0;
    }
    return argc;
}

/* An edit is kept only if its session reads back: the checks that need the
 * whole session (an EQ band against a rate set later) and the file size. */
static bool within_limits(const struct session *s, const char *text, char *msg, size_t msglen)
{
    size_t n = strlen(text);
    if (n > SESSION_MAX_BYTES) {
        snprintf(msg, msglen, "the session would be %zu bytes, more than the %d a session file "
                 "may hold", n, SESSION_MAX_BYTES);
        return false;
    }
    char err[512];
    if (!session_check_limits(s, "session", err, sizeof err)) {
        snprintf(msg, msglen, "%s", err + strlen("session: "));
        return false;
    }
    return true;
}

bool editor_run(struct editor *e, const char *line, char *msg, size_t msglen)
{
    msg[0] = 0;
    while (*line == ' ' || *line == '\t' || *line == ':')
        line++;
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    if (!copy) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    memcpy(copy, line, n + 1);
    while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\t' || copy[n - 1] == '\n'))
        copy[--n] = 0;
    const char *name_end = copy + strcspn(copy, " \t");
    const char *rest = name_end + strspn(name_end, " \t");
    char *rest_copy = strdup(rest);
    char *argv[MAX_ARGS];
    int argc = split(copy, argv);
    bool ok = false;
    if (argc == 0 || !rest_copy) {
        snprintf(msg, msglen, argc == 0 ? "empty command" : "out of memory");
        goto out;
    }
    const struct command *c = editor_command_find(argv[0]);
    if (!c) {
        snprintf(msg, msglen, "unknown command \"%s\" (help lists them)", argv[0]);
        goto out;
    }
    char *before = NULL;
    int sel_before = e->selected;
    if (c->edits && !(before = session_format(e->s))) {
        snprintf(msg, msglen, "out of memory");
        goto out;
    }
    ok = c->run(e, argc, argv, rest_copy, msg, msglen);
    if (c->edits) {
        char *after = session_format(e->s);
        if (ok && after)
            ok = within_limits(e->s, after, msg, msglen);
        if (!ok) {
            /* commands check before they change anything; this is a safety net */
            if (after && strcmp(before, after) != 0) {
                char ignored[256];
                bool dirty = e->dirty;
                restore(e, before, sel_before, ignored, sizeof ignored);
                e->dirty = dirty;
            }
            free(before);
        } else if (after && strcmp(before, after) == 0) {
            free(before);       /* nothing changed: nothing to undo */
        } else if (!push(&e->undo, &e->undo_sel, &e->nundo, before, sel_before)) {
            free(before);
        } else {
            drop(e->redo, e->nredo);
            e->nredo = 0;
            e->dirty = true;
            e->generation++;
        }
        free(after);
    }
out:
    free(copy);
    free(rest_copy);
    return ok;
}

bool editor_checkpoint(struct editor *e)
{
    char *now = session_format(e->s);
    if (!now || !push(&e->undo, &e->undo_sel, &e->nundo, now, e->selected)) {
        free(now);
        return false;
    }
    drop(e->redo, e->nredo);
    e->nredo = 0;
    e->dirty = true;
    e->generation++;
    return true;
}
