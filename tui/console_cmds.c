/* SPDX-License-Identifier: MIT */
/* The console's own commands: moving around the screen, prompts, help,
 * leveling, playback. Everything else a key or the `:` prompt names goes
 * to the editor's command table, so both tables form one language. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/sessfile.h"
#include "session/sesssave.h"
#include "tui/console.h"
#include "tui/recovery.h"

#define MAX_WORDS 8

struct console_command {
    const char *name;
    const char *args;
    const char *help;
    unsigned (*run)(struct console *c, int argc, char **argv, const char *rest);
};

static bool refuse_read_only(struct console *c, const char *what);

#define RUN(name) static unsigned name(struct console *c, int argc, char **argv, const char *rest)

static int track_count(const struct console *c)
{
    return c->e->s->ntracks;
}

static struct chain_settings *shown_chain(const struct console *c)
{
    const struct editor *e = c->e;
    if (e->selected >= 0 && e->selected < e->s->ntracks)
        return &e->s->tracks[e->selected].chain;
    return e->selected == SELECT_ALBUM ? &e->s->master.chain : NULL;
}

/* The list has the tracks, then a row for the album and its master chain. */
static unsigned select_row(struct console *c, int row)
{
    int n = track_count(c);
    if (row < 0 || row > n)
        return 0;
    c->e->selected = row == n ? SELECT_ALBUM : row;
    c->chain_cursor = 0;
    return DRAW_TRACKS | DRAW_CHAIN | DRAW_METERS | DRAW_TRANSPORT;
}

static int selected_row(const struct console *c)
{
    return c->e->selected == SELECT_ALBUM ? track_count(c) : c->e->selected;
}

static unsigned step(struct console *c, int by)
{
    if (c->focus == PANEL_CHAIN) {
        struct chain_settings *ch = shown_chain(c);
        int to = c->chain_cursor + by;
        if (!ch || to < 0 || to >= ch->n)
            return 0;
        c->chain_cursor = to;
        return DRAW_CHAIN;
    }
    return select_row(c, selected_row(c) + by);
}

RUN(cmd_down)
{
    return step(c, 1);
}

RUN(cmd_up)
{
    return step(c, -1);
}

RUN(cmd_panel)
{
    int by = argc > 1 && strcmp(argv[1], "previous") == 0 ? PANEL_COUNT - 1 : 1;
    c->focus = (enum panel)((c->focus + by) % PANEL_COUNT);
    return DRAW_TRACKS | DRAW_CHAIN;
}

static unsigned open_prompt(struct console *c, const char *text)
{
    c->prompting = true;
    snprintf(c->prompt, sizeof c->prompt, "%s", text);
    return DRAW_MESSAGE;
}

RUN(cmd_prompt)
{
    return open_prompt(c, rest);
}

RUN(cmd_edit)
{
    char line[CONSOLE_PROMPT_MAX];
    const struct session *s = c->e->s;
    struct chain_settings *ch = shown_chain(c);
    if (c->focus == PANEL_CHAIN) {
        if (!ch || ch->n == 0) {
            console_message(c, true, "the chain is empty: add a processor, like :eq add bell 3kHz -1dB");
            return DRAW_MESSAGE;
        }
        char settings[512];
        proc_format(&ch->procs[c->chain_cursor], settings, sizeof settings);
        snprintf(line, sizeof line, "chain set %d %s", c->chain_cursor + 1, settings);
    } else if (c->e->selected == SELECT_ALBUM) {
        snprintf(line, sizeof line, "set master.gain %+.2fdB", s->master.gain);
    } else {
        const struct track *t = &s->tracks[c->e->selected];
        snprintf(line, sizeof line, "title \"%s\"", t->text.title ? t->text.title : "");
    }
    return open_prompt(c, line);
}

RUN(cmd_keys)
{
    c->help = !c->help;
    return DRAW_ALL;
}

