/* SPDX-License-Identifier: MIT */
/* Drawing the console's panels. Each panel clears and fills only its own
 * rectangle, so a redraw mask maps to screen regions; curses then sends
 * only the cells that changed.
 *
 * Text goes through put(), which fits it to a width in screen columns and
 * shows anything the locale cannot show as '?', so LANG=C gets plain ASCII.
 * Semantic roles map to colours, or to bold and reverse on a monochrome
 * terminal (TERM=vt100). */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "session/codes.h"
#include "tui/console.h"

enum role { R_NORMAL, R_BAR, R_TITLE, R_SELECTED, R_OK, R_WARN, R_BAD, R_DIM, R_COUNT };

static const struct {
    short fg, bg;
    attr_t colour_attr, mono_attr;
} scheme[R_COUNT] = {
    [R_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
    [R_BAR] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
    [R_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
    [R_SELECTED] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE },
    [R_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
    [R_WARN] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
    [R_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD },
    [R_DIM] = { COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
};

static bool colour;
static bool utf8;

static attr_t role(enum role r)
{
    if (!colour)
        return scheme[r].mono_attr;
    return r == R_NORMAL ? A_NORMAL : (attr_t)COLOR_PAIR(r) | scheme[r].colour_attr;
}

/* Writes s at y,x in exactly w columns (padded with spaces); returns the
 * columns the text took. */
static int put(int y, int x, int w, const char *s, enum role r)
{
    if (w <= 0)
        return 0;
    attr_t a = role(r);
    attron(a);
    move(y, x);
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int used = 0;
    while (*s && used < w) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, strlen(s), &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            wc = L'?';
            n = 1;
            memset(&st, 0, sizeof st);
        }
        int cw = wcwidth(wc);
        if (cw < 0 || wc < L' ') {
            wc = L'?';
            cw = 1;
        }
        if (used + cw > w)
            break;
        addnwstr(&wc, 1);
        used += cw;
        s += n;
    }
    int text = used;
    while (used < w) {
        addch(' ');
        used++;
    }
    attroff(a);
    return text;
}

static int putf(int y, int x, int w, enum role r, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int putf(int y, int x, int w, enum role r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return put(y, x, w, buf, r);
}

static void hline_at(int y, int x, int w)
{
    move(y, x);
    for (int i = 0; i < w; i++) {
        if (utf8)
            addwstr(L"\u2500");
        else
            addch('-');
    }
}

static void clear_rect(const struct rect *r)
{
    for (int y = r->y; y < r->y + r->h; y++) {
        move(y, r->x);
        for (int i = 0; i < r->w; i++)
            addch(' ');
    }
}

/* A panel's title line: a rule with the name; the focused panel's name is
 * in brackets, so focus shows without colour too. */
static void title_line(const struct rect *r, const char *name, bool focused, const char *right)
{
    hline_at(r->y, r->x, r->w);
    char buf[512];
    snprintf(buf, sizeof buf, focused ? "[%s]" : " %s ", name);
    int used = put(r->y, r->x + 1, (int)strlen(buf) < r->w - 2 ? (int)strlen(buf) : r->w - 2,
                   buf, focused ? R_SELECTED : R_TITLE);
    if (right && *right) {
        int rw = (int)strlen(right) + 2;
        if (rw < r->w - used - 4)
            putf(r->y, r->x + r->w - rw - 1, rw, R_NORMAL, " %s ", right);
    }
}

static void fmt_time(const struct console *c, int64_t samples, char *buf, int len)
{
    timeline_clock(c->tl.rate > 0 ? c->tl.rate : 48000, samples, buf, len);
}

static void fmt_level(double v, char *buf, size_t len)
{
    if (isfinite(v))
        snprintf(buf, len, "%.1f", v);
    else
        snprintf(buf, len, "-inf");
}

static void draw_header(struct console *c)
{
    const struct session *s = c->e->s;
    const char *title = s->album.text.title ? s->album.text.title : "(untitled album)";
    const char *who = s->album.text.performer;
    char left[512], right[256];
    snprintf(left, sizeof left, " lathe  %s%s%s", title, who ? (utf8 ? " \u2014 " : " - ") : "",
             who ? who : "");
    const char *preview = c->output >= 0 ? s->outputs[c->output].name : "session";
    snprintf(right, sizeof right, "preview: %s  %s ", preview,
             c->read_only ? "DDP, read-only" : c->e->dirty ? "modified" : "saved");
    int rw = (int)strlen(right);
    put(0, 0, c->cols - rw, left, R_BAR);
    put(0, c->cols - rw, rw, right, c->e->dirty ? R_BAR : R_BAR);
}

/* Column widths of the track list; the title takes what is left. */
#define COLS_FIXED 59

static void track_row(struct console *c, int y, int i, int tw, bool selected)
{
    const struct session *s = c->e->s;
    const struct track *t = &s->tracks[i];
    char start[32] = "", length[32] = "", gap[32], lufs[16] = "...", tp[16] = "...";
    if (c->tl_ok && i < c->tl.ntracks) {
        fmt_time(c, c->tl.tracks[i].index1, start, sizeof start);
        if (c->tl.tracks[i].length_known)
            fmt_time(c, c->tl.tracks[i].audio_length, length, sizeof length);
        else
            snprintf(length, sizeof length, "missing");
    }
    bool crossfade = t->crossfade.seconds > 0 || t->crossfade.samples > 0;
    struct stime g = crossfade ? t->crossfade : session_track_gap(s, i);
    int rate = session_rate(s);
    char v[24];
    /* to 10 ms, as `lathe check` shows it: a gap in samples (a DDP's, or
     * one rounded to samples) would not fit the column */
    double gs = round((double)stime_samples(g, rate) / rate * 100) / 100;
    param_format_value(UNIT_SECONDS, NULL, gs, v, sizeof v);
    snprintf(gap, sizeof gap, "%s%s", crossfade ? "x" : "", v);
    struct loudness_result lr;
    /* processed: the track as the album plays it (tui/analysis.h) */
    int got = c->analysis ? analysis_get_processed(c->analysis, i, &lr) : -1;
    if (got > 0) {
        fmt_level(lr.integrated, lufs, sizeof lufs);
        fmt_level(lr.true_peak_max, tp, sizeof tp);
    } else if (got < 0) {
        snprintf(lufs, sizeof lufs, "-");
        snprintf(tp, sizeof tp, "-");
    }
    const char *isrc = !t->isrc ? "missing" : isrc_valid(t->isrc) ? "ok" : "bad";
    enum role r = selected ? R_SELECTED : R_NORMAL;
    char line[1024];
    const char *title = t->text.title ? t->text.title : t->file;
    int x = 0;
    x += putf(y, x, 4, r, "%s%2d ", selected ? ">" : " ", i + 1);
    put(y, x, tw + 1, title, r);
    x += tw + 1;
    snprintf(line, sizeof line, "%9s %9s %6s %+6.2f %6s %5s ", start, length, gap, t->gain, lufs, tp);
    x += put(y, x, (int)strlen(line), line, r);
    enum role ir = selected ? R_SELECTED : !t->isrc ? R_WARN : isrc_valid(t->isrc) ? R_OK : R_BAD;
    put(y, x, c->cols - x, isrc, ir);
}

static void draw_tracks(struct console *c)
{
    const struct rect *r = &c->lay.tracks;
    const struct session *s = c->e->s;
    clear_rect(r);
    char total[64] = "";
    if (c->tl_ok) {
        char t[32];
        fmt_time(c, c->tl.end, t, sizeof t);
        snprintf(total, sizeof total, "%d track%s, %s", s->ntracks, s->ntracks == 1 ? "" : "s", t);
    }
    title_line(r, "Tracks", c->focus == PANEL_TRACKS, total);
    int tw = c->cols - COLS_FIXED;
    char head[256];
    snprintf(head, sizeof head, "%9s %9s %6s %6s %6s %5s %s", "Start", "Length", "Gap", "Gain",
             "LUFS", "dBTP", "ISRC");
    put(r->y + 1, 0, 4, "  #", R_TITLE);
    put(r->y + 1, 4, tw + 1, "Title", R_TITLE);
    put(r->y + 1, 5 + tw, c->cols - 5 - tw, head, R_TITLE);
    int rows = r->h - 2;
    int n = s->ntracks + 1;     /* and the master row */
    int sel = c->e->selected == SELECT_ALBUM ? s->ntracks : c->e->selected;
    if (sel < c->track_top)
        c->track_top = sel;
    if (sel >= c->track_top + rows)
        c->track_top = sel - rows + 1;
    if (c->track_top > n - rows)
        c->track_top = n - rows > 0 ? n - rows : 0;
    for (int k = 0; k < rows && c->track_top + k < n; k++) {
        int i = c->track_top + k;
        int y = r->y + 2 + k;
        if (i < s->ntracks) {
            track_row(c, y, i, tw, i == sel);
        } else {
            enum role rr = i == sel ? R_SELECTED : R_DIM;
            char line[256];
            put(y, 0, 4, i == sel ? "> M " : "  M ", rr);
            put(y, 4, tw + 1, "Album and master chain", rr);
            snprintf(line, sizeof line, "%9s %9s %6s %+6.2f", "", "", "", s->master.gain);
            put(y, 5 + tw, c->cols - 5 - tw, line, rr);
        }
    }
}

/* Formats one parameter's value(s) from the table. */
static void param_text(const struct proc *p, const struct param_def *pd, int i, char *buf, size_t len)
{
    int n = p->count[i] ? p->count[i] : 1;
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < n && used < len; k++) {
        double v = p->count[i] ? p->value[i][k] : pd->def;
        char one[64];
        param_format_value(pd->unit, pd->choices, v, one, sizeof one);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? " " : "", one);
    }
}

