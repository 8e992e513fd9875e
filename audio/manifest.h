/* SPDX-License-Identifier: MIT */
/* MD5 checksums of rendered files and the manifest that lists them, in
 * md5sum's text format (`<md5>  <name>`), which `md5sum -c` checks. */
#ifndef LATHE_MANIFEST_H
#define LATHE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

/* The MD5 of a file's bytes as 32 lower-case hex digits. On failure
 * returns false with `PATH: problem` in err. */
bool manifest_md5_file(const char *path, char hex[33], char *err, size_t errlen);

/* Writes `dir/manifest_name`, atomically (temporary file and rename): one
 * line `<md5>  <name>` per file `dir/<name>`, in the order given. Names
 * are relative to dir; absolute names, names with `..` and names holding
 * a backslash or a line break (which md5sum would escape) are refused. */
bool manifest_write(const char *dir, const char *const *names, int n,
                    const char *manifest_name, char *err, size_t errlen);

#endif
