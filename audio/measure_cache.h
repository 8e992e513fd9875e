/* SPDX-License-Identifier: MIT */
/* The measurement cache, `.NAME.cache` beside the session NAME, shared by
 * the console's background analysis and every command (check, analyze
 * --tonal, check --platforms): results filed by kind and key, where the
 * key names everything the result depends on (measure_key.h).
 *
 * The file is only ever a shortcut, so it is read defensively: only a
 * regular file, at most MEASURE_CACHE_MAX_BYTES of it, and a line that
 * does not end in its own checksum (cut, edited, garbage) is skipped. A
 * file written by another build of lathe is ignored whole: its figures
 * may come from other DSP code. It is written atomically (temporary file,
 * rename) after merging what is on disk, so two commands running at once
 * leave a valid file holding one writer's entries or both; a folder that
 * cannot be written just means no cache. */
#ifndef LATHE_MEASURE_CACHE_H
#define LATHE_MEASURE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "dsp/loudness.h"

/* Bytes read from a cache file and kept when writing one: about 10,000
 * tracks' worth of results, and a hostile file costs no more than that. */
#define MEASURE_CACHE_MAX_BYTES (4 << 20)

struct measure_cache_entry {
    char *kind;             /* "mix", "proc", "intake", "album", "tonal", ... */
    char *key;              /* no tab or newline */
    char *value;            /* no newline */
};

/* Zeroed: empty. Entries are in age order, the newest last. */
struct measure_cache {
    struct measure_cache_entry *items;
    int n, cap;
    size_t bytes;           /* of the lines the entries make */
};

/* The cache file of a session path: "DIR/.NAME.cache". */
void measure_cache_path(const char *session_path, char *out, size_t len);
/* Adds the entries of the file at `path` (none when it cannot be read). */
void measure_cache_load(struct measure_cache *c, const char *path);
/* The newest value of that kind and key, or NULL. */
const char *measure_cache_get(const struct measure_cache *c, const char *kind, const char *key);
/* Files a value (the older one of that kind and key goes); tabs and
 * newlines in the key become spaces. False when out of memory. */
bool measure_cache_put(struct measure_cache *c, const char *kind, const char *key,
                       const char *value);
/* Writes the file atomically: what is on disk now, then the entries of
 * `c` over it, the oldest dropped past MEASURE_CACHE_MAX_BYTES. False with
 * a message when it cannot be written (a read-only folder). */
bool measure_cache_save(const struct measure_cache *c, const char *path, char *err,
                        size_t errlen);
void measure_cache_free(struct measure_cache *c);

/* A loudness result as text (%.17g: it reads back to the same bits) and
 * back; parse returns the end of what it read, or NULL. */
#define MEASURE_RESULT_MAX (40 * (8 + 2 * LOUDNESS_MAX_CHANNELS))
void measure_result_format(char *buf, size_t len, const struct loudness_result *r);
const char *measure_result_parse(const char *s, struct loudness_result *r);

/* A mix's content key: its size, modification time and an FNV-1a hash of
 * its first and last MiB (not the whole file: reading a whole album at
 * every start is what the cache is there to save; an edited or replaced
 * mix changes its size, its time or its ends). False when it cannot be
 * read. */
#define MEASURE_CONTENT_KEY_MAX 128
bool measure_content_key(const char *path, char *out, size_t len);

#endif
