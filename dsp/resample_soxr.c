/* SPDX-License-Identifier: MIT */
/* The soxr backend of dsp/resample: SOXR_VHQ, double in and out, one
 * thread (soxr's OpenMP threads spin-wait; lathe parallelises above it).
 *
 * The tail is drained by feeding silence, not by soxr's own flush (a NULL
 * input): the flush allocates, and drain runs on the audio thread at the
 * end of playback. resample.c cuts the tail at the exact length. */
#include "dsp/resample_backend.h"

#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>

struct sx {
    soxr_t s;
    int channels;
    int max_in;
    double *zeros;          /* max_in frames of silence for the tail */
    char name[48];
};

static void *sx_create(int channels, double in_rate, double out_rate, int max_in, int max_out)
{
    (void)max_out;
    struct sx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->zeros = calloc((size_t)max_in * (size_t)channels, sizeof *x->zeros);
    if (!x->zeros) {
        free(x);
        return NULL;
    }
    soxr_error_t e = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I);
    soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    x->s = soxr_create(in_rate, out_rate, (unsigned)channels, &e, &io, &q, &rt);
    if (!x->s || e) {
        soxr_delete(x->s);
        free(x->zeros);
        free(x);
        return NULL;
    }
    x->channels = channels;
    x->max_in = max_in;
    snprintf(x->name, sizeof x->name, "soxr VHQ (%s)", soxr_engine(x->s));
    return x;
}

static long sx_process(void *st, const double *in, long frames, double *out, long max_out)
{
    struct sx *x = st;
    long used = 0, written = 0;
    /* soxr takes only as much input as the output space given could hold;
     * output it has ready beyond that space it keeps for the next call */
    while (used < frames) {
        size_t idone = 0, odone = 0;
        if (soxr_process(x->s, in + used * x->channels, (size_t)(frames - used), &idone,
                         out + written * x->channels, (size_t)(max_out - written), &odone))
            return -1;
        used += (long)idone;
        written += (long)odone;
        if (idone == 0 && odone == 0)
            return -1;      /* no room: max_out was sized too small (a bug) */
    }
    return written;
}

static long sx_drain(void *st, double *out, long max_out)
{
    struct sx *x = st;
    /* silence until some output comes (soxr takes only as much as the
     * space given can hold): its delay is far below a million frames */
    for (long fed = 0; fed < 1 << 20;) {
        size_t idone = 0, odone = 0;
        if (soxr_process(x->s, x->zeros, (size_t)x->max_in, &idone, out, (size_t)max_out, &odone))
            return -1;
        if (odone > 0)
            return (long)odone;
        if (idone == 0)
            return 0;
        fed += (long)idone;
    }
    return 0;
}

static const char *sx_name(void *st)
{
    return ((struct sx *)st)->name;
}

static void sx_destroy(void *st)
{
    struct sx *x = st;
    soxr_delete(x->s);
    free(x->zeros);
    free(x);
}

const struct resample_backend_ops resample_soxr_ops = {
    .create = sx_create,
    .process = sx_process,
    .drain = sx_drain,
    .name = sx_name,
    .destroy = sx_destroy,
};
