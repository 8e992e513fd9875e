/* SPDX-License-Identifier: MIT */
/* The console's main loop: terminal set-up, keys, the prompt, signals,
 * autosave and recovery.
 *
 * Signal handlers only set a flag and write a byte to the self-pipe; the
 * loop does the work. SIGHUP (a dropped SSH link) and SIGTERM write the
 * recovery file and leave, so a lost session loses at most nothing. */
#include "tui/console.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio/cdtext.h"
#include "audio/ddp_read.h"
#include "audio/mixprobe.h"
#include "session/sessfile.h"
#include "session/sesssave.h"
#include "session/sessupdate.h"
#include "tui/cli.h"
#include "tui/complete.h"
#include "tui/recovery.h"

static int wake_pipe[2] = { -1, -1 };
static const struct ddp *shown_ddp;     /* console_ddp(): one console per process */

const struct ddp *console_ddp(void)
{
    return shown_ddp;
}
static volatile sig_atomic_t got_winch, got_exit;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH)
        got_winch = 1;
    else
        got_exit = sig;
    ssize_t w = write(wake_pipe[1], "s", 1);
    (void)w;
    errno = saved;
}

double console_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void console_session_changed(struct console *c)
{
    if (c->tl_ok)
        timeline_free(&c->tl);
    c->tl_ok = timeline_build(c->e->s, &c->tl);
    c->tl_generation = c->e->generation;
    if (c->e->dirty)
        c->autosave_due = console_now() + CONSOLE_AUTOSAVE_SECONDS;
    if (c->engine)
        c->engine->ops->update(c->engine->self, c->e->s);
    if (c->analysis)
        analysis_update(c->analysis, c->e->s);
    else if (!c->read_only)
        c->analysis = analysis_start(c->e->s);
    console_bypass_match(c, false);
    console_layout(c);         /* the track list's height follows the tracks */
}

static void autosave(struct console *c)
{
    c->autosave_due = 0;
    if (!c->e->dirty || c->read_only)
        return;
    char *text = session_format(c->e->s);
    char err[512];
    if (!text || !recovery_write(c->recover_path, text, err, sizeof err))
        console_message(c, true, "autosave failed: %s", text ? err : "out of memory");
    free(text);
}

/* The names the prompt completes: both command tables. */
static int command_names(const char **names, int room)
{
    int n = 0, nc;
    const char *const *own = console_command_names(&nc);
    for (int i = 0; i < nc && n < room; i++)
        names[n++] = own[i];
    for (const struct command *ec = editor_commands(); ec->name && n < room; ec++)
        names[n++] = ec->name;
    return n;
}

static unsigned prompt_complete(struct console *c)
{
    const char *names[128];
    int n = command_names(names, 128);
    char out[CONSOLE_PROMPT_MAX];
    int matches = complete_line(c->prompt, names, n, out, sizeof out);
    if (matches > 1 && strcmp(out, c->prompt) == 0) {
        /* nothing more in common: list the candidates */
        size_t used = 0, len = strlen(c->prompt);
        for (int i = 0; i < n && used < sizeof c->completions; i++)
            if (strncmp(names[i], c->prompt, len) == 0)
                used += (size_t)snprintf(c->completions + used, sizeof c->completions - used,
                                         "%s ", names[i]);
    }
    snprintf(c->prompt, sizeof c->prompt, "%s", out);
    return DRAW_MESSAGE | DRAW_TRANSPORT;
}

