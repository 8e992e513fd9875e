/* SPDX-License-Identifier: MIT */
/* A set of names for finding duplicates in one pass: a load of N sections
 * checks each name in constant time, not against every name before it. */
#ifndef LATHE_NAMESET_H
#define LATHE_NAMESET_H

#include <stdbool.h>
#include <stddef.h>

/* The set keeps the pointers it is given, not copies: each name must
 * outlive the set. Zero-initialised, it is empty. */
struct nameset {
    const char **slots;
    size_t cap, n;
};

/* Adds `name` (compared byte for byte); false if it is already there, with
 * *oom false, or if memory ran out, with *oom true. */
bool nameset_add(struct nameset *set, const char *name, bool *oom);
void nameset_free(struct nameset *set);

#endif
