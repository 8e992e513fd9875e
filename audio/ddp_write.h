/* SPDX-License-Identifier: MIT */
/* The DDP 2.00 production master as a sink (standards §1): IMAGE.DAT is
 * written as the blocks arrive; at the end come DDPID, DDPMS, PQDESCR,
 * CDTEXT.BIN (when the album has CD-Text), the PQ sheet PQ.TXT
 * (audio/pqsheet.h) and CHECKSUM.MD5 over all of them. */
#ifndef LATHE_DDP_WRITE_H
#define LATHE_DDP_WRITE_H

#include <stddef.h>

#include "audio/sink.h"

#define DDP_FILE_ID "DDPID"
#define DDP_FILE_MAP "DDPMS"
#define DDP_FILE_PQ "PQDESCR"
#define DDP_FILE_TEXT "CDTEXT.BIN"
#define DDP_FILE_IMAGE "IMAGE.DAT"
#define DDP_FILE_SHEET "PQ.TXT"
#define DDP_FILE_MD5 "CHECKSUM.MD5"

/* A DDP sink for the output described by `c`. Everything the plant would
 * refuse is refused here, before any audio is rendered, with one message:
 * a format other than 44.1 kHz 16-bit stereo, no tracks or more than 99,
 * a track under 4 s, a track-1 pregap under 2 s, marks out of order, an
 * album past 99:59:74, a malformed ISRC or UPC/EAN (or a wrong check
 * digit), CD-Text that Latin-1 cannot hold or that needs over 253 packs.
 *
 * The PQ follows the session's timeline: index 00 where a track has a gap
 * (track 1 always), 01, then 02...; ISRC on the 00 and 01 packets; copy and
 * emphasis as the DCP and PRE flags; the lead-out twice. The master ID
 * (DDPID) is the session file's name without its extension.
 *
 * Files are written under temporary names and renamed when complete.
 * As with the file sinks, `destroy` frees the state and removes the
 * temporary files of an unfinished master; the caller frees the returned
 * struct sink itself. */
struct sink *ddp_sink_new(const struct sink_context *c, char *err, size_t errlen);
/* Whether ddp_sink_new would accept the output, from the session alone
 * (rate, marks, codes, CD-Text); writes nothing. `c->dir` may be "". */
bool ddp_sink_check(const struct sink_context *c, char *err, size_t errlen);

#endif
