/* SPDX-License-Identifier: MIT */
/* Saving a session: under the writer's lock, and only over the file it
 * was read from (see sesssave.h). */
#include "session/sesssave.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/atomicfile.h"
#include "session/limits.h"
#include "session/sessfile.h"

/* The file a save writes: the target of a symbolic link, so that saving
 * through a link keeps the link and updates what it points at. */
static bool save_target(const char *path, char *target, size_t len, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
        snprintf(target, len, "%s", path);
        return true;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        snprintf(err, errlen, "%s: a link to %s (%s); not saved", path,
                 errno == ENOENT ? "a missing file" : "a file that cannot be reached",
                 strerror(errno));
        return false;
    }
    bool fits = strlen(real) < len;
    if (fits)
        snprintf(target, len, "%s", real);
    else
        snprintf(err, errlen, "%s: the link's target path is too long; not saved", path);
    free(real);
    return fits;
}

enum session_save_result session_save_within(struct session *s, const char *path, int wait_ms,
                                             char *err, size_t errlen)
{
    char target[4096];
    if (!save_target(path, target, sizeof target, err, errlen))
        return SAVE_FAILED;
    struct session_lock *lock = s->lock;
    if (!lock && !(lock = session_lock_take(target, wait_ms, err, errlen)))
        return SAVE_FAILED;
    enum session_save_result result = SAVE_FAILED;
    struct stat st;
    struct session_disk now;
    char *text = NULL;
    if (stat(target, &st) == 0 && S_ISREG(st.st_mode) &&
        ((st.st_mode & 0222) == 0 || access(target, W_OK) != 0)) {
        /* root may write anyway; a file made read-only says "keep me" */
        snprintf(err, errlen, "%s: the file is read-only; not saved (make it writable with "
                 "chmod u+w, or keep it and work on a copy)", path);
        goto out;
    }
    if (!session_disk_read(target, &now, err, errlen))
        goto out;
    if (!session_disk_same(&now, &s->disk)) {
        snprintf(err, errlen, "%s: %s on disk since lathe read it (another lathe or an editor "
                 "wrote it); not saved, so nothing of theirs is lost", path,
                 s->disk.exists ? (now.exists ? "changed" : "removed") : "created");
        result = SAVE_CONFLICT;
        goto out;
    }
    if (!(text = session_format(s))) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    size_t len = strlen(text);
    if (len > SESSION_MAX_BYTES) {      /* the reader would refuse it */
        snprintf(err, errlen, "%s: not saved: the session would be %zu bytes, more than the "
                 "%d a session file may hold (remove notes or comments)", path, len,
                 SESSION_MAX_BYTES);
        goto out;
    }
    if (file_write_atomic(target, text, len, true, err, errlen)) {
        s->disk = (struct session_disk){ true, session_disk_hash(text, len), (int64_t)len };
        result = SAVE_OK;
    }
out:
    free(text);
    if (lock != s->lock)
        session_lock_release(lock);
    return result;
}

enum session_save_result session_save(struct session *s, const char *path, char *err,
                                      size_t errlen)
{
    return session_save_within(s, path, SESSION_LOCK_WAIT_MS, err, errlen);
}
