/* SPDX-License-Identifier: MIT */
/* The session file reader and writer. The writer walks each section's
 * layout, so comments, blank lines and a hand-written key order survive a
 * load and save; lines whose value did not change are written as read. */
#include "session/sessfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/codes.h"
#include "session/grow.h"
#include "session/keys.h"
#include "session/nameset.h"
#include "session/regfile.h"

/* ---- a growing string ---- */

struct buf {
    char *data;
    size_t len, cap;
    bool failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void buf_line(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
    buf_add(b, "\n", 1);
}

/* ---- layout helpers ---- */

static bool items_push(struct layout_item **items, int *n, const struct layout_item *it)
{
    if (!grow_for_one((void **)items, *n, sizeof **items))
        return false;
    (*items)[(*n)++] = *it;
    return true;
}

static void *section_struct(struct session *s, enum section_kind kind, int index)
{
    switch (kind) {
    case SECTION_LATHE: return &s->lathe;
    case SECTION_ALBUM: return &s->album;
    case SECTION_MASTER: return &s->master;
    case SECTION_TRACK: return &s->tracks[index];
    case SECTION_REFERENCE: return &s->refs[index];
    case SECTION_OUTPUT: return &s->outputs[index];
    }
    return NULL;
}

static struct layout *layout_of(const struct section_def *d, void *sec)
{
    return (struct layout *)((char *)sec + d->layout_offset);
}

static struct chain_settings *chain_of(const struct section_def *d, void *sec)
{
    return d->has_chain ? (struct chain_settings *)((char *)sec + d->chain_offset) : NULL;
}

/* ---- reading ---- */

struct reader {
    struct session *s;
    const char *name;
    int line;
    char *err;
    size_t errlen;
    const struct section_def *def;  /* current section, NULL before the first */
    void *sec;
    int header_line[SECTION_OUTPUT + 1];
    struct layout_item *pending;    /* text lines not yet given to a section */
    int npending;
    int *key_line;                  /* per key of the current section: line given */
    size_t pending_len, pending_cap;    /* the last pending text run's raw: length, room */
    struct nameset outputs;         /* the [output] names read so far */
};

static bool rfail(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool rfail(struct reader *r, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s:%d: %s", r->name, r->line, msg);
    return false;
}

/* Splits "value   # comment" into value and comment. A `#` starts a comment
 * when white space precedes it and it is not inside a quoted value. */
static char *split_comment(char *v)
{
    bool quoted = *v == '"';
    for (char *c = v + (quoted ? 1 : 0); *c; c++) {
        if (quoted) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '"')
                quoted = false;
            continue;
        }
        if (*c == '#' && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
            char *start = c;
            while (start > v && (start[-1] == ' ' || start[-1] == '\t'))
                start--;
            return start;
        }
    }
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = 0;
    return s;
}

/* Removes quotes and their escapes in place; false if unbalanced. */
static bool unquote(char *v)
{
    size_t n = strlen(v);
    if (n == 0 || v[0] != '"')
        return true;
    if (n < 2 || v[n - 1] != '"')
        return false;
    char *out = v;
    for (size_t i = 1; i < n - 1; i++) {
        if (v[i] == '\\' && i + 1 < n - 1)
            i++;
        else if (v[i] == '"')
            return false;
        *out++ = v[i];
    }
    *out = 0;
    return true;
}

/* Consecutive comment and blank lines are kept as one text item, its lines
 * joined by '\n': an item and an allocation per line made a file of short
 * comment lines take fifty times its size in memory. */
