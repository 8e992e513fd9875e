/* SPDX-License-Identifier: MIT */
/* The console: lathe's full-screen face in ncurses (DESIGN §6).
 *
 * One UI thread runs a poll() loop over the terminal, a self-pipe woken by
 * signal handlers, the background analysis and the playback engine. Key
 * handlers and commands return a mask of the panels to redraw; a panel is
 * drawn only when its bit is set, and curses sends only the cells that
 * changed. Nothing writes to stderr while curses owns the terminal. */
#ifndef LATHE_CONSOLE_H
#define LATHE_CONSOLE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <stddef.h>

#include "dsp/loudness.h"
#include "session/editor.h"
#include "session/timeline.h"
#include "tui/analysis.h"
#include "tui/bindings.h"
#include "tui/playback.h"
#include "tui/layout.h"
#include "tui/level_job.h"
#include "tui/render_job.h"

struct ddp;

/* What to redraw. */
enum {
    DRAW_HEADER = 1,
    DRAW_TRACKS = 2,
    DRAW_CHAIN = 4,
    DRAW_METERS = 8,
    DRAW_TRANSPORT = 16,
    DRAW_MESSAGE = 32,
    DRAW_CLEAR = 64,        /* clear the whole screen first */
    DRAW_ALL = 127,
};

enum panel { PANEL_TRACKS, PANEL_CHAIN, PANEL_COUNT };

/* A question on the message line, answered by one key. */
enum ask { ASK_NONE, ASK_QUIT, ASK_RECOVER, ASK_CHANGED };

/* How long a save from the console waits for another writer's, in ms: the
 * screen must not freeze behind a long `lathe do`. */
#define CONSOLE_SAVE_WAIT_MS 2000
/* Seconds after the last edit before the recovery file is written. */
#define CONSOLE_AUTOSAVE_SECONDS 2.0
/* The render panel is redrawn at most this often (4 Hz). */
#define CONSOLE_RENDER_INTERVAL 0.25
/* Meters are redrawn at most this often (25 Hz). */
#define CONSOLE_METER_INTERVAL 0.04

#define CONSOLE_PROMPT_MAX 1024

struct console {
    struct editor *e;
    struct playback *engine;          /* NULL: no playback */
    char engine_note[256];          /* why there is no engine */
    struct bindings keys;
    struct layout_screen lay;
    int rows, cols;
    bool utf8;                      /* the locale takes UTF-8: glyphs, else ASCII */
    bool colour;
    enum panel focus;
    int chain_cursor;               /* processor of the chain panel, from 0 */
    int track_top;                  /* first row of the list shown */
    int output;                     /* output previewed: -1 the session itself */
    int ab_ref;                     /* the reference last switched to (`ab`), -1 none */
    int platform;                   /* enum platform_id played as (`platform`), -1 off */
    char message[1024];
    bool message_error;
    double message_at;              /* when it was set (an error shows over the render line) */
    bool prompting;
    char prompt[CONSOLE_PROMPT_MAX];
    char completions[512];          /* candidates shown above the prompt */
    enum ask asking;
    bool help;                      /* the key list covers the body */
    char *sheet;                    /* a text panel over the body (intake, platforms,
                                     * tonal), or NULL; up/down scroll, other keys close */
    char sheet_title[64];
    int sheet_top;                  /* first line shown */
    struct analysis *analysis;
    struct level_job *leveling;     /* a `level` under way, or NULL */
    unsigned long level_generation; /* the session it measures */
    struct render_job *rendering;   /* a `render` under way, or NULL */
    char render_names[256];         /* what it renders, for the panel */
    double render_drawn;            /* when the panel was last drawn */
    /* A DDP opened as an album (`lathe DDPFOLDER`): the session is a
     * read-only view of it (a track per DDP track, titles from CD-Text,
     * ISRCs, starts and lengths from the PQ; its mixes are not files).
     * Playback plays the DDP itself: an engine made with
     * engine_new_ddp(ddp) (audio/engine.h), where the `track` that
     * playback_ops.play receives is the DDP's track (0-based) and the
     * session passed along is only the view. console_ddp() gives the
     * same pointer to code that has no console at hand. */
    const struct ddp *ddp;
    bool read_only;                 /* edits refused; no autosave, no recovery file */
    struct timeline tl;
    bool tl_ok;
    unsigned long tl_generation;
    double autosave_due;            /* monotonic seconds; 0: nothing pending */
    char recover_path[4096];
    double disk_checked;            /* when the session file was last looked at */
    struct stat disk_seen;          /* what stat said of it when it was last taken in */
    struct stat disk_told;          /* ... when the user was last told it changed */
    bool quit_after_save;           /* a quit waits for the changed-file question */
    bool quit;
    struct playback_status status;
    struct playback_meters meters;
    bool have_status;
};

