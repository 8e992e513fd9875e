/* SPDX-License-Identifier: MIT */
/* The offline renderer (render.h).
 *
 * Outputs of one rate share one converter (DESIGN §3: each output rate is
 * converted once): a rate group resamples the block, then runs each of its
 * outputs' stages (limiter, dither) and sinks on the converted frames.
 *
 * Threads: the calling thread reads the album (decode, track chains, master
 * chain) one block ahead while up to `jobs` workers run the rate groups on
 * the block before; two barriers per block hand the buffers over. Groups
 * never share state, so each worker owns its groups. */
#define _GNU_SOURCE             /* renameat2 */
#include "audio/render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio/album_stream.h"
#include "audio/block_ring.h"
#include "audio/cuesheet.h"
#include "audio/ddp_write.h"
#include "audio/file_sink.h"
#include "audio/fsutil.h"
#include "audio/manifest.h"
#include "audio/mixprobe.h"
#include "audio/outdir.h"
#include "audio/outstage.h"
#include "audio/pqsheet.h"
#include "audio/render_check.h"
#include "audio/review.h"
#include "dsp/resample_stream.h"
#include "audio/sink.h"
#include "audio/textfile.h"
#include "audio/tocfile.h"
#include "dsp/album_meter.h"
#include "session/limits.h"
#include "session/timeline.h"

#define BLOCK ALBUM_MAX_BLOCK
/* Blocks the reader may run ahead of the slowest output worker: enough to
 * even out which thread the scheduler runs when, about a third of a second
 * at 96 kHz. */
#define RING_BLOCKS 8
#define MAX_SINKS 2
#define TMP_PREFIX ".lathe-render-"

struct job {
    struct output *o;
    struct sink_context ctx;
    char dir[PATH_MAX + 64];       /* the temporary output folder */
    char final[PATH_MAX + 64];
    struct outstage *stage;
    struct sink *sinks[MAX_SINKS];
    int nsinks;
    int64_t *marks;             /* index 01 of each track at the output rate, then the end */
    struct album_meter *meter;  /* the delivered samples, for loudness.txt */
    struct loudness_result album_lr, *track_lr;
    bool failed;
    char err[1024];
};

/* The outputs of one rate and converter and the converter they share (none
 * at the session rate), restarted at each track start as playback's is. */
struct group {
    int rate;
    enum resample_backend backend;
    struct resample_stream *rs;
    double *converted;          /* max_out frames */
    int max_out;
    struct job **jobs;
    int njobs;
};

struct render {
    struct session *s;
    struct timeline tl;
    struct job *jobs;
    int njobs;
    struct group *groups;
    int ngroups;
    int nthreads;
    /* Threaded: the blocks from the reading thread to the workers, which
     * each take them at their own pace; else one block, processed in turn. */
    struct block_ring *ring;
    double *block;
    pthread_mutex_t gate;       /* held while the workers are being started */
};

static void sink_free(struct sink *k)
{
    if (k) {
        k->ops->destroy(k->state);
        free(k);
    }
}

/* ---- per block ---- */

