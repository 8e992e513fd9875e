/* SPDX-License-Identifier: MIT */
/* Measurements that reuse the session's cache (measure_reuse.h).
 *
 * A result is filed only if every mix it read still has the content key
 * taken before it was measured: a mix rewritten during the measurement
 * leaves figures of neither version, so nothing is filed. */
#include "audio/measure_reuse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/measure.h"
#include "audio/measure_cache.h"
#include "audio/measure_key.h"
#include "audio/mixprobe.h"
#include "audio/tonal.h"

struct measure_reuse {
    struct measure_cache cache;
    char *path;             /* the cache file; NULL: none */
    bool dirty;
    int ntracks;
    char **content;         /* per track: its mix's content key, or NULL */
    struct measure_stats stats;
};

static char *content_of(const struct session *s, const char *file)
{
    char path[4096], key[MEASURE_CONTENT_KEY_MAX];
    mix_path(s, file, path, sizeof path);
    return measure_content_key(path, key, sizeof key) ? strdup(key) : NULL;
}

struct measure_reuse *measure_reuse_open(const struct session *s)
{
    struct measure_reuse *r = calloc(1, sizeof *r);
    if (!r || !(r->content = calloc((size_t)s->ntracks + 1, sizeof *r->content))) {
        free(r);
        return NULL;
    }
    r->ntracks = s->ntracks;
    for (int i = 0; i < s->ntracks; i++)
        if (s->tracks[i].mix.ok && s->tracks[i].file)
            r->content[i] = content_of(s, s->tracks[i].file);
    if (s->path) {
        char path[4096 + 16];
        measure_cache_path(s->path, path, sizeof path);
        r->path = strdup(path);
        if (r->path)
            measure_cache_load(&r->cache, r->path);
    }
    return r;
}

void measure_reuse_close(struct measure_reuse *r)
{
    if (!r)
        return;
    char err[4200];
    if (r->path && r->dirty)
        measure_cache_save(&r->cache, r->path, err, sizeof err);   /* only a shortcut */
    for (int i = 0; i < r->ntracks; i++)
        free(r->content[i]);
    free(r->content);
    free(r->path);
    measure_cache_free(&r->cache);
    free(r);
}

void measure_reuse_stats(const struct measure_reuse *r, struct measure_stats *out)
{
    *out = r->stats;
}

void measure_reuse_report(const struct measure_reuse *r, const char *command, const char *what)
{
    if (!getenv("LATHE_MEASURE_STATS"))
        return;
    const struct measure_stats *st = &r->stats;
    fprintf(stderr, "%s: measured %d %s (%d from the cache), %d tracks in %d album passes "
            "(%d from the cache)\n", command, st->mixes_decoded, what, st->mixes_cached,
            st->tracks_measured, st->album_passes, st->tracks_cached);
}

static void file_entry(struct measure_reuse *r, const char *kind, const char *key, const char *value)
{
    if (measure_cache_put(&r->cache, kind, key, value))
        r->dirty = true;
}

/* Whether every track's mix still has the content key taken at open. */
static bool mixes_unchanged(const struct measure_reuse *r, const struct session *s)
{
    for (int i = 0; i < r->ntracks; i++) {
        if (!r->content[i])
            return false;
        char *now = content_of(s, s->tracks[i].file);
        bool same = now && strcmp(now, r->content[i]) == 0;
        free(now);
        if (!same)
            return false;
    }
    return true;
}

/* ---- a mix's own analysis ---- */

/* The codes intake.c gives its warnings: a cached code is taken as one of
 * these (the report points at static text), and an unknown one means the
 * entry came from other code. */
static const char *intake_code(const char *s, size_t n)
{
    static const char *const codes[] = { "clipping", "overs", "dc-offset", "silent",
                                         "silent-channel", "head-silence", "tail-silence",
                                         "dual-mono", "polarity", "mono-compat", "limited",
                                         "headroom", "rate", "depth", "lossy", NULL };
    for (int i = 0; codes[i]; i++)
        if (strlen(codes[i]) == n && strncmp(codes[i], s, n) == 0)
            return codes[i];
    return NULL;
}

