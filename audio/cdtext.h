/* SPDX-License-Identifier: MIT */
/* CD-Text in its lead-in form (standards §2): 18-byte packs with CRCs and
 * the size information, encoded from UTF-8 text and decoded back to it.
 * The DDP writer, the DDP reader and `ddp verify` share it. */
#ifndef LATHE_CDTEXT_H
#define LATHE_CDTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"

#define CDTEXT_PACK_BYTES 18
#define CDTEXT_MAX_TRACKS 99
#define CDTEXT_MAX_TEXT_PACKS 253   /* 256 per block, less the 3 size packs */

enum cdtext_field { CDTEXT_TITLE, CDTEXT_PERFORMER, CDTEXT_SONGWRITER, CDTEXT_COMPOSER,
                    CDTEXT_ARRANGER, CDTEXT_MESSAGE, CDTEXT_NFIELDS };

/* The text of one disc (block 0): UTF-8 strings, NULL where unset (an empty
 * string reads as unset). text[0] is the disc, text[n] track n. */
struct cdtext_disc {
    int ntracks;                                        /* 1..99 */
    char *text[CDTEXT_MAX_TRACKS + 1][CDTEXT_NFIELDS];
    int genre;                                          /* 0: none; 1: not defined */
    char *genre_text;                                   /* supplementary text, or NULL */
};

/* Called once per problem the decoder finds (one line, no newline). */
typedef void (*cdtext_problem_fn)(void *ctx, const char *message);

/* CRC-16/CCITT of a pack's first 16 bytes, inverted, as stored big-endian
 * at bytes 16-17 (standards §2.5). */
uint16_t cdtext_crc(const uint8_t *bytes, size_t n);

/* "title", "performer", ... */
const char *cdtext_field_name(enum cdtext_field f);

/* The session's CD-Text: the album's and every track's fields, the genre
 * (its code and, as supplementary text, the session's spelling). A track
 * without a performer takes the album's, as the track file names do. */
bool cdtext_from_session(const struct session *s, struct cdtext_disc *d, char *err, size_t errlen);
/* No text and no genre: nothing to write. */
bool cdtext_is_empty(const struct cdtext_disc *d);
void cdtext_disc_free(struct cdtext_disc *d);

/* Encodes block 0 (ISO-8859-1, English) into *out (malloc'd, *len bytes,
 * a multiple of 18; NULL and 0 when the disc has no text). Refuses, with a
 * message naming the field and the track, text that Latin-1 cannot hold or
 * that carries control characters, and more than 253 text packs. */
bool cdtext_encode(const struct cdtext_disc *d, uint8_t **out, size_t *len,
                   char *err, size_t errlen);

/* Decodes block 0 of a pack file; a trailing partial pack is ignored. Every
 * CRC that does not hold, every inconsistency of the size information and
 * every malformed pack is passed to `problem` (may be NULL); the text is
 * still read. Returns false when the bytes hold no pack at all. */
bool cdtext_decode(const uint8_t *buf, size_t len, struct cdtext_disc *d,
                   cdtext_problem_fn problem, void *ctx);

#endif