static unsigned prompt_key(struct console *c, int key)
{
    size_t n = strlen(c->prompt);
    if (c->completions[0]) {
        c->completions[0] = 0;
        return DRAW_TRANSPORT | prompt_key(c, key);
    }
    if (key == '\n') {
        char line[CONSOLE_PROMPT_MAX];
        snprintf(line, sizeof line, "%s", c->prompt);
        c->prompting = false;
        c->prompt[0] = 0;
        return DRAW_MESSAGE | console_run(c, line);
    }
    if (key == 27 || key == 7) {                /* Escape, C-g */
        c->prompting = false;
        c->message[0] = 0;
        return DRAW_MESSAGE;
    }
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (n == 0) {
            c->prompting = false;
            return DRAW_MESSAGE;
        }
        /* drop a whole UTF-8 character */
        do
            n--;
        while (n > 0 && ((unsigned char)c->prompt[n] & 0xc0) == 0x80);
        c->prompt[n] = 0;
        return DRAW_MESSAGE;
    }
    if (key == 21) {                            /* C-u */
        c->prompt[0] = 0;
        return DRAW_MESSAGE;
    }
    if (key == '\t')
        return prompt_complete(c);
    if (key >= ' ' && key < 256 && key != 127 && n + 1 < sizeof c->prompt) {
        c->prompt[n] = (char)key;
        c->prompt[n + 1] = 0;
    }
    return DRAW_MESSAGE;
}

static unsigned recover(struct console *c)
{
    char err[1024];
    struct session *s = session_load(c->recover_path, err, sizeof err);
    if (!s) {
        console_message(c, true, "cannot recover: %s", err);
        return DRAW_MESSAGE;
    }
    str_set(&s->path, c->e->s->path);
    /* the edits apply to the session file as it is now */
    s->disk = c->e->s->disk;
    mix_probe_session(s);
    struct editor *e = editor_new(s);
    if (!e) {
        session_free(s);
        console_message(c, true, "cannot recover: out of memory");
        return DRAW_MESSAGE;
    }
    e->save_wait_ms = c->e->save_wait_ms;
    editor_free(c->e);
    c->e = e;
    e->dirty = true;
    e->generation = 1;
    console_session_changed(c);
    console_message(c, false, "recovered the unsaved edits (s saves them, u cannot undo past this)");
    return DRAW_ALL;
}

static unsigned answer(struct console *c, int key)
{
    enum ask was = c->asking;
    c->asking = ASK_NONE;
    if (was == ASK_CHANGED)
        return console_disk_answer(c, key);
    if (was == ASK_QUIT) {
        if (key == 's' || key == 'S') {
            unsigned what = console_run(c, "save");
            if (!c->e->dirty)
                c->quit = true;
            else if (c->asking == ASK_CHANGED)
                c->quit_after_save = true;  /* quits once the question is answered */
            return what;
        }
        /* only q discards: y answers "keep" at the recovery question */
        if (key == 'q' || key == 'Q') {
            recovery_remove(c->recover_path);
            c->quit = true;
            return 0;
        }
        console_message(c, false, "not quitting");
        return DRAW_MESSAGE;
    }
    if (key == 'y' || key == 'Y')
        return recover(c);
    console_message(c, false, "the recovery file stays as %s until the next autosave",
                    c->recover_path);
    return DRAW_MESSAGE;
}

static unsigned on_key(struct console *c, int key)
{
    if (key == '\r' || key == KEY_ENTER)
        key = '\n';
    if (key == KEY_RESIZE)
        return 0;               /* our SIGWINCH handler does the resizing */
    if (key == 27 && c->rendering && !c->prompting && c->asking == ASK_NONE)
        return console_render_cancel(c);
    if (c->asking != ASK_NONE)
        return answer(c, key);
    if (c->prompting)
        return prompt_key(c, key);
    const char *command = bindings_lookup(&c->keys, key);
    if (c->sheet) {             /* up and down scroll it; any other key closes it */
        if (command && (strcmp(command, "down") == 0 || strcmp(command, "up") == 0)) {
            c->sheet_top += strcmp(command, "down") == 0 ? 1 : c->sheet_top > 0 ? -1 : 0;
            return DRAW_TRACKS;
        }
        free(c->sheet);
        c->sheet = NULL;
        return DRAW_ALL;
    }
    if (c->help && (!command || strcmp(command, "keys") != 0)) {
        c->help = false;        /* any key closes the list */
        return DRAW_ALL;
    }
    if (!command) {
        char name[32];
        bindings_key_name(key, name, sizeof name);
        console_message(c, true, "%s is not bound (? lists the keys)", name);
        return DRAW_MESSAGE;
    }
    return console_run(c, command);
}

