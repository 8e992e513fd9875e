/* SPDX-License-Identifier: MIT */
/* The session's limits that need the whole session: a chain's frequencies
 * against the album rate (the rate line may come after the chain). */
#include "session/limits.h"

#include <stdio.h>

#include "session/params.h"

/* The first frequency given in `c` at or above `nyquist`, as parameter and
 * value; false when there is none. */
static bool chain_over(const struct chain_settings *c, double nyquist, const struct proc **bad,
                       int *param, double *value)
{
    for (int p = 0; p < c->n; p++) {
        const struct proc_def *d = proc_def_of(c->procs[p].kind);
        for (int i = 0; i < d->nparams; i++) {
            if (d->params[i].unit != UNIT_HZ)
                continue;
            for (int b = 0; b < c->procs[p].count[i]; b++)
                if (c->procs[p].value[i][b] >= nyquist) {
                    *bad = &c->procs[p];
                    *param = i;
                    *value = c->procs[p].value[i][b];
                    return true;
                }
        }
    }
    return false;
}

bool session_check_limits(const struct session *s, const char *name, char *err, size_t errlen)
{
    /* without a rate line the rate is the mixes', not known until they are
     * probed: the DSP then keeps its filters below Nyquist itself */
    if (s->album.rate <= 0)
        return true;
    double nyquist = s->album.rate / 2.0;
    for (int t = -1; t < s->ntracks; t++) {
        const struct chain_settings *c = t < 0 ? &s->master.chain : &s->tracks[t].chain;
        const struct proc *p;
        int i;
        double v;
        if (!chain_over(c, nyquist, &p, &i, &v))
            continue;
        const struct proc_def *d = proc_def_of(p->kind);
        char where[32], f[32], ny[32];
        if (t < 0)
            snprintf(where, sizeof where, "[master]");
        else
            snprintf(where, sizeof where, "track %d", t + 1);
        param_format_value(UNIT_HZ, NULL, v, f, sizeof f);
        param_format_value(UNIT_HZ, NULL, nyquist, ny, sizeof ny);
        snprintf(err, errlen, "%s: %s: %s %s %s is at or above %s, the Nyquist frequency of "
                 "rate = %d — expected a frequency below %s", name, where, d->key,
                 d->params[i].key, f, ny, s->album.rate, ny);
        return false;
    }
    return true;
}
