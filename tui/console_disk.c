/* SPDX-License-Identifier: MIT */
/* The console and its session file on disk: another writer's save taken
 * in, the question a conflicting save asks, and a render's revision kept. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audio/mixprobe.h"
#include "session/sessfile.h"
#include "session/sessupdate.h"
#include "tui/console.h"
#include "tui/recovery.h"

/* Seconds between looks at the session file for another writer's save. */
#define CONSOLE_DISK_INTERVAL 2.0

int console_disk_timeout_ms(void)
{
    return (int)(CONSOLE_DISK_INTERVAL * 1000);
}

/* Loads the session file afresh into the console, in place of its own. */
static bool reload(struct console *c, const char *path, char *err, size_t errlen)
{
    struct session *s = session_load(path, err, errlen);
    struct editor *e = s ? editor_new(s) : NULL;
    if (!e) {
        if (s)
            snprintf(err, errlen, "%s: out of memory", path);
        session_free(s);
        return false;
    }
    e->save_wait_ms = c->e->save_wait_ms;
    mix_probe_session(s);
    editor_free(c->e);
    c->e = e;
    console_session_changed(c);
    return true;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* A job measures or renders the session as it was: the console takes
 * another writer's file in only once none runs. */
static const char *job_running(const struct console *c)
{
    return c->rendering ? "a render" : c->leveling ? "leveling" : NULL;
}

unsigned console_disk_answer(struct console *c, int key)
{
    struct session *mine = c->e->s;
    char err[1024], side[4096];
    bool quitting = c->quit_after_save;
    c->quit_after_save = false;
    session_side_path(mine->path, side, sizeof side);
    if (key != 'r' && key != 'R' && key != 'm' && key != 'M') {
        console_message(c, false, "not saved: %s is theirs, yours are unsaved (s asks again)",
                        mine->path);
        return DRAW_MESSAGE;
    }
    const char *job = job_running(c);
    if (job && (key == 'r' || key == 'R')) {
        console_message(c, true, "%s is under way on your copy: reload when it is done "
                        "(m keeps your edits aside now)", job);
        return DRAW_MESSAGE;
    }
    char theirs_path[4096];
    snprintf(theirs_path, sizeof theirs_path, "%s", mine->path);
    if (session_save_aside(mine, err, sizeof err) != SAVE_OK) {
        console_message(c, true, "cannot keep your edits aside: %s", err);
        return DRAW_MESSAGE;
    }
    recovery_remove(c->recover_path);
    c->autosave_due = 0;
    c->e->dirty = false;
    c->quit = quitting;
    if (key == 'm' || key == 'M') {
        recovery_path(mine->path, c->recover_path, sizeof c->recover_path);
        console_message(c, false, "yours saved as %s, edited from now on; %s is theirs", side,
                        theirs_path);
        return DRAW_ALL;
    }
    if (!reload(c, theirs_path, err, sizeof err)) {
        recovery_path(mine->path, c->recover_path, sizeof c->recover_path);
        console_message(c, true, "your edits are in %s (the console goes on there); cannot load %s: %s",
                        side, theirs_path, err);
        return DRAW_ALL;
    }
    console_message(c, false, "reloaded %s (theirs); yours are in %s", theirs_path, side);
    return DRAW_ALL;
}

unsigned console_disk_watch(struct console *c)
{
    const char *path = c->e->s->path;
    double now = console_now();
    if (c->read_only || !path || now < c->disk_checked + CONSOLE_DISK_INTERVAL)
        return 0;
    c->disk_checked = now;
    struct stat st;
    if (stat(path, &st) != 0 || same_stat(&st, &c->disk_seen))
        return 0;
    struct session_disk d;
    char err[1024];
    if (!session_disk_read(path, &d, err, sizeof err))
        return 0;
    if (session_disk_same(&d, &c->e->s->disk)) {
        c->disk_seen = st;
        return 0;
    }
    char shown[4096];
    snprintf(shown, sizeof shown, "%s", path);
    bool told = same_stat(&st, &c->disk_told);
    c->disk_told = st;
    const char *job = job_running(c);
    if (job) {
        /* looked at again on every tick, taken in when the job is done */
        if (!told)
            console_message(c, true, "%s changed on disk; taken in when %s is done", shown, job);
        return told ? 0 : DRAW_MESSAGE;
    }
    c->disk_seen = st;
    if (c->e->dirty) {
        console_message(c, true, "%s changed on disk; yours are unsaved: s asks what to do", shown);
        return DRAW_MESSAGE;
    }
    if (!reload(c, shown, err, sizeof err)) {
        console_message(c, true, "%s changed on disk and cannot be loaded: %s", shown, err);
        return DRAW_MESSAGE;
    }
    console_message(c, false, "reloaded %s: another writer saved it", shown);
    return DRAW_ALL;
}

bool console_disk_keep_revision(struct console *c, int revision, char *err, size_t errlen)
{
    struct session *s = c->e->s;
    if (!s->path)
        return true;
    /* The file gets the revision now, whatever the console's edits: the
     * client copy carries it, so a later render must not reuse it. */
    struct session_disk before, after;
    if (!session_bump_revision(s->path, revision, &before, &after, err, errlen))
        return false;
    if (s->album.revision < revision) {
        s->album.revision = revision;
        s->has_album = true;
    }
    /* the console's copy was the file as it was: it still is, bumped */
    if (session_disk_same(&before, &s->disk))
        s->disk = after;
    return true;
}
