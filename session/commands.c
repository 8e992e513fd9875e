/* SPDX-License-Identifier: MIT */
/* The command table: every edit a user can make, by name. Each command
 * checks its arguments before it changes anything. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/codes.h"
#include "session/editor.h"
#include "session/keys.h"
#include "session/limits.h"

#define RUN(name) static bool name(struct editor *e, int argc, char **argv, \
                                   const char *rest, char *msg, size_t msglen)

static struct track *selected_track(struct editor *e, char *msg, size_t msglen)
{
    if (e->selected < 0 || e->selected >= e->s->ntracks) {
        snprintf(msg, msglen, "no track selected (select N)");
        return NULL;
    }
    return &e->s->tracks[e->selected];
}

static bool want_args(int argc, int lo, int hi, char **argv, const char *usage,
                      char *msg, size_t msglen)
{
    if (argc - 1 < lo || argc - 1 > hi) {
        snprintf(msg, msglen, "usage: %s %s", argv[0], usage);
        return false;
    }
    return true;
}

/* Sets a key of the selected track, or of the album, by its table entry. */
static bool set_key(struct editor *e, enum section_kind kind, const char *key,
                    const char *value, char *msg, size_t msglen)
{
    const struct section_def *d = section_def_of(kind);
    int k = section_key_find(d, key);
    if (k < 0) {
        const char *hint = section_key_suggest(d, key);
        snprintf(msg, msglen, "unknown key \"%s\" in [%s]%s%s%s", key, d->name,
                 hint ? " — did you mean \"" : "", hint ? hint : "", hint ? "\"?" : "");
        return false;
    }
    void *sec;
    if (kind == SECTION_TRACK) {
        struct track *t = selected_track(e, msg, msglen);
        if (!t)
            return false;
        sec = t;
    } else if (kind == SECTION_MASTER) {
        sec = &e->s->master;
        e->s->has_master = true;
    } else {
        sec = &e->s->album;
        e->s->has_album = true;
    }
    const struct key_def *kd = &d->keys[k];
    /* lists are replaced by the one value given: `set note` starts afresh */
    if (kd->type == KT_TIME_LIST || kd->type == KT_TEXT_LIST)
        key_clear(kd, sec);
    char unquoted[1100];
    size_t vn = strlen(value);
    if (vn >= 2 && vn < sizeof unquoted && value[0] == '"' && value[vn - 1] == '"') {
        memcpy(unquoted, value + 1, vn - 2);
        unquoted[vn - 2] = 0;
        value = unquoted;
    }
    if (!*value && kind == SECTION_TRACK && strcmp(key, "file") == 0) {
        snprintf(msg, msglen, "a track needs its file (remove the track instead)");
        return false;
    }
    if (!*value) {
        key_clear(kd, sec);
        snprintf(msg, msglen, "%s cleared", key);
        return true;
    }
    if (!key_parse(kd, sec, value, msg, msglen))
        return false;
    char shown[256];
    key_format(kd, sec, 0, shown, sizeof shown);
    if (kind == SECTION_TRACK)
        snprintf(msg, msglen, "track %d %s: %s", e->selected + 1, key, shown);
    else
        snprintf(msg, msglen, "%s %s: %s", d->name, key, shown);
    return true;
}

RUN(cmd_select)
{
    if (!want_args(argc, 1, 1, argv, "N|album|master", msg, msglen))
        return false;
    if (strcmp(argv[1], "album") == 0 || strcmp(argv[1], "master") == 0) {
        e->selected = SELECT_ALBUM;
        snprintf(msg, msglen, "album and master chain selected");
        return true;
    }
    char *end;
    long n = strtol(argv[1], &end, 10);
    if (*end || n < 1 || n > e->s->ntracks) {
        snprintf(msg, msglen, "select: \"%s\" — expected a track from 1 to %d, album or master",
                 argv[1], e->s->ntracks);
        return false;
    }
    e->selected = (int)n - 1;
    snprintf(msg, msglen, "track %ld selected", n);
    return true;
}

