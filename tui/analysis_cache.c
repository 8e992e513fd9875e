/* SPDX-License-Identifier: MIT */
/* The analysis cache (analysis_cache.h): its file, and the keys its
 * results are filed under. */
#include "tui/analysis_cache.h"

#include "session/regfile.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_SPAN (1 << 20)            /* bytes hashed at each end of a mix */
#define CACHE_MAGIC "lathe-analysis-cache 1"

void analysis_cache_path(const char *session_path, char *out, size_t len)
{
    const char *slash = strrchr(session_path, '/');
    const char *base = slash ? slash + 1 : session_path;
    snprintf(out, len, "%.*s.%s.cache", (int)(base - session_path), session_path, base);
}

static void format_result(char *buf, size_t len, const struct loudness_result *r)
{
    size_t n = (size_t)snprintf(buf, len, "%d %.17g %.17g %.17g %.17g %.17g %.17g %.17g",
                                r->channels, r->integrated, r->range, r->momentary_max,
                                r->shortterm_max, r->sample_peak_max, r->true_peak_max, r->plr);
    for (int c = 0; c < r->channels && c < LOUDNESS_MAX_CHANNELS && n < len; c++)
        n += (size_t)snprintf(buf + n, len - n, " %.17g %.17g", r->sample_peak[c], r->true_peak[c]);
}

static bool parse_result(const char *s, struct loudness_result *r)
{
    char *end;
    memset(r, 0, sizeof *r);
    long ch = strtol(s, &end, 10);
    if (end == s || ch < 1 || ch > LOUDNESS_MAX_CHANNELS)
        return false;
    r->channels = (int)ch;
    double *fields[] = { &r->integrated, &r->range, &r->momentary_max, &r->shortterm_max,
                         &r->sample_peak_max, &r->true_peak_max, &r->plr };
    s = end;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        *fields[i] = strtod(s, &end);
        if (end == s)
            return false;
        s = end;
    }
    for (int c = 0; c < r->channels; c++)
        for (int k = 0; k < 2; k++) {
            double v = strtod(s, &end);
            if (end == s)
                return false;
            *(k ? &r->true_peak[c] : &r->sample_peak[c]) = v;
            s = end;
        }
    return *s == 0 || *s == '\n';
}

bool analysis_cache_add(struct analysis_cache *c, bool processed, const char *key,
                        const struct loudness_result *r)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        struct analysis_cache_entry *p = realloc(c->items, (size_t)cap * sizeof *p);
        if (!p)
            return false;
        c->items = p;
        c->cap = cap;
    }
    char *k = strdup(key);
    if (!k)
        return false;
    c->items[c->n++] = (struct analysis_cache_entry){ .key = k, .processed = processed, .r = *r };
    return true;
}

const struct analysis_cache_entry *analysis_cache_find(const struct analysis_cache *c,
                                                       bool processed, const char *key)
{
    for (int i = c->n - 1; i >= 0; i--)
        if (c->items[i].processed == processed && strcmp(c->items[i].key, key) == 0)
            return &c->items[i];
    return NULL;
}

void analysis_cache_free(struct analysis_cache *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->items[i].key);
    free(c->items);
    memset(c, 0, sizeof *c);
}

/* Lines: "mix TAB content TAB result" and "proc TAB content TAB settings
 * TAB result". A line that does not read is skipped: the cache is only
 * ever a shortcut. */
void analysis_cache_load(struct analysis_cache *c, const char *path)
{
    /* only a regular file: a FIFO planted at the cache's name would hang
     * the console before it draws */
    char err[4200];
    FILE *f = regfile_fopen(path, REGFILE_NOFOLLOW, err, sizeof err);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    bool magic = false;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        if (line[0] == '#' || !line[0])
            continue;
        if (!magic) {
            if (strcmp(line, CACHE_MAGIC) != 0)
                break;          /* another version: measure again */
            magic = true;
            continue;
        }
        char *kind = line, *t1 = strchr(line, '\t');
        if (!t1)
            continue;
        *t1 = 0;
        bool processed = strcmp(kind, "proc") == 0;
        if (!processed && strcmp(kind, "mix") != 0)
            continue;
        char *key = t1 + 1, *last = strrchr(key, '\t');
        if (!last || (processed && strchr(key, '\t') == last))
            continue;
        *last = 0;
        struct loudness_result r;
        if (parse_result(last + 1, &r))
            analysis_cache_add(c, processed, key, &r);
    }
    free(line);
    fclose(f);
}

