/* SPDX-License-Identifier: MIT */
/* The loudness meter over libebur128 (see loudness.h).
 *
 * Why the fine hop: a maximum of momentary (400 ms) or short-term (3 s)
 * loudness read every 100 ms misses short events by up to half a dB (Tech
 * 3341 case 13, standards §5.3), so the meter reads both every hop of at
 * most 5 ms. Asking libebur128 for the short-term loudness sums 3 s of
 * audio each time, which at a 5 ms hop would cost 20 times the metering
 * itself. Instead the meter asks libebur128 for the mean square of the last
 * 200 ms at every hop (ebur128_loudness_window) and keeps those in a ring:
 * when the hop divides 200 ms, the 400 ms window is exactly two of them and
 * the 3 s window exactly fifteen. The K-weighting, channel weights and
 * windows remain libebur128's; only the sums of its windows are added here.
 * At rates where libebur128's 400 ms window is not twice its 200 ms window
 * (rates ending in 5..9 Hz), or where no good divisor exists, the meter
 * queries momentary and short-term loudness directly at every hop instead.
 *
 * Where the hop is a whole number of milliseconds (48, 96, 192 kHz, 88.2
 * kHz...), even the 200 ms sums are not asked for: libebur128 gives the mean
 * square of each hop alone, and the 200 ms, 400 ms and 3 s windows are means
 * of those. Summing 200 ms of audio at every 5 ms hop cost more than the
 * K-weighting and the true peak together (it was most of `lathe analyze`).
 */
#include "dsp/loudness.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>

#include "dsp/peak_meter.h"

#define PAD_SECONDS_NUM 3       /* 1.5 s of silence after the end (Tech 3342) */
#define PAD_SECONDS_DEN 2
#define ZERO_FRAMES 4096
#define WINDOWS_IN_SHORTTERM 15 /* 3 s = 15 windows of 200 ms */
#define ONLY_INTEGRATED 4       /* the bit of LOUDNESS_INTEGRATED of its own */

struct loudness {
    ebur128_state *st;
    int rate;
    int channels;
    unsigned flags;
    int hop;            /* frames between readings of M and S */
    int hop_pos;        /* frames fed since the last reading */
    bool composed;      /* M and S from 200 ms windows (else queried directly) */
    int hops_per_window;/* hops in one 200 ms window (composed) */
    int hop_ms;         /* > 0: the ring holds each hop's own mean square */
    double *ring;       /* 200 ms (or hop) mean squares, one per hop, oldest overwritten */
    int ring_len;
    int ring_head;      /* index of the newest entry */
    double momentary;   /* LUFS at the last reading */
    double shortterm;
    double momentary_max;
    double shortterm_max;
    double *zeros;      /* silence for the end padding */
    bool failed;
    bool finished;
    struct peak_meter *peaks;   /* NULL with LOUDNESS_NO_PEAKS */
    double given_sample[LOUDNESS_MAX_CHANNELS]; /* LOUDNESS_NO_PEAKS: merged from outside */
    double given_true[LOUDNESS_MAX_CHANNELS];
    struct loudness_result result;
};

static double energy_of(double lufs)
{
    return isinf(lufs) ? 0.0 : pow(10.0, (lufs + 0.691) / 10.0);
}

static double lufs_of(double energy)
{
    return energy > 0.0 ? 10.0 * log10(energy) - 0.691 : -HUGE_VAL;
}

static double db_of(double linear)
{
    return linear > 0.0 ? 20.0 * log10(linear) : -HUGE_VAL;
}

/* Chooses the hop and whether M and S can be composed of 200 ms windows. */
static void choose_hop(struct loudness *m)
{
    long rate = m->rate;
    long frames_100ms = (rate + 5) / 10;    /* libebur128's block unit */
    long frames_200ms = rate * 200 / 1000;  /* what loudness_window(200) sums */
    long limit = rate / 200 > 0 ? rate / 200 : 1;   /* 5 ms */
    long hop = 1;
    for (long d = limit; d >= 1; d--)
        if (frames_200ms % d == 0) {
            hop = d;
            break;
        }
    /* A hop under 2.5 ms would make the window queries cost more than the
     * direct ones; such rates are odd enough to take the slow path. */
    if (frames_200ms == 2 * frames_100ms && hop * 2 >= limit) {
        m->composed = true;
        m->hop = (int)hop;
        m->hops_per_window = (int)(frames_200ms / hop);
        if (hop * 1000 % rate == 0 && rate * (hop * 1000 / rate) / 1000 == hop)
            m->hop_ms = (int)(hop * 1000 / rate);
    } else {
        m->composed = false;
        m->hop = (int)limit;
    }
}

