/* SPDX-License-Identifier: MIT */
/* The gain computer and gain envelope that the compressor and the multiband
 * share: a static curve in the dB domain and attack/release smoothing of the
 * gain reduction it asks for.
 *
 * The envelope works on the gain reduction (dB, >= 0) in two one-pole steps.
 * The release step is a peak follower: it rises at once with the curve's
 * demand and falls toward it with the release time constant, so that the
 * dips of a waveform between its peaks hardly pull the reduction down. The
 * attack step then slows the rises with the attack time constant and passes
 * the falls through. A step in level therefore moves the reduction by
 * exactly 1 - 1/e of the change after one time constant, attack or release.
 */
#ifndef LATHE_DYNAMICS_H
#define LATHE_DYNAMICS_H

/* The static curve: threshold and knee width in dB, ratio x:1. */
struct dyn_curve {
    double threshold, ratio, knee;
};

/* Below this the envelope counts as released: no denormals, exact unity. */
#define DYN_GR_FLOOR 1e-12

/* The gain reduction in dB (>= 0) the curve asks for at level_db: no
 * reduction below the knee, (level - threshold) * (1 - 1/ratio) above it,
 * and the standard quadratic knee of width `knee` centred on the threshold. */
double dyn_curve_gr(const struct dyn_curve *c, double level_db);

/* Level in dB of a power (amplitude squared); silence reads -300 dB. */
double dyn_power_db(double power);

/* One-pole coefficient exp(-1 / (tau * rate)) for a time constant in ms:
 * after tau a step has covered 1 - 1/e of its way. */
double dyn_coef(double rate, double ms);

/* Attack and release coefficients (dyn_coef). */
struct dyn_ballistics {
    double attack, release;
};

void dyn_ballistics_init(struct dyn_ballistics *b, double rate, double attack_ms,
                         double release_ms);

/* One envelope: the release follower and the smoothed reduction, in dB. */
struct dyn_env {
    double held, gr;
};

/* Moves the envelope one sample toward the target reduction and returns
 * the reduction to apply, in dB. Audio thread. */
static inline double dyn_env_run(const struct dyn_ballistics *b, struct dyn_env *e,
                                 double target)
{
    double held = target + b->release * (e->held - target);
    if (held < target)
        held = target;
    if (held < DYN_GR_FLOOR)
        held = 0;
    e->held = held;
    if (held > e->gr)
        e->gr = held + b->attack * (e->gr - held);
    else
        e->gr = held;
    return e->gr;
}

#endif
