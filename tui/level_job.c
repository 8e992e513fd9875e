/* SPDX-License-Identifier: MIT */
/* A leveling worker. The worker owns its copy of the session until it
 * writes the pipe; the UI thread reads the results only after joining it,
 * so nothing is shared while it runs. */
#include "tui/level_job.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/sessfile.h"

struct level_job {
    struct session *s;
    struct level_report report;
    bool ok;
    char err[1024];
    int pipe[2];
    pthread_t thread;
    bool running;           /* a thread to join */
};

static void *work(void *arg)
{
    struct level_job *j = arg;
    j->ok = level_session(j->s, NAN, NULL, &j->report, j->err, sizeof j->err);
    ssize_t w = write(j->pipe[1], "l", 1);
    (void)w;
    return NULL;
}

void level_job_free(struct level_job *j)
{
    if (!j)
        return;
    if (j->running)
        pthread_join(j->thread, NULL);
    session_free(j->s);
    if (j->pipe[0] >= 0) {
        close(j->pipe[0]);
        close(j->pipe[1]);
    }
    free(j);
}

struct level_job *level_job_start(const struct session *s, char *err, size_t errlen)
{
    struct level_job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->pipe[0] = j->pipe[1] = -1;
    if (pipe(j->pipe) != 0) {
        snprintf(err, errlen, "cannot start: no pipe");
        level_job_free(j);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl(j->pipe[i], F_SETFD, FD_CLOEXEC);
    if (!(j->s = session_copy(s, err, errlen))) {
        level_job_free(j);
        return NULL;
    }
    if (pthread_create(&j->thread, NULL, work, j) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        level_job_free(j);
        return NULL;
    }
    j->running = true;
    return j;
}

int level_job_fd(const struct level_job *j)
{
    return j->pipe[0];
}

bool level_job_finish(struct level_job *j, struct session **leveled, struct level_report *r,
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
    *r = j->report;
    *leveled = j->s;
    j->s = NULL;
    return true;
}
