/* SPDX-License-Identifier: MIT */
/* The processor interface: one small table of functions per processor kind,
 * configured from a `struct proc` (session/params.h).
 *
 * Audio is interleaved double, processed in place. Contract (style.md §3):
 * all allocation happens in processor_new; process, reset, latency and the
 * meter getters never allocate, lock, log or do I/O, so the audio thread
 * may call them. Output depends only on the input samples, never on how
 * they were cut into blocks.
 */
#ifndef LATHE_PROCESSOR_H
#define LATHE_PROCESSOR_H

#include "session/params.h"

struct processor;

/* What each processor kind implements (see processor.c for the registry). */
struct processor_ops {
    const char *name;
    /* Allocates and prepares the state; NULL on failure or bad settings. */
    void *(*create)(const struct proc *settings, double rate, int channels,
                    int max_block);
    /* In place, frames <= max_block. Audio thread. */
    void (*process)(void *state, double *buf, int frames);
    /* Optional: `n` instances of this kind in a row, in one pass, with the
     * same output to the bit as `process` on each in turn (a chain uses it
     * for consecutive EQ bands, whose filters then run side by side). The
     * caller passes n >= 1 distinct states of this kind, made for the same
     * channel count. NULL when the kind has none. Audio thread. */
    void (*process_run)(void *const *states, int n, double *buf, int frames);
    /* Back to the state of a fresh instance. Audio thread. */
    void (*reset)(void *state);
    /* Frames by which the output lags the input. Audio thread. */
    int (*latency)(const void *state);
    /* Current gain reduction in dB (>= 0), or NULL when not dynamics. */
    double (*gain_reduction)(const void *state);
    /* Copies the whole state of `src` into `dst` (same settings), for the
     * snapshots playback restores at a track start. Audio thread. */
    void (*copy_state)(void *dst, const void *src);
    void (*destroy)(void *state);
};

/* The table for a kind, or NULL for kinds that are not chain processors. */
const struct processor_ops *processor_ops_of(enum proc_kind kind);

struct processor *processor_new(const struct proc *settings, double rate,
                                int channels, int max_block);
void processor_process(struct processor *p, double *buf, int frames);
void processor_reset(struct processor *p);
int processor_latency(const struct processor *p);
double processor_gain_reduction(const struct processor *p);
void processor_copy_state(struct processor *dst, const struct processor *src);
enum proc_kind processor_kind(const struct processor *p);
void processor_free(struct processor *p);

#endif