static bool emit(void *ctx, const struct render_block *b, char *err, size_t errlen)
{
    struct job *j = ctx;
    for (int i = 0; i < j->nsinks; i++)
        if (!j->sinks[i]->ops->write(j->sinks[i]->state, b, err, errlen))
            return false;
    if (!album_meter_add(j->meter, b->samples, b->frames)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

static void job_block(struct job *j, const double *buf, int frames)
{
    if (j->failed)
        return;
    if (!outstage_push(j->stage, buf, frames, emit, j, j->err, sizeof j->err))
        j->failed = true;
}

static void group_block(struct group *g, const double *buf, int frames)
{
    int n = frames;
    if (g->rs) {
        n = resample_stream_process(g->rs, buf, frames, g->converted);
        buf = g->converted;
        if (n < 0) {
            for (int i = 0; i < g->njobs; i++)
                if (!g->jobs[i]->failed) {
                    g->jobs[i]->failed = true;
                    snprintf(g->jobs[i]->err, sizeof g->jobs[i]->err,
                             "[output %s]: the sample rate converter failed", g->jobs[i]->o->name);
                }
            return;
        }
    }
    for (int i = 0; i < g->njobs; i++)
        job_block(g->jobs[i], buf, n);
}

/* After the last block: the converter's tail through every stage. */
static bool group_drain(struct group *g, char *err, size_t errlen)
{
    int n;
    while (g->rs && (n = resample_stream_drain(g->rs, g->converted)) > 0)
        for (int i = 0; i < g->njobs; i++) {
            job_block(g->jobs[i], g->converted, n);
            if (g->jobs[i]->failed) {
                snprintf(err, errlen, "%s", g->jobs[i]->err);
                return false;
            }
        }
    if (g->rs && n < 0) {
        snprintf(err, errlen, "the sample rate converter to %d Hz failed", g->rate);
        return false;
    }
    return true;
}

struct worker {
    struct render *r;
    int index;
    pthread_t thread;
    int slot;
};

static bool group_failed(const struct group *g)
{
    for (int i = 0; i < g->njobs; i++)
        if (g->jobs[i]->failed)
            return true;
    return false;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct render *r = w->r;
    pthread_mutex_lock(&r->gate);       /* wait until r->nthreads and the ring are final */
    pthread_mutex_unlock(&r->gate);
    double *buf;
    int frames;
    while (block_ring_next(r->ring, w->index, &buf, &frames)) {
        bool failed = false;
        for (int i = w->index; i < r->ngroups; i += r->nthreads) {
            group_block(&r->groups[i], buf, frames);
            failed |= group_failed(&r->groups[i]);
        }
        block_ring_release(r->ring, w->index, failed);
    }
    return NULL;
}

/* Ends the workers once they have taken every block given them. */
static void workers_stop(struct render *r, struct worker *workers, int *started)
{
    if (!*started)
        return;
    block_ring_close(r->ring);
    for (int i = 0; i < *started; i++)
        pthread_join(workers[i].thread, NULL);
    *started = 0;
}

/* ---- setting up and finishing an output ---- */

/* The name the output will have in `outdir`: known before anything is
 * written, so that what is there can be refused first. */
static void job_final(const struct render *r, struct job *j, const char *outdir)
{
    const struct output *o = j->o;
    snprintf(j->final, sizeof j->final, "%s/%s", outdir, o->name);
    if (o->format == OUT_REVIEW) {
        char folder[PATH_MAX];
        review_folder_name(o, r->s->album.revision + 1, folder, sizeof folder);
        snprintf(j->final, sizeof j->final, "%s/%s", outdir, folder);
    }
}

static bool job_setup(struct render *r, struct job *j, const struct group *g,
                      const char *tmproot, char *err, size_t errlen)
{
    const struct output *o = j->o;
    snprintf(j->dir, sizeof j->dir, "%s/%s", tmproot, o->name);
    if (!fs_mkdirs(j->dir)) {
        snprintf(err, errlen, "%s: %s", j->dir, strerror(errno));
        return false;
    }
    j->stage = outstage_new_converted(o, r->tl.rate, g->rs ? g->max_out : BLOCK, err, errlen);
    if (!j->stage)
        return false;
    j->ctx.s = r->s;
    j->ctx.tl = &r->tl;
    j->ctx.o = o;
    j->ctx.dir = j->dir;
    j->ctx.rate = outstage_rate_of(o, r->tl.rate);
    j->ctx.bits = outstage_bits_of(o);
    j->ctx.length = sink_mark(&j->ctx, r->tl.end);
    int n = r->s->ntracks;
    j->marks = calloc((size_t)n + 1, sizeof *j->marks);
    j->track_lr = calloc((size_t)n + 1, sizeof *j->track_lr);
    if (!j->marks || !j->track_lr) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < n; i++)
        j->marks[i] = sink_mark(&j->ctx, r->tl.tracks[i].index1);
    j->marks[n] = j->ctx.length;
    j->meter = album_meter_new(j->ctx.rate, SINK_CHANNELS, j->marks, n, ALBUM_METER_REPORT);
    if (!j->meter) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    struct sink *k = NULL;
    char name[512];
    switch (o->format) {
    case OUT_DDP:
        k = ddp_sink_new(&j->ctx, err, errlen);
        break;
    case OUT_CUE:
    case OUT_TOC:
        k = album_sink_new(&j->ctx, "album", err, errlen);
        break;
    case OUT_REVIEW:
        k = review_sink_new(&j->ctx, err, errlen);
        break;
    default:
        if (o->album) {
            const char *title = r->s->album.text.title ? r->s->album.text.title : "album";
            snprintf(name, sizeof name, "%s v%d", title, r->s->album.revision + 1);
            for (char *c = name; *c; c++)
                if (*c == '/')
                    *c = '_';
            k = album_sink_new(&j->ctx, name, err, errlen);
        } else {
            k = tracks_sink_new(&j->ctx, err, errlen);
        }
    }
    if (!k)
        return false;
    j->sinks[j->nsinks++] = k;
    /* what the sheets written at the end would refuse (quotes, text
     * outside Latin-1) render_check refused before any work */
    return true;
}

static bool write_text(const char *dir, const char *name, text_writer fn, void *ctx,
                       char *err, size_t errlen)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return text_save(path, fn, ctx, err, errlen);
}