static bool add_pending(struct reader *r, const char *raw)
{
    size_t n = strlen(raw);
    if (r->npending && r->pending_cap) {
        struct layout_item *last = &r->pending[r->npending - 1];
        size_t used = r->pending_len;
        if (used + n + 2 > r->pending_cap) {
            size_t cap = r->pending_cap * 2;
            while (cap < used + n + 2)
                cap *= 2;
            char *grown = realloc(last->raw, cap);
            if (!grown)
                return rfail(r, "out of memory");
            last->raw = grown;
            r->pending_cap = cap;
        }
        last->raw[used] = '\n';
        memcpy(last->raw + used + 1, raw, n + 1);
        r->pending_len = used + 1 + n;
        return true;
    }
    struct layout_item it = { .kind = ITEM_TEXT, .raw = strdup(raw) };
    if (!it.raw || !items_push(&r->pending, &r->npending, &it)) {
        free(it.raw);
        return rfail(r, "out of memory");
    }
    r->pending_len = n;
    r->pending_cap = n + 1;
    return true;
}

/* Text lines read since the last key belong to the section that follows:
 * they usually introduce it. */
static void flush_pending_into(struct reader *r, struct layout_item **items, int *n)
{
    for (int i = 0; i < r->npending; i++)
        if (!items_push(items, n, &r->pending[i]))
            free(r->pending[i].raw);
    free(r->pending);
    r->pending = NULL;
    r->npending = 0;
    r->pending_len = r->pending_cap = 0;
}

static bool push_order(struct session *s, enum section_kind kind)
{
    if (!grow_for_one((void **)&s->order, s->norder, sizeof *s->order))
        return false;
    s->order[s->norder++] = kind;
    return true;
}

