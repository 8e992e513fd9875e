/* SPDX-License-Identifier: MIT */
/* The frame store (framecache.h). The file is made with mkstemp and
 * unlinked at once: only the descriptor holds it, so the kernel reclaims
 * it when the process ends, however it ends. It is read and written with
 * pread/pwrite (no shared offset, so workers can fill disjoint ranges at
 * once) and streamed, not mapped, so a 3 GB album does not count against
 * the process's resident memory. */
#include "audio/framecache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FRAME_BYTES ((int64_t)sizeof(double) * FRAMECACHE_CHANNELS)
/* Free space left to everyone else after the file is made. */
#define SPARE_BYTES ((int64_t)64 << 20)

struct framecache {
    int64_t frames;
    double *mem;            /* in memory, or NULL */
    int fd;                 /* the unlinked file, or -1 */
};

int64_t framecache_memory_limit(void)
{
    const char *v = getenv("LATHE_LEVEL_MEMORY");
    if (!v || !*v)
        return FRAMECACHE_MEMORY_DEFAULT;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    }
    if (errno || end == v || *end || n < 0 || n > (INT64_MAX >> 30))
        return -1;
    return (int64_t)n << shift;
}

/* A file for `bytes` in dir, unlinked; -1 with the reason in err. */
static int open_file(const char *dir, int64_t bytes, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/.lathe-level-XXXXXX", dir) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return -1;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot make a temporary file: %s", dir, strerror(errno));
        return -1;
    }
    unlink(path);
    struct statvfs st;
    if (fstatvfs(fd, &st) == 0 &&
        (int64_t)st.f_bavail * (int64_t)st.f_frsize < bytes + SPARE_BYTES) {
        snprintf(err, errlen, "%s: %.0f MB free, %.0f MB needed", dir,
                 (double)st.f_bavail * (double)st.f_frsize / 1e6, (double)(bytes + SPARE_BYTES) / 1e6);
        close(fd);
        return -1;
    }
    return fd;
}

struct framecache *framecache_new(int64_t frames, const char *fallback_dir, char *err,
                                  size_t errlen)
{
    int64_t limit = framecache_memory_limit();
    if (limit < 0) {
        snprintf(err, errlen, "LATHE_LEVEL_MEMORY \"%s\" — expected bytes like 512M",
                 getenv("LATHE_LEVEL_MEMORY"));
        return NULL;
    }
    if (frames < 0 || frames > INT64_MAX / FRAME_BYTES - SPARE_BYTES) {
        snprintf(err, errlen, "%lld frames cannot be held", (long long)frames);
        return NULL;
    }
    struct framecache *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->frames = frames;
    c->fd = -1;
    int64_t bytes = frames * FRAME_BYTES;
    if (bytes <= limit && (uint64_t)bytes <= SIZE_MAX) {
        c->mem = malloc((size_t)(bytes ? bytes : FRAME_BYTES));
        if (c->mem)
            return c;
    }
    const char *tmp = getenv("TMPDIR");
    char first[2048] = "";
    c->fd = open_file(tmp && *tmp ? tmp : "/tmp", bytes, first, sizeof first);
    if (c->fd < 0 && fallback_dir) {
        char second[2048];
        c->fd = open_file(fallback_dir, bytes, second, sizeof second);
        if (c->fd < 0)
            snprintf(err, errlen, "%s; %s", first, second);
    } else if (c->fd < 0) {
        snprintf(err, errlen, "%s", first);
    }
    if (c->fd < 0) {
        free(c);
        return NULL;
    }
    return c;
}

void framecache_free(struct framecache *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->mem);
    free(c);
}

bool framecache_write(struct framecache *c, int64_t pos, const double *buf, int n, char *err,
                      size_t errlen)
{
    if (pos < 0 || n < 0 || pos + n > c->frames) {
        snprintf(err, errlen, "frames %lld..%lld outside the cache", (long long)pos,
                 (long long)(pos + n));
        return false;
    }
    size_t bytes = (size_t)n * (size_t)FRAME_BYTES;
    if (c->mem) {
        memcpy(c->mem + pos * FRAMECACHE_CHANNELS, buf, bytes);
        return true;
    }
    const char *p = (const char *)buf;
    off_t at = (off_t)(pos * FRAME_BYTES);
    while (bytes > 0) {
        ssize_t w = pwrite(c->fd, p, bytes, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "temporary file: %s", w < 0 ? strerror(errno) : "disk full");
            return false;
        }
        p += w;
        at += w;
        bytes -= (size_t)w;
    }
    return true;
}

bool framecache_read(struct framecache *c, int64_t pos, double *buf, int n, char *err,
                     size_t errlen)
{
    int have = pos >= c->frames ? 0 : c->frames - pos < n ? (int)(c->frames - pos) : n;
    if (pos < 0 || n < 0) {
        snprintf(err, errlen, "frame %lld outside the cache", (long long)pos);
        return false;
    }
    memset(buf + (size_t)have * FRAMECACHE_CHANNELS, 0, (size_t)(n - have) * (size_t)FRAME_BYTES);
    size_t bytes = (size_t)have * (size_t)FRAME_BYTES;
    if (c->mem) {
        memcpy(buf, c->mem + pos * FRAMECACHE_CHANNELS, bytes);
        return true;
    }
    char *p = (char *)buf;
    off_t at = (off_t)(pos * FRAME_BYTES);
    while (bytes > 0) {
        ssize_t r = pread(c->fd, p, bytes, at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "temporary file: %s", r < 0 ? strerror(errno) : "cut short");
            return false;
        }
        p += r;
        at += r;
        bytes -= (size_t)r;
    }
    return true;
}

int64_t framecache_frames(const struct framecache *c)
{
    return c->frames;
}

bool framecache_on_disk(const struct framecache *c)
{
    return c->fd >= 0;
}
