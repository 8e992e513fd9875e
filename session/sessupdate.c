/* SPDX-License-Identifier: MIT */
/* Read-modify-writes of a session on behalf of other writers (see sessupdate.h). */
#include "session/sessupdate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/sessfile.h"
#include "session/sessguard.h"

bool session_bump_revision(const char *path, int revision, struct session_disk *before,
                           struct session_disk *after, char *err, size_t errlen)
{
    struct session_lock *lock = session_lock_take(path, SESSION_LOCK_WAIT_MS, err, errlen);
    if (!lock)
        return false;
    struct session *now = session_load(path, err, errlen);
    if (!now) {
        session_lock_release(lock);
        return false;
    }
    now->lock = lock;
    if (before)
        *before = now->disk;
    bool ok = true;
    if (now->album.revision < revision) {
        now->album.revision = revision;
        now->has_album = true;
        ok = session_save(now, path, err, errlen) == SAVE_OK;
    }
    if (after)
        *after = now->disk;
    session_free(now);
    return ok;
}

void session_side_path(const char *path, char *out, size_t len)
{
    size_t n = strlen(path);
    const char *ext = ".lathe";
    size_t elen = strlen(ext);
    if (n > elen && strcmp(path + n - elen, ext) == 0)
        snprintf(out, len, "%.*s.mine%s", (int)(n - elen), path, ext);
    else
        snprintf(out, len, "%s.mine", path);
}

enum session_save_result session_save_aside(struct session *s, char *err, size_t errlen)
{
    char side[4096];
    session_side_path(s->path ? s->path : "session.lathe", side, sizeof side);
    char *was_path = s->path;
    struct session_disk was_disk = s->disk;
    struct session_disk there;
    char *copy = strdup(side);
    if (!copy) {
        snprintf(err, errlen, "%s: out of memory", side);
        return SAVE_FAILED;
    }
    if (!session_disk_read(side, &there, err, errlen)) {
        free(copy);
        return SAVE_FAILED;
    }
    /* the side file is ours to replace: an older one is kept as its `~` */
    s->path = copy;
    s->disk = there;
    enum session_save_result r = session_save(s, side, err, errlen);
    if (r == SAVE_OK) {
        free(was_path);
    } else {
        free(copy);
        s->path = was_path;
        s->disk = was_disk;
    }
    return r;
}
