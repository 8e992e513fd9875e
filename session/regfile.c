/* SPDX-License-Identifier: MIT */
/* Opening only regular files for reading (see regfile.h). */
#include "session/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

int regfile_open(const char *path, int flags, struct stat *st, char *err, size_t errlen)
{
    int oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    if (flags & REGFILE_NOFOLLOW)
        oflags |= O_NOFOLLOW;
    int fd = open(path, oflags);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP && (flags & REGFILE_NOFOLLOW))
            snprintf(err, errlen, "%s: a symbolic link, not a file lathe wrote", path);
        else
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    struct stat mine;
    struct stat *s = st ? st : &mine;
    int e = 0;
    if (fstat(fd, s) != 0) {
        e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
    } else if (S_ISDIR(s->st_mode)) {
        e = EISDIR;
        snprintf(err, errlen, "%s: is a folder", path);
    } else if (!S_ISREG(s->st_mode)) {
        e = EINVAL;
        snprintf(err, errlen, "%s: not a regular file (%s)", path, kind(s->st_mode));
    } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
    }
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *regfile_fopen(const char *path, int flags, char *err, size_t errlen)
{
    int fd = regfile_open(path, flags, NULL, err, errlen);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        close(fd);
        errno = e;
    }
    return f;
}

struct file_stamp regfile_stamp(const struct stat *st)
{
    return (struct file_stamp){
        .dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino, .size = (int64_t)st->st_size,
        .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
    };
}

/* Sizes as a person reads them: bytes, then kB and MB with a decimal that
 * keeps two different sizes from reading the same. */
static void size_text(int64_t n, char *out, size_t len)
{
    if (n < 10000)
        snprintf(out, len, "%lld bytes", (long long)n);
    else if (n < 10000000)
        snprintf(out, len, "%.1f kB", n / 1e3);
    else
        snprintf(out, len, "%.1f MB", n / 1e6);
}

bool regfile_unchanged(const char *path, const struct file_stamp *was, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            snprintf(why, len, "deleted or moved away");
        else
            snprintf(why, len, "cannot be read: %s", strerror(errno));
        return false;
    }
    struct file_stamp now = regfile_stamp(&st);
    if (now.dev != was->dev || now.ino != was->ino) {
        snprintf(why, len, "replaced by another file");
        return false;
    }
    if (now.size != was->size) {
        char a[32], b[32];
        size_text(was->size, a, sizeof a);
        size_text(now.size, b, sizeof b);
        if (strcmp(a, b) == 0) {
            snprintf(a, sizeof a, "%lld bytes", (long long)was->size);
            snprintf(b, sizeof b, "%lld bytes", (long long)now.size);
        }
        snprintf(why, len, "size %s -> %s", a, b);
        return false;
    }
    if (now.mtime_ns != was->mtime_ns) {
        snprintf(why, len, "rewritten: same size, modified %.1f s %s",
                 llabs(now.mtime_ns - was->mtime_ns) / 1e9,
                 now.mtime_ns > was->mtime_ns ? "later" : "earlier");
        return false;
    }
    return true;
}