void analysis_cache_header(FILE *f)
{
    fprintf(f, "# lathe's loudness analysis of the session's tracks; safe to delete\n%s\n",
            CACHE_MAGIC);
}

void analysis_cache_line(FILE *f, const char *content, const char *settings,
                         const struct loudness_result *r)
{
    char res[4096];
    format_result(res, sizeof res, r);
    if (settings)
        fprintf(f, "proc\t%s\t%s\t%s\n", content, settings, res);
    else
        fprintf(f, "mix\t%s\t%s\n", content, res);
}

/* FNV-1a over the first and last HASH_SPAN bytes, with size and time. */
bool analysis_content_key(const char *path, char *out, size_t len)
{
    struct stat st;
    char err[4200];
    int fd = regfile_open(path, 0, &st, err, sizeof err);
    if (fd < 0)
        return false;
    uint64_t h = 14695981039346656037ull;
    unsigned char *buf = malloc(HASH_SPAN);
    bool ok = buf != NULL;
    off_t starts[2] = { 0, st.st_size > 2 * HASH_SPAN ? st.st_size - HASH_SPAN : HASH_SPAN };
    for (int k = 0; ok && k < (st.st_size > HASH_SPAN ? 2 : 1); k++) {
        ssize_t n = pread(fd, buf, HASH_SPAN, starts[k]);
        if (n < 0) {
            ok = false;
            break;
        }
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    }
    free(buf);
    close(fd);
    snprintf(out, len, "%lld %lld.%09ld %016llx", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec, (unsigned long long)h);
    return ok;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *p = realloc(*buf, c);
        if (!p)
            return;
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static void append_time(char **buf, size_t *len, size_t *cap, const char *name, struct stime t)
{
    char v[96];
    if (t.in_samples)
        snprintf(v, sizeof v, " %s=%lldsmp", name, (long long)t.samples);
    else
        snprintf(v, sizeof v, " %s=%.17gs", name, t.seconds);
    append(buf, len, cap, v);
}

static void append_chain(char **buf, size_t *len, size_t *cap, const char *name,
                         const struct chain_settings *ch)
{
    char v[1024];
    snprintf(v, sizeof v, " %s=[", name);
    append(buf, len, cap, v);
    for (int i = 0; i < ch->n; i++) {
        proc_format(&ch->procs[i], v, sizeof v);
        append(buf, len, cap, i ? "; " : "");
        append(buf, len, cap, v);
    }
    append(buf, len, cap, "]");
}

/* Every setting that shapes track i when it plays alone, as one line. */
char *analysis_settings_text(const struct session *s, int i)
{
    const struct track *t = &s->tracks[i];
    char *buf = NULL, v[1024];
    size_t len = 0, cap = 0;
    snprintf(v, sizeof v, "rate=%d gain=%.17g", session_rate(s), t->gain);
    append(&buf, &len, &cap, v);
    append_time(&buf, &len, &cap, "trim-in", t->trim_in);
    append_time(&buf, &len, &cap, "trim-out", t->trim_out);
    proc_format(&t->fade_in, v, sizeof v);
    append(&buf, &len, &cap, " fade-in=");
    append(&buf, &len, &cap, v);
    proc_format(&t->fade_out, v, sizeof v);
    append(&buf, &len, &cap, " fade-out=");
    append(&buf, &len, &cap, v);
    append_chain(&buf, &len, &cap, "chain", &t->chain);
    snprintf(v, sizeof v, " master-gain=%.17g", s->master.gain);
    append(&buf, &len, &cap, v);
    append_chain(&buf, &len, &cap, "master", &s->master.chain);
    for (char *c = buf; c && *c; c++)
        if (*c == '\t' || *c == '\n')
            *c = ' ';           /* the cache's separators */
    return buf;
}