/* Lays a processor's parameters out in cells; returns the lines it takes,
 * drawing them when `y` is within [top, bottom). */
static int proc_lines(const struct proc *p, int x, int w, int y, int top, int bottom)
{
    const struct proc_def *d = proc_def_of(p->kind);
    int cell = 0;
    char text[PROC_MAX_PARAMS][160];
    for (int i = 0; i < d->nparams; i++) {
        char v[128];
        param_text(p, &d->params[i], i, v, sizeof v);
        snprintf(text[i], sizeof text[i], "%s %s", d->params[i].label, v);
        int l = (int)strlen(text[i]) + 2;
        if (l > cell)
            cell = l;
    }
    int per = cell > 0 && w / cell > 0 ? w / cell : 1;
    int lines = (d->nparams + per - 1) / per;
    for (int i = 0; i < d->nparams; i++) {
        int line = y + i / per;
        if (line >= top && line < bottom)
            put(line, x + (i % per) * cell, cell < w ? cell : w, text[i],
                p->count[i] ? R_NORMAL : R_DIM);
    }
    return lines;
}

/* The selected track's notes below its chain, while there is room. */
static void draw_notes(struct console *c, const struct rect *r, int y, int bottom)
{
    const struct session *s = c->e->s;
    if (c->e->selected < 0 || c->e->selected >= s->ntracks)
        return;
    const struct track *t = &s->tracks[c->e->selected];
    if (t->nnote == 0 || y + 1 >= bottom)
        return;
    put(y++, r->x + 1, r->w - 2, "Notes", R_TITLE);
    for (int i = 0; i < t->nnote && y < bottom; i++)
        putf(y++, r->x + 1, r->w - 2, R_DIM, "- %s", t->note[i]);
}

