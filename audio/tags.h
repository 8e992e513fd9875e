/* SPDX-License-Identifier: MIT */
/* What libsndfile cannot put into a file it wrote, added once the file is
 * closed: ISRC in FLAC (libFLAC), ISRC and a fixed stream serial number in
 * Ogg Vorbis (libogg, libvorbis), an ID3v2.3 tag in MP3, and the same tag
 * as a chunk of WAV and AIFF files.
 *
 * libsndfile writes title, artist, album and track number itself where the
 * format lets it; these functions each change one finished file (Ogg and
 * MP3 through a temporary file beside it, renamed over it), so the result
 * depends only on the file and the arguments: two renders give the same
 * bytes. */
#ifndef LATHE_TAGS_H
#define LATHE_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file's text tags, UTF-8; NULL or "" where there is none. */
struct tag_set {
    const char *title, *artist, *album, *tracknumber, *isrc;
};

/* Adds a Vorbis comment NAME=VALUE to a FLAC file (libFLAC metadata API). */
bool tags_flac_add(const char *path, const char *name, const char *value,
                   char *err, size_t errlen);

/* Rewrites an Ogg Vorbis file libsndfile wrote: every page gets `serial`
 * (libsndfile picks a random one, seeded by the clock), and the comment
 * header gains ISRC=isrc when isrc is set. */
bool tags_ogg_finish(const char *path, uint32_t serial, const char *isrc,
                     char *err, size_t errlen);

/* Puts an ID3v2.3 tag (TIT2, TPE1, TALB, TRCK, TSRC; Latin-1 text when it
 * is ASCII, else UTF-16) in front of an MP3 file. libsndfile's own tag is
 * ID3v1 only: 30 bytes a field and no ISRC. */
bool tags_mp3_add_id3v2(const char *path, const struct tag_set *t, char *err, size_t errlen);

/* Appends the same ID3v2.3 tag as an "id3 " chunk to a WAV file or an
 * "ID3 " chunk to an AIFF file, and updates the container's size: where
 * taggers (iTunes, Music, mutagen, foobar2000) look for album, track number
 * and ISRC, which WAV's LIST/INFO and AIFF's NAME/AUTH chunks lack. */
bool tags_chunk_add_id3(const char *path, const struct tag_set *t, char *err, size_t errlen);

/* Copies UTF-8 `src` into `dst` as Latin-1 (characters beyond it become
 * '?'), at most `max` bytes plus the terminator: what an ID3v1 field holds. */
void tags_latin1(char *dst, size_t max, const char *src);

/* A stable 32-bit number from a string (FNV-1a). */
uint32_t tags_hash(const char *s);

#endif