static bool valid_output_name(const char *n)
{
    if (!*n || strlen(n) > 32)
        return false;
    for (const char *c = n; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_'))
            return false;
    return true;
}

static bool read_header(struct reader *r, char *line, const char *raw)
{
    char *close = strchr(line, ']');
    if (!close)
        return rfail(r, "\"%s\" — expected a section header like [track]", raw);
    *close = 0;
    char *rest = trim(close + 1);
    if (*rest && *rest != '#')
        return rfail(r, "\"%s\" — expected nothing after the section header but a # comment", raw);
    char *name = trim(line + 1);
    char *arg = NULL;
    char *space = strpbrk(name, " \t");
    if (space) {
        *space = 0;
        arg = trim(space + 1);
    }
    const struct section_def *d = section_def_find(name);
    if (!d)
        return rfail(r, "unknown section [%s] — expected [album], [master], [track], "
                        "[reference] or [output NAME]", name);
    if ((d->kind == SECTION_OUTPUT) != (arg != NULL)) {
        if (d->kind == SECTION_OUTPUT)
            return rfail(r, "[output] needs a name — expected a header like [output cd]");
        return rfail(r, "[%s %s] — expected [%s] without a name", name, arg, name);
    }
    struct session *s = r->s;
    int index = 0;
    switch (d->kind) {
    case SECTION_LATHE: case SECTION_ALBUM: case SECTION_MASTER:
        if (r->header_line[d->kind])
            return rfail(r, "[%s] given twice (first at line %d)", name, r->header_line[d->kind]);
        if (d->kind == SECTION_LATHE)
            s->has_lathe = true;
        else if (d->kind == SECTION_ALBUM)
            s->has_album = true;
        else
            s->has_master = true;
        break;
    case SECTION_TRACK:
        if (s->ntracks >= SESSION_MAX_TRACKS)
            return rfail(r, "more than %d tracks", SESSION_MAX_TRACKS);
        if (!session_insert_track(s, s->ntracks))
            return rfail(r, "out of memory");
        index = s->ntracks - 1;
        break;
    case SECTION_REFERENCE:
        if (!session_add_reference(s))
            return rfail(r, "out of memory");
        index = s->nrefs - 1;
        break;
    case SECTION_OUTPUT:
        if (!valid_output_name(arg))
            return rfail(r, "[output %s] — expected a name of letters, digits, - and _", arg);
        if (!session_add_output(s, arg))
            return rfail(r, "out of memory");
        index = s->noutputs - 1;
        /* a hash set: a linear search per header made 100,000 outputs
         * take minutes to load */
        bool oom;
        if (!nameset_add(&r->outputs, s->outputs[index].name, &oom))
            return rfail(r, oom ? "out of memory" : "[output %s] given twice", arg);
        break;
    }
    if (!r->header_line[d->kind])
        r->header_line[d->kind] = r->line;
    if (!push_order(s, d->kind))
        return rfail(r, "out of memory");
    r->def = d;
    r->sec = section_struct(s, d->kind, index);
    struct layout *l = layout_of(d, r->sec);
    l->loaded = true;
    l->header_raw = strdup(raw);
    flush_pending_into(r, &l->lead, &l->nlead);
    free(r->key_line);
    r->key_line = calloc((size_t)d->nkeys + 1, sizeof *r->key_line);
    if (!l->header_raw || !r->key_line)
        return rfail(r, "out of memory");
    return true;
}

static bool read_key(struct reader *r, char *line, const char *raw)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return rfail(r, "\"%s\" — expected key = value, a [section] or a # comment", raw);
    *eq = 0;
    char *key = trim(line);
    char *value = eq + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    char *comment_at = split_comment(value);
    char *comment = NULL;
    if (comment_at) {
        comment = strdup(comment_at);
        *comment_at = 0;
    }
    value = trim(value);
    if (!r->def) {
        free(comment);
        return rfail(r, "%s: outside a section — expected a [section] header first", key);
    }
    if (!unquote(value)) {
        free(comment);
        return rfail(r, "%s: unbalanced quotes — expected \"text\"", key);
    }
    if (!*value) {
        free(comment);
        return rfail(r, "%s: no value — give one, or leave the line out", key);
    }
    const struct section_def *d = r->def;
    struct layout *l = layout_of(d, r->sec);
    struct layout_item it = { .raw = strdup(raw), .comment = comment };
    char canon[4096];
    char msg[512];
    int k = section_key_find(d, key);
    const struct proc_def *pd = d->has_chain ? proc_def_find(key) : NULL;
    if (k >= 0) {
        const struct key_def *kd = &d->keys[k];
        bool repeatable = kd->type == KT_TIME_LIST || kd->type == KT_TEXT_LIST;
        if (r->key_line[k] && !repeatable) {
            free(it.raw);
            free(comment);
            return rfail(r, "%s given twice in this [%s] (first at line %d)", key, d->name,
                         r->key_line[k]);
        }
        r->key_line[k] = r->line;
        if (!key_parse(kd, r->sec, value, msg, sizeof msg)) {
            free(it.raw);
            free(comment);
            return rfail(r, "%s", msg);
        }
        if (d->kind == SECTION_LATHE && r->s->lathe.version > SESSION_VERSION) {
            free(it.raw);
            free(comment);
            /* before anything newer in the file trips an error of its own */
            return rfail(r, "made by a newer lathe (session version %d; this lathe reads version %d) "
                            "— open it with a newer lathe", r->s->lathe.version, SESSION_VERSION);
        }
        it.kind = ITEM_KEY;
        it.key = k;
        it.occurrence = key_count(kd, r->sec) - 1;
        key_format(kd, r->sec, it.occurrence, canon, sizeof canon);
    } else if (pd) {
        struct proc p;
        if (!proc_parse(&p, pd->kind, value, msg, sizeof msg)) {
            free(it.raw);
            free(comment);
            return rfail(r, "%s", msg);
        }
        struct chain_settings *c = chain_of(d, r->sec);
        if (!chain_settings_insert(c, c->n, &p)) {
            free(it.raw);
            free(comment);
            return rfail(r, "out of memory");
        }
        it.kind = ITEM_PROC;
        it.key = (int)pd->kind;
        proc_format(&p, canon, sizeof canon);
    } else {
        free(it.raw);
        free(comment);
        const char *hint = section_key_suggest(d, key);
        if (hint)
            return rfail(r, "unknown key \"%s\" in [%s] — did you mean \"%s\"?", key, d->name, hint);
        return rfail(r, "unknown key \"%s\" in [%s]", key, d->name);
    }
    it.canon = strdup(canon);
    flush_pending_into(r, &l->items, &l->nitems);
    if (!it.raw || !it.canon || !items_push(&l->items, &l->nitems, &it)) {
        free(it.raw);
        free(it.canon);
        free(it.comment);
        return rfail(r, "out of memory");
    }
    return true;
}

