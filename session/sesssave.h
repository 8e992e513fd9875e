/* SPDX-License-Identifier: MIT */
/* Saving a session file so that no other writer's edits are lost. */
#ifndef LATHE_SESSSAVE_H
#define LATHE_SESSSAVE_H

#include <stddef.h>

#include "session/model.h"

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
/* The same, waiting at most `wait_ms` for another writer's save (the
 * console cannot freeze for long; the command line can wait). */
enum session_save_result session_save_within(struct session *s, const char *path, int wait_ms,
                                             char *err, size_t errlen);

#endif