RUN(cmd_quit)
{
    if (c->rendering) {
        console_message(c, true, "quit: a render is under way; Escape (or :cancel) stops it first");
        return DRAW_MESSAGE;
    }
    if (c->e->dirty) {
        c->asking = ASK_QUIT;
        return DRAW_MESSAGE;
    }
    c->quit = true;
    return 0;
}

RUN(cmd_redraw)
{
    return DRAW_ALL;
}

RUN(cmd_bind)
{
    char err[512];
    if (argc < 3) {
        console_message(c, true, "usage: bind KEY COMMAND");
        return DRAW_MESSAGE;
    }
    const char *command = rest + strlen(argv[1]);
    command += strspn(command, " \t");
    if (!bindings_bind(&c->keys, argv[1], command, err, sizeof err))
        console_message(c, true, "%s", err);
    else
        console_message(c, false, "%s runs \"%s\"", argv[1], command);
    return DRAW_MESSAGE | (c->help ? DRAW_ALL : 0);
}

RUN(cmd_level)
{
    char err[1024];
    if (refuse_read_only(c, "level"))
        return DRAW_MESSAGE;
    if (c->leveling) {
        console_message(c, true, "level: already measuring; the gains come when it is done");
        return DRAW_MESSAGE;
    }
    if (c->e->s->album.leveling == LEVEL_OFF) {
        console_message(c, true, "level: leveling = off — :set album.leveling album (or track)");
        return DRAW_MESSAGE;
    }
    c->leveling = level_job_start(c->e->s, err, sizeof err);
    if (!c->leveling) {
        console_message(c, true, "level: %s", err);
        return DRAW_MESSAGE;
    }
    c->level_generation = c->e->generation;
    console_message(c, false, "leveling: measuring the album through the master chain...");
    return DRAW_MESSAGE;
}

unsigned console_level_done(struct console *c)
{
    struct editor *e = c->e;
    struct session *lv = NULL;
    struct level_report r;
    char err[1024];
    bool ok = level_job_finish(c->leveling, &lv, &r, err, sizeof err);
    level_job_free(c->leveling);
    c->leveling = NULL;
    if (!ok) {
        console_message(c, true, "level: %s", err);
        return DRAW_MESSAGE;
    }
    if (e->generation != c->level_generation || lv->ntracks != e->s->ntracks) {
        session_free(lv);
        console_message(c, true, "level: the session changed while measuring; L measures again");
        return DRAW_MESSAGE;
    }
    if (!editor_checkpoint(e)) {
        session_free(lv);
        console_message(c, true, "level: out of memory");
        return DRAW_MESSAGE;
    }
    for (int i = 0; i < lv->ntracks; i++)
        e->s->tracks[i].gain = lv->tracks[i].gain;
    e->s->master.gain = lv->master.gain;
    e->s->has_master = lv->has_master;
    e->s->has_album = true;
    console_message(c, false, "%s leveling to %.1f LUFS: album %.1f LUFS, %.1f dBTP "
                    "(%d pass%s%s; u undoes)", lv->album.leveling == LEVEL_TRACK ? "track" : "album",
                    lv->album.target, r.album.integrated, r.album.true_peak_max, r.passes,
                    r.passes == 1 ? "" : "es", r.converged ? "" : ", not converged");
    session_free(lv);
    console_session_changed(c);
    return DRAW_ALL & ~DRAW_CLEAR;
}

static bool need_engine(struct console *c)
{
    if (c->engine)
        return true;
    console_message(c, true, "no playback: %s", c->engine_note);
    return false;
}

/* After a transport command: takes the new status at once, so that the
 * next command sees it (Enter then Space in one burst of keys). */
static unsigned transport_done(struct console *c)
{
    if (c->engine && c->engine->ops->poll(c->engine->self, &c->status, &c->meters)) {
        c->have_status = true;
        if (c->status.error[0])
            console_message(c, true, "playback stopped: %s", c->status.error);
    }
    return DRAW_MESSAGE | DRAW_TRANSPORT | DRAW_METERS;
}

/* The track playing or paused, else the selected one (the first for the
 * album row). */
static int play_track(const struct console *c)
{
    return c->e->selected >= 0 ? c->e->selected : 0;
}

