/* SPDX-License-Identifier: MIT */
/* libFuzzer target: sound-file intake. Each input is written to a file
 * and measured as `lathe analyze` and `lathe check` measure a mix:
 * soundfile_open (libsndfile), then loudness and the intake checks over
 * every frame. A file either measures or fails with a message naming it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/mix_analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(path, sizeof path, "%s/lathe-fuzz-intake-%d.wav", dir, (int)getpid());
        atexit(remove_file);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    close(fd);
    /* the pool's worker loop, run on this thread: no thread per input */
    struct mix_analysis *job = calloc(1, sizeof *job);
    if (!job)
        abort();
    job->path = path;
    struct mix_pool pool = { .jobs = job, .njobs = 1 };
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.changed, NULL);
    mix_pool_worker(&pool);
    pthread_mutex_destroy(&pool.lock);
    pthread_cond_destroy(&pool.changed);
    if (!job->done || (!job->ok && strncmp(job->error, path, strlen(path)) != 0)) {
        fprintf(stderr, "intake failed without naming the file: \"%s\"\n", job->error);
        abort();
    }
    free(job);
    return 0;
}
