/* SPDX-License-Identifier: MIT */
/* The client's review package (`format = review`): a folder named for the
 * output and the session's revision (NAME-r12), holding the continuous
 * album and the per-track files in a lossy format (`lossy = mp3|ogg`, MP3
 * by default) written through the file sinks, index.html (a plain HTML5
 * page with an <audio> player per file and the track list: number,
 * title, start, length, ISRC, notes; no external resources, a few lines of
 * inline script only to let a start time seek the album player) and
 * notes.txt (the tracks' `note =` lines). The renderer adds the PQ sheet,
 * the loudness report and the manifest as for every file output. */
#ifndef LATHE_REVIEW_H
#define LATHE_REVIEW_H

#include <stddef.h>

#include "audio/sink.h"

/* The package's folder name for output `o` at revision `revision` (the
 * one this render makes): "NAME-rREV". */
void review_folder_name(const struct output *o, int revision, char *out, size_t len);

/* The package's sink: its sound files, and on finish index.html and
 * notes.txt. c->o is a `format = review` output. NULL with a message. */
struct sink *review_sink_new(const struct sink_context *c, char *err, size_t errlen);
/* Whether review_sink_new would take the output; writes nothing. */
bool review_sink_check(const struct sink_context *c, char *err, size_t errlen);

#endif