RUN(cmd_move)
{
    if (!want_args(argc, 1, 2, argv, "up|down|to N", msg, msglen))
        return false;
    if (!selected_track(e, msg, msglen))
        return false;
    int to;
    if (strcmp(argv[1], "up") == 0 && argc == 2)
        to = e->selected - 1;
    else if (strcmp(argv[1], "down") == 0 && argc == 2)
        to = e->selected + 1;
    else if (strcmp(argv[1], "to") == 0 && argc == 3) {
        char *end;
        long n = strtol(argv[2], &end, 10);
        if (*end || n < 1 || n > e->s->ntracks) {
            snprintf(msg, msglen, "move to: \"%s\" — expected a position from 1 to %d", argv[2],
                     e->s->ntracks);
            return false;
        }
        to = (int)n - 1;
    } else {
        snprintf(msg, msglen, "usage: move up|down|to N");
        return false;
    }
    if (to < 0 || to >= e->s->ntracks) {
        snprintf(msg, msglen, "track %d is already %s", e->selected + 1, to < 0 ? "first" : "last");
        return false;
    }
    session_move_track(e->s, e->selected, to);
    e->selected = to;
    snprintf(msg, msglen, "moved to position %d", to + 1);
    return true;
}

static bool track_key(struct editor *e, const char *key, const char *rest, char *msg, size_t msglen)
{
    return set_key(e, SECTION_TRACK, key, rest, msg, msglen);
}

RUN(cmd_gap)
{
    if (!want_args(argc, 1, 1, argv, "TIME", msg, msglen))
        return false;
    struct track *t = selected_track(e, msg, msglen);
    if (!t || !track_key(e, "gap", rest, msg, msglen))
        return false;
    memset(&t->crossfade, 0, sizeof t->crossfade);   /* a gap replaces a crossfade */
    return true;
}

RUN(cmd_crossfade)
{
    if (!want_args(argc, 1, 1, argv, "TIME", msg, msglen))
        return false;
    struct track *t = selected_track(e, msg, msglen);
    if (!t)
        return false;
    if (e->selected == 0) {
        snprintf(msg, msglen, "track 1 has nothing before it to crossfade with");
        return false;
    }
    if (!track_key(e, "crossfade", rest, msg, msglen))
        return false;
    memset(&t->gap, 0, sizeof t->gap);
    t->has_gap = true;
    return true;
}

/* Relative changes, for keys that nudge: `gap-by -0.5s`, `gain-by +0.1dB`. */
RUN(cmd_gap_by)
{
    if (!want_args(argc, 1, 1, argv, "+TIME|-TIME", msg, msglen))
        return false;
    struct track *t = selected_track(e, msg, msglen);
    if (!t)
        return false;
    const char *v = argv[1];
    int sign = *v == '-' ? -1 : 1;
    if (*v == '-' || *v == '+')
        v++;
    double d;
    if (!param_parse_value(UNIT_SECONDS, NULL, v, &d)) {
        snprintf(msg, msglen, "gap-by: \"%s\" — expected a time like +0.5s or -0.5s", argv[1]);
        return false;
    }
    int rate = session_rate(e->s);
    double now = (double)stime_samples(t->has_gap ? t->gap : (struct stime){ .seconds = SESSION_DEFAULT_GAP }, rate) / rate;
    double next = round((now + sign * d) * 1000) / 1000;
    if (next < 0)
        next = 0;
    /* the reader's own range: a gap written must read back */
    if (!limit_in(next, 0, LIMIT_GAP_MAX)) {
        char hi[32];
        param_format_value(UNIT_SECONDS, NULL, LIMIT_GAP_MAX, hi, sizeof hi);
        snprintf(msg, msglen, "gap-by: \"%s\" would make the gap longer than %s, the most a session holds",
                 argv[1], hi);
        return false;
    }
    t->gap = (struct stime){ .seconds = next };
    t->has_gap = true;
    memset(&t->crossfade, 0, sizeof t->crossfade);
    char shown[32];
    param_format_value(UNIT_SECONDS, NULL, t->gap.seconds, shown, sizeof shown);
    snprintf(msg, msglen, "track %d gap: %s", e->selected + 1, shown);
    return true;
}