static void draw_chain(struct console *c)
{
    const struct rect *r = &c->lay.chain;
    const struct session *s = c->e->s;
    clear_rect(r);
    const struct chain_settings *ch;
    char name[256];
    if (c->e->selected >= 0 && c->e->selected < s->ntracks) {
        const struct track *t = &s->tracks[c->e->selected];
        ch = &t->chain;
        snprintf(name, sizeof name, "Chain: track %d", c->e->selected + 1);
    } else {
        ch = &s->master.chain;
        snprintf(name, sizeof name, "Master chain");
    }
    title_line(r, name, c->focus == PANEL_CHAIN, ch->bypass ? "BYPASSED" : "");
    int top = r->y + 1, bottom = r->y + r->h;
    if (ch->n == 0) {
        put(top, r->x + 1, r->w - 2, "(empty: :eq add bell 3kHz -1dB adds one)", R_DIM);
        draw_notes(c, r, top + 1, bottom);
        return;
    }
    /* start at the cursor's processor when it would not fit below */
    int first = 0, lines = 0;
    for (int i = 0; i <= c->chain_cursor && i < ch->n; i++)
        lines += 1 + proc_lines(&ch->procs[i], 0, r->w - 5, -1, 0, 0);
    if (lines > bottom - top)
        first = c->chain_cursor;
    int y = top;
    for (int i = first; i < ch->n && y < bottom; i++) {
        const struct proc_def *d = proc_def_of(ch->procs[i].kind);
        bool cur = i == c->chain_cursor;
        enum role hr = cur && c->focus == PANEL_CHAIN ? R_SELECTED : R_TITLE;
        putf(y, r->x, r->w - 1, hr, "%s%d %s", cur ? ">" : " ", i + 1, d->label);
        y++;
        y += proc_lines(&ch->procs[i], r->x + 3, r->w - 5, y, top, bottom);
    }
    draw_notes(c, r, y, bottom);
}

