/* SPDX-License-Identifier: MIT */
/* Tests of session/sessguard and sessupdate: a save never replaces another
 * writer's file, the folder lock excludes, links and read-only files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/sessfile.h"
#include "session/sesssave.h"
#include "session/sessupdate.h"
#include "tests/harness.h"

static char dir[256];

/* the scratch folder, as a path the tests join names to */
static void need_dir(void)
{
    if (!dir[0])
        snprintf(dir, sizeof dir, "%s", harness_tmpdir());
}

static void put(const char *name, const char *text)
{
    need_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return strdup(buf);
}

static struct session *load(const char *name)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    return s;
}

#define ONE "[album]\ntitle = One\n"

TEST(a_save_after_another_writer_changed_the_file_is_refused_and_writes_nothing)
{
    put("c.lathe", ONE);
    struct session *s = load("c.lathe");
    str_set(&s->album.text.title, "Mine");
    put("c.lathe", "[album]\ntitle = Theirs\n");
    char err[512];
    CHECK_EQ_INT(session_save(s, s->path, err, sizeof err), SAVE_CONFLICT);
    CHECK(strstr(err, "changed on disk") != NULL);
    char *now = slurp("c.lathe");
    CHECK_EQ_STR(now, "[album]\ntitle = Theirs\n");
    free(now);
    char bak[300];
    snprintf(bak, sizeof bak, "%s/c.lathe~", dir);
    CHECK(access(bak, F_OK) != 0);
    session_free(s);
}

TEST(a_save_of_the_file_as_read_goes_through_and_the_next_one_too)
{
    put("ok.lathe", ONE);
    struct session *s = load("ok.lathe");
    char err[512];
    str_set(&s->album.text.title, "Two");
    CHECK_EQ_INT(session_save(s, s->path, err, sizeof err), SAVE_OK);
    str_set(&s->album.text.title, "Three");
    CHECK_MSG(session_save(s, s->path, err, sizeof err) == SAVE_OK, "%s", err);
    char *now = slurp("ok.lathe");
    CHECK(strstr(now, "Three") != NULL);
    free(now);
    session_free(s);
}

TEST(a_new_session_never_replaces_a_file_made_meanwhile)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/n.lathe", dir);
    struct session *s = session_new();
    str_set(&s->path, path);
    put("n.lathe", ONE);
    CHECK_EQ_INT(session_save(s, path, err, sizeof err), SAVE_CONFLICT);
    char *now = slurp("n.lathe");
    CHECK_EQ_STR(now, ONE);
    free(now);
    CHECK(!file_create_atomic(path, "x", 1, err, sizeof err));
    CHECK(strstr(err, "already exists") != NULL);
    session_free(s);
}

TEST(saving_through_a_link_writes_its_target_and_keeps_the_link)
{
    char link_path[300], target[300];
    snprintf(target, sizeof target, "%s/real.lathe", dir);
    snprintf(link_path, sizeof link_path, "%s/link.lathe", dir);
    put("real.lathe", ONE);
    CHECK(symlink("real.lathe", link_path) == 0);
    struct session *s = load("link.lathe");
    char err[512];
    str_set(&s->album.text.title, "Linked");
    CHECK_MSG(session_save(s, s->path, err, sizeof err) == SAVE_OK, "%s", err);
    struct stat st;
    CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode));
    char *now = slurp("real.lathe");
    CHECK(strstr(now, "Linked") != NULL);
    free(now);
    session_free(s);
}

TEST(a_read_only_session_file_is_refused_not_replaced)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/ro.lathe", dir);
    put("ro.lathe", ONE);
    chmod(path, 0444);
    struct session *s = load("ro.lathe");
    str_set(&s->album.text.title, "Mine");
    CHECK_EQ_INT(session_save(s, s->path, err, sizeof err), SAVE_FAILED);
    CHECK(strstr(err, "read-only") != NULL);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0444);
    char *now = slurp("ro.lathe");
    CHECK_EQ_STR(now, ONE);
    free(now);
    session_free(s);
}

TEST(the_folder_lock_excludes_a_second_writer_until_released)
{
    char path[300], err[512];
    need_dir();
    snprintf(path, sizeof path, "%s/l.lathe", dir);
    struct session_lock *a = session_lock_take(path, 0, err, sizeof err);
    CHECK_MSG(a != NULL, "%s", err);
    /* flock(2) locks of two open files conflict within one process too */
    struct session_lock *b = session_lock_take(path, 30, err, sizeof err);
    CHECK(b == NULL);
    CHECK(strstr(err, "another lathe") != NULL);
    session_lock_release(a);
    b = session_lock_take(path, 0, err, sizeof err);
    CHECK_MSG(b != NULL, "%s", err);
    session_lock_release(b);
}

TEST(a_revision_bump_keeps_edits_made_since_the_render_read_the_session)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/r.lathe", dir);
    put("r.lathe", "[album]\ntitle = One\nrevision = 3\n");
    put("r.lathe", "[album]\ntitle = Edited meanwhile\nrevision = 3\n");
    CHECK_MSG(session_bump_revision(path, 4, NULL, NULL, err, sizeof err), "%s", err);
    char *now = slurp("r.lathe");
    CHECK(strstr(now, "Edited meanwhile") != NULL);
    CHECK(strstr(now, "revision = 4") != NULL);
    free(now);
    /* never backwards */
    CHECK(session_bump_revision(path, 2, NULL, NULL, err, sizeof err));
    now = slurp("r.lathe");
    CHECK(strstr(now, "revision = 4") != NULL);
    free(now);
}

TEST(edits_kept_aside_go_to_the_side_file_and_leave_theirs)
{
    char side[300];
    session_side_path("a/night.lathe", side, sizeof side);
    CHECK_EQ_STR(side, "a/night.mine.lathe");
    session_side_path("night", side, sizeof side);
    CHECK_EQ_STR(side, "night.mine");
    put("m.lathe", ONE);
    struct session *s = load("m.lathe");
    str_set(&s->album.text.title, "Mine");
    put("m.lathe", "[album]\ntitle = Theirs\n");
    char err[512];
    CHECK_EQ_INT(session_save(s, s->path, err, sizeof err), SAVE_CONFLICT);
    CHECK_MSG(session_save_aside(s, err, sizeof err) == SAVE_OK, "%s", err);
    CHECK(strstr(s->path, "m.mine.lathe") != NULL);
    char *mine = slurp("m.mine.lathe"), *theirs = slurp("m.lathe");
    CHECK(strstr(mine, "Mine") != NULL);
    CHECK(strstr(theirs, "Theirs") != NULL);
    free(mine);
    free(theirs);
    /* and the console goes on saving there */
    str_set(&s->album.text.title, "Mine again");
    CHECK_MSG(session_save(s, s->path, err, sizeof err) == SAVE_OK, "%s", err);
    session_free(s);
}
