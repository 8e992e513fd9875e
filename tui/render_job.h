/* SPDX-License-Identifier: MIT */
/* Rendering from the console, on a worker: the console keeps answering
 * keys, shows the progress and can cancel. The render puts its outputs in
 * place all together or not at all, so a cancel leaves nothing half done. */
#ifndef LATHE_RENDER_JOB_H
#define LATHE_RENDER_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"

struct render_job;

struct render_progress {
    int64_t done, total;    /* album frames */
    int rate;               /* of those frames */
    double elapsed;         /* seconds since the start */
};

/* Starts rendering `outputs` (n names; 0: every output) of a copy of `s`
 * (whose mixes were probed) into the folder `render` beside the session.
 * NULL with the reason in err when it cannot start. */
struct render_job *render_job_start(const struct session *s, const char *const *outputs, int n,
                                    char *err, size_t errlen);
/* Readable once the job is done. */
int render_job_fd(const struct render_job *j);
void render_job_progress(const struct render_job *j, struct render_progress *p);
/* Asks the render to stop; it then fails with nothing written. */
void render_job_cancel(struct render_job *j);
/* Waits for the worker (at once when done). True when every output was
 * put in place: `report` gets a line per output ("; " between), and
 * `revision` the album revision the render left (bumped by an album
 * output). False with the reason in err. */
bool render_job_finish(struct render_job *j, int *revision, char *report, size_t reportlen,
                       char *err, size_t errlen);
/* Waits for the worker and frees; render_job_free(NULL) does nothing. */
void render_job_free(struct render_job *j);

#endif
