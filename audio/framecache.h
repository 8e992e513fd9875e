/* SPDX-License-Identifier: MIT */
/* A store of stereo double frames that leveling fills once and reads on
 * every pass: in memory when small, otherwise in a temporary file that is
 * unlinked as soon as it is made, so nothing is left behind whatever way
 * the process ends (success, failure, SIGINT, SIGKILL). Double, never
 * float: the passes must see the bits the DSP made. */
#ifndef LATHE_FRAMECACHE_H
#define LATHE_FRAMECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAMECACHE_CHANNELS 2
/* Default most bytes kept in memory; LATHE_LEVEL_MEMORY (bytes, k/M/G)
 * overrides it, 0 always uses a file. */
#define FRAMECACHE_MEMORY_DEFAULT ((int64_t)256 << 20)

struct framecache;

/* Room for `frames` frames. Past the memory limit, a file in $TMPDIR (or
 * /tmp), else in `fallback_dir` (may be NULL), checked first for free
 * space. NULL with the reason in err when neither memory nor a file can
 * hold it. */
struct framecache *framecache_new(int64_t frames, const char *fallback_dir, char *err,
                                  size_t errlen);
void framecache_free(struct framecache *c);

/* Frames [pos, pos + n) from buf. Threads may write disjoint ranges at
 * once. False with a message on a write error. */
bool framecache_write(struct framecache *c, int64_t pos, const double *buf, int n, char *err,
                      size_t errlen);
/* Frames [pos, pos + n) into buf, silence past the end. False with a
 * message on a read error. */
bool framecache_read(struct framecache *c, int64_t pos, double *buf, int n, char *err,
                     size_t errlen);

int64_t framecache_frames(const struct framecache *c);
/* Whether it went to a file (for the report and the tests). */
bool framecache_on_disk(const struct framecache *c);
/* The most bytes kept in memory: LATHE_LEVEL_MEMORY or the default. */
int64_t framecache_memory_limit(void);

#endif
