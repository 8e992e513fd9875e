/* SPDX-License-Identifier: MIT */
/* The ops a converter library provides to dsp/resample (private to dsp/):
 * resample.c keeps the exact-length contract and the passthrough, a backend
 * only converts. */
#ifndef LATHE_RESAMPLE_BACKEND_H
#define LATHE_RESAMPLE_BACKEND_H

struct resample_backend_ops {
    /* State for a stream; max_in/max_out bound one call. NULL on failure. */
    void *(*create)(int channels, double in_rate, double out_rate, int max_in, int max_out);
    /* Takes all `frames` input frames; writes at most max_out frames;
     * returns the count, or -1. */
    long (*process)(void *st, const double *in, long frames, double *out, long max_out);
    /* End of input: up to max_out frames of the tail; 0 once it is all out. */
    long (*drain)(void *st, double *out, long max_out);
    const char *(*name)(void *st);
    void (*destroy)(void *st);
};

extern const struct resample_backend_ops resample_soxr_ops;
extern const struct resample_backend_ops resample_src_ops;

#endif
