/* SPDX-License-Identifier: MIT */
/* A property of the command layer: whatever a command is given (huge, tiny,
 * negative, non-finite, hex, empty, very long, units missing or wrong), an
 * accepted edit leaves a session that reads back to the same text, and a
 * refused one leaves the session as it was. Every command of the editor's
 * table and every key of the session's tables is tried; none is listed here. */
#include <stdlib.h>

#include "session/editor.h"
#include "session/keys.h"
#include "session/params.h"
#include "session/sessfile.h"
#include "tests/harness.h"

/* A small session with what the commands act on: three tracks, a chain with
 * a band at 5 kHz (so a lower album rate must be refused), a reference. */
static const char *text =
    "[album]\ntitle = A\nrate = 48000\nrevision = 3\n\n"
    "[master]\nlimit = ceiling -1dBTP\n\n"
    "[track]\nfile = 1.wav\ntitle = One\ngap = 2s\neq = bell 5kHz -1dB q 1\n\n"
    "[track]\nfile = 2.wav\ntitle = Two\ngap = 2s\ncomp = threshold -20dB ratio 2\n\n"
    "[track]\nfile = 3.wav\ntitle = Three\n\n"
    "[reference]\nfile = ref.wav\n\n"
    "[output cd]\nformat = wav\nrate = 44100\nbits = 16\n";

static const char *const numbers[] = {
    "1e300", "99999999999", "1e-300", "-1", "0", "nan", "inf", "-inf", "0x1F40",
    "-1e300", "3599", "1000000", "1e308", "", NULL
};
static const char *const units[] = {
    "", "s", "ms", "smp", "dB", "dBTP", " LUFS", "Hz", "kHz", "%", ":00", "wat", NULL
};

static int cases, accepted;
static char *very_long;

/* Runs `line` on a fresh editor with `select` made first, then checks the
 * property. */
static void try_line(const char *select, const char *line)
{
    char err[512], msg[1024];
    struct session *s = session_parse(text, strlen(text), "t.lathe", err, sizeof err);
    if (!s) {
        CHECK_MSG(false, "the test session does not load: %s", err);
        return;
    }
    struct editor *e = editor_new(s);
    editor_run(e, select, msg, sizeof msg);
    char *before = session_format(e->s);
    bool ok = editor_run(e, line, msg, sizeof msg);
    char *after = session_format(e->s);
    cases++;
    if (!ok) {
        CHECK_MSG(strcmp(before, after) == 0, "refused \"%.80s\" (%s) changed the session", line, msg);
    } else {
        accepted++;
        CHECK_MSG(strlen(after) <= SESSION_MAX_BYTES, "\"%.80s\" made the session too large", line);
        struct session *back = session_parse(after, strlen(after), "t.lathe", err, sizeof err);
        CHECK_MSG(back != NULL, "after \"%.80s\" (%s) the session does not read back: %s",
                  line, msg, err);
        if (back) {
            char *again = session_format(back);
            CHECK_MSG(strcmp(again, after) == 0, "after \"%.80s\" the session reads back "
                      "differently:\n%s---\n%s", line, after, again);
            free(again);
            session_free(back);
        }
    }
    free(before);
    free(after);
    editor_free(e);
}

/* `head` followed by each extreme value, with and without each unit. */
static void try_values(const char *select, const char *head)
{
    char line[512];
    for (int n = 0; numbers[n]; n++)
        for (int u = 0; units[u]; u++) {
            const char *signs[] = { "", "+", "-" };
            for (int g = 0; g < 3; g++) {
                snprintf(line, sizeof line, "%s %s%s%s", head, signs[g], numbers[n], units[u]);
                try_line(select, line);
            }
        }
    size_t n = strlen(head) + strlen(very_long) + 2;
    char *long_line = malloc(n);
    snprintf(long_line, n, "%s %s", head, very_long);
    try_line(select, long_line);
    free(long_line);
}

/* The literal words of a usage ("up|down|to N" gives up, down, to): the
 * sub-commands, read from the table rather than listed here. */
static int usage_words(const char *args, char words[][32], int max)
{
    int n = 0;
    for (const char *p = args; *p && n < max;) {
        size_t len = strcspn(p, " |[]");
        if (len > 0 && len < 32 && p[0] >= 'a' && p[0] <= 'z') {
            memcpy(words[n], p, len);
            words[n++][len] = 0;
        }
        p += len;
        p += strspn(p, " |[]");
    }
    return n;
}