static void print_lr(FILE *f, const char *what, const struct loudness_result *lr)
{
    fprintf(f, "%-32.32s %8.1f %6.1f %8.1f %6.1f\n", what, lr->integrated, lr->range,
            lr->true_peak_max, lr->plr);
}

struct sheet_ctx {
    struct job *j;
    struct render *r;
};

static bool loudness_text(FILE *f, void *p, char *err, size_t errlen)
{
    struct sheet_ctx *c = p;
    struct job *j = c->j;
    fprintf(f, "Loudness of output %s (%d Hz), measured on the delivered samples\n\n", j->o->name,
            j->ctx.rate);
    fprintf(f, "%-32s %8s %6s %8s %6s\n", "track", "LUFS", "LRA", "dBTP", "PLR");
    for (int i = 0; i < c->r->s->ntracks; i++) {
        char what[64];
        const char *title = c->r->s->tracks[i].text.title;
        snprintf(what, sizeof what, "%02d %s", i + 1, title ? title : "");
        print_lr(f, what, &j->track_lr[i]);
    }
    print_lr(f, "album", &j->album_lr);
    return true;
}

static void json_lr(FILE *f, const struct loudness_result *lr)
{
    fprintf(f, "\"integrated\": ");
    isfinite(lr->integrated) ? fprintf(f, "%.2f", lr->integrated) : fprintf(f, "null");
    fprintf(f, ", \"lra\": %.2f, \"true_peak\": ", lr->range);
    isfinite(lr->true_peak_max) ? fprintf(f, "%.2f", lr->true_peak_max) : fprintf(f, "null");
    fprintf(f, ", \"plr\": ");
    isfinite(lr->plr) ? fprintf(f, "%.2f", lr->plr) : fprintf(f, "null");
}

static bool loudness_json(FILE *f, void *p, char *err, size_t errlen)
{
    struct sheet_ctx *c = p;
    struct job *j = c->j;
    fprintf(f, "{\"output\": \"%s\", \"rate\": %d, \"tracks\": [", j->o->name, j->ctx.rate);
    for (int i = 0; i < c->r->s->ntracks; i++) {
        fprintf(f, "%s\n  {\"number\": %d, ", i ? "," : "", i + 1);
        json_lr(f, &j->track_lr[i]);
        fprintf(f, "}");
    }
    fprintf(f, "],\n \"album\": {");
    json_lr(f, &j->album_lr);
    fprintf(f, "}}\n");
    return true;
}

static bool pq_text(FILE *f, void *p, char *err, size_t errlen)
{
    struct sheet_ctx *c = p;
    return pqsheet_write(f, c->r->s, &c->r->tl, err, errlen);
}

static bool cue_text(FILE *f, void *p, char *err, size_t errlen)
{
    struct sheet_ctx *c = p;
    return cuesheet_write(f, c->r->s, &c->r->tl, "album.wav", CUE_UTF8, err, errlen);
}

static bool toc_text(FILE *f, void *p, char *err, size_t errlen)
{
    struct sheet_ctx *c = p;
    return tocfile_write(f, c->r->s, &c->r->tl, "album.wav", c->j->ctx.rate, c->j->ctx.bits,
                         err, errlen);
}

