/* SPDX-License-Identifier: MIT */
/* The intake report: the DSP core's intake checks (dsp/intake.h) on a
 * client's mixes, one short line per finding per mix, for `lathe new` and
 * the console's `:intake` panel. */
#ifndef LATHE_INTAKE_REPORT_H
#define LATHE_INTAKE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audio/mix_analysis.h"
#include "session/model.h"

/* Measures jobs[0..n-1] (each with its path set) in parallel. */
void intake_report_measure(struct mix_analysis *jobs, int n);

/* Writes the report of measured jobs: for each mix with findings one line
 * per finding, `LABEL: SEVERITY CODE: message`, most severe first; a mix
 * that could not be read gets `LABEL: error: why`; clean mixes get no line
 * unless `clean_lines`, then `LABEL: clean`. `labels[i]` names job i (NULL:
 * its path). Returns how many findings (warnings and problems, not notes)
 * were written. */
int intake_report_write(FILE *f, const struct mix_analysis *jobs, const char *const *labels,
                        int n, bool clean_lines);

/* The session's mixes, measured and written as above with labels "NN
 * file" (for the console's panel; every mix gets a line). The mixes must
 * have been probed. False with a message when out of memory. */
bool intake_report_session(const struct session *s, FILE *f, char *err, size_t errlen);

#endif
