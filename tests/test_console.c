/* SPDX-License-Identifier: MIT */
/* Tests of the console's parts that need no terminal: the binding table
 * and its config file, the layout, completion and recovery paths. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "session/editor.h"
#include "session/sessfile.h"
#include "tests/harness.h"
#include "tui/bindings.h"
#include "tui/complete.h"
#include "tui/console.h"
#include "tui/layout.h"
#include "tui/recovery.h"

/* Whether `name` is a command of either table (the console's or the editor's). */
static bool is_command(const char *name)
{
    int n;
    const char *const *own = console_command_names(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(own[i], name) == 0)
            return true;
    return editor_command_find(name) != NULL;
}

TEST(every_default_binding_runs_a_known_command)
{
    struct bindings b;
    bindings_defaults(&b);
    CHECK(b.n >= 25);
    for (int i = 0; i < b.n; i++) {
        char first[64];
        snprintf(first, sizeof first, "%s", b.items[i].command);
        first[strcspn(first, " ")] = 0;
        CHECK_MSG(is_command(first), "binding %d runs unknown \"%s\"", i, b.items[i].command);
        CHECK_MSG(console_command_help(first)[0], "no help for %s", first);
        for (int j = 0; j < i; j++)
            CHECK_MSG(b.items[j].key != b.items[i].key, "key bound twice: %d", b.items[i].key);
    }
    CHECK_EQ_STR(bindings_lookup(&b, 'j'), "down");
    CHECK_EQ_STR(bindings_lookup(&b, KEY_UP), "up");
    CHECK_EQ_STR(bindings_lookup(&b, 'J'), "move down");
    CHECK_EQ_STR(bindings_lookup(&b, '['), "gap-by -0.5s");
    CHECK_EQ_STR(bindings_lookup(&b, 18), "redo");          /* C-r */
    CHECK(bindings_lookup(&b, 'Z') == NULL);
}

TEST(key_names_round_trip)
{
    const char *names[] = { "j", "J", "C-r", "Up", "Down", "Left", "Right", "Tab", "BTab",
                            "Enter", "Space", "F1", "F12", "?", ":", "[", "+", "Home" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int code = bindings_key_code(names[i]);
        char back[32];
        CHECK_MSG(code >= 0, "%s has no code", names[i]);
        bindings_key_name(code, back, sizeof back);
        CHECK_EQ_STR(back, names[i]);
    }
    CHECK_EQ_INT(bindings_key_code("^R"), 18);
    CHECK_EQ_INT(bindings_key_code("C-"), -1);
    CHECK_EQ_INT(bindings_key_code("Foo"), -1);
    CHECK_EQ_INT(bindings_key_code("F99"), -1);
    CHECK_EQ_INT(bindings_key_code(""), -1);
}

TEST(config_file_binds_unbinds_and_reports_the_line)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/keys", harness_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("# my keys\n\nbind y gap-by +1s   # longer\nunbind q\nbind C-q quit\n"
          "bind j down\nbogus line\n", f);
    fclose(f);
    struct bindings b;
    bindings_defaults(&b);
    int n = b.n;
    char err[512] = "";
    CHECK(!bindings_load(&b, path, err, sizeof err));
    CHECK_MSG(strstr(err, "keys:7: \"bogus\" — expected bind KEY COMMAND") != NULL, "%s", err);
    CHECK_EQ_STR(bindings_lookup(&b, 'y'), "gap-by +1s");
    CHECK(bindings_lookup(&b, 'q') == NULL);
    CHECK_EQ_STR(bindings_lookup(&b, 17), "quit");
    CHECK_EQ_INT(b.n, n + 1);       /* y and C-q added, q removed, j replaced */
    CHECK(!bindings_bind(&b, "Nope", "quit", err, sizeof err));
    CHECK(!bindings_bind(&b, "y", "  ", err, sizeof err));
    CHECK(!bindings_unbind(&b, "q", err, sizeof err));
    snprintf(path, sizeof path, "%s/none", harness_tmpdir());
    CHECK(bindings_load(&b, path, err, sizeof err));    /* no file: nothing to do */
}

