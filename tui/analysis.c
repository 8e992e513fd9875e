/* SPDX-License-Identifier: MIT */
/* Background loudness analysis for the console, over the mix analysis pool.
 *
 * The pool starts on the caller's thread; a watcher thread then waits on its `changed` condition
 * and writes one byte to a pipe for every result, so the UI thread never
 * blocks on the workers. Results are keyed by the session's file names, so
 * that moving tracks does not lose them. */
#include "tui/analysis.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/mix_analysis.h"
#include "audio/mixprobe.h"

struct analysis {
    struct mix_pool pool;
    struct mix_analysis *jobs;
    char **files;           /* the session's names, parallel to jobs */
    int n;
    int pipe[2];
    pthread_t watcher;
    bool watching;
};

static void *watch(void *arg)
{
    struct analysis *a = arg;
    int seen = 0;
    pthread_mutex_lock(&a->pool.lock);
    for (;;) {
        int done = 0;
        for (int i = 0; i < a->n; i++)
            done += a->jobs[i].done;
        if (done > seen) {
            seen = done;
            ssize_t w = write(a->pipe[1], "r", 1);
            (void)w;            /* a full pipe already wakes the reader */
        }
        if (done == a->n)
            break;
        pthread_cond_wait(&a->pool.changed, &a->pool.lock);
    }
    pthread_mutex_unlock(&a->pool.lock);
    mix_pool_join(&a->pool);
    return NULL;
}

void analysis_free(struct analysis *a)
{
    if (!a)
        return;
    if (a->watching)
        pthread_join(a->watcher, NULL);
    for (int i = 0; i < a->n; i++) {
        free((char *)a->jobs[i].path);
        free(a->files[i]);
    }
    free(a->jobs);
    free(a->files);
    if (a->pipe[0] >= 0) {
        close(a->pipe[0]);
        close(a->pipe[1]);
    }
    free(a);
}

struct analysis *analysis_start(const struct session *s)
{
    struct analysis *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->pipe[0] = a->pipe[1] = -1;
    a->jobs = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *a->jobs);
    a->files = calloc((size_t)(s->ntracks ? s->ntracks : 1), sizeof *a->files);
    if (!a->jobs || !a->files || pipe(a->pipe) != 0) {
        analysis_free(a);
        return NULL;
    }
    fcntl(a->pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(a->pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(a->pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(a->pipe[1], F_SETFD, FD_CLOEXEC);
    for (int i = 0; i < s->ntracks; i++) {
        if (!s->tracks[i].mix.ok)
            continue;
        char path[4096];
        mix_path(s, s->tracks[i].file, path, sizeof path);
        char *p = strdup(path), *f = strdup(s->tracks[i].file);
        if (!p || !f) {
            free(p);
            free(f);
            analysis_free(a);
            return NULL;
        }
        a->jobs[a->n].path = p;
        a->files[a->n++] = f;
    }
    if (a->n == 0) {
        analysis_free(a);
        return NULL;
    }
    mix_pool_start(&a->pool, a->jobs, a->n, 0);
    if (pthread_create(&a->watcher, NULL, watch, a) != 0) {
        mix_pool_join(&a->pool);
        ssize_t w = write(a->pipe[1], "r", 1);
        (void)w;
        return a;
    }
    a->watching = true;
    return a;
}

int analysis_fd(const struct analysis *a)
{
    return a->pipe[0];
}

void analysis_drain(struct analysis *a)
{
    char buf[64];
    while (read(a->pipe[0], buf, sizeof buf) > 0)
        ;
}

void analysis_progress(struct analysis *a, int *done, int *total)
{
    *done = 0;
    *total = a->n;
    pthread_mutex_lock(&a->pool.lock);
    for (int i = 0; i < a->n; i++)
        *done += a->jobs[i].done;
    pthread_mutex_unlock(&a->pool.lock);
}

int analysis_get(struct analysis *a, const char *file, struct loudness_result *out)
{
    int r = 0;
    pthread_mutex_lock(&a->pool.lock);
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->files[i], file) == 0) {
            if (a->jobs[i].done) {
                r = a->jobs[i].ok ? 1 : -1;
                if (r > 0)
                    *out = a->jobs[i].loud;
            }
            break;
        }
    pthread_mutex_unlock(&a->pool.lock);
    return r;
}
