/* SPDX-License-Identifier: MIT */
/* Reading a DDP 2.00 audio master (standards §1): DDPID, the DDPMS map, the
 * PQ descriptor, CD-Text and the image, as readers must: numbers padded
 * with spaces or zeros, ISRC on index 00 or 01, one or two lead-outs, a
 * trailing partial CD-Text pack ignored. The set is read-only: `ddp info`,
 * `ddp verify`, `ddp extract`, and later the console and `lathe play`,
 * which hear the image as the plant will press it. */
#ifndef LATHE_DDP_READ_H
#define LATHE_DDP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/cdtext.h"

#define DDP_SECTOR_FRAMES 588           /* stereo frames in a CD sector (1/75 s) */
#define DDP_SECTOR_BYTES 2352
#define DDP_RATE 44100
#define DDP_ID_BYTES 128
#define DDP_MS_BYTES 128
#define DDP_PQ_BYTES 64
#define DDP_MAX_SECTORS (100 * 4500 - 1)    /* 99:59:74, the last address */
#define DDP_MAX_TRACKS 99
#define DDP_MAX_INDEX 99
#define DDP_LEADOUT 0xAA                /* the lead-out's track number */
#define DDP_NAME_MAX 17                 /* a stream's file name (DSI) */

/* One DDPMS packet: a stream and its file. */
struct ddp_stream {
    char dst[3];            /* "D0" audio, "S0" subcode, ... */
    char sub[9];            /* "PQ DESCR", "CDTEXT", or "" */
    char cdm[3];            /* "DA" on the audio stream */
    char name[DDP_NAME_MAX + 1];
    bool name_ok;           /* a plain file name, safe to open in the folder */
    int64_t dsl;            /* sectors (D0) or bytes (S0); -1 when unreadable */
    int64_t dss;            /* start sector; 0 when blank */
    int pre2;               /* pregap sectors in the image; -1 when blank */
    int64_t file_bytes;     /* the file's size; -1 when it cannot be read */
};

/* One PQ descriptor packet. */
struct ddp_pq {
    int track;              /* 0 lead-in, 1..99, DDP_LEADOUT; -1 unreadable */
    int index;              /* -1 unreadable */
    int64_t sector;         /* from the image start; -1 unreadable */
    int control;            /* Q control nibble: 1 PRE, 2 DCP, 4 data, 8 4CH; -1 unreadable */
    bool scms;
    char isrc[13];          /* "" when blank */
    char upc[14];           /* "" when blank */
    char marker[5];         /* "VVVS" in a good packet */
};

struct ddp_track {
    int number;
    int64_t index0;         /* sector of index 00, or -1 */
    int64_t start;          /* index 01, or -1 when missing */
    int64_t index[DDP_MAX_INDEX - 1];   /* index 02.. */
    int nindex;
    int64_t next;           /* the next track's index 01, or the lead-out */
    char isrc[13];
    int control;
    bool scms;
};

/* A problem met while reading (kept so that `verify` can list it). */
struct ddp_note {
    char text[256];
};

struct ddp {
    char *dir;
    char level[9];          /* "DDP 2.00" */
    char upc[14];           /* DDPID's, trimmed */
    char master_id[49];
    char type[3];           /* "CD" */
    bool id_ok;             /* DDPID reads as a DDP identifier */
    int64_t id_bytes, ms_bytes;
    struct ddp_stream *streams;
    int nstreams;
    int image, pq, text;    /* index in streams, -1 when absent */
    struct ddp_pq *packets;
    int npackets;
    struct ddp_track *tracks;
    int ntracks;
    int64_t leadout;        /* sector, -1 when missing */
    int nleadout;
    char disc_upc[14];      /* the PQ's, else DDPID's */
    struct cdtext_disc cdtext;
    bool has_cdtext;
    struct ddp_note *notes;
    int nnotes;
    int fd;                 /* the image, -1 when it cannot be opened */
};

/* Reads the set in `dir`. Returns NULL with a message when the folder is
 * not a DDP: no DDPID or DDPMS, unreadable, or a DDPMS with no packet. Any
 * other damage is kept in `notes` and the rest is still read. */
struct ddp *ddp_open(const char *dir, char *err, size_t errlen);
void ddp_close(struct ddp *d);

/* Image sectors the map promises (D0 DSL), or -1. */
int64_t ddp_image_sectors(const struct ddp *d);
/* Reads up to `frames` stereo frames from image frame `frame` (sector n
 * starts at frame n x 588) as 16-bit samples, L then R. Returns the frames
 * read (fewer at the end of the file), or -1 with a message. */
int64_t ddp_read_pcm(const struct ddp *d, int64_t frame, int16_t *buf, int64_t frames,
                     char *err, size_t errlen);
/* A stream's file path in the folder, or "" when its name is unsafe. */
void ddp_stream_path(const struct ddp *d, const struct ddp_stream *st, char *buf, size_t len);
/* Formats a sector count as mm:ss:ff. */
#define DDP_MSF_LEN 24
void ddp_msf(int64_t sectors, char buf[DDP_MSF_LEN]);

#endif
