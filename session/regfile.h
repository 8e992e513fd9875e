/* SPDX-License-Identifier: MIT */
/* Opening a file lathe reads, but only if it is a regular file: a FIFO
 * would block the open (or the first read) until a writer came, and a
 * device never ends. Every file lathe reads opens through here. */
#ifndef LATHE_REGFILE_H
#define LATHE_REGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* Which version of a file was read: when any of these differ, the file
 * was replaced, rewritten, cut or grown since. */
struct file_stamp {
    uint64_t dev, ino;
    int64_t size;
    int64_t mtime_ns;
};

/* Flags for regfile_open. */
#define REGFILE_NOFOLLOW 1      /* a symbolic link is refused (files lathe itself writes) */

/* Opens `path` read-only without waiting on a FIFO, then checks with fstat
 * that what was opened is a regular file. Returns the descriptor (blocking
 * again, close-on-exec) and fills *st if not NULL; on failure returns -1,
 * leaves errno set (ENOENT, EISDIR, EINVAL for a FIFO or device, ...) and
 * writes "PATH: problem" into err. */
int regfile_open(const char *path, int flags, struct stat *st, char *err, size_t errlen);
/* The same as a stdio stream opened "rb"; NULL on failure. */
FILE *regfile_fopen(const char *path, int flags, char *err, size_t errlen);

/* The stamp of the file `st` describes. */
struct file_stamp regfile_stamp(const struct stat *st);
/* Whether `path` is still the file stamped `was`. If not (or it is gone),
 * false with what changed in `why`: "size 52.0 MB -> 20.0 MB",
 * "rewritten: same size, modified 2.3 s later", "replaced by another
 * file", "deleted or moved away". */
bool regfile_unchanged(const char *path, const struct file_stamp *was, char *why, size_t len);

#endif
