/* SPDX-License-Identifier: MIT */
/* src_floor JOBS RATE... -- FILE...: the resampling floor of a render. Decodes
 * every file and converts it with libsamplerate's best sinc to every RATE,
 * as float (as lathe's resampler does), on JOBS threads, and throws the
 * result away: what a render cannot go below on the same cores. */
#include <pthread.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES 4096

struct work {
    const char *path;
    int rate;
};

static struct work *works;
static int nworks;
static atomic_int next_work;
static atomic_int failed;

static void convert(const struct work *w)
{
    SF_INFO info = { 0 };
    SNDFILE *f = sf_open(w->path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "%s: %s\n", w->path, sf_strerror(NULL));
        atomic_store(&failed, 1);
        return;
    }
    int ch = info.channels, err = 0;
    double ratio = (double)w->rate / info.samplerate;
    int out_frames = (int)(FRAMES * ratio) + 64;
    float *in = malloc(sizeof(float) * FRAMES * (size_t)ch);
    float *out = malloc(sizeof(float) * (size_t)out_frames * (size_t)ch);
    SRC_STATE *src = src_new(SRC_SINC_BEST_QUALITY, ch, &err);
    if (!in || !out || !src) {
        atomic_store(&failed, 1);
        goto out;
    }
    for (;;) {
        sf_count_t n = sf_readf_float(f, in, FRAMES);
        SRC_DATA d = { .data_in = in, .data_out = out, .input_frames = (long)n,
                       .output_frames = out_frames, .src_ratio = ratio,
                       .end_of_input = n == 0 };
        const float *p = in;
        do {
            d.data_in = p;
            if (src_process(src, &d) != 0) {
                atomic_store(&failed, 1);
                goto out;
            }
            p += d.input_frames_used * ch;
            d.input_frames -= d.input_frames_used;
        } while (d.input_frames > 0 || (n == 0 && d.output_frames_gen > 0));
        if (n == 0)
            break;
    }
out:
    if (src)
        src_delete(src);
    free(in);
    free(out);
    sf_close(f);
}

static void *worker(void *arg)
{
    int i;
    while ((i = atomic_fetch_add(&next_work, 1)) < nworks)
        convert(&works[i]);
    return arg;
}

int main(int argc, char **argv)
{
    int sep = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0)
            sep = i;
    if (argc < 5 || sep < 3 || sep == argc - 1) {
        fprintf(stderr, "usage: src_floor JOBS RATE... -- FILE...\n");
        return 2;
    }
    int jobs = atoi(argv[1]);
    int nrates = sep - 2, nfiles = argc - sep - 1;
    nworks = nrates * nfiles;
    works = calloc((size_t)nworks, sizeof *works);
    pthread_t *t = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof *t);
    if (!works || !t || jobs < 1)
        return 2;
    /* file-major, so that two threads convert the same file to two rates as
     * the render's output workers do */
    for (int f = 0; f < nfiles; f++)
        for (int r = 0; r < nrates; r++)
            works[f * nrates + r] = (struct work){ argv[sep + 1 + f], atoi(argv[2 + r]) };
    for (int i = 0; i < jobs; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < jobs; i++)
        pthread_join(t[i], NULL);
    free(t);
    free(works);
    return atomic_load(&failed) ? 1 : 0;
}