static void bar(int y, int x, int w, double db, double hold, bool clip)
{
    /* -60 dB .. 0 dB across the bar */
    int fill = isfinite(db) ? (int)lround((db + 60) / 60 * w) : 0;
    int h = isfinite(hold) ? (int)lround((hold + 60) / 60 * w) - 1 : -1;
    fill = fill < 0 ? 0 : fill > w ? w : fill;
    move(y, x);
    for (int i = 0; i < w; i++) {
        if (i == h)
            addch('|');
        else if (i < fill) {
            if (utf8)
                addwstr(L"\u2588");
            else
                addch('#');
        } else
            addch(utf8 ? ' ' : '.');
    }
    if (clip)
        put(y, x + w - 4, 4, "CLIP", R_BAD);
}

static void draw_live_meters(struct console *c, const struct rect *r)
{
    const struct playback_meters *m = &c->meters;
    int y = r->y + 1, x = r->x + 1, w = r->w - 2;
    for (int ch = 0; ch < m->channels && ch < PLAYBACK_MAX_CHANNELS && y < r->y + r->h; ch++, y++) {
        char v[16];
        fmt_level(m->true_peak[ch], v, sizeof v);
        putf(y, x, 3, R_NORMAL, "%s", loudness_channel_name(m->channels, ch));
        bar(y, x + 3, w - 10, m->peak[ch], m->hold[ch], m->clip[ch]);
        putf(y, x + w - 7, 7, R_NORMAL, "%6s", v);
    }
    char a[16], b[16], d[16];
    fmt_level(m->momentary, a, sizeof a);
    fmt_level(m->shortterm, b, sizeof b);
    fmt_level(m->integrated, d, sizeof d);
    if (y < r->y + r->h)
        putf(y++, x, w, R_NORMAL, "M %s  S %s  I %s LUFS", a, b, d);
    if (y < r->y + r->h)
        putf(y++, x, w, R_NORMAL, "LRA %.1f LU  correlation %+.2f", m->range, m->correlation);
    if (y < r->y + r->h)
        putf(y++, x, w, R_NORMAL, "GR comp %.1f dB  limit %.1f dB", m->gr_comp, m->gr_limit);
    if (y < r->y + r->h) {
        static const char ascii[] = " .:-=+*#";
        static const wchar_t blocks[] = L" \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588";
        move(y, x);
        for (int i = 0; i < PLAYBACK_SPECTRUM_BANDS && i < w; i++) {
            double v = m->spectrum[i];
            int lvl = isfinite(v) ? (int)((v + 72) / 72 * 8) : 0;
            lvl = lvl < 0 ? 0 : lvl > 8 ? 8 : lvl;
            if (utf8)
                addnwstr(&blocks[lvl], 1);
            else
                addch((chtype)ascii[lvl > 7 ? 7 : lvl]);
        }
        /* the scale under the bands: 20 Hz is band 0, 100 Hz 7, 1 kHz 17,
         * 10 kHz 27 */
        if (++y < r->y + r->h && w >= PLAYBACK_SPECTRUM_BANDS)
            put(y, x, PLAYBACK_SPECTRUM_BANDS, "20     100       1k        10k", R_DIM);
    }
}

