/* SPDX-License-Identifier: MIT */
/* Recovery files: written through the same atomic writer as sessions, so a
 * kill while autosaving leaves the previous autosave whole. */
#include "tui/recovery.h"

#include "session/regfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/sessfile.h"

void recovery_path(const char *session, char *out, size_t len)
{
    const char *slash = strrchr(session, '/');
    const char *base = slash ? slash + 1 : session;
    int dir = slash ? (int)(slash - session + 1) : 0;
    snprintf(out, len, "%.*s.%s.recover", dir, session, base);
}

bool recovery_write(const char *path, const char *text, char *err, size_t errlen)
{
    return file_write_atomic(path, text, strlen(text), false, err, errlen);
}

static char *slurp(const char *path, size_t *len)
{
    char err[4200];
    FILE *f = regfile_fopen(path, 0, err, sizeof err);     /* never wait on a FIFO */
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *b = cap <= 64u * 1024 * 1024 ? realloc(buf, cap) : NULL;
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

bool recovery_pending(const char *session, const char *recover)
{
    struct stat rs, ss;
    if (stat(recover, &rs) != 0 || !S_ISREG(rs.st_mode))
        return false;
    if (stat(session, &ss) != 0)
        return true;
    if (rs.st_mtim.tv_sec < ss.st_mtim.tv_sec ||
        (rs.st_mtim.tv_sec == ss.st_mtim.tv_sec && rs.st_mtim.tv_nsec < ss.st_mtim.tv_nsec))
        return false;
    size_t a = 0, b = 0;
    char *x = slurp(session, &a), *y = slurp(recover, &b);
    bool differ = !x || !y || a != b || memcmp(x, y, a) != 0;
    free(x);
    free(y);
    return differ;
}

void recovery_remove(const char *path)
{
    unlink(path);
}
