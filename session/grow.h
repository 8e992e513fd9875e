/* SPDX-License-Identifier: MIT */
/* Room for one more item in an array that holds `n`: the array holds a
 * power of two of items at least and doubles when full, so reading a
 * session of N sections copies the array a few times, not N times (a
 * realloc per item is quadratic wherever realloc cannot grow in place). */
#ifndef LATHE_GROW_H
#define LATHE_GROW_H

#include <stdbool.h>
#include <stdlib.h>

static inline bool grow_for_one(void **array, int n, size_t item)
{
    if (n > 0 && (n & (n - 1)) != 0)
        return true;            /* not full: n is between two powers of two */
    void *grown = realloc(*array, (size_t)(n ? 2 * n : 1) * item);
    if (!grown)
        return false;
    *array = grown;
    return true;
}

#endif
