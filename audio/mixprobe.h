/* SPDX-License-Identifier: MIT */
/* Reads the headers of a session's mixes and references, so the timeline
 * knows their lengths and check knows which ones are missing. */
#ifndef LATHE_MIXPROBE_H
#define LATHE_MIXPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

/* The path of `file` as seen from here: relative paths in a session are
 * relative to the session file's folder. */
void mix_path(const struct session *s, const char *file, char *out, size_t len);
/* Fills every track's and reference's mix info. */
void mix_probe_session(struct session *s);
/* Makes the editor's `insert` read the mix it adds (editor_probe_hook). */
void mix_probe_install(void);

/* Whether every mix the session read is still the file it read (same
 * inode, size and modification time). If not, false with "PATH changed
 * WHEN (what changed)" in err. */
bool mix_session_unchanged(const struct session *s, const char *when, char *err, size_t errlen);

#endif
