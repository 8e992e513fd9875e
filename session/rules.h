/* SPDX-License-Identifier: MIT */
/* The QC rules: Red Book timing, codes, CD-Text, mixes (standards.md §3). */
#ifndef LATHE_RULES_H
#define LATHE_RULES_H

#include <stdbool.h>

#include "session/model.h"
#include "session/timeline.h"

enum severity { SEV_WARNING, SEV_ERROR };

struct problem {
    enum severity severity;
    int track;              /* 1-based; 0 for the album */
    const char *code;       /* stable identifier: "track-short", "isrc-format" */
    /* the [output] section a render refusal is about, or NULL; such a
     * message names the output itself */
    const char *output;
    char message[1024];
};

struct problems {
    struct problem *items;
    int n, cap;
    int errors, warnings;
};

/* Adds every problem the session has. The timeline must be built from the
 * session after its mixes were probed. */
bool rules_check(const struct session *s, const struct timeline *tl, struct problems *out);
void problems_free(struct problems *p);
/* Adds one problem; `code` must be a string that lives on (a literal). */
void problems_add(struct problems *p, enum severity sev, int track, const char *code,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Red Book limits, in seconds. */
#define RULE_MIN_TRACK 4.0
#define RULE_MIN_PREGAP 2.0
#define RULE_MAX_TRACKS 99
#define RULE_WARN_TOTAL (74 * 60.0)
#define RULE_MAX_TOTAL (79 * 60.0 + 57)
/* CD-Text: packs of 12 payload bytes, 253 text packs per block. */
#define RULE_MAX_CDTEXT_PACKS 253
#define RULE_MAX_CDTEXT_FIELD 160

#endif
