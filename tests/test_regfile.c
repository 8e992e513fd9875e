/* SPDX-License-Identifier: MIT */
/* Tests of session/regfile: only regular files open, a FIFO without
 * waiting for a writer; a file's stamp tells when it was cut, rewritten or
 * replaced. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "session/regfile.h"
#include "tests/harness.h"

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(a_regular_file_opens_and_reads)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/plain", harness_tmpdir());
    put(path, "hello\n");
    struct stat st;
    int fd = regfile_open(path, 0, &st, err, sizeof err);
    CHECK_MSG(fd >= 0, "%s", err);
    char buf[16] = "";
    CHECK_EQ_INT(read(fd, buf, sizeof buf), 6);
    CHECK_EQ_INT(st.st_size, 6);
    CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));     /* blocking again for the reader */
    close(fd);
    FILE *f = regfile_fopen(path, 0, err, sizeof err);
    CHECK(f != NULL && fgets(buf, sizeof buf, f) && strcmp(buf, "hello\n") == 0);
    if (f)
        fclose(f);
}

/* A FIFO with no writer: the open returns at once, refused. */
TEST(a_fifo_is_refused_without_waiting)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/fifo", harness_tmpdir());
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_EQ_INT(regfile_open(path, 0, NULL, err, sizeof err), -1);
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_MSG(strstr(err, "fifo: not a regular file (a FIFO)") != NULL, "%s", err);
    CHECK(regfile_fopen(path, REGFILE_NOFOLLOW, err, sizeof err) == NULL);
    CHECK_EQ_INT(regfile_open("/dev/zero", 0, NULL, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "/dev/zero: not a regular file (a device)") != NULL, "%s", err);
    CHECK_EQ_INT(regfile_open(harness_tmpdir(), 0, NULL, err, sizeof err), -1);
    CHECK_EQ_INT(errno, EISDIR);
    CHECK_EQ_INT(regfile_open("/nonexistent/x", 0, NULL, err, sizeof err), -1);
    CHECK_EQ_INT(errno, ENOENT);
}

TEST(nofollow_refuses_a_symbolic_link)
{
    char path[512], link[512], err[512];
    snprintf(path, sizeof path, "%s/target", harness_tmpdir());
    snprintf(link, sizeof link, "%s/link", harness_tmpdir());
    put(path, "x");
    CHECK(symlink(path, link) == 0);
    int fd = regfile_open(link, 0, NULL, err, sizeof err);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK_EQ_INT(regfile_open(link, REGFILE_NOFOLLOW, NULL, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "link: a symbolic link") != NULL, "%s", err);
}

TEST(the_stamp_tells_a_cut_a_rewrite_and_a_replacement)
{
    char path[512], other[512], why[256], err[512];
    snprintf(path, sizeof path, "%s/mix", harness_tmpdir());
    snprintf(other, sizeof other, "%s/other", harness_tmpdir());
    put(path, "0123456789");
    struct stat st;
    int fd = regfile_open(path, 0, &st, err, sizeof err);
    CHECK(fd >= 0);
    close(fd);
    struct file_stamp was = regfile_stamp(&st);
    CHECK(regfile_unchanged(path, &was, why, sizeof why));
    /* the same size, written later */
    struct timeval later[2] = { { st.st_atim.tv_sec, 0 }, { st.st_mtim.tv_sec + 2, 0 } };
    CHECK(utimes(path, later) == 0);
    CHECK(!regfile_unchanged(path, &was, why, sizeof why));
    CHECK_MSG(strstr(why, "rewritten: same size") != NULL, "%s", why);
    CHECK(truncate(path, 4) == 0);
    CHECK(!regfile_unchanged(path, &was, why, sizeof why));
    CHECK_EQ_STR(why, "size 10 bytes -> 4 bytes");
    put(other, "0123456789");
    CHECK(rename(other, path) == 0);
    CHECK(!regfile_unchanged(path, &was, why, sizeof why));
    CHECK_EQ_STR(why, "replaced by another file");
    unlink(path);
    CHECK(!regfile_unchanged(path, &was, why, sizeof why));
    CHECK_EQ_STR(why, "deleted or moved away");
}