/* Opens the console on a session file (created empty when it does not
 * exist). `engine` may be NULL, with `engine_note` saying why. Returns an
 * exit status. */
int console_main(const char *path, struct playback *engine, const char *engine_note);

/* Runs a command line: the console's own commands (below), else the
 * editor's. Returns what to redraw; the report goes to the message line. */
unsigned console_run(struct console *c, const char *line);
/* A `level` finished: applies its gains when the session has not changed
 * meanwhile. Returns what to redraw. */
unsigned console_level_done(struct console *c);
/* A render finished: reports it, and keeps the album revision it bumped.
 * Returns what to redraw. */
unsigned console_render_done(struct console *c);

/* The session file on disk (console_disk.c). How often the loop wakes to
 * look at it, in ms: */
int console_disk_timeout_ms(void);
/* Looks at the file now and then: another writer's save is taken in when
 * the console has nothing unsaved and no job runs, else it says so.
 * Returns what to redraw. */
unsigned console_disk_watch(struct console *c);
/* The answer to "the file changed on disk": r reloads it, m keeps the
 * console's edits as NAME.mine.lathe; both keep the edits of both sides. */
unsigned console_disk_answer(struct console *c, int key);
/* Writes a render's album revision into the file now, read afresh, and
 * into the console's copy; false with a message. */
bool console_disk_keep_revision(struct console *c, int revision, char *err, size_t errlen);
/* Stops a render under way (Escape, `cancel`). */
unsigned console_render_cancel(struct console *c);
/* After the bypass of the shown chain changed: sets the playback's
 * loudness match (processed minus mix loudness of the selected track,
 * or of the one playing, while bypassed; 0 otherwise). Says so on the
 * message line when `say`. */
void console_bypass_match(struct console *c, bool say);
/* The DDP the running console shows, or NULL (see struct console). */
const struct ddp *console_ddp(void);

/* Names of the console's own commands, for completion and help. */
const char *const *console_command_names(int *n);
/* The help of a command of either table, or "". */
const char *console_command_help(const char *name);
/* After an edit or an undo: re-lays out the timeline, schedules the
 * autosave, tells the engine. */
void console_session_changed(struct console *c);
void console_message(struct console *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double console_now(void);

/* The compare panels (console_compare.c): console commands that measure
 * and show a sheet. console_show_sheet shows `text` (malloc'd; the console
 * frees it) under `title` until a key closes it. */
unsigned console_show_sheet(struct console *c, const char *title, char *text);
unsigned console_show_intake(struct console *c, int argc, char **argv, const char *rest);
unsigned console_show_platforms(struct console *c, int argc, char **argv, const char *rest);
unsigned console_show_tonal(struct console *c, int argc, char **argv, const char *rest);

/* A/B and platform playback (console_ab.c): the `ab` and `platform`
 * commands, and the platform's gain for the master track heard (false,
 * 0 dB, when off or not measured yet). */
unsigned console_ab(struct console *c, int argc, char **argv, const char *rest);
unsigned console_platform(struct console *c, int argc, char **argv, const char *rest);
bool console_platform_db(struct console *c, double *db);

/* Drawing (console_draw.c). */
void console_layout(struct console *c);
void console_draw(struct console *c, unsigned what);

#endif
