/* SPDX-License-Identifier: MIT */
/* Leveling from the console, on a worker: measuring an album takes
 * seconds, and the console keeps answering keys (and SIGHUP) meanwhile. */
#ifndef LATHE_LEVEL_JOB_H
#define LATHE_LEVEL_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "audio/level.h"
#include "session/model.h"

struct level_job;

/* Starts leveling a copy of `s` (whose mixes were probed). NULL with the
 * reason in err when it cannot start. */
struct level_job *level_job_start(const struct session *s, char *err, size_t errlen);
/* Readable once the job is done. */
int level_job_fd(const struct level_job *j);
/* Waits for the worker (at once when done), then gives the leveled copy
 * (the caller takes it) or false with the reason in err. */
bool level_job_finish(struct level_job *j, struct session **leveled, struct level_report *r,
                      char *err, size_t errlen);
/* Waits for the worker and frees; level_job_free(NULL) does nothing. */
void level_job_free(struct level_job *j);

#endif
