/* SPDX-License-Identifier: MIT */
/* A chain: processors run in order over one stream of interleaved double audio.
 *
 * Latency. Some processors look ahead (the limiter), so a chain's output lags
 * its input by chain_latency() frames, the sum over its processors. Whoever
 * renders must keep audio on the timeline: discard the first chain_latency()
 * output frames and, after the last input, push chain_latency() frames of
 * silence (chain_drain) to get the tail out. `struct chain_runner` below does
 * exactly that, so callers cannot get it wrong; playback, which cannot wait,
 * calls chain_process directly and lives with the delay.
 *
 * Snapshots. A compensated output frame T leaves the chain when the input has
 * reached T + chain_latency(); a snapshot meant to restart output at T is
 * therefore taken at that input position (chain_runner_copy_state keeps the
 * bookkeeping right).
 *
 * Bypass keeps time: a bypassed chain outputs its input delayed by the same
 * chain_latency() frames, so switching never shifts audio. The processors keep
 * running underneath (their state stays warm, the CPU load constant) and the
 * switch crossfades over 5 ms, counted in frames, so it never clicks and the
 * result does not depend on block size.
 *
 * Every function except _new, _free and the runner's _new/_free may be called
 * from the audio thread: none allocates, locks, logs or does I/O.
 */
#ifndef LATHE_CHAIN_H
#define LATHE_CHAIN_H

#include <stdbool.h>

#include "dsp/processor.h"
#include "session/params.h"

struct chain;

/* Builds the processors `procs[0..n-1]` (n may be 0: an identity chain).
 * Returns NULL, having freed whatever it built, if any processor kind has no
 * implementation or any processor refuses its settings. */
struct chain *chain_new(const struct proc *procs, int n, double rate,
                        int channels, int max_block);
/* The same with the processor tables given instead of looked up in the
 * registry: ops[i] runs procs[i]. For processors the registry does not list
 * (tests, private stages). */
struct chain *chain_new_ops(const struct processor_ops *const *ops,
                            const struct proc *procs, int n, double rate,
                            int channels, int max_block);
void chain_free(struct chain *c);

/* In place, any number of frames (cut internally into max_block pieces).
 * Audio thread. */
void chain_process(struct chain *c, double *buf, int frames);
/* Runs `frames` frames of silence through the chain into buf, to flush the
 * look-ahead tail after the last input. Audio thread. */
void chain_drain(struct chain *c, double *buf, int frames);
/* Frames by which the output lags the input: the processors' sum, fixed when
 * the chain is built. Audio thread. */
int chain_latency(const struct chain *c);
/* Back to the state of a fresh chain (bypass setting kept). Audio thread. */
void chain_reset(struct chain *c);
/* Copies the audio state of `src` (every processor, the bypass delay line)
 * into `dst`, which must have been built with the same settings. The bypass
 * setting is a control, not state, and stays dst's own. Audio thread. */
void chain_copy_state(struct chain *dst, const struct chain *src);
/* Number of processors. */
int chain_count(const struct chain *c);
/* Gain reduction in dB (>= 0) of processor i; 0 for non-dynamics and out of
 * range. Audio thread. */
double chain_gain_reduction(const struct chain *c, int i);
/* Switches bypass on or off (a 5 ms crossfade follows). Audio thread. */
void chain_set_bypass(struct chain *c, bool on);
bool chain_bypassed(const struct chain *c);

/* Latency compensation for renders: output frame k is the chain's answer to
 * input frame k, whatever the latency; in total as many frames come out as
 * went in. The runner borrows the chain: free the runner first. */
struct chain_runner;

struct chain_runner *chain_runner_new(struct chain *c);
void chain_runner_free(struct chain_runner *r);
/* Processes `frames` frames of buf in place and returns how many aligned
 * output frames now start at buf[0]: fewer than `frames` while the first
 * chain_latency() frames are being discarded. Audio thread. */
int chain_runner_process(struct chain_runner *r, double *buf, int frames);
/* After the last input: writes up to `frames` frames of the remaining output
 * into buf and returns their number; call until it returns 0. Audio thread. */
int chain_runner_finish(struct chain_runner *r, double *buf, int frames);
/* Ready for a new stream from frame 0 (resets the chain too). */
void chain_runner_reset(struct chain_runner *r);
/* Copies the chain's state and the runner's bookkeeping (snapshots). */
void chain_runner_copy_state(struct chain_runner *dst,
                             const struct chain_runner *src);

#endif
