/* SPDX-License-Identifier: MIT */
/* Atomic file writes (see atomicfile.h). */
#define _GNU_SOURCE             /* renameat2 */
#include "session/atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    char chunk[65536];
    size_t n;
    while (out && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            break;
    if (out)
        fclose(out);
    if (in)
        fclose(in);
}

/* Removes the temporary files that killed writers of `base` in `dir` left
 * (".BASE.PID." and mkstemp's six random characters, of a PID that no
 * longer runs); a live writer's stays. */
static void remove_dead_temporaries(const char *dir, const char *base)
{
    DIR *d = opendir(*dir ? dir : ".");
    if (!d)
        return;
    size_t blen = strlen(base);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (n[0] != '.' || strncmp(n + 1, base, blen) != 0 || n[1 + blen] != '.')
            continue;
        char *end;
        long pid = strtol(n + 2 + blen, &end, 10);
        if (end == n + 2 + blen || *end != '.' || strlen(end + 1) != 6 || pid <= 0 ||
            pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char full[4096];
        if (snprintf(full, sizeof full, "%s%s", dir, n) < (int)sizeof full)
            unlink(full);
    }
    closedir(d);
}

/* Moves the finished temporary to its name; with `noreplace`, only where
 * nothing is at that name yet (EEXIST otherwise). */
static int put_in_place(const char *tmp, const char *path, bool noreplace)
{
    if (!noreplace)
        return rename(tmp, path);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* a file system without RENAME_NOREPLACE: link(2) never replaces */
    if (link(tmp, path) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

static bool write_atomic(const char *path, const char *data, size_t len, bool backup,
                         bool noreplace, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    char *bak = malloc(plen + 2);
    if (!tmp || !bak) {
        free(tmp);
        free(bak);
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    /* The temporary file sits in the same folder, so rename is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    /* named by our pid, so that the next writer can tell a killed one's
     * leftover from a live one's */
    snprintf(tmp, plen + 32, "%.*s.%s.%ld.XXXXXX", (int)dirlen, path, path + dirlen,
             (long)getpid());
    {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)dirlen, path);
        remove_dead_temporaries(dir, path + dirlen);
    }
    snprintf(bak, plen + 2, "%s~", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write in its folder (%s)", path, strerror(errno));
        free(tmp);
        free(bak);
        return false;
    }
    bool ok = true;
    const char *what = "";
    size_t done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ok = false;
            what = "write";
        } else {
            done += (size_t)w;
        }
    }
    struct stat st;
    if (ok && stat(path, &st) == 0)     /* keep the mode of the file it replaces */
        fchmod(fd, st.st_mode & 07777);
    else if (ok)
        fchmod(fd, 0644);
    if (ok && fsync(fd) != 0) {
        ok = false;
        what = "fsync";
    }
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        what = "close";
        saved = errno;
    }
    if (ok && backup && access(path, F_OK) == 0) {
        unlink(bak);
        if (link(path, bak) != 0)
            copy_file(path, bak);   /* a file system without hard links */
    }
    if (ok && put_in_place(tmp, path, noreplace) != 0) {
        ok = false;
        what = "rename";
        saved = errno;
    }
    if (!ok && noreplace && saved == EEXIST) {
        snprintf(err, errlen, "%s: already exists (made meanwhile by another writer); "
                 "not replaced", path);
        unlink(tmp);
        errno = EEXIST;         /* for the caller: bad input, not a write failure */
    } else if (!ok) {
        snprintf(err, errlen, "%s: cannot save (%s: %s); the file on disk is unchanged", path,
                 what, strerror(saved));
        unlink(tmp);
    } else if (dirlen) {
        /* make the rename itself durable */
        char *dir = strndup(path, dirlen);
        int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    } else {
        int dfd = open(".", O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    free(bak);
    return ok;
}

bool file_write_atomic(const char *path, const char *data, size_t len, bool backup,
                       char *err, size_t errlen)
{
    return write_atomic(path, data, len, backup, false, err, errlen);
}

bool file_create_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    return write_atomic(path, data, len, false, true, err, errlen);
}