static bool playing_or_paused(const struct console *c)
{
    return c->have_status && c->status.state != PLAYBACK_STOPPED;
}

RUN(cmd_play)
{
    if (!need_engine(c))
        return DRAW_MESSAGE;
    char msg[512] = "";
    if (!c->engine->ops->play(c->engine->self, c->e->s, play_track(c), msg, sizeof msg))
        console_message(c, true, "play: %s", msg);
    return transport_done(c);
}

RUN(cmd_pause)
{
    if (!need_engine(c))
        return DRAW_MESSAGE;
    if (!playing_or_paused(c))     /* nothing to pause: play */
        return cmd_play(c, argc, argv, rest);
    c->engine->ops->pause(c->engine->self);
    return transport_done(c);
}

RUN(cmd_stop)
{
    if (need_engine(c))
        c->engine->ops->stop(c->engine->self);
    return transport_done(c);
}

RUN(cmd_next)
{
    if (need_engine(c)) {
        if (!playing_or_paused(c))
            console_message(c, false, "not playing: Enter plays from the selected track");
        else
            c->engine->ops->next(c->engine->self);
    }
    return transport_done(c);
}

RUN(cmd_previous)
{
    if (need_engine(c)) {
        if (!playing_or_paused(c))
            console_message(c, false, "not playing: Enter plays from the selected track");
        else
            c->engine->ops->prev(c->engine->self);
    }
    return transport_done(c);
}

RUN(cmd_loop)
{
    bool on;
    if (argc == 1)
        on = !(c->have_status && c->status.loop);
    else if (argc == 2 && (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0))
        on = argv[1][1] == 'n';
    else {
        console_message(c, true, "usage: loop [on|off]");
        return DRAW_MESSAGE;
    }
    if (need_engine(c)) {
        c->engine->ops->loop(c->engine->self, on);
        console_message(c, false, "loop %s", on ? "on: the track plays again and again" : "off");
    }
    return transport_done(c);
}

#define AUDITION_SECONDS 5.0

RUN(cmd_audition)
{
    double seconds = AUDITION_SECONDS;
    if (argc > 2 || (argc == 2 && (!param_parse_value(UNIT_SECONDS, NULL, argv[1], &seconds) ||
                                   seconds <= 0 || seconds > 60))) {
        console_message(c, true, "usage: audition [TIME], like audition 5s (up to 60s)");
        return DRAW_MESSAGE;
    }
    if (!need_engine(c))
        return DRAW_MESSAGE;
    char msg[512] = "";
    int from = play_track(c);
    if (from > c->e->s->ntracks - 2)
        from = c->e->s->ntracks - 2;
    if (!c->engine->ops->audition(c->engine->self, c->e->s, from, seconds, msg, sizeof msg))
        console_message(c, true, "audition: %s", msg);
    else
        console_message(c, false, "auditioning the transitions from track %d into %d on: "
                        "last %gs into first %gs", from + 1, from + 2, seconds, seconds);
    return transport_done(c);
}

RUN(cmd_seek)
{
    double d;
    const char *v = argc == 2 ? argv[1] : "";
    int sign = *v == '-' ? -1 : 1;
    if (*v == '-' || *v == '+')
        v++;
    if (argc != 2 || !param_parse_value(UNIT_SECONDS, NULL, v, &d)) {
        console_message(c, true, "usage: seek +TIME|-TIME, like seek +5s");
        return DRAW_MESSAGE;
    }
    if (need_engine(c))
        c->engine->ops->seek(c->engine->self, sign * d);
    return transport_done(c);
}

