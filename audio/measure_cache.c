/* SPDX-License-Identifier: MIT */
/* The measurement cache (measure_cache.h): its file, and the content key
 * of a mix.
 *
 * Lines: "KIND TAB KEY TAB VALUE TAB ~CHECKSUM", the checksum an FNV-1a
 * hash of what precedes it, so a line cut short by a full disk or edited
 * by hand is not taken for a figure. The first line names the format and
 * the build of lathe that wrote it. */
#include "audio/measure_cache.h"

#include "session/atomicfile.h"
#include "session/regfile.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_SPAN (1 << 20)            /* bytes hashed at each end of a mix */
#define CACHE_MAGIC "lathe-measure-cache 2"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
#define FNV_START 14695981039346656037ull

/* Which build of lathe this is: the size and time of the running program.
 * Figures another build measured may come from other DSP code. */
static void build_id(char *out, size_t len)
{
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0)
        snprintf(out, len, "%lld.%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec);
    else
        snprintf(out, len, "unknown");
}

void measure_cache_path(const char *session_path, char *out, size_t len)
{
    const char *slash = strrchr(session_path, '/');
    const char *base = slash ? slash + 1 : session_path;
    snprintf(out, len, "%.*s.%s.cache", (int)(base - session_path), session_path, base);
}

static size_t line_bytes(const struct measure_cache_entry *e)
{
    return strlen(e->kind) + strlen(e->key) + strlen(e->value) + 22;
}

static void drop(struct measure_cache *c, int i)
{
    c->bytes -= line_bytes(&c->items[i]);
    free(c->items[i].kind);
    free(c->items[i].key);
    free(c->items[i].value);
    memmove(&c->items[i], &c->items[i + 1], (size_t)(c->n - i - 1) * sizeof *c->items);
    c->n--;
}

static int find(const struct measure_cache *c, const char *kind, const char *key)
{
    for (int i = c->n - 1; i >= 0; i--)
        if (strcmp(c->items[i].key, key) == 0 && strcmp(c->items[i].kind, kind) == 0)
            return i;
    return -1;
}

const char *measure_cache_get(const struct measure_cache *c, const char *kind, const char *key)
{
    int i = find(c, kind, key);
    return i < 0 ? NULL : c->items[i].value;
}

static char *clean_dup(const char *s, bool keep_tabs)
{
    char *d = strdup(s);
    for (char *p = d; p && *p; p++)
        if (*p == '\n' || *p == '\r' || (*p == '\t' && !keep_tabs))
            *p = ' ';
    return d;
}

/* Adds an entry as the newest, leaving older ones of its key (get finds
 * the newest; save keeps only it). */
static bool append(struct measure_cache *c, const char *kind, const char *key, const char *value)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        struct measure_cache_entry *p = realloc(c->items, (size_t)cap * sizeof *p);
        if (!p)
            return false;
        c->items = p;
        c->cap = cap;
    }
    struct measure_cache_entry e = { clean_dup(kind, false), clean_dup(key, false),
                                     clean_dup(value, true) };
    if (!e.kind || !e.key || !e.value) {
        free(e.kind);
        free(e.key);
        free(e.value);
        return false;
    }
    c->items[c->n++] = e;
    c->bytes += line_bytes(&e);
    return true;
}

bool measure_cache_put(struct measure_cache *c, const char *kind, const char *key,
                       const char *value)
{
    int old = find(c, kind, key);
    if (old >= 0)
        drop(c, old);
    return append(c, kind, key, value);
}

void measure_cache_free(struct measure_cache *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->items[i].kind);
        free(c->items[i].key);
        free(c->items[i].value);
    }
    free(c->items);
    memset(c, 0, sizeof *c);
}

/* One line without its newline; false when it does not read. */
static bool parse_line(struct measure_cache *c, char *line)
{
    char *sum = strrchr(line, '\t');
    if (!sum || sum[1] != '~')
        return false;
    char *end;
    unsigned long long want = strtoull(sum + 2, &end, 16);
    if (end == sum + 2 || *end || fnv(FNV_START, line, (size_t)(sum - line)) != want)
        return false;
    *sum = 0;
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2 || t1 == line)
        return false;
    *t1 = *t2 = 0;
    return append(c, line, t1 + 1, t2 + 1);
}

/* The expected first line, "MAGIC build=ID". */
static void magic_line(char *out, size_t len)
{
    char id[96];
    build_id(id, sizeof id);
    snprintf(out, len, "%s build=%s", CACHE_MAGIC, id);
}

void measure_cache_load(struct measure_cache *c, const char *path)
{
    /* only a regular file: a FIFO planted at the cache's name would hang
     * the console before it draws, and a command before it reports */
    char err[4200];
    int fd = regfile_open(path, REGFILE_NOFOLLOW, NULL, err, sizeof err);
    if (fd < 0)
        return;
    char *buf = malloc((size_t)MEASURE_CACHE_MAX_BYTES + 1);
    size_t len = 0;
    ssize_t n = 1;
    while (buf && len < MEASURE_CACHE_MAX_BYTES && n > 0)
        if ((n = read(fd, buf + len, MEASURE_CACHE_MAX_BYTES - len)) > 0)
            len += (size_t)n;
    close(fd);
    if (!buf)
        return;
    buf[len] = 0;
    char magic[160];
    magic_line(magic, sizeof magic);
    bool first = true;
    /* only whole lines: what follows the last newline was cut short */
    for (char *line = buf, *nl; (nl = memchr(line, '\n', len - (size_t)(line - buf))); line = nl + 1) {
        *nl = 0;
        if (line[0] == '#' || !line[0])
            continue;
        if (first) {
            if (strcmp(line, magic) != 0)
                break;          /* another version or build: measure again */
            first = false;
            continue;
        }
        if (strlen(line) != (size_t)(nl - line))
            continue;           /* a NUL inside: not a line lathe wrote */
        parse_line(c, line);
    }
    free(buf);
}

