/* SPDX-License-Identifier: MIT */
/* What leveling's passes share: the part of the album that the gains being
 * searched for do not change, worked out once. Album leveling moves only
 * the master gain, so it keeps the album before the master (decoded,
 * converted, through the track chains, laid on the timeline) and a pass
 * runs just the master chain, the limiter and the meters. Track leveling
 * moves the gains in front of the track chains, so it keeps each track's
 * decoded, converted mix, read by two workers side by side. */
#ifndef LATHE_LEVEL_CACHE_H
#define LATHE_LEVEL_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "audio/measure.h"
#include "session/model.h"
#include "session/timeline.h"

enum level_cache_kind {
    LEVEL_CACHE_PREMASTER,      /* album leveling */
    LEVEL_CACHE_MIXES,          /* track leveling */
};

struct level_cache;

/* Reads the album once into the cache (memory or a temporary file, see
 * framecache.h; `dir` is where a file goes if $TMPDIR has no room, may be
 * NULL). NULL with a message on failure: *fatal is true when the album
 * itself could not be read (a mix), false when only the cache could not
 * be made and full passes can still do the work. */
struct level_cache *level_cache_build(const struct session *s, const struct timeline *tl,
                                      enum level_cache_kind kind, const char *dir,
                                      bool *fatal, char *err, size_t errlen);
void level_cache_free(struct level_cache *c);

/* The feed for measure_album_feed; valid while the cache lives. One pass
 * at a time reads it. */
const struct measure_feed *level_cache_feed(struct level_cache *c);
bool level_cache_on_disk(const struct level_cache *c);

#endif