static bool check_sections(struct reader *r)
{
    struct session *s = r->s;
    if (s->lathe.version > SESSION_VERSION) {
        r->line = r->header_line[SECTION_LATHE];
        return rfail(r, "made by a newer lathe (session version %d; this lathe reads version %d) "
                        "— open it with a newer lathe", s->lathe.version, SESSION_VERSION);
    }
    for (int i = 0; i < s->ntracks; i++)
        if (!s->tracks[i].file) {
            snprintf(r->err, r->errlen, "%s: track %d has no file — expected a line like file = mixes/01.wav",
                     r->name, i + 1);
            return false;
        }
    for (int i = 0; i < s->noutputs; i++)
        if (!s->outputs[i].has_format) {
            snprintf(r->err, r->errlen, "%s: [output %s] has no format — expected a line like "
                     "format = flac (ddp, cue, toc, wav, flac, aiff, mp3, ogg or review)", r->name,
                     s->outputs[i].name);
            return false;
        }
    for (int i = 0; i < s->nrefs; i++)
        if (!s->refs[i].file) {
            snprintf(r->err, r->errlen, "%s: reference %d has no file", r->name, i + 1);
            return false;
        }
    return session_check_limits(s, r->name, r->err, r->errlen);
}

struct session *session_parse(const char *text, size_t len, const char *name,
                              char *err, size_t errlen)
{
    struct reader r = { .name = name, .err = err, .errlen = errlen };
    r.s = session_new();
    if (!r.s) {
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    /* A UTF-8 byte order mark is accepted and not written back. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    char *line = malloc(SESSION_MAX_LINE + 1);
    char *raw = malloc(SESSION_MAX_LINE + 1);
    bool ok = line && raw;
    if (!ok)
        snprintf(err, errlen, "%s: out of memory", name);
    size_t pos = 0;
    while (ok && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        r.line++;
        if (n > SESSION_MAX_LINE) {
            ok = rfail(&r, "line longer than %d bytes — is this a session file?", SESSION_MAX_LINE);
            break;
        }
        memcpy(raw, text + pos, n);
        raw[n] = 0;
        pos += n + (nl ? 1 : 0);
        if (n && raw[n - 1] == '\r')    /* CRLF files are read; LF is written */
            raw[--n] = 0;
        if (memchr(raw, 0, n) || !text_utf8_ok(raw, n)) {
            ok = rfail(&r, "not UTF-8 text — is this a session file?");
            break;
        }
        for (size_t i = 0; i < n && ok; i++)
            if ((unsigned char)raw[i] < 0x20 && raw[i] != '\t')
                ok = rfail(&r, "control character 0x%02x — is this a session file?", raw[i]);
        if (!ok)
            break;
        memcpy(line, raw, n + 1);
        char *t = trim(line);
        if (*t == 0 || *t == '#')
            ok = add_pending(&r, raw);
        else if (*t == '[')
            ok = read_header(&r, t, raw);
        else
            ok = read_key(&r, t, raw);
    }
    free(line);
    free(raw);
    free(r.key_line);
    nameset_free(&r.outputs);
    if (ok) {
        r.s->tail = r.pending;
        r.s->ntail = r.npending;
        r.pending = NULL;
        r.npending = 0;
        ok = check_sections(&r);
    }
    for (int i = 0; i < r.npending; i++)
        free(r.pending[i].raw);
    free(r.pending);
    if (!ok) {
        session_free(r.s);
        return NULL;
    }
    return r.s;
}

