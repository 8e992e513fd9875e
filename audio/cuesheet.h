/* SPDX-License-Identifier: MIT */
/* The CUE sheet of a CD master over one album WAV (standards §4.1), and the
 * marks and text rules the cdrdao TOC and the PQ sheet share with it.
 *
 * Times are mm:ss:ff from the first sample of the album WAV, which holds
 * track 1's pregap from 00:00:00. Strings are quoted; a title that holds a
 * double quote or a backslash is refused (CUE has no escape that every
 * reader honours). Commands are upper case, lines end in LF, no BOM. */
#ifndef LATHE_CUESHEET_H
#define LATHE_CUESHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "session/model.h"
#include "session/timeline.h"

/* CUE has no charset rule. Players (foobar2000, cuetools, shntool) read
 * UTF-8; burners that take CD-Text from the sheet (CDRWIN, cue2ddp) copy
 * the bytes as ISO-8859-1, so for them the text must be converted. */
enum cue_charset { CUE_UTF8, CUE_LATIN1 };

/* Writes the sheet for `wav_name` (written as given in FILE "..." WAVE).
 * Returns false with one message in err when the session cannot be
 * written as a CD sheet (no tracks or more than 99, marks out of order,
 * a malformed UPC or ISRC, text that cannot be written) or on a write
 * error; f may then hold part of a sheet. */
bool cuesheet_write(FILE *f, const struct session *s, const struct timeline *tl,
                    const char *wav_name, enum cue_charset charset,
                    char *err, size_t errlen);
/* The same into `path`, atomically (temporary file and rename). */
bool cuesheet_save(const char *path, const struct session *s, const struct timeline *tl,
                   const char *wav_name, enum cue_charset charset,
                   char *err, size_t errlen);

/* One track's marks in CD frames (1/75 s) from the start of the album WAV. */
struct cue_marks {
    int64_t gap;        /* index 00; == start when the track has no gap */
    int64_t start;      /* index 01 */
    int64_t index[SESSION_MAX_INDEXES];     /* index 02.. */
    int nindex;
    int64_t end;        /* where the next track's gap (or the lead-out) begins */
    int64_t next;       /* the next track's index 01, or the lead-out */
};

/* Track `i`'s marks (from 0), checked: gap <= start < every index < end.
 * Also refuses albums of no tracks or more than 99. */
bool cuesheet_marks(const struct timeline *tl, int i, struct cue_marks *m,
                    char *err, size_t errlen);
/* Formats CD frames as mm:ss:ff. */
#define CUESHEET_MSF_LEN 24    /* room for any int64_t count */
void cuesheet_msf(int64_t frames, char buf[CUESHEET_MSF_LEN]);
/* The disc's catalog number: a 13-digit EAN, or a 12-digit UPC-A with a
 * leading 0. False for anything else. */
bool cuesheet_catalog(const char *upc, char ean[14]);
/* Converts text for a sheet: as given, or to ISO-8859-1 bytes when
 * `latin1`. Refuses (false, reason in why) text with a double quote, a
 * backslash or a control character, characters Latin-1 lacks, or text
 * longer than `outlen`. */
bool cuesheet_text(const char *utf8, bool latin1, char *out, size_t outlen,
                   char *why, size_t whylen);

#endif
