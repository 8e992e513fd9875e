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
#endif
