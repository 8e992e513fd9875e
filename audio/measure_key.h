/* SPDX-License-Identifier: MIT */
/* The keys measurements are cached under (measure_cache.h): text naming
 * everything that shapes the sound measured, so that an equal key means
 * equal figures. Each is one line with no tab.
 *
 * What is in a key is chosen by leaving out what cannot shape the sound
 * (CD-Text, codes, notes, index marks, the target and leveling mode, the
 * render revision) rather than by listing what can: a key the session
 * gains later (such as the album's `resampler`) is then in the keys at
 * once, and at worst a cached figure is measured again for nothing. */
#ifndef LATHE_MEASURE_KEY_H
#define LATHE_MEASURE_KEY_H

#include "session/model.h"
#include "session/timeline.h"

/* Every setting that shapes track i when it plays alone, as the console's
 * analysis measures it (rate, gain, trims, fades, its chain, the master
 * gain and chain; not the bypass switches). NULL when out of memory. */
char *measure_track_alone_key(const struct session *s, int i);

/* The album as the album stream plays it: the timeline's rate and every
 * placement on it, the [album] keys that shape sound, the master gain,
 * chain and bypass, and for each track its mix's content key
 * (content[i], from measure_content_key) and every key of its [track]
 * section that shapes sound, chain and bypass included. `what` names the
 * measurement (meter mode, ceiling). NULL when out of memory. */
char *measure_album_key(const struct session *s, const struct timeline *tl,
                        char *const *content, const char *what);

#endif
