/* SPDX-License-Identifier: MIT */
/* Prefix completion, as shells do it: the common part first, a list when
 * the user presses again. */
#include "tui/complete.h"

#include <stdio.h>
#include <string.h>

int complete_line(const char *line, const char *const *names, int nnames,
                  char *out, size_t len)
{
    snprintf(out, len, "%s", line);
    if (strpbrk(line, " \t"))
        return 0;
    size_t n = strlen(line);
    const char *first = NULL;
    size_t common = 0;
    int matches = 0;
    for (int i = 0; i < nnames; i++) {
        if (strncmp(names[i], line, n) != 0)
            continue;
        if (matches > 0 && strcmp(names[i], first) == 0)
            continue;
        if (!first) {
            first = names[i];
            common = strlen(first);
        } else {
            size_t k = n;
            while (k < common && names[i][k] == first[k])
                k++;
            common = k;
        }
        matches++;
    }
    if (matches == 1)
        snprintf(out, len, "%s ", first);
    else if (matches > 1)
        snprintf(out, len, "%.*s", (int)common, first);
    return matches;
}