static void set_channel_map(ebur128_state *st, int channels)
{
    static const int five[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
                                EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND };
    static const int six[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
                               EBUR128_UNUSED, EBUR128_LEFT_SURROUND,
                               EBUR128_RIGHT_SURROUND };
    const int *map = channels == 5 ? five : channels == 6 ? six : NULL;
    for (int c = 0; map && c < channels; c++)
        ebur128_set_channel(st, (unsigned)c, map[c]);
}

struct loudness *loudness_new(int rate, int channels)
{
    return loudness_new_flags(rate, channels, 0);
}

struct loudness *loudness_new_flags(int rate, int channels, unsigned flags)
{
    if (rate < 1000 || rate > 1000000 || channels < 1 || channels > LOUDNESS_MAX_CHANNELS)
        return NULL;
    struct loudness *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->rate = rate;
    m->channels = channels;
    m->flags = flags;
    m->momentary = m->shortterm = -HUGE_VAL;
    m->momentary_max = m->shortterm_max = -HUGE_VAL;
    choose_hop(m);
    int mode = EBUR128_MODE_I;
    if (!(flags & ONLY_INTEGRATED))
        mode |= EBUR128_MODE_LRA | EBUR128_MODE_S;
    if (!(flags & LOUDNESS_NO_PEAKS))
        m->peaks = peak_meter_new(rate, channels);
    m->st = ebur128_init((unsigned)channels, (unsigned long)rate, mode);
    m->zeros = calloc((size_t)ZERO_FRAMES * (size_t)channels, sizeof *m->zeros);
    if (m->composed && !(flags & LOUDNESS_NO_MAXIMA)) {
        m->ring_len = WINDOWS_IN_SHORTTERM * m->hops_per_window;
        m->ring = calloc((size_t)m->ring_len, sizeof *m->ring);
    }
    if (!m->st || !m->zeros || (m->ring_len && !m->ring) ||
        (!(flags & LOUDNESS_NO_PEAKS) && !m->peaks)) {
        loudness_free(m);
        return NULL;
    }
    set_channel_map(m->st, channels);
    return m;
}

void loudness_free(struct loudness *m)
{
    if (!m)
        return;
    if (m->st)
        ebur128_destroy(&m->st);
    peak_meter_free(m->peaks);
    free(m->ring);
    free(m->zeros);
    free(m);
}

/* Reads M and S at a hop boundary. The ring starts as zeros, which is the
 * silence libebur128's own window buffer holds before the first frame. */
static bool read_hop(struct loudness *m)
{
    double M, S;
    if (m->hop_ms) {
        double w;
        if (ebur128_loudness_window(m->st, (unsigned long)m->hop_ms, &w) != EBUR128_SUCCESS)
            return false;
        m->ring_head = (m->ring_head + 1) % m->ring_len;
        m->ring[m->ring_head] = energy_of(w);
        /* newest first: the first 400 ms of the walk are the momentary sum */
        double sum_m = 0.0, sum_s = 0.0;
        int two = 2 * m->hops_per_window;
        for (int k = 0, i = m->ring_head; k < m->ring_len; k++) {
            sum_s += m->ring[i];
            if (k + 1 == two)
                sum_m = sum_s;
            i = i ? i - 1 : m->ring_len - 1;
        }
        M = lufs_of(sum_m / two);
        S = lufs_of(sum_s / m->ring_len);
    } else if (m->composed) {
        double w;
        if (ebur128_loudness_window(m->st, 200, &w) != EBUR128_SUCCESS)
            return false;
        m->ring_head = (m->ring_head + 1) % m->ring_len;
        m->ring[m->ring_head] = energy_of(w);
        double sum_m = 0.0, sum_s = 0.0;
        for (int k = 0; k < WINDOWS_IN_SHORTTERM; k++) {
            int i = m->ring_head - k * m->hops_per_window;
            if (i < 0)
                i += m->ring_len;
            sum_s += m->ring[i];
            if (k < 2)
                sum_m += m->ring[i];
        }
        M = lufs_of(sum_m / 2.0);
        S = lufs_of(sum_s / WINDOWS_IN_SHORTTERM);
    } else if (ebur128_loudness_momentary(m->st, &M) != EBUR128_SUCCESS ||
               ebur128_loudness_shortterm(m->st, &S) != EBUR128_SUCCESS) {
        return false;
    }
    m->momentary = M;
    m->shortterm = S;
    if (M > m->momentary_max)
        m->momentary_max = M;
    if (S > m->shortterm_max)
        m->shortterm_max = S;
    return true;
}

/* Loudness from libebur128, peaks from the peak meter. */
static bool feed(struct loudness *m, const double *buf, size_t frames)
{
    if (ebur128_add_frames_double(m->st, buf, frames) != EBUR128_SUCCESS)
        return false;
    if (m->peaks)
        peak_meter_add(m->peaks, buf, frames);
    return true;
}

