/* SPDX-License-Identifier: MIT */
/* The mixes on their way from the playback engine's reader thread to its
 * audio thread: one lock-free SPSC ring of session-rate stereo frames per
 * track slot, a few slots reused in turn, and the album stream's source
 * (album_stream.h) that reads them. */
#ifndef LATHE_MIX_FEED_H
#define LATHE_MIX_FEED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/album_stream.h"
#include "session/model.h"
#include "session/timeline.h"

struct mix_feed;

/* For an album stream that starts at album frame `from` (tracks ended by
 * then are never opened). `stop`, set by any thread, ends every wait.
 * NULL when out of memory. */
struct mix_feed *mix_feed_new(const struct session *s, const struct timeline *tl, int64_t from,
                              const atomic_bool *stop);
/* After both threads have ended; NULL does nothing. */
void mix_feed_free(struct mix_feed *f);

/* The album stream's source. Its read is for the audio thread: it takes
 * frames from the rings, waiting (1 ms sleeps, counted by
 * mix_feed_starved) while one is short; it allocates nothing. In direct
 * mode it is for the reader thread, which then reads the mixes itself. */
struct album_source mix_feed_source(struct mix_feed *f);
/* Reader thread: on while the reader reads the album itself (the engine's
 * fast-forward); the mixes it opened then go on into the rings. */
void mix_feed_direct(struct mix_feed *f, bool on);

/* Reader thread: keeps every ring topped up, opening mixes as slots free,
 * until every mix is in a ring or stop. Sets *primed once the rings are
 * full for a start. False with a message when a mix cannot be read (the
 * source's waits then end with an error). */
bool mix_feed_run(struct mix_feed *f, atomic_bool *primed, char *err, size_t errlen);

/* Times the audio thread found a ring short; any thread. */
int mix_feed_starved(const struct mix_feed *f);

#endif
