/* SPDX-License-Identifier: MIT */
/* Measures sound files in parallel (mix_analysis.h). */
#include "audio/mix_analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_FRAMES 16384

/* libsndfile reports a failed open through one global string, so opens
 * are taken one at a time to keep each file's message its own. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static bool measure(struct mix_analysis *j, struct soundfile *f)
{
    int ch = j->info.channels;
    double *buf = malloc((size_t)READ_FRAMES * (size_t)ch * sizeof *buf);
    struct loudness *m = loudness_new(j->info.rate, ch);
    struct intake *in = intake_new(j->info.rate, ch);
    bool ok = buf && m && in;
    if (!ok)
        snprintf(j->error, sizeof j->error, "%s: out of memory", j->path);
    while (ok) {
        int64_t n = soundfile_read(f, buf, READ_FRAMES);
        if (n < 0) {
            snprintf(j->error, sizeof j->error, "%s", soundfile_error(f));
            ok = false;
        } else if (n == 0) {
            break;
        } else if (!loudness_add(m, buf, (size_t)n)) {
            snprintf(j->error, sizeof j->error, "%s: out of memory", j->path);
            ok = false;
        } else {
            intake_add(in, buf, (size_t)n);
            atomic_fetch_add(&j->frames_done, n);
        }
    }
    if (ok && !loudness_finish(m, &j->loud)) {
        snprintf(j->error, sizeof j->error, "%s: out of memory", j->path);
        ok = false;
    }
    if (ok) {
        struct intake_format fmt = { .bits = j->info.bits, .is_float = j->info.is_float,
                                     .lossy = j->info.lossy, .name = j->info.format };
        intake_finish(in, &fmt, &j->loud, &j->intake);
    }
    intake_free(in);
    loudness_free(m);
    free(buf);
    return ok;
}

static void run_job(struct mix_analysis *j)
{
    pthread_mutex_lock(&open_lock);
    struct soundfile *f = soundfile_open(j->path, &j->info, j->error, sizeof j->error);
    pthread_mutex_unlock(&open_lock);
    if (!f)
        return;
    atomic_store(&j->frames_total, j->info.frames);
    j->ok = measure(j, f);
    soundfile_close(f);
}

void *mix_pool_worker(void *arg)
{
    struct mix_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int i = p->next < p->njobs ? p->next++ : -1;
        pthread_mutex_unlock(&p->lock);
        if (i < 0)
            return NULL;
        run_job(&p->jobs[i]);
        pthread_mutex_lock(&p->lock);
        p->jobs[i].done = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
}

void mix_pool_start(struct mix_pool *p, struct mix_analysis *jobs, int n, int threads)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    p->jobs = jobs;
    p->njobs = n;
    p->next = 0;
    p->started = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = threads > 0 ? threads : cores < 1 ? 1 : (int)cores;
    if (want > n)
        want = n;
    p->threads = calloc((size_t)(want > 0 ? want : 1), sizeof *p->threads);
    while (p->threads && p->started < want &&
           pthread_create(&p->threads[p->started], NULL, mix_pool_worker, p) == 0)
        p->started++;
    /* Without any thread the work still gets done, on this one. */
    if (p->started == 0)
        mix_pool_worker(p);
}

void mix_pool_join(struct mix_pool *p)
{
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    p->threads = NULL;
    p->started = 0;
}
