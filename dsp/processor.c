/* SPDX-License-Identifier: MIT */
/* The processor registry: maps each chain processor kind to its functions,
 * and the thin wrappers every caller goes through. */
#include "dsp/processor.h"

#include <stdlib.h>

/* Each processor module defines its table; add it here. */
extern const struct processor_ops eq_ops;
extern const struct processor_ops comp_ops;
extern const struct processor_ops multiband_ops;
extern const struct processor_ops width_ops;
extern const struct processor_ops limit_ops;
extern const struct processor_ops gain_ops;

static const struct processor_ops *const registry[PROC_KIND_COUNT] = {
    [PROC_EQ] = &eq_ops,
    [PROC_COMP] = &comp_ops,
    [PROC_MULTIBAND] = &multiband_ops,
    [PROC_WIDTH] = &width_ops,
    [PROC_LIMIT] = &limit_ops,
    [PROC_GAIN] = &gain_ops,
};

struct processor {
    const struct processor_ops *ops;
    enum proc_kind kind;
    void *state;
};

const struct processor_ops *processor_ops_of(enum proc_kind kind)
{
    if ((int)kind < 0 || kind >= PROC_KIND_COUNT)
        return NULL;
    return registry[kind];
}

struct processor *processor_new(const struct proc *settings, double rate,
                                int channels, int max_block)
{
    const struct processor_ops *ops = processor_ops_of(settings->kind);
    if (!ops || channels < 1 || max_block < 1 || !(rate > 0))
        return NULL;
    struct processor *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->ops = ops;
    p->kind = settings->kind;
    p->state = ops->create(settings, rate, channels, max_block);
    if (!p->state) {
        free(p);
        return NULL;
    }
    return p;
}

void processor_process(struct processor *p, double *buf, int frames)
{
    p->ops->process(p->state, buf, frames);
}

void processor_reset(struct processor *p)
{
    p->ops->reset(p->state);
}

int processor_latency(const struct processor *p)
{
    return p->ops->latency ? p->ops->latency(p->state) : 0;
}

double processor_gain_reduction(const struct processor *p)
{
    return p->ops->gain_reduction ? p->ops->gain_reduction(p->state) : 0;
}

void processor_copy_state(struct processor *dst, const struct processor *src)
{
    dst->ops->copy_state(dst->state, src->state);
}

enum proc_kind processor_kind(const struct processor *p)
{
    return p->kind;
}

void processor_free(struct processor *p)
{
    if (!p)
        return;
    p->ops->destroy(p->state);
    free(p);
}