RUN(cmd_gain_by)
{
    if (!want_args(argc, 1, 1, argv, "+LEVEL|-LEVEL", msg, msglen))
        return false;
    struct track *t = selected_track(e, msg, msglen);
    double d;
    if (!t)
        return false;
    if (!param_parse_value(UNIT_GAIN, NULL, argv[1], &d)) {
        snprintf(msg, msglen, "gain-by: \"%s\" — expected a level like +0.5dB", argv[1]);
        return false;
    }
    double next = round((t->gain + d) * 100) / 100;
    if (!limit_in(next, LIMIT_GAIN_MIN, LIMIT_GAIN_MAX)) {
        snprintf(msg, msglen, "gain-by: \"%s\" would take the gain outside %gdB to %+gdB",
                 argv[1], LIMIT_GAIN_MIN, LIMIT_GAIN_MAX);
        return false;
    }
    t->gain = next;
    char shown[32];
    param_format_value(UNIT_GAIN, NULL, t->gain, shown, sizeof shown);
    snprintf(msg, msglen, "track %d gain: %s", e->selected + 1, shown);
    return true;
}

RUN(cmd_gain)
{
    if (!want_args(argc, 1, 1, argv, "LEVEL", msg, msglen))
        return false;
    return track_key(e, "gain", rest, msg, msglen);
}

RUN(cmd_fade)
{
    if (!want_args(argc, 1, 2, argv, "LENGTH [linear|sine|log]", msg, msglen))
        return false;
    return track_key(e, argv[0], rest, msg, msglen);
}

RUN(cmd_trim)
{
    if (!want_args(argc, 1, 2, argv, "IN [OUT]", msg, msglen))
        return false;
    struct track *t = selected_track(e, msg, msglen);
    if (!t)
        return false;
    struct track saved = *t;
    if (!track_key(e, "trim-in", argv[1], msg, msglen))
        return false;
    if (argc == 3 && !track_key(e, "trim-out", argv[2], msg, msglen)) {
        t->trim_in = saved.trim_in;
        return false;
    }
    int rate = t->mix.ok ? t->mix.rate : session_rate(e->s);
    if ((t->trim_out.in_samples || t->trim_out.seconds > 0) &&
        stime_samples(t->trim_out, rate) <= stime_samples(t->trim_in, rate)) {
        t->trim_in = saved.trim_in;
        t->trim_out = saved.trim_out;
        snprintf(msg, msglen, "trim: the out point must come after the in point");
        return false;
    }
    return true;
}

static bool text_key(struct editor *e, const char *key, const char *rest, char *msg, size_t msglen)
{
    char unquoted[4096];
    size_t n = strlen(rest);
    if (n >= 2 && n < sizeof unquoted && rest[0] == '"' && rest[n - 1] == '"') {
        memcpy(unquoted, rest + 1, n - 2);      /* title "Tail Lights (edit)" */
        unquoted[n - 2] = 0;
        rest = unquoted;
    }
    if (!*rest) {
        snprintf(msg, msglen, "usage: %s TEXT", key);
        return false;
    }
    return set_key(e, e->selected == SELECT_ALBUM ? SECTION_ALBUM : SECTION_TRACK, key, rest,
                   msg, msglen);
}

RUN(cmd_text)
{
    return text_key(e, argv[0], rest, msg, msglen);
}

