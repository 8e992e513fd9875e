/* SPDX-License-Identifier: MIT */
/* Small helpers for the --json outputs of the command line. */
#ifndef LATHE_JSON_H
#define LATHE_JSON_H

#include <stdio.h>

/* Writes `s` as a JSON string, quoted and escaped; NULL writes null. */
void json_string(FILE *f, const char *s);
/* Writes a number, or null when it is not finite (-inf loudness of silence). */
void json_number(FILE *f, double v);

#endif
