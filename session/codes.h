/* SPDX-License-Identifier: MIT */
/* Disc and track codes and CD-Text text rules (standards.md §2, §3). */
#ifndef LATHE_CODES_H
#define LATHE_CODES_H

#include <stdbool.h>
#include <stddef.h>

/* A normalised ISRC: 2 letters, 3 letters or digits, 7 digits. */
bool isrc_valid(const char *isrc);
/* 12 (UPC-A) or 13 (EAN-13) digits. */
bool upc_length_ok(const char *upc);
/* The EAN-13 check digit holds (a 12-digit UPC-A is read as 0 + UPC). */
bool upc_check_ok(const char *upc);
/* The check digit `digits12` (12 digits) should end with. */
int ean13_check_digit(const char *digits12);
/* UTF-8 text that ISO-8859-1 can hold; on failure *bad gets the byte
 * offset of the first character it cannot. */
bool text_latin1_ok(const char *utf8, size_t *bad);
/* Well-formed UTF-8 (no overlongs, no surrogates) in the first n bytes. */
bool text_utf8_ok(const char *text, size_t n);
/* Bytes the text takes in ISO-8859-1. */
size_t text_latin1_length(const char *utf8);

/* The CD-Text genre code of a name (standards §2.2), case-insensitive,
 * with the usual spellings ("hip-hop", "R&B"): 2..27; 1 (not defined) for
 * a name not in the list; 0 for NULL or empty. */
int genre_code(const char *name);
/* The standard name of a genre code, or NULL. */
const char *genre_name(int code);

#endif
