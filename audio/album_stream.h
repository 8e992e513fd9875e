/* SPDX-License-Identifier: MIT */
/* The album as one stream: every track decoded, converted to the session
 * rate, trimmed, faded, gained and run through its chain, placed on the
 * timeline (gaps, crossfades), then the master gain and the master chain
 * running continuously over the whole album. Render and playback both read
 * the album through this module, so they hear the same samples.
 *
 * Output is stereo interleaved double at the session rate, aligned to the
 * timeline: frame k of the stream is album position k, whatever latency the
 * chains have. */
#ifndef LATHE_ALBUM_STREAM_H
#define LATHE_ALBUM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"
#include "session/timeline.h"

#define ALBUM_CHANNELS 2
#define ALBUM_MAX_BLOCK 4096

struct album_stream;

/* Where the tracks' mixes come from: session-rate stereo frames of each
 * track's audio, in order. */
struct album_source {
    void *ctx;
    /* Up to `frames` (<= ALBUM_MAX_BLOCK) frames of track `track` (0-based),
     * starting at track frame `pos` (which continues the previous call's
     * frames; the first call may start past 0, see album_stream_start_at);
     * fewer only once the mix is used up; -1 on failure, with a message in
     * err. Called on the thread that reads the album. */
    int (*read)(void *ctx, int track, int64_t pos, double *buf, int frames, char *err,
                size_t errlen);
    /* The album has done with the track (tracks are let go in order). */
    void (*close)(void *ctx, int track);
};

/* Builds every chain (the session's mixes must have been probed and the
 * timeline built from it); mixes are read from their files (mix_reader.h),
 * each opened when the album reaches it. On failure returns NULL with a
 * message. The session and timeline must outlive the album. */
struct album_stream *album_stream_new(const struct session *s, const struct timeline *tl,
                        char *err, size_t errlen);
/* The same, the mixes coming from `src` (copied). album_stream_read then
 * allocates, frees, locks and touches files only as src does: it may run
 * on an audio thread. */
struct album_stream *album_stream_new_source(const struct session *s, const struct timeline *tl,
                                             const struct album_source *src,
                                             char *err, size_t errlen);
void album_stream_free(struct album_stream *a);

/* Before the first read: the stream starts at album frame `pos` instead of
 * 0. Tracks that end before are skipped; a track under way starts at the
 * right frame of its audio with its chain cold, and so does the master: the
 * frames that follow settle into the album's sound, they are not the same
 * bits as a read from 0. */
void album_stream_start_at(struct album_stream *a, int64_t pos);

/* Writes the next `frames` (<= ALBUM_MAX_BLOCK) frames into buf. Returns the
 * frames written: `frames`, fewer at the album end, 0 after it, or -1 on a
 * read error (album_stream_error says which). Never allocates or frees
 * itself (audio thread, with a source that does not either). */
int album_stream_read(struct album_stream *a, double *buf, int frames);
/* Album position of the next frame album_stream_read returns. */
int64_t album_stream_position(const struct album_stream *a);
/* Total frames: the timeline's end. */
int64_t album_stream_length(const struct album_stream *a);
const char *album_stream_error(const struct album_stream *a);

/* Live changes. A set of chains (every track's and the master's, with the
 * track and master gains and bypass settings) is built off the audio
 * thread, handed to the thread that reads the album, taken there between
 * two reads and crossfaded into; the set it replaces comes back for the
 * builder to free. */
struct album_chains;

/* Builds the chains of `s` at the timeline's rate; NULL with a message. */
struct album_chains *album_chains_new(const struct session *s, const struct timeline *tl,
                                      char *err, size_t errlen);
void album_chains_free(struct album_chains *c);
/* Whether `c` can replace the album's chains: as many tracks, and every
 * chain with the latency of the one it replaces (so audio stays put).
 * Reads only what never changes: any thread. */
bool album_stream_chains_fit(const struct album_stream *a, const struct album_chains *c);
/* Audio thread: whether the last change has finished (ramp over, the set it
 * replaced taken back with album_stream_retired). */
bool album_stream_can_set_chains(const struct album_stream *a);
/* Audio thread, when album_stream_can_set_chains: from the next read the
 * album plays `next` (which it now owns and which must fit). Processors
 * whose kinds line up take over the state of the ones they replace; the
 * tracks under way and the master crossfade (equal gain) from the old
 * chains' output to the new ones' over `ramp` frames. */
void album_stream_set_chains(struct album_stream *a, struct album_chains *next, int ramp);
/* Audio thread: the set a finished change let go of (the caller frees it,
 * off the audio thread), or NULL. */
struct album_chains *album_stream_retired(struct album_stream *a);
/* Audio thread: gain reduction now, in dB >= 0, the largest among the
 * compressors (comp, multiband) and among the limiters of the master chain
 * and of track `track` (0-based; -1: the master only). */
void album_stream_gain_reduction(const struct album_stream *a, int track, double *comp,
                                 double *limit);

/* The album before the master chain (master gain and chain skipped), for
 * measurements such as leveling's. Call before the first album_stream_read. */
void album_stream_skip_master(struct album_stream *a, bool skip);

/* Where the master's input comes from when it is already known: the album
 * before the master chain (what a read with album_stream_skip_master gives)
 * over frames [pos, pos + frames), silence past the album end. Leveling
 * passes run the master from a cache of it. */
struct album_premaster {
    void *ctx;
    /* false on failure, with a message in err; called on the reading thread */
    bool (*read)(void *ctx, int64_t pos, double *buf, int frames, char *err, size_t errlen);
};

/* Before the first read: the master's input comes from `pm` (copied); the
 * tracks' mixes and chains are then never read. */
void album_stream_set_premaster(struct album_stream *a, const struct album_premaster *pm);

#endif
