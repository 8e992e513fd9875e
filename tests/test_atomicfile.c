/* SPDX-License-Identifier: MIT */
/* Tests of atomic file writes: the new text in place, the old one kept,
 * and killed writers' temporaries cleaned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session/atomicfile.h"
#include "tests/harness.h"

TEST(a_write_replaces_the_file_and_keeps_the_old_one_as_backup)
{
    char path[512], bak[520], err[256], got[64] = "";
    snprintf(path, sizeof path, "%s/w.txt", harness_tmpdir());
    snprintf(bak, sizeof bak, "%s~", path);
    CHECK_MSG(file_write_atomic(path, "one\n", 4, true, err, sizeof err), "%s", err);
    CHECK_MSG(file_write_atomic(path, "two\n", 4, true, err, sizeof err), "%s", err);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(got, sizeof got, f))
            got[0] = 0;
        fclose(f);
    }
    CHECK_EQ_STR(got, "two\n");
    f = fopen(bak, "r");
    got[0] = 0;
    if (f) {
        if (!fgets(got, sizeof got, f))
            got[0] = 0;
        fclose(f);
    }
    CHECK_EQ_STR(got, "one\n");
}

TEST(a_write_into_a_missing_folder_says_so_and_writes_nothing)
{
    char path[512], err[256] = "";
    snprintf(path, sizeof path, "%s/no/such/w.txt", harness_tmpdir());
    CHECK(!file_write_atomic(path, "x", 1, false, err, sizeof err));
    CHECK_MSG(strstr(err, path) != NULL, "message: %s", err);
}

/* A file named as a writer's temporary, in `dir`, for pid `pid`. */
static void make_temporary(char *out, size_t len, const char *dir, long pid)
{
    snprintf(out, len, "%s/.t.lathe.%ld.AbC123", dir, pid);
    FILE *f = fopen(out, "w");
    if (f)
        fclose(f);
}

TEST(a_save_removes_the_temporaries_of_killed_writers_only)
{
    const char *dir = harness_tmpdir();
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);      /* a writer that no longer runs */
    char dead[512], live[512], path[512], err[256];
    make_temporary(dead, sizeof dead, dir, (long)child);
    make_temporary(live, sizeof live, dir, (long)getppid());
    snprintf(path, sizeof path, "%s/t.lathe", dir);
    CHECK_MSG(file_write_atomic(path, "[album]\n", 8, true, err, sizeof err), "%s", err);
    CHECK_MSG(access(dead, F_OK) != 0, "%s is still there", dead);
    CHECK_MSG(access(live, F_OK) == 0, "%s was removed", live);
    unlink(live);
}
