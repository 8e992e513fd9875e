/* SPDX-License-Identifier: MIT */
/* Open addressing with linear probing, kept at most half full so a probe
 * ends soon; FNV-1a spreads the names. */
#include "session/nameset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot holding `name`, or the empty slot where it would go. */
static size_t slot_of(const struct nameset *set, const char *name)
{
    size_t mask = set->cap - 1, i = (size_t)hash(name) & mask;
    while (set->slots[i] && strcmp(set->slots[i], name) != 0)
        i = (i + 1) & mask;
    return i;
}

static bool grow(struct nameset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    struct nameset bigger = { calloc(cap, sizeof *bigger.slots), cap, set->n };
    if (!bigger.slots)
        return false;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            bigger.slots[slot_of(&bigger, set->slots[i])] = set->slots[i];
    free(set->slots);
    *set = bigger;
    return true;
}

bool nameset_add(struct nameset *set, const char *name, bool *oom)
{
    *oom = false;
    if ((set->n + 1) * 2 > set->cap && !grow(set)) {
        *oom = true;
        return false;
    }
    size_t i = slot_of(set, name);
    if (set->slots[i])
        return false;
    set->slots[i] = name;
    set->n++;
    return true;
}

void nameset_free(struct nameset *set)
{
    free(set->slots);
    memset(set, 0, sizeof *set);
}