RUN(cmd_output)
{
    const struct session *s = c->e->s;
    int n = s->noutputs;
    if (argc == 2 && strcmp(argv[1], "next") == 0)
        c->output = c->output + 1 >= n ? -1 : c->output + 1;
    else if (argc == 2 && strcmp(argv[1], "previous") == 0)
        c->output = c->output < 0 ? n - 1 : c->output - 1;
    else if (argc == 2 && strcmp(argv[1], "none") == 0)
        c->output = -1;
    else if (argc == 2 && session_find_output(s, argv[1]))
        c->output = (int)(session_find_output(s, argv[1]) - s->outputs);
    else {
        console_message(c, true, "usage: output next|previous|none|NAME");
        return DRAW_MESSAGE;
    }
    const char *name = c->output >= 0 ? s->outputs[c->output].name : NULL;
    if (c->engine)
        c->engine->ops->preview(c->engine->self, name);
    console_message(c, false, "preview: %s%s", name ? name : "the session",
                    c->engine ? "" : " (no playback)");
    return DRAW_HEADER | DRAW_MESSAGE;
}


/* ---- render, cancel, loudness-matched bypass, read-only albums ---- */

static bool refuse_read_only(struct console *c, const char *what)
{
    if (!c->read_only)
        return false;
    console_message(c, true, "%s: this DDP is open read-only, to listen to (open the session "
                    "to change it)", what);
    return true;
}

RUN(cmd_render)
{
    char err[1024];
    if (refuse_read_only(c, "render"))
        return DRAW_MESSAGE;
    if (c->rendering) {
        console_message(c, true, "render: already rendering %s (Escape or :cancel stops it)",
                        c->render_names);
        return DRAW_MESSAGE;
    }
    if (c->e->dirty) {
        /* the render is what the file says */
        console_message(c, true, "render: the session is modified; save it (s) first");
        return DRAW_MESSAGE;
    }
    const struct session *s = c->e->s;
    if (s->noutputs == 0) {
        console_message(c, true, "render: no output; :output add NAME wav (or ddp, flac...)");
        return DRAW_MESSAGE;
    }
    for (int i = 1; i < argc; i++)
        if (!session_find_output(s, argv[i])) {
            session_no_output(s, argv[i], err, sizeof err);
            console_message(c, true, "render: %s", err);
            return DRAW_MESSAGE;
        }
    c->rendering = render_job_start(s, (const char *const *)argv + 1, argc - 1, err, sizeof err);
    if (!c->rendering) {
        console_message(c, true, "render: %s", err);
        return DRAW_MESSAGE;
    }
    size_t used = 0;
    c->render_names[0] = 0;
    for (int i = 0; i < s->noutputs && used < sizeof c->render_names; i++) {
        bool chosen = argc == 1;
        for (int k = 1; k < argc; k++)
            chosen |= strcmp(argv[k], s->outputs[i].name) == 0;
        if (chosen)
            used += (size_t)snprintf(c->render_names + used, sizeof c->render_names - used,
                                     "%s%s", used ? ", " : "", s->outputs[i].name);
    }
    c->render_drawn = 0;
    return DRAW_MESSAGE;
}

RUN(cmd_cancel)
{
    if (!c->rendering) {
        console_message(c, true, "cancel: nothing is rendering");
        return DRAW_MESSAGE;
    }
    return console_render_cancel(c);
}

unsigned console_render_cancel(struct console *c)
{
    render_job_cancel(c->rendering);
    console_message(c, false, "render: stopping...");
    return DRAW_MESSAGE;
}

unsigned console_render_done(struct console *c)
{
    char err[1024], report[2048];
    int revision = 0;
    bool ok = render_job_finish(c->rendering, &revision, report, sizeof report, err, sizeof err);
    render_job_free(c->rendering);
    c->rendering = NULL;
    if (!ok) {
        console_message(c, true, "render %s failed: %s", c->render_names, err);
        return DRAW_MESSAGE;
    }
    char serr[1024];
    if (revision != c->e->s->album.revision && !console_disk_keep_revision(c, revision, serr, sizeof serr)) {
        /* the client copy carries the revision: a later render must not
         * deliver another copy under the same number */
        console_message(c, true, "rendered, but the revision r%d is not in the session: %s",
                        revision, serr);
        return DRAW_MESSAGE | DRAW_HEADER;
    }
    /* one output's figures fill a line: more than fit go to a sheet */
    if ((int)strlen(report) + 13 > c->cols) {
        char *text = strdup(report);
        for (char *at = text; at && (at = strstr(at, "; ")) != NULL; at++) {
            *at = '\n';
            memmove(at + 1, at + 2, strlen(at + 2) + 1);
        }
        if (text) {
            console_message(c, false, "render done (any key closes the report)");
            return console_show_sheet(c, "Render done", text) | DRAW_MESSAGE | DRAW_HEADER;
        }
    }
    console_message(c, false, "render done: %s", report);
    return DRAW_MESSAGE | DRAW_HEADER;
}