struct session *session_load(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file — expected a session file", path);
        return NULL;
    }
    if (st.st_size > SESSION_MAX_BYTES) {
        snprintf(err, errlen, "%s: %lld bytes — too large for a session file", path,
                 (long long)st.st_size);
        return NULL;
    }
    /* what was checked above could be swapped for a FIFO before the open */
    FILE *f = regfile_fopen(path, 0, err, errlen);
    if (!f)
        return NULL;
    size_t cap = (size_t)st.st_size + 1;
    char *text = malloc(cap);
    if (!text) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    size_t n = fread(text, 1, cap, f);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error || n > (size_t)st.st_size) {
        free(text);
        snprintf(err, errlen, "%s: %s", path, read_error ? "read error" : "file changed while reading");
        return NULL;
    }
    struct session *s = session_parse(text, n, path, err, errlen);
    if (s)
        s->disk = (struct session_disk){ true, session_disk_hash(text, n), (int64_t)n };
    free(text);
    if (s && !str_set(&s->path, path)) {
        session_free(s);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    return s;
}

/* ---- writing ---- */

#define MAX_SECTION_KEYS 64

static bool needs_quotes(const char *v)
{
    size_t n = strlen(v);
    return n && (v[0] == '"' || v[0] == ' ' || v[n - 1] == ' ' || strstr(v, " #") ||
                 strstr(v, "\t#") || v[0] == '#');
}

static void write_key_line(struct buf *b, const struct key_def *kd, const char *canon,
                           const char *comment)
{
    buf_add(b, kd->key, strlen(kd->key));
    buf_add(b, " = ", 3);
    bool text = kd->type == KT_TEXT || kd->type == KT_TEXT_LIST;
    if (text && needs_quotes(canon)) {
        buf_add(b, "\"", 1);
        for (const char *c = canon; *c; c++) {
            if (*c == '"' || *c == '\\')
                buf_add(b, "\\", 1);
            buf_add(b, c, 1);
        }
        buf_add(b, "\"", 1);
    } else {
        buf_add(b, canon, strlen(canon));
    }
    if (comment)
        buf_add(b, comment, strlen(comment));
    buf_add(b, "\n", 1);
}

static void write_proc_line(struct buf *b, const struct proc *p, const char *canon,
                            const char *comment)
{
    const char *key = proc_def_of(p->kind)->key;
    buf_add(b, key, strlen(key));
    buf_add(b, " = ", 3);
    buf_add(b, canon, strlen(canon));
    if (comment)
        buf_add(b, comment, strlen(comment));
    buf_add(b, "\n", 1);
}

static void write_key_value(struct buf *b, const struct key_def *kd, const void *sec,
                            int occ, const struct layout_item *it)
{
    char canon[4096];
    key_format(kd, sec, occ, canon, sizeof canon);
    if (it && it->canon && strcmp(it->canon, canon) == 0)
        buf_line(b, it->raw);
    else
        write_key_line(b, kd, canon, it ? it->comment : NULL);
}

/* Keys that have a value but no line yet, in table order. */
static void write_new_keys(struct buf *b, const struct section_def *d, const void *sec,
                           const bool *in_layout)
{
    for (int k = 0; k < d->nkeys; k++) {
        const struct key_def *kd = &d->keys[k];
        if (in_layout[k] || key_is_default(kd, sec))
            continue;
        int count = key_count(kd, sec);
        for (int occ = 0; occ < count; occ++)
            write_key_value(b, kd, sec, occ, NULL);
    }
}

static bool last_line_blank(const struct buf *b)
{
    return b->len == 0 || (b->len >= 2 && b->data[b->len - 1] == '\n' && b->data[b->len - 2] == '\n');
}

