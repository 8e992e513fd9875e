/* SPDX-License-Identifier: MIT */
/* The PQ sheet of a CD master: the disc's marks, codes and flags as the
 * plant and the client read them, as a text table or as JSON.
 *
 * Times are absolute CD time (mm:ss:ff, 75 frames a second). The album
 * WAV starts at 00:00:00 when track 1 has its 2 s pregap in it; with a
 * shorter one, the burner puts silence before the WAV and every time moves
 * by the difference (the sheet says so). */
#ifndef LATHE_PQSHEET_H
#define LATHE_PQSHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "session/model.h"
#include "session/timeline.h"

/* A header (title, performer, UPC/EAN), then one row per index: track,
 * index, start, and on index 01 the track's length (to the next track's
 * index 01 or the lead-out), its pregap, ISRC, flags and title; then the
 * lead-out and the playing time. Returns false with one message in err
 * when the marks or codes cannot go on a CD (as cuesheet_write) or on a
 * write error. Text is UTF-8 as given. */
bool pqsheet_write(FILE *f, const struct session *s, const struct timeline *tl,
                   char *err, size_t errlen);
/* The same as one JSON object: "title", "performer", "upc", "offset"
 * (frames before the WAV), "tracks": [{"track", "title", "performer",
 * "isrc", "copy", "emphasis", "pregap", "length", "indexes": [{"index",
 * "start", "frame"}]}], "leadout": {"start", "frame"}, "playing_time".
 * Times are "mm:ss:ff" strings, frames absolute CD frames. */
bool pqsheet_write_json(FILE *f, const struct session *s, const struct timeline *tl,
                        char *err, size_t errlen);
/* pqsheet_write into `path`, atomically (temporary file and rename). */
bool pqsheet_save(const char *path, const struct session *s, const struct timeline *tl,
                  char *err, size_t errlen);

#endif