/* The track whose loudness matches a bypass: the selected one, else the
 * one playing; -1 when neither. */
static int match_track(const struct console *c)
{
    if (c->e->selected >= 0 && c->e->selected < track_count(c))
        return c->e->selected;
    if (c->have_status && c->status.state != PLAYBACK_STOPPED && c->status.track >= 0 &&
        c->status.track < track_count(c))
        return c->status.track;
    return -1;
}

void console_bypass_match(struct console *c, bool say)
{
    const struct chain_settings *ch = shown_chain(c);
    bool bypassed = ch && ch->bypass;
    double db = 0;
    bool matched = false;
    int t = match_track(c);
    struct loudness_result mix, proc;
    if (c->have_status && c->status.reference[0]) {
        /* a reference plays with its own match */
        char was[sizeof c->message];
        snprintf(was, sizeof was, "%s", c->message);
        if (say)
            console_message(c, false, "%.900s (heard back on the master)", was);
        return;
    }
    if (bypassed)
        c->platform = -1;   /* one comparison at a time */
    if (bypassed && t >= 0 && c->analysis &&
        analysis_get(c->analysis, c->e->s->tracks[t].file, &mix) == 1 &&
        analysis_get_processed(c->analysis, t, &proc) == 1 &&
        isfinite(mix.integrated) && isfinite(proc.integrated)) {
        db = proc.integrated - mix.integrated;
        matched = true;
    }
    if (!bypassed)
        console_platform_db(c, &db);
    if (c->engine && c->engine->ops->match)
        c->engine->ops->match(c->engine->self, db);
    if (!say)
        return;
    char was[sizeof c->message];
    snprintf(was, sizeof was, "%s", c->message);
    if (!bypassed)
        console_message(c, false, "%s; bypass off", was);
    else if (matched)
        console_message(c, false, "%s; bypass (matched %+.1f dB)", was, db);
    else
        console_message(c, false, "%s; bypass (not matched: track %d is not measured yet)", was,
                        t + 1);
}

static const struct console_command commands[] = {
    { "down", "", "select the next track (the next processor in the chain panel)", cmd_down },
    { "up", "", "select the previous track (processor)", cmd_up },
    { "panel", "next|previous", "move between the track list and the chain panel", cmd_panel },
    { "edit", "", "edit the selected processor (or track title) at the prompt", cmd_edit },
    { "prompt", "[TEXT]", "open the command line, holding TEXT", cmd_prompt },
    { "keys", "", "show or hide the key bindings", cmd_keys },
    { "bind", "KEY COMMAND", "bind a key to a command line", cmd_bind },
    { "level", "", "set the gains for the album's target loudness (as lathe level)", cmd_level },
    { "play", "", "play from the selected track", cmd_play },
    { "pause", "", "pause or go on playing (plays when stopped)", cmd_pause },
    { "stop", "", "stop playing", cmd_stop },
    { "seek", "+TIME|-TIME", "move the play position", cmd_seek },
    { "next", "", "play the next track", cmd_next },
    { "previous", "", "back to the track's start, or to the previous track", cmd_previous },
    { "loop", "[on|off]", "loop the track playing (toggles)", cmd_loop },
    { "audition", "[TIME]", "play the transitions from the selected track: the end of each "
      "track into the next (5s)", cmd_audition },
    { "output", "next|previous|none|NAME", "which output to preview", cmd_output },
    { "intake", "", "the intake checks of every mix, as a panel", console_show_intake },
    { "platforms", "", "what each streaming platform's normalization does to the master", console_show_platforms },
    { "ab", "[REFERENCE]", "switch between the master and a reference (the first), "
      "loudness-matched", console_ab },
    { "platform", "NAME|off|next", "play the master as a streaming platform would (spotify, "
      "apple, youtube, tidal, amazon)", console_platform },
    { "tonal", "[N] [REFERENCE]", "tonal balance of track N against the reference", console_show_tonal },
    { "redraw", "", "draw the whole screen again", cmd_redraw },
    { "render", "[OUTPUT...]", "render the outputs (all when none is named) on a worker", cmd_render },
    { "cancel", "", "stop the render under way (nothing is left of it)", cmd_cancel },
    { "quit", "", "leave the console (asks first when unsaved)", cmd_quit },
    { NULL, NULL, NULL, NULL },
};