RUN(cmd_isrc)
{
    if (!want_args(argc, 1, 4, argv, "CODE", msg, msglen))
        return false;
    char norm[64];
    isrc_normalise(rest, norm, sizeof norm);
    if (!isrc_valid(norm)) {
        snprintf(msg, msglen, "isrc: \"%s\" — expected 12 characters like GBABC2600001 "
                 "(country, registrant, year, number)", rest);
        return false;
    }
    struct track *t = selected_track(e, msg, msglen);
    if (!t)
        return false;
    for (int i = 0; i < e->s->ntracks; i++)
        if (i != e->selected && e->s->tracks[i].isrc && strcmp(e->s->tracks[i].isrc, norm) == 0) {
            snprintf(msg, msglen, "isrc: %s is already on track %d", norm, i + 1);
            return false;
        }
    return track_key(e, "isrc", norm, msg, msglen);
}

RUN(cmd_upc)
{
    if (!want_args(argc, 1, 3, argv, "CODE", msg, msglen))
        return false;
    char digits[64];
    size_t n = 0;
    for (const char *c = rest; *c && n + 1 < sizeof digits; c++)
        if (*c != ' ' && *c != '-')
            digits[n++] = *c;
    digits[n] = 0;
    if (!upc_length_ok(digits)) {
        snprintf(msg, msglen, "upc: \"%s\" — expected 13 digits (EAN-13) or 12 (UPC-A)", rest);
        return false;
    }
    if (!upc_check_ok(digits)) {
        char ean[16];
        snprintf(ean, sizeof ean, "%s%.13s", n == 12 ? "0" : "", digits);
        snprintf(msg, msglen, "upc: \"%s\" — the check digit should be %d", rest,
                 ean13_check_digit(ean));
        return false;
    }
    return set_key(e, SECTION_ALBUM, "upc", digits, msg, msglen);
}

RUN(cmd_note)
{
    struct track *t = selected_track(e, msg, msglen);
    if (!t)
        return false;
    if (!*rest) {
        snprintf(msg, msglen, "usage: note TEXT");
        return false;
    }
    const struct section_def *d = section_def_of(SECTION_TRACK);
    return key_parse(&d->keys[section_key_find(d, "note")], t, rest, msg, msglen) &&
           snprintf(msg, msglen, "note added to track %d", e->selected + 1) > 0;
}

RUN(cmd_set)
{
    if (argc < 2) {
        snprintf(msg, msglen, "usage: set KEY VALUE (on the selected track, or album.KEY)");
        return false;
    }
    const char *key = argv[1];
    const char *value = rest + strlen(argv[1]);
    value += strspn(value, " \t");
    if (strncmp(key, "album.", 6) == 0)
        return set_key(e, SECTION_ALBUM, key + 6, value, msg, msglen);
    if (strncmp(key, "master.", 7) == 0)
        return set_key(e, SECTION_MASTER, key + 7, value, msg, msglen);
    if (e->selected == SELECT_ALBUM)
        return set_key(e, SECTION_ALBUM, key, value, msg, msglen);
    return set_key(e, SECTION_TRACK, key, value, msg, msglen);
}

RUN(cmd_unset)
{
    if (!want_args(argc, 1, 1, argv, "KEY", msg, msglen))
        return false;
    const char *key = argv[1];
    if (strncmp(key, "master.", 7) == 0)
        return set_key(e, SECTION_MASTER, key + 7, "", msg, msglen);
    if (strncmp(key, "album.", 6) == 0 || e->selected == SELECT_ALBUM)
        return set_key(e, SECTION_ALBUM, strncmp(key, "album.", 6) == 0 ? key + 6 : key, "",
                       msg, msglen);
    return set_key(e, SECTION_TRACK, key, "", msg, msglen);
}

static struct chain_settings *selected_chain(struct editor *e)
{
    if (e->selected == SELECT_ALBUM) {
        e->s->has_master = true;
        return &e->s->master.chain;
    }
    if (e->selected >= 0 && e->selected < e->s->ntracks)
        return &e->s->tracks[e->selected].chain;
    return NULL;
}

static const char *chain_name(const struct editor *e)
{
    static char name[32];
    if (e->selected == SELECT_ALBUM)
        return "master chain";
    snprintf(name, sizeof name, "chain of track %d", e->selected + 1);
    return name;
}

