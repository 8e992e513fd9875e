/* SPDX-License-Identifier: MIT */
/* The session file: reading, writing and atomic saving (DESIGN §4). */
#ifndef LATHE_SESSFILE_H
#define LATHE_SESSFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "session/atomicfile.h"
#include "session/limits.h"     /* SESSION_MAX_LINE, SESSION_MAX_BYTES */
#include "session/model.h"

/* Reads a session. On error returns NULL and writes one message,
 * `PATH:LINE: key: "value" — expected ...`, into err. */
struct session *session_load(const char *path, char *err, size_t errlen);
/* Parses session text; `name` is used in messages. */
struct session *session_parse(const char *text, size_t len, const char *name,
                              char *err, size_t errlen);
/* The session as text: unchanged lines as they were read, everything else
 * canonical. Returns a malloc'ed string, or NULL when out of memory. */
char *session_format(const struct session *s);
/* A deep copy through the session text, which the writer keeps exact, with
 * the path and what the mixes' probe found; for a worker or the engine to
 * own while the console goes on editing. NULL with a message. */
struct session *session_copy(const struct session *s, char *err, size_t errlen);
enum session_save_result { SAVE_FAILED, SAVE_OK, SAVE_CONFLICT };
/* Writes the session to `path` atomically: a temporary file in the same
 * folder, fsync, the previous file kept as `PATH~`, rename; through a
 * symbolic link, its target. Under the session lock (s->lock when the
 * caller holds it) it first checks that the file on disk is still the one
 * s->disk describes: if another writer changed it, nothing is written and
 * the result is SAVE_CONFLICT. A read-only file is refused. On success
 * s->disk describes the new file. */
enum session_save_result session_save(struct session *s, const char *path, char *err,
                                      size_t errlen);

#endif