const char *const *console_command_names(int *n)
{
    static const char *names[sizeof commands / sizeof commands[0]];
    int k = 0;
    for (const struct console_command *cc = commands; cc->name; cc++)
        names[k++] = cc->name;
    *n = k;
    return names;
}

const char *console_command_help(const char *name)
{
    for (const struct console_command *cc = commands; cc->name; cc++)
        if (strcmp(cc->name, name) == 0)
            return cc->help;
    const struct command *ec = editor_command_find(name);
    return ec ? ec->help : "";
}

void console_message(struct console *c, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->message_error = error;
    c->message_at = console_now();
}

unsigned console_run(struct console *c, const char *line)
{
    while (*line == ' ' || *line == '\t' || *line == ':')
        line++;
    char copy[CONSOLE_PROMPT_MAX];
    snprintf(copy, sizeof copy, "%s", line);
    char *argv[MAX_WORDS];
    int argc = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w && argc < MAX_WORDS; w = strtok_r(NULL, " \t", &save))
        argv[argc++] = w;
    if (argc == 0)
        return 0;
    for (const struct console_command *cc = commands; cc->name; cc++)
        if (strcmp(cc->name, argv[0]) == 0) {
            const char *rest = line + strlen(argv[0]);
            rest += strspn(rest, " \t");
            c->message[0] = 0;
            return DRAW_MESSAGE | cc->run(c, argc, argv, rest);
        }
    const struct command *ec = editor_command_find(argv[0]);
    if (ec && (ec->edits || strcmp(argv[0], "save") == 0) && refuse_read_only(c, argv[0]))
        return DRAW_MESSAGE;
    struct editor *e = c->e;
    int sel = e->selected;
    unsigned long gen = e->generation;
    bool dirty = e->dirty;
    char msg[4096];
    bool ok = editor_run(e, line, msg, sizeof msg);
    console_message(c, !ok, "%s", msg);
    struct session_disk now;
    char derr[256];
    if (!ok && strcmp(argv[0], "save") == 0 && e->s->path &&
        session_disk_read(e->s->path, &now, derr, sizeof derr) && !session_disk_same(&now, &e->s->disk))
        c->asking = ASK_CHANGED;        /* another writer's edits are there: ask */
    if (ok && strcmp(argv[0], "bypass") == 0)
        console_bypass_match(c, true);
    unsigned what = DRAW_MESSAGE;
    if (e->generation != gen) {
        console_session_changed(c);
        what |= DRAW_ALL & ~DRAW_CLEAR;
    }
    if (e->selected != sel) {
        c->chain_cursor = 0;
        what |= DRAW_TRACKS | DRAW_CHAIN | DRAW_METERS | DRAW_TRANSPORT;
    }
    if (e->dirty != dirty)
        what |= DRAW_HEADER;
    if (dirty && !e->dirty) {       /* saved: the autosave has done its job */
        recovery_remove(c->recover_path);
        c->autosave_due = 0;
    }
    struct chain_settings *ch = shown_chain(c);
    if (ch && c->chain_cursor >= ch->n)
        c->chain_cursor = ch->n ? ch->n - 1 : 0;
    return what;
}
