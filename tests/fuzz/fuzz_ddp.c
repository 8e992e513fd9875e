/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the DDP reader. An input is a DDP set: its files in
 * the order DDPID, DDPMS, PQDESCR, CDTEXT.BIN, IMAGE.DAT, CHECKSUM.MD5,
 * separated by the line "%%LATHE-DDP%%" (fewer pieces: the rest are
 * missing). The set is read, verified, described and extracted as
 * `lathe ddp verify|info|extract` do. */
#define _GNU_SOURCE     /* memmem */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/ddp_read.h"
#include "audio/ddp_verify.h"
#include "audio/fsutil.h"
#include "tui/cli.h"

#define SEPARATOR "\n%%LATHE-DDP%%\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = { "DDPID", "DDPMS", "PQDESCR", "CDTEXT.BIN", "IMAGE.DAT",
                                     "CHECKSUM.MD5" };
static char dir[256], out[300];

static void remove_dir(void)
{
    fs_remove_tree(dir);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/lathe-fuzz-ddp-%d", tmp, (int)getpid());
    snprintf(out, sizeof out, "%s/out", dir);
    fs_remove_tree(dir);
    if (mkdir(dir, 0700) != 0)
        abort();
    atexit(remove_dir);
}

static void put(const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, p + done, n - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    close(fd);
}

static void on_problem(void *ctx, bool warning, const char *line)
{
    (void)ctx;
    (void)warning;
    if (!line[0])
        abort();        /* a finding says what it is */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    fs_remove_tree(out);
    size_t at = 0, seplen = strlen(SEPARATOR);
    for (size_t i = 0; i < sizeof files / sizeof files[0] && at <= size; i++) {
        const uint8_t *end = memmem(data + at, size - at, SEPARATOR, seplen);
        size_t n = end ? (size_t)(end - (data + at)) : size - at;
        put(files[i], data + at, n);
        if (!end)
            break;
        at += n + seplen;
    }
    char err[1024];
    struct ddp *d = ddp_open(dir, err, sizeof err);
    if (!d) {
        if (!err[0])
            abort();
        return 0;
    }
    ddp_verify(d, on_problem, NULL);
    int16_t pcm[2 * 588];
    for (int64_t sector = 0; sector < 4; sector++)
        if (ddp_read_pcm(d, sector * 588, pcm, 588, err, sizeof err) < 0)
            break;
    ddp_close(d);
    char *info[] = { "ddp", "info", dir, "--json", NULL };
    cli_ddp(4, info);
    char *text[] = { "ddp", "info", dir, NULL };
    cli_ddp(3, text);
    char *extract[] = { "ddp", "extract", dir, "-o", out, NULL };
    cli_ddp(5, extract);
    return 0;
}
