/* SPDX-License-Identifier: MIT */
/* Atomic text files (textfile.h). */
#include "audio/textfile.h"

#include <stdlib.h>

#include "session/sessfile.h"

bool text_save(const char *path, text_writer write, void *ctx, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    char why[1024] = "";
    bool ok = write(f, ctx, why, sizeof why);
    if (fclose(f) != 0 && ok) {
        ok = false;
        snprintf(why, sizeof why, "out of memory");
    }
    if (!ok)
        snprintf(err, errlen, "%s: %s", path, why);
    else
        ok = file_write_atomic(path, buf, len, false, err, errlen);
    free(buf);
    return ok;
}
