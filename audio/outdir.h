/* SPDX-License-Identifier: MIT */
/* Which output folders a render may replace: the ones a render made, known
 * by the stamp file it leaves in each. */
#ifndef LATHE_OUTDIR_H
#define LATHE_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

/* The stamp's name inside an output folder. Hidden, and written after the
 * manifest so that no checksum list names it. */
#define OUTDIR_STAMP ".lathe-render"

/* Writes the stamp into `dir`, the folder made for [output NAME]. */
bool outdir_stamp(const char *dir, const char *output_name, char *err, size_t errlen);

/* Whether a render may put a new output at `path`: nothing is there, or a
 * folder with the stamp that holds neither the session file nor any file
 * the session names. Otherwise false and a message naming `path` and what
 * to do. */
bool outdir_may_replace(const struct session *s, const char *path, char *err, size_t errlen);

#endif