static void write_section(struct buf *b, const struct section_def *d, const void *sec,
                          const char *output_name)
{
    const struct layout *l = (const struct layout *)((const char *)sec + d->layout_offset);
    const struct chain_settings *c = d->has_chain
        ? (const struct chain_settings *)((const char *)sec + d->chain_offset) : NULL;
    for (int i = 0; i < l->nlead; i++)
        buf_line(b, l->lead[i].raw);
    if (!l->nlead && !last_line_blank(b))
        buf_add(b, "\n", 1);
    if (l->loaded && l->header_raw) {
        buf_line(b, l->header_raw);
    } else if (output_name) {
        buf_add(b, "[output ", 8);
        buf_add(b, output_name, strlen(output_name));
        buf_line(b, "]");
    } else {
        buf_add(b, "[", 1);
        buf_add(b, d->name, strlen(d->name));
        buf_line(b, "]");
    }
    bool in_layout[MAX_SECTION_KEYS] = { false };
    int last_item_of[MAX_SECTION_KEYS];
    int last_proc_item = -1, proc_slot = 0;
    for (int k = 0; k < d->nkeys; k++)
        last_item_of[k] = -1;
    for (int i = 0; i < l->nitems; i++) {
        if (l->items[i].kind == ITEM_KEY) {
            in_layout[l->items[i].key] = true;
            last_item_of[l->items[i].key] = i;
        } else if (l->items[i].kind == ITEM_PROC) {
            last_proc_item = i;
        }
    }
    char canon[4096];
    bool appended = false;
    for (int i = 0; i < l->nitems; i++) {
        const struct layout_item *it = &l->items[i];
        if (it->kind == ITEM_PROC && !appended) {
            /* keys set since go before the chain, as in a new file */
            write_new_keys(b, d, sec, in_layout);
            appended = true;
        }
        if (it->kind == ITEM_TEXT) {
            buf_line(b, it->raw);
        } else if (it->kind == ITEM_KEY) {
            const struct key_def *kd = &d->keys[it->key];
            int count = key_count(kd, sec);
            if (it->occurrence < count)
                write_key_value(b, kd, sec, it->occurrence, it);
            if (i == last_item_of[it->key])     /* values added since the file was read */
                for (int occ = it->occurrence + 1; occ < count; occ++)
                    write_key_value(b, kd, sec, occ, NULL);
        } else {
            if (proc_slot < c->n) {
                proc_format(&c->procs[proc_slot], canon, sizeof canon);
                if (it->key == (int)c->procs[proc_slot].kind && strcmp(it->canon, canon) == 0)
                    buf_line(b, it->raw);
                else
                    write_proc_line(b, &c->procs[proc_slot], canon, it->comment);
            }
            proc_slot++;
            if (i == last_proc_item)
                for (; proc_slot < c->n; proc_slot++) {
                    proc_format(&c->procs[proc_slot], canon, sizeof canon);
                    write_proc_line(b, &c->procs[proc_slot], canon, NULL);
                }
        }
    }
    /* keys set since, in table order, then a chain the layout never had */
    if (!appended)
        write_new_keys(b, d, sec, in_layout);
    if (c && last_proc_item < 0)
        for (int p = 0; p < c->n; p++) {
            proc_format(&c->procs[p], canon, sizeof canon);
            write_proc_line(b, &c->procs[p], canon, NULL);
        }
}

