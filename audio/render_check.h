/* SPDX-License-Identifier: MIT */
/* Every refusal a render makes from the session alone, found without
 * writing anything: render_session calls it before it writes, and `lathe
 * check` reports what it finds, so check is never clean where render
 * refuses. */
#ifndef LATHE_RENDER_CHECK_H
#define LATHE_RENDER_CHECK_H

#include "session/model.h"
#include "session/rules.h"
#include "session/timeline.h"

/* Adds an error to `p` for each refusal rendering `outs` (n of them; NULL:
 * every output of the session) would make, in the words render uses; a
 * problem about an output carries its name in `output`. The session's
 * mixes must have been probed and `tl` built from it. Returns the number
 * of errors added. */
int render_check(const struct session *s, const struct timeline *tl,
                 const struct output *const *outs, int n, struct problems *p);

/* The words render prints for a problem render_check added. */
void render_check_message(const struct problem *it, char *out, size_t len);

#endif
