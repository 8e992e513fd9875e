/* SPDX-License-Identifier: MIT */
/* A render worker. The worker owns its copy of the session until it
 * writes the pipe; progress crosses over in atomics, the cancel flag the
 * other way, and the UI thread reads the rest only after joining it. */
#include "tui/render_job.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/mixprobe.h"
#include "audio/render.h"
#include "session/sessfile.h"

struct render_job {
    struct session *s;
    char **outputs;
    int noutputs;
    char dir[4096];
    int rate;
    double started;
    _Atomic int64_t done, total;
    volatile sig_atomic_t cancel;
    bool ok;
    char err[1024];
    char report[2048];
    int pipe[2];
    pthread_t thread;
    bool running;           /* a thread to join */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_progress(void *ctx, int64_t done, int64_t total)
{
    struct render_job *j = ctx;
    atomic_store(&j->total, total);
    atomic_store(&j->done, done);
}

static void on_line(const char *line, void *ctx)
{
    struct render_job *j = ctx;
    size_t n = strlen(j->report);
    snprintf(j->report + n, sizeof j->report - n, "%s%s", n ? "; " : "", line);
}

static void *work(void *arg)
{
    struct render_job *j = arg;
    struct render_options opt = {
        .outputs = (const char *const *)j->outputs, .noutputs = j->noutputs, .dir = j->dir,
        .cancel = &j->cancel, .on_progress = on_progress, .progress_ctx = j,
    };
    j->ok = render_session(j->s, &opt, j->err, sizeof j->err, on_line, j) == RENDER_OK;
    ssize_t w = write(j->pipe[1], "r", 1);
    (void)w;
    return NULL;
}

void render_job_free(struct render_job *j)
{
    if (!j)
        return;
    if (j->running)
        pthread_join(j->thread, NULL);
    session_free(j->s);
    for (int i = 0; i < j->noutputs; i++)
        free(j->outputs[i]);
    free(j->outputs);
    if (j->pipe[0] >= 0) {
        close(j->pipe[0]);
        close(j->pipe[1]);
    }
    free(j);
}

struct render_job *render_job_start(const struct session *s, const char *const *outputs, int n,
                                    char *err, size_t errlen)
{
    struct render_job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->pipe[0] = j->pipe[1] = -1;
    j->outputs = calloc((size_t)(n > 0 ? n : 1), sizeof *j->outputs);
    if (!j->outputs || pipe(j->pipe) != 0) {
        snprintf(err, errlen, "out of memory");
        render_job_free(j);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl(j->pipe[i], F_SETFD, FD_CLOEXEC);
    for (; j->noutputs < n; j->noutputs++)
        if (!(j->outputs[j->noutputs] = strdup(outputs[j->noutputs]))) {
            snprintf(err, errlen, "out of memory");
            render_job_free(j);
            return NULL;
        }
    const char *path = s->path ? s->path : "";
    const char *slash = strrchr(path, '/');
    snprintf(j->dir, sizeof j->dir, "%.*s%srender", slash ? (int)(slash - path) : 0, path,
             slash ? "/" : "");
    if (!(j->s = session_copy(s, err, errlen))) {
        render_job_free(j);
        return NULL;
    }
    /* the mixes as they are now (a client's revised mix copied over one
     * since the console opened): the render checks they stay so */
    mix_probe_session(j->s);
    j->rate = session_rate(j->s);
    j->started = now();
    if (pthread_create(&j->thread, NULL, work, j) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        render_job_free(j);
        return NULL;
    }
    j->running = true;
    return j;
}

int render_job_fd(const struct render_job *j)
{
    return j->pipe[0];
}

void render_job_progress(const struct render_job *j, struct render_progress *p)
{
    p->done = atomic_load(&((struct render_job *)j)->done);
    p->total = atomic_load(&((struct render_job *)j)->total);
    p->rate = j->rate;
    p->elapsed = now() - j->started;
}

void render_job_cancel(struct render_job *j)
{
    j->cancel = 1;
}

bool render_job_finish(struct render_job *j, int *revision, char *report, size_t reportlen,
                       char *err, size_t errlen)
{
    if (j->running) {
        pthread_join(j->thread, NULL);
        j->running = false;
    }
    if (!j->ok) {
        snprintf(err, errlen, "%s", j->err);
        return false;
    }
    *revision = j->s->album.revision;
    snprintf(report, reportlen, "%s", j->report);
    return true;
}