/* `eq add bell 3kHz -1dB q 1`: a processor kind's own command. */
RUN(cmd_proc)
{
    const struct proc_def *pd = proc_def_find(argv[0]);
    if (argc < 3 || strcmp(argv[1], "add") != 0) {
        snprintf(msg, msglen, "usage: %s add SETTINGS", argv[0]);
        return false;
    }
    struct chain_settings *c = selected_chain(e);
    if (!c) {
        snprintf(msg, msglen, "no track selected");
        return false;
    }
    struct proc p;
    const char *settings = rest + strlen(argv[1]);
    settings += strspn(settings, " \t");
    if (!proc_parse(&p, pd->kind, settings, msg, msglen))
        return false;
    if (!chain_settings_insert(c, c->n, &p)) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    snprintf(msg, msglen, "%s added to the %s at position %d", pd->key, chain_name(e), c->n);
    return true;
}

static bool chain_position(struct chain_settings *c, const char *word, int *pos,
                           char *msg, size_t msglen)
{
    char *end;
    long n = strtol(word, &end, 10);
    if (*end || n < 1 || n > c->n) {
        snprintf(msg, msglen, "chain: \"%s\" — expected a position from 1 to %d", word, c->n);
        return false;
    }
    *pos = (int)n - 1;
    return true;
}

RUN(cmd_chain)
{
    struct chain_settings *c = selected_chain(e);
    int pos, to;
    if (!c) {
        snprintf(msg, msglen, "no track selected");
        return false;
    }
    if (argc == 3 && strcmp(argv[1], "remove") == 0) {
        if (!chain_position(c, argv[2], &pos, msg, msglen))
            return false;
        chain_settings_remove(c, pos);
        snprintf(msg, msglen, "removed processor %d from the %s", pos + 1, chain_name(e));
        return true;
    }
    if (argc == 4 && strcmp(argv[1], "move") == 0) {
        if (!chain_position(c, argv[2], &pos, msg, msglen) ||
            !chain_position(c, argv[3], &to, msg, msglen))
            return false;
        struct proc p = c->procs[pos];
        chain_settings_remove(c, pos);
        chain_settings_insert(c, to, &p);
        snprintf(msg, msglen, "moved processor %d to %d", pos + 1, to + 1);
        return true;
    }
    if (argc >= 4 && strcmp(argv[1], "set") == 0) {
        if (!chain_position(c, argv[2], &pos, msg, msglen))
            return false;
        const char *settings = rest + strlen(argv[1]);
        settings += strspn(settings, " \t");
        settings += strlen(argv[2]);
        settings += strspn(settings, " \t");
        struct proc p;
        if (!proc_parse(&p, c->procs[pos].kind, settings, msg, msglen))
            return false;
        c->procs[pos] = p;
        snprintf(msg, msglen, "processor %d of the %s set", pos + 1, chain_name(e));
        return true;
    }
    snprintf(msg, msglen, "usage: chain remove N | chain move N M | chain set N SETTINGS");
    return false;
}

RUN(cmd_bypass)
{
    if (!want_args(argc, 0, 1, argv, "[yes|no]", msg, msglen))
        return false;
    struct chain_settings *c = selected_chain(e);
    if (!c) {
        snprintf(msg, msglen, "no track selected");
        return false;
    }
    if (argc == 1)
        c->bypass = !c->bypass;
    else if (strcmp(argv[1], "yes") == 0 || strcmp(argv[1], "no") == 0)
        c->bypass = argv[1][0] == 'y';
    else {
        snprintf(msg, msglen, "bypass: \"%s\" — expected yes or no", argv[1]);
        return false;
    }
    snprintf(msg, msglen, "%s %s", chain_name(e), c->bypass ? "bypassed" : "active");
    return true;
}

