/* SPDX-License-Identifier: MIT */
/* `lathe ddp verify`: every problem of a DDP set a plant would trip over,
 * one line each (standards §1, §2, §3). */
#ifndef LATHE_DDP_VERIFY_H
#define LATHE_DDP_VERIFY_H

#include <stdbool.h>

#include "audio/ddp_read.h"

/* Called once per finding; `warning` for what does not make the master
 * wrong (no checksum file to check against). */
typedef void (*ddp_problem_fn)(void *ctx, bool warning, const char *line);

/* Checks the set: what the reader noted; DDPID; the map against the files'
 * lengths; the checksum file (CHECKSUM.MD5 or another *.md5) against MD5s
 * of the files; the PQ (order, inside the image, tracks of at least 4 s,
 * a track-1 pregap of at least 2 s, the lead-out at the image's end, flags,
 * ISRC and UPC/EAN); CD-Text against the PQ. Returns the problems found
 * (warnings not counted). */
int ddp_verify(const struct ddp *d, ddp_problem_fn fn, void *ctx);

#endif
