/* SPDX-License-Identifier: MIT */
/* Writes a text deliverable (a sheet, a table) atomically: composed in
 * memory, then a temporary file, fsync and rename, so a reader never sees
 * half of it and a failure leaves no file. */
#ifndef LATHE_TEXTFILE_H
#define LATHE_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the text to f; false with the reason in err. */
typedef bool (*text_writer)(FILE *f, void *ctx, char *err, size_t errlen);

/* Runs `write` into memory and saves the result at `path`. On failure the
 * message names the path. */
bool text_save(const char *path, text_writer write, void *ctx, char *err, size_t errlen);

#endif