RUN(cmd_insert)
{
    if (!*rest) {
        snprintf(msg, msglen, "usage: insert FILE (a mix, relative to the session)");
        return false;
    }
    int at = e->selected < 0 ? e->s->ntracks : e->selected + 1;
    struct track *t = session_insert_track(e->s, at);
    if (!t) {
        snprintf(msg, msglen, "cannot add a track (at most %d)", SESSION_MAX_TRACKS);
        return false;
    }
    e->selected = at;
    char why[1024] = "";
    if (!set_key(e, SECTION_TRACK, "file", rest, msg, msglen) ||
        (editor_probe_hook && !editor_probe_hook(e->s, t, why, sizeof why))) {
        if (why[0])
            snprintf(msg, msglen, "insert: %s — expected a readable sound file; no track added", why);
        session_remove_track(e->s, at);
        e->selected = at - 1;
        return false;
    }
    snprintf(msg, msglen, "track %d added: %s", at + 1, e->s->tracks[at].file);
    return true;
}

RUN(cmd_remove)
{
    if (!want_args(argc, 0, 0, argv, "", msg, msglen))
        return false;
    if (!selected_track(e, msg, msglen))
        return false;
    session_remove_track(e->s, e->selected);
    snprintf(msg, msglen, "track %d removed", e->selected + 1);
    if (e->selected >= e->s->ntracks)
        e->selected = e->s->ntracks - 1;
    return true;
}

RUN(cmd_undo)
{
    return want_args(argc, 0, 0, argv, "", msg, msglen) && editor_undo(e, msg, msglen);
}

RUN(cmd_redo)
{
    return want_args(argc, 0, 0, argv, "", msg, msglen) && editor_redo(e, msg, msglen);
}

RUN(cmd_save)
{
    return want_args(argc, 0, 0, argv, "", msg, msglen) && editor_save(e, msg, msglen);
}

editor_match_fn editor_match_hook;
editor_probe_fn editor_probe_hook;

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

RUN(cmd_match)
{
    if (!want_args(argc, 0, 2, argv, "[N] [REFERENCE]", msg, msglen))
        return false;
    int a = 1, track = e->selected;
    if (argc > a && all_digits(argv[a])) {
        long n = strtol(argv[a], NULL, 10);
        if (n < 1 || n > e->s->ntracks) {
            snprintf(msg, msglen, "match: \"%s\" — expected a track from 1 to %d", argv[a],
                     e->s->ntracks);
            return false;
        }
        track = (int)n - 1;
        a++;
    }
    if (track < 0 || track >= e->s->ntracks) {
        snprintf(msg, msglen, "no track selected (match N, or select N first)");
        return false;
    }
    if (e->s->nrefs == 0) {
        snprintf(msg, msglen, "the session has no [reference] to match (add one with file = ...)");
        return false;
    }
    int ref = 0;
    if (argc > a) {
        ref = session_find_reference(e->s, argv[a]);
        if (ref < 0 || argc > a + 1) {
            snprintf(msg, msglen, "match: no reference \"%s\" (its name, file or number 1 to %d)",
                     argv[a], e->s->nrefs);
            return false;
        }
    }
    if (!editor_match_hook) {
        snprintf(msg, msglen, "match needs the audio layer, which this program did not load");
        return false;
    }
    struct proc eq[6];
    int n = 0;
    if (!editor_match_hook(e->s, track, ref, eq, &n, msg, msglen))
        return false;
    const char *rname = e->s->refs[ref].name ? e->s->refs[ref].name : e->s->refs[ref].file;
    e->selected = track;
    if (n == 0) {
        snprintf(msg, msglen, "track %d already matches %s: no EQ needed", track + 1, rname);
        return true;
    }
    struct chain_settings *c = &e->s->tracks[track].chain;
    for (int i = 0; i < n; i++)
        if (!chain_settings_insert(c, c->n, &eq[i])) {
            while (i-- > 0)
                chain_settings_remove(c, c->n - 1);
            snprintf(msg, msglen, "out of memory");
            return false;
        }
    size_t used = (size_t)snprintf(msg, msglen, "track %d towards %s: %d EQ band%s added:", track + 1,
                                   rname, n, n == 1 ? "" : "s");
    for (int i = 0; i < n && used < msglen; i++) {
        char text[128];
        proc_format(&eq[i], text, sizeof text);
        used += (size_t)snprintf(msg + used, msglen - used, "%s eq %s", i ? ";" : "", text);
    }
    return true;
}

