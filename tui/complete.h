/* SPDX-License-Identifier: MIT */
/* Completion of the first word of a command line from a list of names. */
#ifndef LATHE_COMPLETE_H
#define LATHE_COMPLETE_H

#include <stddef.h>

/* Completes `line` when it is one word: writes the line extended by the
 * longest prefix the matching names share (and a space when one name
 * matches) into out, and returns how many names match. Lines past the
 * first word are copied unchanged, returning 0. */
int complete_line(const char *line, const char *const *names, int nnames,
                  char *out, size_t len);

#endif
