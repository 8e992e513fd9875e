/* SPDX-License-Identifier: MIT */
/* The limits of a session: the one table of ranges that the reader enforces
 * and every writer (the editor's commands, render's revision bump, the
 * saver) keeps to, so that everything lathe writes reads back. */
#ifndef LATHE_LIMITS_H
#define LATHE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

/* Longest line a session may hold; longer is refused, not truncated. */
#define SESSION_MAX_LINE 65536
/* Largest session file read, and so the largest written. */
#define SESSION_MAX_BYTES (64 * 1024 * 1024)

/* Ranges of the session's keys (keys.c builds its tables from these). */
#define LIMIT_GAP_MAX 3600.0            /* s: an hour of silence */
#define LIMIT_CROSSFADE_MAX 60.0        /* s */
#define LIMIT_TRIM_MAX 36000.0          /* s: ten hours into a mix */
#define LIMIT_GAIN_MIN (-60.0)          /* dB, track and master gain */
#define LIMIT_GAIN_MAX 24.0
#define LIMIT_TARGET_MIN (-60.0)        /* LUFS */
#define LIMIT_TARGET_MAX 0.0
#define LIMIT_CEILING_MIN (-20.0)       /* dBTP */
#define LIMIT_CEILING_MAX 0.0
#define LIMIT_RATE_MIN 8000             /* Hz, album and output rates */
#define LIMIT_RATE_MAX 768000
#define LIMIT_REVISION_MAX 1000000      /* a render refuses to bump past it */
#define LIMIT_VERSION_MAX 1000000
/* A time given on the command line (play --from): a day is past any album. */
#define LIMIT_CLI_TIME_MAX 86400.0

/* Whether v is a finite number within [lo, hi]: the test every conversion
 * of a double to an integer or a stored value goes through first. */
static inline bool limit_in(double v, double lo, double hi)
{
    return v >= lo && v <= hi;          /* false for NaN */
}

/* The checks that need the whole session (a key may come after the line it
 * limits): every frequency of a chain below the Nyquist frequency of the
 * album rate, the revision within range. `name` prefixes the message. */
bool session_check_limits(const struct session *s, const char *name, char *err, size_t errlen);

#endif