static bool inside(const struct rect *r, int rows, int cols)
{
    return r->y >= 0 && r->x >= 0 && r->h >= 1 && r->w >= 1 && r->y + r->h <= rows &&
           r->x + r->w <= cols;
}

static bool overlap(const struct rect *a, const struct rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

TEST(layout_covers_the_screen_without_overlap)
{
    int sizes[][2] = { { 24, 80 }, { 50, 200 }, { 25, 81 }, { 40, 132 }, { 100, 300 } };
    int tracks[] = { 0, 1, 5, 13, 30, 99 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t t = 0; t < sizeof tracks / sizeof tracks[0]; t++) {
            int rows = sizes[s][0], cols = sizes[s][1];
            struct layout_screen l;
            layout_compute(rows, cols, tracks[t] + 1, &l);
            CHECK(!l.too_small);
            const struct rect *r[] = { &l.header, &l.tracks, &l.chain, &l.meters, &l.transport,
                                       &l.message };
            int area = 0;
            for (int i = 0; i < 6; i++) {
                CHECK_MSG(inside(r[i], rows, cols), "%dx%d, %d tracks: panel %d outside",
                          cols, rows, tracks[t], i);
                area += r[i]->h * r[i]->w;
                for (int j = 0; j < i; j++)
                    CHECK_MSG(!overlap(r[i], r[j]), "%dx%d: panels %d and %d overlap", cols,
                              rows, i, j);
            }
            CHECK_EQ_INT(area, rows * cols);
            CHECK(l.chain.h >= 10);                 /* room for a processor or two */
            CHECK(l.meters.w >= 36);
            /* the list shows every track (and the master row) when there is room */
            if (tracks[t] + 3 <= (rows - 3) / 2)
                CHECK(l.tracks.h >= tracks[t] + 3);
        }
    struct layout_screen l;
    layout_compute(23, 80, 4, &l);
    CHECK(l.too_small);
    layout_compute(24, 79, 4, &l);
    CHECK(l.too_small);
}

TEST(completion_extends_the_first_word)
{
    const char *names[] = { "gap", "gap-by", "gain", "gain-by", "select", "save", "gap" };
    char out[64];
    CHECK_EQ_INT(complete_line("ga", names, 7, out, sizeof out), 4);
    CHECK_EQ_STR(out, "ga");
    CHECK_EQ_INT(complete_line("gap-", names, 7, out, sizeof out), 1);
    CHECK_EQ_STR(out, "gap-by ");
    CHECK_EQ_INT(complete_line("sel", names, 7, out, sizeof out), 1);
    CHECK_EQ_STR(out, "select ");
    CHECK_EQ_INT(complete_line("gai", names, 7, out, sizeof out), 2);
    CHECK_EQ_STR(out, "gain");
    CHECK_EQ_INT(complete_line("x", names, 7, out, sizeof out), 0);
    CHECK_EQ_STR(out, "x");
    CHECK_EQ_INT(complete_line("gap 1", names, 7, out, sizeof out), 0);
    CHECK_EQ_STR(out, "gap 1");
}

TEST(recovery_file_sits_beside_the_session_and_is_offered_when_newer)
{
    char p[4096];
    recovery_path("/a/b/album.lathe", p, sizeof p);
    CHECK_EQ_STR(p, "/a/b/.album.lathe.recover");
    recovery_path("album.lathe", p, sizeof p);
    CHECK_EQ_STR(p, ".album.lathe.recover");

    char sess[4096], rec[4096], err[256];
    snprintf(sess, sizeof sess, "%s/s.lathe", harness_tmpdir());
    recovery_path(sess, rec, sizeof rec);
    FILE *f = fopen(sess, "w");
    fputs("[album]\ntitle = A\n", f);
    fclose(f);
    CHECK(!recovery_pending(sess, rec));                /* none */
    CHECK(recovery_write(rec, "[album]\ntitle = A\n", err, sizeof err));
    CHECK(!recovery_pending(sess, rec));                /* the same text */
    CHECK(recovery_write(rec, "[album]\ntitle = B\n", err, sizeof err));
    CHECK(recovery_pending(sess, rec));
    usleep(20000);
    f = fopen(sess, "w");                               /* saved since */
    fputs("[album]\ntitle = C\n", f);
    fclose(f);
    CHECK(!recovery_pending(sess, rec));
    recovery_remove(rec);
    CHECK(access(rec, F_OK) != 0);
}

static const char *album_text =
    "[album]\ntitle = A\n\n[master]\neq = bell 3kHz -1dB q 1\n\n"
    "[track]\nfile = 1.wav\ntitle = One\ngap = 2s\n\n"
    "[track]\nfile = 2.wav\ntitle = Two\ngap = 2s\neq = lowshelf 90Hz +1dB\n\n"
    "[output cd]\nformat = ddp\n";

/* A console without a screen: commands only, as the keys run them. */
static struct console *headless(void)
{
    static struct console c;
    char err[256];
    memset(&c, 0, sizeof c);
    struct session *s = session_parse(album_text, strlen(album_text), "t.lathe", err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    c.e = editor_new(s);
    c.output = -1;
    snprintf(c.engine_note, sizeof c.engine_note, "no device");
    snprintf(c.recover_path, sizeof c.recover_path, "%s/.t.lathe.recover", harness_tmpdir());
    bindings_defaults(&c.keys);
    return &c;
}

static unsigned press(struct console *c, int key)
{
    const char *command = bindings_lookup(&c->keys, key);
    CHECK_MSG(command != NULL, "key %d unbound", key);
    return command ? console_run(c, command) : 0;
}

TEST(keys_run_commands_on_the_session)
{
    struct console *c = headless();
    struct editor *e = c->e;
    CHECK_EQ_INT(e->selected, 0);
    press(c, 'J');                                  /* One moves down */
    CHECK_EQ_STR(e->s->tracks[1].text.title, "One");
    CHECK_EQ_INT(e->selected, 1);
    press(c, ']');
    CHECK_NEAR(e->s->tracks[1].gap.seconds, 2.5, 1e-9);
    press(c, '+');
    CHECK_NEAR(e->s->tracks[1].gain, 0.5, 1e-9);
    press(c, 'u');
    CHECK_NEAR(e->s->tracks[1].gain, 0.0, 1e-9);
    press(c, 18);                                   /* C-r */
    CHECK_NEAR(e->s->tracks[1].gain, 0.5, 1e-9);
    press(c, 'k');
    CHECK_EQ_INT(e->selected, 0);
    press(c, 'k');                                  /* stays at the top */
    CHECK_EQ_INT(e->selected, 0);
    press(c, 'j');
    press(c, 'j');                                  /* past the tracks: the master */
    CHECK_EQ_INT(e->selected, SELECT_ALBUM);
    press(c, '\t');
    CHECK_EQ_INT(c->focus, PANEL_CHAIN);
    press(c, 'e');
    CHECK(c->prompting);
    CHECK_EQ_STR(c->prompt, "chain set 1 bell 3kHz -1dB q 1");
    c->prompting = false;
    press(c, 'b');
    CHECK(e->s->master.chain.bypass);
    press(c, 'o');
    CHECK_EQ_INT(c->output, 0);
    press(c, 'o');
    CHECK_EQ_INT(c->output, -1);
    press(c, '\n');                                 /* play, with no engine */
    CHECK(c->message_error && strstr(c->message, "no playback: no device"));
    press(c, 'q');                                  /* unsaved: asks */
    CHECK_EQ_INT(c->asking, ASK_QUIT);
    CHECK(!c->quit);
    press(c, '?');
    CHECK(c->help);
    console_run(c, "bind x gap-by +1s");
    CHECK_EQ_STR(bindings_lookup(&c->keys, 'x'), "gap-by +1s");
    console_run(c, "nonsense");
    CHECK(c->message_error && strstr(c->message, "unknown command"));
    if (c->tl_ok)
        timeline_free(&c->tl);
    editor_free(c->e);
}