/* "INFO TAB LOUDNESS TAB FIGURES TAB N TAB (SEVERITY CODE MESSAGE TAB)* FORMAT" */
static char *format_mix(const struct mix_analysis *j)
{
    char *text = NULL, res[MEASURE_RESULT_MAX];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    const struct soundfile_info *in = &j->info;
    const struct intake_report *ir = &j->intake;
    measure_result_format(res, sizeof res, &j->loud);
    fprintf(f, "%d %d %lld %d %d %d\t%s\t%d %lld %.17g %.17g %.17g %lld %lld %lld %lld", in->rate,
            in->channels, (long long)in->frames, in->bits, in->is_float, in->lossy, res,
            ir->channels, (long long)ir->frames, ir->head_silence, ir->tail_silence,
            ir->correlation, (long long)ir->clipped_runs, (long long)ir->clipped_first,
            (long long)ir->overs, (long long)ir->near_peak);
    for (int c = 0; c < ir->channels && c < LOUDNESS_MAX_CHANNELS; c++)
        fprintf(f, " %.17g", ir->dc_offset[c]);
    fprintf(f, "\t%d", ir->nwarnings);
    for (int w = 0; w < ir->nwarnings; w++)
        fprintf(f, "\t%d %s %s", (int)ir->warnings[w].severity, ir->warnings[w].code,
                ir->warnings[w].message);
    fprintf(f, "\t%s", in->format);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static bool parse_mix(const char *v, struct mix_analysis *j)
{
    struct soundfile_info *in = &j->info;
    struct intake_report *ir = &j->intake;
    long long frames, iframes, runs, first, overs, near;
    int isf, lossy, used = 0;
    if (sscanf(v, "%d %d %lld %d %d %d\t%n", &in->rate, &in->channels, &frames, &in->bits, &isf,
               &lossy, &used) != 6 || !used)
        return false;
    in->frames = frames;
    in->is_float = isf;
    in->lossy = lossy;
    const char *s = measure_result_parse(v + used, &j->loud);
    if (!s || *s != '\t')
        return false;
    used = 0;
    if (sscanf(s + 1, "%d %lld %lf %lf %lf %lld %lld %lld %lld%n", &ir->channels, &iframes,
               &ir->head_silence, &ir->tail_silence, &ir->correlation, &runs, &first, &overs,
               &near, &used) != 9 || !used || ir->channels < 0 || ir->channels > LOUDNESS_MAX_CHANNELS)
        return false;
    ir->frames = iframes;
    ir->clipped_runs = runs;
    ir->clipped_first = first;
    ir->overs = overs;
    ir->near_peak = near;
    s += 1 + used;
    for (int c = 0; c < ir->channels; c++) {
        char *end;
        ir->dc_offset[c] = strtod(s, &end);
        if (end == s)
            return false;
        s = end;
    }
    if (sscanf(s, "\t%d%n", &ir->nwarnings, &used) != 1 || ir->nwarnings < 0 ||
        ir->nwarnings > INTAKE_MAX_WARNINGS)
        return false;
    s += used;
    for (int w = 0; w < ir->nwarnings; w++) {
        struct intake_warning *iw = &ir->warnings[w];
        int sev, n = 0;
        if (*s != '\t' || sscanf(s + 1, "%d %n", &sev, &n) != 1 || !n || sev < INTAKE_NOTE ||
            sev > INTAKE_PROBLEM)
            return false;
        s += 1 + n;
        size_t clen = strcspn(s, " \t");
        const char *msg = s + clen, *tab = strchr(s, '\t');
        if (!(iw->code = intake_code(s, clen)) || *msg != ' ' || !tab)
            return false;
        iw->severity = (enum intake_severity)sev;
        snprintf(iw->message, sizeof iw->message, "%.*s", (int)(tab - msg - 1), msg + 1);
        s = tab;
    }
    if (*s != '\t')
        return false;
    snprintf(in->format, sizeof in->format, "%s", s + 1);
    return true;
}

void measure_reuse_mixes(struct measure_reuse *r, const struct session *s,
                         struct mix_analysis *jobs, const int *track_of, int n)
{
    /* the jobs the cache cannot answer, in a pool of their own */
    struct mix_analysis *unmeasured = calloc((size_t)(n ? n : 1), sizeof *unmeasured);
    int *from = calloc((size_t)(n ? n : 1), sizeof *from);
    int nunmeasured = 0;
    for (int j = 0; j < n; j++) {
        const char *key = unmeasured && from ? r->content[track_of[j]] : NULL;
        const char *v = key ? measure_cache_get(&r->cache, "intake", key) : NULL;
        struct mix_analysis hit = { .path = jobs[j].path };
        if (v && parse_mix(v, &hit)) {
            hit.ok = hit.done = true;
            jobs[j] = hit;
            r->stats.mixes_cached++;
        } else if (unmeasured && from) {
            unmeasured[nunmeasured] = (struct mix_analysis){ .path = jobs[j].path };
            from[nunmeasured++] = j;
        }
    }
    if (!unmeasured || !from) {           /* out of memory: measure them all */
        free(unmeasured);
        free(from);
        struct mix_pool pool = { 0 };
        mix_pool_start(&pool, jobs, n, 0);
        mix_pool_join(&pool);
        r->stats.mixes_decoded += n;
        return;
    }
    if (nunmeasured) {
        struct mix_pool pool = { 0 };
        mix_pool_start(&pool, unmeasured, nunmeasured, 0);
        mix_pool_join(&pool);
    }
    r->stats.mixes_decoded += nunmeasured;
    for (int k = 0; k < nunmeasured; k++) {
        struct mix_analysis *j = &jobs[from[k]];
        /* a job's own fields (atomics) are not copied whole */
        j->done = unmeasured[k].done;
        j->ok = unmeasured[k].ok;
        memcpy(j->error, unmeasured[k].error, sizeof j->error);
        j->info = unmeasured[k].info;
        j->loud = unmeasured[k].loud;
        j->intake = unmeasured[k].intake;
        const char *key = r->content[track_of[from[k]]];
        char *now = j->ok && key ? content_of(s, s->tracks[track_of[from[k]]].file) : NULL;
        char *v = now && strcmp(now, key) == 0 ? format_mix(j) : NULL;
        if (v)
            file_entry(r, "intake", key, v);
        free(v);
        free(now);
    }
    free(unmeasured);
    free(from);
}

/* ---- the album pass ---- */

/* The album's key for measurement `what`; NULL when a mix has no content
 * key (it cannot be read: the measurement will say so) or out of memory. */
static char *album_key(const struct measure_reuse *r, const struct session *s,
                       const struct timeline *tl, const char *what)
{
    for (int i = 0; i < r->ntracks; i++)
        if (!r->content[i])
            return NULL;
    return measure_album_key(s, tl, r->content, what);
}

static bool parse_album(const char *v, int n, struct loudness_result *tracks,
                        struct loudness_result *album)
{
    char *end;
    long count = strtol(v, &end, 10);
    if (end == v || count != n)
        return false;
    const char *p = end;
    for (int i = -1; i < n; i++) {
        if (*p != '\t' || !(p = measure_result_parse(p + 1, i < 0 ? album : &tracks[i])))
            return false;
    }
    return *p == 0;
}

static char *format_album(int n, const struct loudness_result *tracks,
                          const struct loudness_result *album)
{
    char *text = NULL, res[MEASURE_RESULT_MAX];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "%d", n);
    for (int i = -1; i < n; i++) {
        measure_result_format(res, sizeof res, i < 0 ? album : &tracks[i]);
        fprintf(f, "\t%s", res);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

bool measure_reuse_album(struct measure_reuse *r, const struct session *s,
                         const struct timeline *tl, bool has_ceiling, double ceiling,
                         enum album_meter_mode mode, struct loudness_result *tracks,
                         struct loudness_result *album, char *err, size_t errlen)
{
    char what[96];
    if (has_ceiling)
        snprintf(what, sizeof what, "meter=%d ceiling=%.17g", (int)mode, ceiling);
    else
        snprintf(what, sizeof what, "meter=%d ceiling=none", (int)mode);
    char *key = album_key(r, s, tl, what);
    const char *v = key ? measure_cache_get(&r->cache, "album", key) : NULL;
    if (v && parse_album(v, s->ntracks, tracks, album)) {
        r->stats.tracks_cached += s->ntracks;
        free(key);
        return true;
    }
    bool ok = measure_album(s, tl, has_ceiling, ceiling, mode, tracks, album, err, errlen);
    r->stats.album_passes++;
    r->stats.tracks_measured += s->ntracks;
    char *text = ok && key && mixes_unchanged(r, s) ? format_album(s->ntracks, tracks, album) : NULL;
    if (text)
        file_entry(r, "album", key, text);
    free(text);
    free(key);
    return ok;
}

/* ---- tonal balance ---- */

/* n spectra of OCTAVE_BANDS bands: "N TAB band band ... TAB ..." */
static char *format_bands(int n, const double (*db)[OCTAVE_BANDS])
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f, "%d", n);
    for (int i = 0; i < n; i++)
        for (int b = 0; b < OCTAVE_BANDS; b++)
            fprintf(f, "%s%.17g", b ? " " : "\t", db[i][b]);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static bool parse_bands(const char *v, int n, double (*db)[OCTAVE_BANDS])
{
    char *end;
    long count = strtol(v, &end, 10);
    if (end == v || count != n)
        return false;
    const char *p = end;
    for (int i = 0; i < n; i++) {
        if (*p != '\t')
            return false;
        p++;
        for (int b = 0; b < OCTAVE_BANDS; b++) {
            db[i][b] = strtod(p, &end);
            if (end == p)
                return false;
            p = end;
        }
    }
    return *p == 0;
}

bool measure_reuse_tonal_tracks(struct measure_reuse *r, const struct session *s,
                                const struct timeline *tl, int only, double (*db)[OCTAVE_BANDS],
                                char *err, size_t errlen)
{
    /* one track alone is its own measurement: its octave bank starts
     * fresh at its start, where the album's carries on from the last */
    char what[64];
    snprintf(what, sizeof what, "tonal only=%d", only);
    int n = only ? 1 : s->ntracks;
    double (*out)[OCTAVE_BANDS] = only ? &db[only - 1] : db;
    char *key = album_key(r, s, tl, what);
    const char *v = key ? measure_cache_get(&r->cache, "tonal", key) : NULL;
    if (v && parse_bands(v, n, out)) {
        r->stats.tracks_cached += n;
        free(key);
        return true;
    }
    bool ok = only ? tonal_of_track(s, tl, only - 1, out[0], err, errlen)
                   : tonal_of_tracks(s, tl, db, err, errlen);
    r->stats.album_passes++;
    r->stats.tracks_measured += n;
    char *text = ok && key && mixes_unchanged(r, s)
                     ? format_bands(n, (const double (*)[OCTAVE_BANDS])out) : NULL;
    if (text)
        file_entry(r, "tonal", key, text);
    free(text);
    free(key);
    return ok;
}

bool measure_reuse_tonal_reference(struct measure_reuse *r, const struct session *s, int ref,
                                   double db[OCTAVE_BANDS], char *err, size_t errlen)
{
    char *key = s->refs[ref].file ? content_of(s, s->refs[ref].file) : NULL;
    const char *v = key ? measure_cache_get(&r->cache, "tonal-file", key) : NULL;
    if (v && parse_bands(v, 1, (double (*)[OCTAVE_BANDS])db)) {
        r->stats.mixes_cached++;
        free(key);
        return true;
    }
    bool ok = tonal_of_reference(s, ref, db, err, errlen);
    r->stats.mixes_decoded++;
    char *now = ok && key ? content_of(s, s->refs[ref].file) : NULL;
    char *text = now && strcmp(now, key) == 0
                     ? format_bands(1, (const double (*)[OCTAVE_BANDS])db) : NULL;
    if (text)
        file_entry(r, "tonal-file", key, text);
    free(text);
    free(now);
    free(key);
    return ok;
}