static bool job_finish(struct render *r, struct job *j, char *err, size_t errlen)
{
    if (!outstage_finish(j->stage, emit, j, err, errlen))
        return false;
    for (int i = 0; i < j->nsinks; i++)
        if (!j->sinks[i]->ops->finish(j->sinks[i]->state, err, errlen))
            return false;
    if (!album_meter_finish(j->meter, j->track_lr, &j->album_lr)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    struct sheet_ctx c = { j, r };
    if (j->o->format == OUT_CUE && !write_text(j->dir, "album.cue", cue_text, &c, err, errlen))
        return false;
    if (j->o->format == OUT_TOC && !write_text(j->dir, "album.toc", toc_text, &c, err, errlen))
        return false;
    if (j->o->format != OUT_DDP && !write_text(j->dir, "pq.txt", pq_text, &c, err, errlen))
        return false;
    if (!write_text(j->dir, "loudness.txt", loudness_text, &c, err, errlen) ||
        !write_text(j->dir, "loudness.json", loudness_json, &c, err, errlen))
        return false;
    int n = 0;
    char **names = fs_list_files(j->dir, &n);
    if (!names) {
        snprintf(err, errlen, "%s: %s", j->dir, strerror(errno));
        return false;
    }
    bool ok = manifest_write(j->dir, (const char *const *)names, n, "MANIFEST.md5", err, errlen);
    fs_free_list(names, n);
    /* last, so that the manifest does not list it: the mark that lets the
     * next render replace this folder */
    return ok && outdir_stamp(j->dir, j->o->name, err, errlen);
}

/* Puts every job in the group of its rate and gives each group of another
 * rate than the session's its converter. */
static bool groups_setup(struct render *r, char *err, size_t errlen)
{
    int nrestarts = 0;
    int64_t *restarts = outstage_restarts(&r->tl, &nrestarts);
    r->groups = calloc((size_t)r->njobs, sizeof *r->groups);
    if (!r->groups || !restarts)
        goto oom;
    for (int i = 0; i < r->njobs; i++) {
        int rate = outstage_rate_of(r->jobs[i].o, r->tl.rate);
        enum resample_backend backend = outstage_backend(r->jobs[i].o, &r->s->album);
        struct group *g = NULL;
        for (int k = 0; k < r->ngroups && !g; k++)
            if (r->groups[k].rate == rate &&
                (rate == r->tl.rate || r->groups[k].backend == backend))
                g = &r->groups[k];
        if (!g) {
            g = &r->groups[r->ngroups++];
            g->rate = rate;
            g->backend = backend;
            g->max_out = BLOCK;
            g->jobs = calloc((size_t)r->njobs, sizeof *g->jobs);
            if (!g->jobs)
                goto oom;
            if (rate != r->tl.rate) {
                struct resample_plan plan = {
                    .backend = backend, .from = 0,
                    .restarts = restarts, .nrestarts = nrestarts,
                };
                g->rs = resample_stream_new(SINK_CHANNELS, r->tl.rate, rate, &plan, BLOCK);
                if (!g->rs) {
                    snprintf(err, errlen, "cannot convert %d Hz to %d Hz", r->tl.rate, rate);
                    free(restarts);
                    return false;
                }
                g->max_out = resample_stream_max_out(g->rs);
                g->converted = malloc(sizeof(double) * (size_t)g->max_out * SINK_CHANNELS);
                if (!g->converted)
                    goto oom;
            }
        }
        g->jobs[g->njobs++] = &r->jobs[i];
    }
    free(restarts);
    return true;
oom:
    free(restarts);
    snprintf(err, errlen, "out of memory");
    return false;
}

static void groups_free(struct render *r)
{
    for (int i = 0; r->groups && i < r->ngroups; i++) {
        resample_stream_free(r->groups[i].rs);
        free(r->groups[i].converted);
        free(r->groups[i].jobs);
    }
    free(r->groups);
}

static void job_free(struct job *j)
{
    outstage_free(j->stage);
    for (int i = 0; i < j->nsinks; i++)
        sink_free(j->sinks[i]);
    album_meter_free(j->meter);
    free(j->marks);
    free(j->track_lr);
}

/* ---- the whole render ---- */

void render_clean_stale(const char *dir)
{
    fs_clean_stale(dir, TMP_PREFIX);
}

static void progress(const struct render *r, int64_t done, time_t started, bool final)
{
    double frac = r->tl.end > 0 ? (double)done / (double)r->tl.end : 1;
    double elapsed = difftime(time(NULL), started);
    char eta[32] = "";
    if (frac > 0.02 && !final) {
        int left = (int)(elapsed / frac - elapsed + 0.5);
        snprintf(eta, sizeof eta, " %d:%02d left", left / 60, left % 60);
    }
    int width = 30, fill = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\rrender %3d%% [%s]%-14s", (int)(frac * 100), bar, eta);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Renames a finished output folder to its name, which is free (anything
 * there was moved aside): never over something that appeared meanwhile. */
static bool place_new(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return true;
    /* a file system without RENAME_NOREPLACE: plain rename, which fails over
     * anything but an empty folder */
    return (errno == EINVAL || errno == ENOSYS) && rename(from, to) == 0;
}

/* Puts every output in place, or none: the previous versions are moved
 * aside into the temporary folder first, and put back if any rename fails.
 * Only stamped folders are there to move (render_session checked). */
static bool commit(struct render *r, const char *tmproot, char *err, size_t errlen)
{
    char (*old)[PATH_MAX + 128] = calloc((size_t)r->njobs, sizeof *old);
    bool *had_old = calloc((size_t)r->njobs, sizeof *had_old);
    int aside = 0, placed = 0;
    bool ok = old && had_old;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    for (; ok && aside < r->njobs; aside++) {
        struct job *j = &r->jobs[aside];
        struct stat st;
        snprintf(old[aside], sizeof old[aside], "%s/.old-%s", tmproot, j->o->name);
        had_old[aside] = lstat(j->final, &st) == 0;
        if (had_old[aside] && rename(j->final, old[aside]) != 0) {
            snprintf(err, errlen, "%s: cannot replace (%s)", j->final, strerror(errno));
            ok = false;
            break;
        }
    }
    for (; ok && placed < r->njobs; placed++)
        if (!place_new(r->jobs[placed].dir, r->jobs[placed].final)) {
            snprintf(err, errlen, "%s: cannot move into place (%s)", r->jobs[placed].final,
                     strerror(errno));
            ok = false;
            break;
        }
    if (!ok) {
        /* back out: the new outputs return to the temporary folder (removed
         * by the caller), the old ones to their names */
        for (int i = 0; i < placed; i++)
            rename(r->jobs[i].final, r->jobs[i].dir);
        for (int i = 0; i < aside; i++)
            if (had_old[i])
                rename(old[i], r->jobs[i].final);
    } else {
        for (int i = 0; i < r->njobs; i++)
            if (had_old[i])
                fs_remove_tree(old[i]);
    }
    free(old);
    free(had_old);
    return ok;
}

/* The first refusal render_check finds for the chosen outputs, in err. */
static bool refusal(const struct session *s, const struct render *r, char *err, size_t errlen)
{
    const struct output **outs = calloc((size_t)r->njobs, sizeof *outs);
    if (!outs) {
        snprintf(err, errlen, "out of memory while checking the outputs");
        return false;
    }
    for (int i = 0; i < r->njobs; i++)
        outs[i] = r->jobs[i].o;
    struct problems p = { 0 };
    render_check(s, &r->tl, outs, r->njobs, &p);
    bool ok = p.errors == 0;
    for (int i = 0; i < p.n && !ok; i++)
        if (p.items[i].severity == SEV_ERROR) {
            render_check_message(&p.items[i], err, errlen);
            break;
        }
    problems_free(&p);
    free(outs);
    return ok;
}

enum render_status render_session(struct session *s, const struct render_options *opt,
                                  char *err, size_t errlen,
                                  void (*report)(const char *line, void *ctx), void *report_ctx)
{
    struct render r = { .s = s };
    enum render_status status = RENDER_BAD_INPUT;
    char tmproot[PATH_MAX] = "";
    struct album_stream *album = NULL;
    struct worker *workers = NULL;
    int started_workers = 0;
    bool album_output = false;
    bool created_dir = false;

    r.jobs = calloc((size_t)(s->noutputs ? s->noutputs : 1), sizeof *r.jobs);
    if (!r.jobs || !timeline_build(s, &r.tl)) {
        snprintf(err, errlen, "out of memory");
        free(r.jobs);
        return RENDER_BAD_INPUT;
    }
    if (opt->noutputs) {
        for (int i = 0; i < opt->noutputs; i++) {
            struct output *o = session_find_output(s, opt->outputs[i]);
            if (!o) {
                session_no_output(s, opt->outputs[i], err, errlen);
                goto out;
            }
            bool twice = false;
            for (int k = 0; k < r.njobs; k++)
                twice |= r.jobs[k].o == o;
            if (twice)
                continue;       /* named twice: rendered once */
            r.jobs[r.njobs++].o = o;
        }
    } else {
        for (int i = 0; i < s->noutputs; i++)
            r.jobs[r.njobs++].o = &s->outputs[i];
    }
    /* Everything that can be wrong with the input is found before writing,
     * by the one check `lathe check` reports too: the tracks first. */
    if (!refusal(s, &r, err, errlen))
        goto out;
    if (r.njobs == 0) {
        snprintf(err, errlen, "the session has no [output] sections to render");
        goto out;
    }
    for (int i = 0; i < r.njobs; i++) {
        album_output |= (r.jobs[i].o->album && r.jobs[i].o->format != OUT_DDP &&
                         r.jobs[i].o->format != OUT_CUE && r.jobs[i].o->format != OUT_TOC) ||
                        r.jobs[i].o->format == OUT_REVIEW;
    }
    /* refused before any work: a bump past the reader's range would leave a
     * session that no longer loads, and a clamped one would reuse a name */
    if (album_output && s->album.revision >= LIMIT_REVISION_MAX) {
        snprintf(err, errlen, "revision = %d is the highest a session holds, and this render "
                 "would raise it — set a lower revision (lathe do SESSION \"set album.revision 0\")",
                 s->album.revision);
        goto out;
    }
    album = album_stream_new(s, &r.tl, err, errlen);
    if (!album)
        goto out;
    /* a render replaces only what a render made: refused before anything
     * is written, the output folder included */
    for (int i = 0; i < r.njobs; i++) {
        job_final(&r, &r.jobs[i], opt->dir);
        if (!outdir_may_replace(s, r.jobs[i].final, err, errlen))
            goto out;
    }
    created_dir = access(opt->dir, F_OK) != 0;
    if (!fs_mkdirs(opt->dir)) {
        snprintf(err, errlen, "%s: cannot create the folder (%s)", opt->dir, strerror(errno));
        goto out;
    }
    render_clean_stale(opt->dir);
    /* a fresh folder of its own (mkdtemp: 0700, never one that was there) */
    snprintf(tmproot, sizeof tmproot, "%s/%s%d-XXXXXX", opt->dir, TMP_PREFIX, (int)getpid());
    status = RENDER_FAILED;
    if (!mkdtemp(tmproot)) {
        snprintf(err, errlen, "%s: %s", tmproot, strerror(errno));
        tmproot[0] = 0;
        goto out;
    }
    if (!groups_setup(&r, err, errlen))
        goto out;
    for (int g = 0; g < r.ngroups; g++)
        for (int i = 0; i < r.groups[g].njobs; i++)
            if (!job_setup(&r, r.groups[g].jobs[i], &r.groups[g], tmproot, err, errlen)) {
                status = RENDER_BAD_INPUT;
                goto out;
            }
    int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = opt->jobs > 0 ? opt->jobs : (cores > 0 ? cores : 1);
    /* One worker per rate group up to `jobs`: the reading thread's share
     * (decode and chains) is small beside the converters, so it is not
     * given a core of its own. */
    r.nthreads = jobs > 1 ? (jobs < r.ngroups ? jobs : r.ngroups) : 0;
    if (r.nthreads > 0 && !(r.ring = block_ring_new(RING_BLOCKS, BLOCK, SINK_CHANNELS, r.nthreads)))
        r.nthreads = 0;         /* no memory for the ring: one thread does it all */
    if (r.nthreads > 0) {
        pthread_mutex_init(&r.gate, NULL);
        pthread_mutex_lock(&r.gate);
        workers = calloc((size_t)r.nthreads, sizeof *workers);
        for (int i = 0; workers && i < r.nthreads; i++) {
            workers[i].r = &r;
            workers[i].index = i;
            if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
                break;
            started_workers++;
        }
        pthread_mutex_unlock(&r.gate);
        if (started_workers < r.nthreads) {
            /* the ring waits for every worker: without them all, none */
            workers_stop(&r, workers, &started_workers);
            block_ring_free(r.ring);
            r.ring = NULL;
            r.nthreads = 0;
        }
    }
    if (!r.nthreads && !(r.block = malloc(sizeof(double) * BLOCK * SINK_CHANNELS))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    time_t t0 = time(NULL), last = 0;
    int n;
    for (;;) {
        if (opt->cancel && *opt->cancel) {
            snprintf(err, errlen, "interrupted; nothing written");
            goto out;
        }
        double *buf = r.ring ? block_ring_slot(r.ring) : r.block;
        if ((n = album_stream_read(album, buf, BLOCK)) <= 0)
            break;
        bool failed = false;
        if (r.ring) {
            block_ring_publish(r.ring, n);
            failed = block_ring_failed(r.ring);
        } else {
            for (int i = 0; i < r.ngroups; i++) {
                group_block(&r.groups[i], buf, n);
                failed |= group_failed(&r.groups[i]);
            }
        }
        if (failed)
            break;
        if (opt->on_progress)
            opt->on_progress(opt->progress_ctx, album_stream_position(album), r.tl.end);
        if (opt->progress && time(NULL) != last) {
            last = time(NULL);
            progress(&r, album_stream_position(album), t0, false);
        }
    }
    workers_stop(&r, workers, &started_workers);
    /* A mix cut, rewritten or replaced while it was read would be a wrong
     * master with nothing to show for it: whatever else went wrong, that
     * is the news, and nothing is delivered. */
    if (!mix_session_unchanged(s, "while rendering", err, errlen)) {
        size_t used = strlen(err);
        snprintf(err + used, errlen - used, "; nothing was written");
        goto out;
    }
    for (int i = 0; i < r.njobs; i++)
        if (r.jobs[i].failed) {
            snprintf(err, errlen, "%s", r.jobs[i].err);
            goto out;
        }
    if (n < 0) {
        /* a mix that fails to read (NaN samples, a read error) is bad input */
        snprintf(err, errlen, "%s", album_stream_error(album));
        status = RENDER_BAD_INPUT;
        goto out;
    }
    for (int i = 0; i < r.ngroups; i++)
        if (!group_drain(&r.groups[i], err, errlen))
            goto out;
    for (int i = 0; i < r.njobs; i++)
        if (!job_finish(&r, &r.jobs[i], err, errlen))
            goto out;
    if (opt->cancel && *opt->cancel) {
        snprintf(err, errlen, "interrupted; nothing written");
        goto out;
    }
    /* again: the render took a while, and someone may have put something
     * under an output's name meanwhile */
    for (int i = 0; i < r.njobs; i++)
        if (!outdir_may_replace(s, r.jobs[i].final, err, errlen)) {
            status = RENDER_BAD_INPUT;
            goto out;
        }
    if (!commit(&r, tmproot, err, errlen))
        goto out;
    if (opt->progress)
        progress(&r, r.tl.end, t0, true);
    if (opt->on_progress)
        opt->on_progress(opt->progress_ctx, r.tl.end, r.tl.end);
    for (int i = 0; i < r.njobs && report; i++) {
        char line[PATH_MAX + 200];
        struct job *j = &r.jobs[i];
        snprintf(line, sizeof line, "%s: %s (%d Hz, %s), %.1f LUFS, %.1f dBTP%s", j->o->name,
                 j->final, j->ctx.rate,
                 j->ctx.bits == 0 ? "lossy" : j->ctx.bits == 32 ? "float" : j->ctx.bits == 16 ? "16-bit" : "24-bit",
                 j->album_lr.integrated, j->album_lr.true_peak_max,
                 outstage_clipped(j->stage) ? ", samples clipped" : "");
        report(line, report_ctx);
    }
    if (album_output)
        s->album.revision++;
    status = RENDER_OK;
out:
    workers_stop(&r, workers, &started_workers);
    block_ring_free(r.ring);
    free(workers);
    if (opt->progress && status != RENDER_OK)
        fputc('\n', stderr);
    album_stream_free(album);
    for (int i = 0; i < r.njobs; i++)
        job_free(&r.jobs[i]);
    groups_free(&r);
    free(r.jobs);
    free(r.block);
    timeline_free(&r.tl);
    if (tmproot[0])
        fs_remove_tree(tmproot);
    if (status != RENDER_OK && created_dir)
        rmdir(opt->dir);        /* only if empty: a failed render leaves nothing */
    return status;
}