static void draw_meters(struct console *c)
{
    const struct rect *r = &c->lay.meters;
    const struct session *s = c->e->s;
    clear_rect(r);
    title_line(r, "Meters", false, "");
    int x = r->x + 1, w = r->w - 2, y = r->y + 1;
    if (c->engine && c->have_status && c->status.state != PLAYBACK_STOPPED) {
        draw_live_meters(c, r);
        return;
    }
    put(y++, x, w, c->engine ? "live meters show while playing" : "no playback: no live meters",
        c->engine ? R_DIM : R_WARN);
    if (c->e->selected < 0 || c->e->selected >= s->ntracks) {
        int done = 0, total = 0;
        if (c->analysis)
            analysis_progress(c->analysis, &done, &total);
        putf(++y, x, w, R_NORMAL, "mixes analysed: %d of %d", done, total);
        return;
    }
    const struct track *t = &s->tracks[c->e->selected];
    struct loudness_result lr;
    int got = c->analysis ? analysis_get(c->analysis, t->file, &lr) : -1;
    putf(++y, x, w, R_TITLE, "Track %d, gain %+.2f dB", c->e->selected + 1, t->gain);
    y++;
    if (got == 0) {
        put(y, x, w, "analysing...", R_DIM);
        return;
    }
    if (got < 0) {
        put(y, x, w, t->mix.ok ? "analysis failed" : "mix missing or unreadable", R_BAD);
        return;
    }
    char a[16], b[16], d[16];
    fmt_level(lr.integrated + t->gain, a, sizeof a);
    putf(y++, x, w, R_NORMAL, "Integrated  %7s LUFS", a);
    putf(y++, x, w, R_NORMAL, "Range       %7.1f LU", lr.range);
    fmt_level(lr.momentary_max + t->gain, a, sizeof a);
    fmt_level(lr.shortterm_max + t->gain, b, sizeof b);
    putf(y++, x, w, R_NORMAL, "Max M / S   %7s / %s LUFS", a, b);
    char peaks[128] = "";
    size_t used = 0;
    for (int ch = 0; ch < lr.channels && ch < 8 && used < sizeof peaks; ch++) {
        fmt_level(lr.true_peak[ch] + t->gain, d, sizeof d);
        used += (size_t)snprintf(peaks + used, sizeof peaks - used, "%s %s  ",
                                 loudness_channel_name(lr.channels, ch), d);
    }
    if (y < r->y + r->h)
        putf(y++, x, w, lr.true_peak_max + t->gain > -1 ? R_WARN : R_NORMAL, "True peak   %sdBTP",
             peaks);
    if (y < r->y + r->h)
        putf(y++, x, w, R_NORMAL, "PLR         %7.1f dB", lr.plr);
    if (y + 1 < r->y + r->h)
        put(++y, x, w, "(mix + gain, before the chains)", R_DIM);
}

