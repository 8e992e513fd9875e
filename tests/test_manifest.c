/* SPDX-License-Identifier: MIT */
/* Tests of audio/manifest: MD5 against published vectors and md5sum, and
 * the manifest checked by `md5sum -c`. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "audio/manifest.h"
#include "tests/harness.h"

static void put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_EQ_INT(fwrite(data, 1, len, f), len);
        fclose(f);
    }
}

static const char *md5_of(const char *name, char hex[33])
{
    char path[512], err[256] = "";
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    hex[0] = 0;
    CHECK_MSG(manifest_md5_file(path, hex, err, sizeof err), "%s", err);
    return hex;
}

TEST(md5_of_published_vectors)
{
    const char *dir = harness_tmpdir();
    char hex[33];
    put(dir, "abc", "abc", 3);
    put(dir, "empty", "", 0);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    put(dir, "fox", fox, strlen(fox));
    /* RFC 1321's test suite, and the well-known pangram */
    CHECK_EQ_STR(md5_of("abc", hex), "900150983cd24fb0d6963f7d28e17f72");
    CHECK_EQ_STR(md5_of("empty", hex), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_EQ_STR(md5_of("fox", hex), "9e107d9d372bb6826bd81d3542a419d6");
    char err[256] = "";
    CHECK(!manifest_md5_file("/nonexistent/file", hex, err, sizeof err));
    CHECK_MSG(strstr(err, "/nonexistent/file: No such file"), "%s", err);
}

/* A file larger than the read buffer, checked against coreutils' md5sum. */
TEST(md5_of_a_large_file_matches_md5sum)
{
    const char *dir = harness_tmpdir();
    size_t n = 3 * 65536 + 1234;
    unsigned char *data = malloc(n);
    CHECK(data != NULL);
    if (!data)
        return;
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        data[i] = (unsigned char)(x >> 24);
    }
    put(dir, "large.bin", data, n);
    free(data);
    char hex[33], cmd[1024], want[64] = "";
    md5_of("large.bin", hex);
    snprintf(cmd, sizeof cmd, "md5sum '%s/large.bin'", dir);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (p) {
        CHECK(fscanf(p, "%32s", want) == 1);
        CHECK_EQ_INT(pclose(p), 0);
    }
    CHECK_EQ_STR(hex, want);
}

static int md5sum_check(const char *dir, const char *manifest, char *out, size_t outlen)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && md5sum -c --strict '%s' 2>&1", dir, manifest);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = 0;
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0);
    if (d)
        closedir(d);
    return n;
}

TEST(md5sum_accepts_the_manifest)
{
    char dir[512], err[512] = "", out[2048];
    snprintf(dir, sizeof dir, "%s/render", harness_tmpdir());
    mkdir(dir, 0755);
    mkdir(strcat(strcpy(out, dir), "/cd"), 0755);
    put(dir, "album.wav", "RIFF....WAVEdata", 16);
    put(dir, "album.cue", "FILE \"album.wav\" WAVE\n", 22);
    put(dir, "01 Intro.flac", "fLaC", 4);
    put(dir, "cd/IMAGE.DAT", "\0\0\1\1", 4);
    const char *names[] = { "album.wav", "album.cue", "01 Intro.flac", "cd/IMAGE.DAT" };
    CHECK_MSG(manifest_write(dir, names, 4, "MD5SUMS", err, sizeof err), "%s", err);
    CHECK_EQ_INT(count_entries(dir), 5);        /* 4 entries + MD5SUMS, no temporary file */
    CHECK_EQ_INT(md5sum_check(dir, "MD5SUMS", out, sizeof out), 0);
    CHECK_EQ_STR(out, "album.wav: OK\nalbum.cue: OK\n01 Intro.flac: OK\ncd/IMAGE.DAT: OK\n");
    char path[600], line[128], want[128], hex[33];
    snprintf(path, sizeof path, "%s/MD5SUMS", dir);
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    md5_of("render/album.wav", hex);
    snprintf(want, sizeof want, "%s  album.wav\n", hex);
    CHECK_EQ_STR(line, want);

    /* a changed file fails the check: the manifest is real */
    put(dir, "album.cue", "FILE \"album.wav\" WAVE\r\n", 23);
    CHECK_EQ_INT(md5sum_check(dir, "MD5SUMS", out, sizeof out), 1);
    CHECK_MSG(strstr(out, "album.cue: FAILED"), "%s", out);

    /* rewriting replaces the manifest */
    CHECK_MSG(manifest_write(dir, names, 4, "MD5SUMS", err, sizeof err), "%s", err);
    CHECK_EQ_INT(md5sum_check(dir, "MD5SUMS", out, sizeof out), 0);
}

TEST(manifest_refuses_names_md5sum_would_mangle)
{
    char err[512] = "";
    const char *dir = harness_tmpdir();
    put(dir, "ok.wav", "x", 1);
    const char *bad[] = { "/etc/passwd", "../x", "a/../../x", "back\\slash", "new\nline", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *names[] = { "ok.wav", bad[i] };
        CHECK_MSG(!manifest_write(dir, names, 2, "SUMS", err, sizeof err), "%s accepted", bad[i]);
    }
    const char *names[] = { "ok.wav", "missing.wav" };
    CHECK(!manifest_write(dir, names, 2, "SUMS", err, sizeof err));
    CHECK_MSG(strstr(err, "missing.wav: No such file"), "%s", err);
    char path[600];
    snprintf(path, sizeof path, "%s/SUMS", dir);
    struct stat st;
    CHECK(stat(path, &st) != 0);                /* nothing written on failure */
    const char *fine[] = { "ok.wav", "..hidden" };
    put(dir, "..hidden", "y", 1);
    CHECK_MSG(manifest_write(dir, fine, 2, "SUMS", err, sizeof err), "%s", err);
}
