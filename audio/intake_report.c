/* SPDX-License-Identifier: MIT */
/* The intake report of a client's mixes (intake_report.h). */
#include "audio/intake_report.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audio/mixprobe.h"

void intake_report_measure(struct mix_analysis *jobs, int n)
{
    if (n <= 0)
        return;
    struct mix_pool pool = { 0 };
    mix_pool_start(&pool, jobs, n, 0);
    mix_pool_join(&pool);
    pthread_mutex_destroy(&pool.lock);
    pthread_cond_destroy(&pool.changed);
}

int intake_report_write(FILE *f, const struct mix_analysis *jobs, const char *const *labels,
                        int n, bool clean_lines)
{
    int findings = 0;
    for (int i = 0; i < n; i++) {
        const struct mix_analysis *j = &jobs[i];
        const char *label = labels && labels[i] ? labels[i] : j->path;
        if (!j->ok) {
            fprintf(f, "%s: error: %s\n", label, j->error);
            continue;
        }
        if (j->intake.nwarnings == 0 && clean_lines)
            fprintf(f, "%s: clean\n", label);
        for (int w = 0; w < j->intake.nwarnings; w++) {
            const struct intake_warning *iw = &j->intake.warnings[w];
            fprintf(f, "%s: %s %s: %s\n", label, intake_severity_name(iw->severity), iw->code,
                    iw->message);
            findings += iw->severity != INTAKE_NOTE;
        }
    }
    return findings;
}

bool intake_report_session(const struct session *s, FILE *f, char *err, size_t errlen)
{
    int n = s->ntracks;
    struct mix_analysis *jobs = calloc((size_t)(n ? n : 1), sizeof *jobs);
    char (*paths)[PATH_MAX] = calloc((size_t)(n ? n : 1), sizeof *paths);
    char (*names)[PATH_MAX + 16] = calloc((size_t)(n ? n : 1), sizeof *names);
    const char **labels = calloc((size_t)(n ? n : 1), sizeof *labels);
    if (!jobs || !paths || !names || !labels) {
        free(jobs);
        free(paths);
        free(names);
        free(labels);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (int i = 0; i < n; i++) {
        mix_path(s, s->tracks[i].file, paths[i], sizeof paths[i]);
        jobs[i].path = paths[i];
        snprintf(names[i], sizeof names[i], "%02d %s", i + 1, s->tracks[i].file);
        labels[i] = names[i];
    }
    intake_report_measure(jobs, n);
    if (n == 0)
        fprintf(f, "no mixes in the session\n");
    intake_report_write(f, jobs, labels, n, true);
    free(jobs);
    free(paths);
    free(names);
    free(labels);
    return true;
}
