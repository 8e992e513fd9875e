/* SPDX-License-Identifier: MIT */
/* The cdrdao TOC file of a CD master over one album WAV (standards §4.2).
 *
 * Every track takes its span of the album WAV, gap included: from its
 * index 00 (or 01) to where the next track's gap begins. START marks index
 * 01 inside the span, INDEX the marks 02.., all in mm:ss:ff, which is
 * exact because every mark sits on a CD frame. CD-Text is written in
 * ISO-8859-1 as cdrdao expects; text Latin-1 cannot hold is refused. */
#ifndef LATHE_TOCFILE_H
#define LATHE_TOCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "session/model.h"
#include "session/timeline.h"

/* Writes the TOC for `wav_name`, which must be a stereo WAV of
 * `wav_rate` Hz and `wav_bits` bits: anything but 44100 Hz and 16 bits is
 * refused, as cdrdao burns nothing else. Returns false with one message
 * in err, as cuesheet_write does. */
bool tocfile_write(FILE *f, const struct session *s, const struct timeline *tl,
                   const char *wav_name, int wav_rate, int wav_bits,
                   char *err, size_t errlen);
/* The same into `path`, atomically (temporary file and rename). */
bool tocfile_save(const char *path, const struct session *s, const struct timeline *tl,
                  const char *wav_name, int wav_rate, int wav_bits,
                  char *err, size_t errlen);

#endif
