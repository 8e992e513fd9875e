/* SPDX-License-Identifier: MIT */
/* The per-period level meters of playback: sample peak, true peak (the
 * BS.1770 4x interpolator of truepeak.h), RMS per channel and the
 * correlation of the first two channels, over the frames since the last
 * take. It runs on the audio thread: no allocation, lock or I/O after
 * level_meter_new. */
#ifndef LATHE_LEVEL_METER_H
#define LATHE_LEVEL_METER_H

#define LEVEL_METER_MAX_CHANNELS 8

struct level_meter;

struct level_reading {
    int channels;
    long frames;                /* frames measured since the last take */
    double peak[LEVEL_METER_MAX_CHANNELS];       /* linear, |sample| max */
    double true_peak[LEVEL_METER_MAX_CHANNELS];  /* linear, >= peak */
    double rms[LEVEL_METER_MAX_CHANNELS];        /* linear */
    double correlation;         /* -1..+1 of channels 0 and 1; 0 when silent or mono */
};

/* NULL when out of memory or channels is out of 1..LEVEL_METER_MAX_CHANNELS. */
struct level_meter *level_meter_new(int channels, int rate);
void level_meter_free(struct level_meter *m);
/* Forgets the interpolator's history (after a seek). */
void level_meter_reset(struct level_meter *m);

/* Audio thread: measures interleaved frames, as double or as the device's
 * integer or float samples (full scale = 1.0). */
void level_meter_process(struct level_meter *m, const double *x, long frames);
void level_meter_process_s16(struct level_meter *m, const short *x, long frames);
void level_meter_process_s32(struct level_meter *m, const int *x, long frames);
void level_meter_process_float(struct level_meter *m, const float *x, long frames);

/* Audio thread: the reading since the last take, then starts a new one. The
 * true-peak interpolator's history carries over, so readings do not depend
 * on when they are taken. */
void level_meter_take(struct level_meter *m, struct level_reading *r);

#endif
