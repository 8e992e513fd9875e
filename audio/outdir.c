/* SPDX-License-Identifier: MIT */
/* Which output folders a render may replace (outdir.h).
 *
 * A render replaces its output folder whole, so anything else under that
 * name would be lost: a user's folder that happens to share the output's
 * name, the folder the session itself lives in, a file. Only a folder that
 * carries the stamp is lathe's to replace, and not even then when the
 * session's own files have been put in it since. */
#define _GNU_SOURCE
#include "audio/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/fsutil.h"
#include "audio/mixprobe.h"

/* The stamp's first words: what a check reads. */
#define STAMP_HEAD "lathe render"

bool outdir_stamp(const char *dir, const char *output_name, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_STAMP);
    /* the folder is the render's own fresh one: O_EXCL only guards it */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char text[512];
    int n = snprintf(text, sizeof text,
                     STAMP_HEAD " made this folder for [output %s]; the next render of that "
                     "output replaces the whole folder. Keep nothing else in it.\n", output_name);
    bool ok = n > 0 && n < (int)sizeof text && write(fd, text, (size_t)n) == n;
    if (close(fd) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "%s: cannot write", path);
    return ok;
}

static bool has_stamp(const char *folder)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", folder, OUTDIR_STAMP);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    char head[sizeof STAMP_HEAD - 1];
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              read(fd, head, sizeof head) == (ssize_t)sizeof head &&
              memcmp(head, STAMP_HEAD, sizeof head) == 0;
    close(fd);
    return ok;
}

/* Whether `file` (or, when it does not exist yet, the folder it would be
 * made in) is inside `folder`. */
static bool holds(const char *folder, const char *file)
{
    if (fs_inside(file, folder))
        return true;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", file);
    char *slash = strrchr(parent, '/');
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == parent)
        parent[1] = 0;
    else
        *slash = 0;
    return fs_inside(parent, folder);
}

/* The first file of the session inside `folder`, or NULL. */
static const char *session_file_in(const struct session *s, const char *folder,
                                   char *buf, size_t len)
{
    if (s->path && holds(folder, s->path))
        return s->path;
    for (int i = 0; i < s->ntracks; i++) {
        if (!s->tracks[i].file)
            continue;
        mix_path(s, s->tracks[i].file, buf, len);
        if (holds(folder, buf))
            return buf;
    }
    for (int i = 0; i < s->nrefs; i++) {
        if (!s->refs[i].file)
            continue;
        mix_path(s, s->refs[i].file, buf, len);
        if (holds(folder, buf))
            return buf;
    }
    return NULL;
}

bool outdir_may_replace(const struct session *s, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return true;
        snprintf(err, errlen, "%s: %s (nothing written)", path, strerror(errno));
        return false;
    }
    const char *what = S_ISLNK(st.st_mode) ? "is a symbolic link"
                     : !S_ISDIR(st.st_mode) ? "is a file" : NULL;
    if (what) {
        snprintf(err, errlen, "%s exists and %s, not a folder lathe render made; move it away "
                 "or render to another folder with -o (nothing written)", path, what);
        return false;
    }
    char file[PATH_MAX];
    const char *inside = session_file_in(s, path, file, sizeof file);
    if (inside) {
        snprintf(err, errlen, "%s holds %s, which the session uses, and a render replaces the "
                 "whole folder; move it away or render to another folder with -o "
                 "(nothing written)", path, inside);
        return false;
    }
    if (!has_stamp(path)) {
        snprintf(err, errlen, "%s exists and was not made by lathe render (it has no "
                 OUTDIR_STAMP "); move it away or render to another folder with -o; if it is "
                 "an older lathe's render, delete it by hand (nothing written)", path);
        return false;
    }
    return true;
}
