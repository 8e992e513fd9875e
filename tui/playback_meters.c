/* SPDX-License-Identifier: MIT */
/* The meters the console shows while it plays: their arithmetic (dB,
 * peak hold and clip markers; tui/playback_alsa.h), and the frames of
 * them taken from the engine at each poll, on the UI thread.
 *
 * Meters: peaks, true peaks, correlation and gain reduction come per period
 * from the audio thread; loudness and the spectrum are measured here, from
 * the engine's tap of the frames played. */
#include <math.h>
#include <time.h>

#include "audio/engine.h"
#include "dsp/live_loudness.h"
#include "dsp/octave.h"
#include "tui/playback_alsa_private.h"

/* The spectrum's bars fall at most this fast, so that they can be read. */
#define SPECTRUM_FALL_DB_PER_S 24.0

/* ---- meter arithmetic ---- */

double playback_db(double linear)
{
    return linear > 0 ? 20 * log10(linear) : -HUGE_VAL;
}

void playback_hold_reset(struct playback_hold *h)
{
    *h = (struct playback_hold){ .level = -HUGE_VAL };
}

/* A sample at full scale: the largest 16- and 24-bit codes read a hair
 * under 0 dB, and they are clipped all the same. */
#define CLIP_DB -0.001

void playback_hold_update(struct playback_hold *h, double peak_db, double true_peak_db, double now)
{
    if (peak_db >= h->level || now - h->since >= PLAYBACK_HOLD_SECONDS) {
        h->level = peak_db;
        h->since = now;
    }
    if (peak_db >= CLIP_DB || true_peak_db > 0) {
        h->clip = true;
        h->clip_since = now;
    } else if (h->clip && now - h->clip_since >= PLAYBACK_HOLD_SECONDS) {
        h->clip = false;
    }
}

/* ---- the meters shown, taken from the engine ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void playback_meters_silent(struct alsa_playback *p)
{
    struct playback_meters *m = &p->m;
    m->channels = 2;
    for (int c = 0; c < PLAYBACK_MAX_CHANNELS; c++) {
        m->peak[c] = m->true_peak[c] = m->hold[c] = -HUGE_VAL;
        m->clip[c] = false;
        playback_hold_reset(&p->hold[c]);
    }
    m->momentary = m->shortterm = m->integrated = -HUGE_VAL;
    m->range = 0;
    m->gr_comp = m->gr_limit = 0;
    m->correlation = 0;
    for (int i = 0; i < PLAYBACK_SPECTRUM_BANDS; i++)
        m->spectrum[i] = -HUGE_VAL;
}

/* Loudness and spectrum meters for `rate`; false when out of memory. */
bool playback_tap_meters_for(struct alsa_playback *p, int rate)
{
    if (p->meter_rate == rate && p->loud && p->bank)
        return true;
    live_loudness_free(p->loud);
    octave_bank_free(p->bank);
    p->loud = live_loudness_new(2, rate);
    p->bank = octave_bank_new(rate, 2);
    p->meter_rate = p->loud && p->bank ? rate : 0;
    return p->meter_rate != 0;
}

/* Feeds what was played since the last poll to the loudness meter and the
 * spectrum; false when nothing was played. */
bool playback_take_tap(struct alsa_playback *p)
{
    if (!p->meter_rate)
        return false;
    long n, total = 0;
    while ((n = engine_tap_read(p->e, p->tap, TAP_FRAMES)) > 0) {
        live_loudness_add_float(p->loud, p->tap, n);
        for (long i = 0; i < 2 * n; i++)
            p->tapd[i] = p->tap[i];
        octave_bank_process(p->bank, p->tapd, n);
        total += n;
    }
    if (total == 0)
        return false;
    struct live_loudness_reading r;
    live_loudness_read(p->loud, &r);
    struct playback_meters *m = &p->m;
    m->momentary = r.momentary;
    m->shortterm = r.shortterm;
    m->integrated = r.integrated;
    m->range = r.range;
    double db[OCTAVE_BANDS], now = now_seconds();
    octave_bank_read(p->bank, db, true);
    double fall = (now - p->spectrum_at) * SPECTRUM_FALL_DB_PER_S;
    p->spectrum_at = now;
    for (int i = 0; i < OCTAVE_BANDS && i < PLAYBACK_SPECTRUM_BANDS; i++) {
        double was = m->spectrum[i] - fall;
        m->spectrum[i] = isfinite(m->spectrum[i]) && was > db[i] ? was : db[i];
    }
    return true;
}

/* Takes the meter frames the audio thread produced since the last poll;
 * false when there were none. */
bool playback_take_meters(struct alsa_playback *p)
{
    struct engine_meter f;
    double peak[2] = { 0, 0 }, tp[2] = { 0, 0 }, comp = 0, limit = 0, corr = 0;
    bool got = false;
    while (engine_meter_pop(p->e, &f)) {
        for (int c = 0; c < 2; c++) {
            peak[c] = f.peak[c] > peak[c] ? f.peak[c] : peak[c];
            tp[c] = f.true_peak[c] > tp[c] ? f.true_peak[c] : tp[c];
        }
        comp = f.gr_comp > comp ? f.gr_comp : comp;
        limit = f.gr_limit > limit ? f.gr_limit : limit;
        corr = f.correlation;
        got = true;
    }
    if (!got)
        return false;
    double now = now_seconds();
    struct playback_meters *m = &p->m;
    for (int c = 0; c < 2; c++) {
        m->peak[c] = playback_db(peak[c]);
        m->true_peak[c] = playback_db(tp[c]);
        playback_hold_update(&p->hold[c], m->peak[c], m->true_peak[c], now);
        m->hold[c] = p->hold[c].level;
        m->clip[c] = p->hold[c].clip;
    }
    m->gr_comp = comp;
    m->gr_limit = limit;
    m->correlation = corr;
    return true;
}
