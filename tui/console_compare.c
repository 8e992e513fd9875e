/* SPDX-License-Identifier: MIT */
/* The console's compare-and-approve panels: the intake report, the
 * platform preview and the tonal balance, each measured on the spot and
 * shown as a text sheet over the body (console.h: `sheet`). The up and
 * down keys scroll a sheet; any other key closes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/intake_report.h"
#include "audio/platforms.h"
#include "audio/tonal.h"
#include "tui/console.h"

unsigned console_show_sheet(struct console *c, const char *title, char *text)
{
    free(c->sheet);
    c->sheet = text;
    c->sheet_top = 0;
    snprintf(c->sheet_title, sizeof c->sheet_title, "%s", title);
    return DRAW_ALL;
}

typedef bool (*sheet_writer)(struct console *c, const void *arg, FILE *f, char *err,
                             size_t errlen);

/* Text written by `fn` into memory, or NULL. */
static char *capture(sheet_writer fn, struct console *c, const void *arg, char *err,
                     size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bool ok = fn(c, arg, f, err, errlen);
    fclose(f);
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}

static bool intake_text(struct console *c, const void *arg, FILE *f, char *err, size_t errlen)
{
    return intake_report_session(c->e->s, f, err, errlen);
}

unsigned console_show_intake(struct console *c, int argc, char **argv, const char *rest)
{
    char err[1024];
    char *text = capture(intake_text, c, NULL, err, sizeof err);
    if (!text) {
        console_message(c, true, "intake: %s", err);
        return DRAW_MESSAGE;
    }
    console_message(c, false, "intake report of %d mixes", c->e->s->ntracks);
    return console_show_sheet(c, "Intake report", text);
}

static bool platforms_text(struct console *c, const void *arg, FILE *f, char *err,
                           size_t errlen)
{
    const struct session *s = c->e->s;
    for (int i = 0; i < s->ntracks; i++)
        if (!s->tracks[i].mix.ok) {
            snprintf(err, errlen, "track %d: %s", i + 1, s->tracks[i].mix.error);
            return false;
        }
    if (!c->tl_ok || s->ntracks == 0) {
        snprintf(err, errlen, "no album to measure");
        return false;
    }
    struct platform_preview pv;
    if (!platforms_measure(s, &c->tl, &pv, err, errlen))
        return false;
    platforms_write(f, s, &pv);
    platforms_free(&pv);
    return true;
}

unsigned console_show_platforms(struct console *c, int argc, char **argv, const char *rest)
{
    char err[1024];
    char *text = capture(platforms_text, c, NULL, err, sizeof err);
    if (!text) {
        console_message(c, true, "platforms: %s", err);
        return DRAW_MESSAGE;
    }
    console_message(c, false, "platform preview of the master");
    return console_show_sheet(c, "Platform preview", text);
}

struct tonal_args {
    int track, ref;
};

static bool tonal_text(struct console *c, const void *arg, FILE *f, char *err, size_t errlen)
{
    const struct tonal_args want = *(const struct tonal_args *)arg;
    const struct session *s = c->e->s;
    double t[OCTAVE_BANDS], r[OCTAVE_BANDS];
    if (!s->tracks[want.track].mix.ok || !c->tl_ok) {
        snprintf(err, errlen, "track %d: its mix cannot be read", want.track + 1);
        return false;
    }
    if (!tonal_of_track(s, &c->tl, want.track, t, err, errlen) ||
        !tonal_of_reference(s, want.ref, r, err, errlen))
        return false;
    const struct track *tr = &s->tracks[want.track];
    const struct reference *ref = &s->refs[want.ref];
    char name[300];
    snprintf(name, sizeof name, "%02d %s", want.track + 1, tr->text.title ? tr->text.title : tr->file);
    tonal_chart(f, name, t, ref->name ? ref->name : ref->file, r);
    fprintf(f, ":match %d proposes an EQ towards it (undo takes it back)\n", want.track + 1);
    return true;
}

unsigned console_show_tonal(struct console *c, int argc, char **argv, const char *rest)
{
    const struct session *s = c->e->s;
    int track = c->e->selected, a = 1;
    char err[1024];
    if (argc > a && strspn(argv[a], "0123456789") == strlen(argv[a])) {
        track = atoi(argv[a++]) - 1;
    }
    if (track < 0 || track >= s->ntracks) {
        console_message(c, true, "tonal: select a track, or :tonal N [REFERENCE]");
        return DRAW_MESSAGE;
    }
    int ref = tonal_find_reference(s, argc > a ? argv[a] : NULL, err, sizeof err);
    if (ref < 0) {
        console_message(c, true, "tonal: %s", err);
        return DRAW_MESSAGE;
    }
    struct tonal_args want = { track, ref };
    char *text = capture(tonal_text, c, &want, err, sizeof err);
    if (!text) {
        console_message(c, true, "tonal: %s", err);
        return DRAW_MESSAGE;
    }
    console_message(c, false, "tonal balance of track %d (up and down scroll)", track + 1);
    return console_show_sheet(c, "Tonal balance", text);
}
