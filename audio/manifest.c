/* SPDX-License-Identifier: MIT */
/* MD5 checksums through libcrypto's EVP interface, and the manifest. */
#include "audio/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "session/sessfile.h"
#include "session/regfile.h"

bool manifest_md5_file(const char *path, char hex[33], char *err, size_t errlen)
{
    FILE *f = regfile_fopen(path, 0, err, errlen);
    if (!f)
        return false;
    /* Fetched, not EVP_md5(): a provider that lacks MD5 (FIPS) says so here. */
    EVP_MD *md = EVP_MD_fetch(NULL, "MD5", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = md && ctx && EVP_DigestInit_ex(ctx, md, NULL);
    if (!ok)
        snprintf(err, errlen, "%s: MD5 is not available from libcrypto", path);
    size_t bufsize = 1 << 16, got;
    unsigned char *buf = malloc(bufsize);
    if (ok && !buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        ok = false;
    }
    while (ok && (got = fread(buf, 1, bufsize, f)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, got);
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        ok = false;
    }
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (ok && (!EVP_DigestFinal_ex(ctx, sum, &len) || len != 16)) {
        snprintf(err, errlen, "%s: MD5 failed", path);
        ok = false;
    }
    for (unsigned int i = 0; ok && i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", sum[i]);
    free(buf);
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    fclose(f);
    return ok;
}

static bool name_ok(const char *name)
{
    if (!*name || name[0] == '/' || strpbrk(name, "\\\n\r"))
        return false;
    /* no ".." component: the manifest lists what is in dir */
    for (const char *p = name; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == name || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
            return false;
    return true;
}

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

bool manifest_write(const char *dir, const char *const *names, int n,
                    const char *manifest_name, char *err, size_t errlen)
{
    char *text = NULL, *path = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        snprintf(err, errlen, "%s: out of memory", dir);
        return false;
    }
    bool ok = name_ok(manifest_name);
    if (!ok)
        snprintf(err, errlen, "\"%s\": not a name for a manifest", manifest_name);
    for (int i = 0; ok && i < n; i++) {
        if (!name_ok(names[i])) {
            snprintf(err, errlen, "\"%s\": a manifest lists files in its folder by plain names",
                     names[i]);
            ok = false;
            break;
        }
        free(path);
        path = join(dir, names[i]);
        if (!path) {
            snprintf(err, errlen, "%s: out of memory", dir);
            ok = false;
            break;
        }
        char hex[33];
        ok = manifest_md5_file(path, hex, err, errlen);
        if (ok)
            fprintf(f, "%s  %s\n", hex, names[i]);
    }
    if (fclose(f) != 0 && ok) {
        snprintf(err, errlen, "%s: out of memory", dir);
        ok = false;
    }
    free(path);
    path = NULL;
    if (ok && !(path = join(dir, manifest_name))) {
        snprintf(err, errlen, "%s: out of memory", dir);
        ok = false;
    }
    if (ok)
        ok = file_write_atomic(path, text, len, false, err, errlen);
    free(path);
    free(text);
    return ok;
}