static void resize(struct console *c)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    console_layout(c);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void drain(int fd)
{
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void loop(struct console *c)
{
    unsigned what = DRAW_ALL;
    double meters_drawn = 0;
    while (!c->quit) {
        if (got_exit) {
            if (c->e->dirty)
                autosave(c);
            break;
        }
        if (got_winch) {
            got_winch = 0;
            resize(c);
            what = DRAW_ALL;
        }
        if (c->e->generation != c->tl_generation)
            console_session_changed(c);
        if (what)
            console_draw(c, what);
        what = 0;
        struct pollfd fds[6] = {
            { .fd = STDIN_FILENO, .events = POLLIN },
            { .fd = wake_pipe[0], .events = POLLIN },
            { .fd = c->analysis ? analysis_fd(c->analysis) : -1, .events = POLLIN },
            { .fd = c->engine ? c->engine->ops->wake_fd(c->engine->self) : -1, .events = POLLIN },
            { .fd = c->leveling ? level_job_fd(c->leveling) : -1, .events = POLLIN },
            { .fd = c->rendering ? render_job_fd(c->rendering) : -1, .events = POLLIN },
        };
        double now = console_now();
        /* wake now and then to look for another writer's save */
        int timeout = console_disk_timeout_ms();
        if (c->autosave_due > 0) {
            int ms = c->autosave_due <= now ? 0 : (int)((c->autosave_due - now) * 1000) + 1;
            timeout = ms < timeout ? ms : timeout;
        }
        double meter_wait = meters_drawn + CONSOLE_METER_INTERVAL - now;
        if (c->engine && meter_wait > 0) {
            /* at most 25 frames a second: leave the engine's descriptor
             * for later and come back when the interval is over */
            fds[3].fd = -1;
            int ms = (int)(meter_wait * 1000) + 1;
            if (timeout < 0 || ms < timeout)
                timeout = ms;
        }
        if (c->rendering) {
            /* the render panel: at most 4 times a second */
            double due = c->render_drawn + CONSOLE_RENDER_INTERVAL - now;
            int ms = due > 0 ? (int)(due * 1000) + 1 : 0;
            if (timeout < 0 || ms < timeout)
                timeout = ms;
        }
        int r = poll(fds, 6, timeout);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
            got_exit = SIGHUP;  /* the terminal is gone */
            continue;
        }
        if (r > 0 && (fds[0].revents & POLLIN)) {
            int key;
            while (!c->quit && (key = getch()) != ERR)
                what |= on_key(c, key);
        }
        if (r > 0 && (fds[1].revents & POLLIN))
            drain(wake_pipe[0]);
        if (r > 0 && (fds[2].revents & POLLIN)) {
            analysis_drain(c->analysis);
            what |= DRAW_TRACKS | DRAW_METERS | DRAW_HEADER;
            if (c->platform >= 0)
                console_bypass_match(c, false);     /* a platform's gain, once measured */
        }
        int heard = c->status.track;
        if (c->engine && fds[3].fd >= 0 && (fds[3].revents & POLLIN) &&
            c->engine->ops->poll(c->engine->self, &c->status, &c->meters)) {
            c->have_status = true;
            if (c->platform >= 0 && c->status.track != heard)
                console_bypass_match(c, false);     /* the next track's gain */
            meters_drawn = console_now();
            what |= DRAW_METERS | DRAW_TRANSPORT;
            if (c->status.error[0]) {
                console_message(c, true, "playback stopped: %s", c->status.error);
                what |= DRAW_MESSAGE;
            }
        }
        if (r > 0 && c->leveling && (fds[4].revents & POLLIN))
            what |= console_level_done(c);
        if (r > 0 && c->rendering && (fds[5].revents & POLLIN))
            what |= console_render_done(c);
        if (c->rendering && console_now() >= c->render_drawn + CONSOLE_RENDER_INTERVAL) {
            c->render_drawn = console_now();
            what |= DRAW_MESSAGE;
        }
        if (c->autosave_due > 0 && console_now() >= c->autosave_due) {
            autosave(c);
            what |= DRAW_HEADER | DRAW_MESSAGE;
        }
        what |= console_disk_watch(c);
    }
}