static void draw_transport(struct console *c)
{
    const struct rect *r = &c->lay.transport;
    const struct session *s = c->e->s;
    char line[512], pos[32], len[32];
    if (c->prompting && c->completions[0]) {
        put(r->y, 0, c->cols, c->completions, R_NORMAL);
        return;
    }
    if (c->engine && c->have_status) {
        const struct playback_status *st = &c->status;
        int rate = st->rate > 0 ? st->rate : 48000;
        /* a pregap counts down to the track's start, as on a CD player */
        pos[0] = '-';
        timeline_clock(rate, st->position < 0 ? -st->position : st->position,
                       pos + (st->position < 0), sizeof pos - 1);
        timeline_clock(rate, st->length, len, sizeof len);
        const char *state = st->state == PLAYBACK_PLAYING ? (utf8 ? "\u25b6 playing" : "> playing")
                          : st->state == PLAYBACK_PAUSED ? "|| paused" : "[] stopped";
        if (st->reference[0])
            snprintf(line, sizeof line, " %s  reference %s  %s / %s%s  xruns %u", state,
                     st->reference, pos, len, st->loop ? "  loop" : "", st->xruns);
        else
            snprintf(line, sizeof line, " %s  track %d  %s / %s%s  xruns %u", state,
                     st->track + 1, pos, len, st->loop ? "  loop" : "", st->xruns);
    } else {
        int i = c->e->selected;
        if (i >= 0 && i < s->ntracks && c->tl_ok && i < c->tl.ntracks) {
            fmt_time(c, c->tl.tracks[i].audio_length, len, sizeof len);
            snprintf(line, sizeof line, " %s  track %d of %d  0:00.000 / %s",
                     c->engine ? "[] stopped" : "no playback", i + 1, s->ntracks, len);
        } else {
            snprintf(line, sizeof line, " %s  album", c->engine ? "[] stopped" : "no playback");
        }
    }
    put(r->y, 0, c->cols, line, R_BAR);
}

/* The render panel: one line in place of the message while a render runs. */
static void draw_render(struct console *c, int y)
{
    struct render_progress p;
    render_job_progress(c->rendering, &p);
    double frac = p.total > 0 ? (double)p.done / (double)p.total : 0;
    if (frac > 1)
        frac = 1;
    double speed = p.elapsed > 0 && p.rate > 0 ? (double)p.done / p.rate / p.elapsed : 0;
    char eta[32] = "", bar[16];
    if (frac > 0.01 && frac < 1) {
        int left = (int)(p.elapsed / frac - p.elapsed + 0.5);
        snprintf(eta, sizeof eta, ", %d:%02d left", left / 60, left % 60);
    }
    int width = (int)sizeof bar - 1, fill = (int)(frac * width);
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    char line[512];
    /* the figures first: the names may run past a narrow screen */
    snprintf(line, sizeof line, "render %3d%% [%s] %.1fx%s, Esc cancels: %s",
             (int)(frac * 100), bar, speed, eta, c->render_names);
    put(y, 0, c->cols, line, R_WARN);
}

static void draw_message(struct console *c)
{
    const struct rect *r = &c->lay.message;
    /* an error stays up a few seconds over the render line */
    bool error_up = c->message_error && c->message[0] && console_now() - c->message_at < 3;
    if (c->rendering && !c->prompting && c->asking == ASK_NONE && !error_up) {
        draw_render(c, r->y);
    } else if (c->asking == ASK_QUIT) {
        put(r->y, 0, c->cols, "unsaved changes: s saves and quits, q discards them, "
            "other keys go back", R_WARN);
    } else if (c->asking == ASK_CHANGED) {
        put(r->y, 0, c->cols, "file changed on disk: r reloads it, m keeps yours as "
            "NAME.mine.lathe, Esc back", R_WARN);
    } else if (c->asking == ASK_RECOVER) {
        put(r->y, 0, c->cols, "a recovery file holds unsaved edits newer than the session: "
            "recover them? (y/n)", R_WARN);
    } else if (c->prompting) {
        /* keep the end of a long line in view */
        const char *p = c->prompt;
        size_t n = strlen(p);
        if ((int)n > c->cols - 2)
            p += n - (size_t)(c->cols - 2);
        char line[CONSOLE_PROMPT_MAX + 2];
        snprintf(line, sizeof line, ":%s", p);
        int used = put(r->y, 0, c->cols, line, R_NORMAL);
        move(r->y, used < c->cols ? used : c->cols - 1);
    } else {
        put(r->y, 0, c->cols, c->message, c->message_error ? R_BAD : R_NORMAL);
    }
    curs_set(c->prompting ? 1 : 0);
}

