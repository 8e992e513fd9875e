/* SPDX-License-Identifier: MIT */
/* The console analysis's cache file, `.NAME.cache` beside the session
 * NAME: a text file of results, each filed under the mix's content key
 * and, for a track as the album plays it, the text of its settings. A
 * line that does not read is skipped and a file of another version is
 * ignored: the cache is only ever a shortcut. */
#ifndef LATHE_ANALYSIS_CACHE_H
#define LATHE_ANALYSIS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dsp/loudness.h"
#include "session/model.h"

struct analysis_cache_entry {
    char *key;              /* content, or content TAB settings */
    bool processed;
    struct loudness_result r;
};

/* Zeroed: empty. */
struct analysis_cache {
    struct analysis_cache_entry *items;
    int n, cap;
};

/* The cache file of a session path. */
void analysis_cache_path(const char *session_path, char *out, size_t len);
/* Adds the results of the file at `path` (none when it cannot be read). */
void analysis_cache_load(struct analysis_cache *c, const char *path);
bool analysis_cache_add(struct analysis_cache *c, bool processed, const char *key,
                        const struct loudness_result *r);
/* The latest entry of that kind and key, or NULL. */
const struct analysis_cache_entry *analysis_cache_find(const struct analysis_cache *c,
                                                       bool processed, const char *key);
void analysis_cache_free(struct analysis_cache *c);

/* Writing a file: the header, then a line per result (`settings` NULL for
 * a mix's). */
void analysis_cache_header(FILE *f);
void analysis_cache_line(FILE *f, const char *content, const char *settings,
                         const struct loudness_result *r);

/* A mix's content key: its size, modification time and an FNV-1a hash of
 * its first and last MiB (not the whole file: reading a whole album at
 * every start is what the cache is there to save; an edited or replaced
 * mix changes its size, its time or its ends). False when it cannot be
 * read. */
#define ANALYSIS_CONTENT_KEY_MAX 128
bool analysis_content_key(const char *path, char *out, size_t len);
/* Every setting that shapes track i when it plays alone (rate, gain,
 * trims, fades, its chain, the master gain and chain; not the bypass
 * switches), as one line with no tab; NULL when out of memory. */
char *analysis_settings_text(const struct session *s, int i);

#endif