/* A processor line's required positional values at their defaults ("bell
 * 1kHz"), so that a keyed parameter after them is what is tried. */
static void positional_prefix(const struct proc_def *pd, char *out, size_t len)
{
    size_t used = 0;
    out[0] = 0;
    for (int p = 0; p < pd->nparams && used < len; p++) {
        const struct param_def *q = &pd->params[p];
        if (!q->positional || q->optional)
            break;
        char v[64];
        param_format_value(q->unit, q->choices, q->def, v, sizeof v);
        used += (size_t)snprintf(out + used, len - used, " %s", v);
    }
}

static void try_command(const char *select, const struct command *c)
{
    char head[320], words[8][32];
    try_line(select, c->name);
    try_values(select, c->name);
    int nwords = usage_words(c->args, words, 8);
    for (int i = 0; i < nwords; i++) {
        snprintf(head, sizeof head, "%s %s", c->name, words[i]);
        try_values(select, head);
        snprintf(head, sizeof head, "%s %s 1", c->name, words[i]);  /* chain set 1 ... */
        try_values(select, head);
    }
    /* a processor's own command: every parameter of its table */
    const struct proc_def *pd = proc_def_find(c->name);
    if (pd) {
        char prefix[128];
        positional_prefix(pd, prefix, sizeof prefix);
        for (int p = 0; p < pd->nparams; p++) {
            snprintf(head, sizeof head, "%s add%s %s", c->name, prefix, pd->params[p].key);
            try_values(select, head);
        }
    }
}

/* `set` and `unset` on every key of every section the command reaches. */
static void try_keys(const char *select)
{
    static const struct { enum section_kind kind; const char *prefix; } reach[] = {
        { SECTION_TRACK, "" }, { SECTION_ALBUM, "album." }, { SECTION_MASTER, "master." },
    };
    char head[256];
    for (size_t r = 0; r < sizeof reach / sizeof reach[0]; r++) {
        const struct section_def *d = section_def_of(reach[r].kind);
        for (int k = 0; k < d->nkeys; k++) {
            snprintf(head, sizeof head, "set %s%s", reach[r].prefix, d->keys[k].key);
            try_values(select, head);
            snprintf(head, sizeof head, "unset %s%s", reach[r].prefix, d->keys[k].key);
            try_line(select, head);
        }
    }
}

TEST(every_command_with_extreme_arguments_reads_back)
{
    very_long = malloc(70001);
    memset(very_long, '9', 70000);
    very_long[70000] = 0;
    static const char *const selects[] = { "select 1", "select 2", "select album", NULL };
    for (int s = 0; selects[s]; s++) {
        for (const struct command *c = editor_commands(); c->name; c++)
            try_command(selects[s], c);
        try_keys(selects[s]);
    }
    printf("    %d command lines, %d accepted\n", cases, accepted);
    CHECK(accepted > 100);      /* the property was tried on real edits */
    free(very_long);
}

/* The cases of issue 16 by name, so a failure says which. */
TEST(edits_past_the_readers_limits_are_refused)
{
    char err[256], msg[512];
    const char *cases_refused[][2] = {
        { "select 1", "gap-by +3599s" },        /* wrote gap = 60:01 */
        { "select 1", "gap-by +1e300s" },       /* an undefined cast */
        { "select 1", "gain-by +1e300dB" },
        { "select album", "set album.rate 8000" },  /* track 1 has a band at 5 kHz */
        { "select 1", "eq add bell 30kHz -1dB" },   /* above 24 kHz at 48 kHz */
        { "select album", "set album.rate 0x1F40" },
    };
    for (size_t i = 0; i < sizeof cases_refused / sizeof cases_refused[0]; i++) {
        struct session *s = session_parse(text, strlen(text), "t.lathe", err, sizeof err);
        struct editor *e = editor_new(s);
        editor_run(e, cases_refused[i][0], msg, sizeof msg);
        CHECK_MSG(!editor_run(e, cases_refused[i][1], msg, sizeof msg),
                  "\"%s\" was accepted", cases_refused[i][1]);
        editor_free(e);
    }
}
