/* SPDX-License-Identifier: MIT */
/* The static curve and time constants of the dynamics processors. */
#include "dsp/dynamics.h"

#include <math.h>

double dyn_curve_gr(const struct dyn_curve *c, double level_db)
{
    double over = level_db - c->threshold;
    double slope = 1 - 1 / c->ratio;
    double w = c->knee;
    if (2 * over <= -w)
        return 0;
    if (2 * over < w) {
        /* Inside the knee the slope of the output curve turns smoothly from
         * 1 to 1/ratio: a parabola that meets both straight lines with the
         * same value and slope at the knee's edges. */
        double d = over + w / 2;
        return slope * d * d / (2 * w);
    }
    return slope * over;
}

double dyn_power_db(double power)
{
    return power > 1e-30 ? 10 * log10(power) : -300;
}

double dyn_coef(double rate, double ms)
{
    double tau = ms / 1000 * rate;
    return tau > 0 ? exp(-1 / tau) : 0;
}

void dyn_ballistics_init(struct dyn_ballistics *b, double rate, double attack_ms,
                         double release_ms)
{
    b->attack = dyn_coef(rate, attack_ms);
    b->release = dyn_coef(rate, release_ms);
}
