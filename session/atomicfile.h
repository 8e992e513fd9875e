/* SPDX-License-Identifier: MIT */
/* Writing a file so that a crash, a kill or a full disk leaves the old file
 * or the new one, never half of one. */
#ifndef LATHE_ATOMICFILE_H
#define LATHE_ATOMICFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes `len` bytes to `path` atomically (temporary file in the same
 * folder, fsync, rename), keeping the old file as `PATH~` when `backup` is
 * set. The temporary is named by pid, and the temporaries that killed
 * writers left beside `path` are removed first. */
bool file_write_atomic(const char *path, const char *data, size_t len, bool backup,
                       char *err, size_t errlen);

/* The same for a file that must not exist yet: the new file appears
 * whole, or, when something is already at `path` (another writer got there
 * first), nothing is written and the message says so. */
bool file_create_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif
