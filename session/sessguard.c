/* SPDX-License-Identifier: MIT */
/* The session's writer lock and file identity (see sessguard.h). */
#include "session/sessguard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "session/regfile.h"

#define FNV_START 0xcbf29ce484222325ull

static uint64_t fnv1a(uint64_t h, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t session_disk_hash(const char *data, size_t len)
{
    return fnv1a(FNV_START, data, len);
}

bool session_disk_read(const char *path, struct session_disk *d, char *err, size_t errlen)
{
    *d = (struct session_disk){ 0 };
    int fd = regfile_open(path, 0, NULL, err, errlen);
    if (fd < 0)
        return errno == ENOENT;     /* a missing file is an answer, not an error */
    d->exists = true;
    uint64_t h = FNV_START;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            return false;
        }
        h = fnv1a(h, buf, (size_t)n);
        d->size += n;
    }
    close(fd);
    d->hash = h;
    return true;
}

bool session_disk_same(const struct session_disk *a, const struct session_disk *b)
{
    if (a->exists != b->exists)
        return false;
    return !a->exists || (a->hash == b->hash && a->size == b->size);
}

struct session_lock {
    int fd;
};

struct session_lock *session_lock_take(const char *path, int wait_ms, char *err, size_t errlen)
{
    /* a session reached through a link is locked where its file is, as
     * every writer saves there */
    struct stat st;
    char *real = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL) : NULL;
    const char *file = real ? real : path;
    const char *slash = strrchr(file, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == file)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    free(real);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open its folder %s (%s)", path, dir, strerror(errno));
        return NULL;
    }
    struct timespec nap = { 0, 10 * 1000 * 1000 };
    for (int waited = 0;; waited += 10) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(err, errlen, "%s: cannot lock its folder (%s)", path, strerror(errno));
            close(fd);
            return NULL;
        }
        if (waited >= wait_ms) {
            snprintf(err, errlen, "%s: another lathe has been saving in its folder for %d s; "
                     "nothing written — try again when it is done", path, wait_ms / 1000);
            close(fd);
            return NULL;
        }
        nanosleep(&nap, NULL);
    }
    struct session_lock *l = malloc(sizeof *l);
    if (!l) {
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    l->fd = fd;
    return l;
}

void session_lock_release(struct session_lock *l)
{
    if (!l)
        return;
    flock(l->fd, LOCK_UN);
    close(l->fd);
    free(l);
}
