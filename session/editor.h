/* SPDX-License-Identifier: MIT */
/* The command layer: one table of named commands that edit a session, with
 * undo and redo. The console's keys, its `:` prompt and `lathe do` all run
 * commands through editor_run, so they behave the same everywhere. */
#ifndef LATHE_EDITOR_H
#define LATHE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

#define EDITOR_MAX_UNDO 500

/* Selection: a track (0-based), or the album and its master chain. */
#define SELECT_ALBUM (-1)

struct editor {
    struct session *s;
    int selected;
    bool dirty;             /* changed since loaded or saved */
    char **undo;            /* session text before each edit, oldest first */
    int *undo_sel;
    int nundo;
    char **redo;
    int *redo_sel;
    int nredo;
    unsigned long generation;  /* bumped by every change, for caches and redraws */
    int save_wait_ms;       /* how long a save waits for another writer's */
};

struct command {
    const char *name;
    const char *args;       /* for help: "TIME" */
    const char *help;
    /* argv[0] is the name; `rest` is the text after it, trimmed. */
    bool (*run)(struct editor *e, int argc, char **argv, const char *rest,
                char *msg, size_t msglen);
    bool edits;             /* changes the session: undoable */
};

/* Takes ownership of the session. */
struct editor *editor_new(struct session *s);
void editor_free(struct editor *e);

/* Runs one command line ("gap 1.5s"). On failure returns false with the
 * reason in msg and leaves the session as it was; on success msg may hold
 * a short report ("gap of track 2: 1.5s"). */
bool editor_run(struct editor *e, const char *line, char *msg, size_t msglen);

/* The command table, ending with a NULL name. */
const struct command *editor_commands(void);
const struct command *editor_command_find(const char *name);

bool editor_undo(struct editor *e, char *msg, size_t msglen);
bool editor_redo(struct editor *e, char *msg, size_t msglen);
bool editor_save(struct editor *e, char *msg, size_t msglen);

/* Called before a command that edits, to make it undoable; the session text
 * is kept and dropped again if nothing changed. */
bool editor_checkpoint(struct editor *e);

/* How `match` measures: a track's tonal balance against a reference and
 * the EQ bands (PROC_EQ, at most 6) that move it there. Set by whoever can
 * read audio (audio/tonal.c's tonal_install); without it `match` says so. */
typedef bool (*editor_match_fn)(const struct session *s, int track, int ref, struct proc *out,
                                int *n, char *err, size_t errlen);
extern editor_match_fn editor_match_hook;

/* How `insert` reads the new track's mix, as `new` does: fills t->mix, or
 * returns false with a message naming the file (missing, a folder, a
 * device, not sound). Set by audio/mixprobe.c's mix_probe_install; without
 * it `insert` takes the name unread. */
typedef bool (*editor_probe_fn)(const struct session *s, struct track *t, char *err, size_t errlen);
extern editor_probe_fn editor_probe_hook;

#endif
