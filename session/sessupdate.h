/* SPDX-License-Identifier: MIT */
/* Changes to a session file made on behalf of a writer whose own copy is
 * not the file any more: a render's revision bump, and the edits of a
 * console that lost the race to another writer. */
#ifndef LATHE_SESSUPDATE_H
#define LATHE_SESSUPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "session/sessguard.h"
#include "session/sesssave.h"

/* Sets the album revision of the session at `path` to `revision` (unless
 * it is already there or higher), reading the file afresh under the lock,
 * so that edits made while a render ran are kept. What the file was before
 * and is after go to `before` and `after` when not NULL. False with a
 * message. */
bool session_bump_revision(const char *path, int revision, struct session_disk *before,
                           struct session_disk *after, char *err, size_t errlen);

/* Where a session's edits go when its file changed under it: `NAME.mine.lathe`
 * beside `NAME.lathe` (`NAME.mine` for another name). */
void session_side_path(const char *path, char *out, size_t len);
/* Saves `s` to its side path, replacing an older side file (kept as its
 * `~`), and makes that its path: the other writer's file stays as it is.
 * On failure the session keeps its path. */
enum session_save_result session_save_aside(struct session *s, char *err, size_t errlen);

#endif
