/* SPDX-License-Identifier: MIT */
/* Sinks that write sound files: one file per track, or one continuous file
 * of the album, in the output's format (wav, aiff, flac, mp3, ogg).
 *
 * Integer outputs (16, 24 bits) are written from the block's pcm values
 * through libsndfile's integer path, so the file holds those values bit for
 * bit; 32 bits is float; lossy formats encode the block's samples (MP3 at
 * 320 kbps constant bitrate, Ogg Vorbis at quality 8).
 *
 * Each file is written under a hidden temporary name in the output's folder
 * and renamed to its final name once complete; on failure or destroy the
 * temporary file is removed. Tags: title, artist (the track's performer,
 * else the album's), album, track number and ISRC where the format holds
 * them (see tags.h for what libsndfile cannot write); the album file of a
 * cue or toc output keeps only libsndfile's LIST/INFO chunk. */
#ifndef LATHE_FILE_SINK_H
#define LATHE_FILE_SINK_H

#include <stddef.h>

#include "audio/sink.h"

/* Per-track files. Track i holds the output frames from its index 01 to
 * the next track's index 01 (the album end for the last), so the gap
 * before a track ends the previous file and track 1's pregap is left out.
 * Names: the output's name template (default "{nn} {title}") plus the
 * format's extension; a name already taken (ignoring case) gets " (2)",
 * " (3)"... NULL with a message when the format or depth cannot be
 * written or a file already exists. */
struct sink *tracks_sink_new(const struct sink_context *c, char *err, size_t errlen);

/* One file of the whole album, frames [0, c->length), named `name` plus
 * the extension: the output's format, or WAV for cue and toc outputs. */
struct sink *album_sink_new(const struct sink_context *c, const char *name,
                            char *err, size_t errlen);

/* The final name (in the output's folder) of the sink's file i: track i
 * of a per-track sink, 0 for an album sink; NULL when there is none. */
/* Whether a file sink (tracks or album) would take the output: format,
 * rate and depth, asked of the encoder itself; writes nothing. */
bool file_sink_check(const struct sink_context *c, char *err, size_t errlen);
const char *file_sink_name(const struct sink *k, int i);

#endif