RUN(cmd_help)
{
    size_t used = 0;
    for (const struct command *c = editor_commands(); c->name && used < msglen; c++)
        used += (size_t)snprintf(msg + used, msglen - used, "%s%s", used ? " " : "", c->name);
    return true;
}

static const struct command commands[] = {
    { "select", "N|album|master", "select a track, or the album and master chain", cmd_select, false },
    { "move", "up|down|to N", "move the selected track in the album", cmd_move, true },
    { "gap", "TIME", "silence before the track (replaces a crossfade)", cmd_gap, true },
    { "gap-by", "+TIME|-TIME", "lengthen or shorten the gap", cmd_gap_by, true },
    { "crossfade", "TIME", "overlap with the previous track (replaces the gap)", cmd_crossfade, true },
    { "gain", "LEVEL", "track gain, like -0.5dB", cmd_gain, true },
    { "gain-by", "+LEVEL|-LEVEL", "raise or lower the track gain", cmd_gain_by, true },
    { "fade-in", "LENGTH [CURVE]", "fade in: length and linear, sine or log", cmd_fade, true },
    { "fade-out", "LENGTH [CURVE]", "fade out: length and linear, sine or log", cmd_fade, true },
    { "trim", "IN [OUT]", "in and out points in the mix", cmd_trim, true },
    { "title", "TEXT", "title of the track, or of the album when it is selected", cmd_text, true },
    { "performer", "TEXT", "performer of the track or album", cmd_text, true },
    { "songwriter", "TEXT", "songwriter of the track or album", cmd_text, true },
    { "composer", "TEXT", "composer of the track or album", cmd_text, true },
    { "arranger", "TEXT", "arranger of the track or album", cmd_text, true },
    { "message", "TEXT", "CD-Text message of the track or album", cmd_text, true },
    { "isrc", "CODE", "the track's ISRC, like GBABC2600001", cmd_isrc, true },
    { "upc", "CODE", "the album's UPC/EAN (12 or 13 digits)", cmd_upc, true },
    { "note", "TEXT", "add a note to the track", cmd_note, true },
    { "set", "KEY VALUE", "set any session key of the track (album.KEY, master.KEY for those)", cmd_set, true },
    { "unset", "KEY", "remove a key from the track (album.KEY, master.KEY for those)", cmd_unset, true },
    { "eq", "add SETTINGS", "add an EQ band to the chain: eq add bell 3kHz -1dB q 1", cmd_proc, true },
    { "comp", "add SETTINGS", "add a compressor to the chain", cmd_proc, true },
    { "multiband", "add SETTINGS", "add a multiband compressor to the chain", cmd_proc, true },
    { "width", "add SETTINGS", "add a width stage to the chain", cmd_proc, true },
    { "limit", "add SETTINGS", "add a true-peak limiter to the chain", cmd_proc, true },
    { "chain", "remove N|move N M|set N SETTINGS", "edit the selected chain", cmd_chain, true },
    { "bypass", "[yes|no]", "bypass the selected chain", cmd_bypass, true },
    { "match", "[N] [REFERENCE]", "add a gentle EQ (<= 6 bands, +-3dB) moving track N towards the reference's tonal balance", cmd_match, true },
    { "insert", "FILE", "add a track after the selected one", cmd_insert, true },
    { "remove", "", "remove the selected track", cmd_remove, true },
    { "undo", "", "undo the last edit", cmd_undo, false },
    { "redo", "", "redo what was undone", cmd_redo, false },
    { "save", "", "save the session (atomically)", cmd_save, false },
    { "help", "", "list the commands", cmd_help, false },
    { NULL, NULL, NULL, NULL, false },
};

const struct command *editor_commands(void)
{
    return commands;
}

const struct command *editor_command_find(const char *name)
{
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}
