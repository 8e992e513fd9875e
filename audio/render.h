/* SPDX-License-Identifier: MIT */
/* The offline renderer: the album decoded once, every chosen output fed
 * from that one pass through its own stage into its sinks, all written in
 * a hidden temporary folder that is renamed into place only when every
 * output is complete. */
#ifndef LATHE_RENDER_H
#define LATHE_RENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/model.h"

struct render_options {
    const char *const *outputs;     /* names to render; none: every output */
    int noutputs;
    const char *dir;                /* where the output folders go */
    int jobs;                       /* threads; 0: every core */
    bool progress;                  /* a progress line on stderr */
    volatile sig_atomic_t *cancel;  /* set (by a signal handler) to stop */
    /* Called on the rendering thread after every block and once at the
     * end: album frames done of `total` (at the session rate). NULL: none.
     * It must return quickly (store a number, wake a poll). */
    void (*on_progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
};

enum render_status {
    RENDER_OK = 0,
    RENDER_BAD_INPUT = 2,   /* nothing written */
    RENDER_FAILED = 3,      /* a write failed or was interrupted; nothing left */
};

/* Renders the session's outputs. The session's mixes must have been probed.
 * On success the album revision is bumped when an `album = yes` output was
 * rendered (the caller saves the session). `report` gets a line per output. */
enum render_status render_session(struct session *s, const struct render_options *opt,
                                  char *err, size_t errlen,
                                  void (*report)(const char *line, void *ctx), void *ctx);

/* Removes hidden temporary folders that a killed render left in `dir`. */
void render_clean_stale(const char *dir);

#endif