/* Loads the session, or creates it empty when there is no such file. */
static struct session *open_session(const char *path, bool *created, char *err, size_t errlen)
{
    struct stat st;
    *created = false;
    if (stat(path, &st) != 0 && errno == ENOENT) {
        struct session *s = session_new();
        if (!s || !str_set(&s->path, path)) {
            session_free(s);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        if (session_save(s, path, err, errlen) != SAVE_OK) {
            session_free(s);
            return NULL;
        }
        *created = true;
        return s;
    }
    struct session *s = session_load(path, err, errlen);
    if (s)
        mix_probe_session(s);
    return s;
}

/* The DDP as a session to look at: a track per DDP track, its pregap as
 * the gap and its audio up to the next track's pregap (or the lead-out)
 * as its length, so that the timeline lands on the PQ's sectors. */
static struct session *ddp_view(const struct ddp *d, const char *dir, char *err, size_t errlen)
{
    struct session *s = session_new();
    bool ok = s && str_set(&s->path, dir);
    const bool text = d->has_cdtext;
    if (ok) {
        s->has_album = true;
        s->album.rate = DDP_RATE;
        ok = (!text || (str_set(&s->album.text.title, d->cdtext.text[0][CDTEXT_TITLE]) &&
                        str_set(&s->album.text.performer, d->cdtext.text[0][CDTEXT_PERFORMER]))) &&
             (!d->disc_upc[0] || str_set(&s->album.upc, d->disc_upc));
    }
    for (int i = 0; ok && i < d->ntracks; i++) {
        const struct ddp_track *dt = &d->tracks[i];
        struct track *t = session_insert_track(s, i);
        char name[32];
        snprintf(name, sizeof name, "track %02d", dt->number);
        int n = dt->number;
        ok = t && str_set(&t->file, name) &&
             (!text || n > d->cdtext.ntracks ||
              (str_set(&t->text.title, d->cdtext.text[n][CDTEXT_TITLE]) &&
               str_set(&t->text.performer, d->cdtext.text[n][CDTEXT_PERFORMER]))) &&
             (!dt->isrc[0] || str_set(&t->isrc, dt->isrc));
        if (!ok)
            break;
        int64_t start = dt->start >= 0 ? dt->start : 0;
        int64_t from = dt->index0 >= 0 ? dt->index0 : i == 0 ? 0 : start;
        int64_t end = i + 1 < d->ntracks && d->tracks[i + 1].index0 >= 0 ? d->tracks[i + 1].index0
                    : dt->next;
        t->has_gap = true;
        t->gap = (struct stime){ .samples = (start - from) * DDP_SECTOR_FRAMES, .in_samples = true };
        t->mix = (struct mix_info){ .probed = true, .ok = true, .rate = DDP_RATE, .channels = 2,
                                    .bits = 16, .format = "DDP image",
                                    .frames = end > start ? (end - start) * DDP_SECTOR_FRAMES : 0 };
    }
    if (!ok) {
        session_free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return s;
}

static void start_curses(struct console *c)
{
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    c->colour = has_colors() && !getenv("NO_COLOR");
    if (c->colour) {
        start_color();
        use_default_colors();
    }
    const char *cs = nl_langinfo(CODESET);
    c->utf8 = cs && strcmp(cs, "UTF-8") == 0;
    getmaxyx(stdscr, c->rows, c->cols);
}

static void load_keys(struct console *c)
{
    bindings_defaults(&c->keys);
    char path[4096], err[1024];
    const char *env = getenv("LATHE_KEYS");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (env)
        snprintf(path, sizeof path, "%s", env);
    else if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/lathe/keys", xdg);
    else if (home)
        snprintf(path, sizeof path, "%s/.config/lathe/keys", home);
    else
        return;
    if (!bindings_load(&c->keys, path, err, sizeof err))
        console_message(c, true, "%s", err);
}

int console_main(const char *path, struct playback *engine, const char *engine_note)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "lathe: the console needs a terminal; 'lathe do %s COMMAND...' "
                        "edits without one\n", path);
        if (engine)
            engine->ops->free(engine->self);
        return EXIT_USAGE;
    }
    setlocale(LC_ALL, "");
    char err[4096];
    bool created = false;
    struct stat st;
    struct ddp *ddp = NULL;
    struct session *s;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        ddp = ddp_open(path, err, sizeof err);
        s = ddp ? ddp_view(ddp, path, err, sizeof err) : NULL;
    } else {
        s = open_session(path, &created, err, sizeof err);
    }
    if (!s) {
        fprintf(stderr, "lathe: %s\n", err);
        if (engine)
            engine->ops->free(engine->self);
        ddp_close(ddp);
        return EXIT_USAGE;
    }
    struct console *c = calloc(1, sizeof *c);
    if (!c || !(c->e = editor_new(s)) || pipe(wake_pipe) != 0) {
        fprintf(stderr, "lathe: out of memory\n");
        if (c && c->e)
            editor_free(c->e);
        else
            session_free(s);
        free(c);
        ddp_close(ddp);
        return EXIT_USAGE;
    }
    c->e->save_wait_ms = CONSOLE_SAVE_WAIT_MS;
    c->ddp = shown_ddp = ddp;
    c->read_only = ddp != NULL;
    for (int i = 0; i < 2; i++) {
        fcntl(wake_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    c->engine = engine;
    snprintf(c->engine_note, sizeof c->engine_note, "%s",
             engine_note ? engine_note : "no playback engine in this build");
    c->output = -1;
    c->ab_ref = c->platform = -1;
    if (!c->read_only)
        recovery_path(path, c->recover_path, sizeof c->recover_path);
    load_keys(c);
    if (!c->message[0]) {
        if (c->read_only)
            console_message(c, false, "DDP %s, %d track%s: read-only, to listen to%s", path,
                            ddp->ntracks, ddp->ntracks == 1 ? "" : "s",
                            engine ? "" : " (no playback here)");
        else if (created)
            console_message(c, false, "new session %s; :insert FILE adds a mix", path);
        else if (!engine)
            console_message(c, false, "playback not available (%s); ? lists the keys",
                            c->engine_note);
        else
            console_message(c, false, "? lists the keys");
    }
    if (!c->read_only && recovery_pending(path, c->recover_path))
        c->asking = ASK_RECOVER;
    install_signals();
    start_curses(c);
    c->analysis = ddp ? analysis_start_ddp(ddp) : analysis_start(c->e->s);
    console_session_changed(c);
    loop(c);
    endwin();
    level_job_free(c->leveling);
    free(c->sheet);
    if (c->rendering)
        render_job_cancel(c->rendering);   /* nothing of it is left */
    render_job_free(c->rendering);
    analysis_free(c->analysis);
    if (c->engine)
        c->engine->ops->free(c->engine->self);
    if (c->tl_ok)
        timeline_free(&c->tl);
    editor_free(c->e);
    free(c);
    shown_ddp = NULL;
    ddp_close(ddp);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    wake_pipe[0] = wake_pipe[1] = -1;
    return EXIT_OK;
}
