/* SPDX-License-Identifier: MIT */
/* Measures sound files in parallel: loudness, true peak, LRA and the intake
 * checks, one file per worker thread.
 *
 * Workers take the next file under `lock`; a file's results are written by
 * its worker only and may be read by others once `done` is set under
 * `lock` (`changed` is signalled then). Progress counters are atomics read
 * without the lock. */
#ifndef LATHE_MIX_ANALYSIS_H
#define LATHE_MIX_ANALYSIS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "audio/soundfile.h"
#include "dsp/intake.h"
#include "dsp/loudness.h"

struct mix_analysis {
    const char *path;
    bool done;                      /* under lock */
    bool ok;
    char error[4096 + 600];
    struct soundfile_info info;
    struct loudness_result loud;
    struct intake_report intake;
    _Atomic int64_t frames_total;   /* known once the file is open */
    _Atomic int64_t frames_done;
};

struct mix_pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct mix_analysis *jobs;
    int njobs;
    int next;                       /* next job to take, under lock */
    pthread_t *threads;
    int started;
};

/* Starts up to `threads` workers (0: one per core) over jobs[0..n-1]; with
 * no thread to be had, does the work itself before returning. */
void mix_pool_start(struct mix_pool *p, struct mix_analysis *jobs, int n, int threads);
/* Waits for every worker. */
void mix_pool_join(struct mix_pool *p);
/* A worker's loop (the pool's thread function). */
void *mix_pool_worker(void *arg);

#endif