static void write_line(FILE *f, const struct measure_cache_entry *e)
{
    uint64_t h = fnv(FNV_START, e->kind, strlen(e->kind));
    h = fnv(h, "\t", 1);
    h = fnv(h, e->key, strlen(e->key));
    h = fnv(h, "\t", 1);
    h = fnv(h, e->value, strlen(e->value));
    fprintf(f, "%s\t%s\t%s\t~%016llx\n", e->kind, e->key, e->value, (unsigned long long)h);
}

/* Newest first within a kind and key. */
static int by_key_then_age(const void *a, const void *b)
{
    const struct measure_cache_entry *const *x = a, *const *y = b;
    int d = strcmp((*x)->kind, (*y)->kind);
    if (!d)
        d = strcmp((*x)->key, (*y)->key);
    return d ? d : *x < *y ? 1 : *x > *y ? -1 : 0;
}

bool measure_cache_save(const struct measure_cache *c, const char *path, char *err,
                        size_t errlen)
{
    /* what another command wrote meanwhile stays, under ours */
    struct measure_cache all = { 0 };
    measure_cache_load(&all, path);
    bool ok = true;
    for (int i = 0; ok && i < c->n; i++)
        ok = append(&all, c->items[i].kind, c->items[i].key, c->items[i].value);
    /* the newest entry of each key, found by sorting (a file of many
     * thousand lines must not cost a quadratic search) */
    const struct measure_cache_entry **order = malloc(((size_t)all.n + 1) * sizeof *order);
    bool *keep = calloc((size_t)all.n + 1, sizeof *keep);
    ok = ok && order && keep;
    for (int i = 0; ok && i < all.n; i++)
        order[i] = &all.items[i];
    if (ok)
        qsort(order, (size_t)all.n, sizeof *order, by_key_then_age);
    for (int i = 0; ok && i < all.n; i++)
        keep[order[i] - all.items] = i == 0 || strcmp(order[i - 1]->kind, order[i]->kind) != 0 ||
                                     strcmp(order[i - 1]->key, order[i]->key) != 0;
    /* the oldest go past the bound */
    size_t bytes = 0;
    for (int i = all.n - 1; ok && i >= 0; i--)
        if (keep[i] && (bytes += line_bytes(&all.items[i])) > MEASURE_CACHE_MAX_BYTES - 4096)
            keep[i] = false;
    char *text = NULL;
    size_t len = 0;
    FILE *m = ok ? open_memstream(&text, &len) : NULL;
    if (m) {
        char magic[160];
        magic_line(magic, sizeof magic);
        fprintf(m, "# lathe's measurements of this session's audio; safe to delete\n%s\n", magic);
        for (int i = 0; i < all.n; i++)
            if (keep[i])
                write_line(m, &all.items[i]);
    }
    ok = m && fclose(m) == 0;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    else
        ok = file_write_atomic(path, text, len, false, err, errlen);
    free(text);
    free(order);
    free(keep);
    measure_cache_free(&all);
    return ok;
}

void measure_result_format(char *buf, size_t len, const struct loudness_result *r)
{
    size_t n = (size_t)snprintf(buf, len, "%d %.17g %.17g %.17g %.17g %.17g %.17g %.17g",
                                r->channels, r->integrated, r->range, r->momentary_max,
                                r->shortterm_max, r->sample_peak_max, r->true_peak_max, r->plr);
    for (int c = 0; c < r->channels && c < LOUDNESS_MAX_CHANNELS && n < len; c++)
        n += (size_t)snprintf(buf + n, len - n, " %.17g %.17g", r->sample_peak[c], r->true_peak[c]);
}

const char *measure_result_parse(const char *s, struct loudness_result *r)
{
    char *end;
    memset(r, 0, sizeof *r);
    long ch = strtol(s, &end, 10);
    if (end == s || ch < 0 || ch > LOUDNESS_MAX_CHANNELS)
        return NULL;
    r->channels = (int)ch;
    double *fields[] = { &r->integrated, &r->range, &r->momentary_max, &r->shortterm_max,
                         &r->sample_peak_max, &r->true_peak_max, &r->plr };
    s = end;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        *fields[i] = strtod(s, &end);
        if (end == s)
            return NULL;
        s = end;
    }
    for (int c = 0; c < r->channels; c++)
        for (int k = 0; k < 2; k++) {
            double v = strtod(s, &end);
            if (end == s)
                return NULL;
            *(k ? &r->true_peak[c] : &r->sample_peak[c]) = v;
            s = end;
        }
    return s;
}

/* FNV-1a over the first and last HASH_SPAN bytes, with size and time. */
bool measure_content_key(const char *path, char *out, size_t len)
{
    struct stat st;
    char err[4200];
    int fd = regfile_open(path, 0, &st, err, sizeof err);
    if (fd < 0)
        return false;
    uint64_t h = FNV_START;
    unsigned char *buf = malloc(HASH_SPAN);
    bool ok = buf != NULL;
    off_t starts[2] = { 0, st.st_size > 2 * HASH_SPAN ? st.st_size - HASH_SPAN : HASH_SPAN };
    for (int k = 0; ok && k < (st.st_size > HASH_SPAN ? 2 : 1); k++) {
        ssize_t n = pread(fd, buf, HASH_SPAN, starts[k]);
        if (n < 0) {
            ok = false;
            break;
        }
        h = fnv(h, buf, (size_t)n);
    }
    free(buf);
    close(fd);
    snprintf(out, len, "%lld %lld.%09ld %016llx", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec, (unsigned long long)h);
    return ok;
}