static void draw_help(struct console *c)
{
    struct rect r = { 1, 0, c->rows - 3, c->cols };
    clear_rect(&r);
    title_line(&r, "Keys (any key closes this list; :bind KEY COMMAND rebinds)", true, "");
    int colw = c->cols >= 160 ? c->cols / 2 : c->cols >= 120 ? c->cols : c->cols / 2;
    int ncols = c->cols / colw;
    int rows = r.h - 1;
    int room = rows * ncols;
    for (int i = 0; i < c->keys.n && i < room; i++) {
        char key[32], line[512];
        bindings_key_name(c->keys.items[i].key, key, sizeof key);
        char first[64];
        snprintf(first, sizeof first, "%s", c->keys.items[i].command);
        first[strcspn(first, " ")] = 0;
        if (colw >= 60)
            snprintf(line, sizeof line, "%-6s %-16s %s", key, c->keys.items[i].command,
                     console_command_help(first));
        else
            snprintf(line, sizeof line, "%-6s %s", key, c->keys.items[i].command);
        put(r.y + 1 + i % rows, (i / rows) * colw + 1, colw - 2, line, R_NORMAL);
    }
    if (c->keys.n > room)
        put(r.y + r.h - 1, 1, c->cols - 2, "(more keys: a larger terminal shows them all)", R_WARN);
}

/* A text sheet over the body, from line sheet_top (clamped here). */
static void draw_sheet(struct console *c)
{
    struct rect r = { 1, 0, c->rows - 3, c->cols };
    clear_rect(&r);
    int lines = 0;
    for (const char *p = c->sheet; *p; p++)
        lines += *p == '\n';
    int rows = r.h - 1;
    if (c->sheet_top > lines - rows)
        c->sheet_top = lines - rows > 0 ? lines - rows : 0;
    char title[128];
    snprintf(title, sizeof title, "%s (up/down scroll, any other key closes)", c->sheet_title);
    char where[32] = "";
    if (lines > rows)
        snprintf(where, sizeof where, "%d-%d of %d", c->sheet_top + 1,
                 c->sheet_top + rows < lines ? c->sheet_top + rows : lines, lines);
    title_line(&r, title, true, where);
    const char *p = c->sheet;
    for (int i = 0; *p && i < c->sheet_top + rows; i++) {
        const char *end = strchr(p, '\n');
        int n = end ? (int)(end - p) : (int)strlen(p);
        if (i >= c->sheet_top) {
            char line[512];
            snprintf(line, sizeof line, "%.*s", n < 511 ? n : 511, p);
            put(r.y + 1 + i - c->sheet_top, 1, c->cols - 2, line, R_NORMAL);
        }
        p += n + (end ? 1 : 0);
    }
}

void console_layout(struct console *c)
{
    getmaxyx(stdscr, c->rows, c->cols);
    layout_compute(c->rows, c->cols, c->e->s->ntracks + 1, &c->lay);
}

void console_draw(struct console *c, unsigned what)
{
    static bool pairs;
    colour = c->colour;
    utf8 = c->utf8;
    if (colour && !pairs) {
        for (int r = 1; r < R_COUNT; r++)
            init_pair((short)r, scheme[r].fg, scheme[r].bg);
        pairs = true;
    }
    if (what & DRAW_CLEAR)
        erase();
    if (c->lay.too_small) {
        erase();
        char msg[128];
        snprintf(msg, sizeof msg, "lathe needs %dx%d (this is %dx%d)", LAYOUT_MIN_COLS,
                 LAYOUT_MIN_ROWS, c->cols, c->rows);
        mvaddnstr(0, 0, msg, c->cols);
        refresh();
        return;
    }
    if (what & DRAW_HEADER)
        draw_header(c);
    if (c->sheet) {
        if (what & (DRAW_TRACKS | DRAW_CHAIN | DRAW_METERS))
            draw_sheet(c);
    } else if (c->help) {
        if (what & (DRAW_TRACKS | DRAW_CHAIN | DRAW_METERS))
            draw_help(c);
    } else {
        if (what & DRAW_TRACKS)
            draw_tracks(c);
        if (what & DRAW_CHAIN)
            draw_chain(c);
        if (what & DRAW_METERS)
            draw_meters(c);
    }
    if (what & DRAW_TRANSPORT)
        draw_transport(c);
    draw_message(c);        /* last, so the cursor ends on the prompt */
    refresh();
}
