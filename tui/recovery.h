/* SPDX-License-Identifier: MIT */
/* The recovery file: the console's autosave of unsaved edits, kept beside
 * the session as `.NAME.recover` (for `NAME` = `album.lathe`). */
#ifndef LATHE_RECOVERY_H
#define LATHE_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>

/* The recovery path of a session path. */
void recovery_path(const char *session, char *out, size_t len);
/* Writes the text atomically. */
bool recovery_write(const char *path, const char *text, char *err, size_t errlen);
/* Whether a recovery file is there to offer: newer than the session (or
 * the session is gone) and not the same text. */
bool recovery_pending(const char *session, const char *recover);
/* Removes the recovery file; a missing one is fine. */
void recovery_remove(const char *path);

#endif