char *session_format(const struct session *s)
{
    struct buf b = { 0 };
    int seen_track = 0, seen_ref = 0, seen_out = 0;
    /* sections the file had are written where they stood; new ones where a
     * new file has them, before the first track, reference or output */
    bool done_lathe = false, done_album = false, done_master = false;
    for (int i = 0; i < s->norder; i++) {
        done_lathe |= s->order[i] == SECTION_LATHE;
        done_album |= s->order[i] == SECTION_ALBUM;
        done_master |= s->order[i] == SECTION_MASTER;
    }
    bool file_lathe = done_lathe, file_album = done_album, file_master = done_master;
    struct session *ms = (struct session *)s;  /* section_struct takes a non-const */
    /* Sections in file order; what the file did not have goes where a new
     * file would put it. */
    int norder = s->norder;
    for (int i = 0; i <= norder; i++) {
        int kind = i < norder ? s->order[i] : -1;
        /* before the first track (or at the end): sections a new file has up front */
        if (kind == SECTION_TRACK || kind == SECTION_REFERENCE || kind == SECTION_OUTPUT || kind < 0) {
            if (!done_lathe && s->has_lathe) {
                write_section(&b, section_def_of(SECTION_LATHE), &s->lathe, NULL);
                done_lathe = true;
            }
            if (!done_album && s->has_album) {
                write_section(&b, section_def_of(SECTION_ALBUM), &s->album, NULL);
                done_album = true;
            }
            if (!done_master && s->has_master) {
                write_section(&b, section_def_of(SECTION_MASTER), &s->master, NULL);
                done_master = true;
            }
        }
        if (kind == SECTION_LATHE && file_lathe) {
            write_section(&b, section_def_of(kind), &s->lathe, NULL);
        } else if (kind == SECTION_ALBUM && file_album) {
            write_section(&b, section_def_of(kind), &s->album, NULL);
        } else if (kind == SECTION_MASTER && file_master) {
            write_section(&b, section_def_of(kind), &s->master, NULL);
        } else if (kind == SECTION_TRACK) {
            if (seen_track < s->ntracks)
                write_section(&b, section_def_of(kind), section_struct(ms, kind, seen_track), NULL);
            seen_track++;
            /* tracks added since: after the last track the file had */
            bool last = true;
            for (int j = i + 1; j < norder; j++)
                last &= s->order[j] != SECTION_TRACK;
            if (last)
                for (; seen_track < s->ntracks; seen_track++)
                    write_section(&b, section_def_of(kind), section_struct(ms, kind, seen_track), NULL);
        } else if (kind == SECTION_REFERENCE) {
            if (seen_ref < s->nrefs)
                write_section(&b, section_def_of(kind), section_struct(ms, kind, seen_ref), NULL);
            seen_ref++;
        } else if (kind == SECTION_OUTPUT) {
            if (seen_out < s->noutputs)
                write_section(&b, section_def_of(kind), &s->outputs[seen_out], s->outputs[seen_out].name);
            seen_out++;
        } else if (kind < 0) {
            for (; seen_track < s->ntracks; seen_track++)
                write_section(&b, section_def_of(SECTION_TRACK), section_struct(ms, SECTION_TRACK, seen_track), NULL);
            for (; seen_ref < s->nrefs; seen_ref++)
                write_section(&b, section_def_of(SECTION_REFERENCE), section_struct(ms, SECTION_REFERENCE, seen_ref), NULL);
            for (; seen_out < s->noutputs; seen_out++)
                write_section(&b, section_def_of(SECTION_OUTPUT), &s->outputs[seen_out], s->outputs[seen_out].name);
        }
    }
    for (int i = 0; i < s->ntail; i++)
        buf_line(&b, s->tail[i].raw);
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    if (!b.data)
        b.data = strdup("");
    return b.data;
}

struct session *session_copy(const struct session *s, char *err, size_t errlen)
{
    char *text = session_format(s);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    struct session *c = session_parse(text, strlen(text), s->path ? s->path : "session", err, errlen);
    free(text);
    if (!c)
        return NULL;
    if (!str_set(&c->path, s->path)) {
        session_free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->disk = s->disk;
    for (int i = 0; i < c->ntracks && i < s->ntracks; i++)
        c->tracks[i].mix = s->tracks[i].mix;
    for (int i = 0; i < c->nrefs && i < s->nrefs; i++)
        c->refs[i].mix = s->refs[i].mix;
    return c;
}