bool loudness_add(struct loudness *m, const double *buf, size_t frames)
{
    if (m->failed || m->finished)
        return false;
    if (m->flags & LOUDNESS_NO_MAXIMA) {
        if (frames > 0 && !feed(m, buf, frames)) {
            m->failed = true;
            return false;
        }
        return true;
    }
    while (frames > 0) {
        size_t n = (size_t)(m->hop - m->hop_pos);
        if (n > frames)
            n = frames;
        if (!feed(m, buf, n)) {
            m->failed = true;
            return false;
        }
        buf += n * (size_t)m->channels;
        frames -= n;
        m->hop_pos += (int)n;
        if (m->hop_pos == m->hop) {
            m->hop_pos = 0;
            if (!read_hop(m)) {
                m->failed = true;
                return false;
            }
        }
    }
    return true;
}

void loudness_merge_peaks(struct loudness *m, const double *sample, const double *true_peak)
{
    for (int c = 0; c < m->channels; c++) {
        if (sample[c] > m->given_sample[c])
            m->given_sample[c] = sample[c];
        if (true_peak[c] > m->given_true[c])
            m->given_true[c] = true_peak[c];
    }
}

double loudness_momentary(const struct loudness *m)
{
    return m->momentary;
}

double loudness_shortterm(const struct loudness *m)
{
    return m->shortterm;
}

int loudness_hop(const struct loudness *m)
{
    return m->hop;
}

static bool finish(struct loudness *m)
{
    struct loudness_result *r = &m->result;
    r->channels = m->channels;
    /* The windows that end on the last frame, when it is off the hop grid. */
    if (m->flags & LOUDNESS_NO_MAXIMA) {
        m->momentary_max = m->shortterm_max = NAN;
    } else if (m->hop_pos > 0) {
        double M, S;
        if (ebur128_loudness_momentary(m->st, &M) != EBUR128_SUCCESS ||
            ebur128_loudness_shortterm(m->st, &S) != EBUR128_SUCCESS)
            return false;
        if (M > m->momentary_max)
            m->momentary_max = M;
        if (S > m->shortterm_max)
            m->shortterm_max = S;
    }
    r->momentary_max = m->momentary_max;
    r->shortterm_max = m->shortterm_max;
    if (ebur128_loudness_global(m->st, &r->integrated) != EBUR128_SUCCESS)
        return false;
    /* Silence after the end can only lower M and S, so it is fed unread. */
    size_t pad = (size_t)m->rate * PAD_SECONDS_NUM / PAD_SECONDS_DEN;
    if (m->flags & ONLY_INTEGRATED)
        pad = 0;
    while (pad > 0) {
        size_t n = pad < ZERO_FRAMES ? pad : ZERO_FRAMES;
        if (ebur128_add_frames_double(m->st, m->zeros, n) != EBUR128_SUCCESS)
            return false;
        pad -= n;
    }
    if (m->flags & ONLY_INTEGRATED)
        r->range = NAN;
    else if (ebur128_loudness_range(m->st, &r->range) != EBUR128_SUCCESS)
        return false;
    if (m->peaks) {
        peak_meter_flush(m->peaks);
        peak_meter_take(m->peaks, m->given_sample, m->given_true);
    }
    r->sample_peak_max = r->true_peak_max = -HUGE_VAL;
    for (int c = 0; c < m->channels; c++) {
        double sp = m->given_sample[c], tp = m->given_true[c];
        /* The interpolating filter may read a little under the samples
         * themselves (standards §5.5); a true peak is never below them. */
        if (tp < sp)
            tp = sp;
        r->sample_peak[c] = db_of(sp);
        r->true_peak[c] = db_of(tp);
        if (r->sample_peak[c] > r->sample_peak_max)
            r->sample_peak_max = r->sample_peak[c];
        if (r->true_peak[c] > r->true_peak_max)
            r->true_peak_max = r->true_peak[c];
    }
    if (isfinite(r->true_peak_max) && isfinite(r->integrated))
        r->plr = r->true_peak_max - r->integrated;
    else
        r->plr = NAN;
    return true;
}

bool loudness_finish(struct loudness *m, struct loudness_result *out)
{
    if (m->failed)
        return false;
    if (!m->finished) {
        if (!finish(m)) {
            m->failed = true;
            return false;
        }
        m->finished = true;
    }
    *out = m->result;
    return true;
}

const char *loudness_channel_name(int channels, int channel)
{
    static const char *const five[] = { "L", "R", "C", "Ls", "Rs" };
    static const char *const six[] = { "L", "R", "C", "LFE", "Ls", "Rs" };
    static const char *const numbers[LOUDNESS_MAX_CHANNELS] = {
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
        "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30",
        "31", "32",
    };
    if (channel < 0 || channel >= channels || channel >= LOUDNESS_MAX_CHANNELS)
        return "?";
    if (channels == 1)
        return "M";
    if (channels == 2 || channels == 5)
        return five[channel];
    if (channels == 6)
        return six[channel];
    return numbers[channel];
}
