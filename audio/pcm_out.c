/* SPDX-License-Identifier: MIT */
/* ALSA playback behind pcm_out's interface (pcm_out.h).
 *
 * The PCM is opened blocking: the audio thread sleeps inside
 * snd_pcm_writei until the device has room, which is the only waiting it
 * does. Xruns are recovered with snd_pcm_recover (prepare after -EPIPE,
 * resume after -ESTRPIPE); the caller counts them. Nothing here prints.
 *
 * Pause: snd_pcm_pause where the hardware can; elsewhere the PCM is
 * dropped, which throws away what it had not played yet, so the last
 * buffer's worth of frames written is kept and what was dropped is written
 * again on resume.
 *
 * Pacing: alsa-lib's null PCM takes frames as fast as they come, so on a
 * box without a card (tests, CI, a remote session) a 50 s track would end
 * in a second and the transport and meters would mean nothing. A null PCM
 * is therefore paced here as a card would take the samples: a write waits
 * until the device's virtual clock has room for it in its buffer. */
#include "audio/pcm_out.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pcm_sample_bytes(enum pcm_sample s)
{
    return s == PCM_S16 ? 2 : 4;
}

struct alsa_dev {
    snd_pcm_t *pcm;
    bool can_pause;
    int frame_bytes;
    long buffer;                /* frames the device holds */
    unsigned char *history;     /* the last `buffer` frames written, a ring */
    long history_at;            /* frames ever written, mod buffer */
    long dropped;               /* frames dropped by a pause, to write again */
    /* Pacing a null PCM: `sent` frames written since the clock started at
     * `t0` (0: not started); while paused the clock stands at `held`. */
    bool paced;
    int rate;
    int64_t sent;
    double t0, held;
};

/* Seconds on the monotonic clock. */
static double pace_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Audio thread: sleeps until the monotonic clock reads `due`. */
static void pace_until(double due)
{
    double wait = due - pace_now();
    if (wait > 0) {
        struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
        nanosleep(&ts, NULL);
    }
}

/* Audio thread: waits until a device playing in real time since t0 would
 * have room for `frames` more (it holds `buffer`). */
static void pace(struct alsa_dev *d, long frames)
{
    if (d->t0 == 0)
        d->t0 = pace_now();
    pace_until(d->t0 + (double)(d->sent + frames - d->buffer) / d->rate);
    d->sent += frames;
}

/* Audio thread: the clock stands while paused, and starts afresh after a
 * drop (an xrun, a stop). */
static void pace_hold(struct alsa_dev *d, bool on)
{
    if (on) {
        d->held = pace_now();
    } else if (d->t0 != 0 && d->held != 0) {
        d->t0 += pace_now() - d->held;
        d->held = 0;
    }
}

/* Audio thread: keeps what was written, for a pause without snd_pcm_pause. */
static void remember(struct alsa_dev *d, const unsigned char *data, long frames)
{
    if (d->can_pause)
        return;
    if (frames > d->buffer) {
        data += (size_t)(frames - d->buffer) * (size_t)d->frame_bytes;
        frames = d->buffer;
    }
    while (frames > 0) {
        long room = d->buffer - d->history_at, n = frames < room ? frames : room;
        memcpy(d->history + (size_t)d->history_at * (size_t)d->frame_bytes, data,
               (size_t)n * (size_t)d->frame_bytes);
        d->history_at = (d->history_at + n) % d->buffer;
        data += (size_t)n * (size_t)d->frame_bytes;
        frames -= n;
    }
}

/* Audio thread. */
static long alsa_write(void *dev, const void *data, long frames)
{
    struct alsa_dev *d = dev;
    if (d->paced)
        pace(d, frames);
    long w = (long)snd_pcm_writei(d->pcm, data, (snd_pcm_uframes_t)frames);
    if (w > 0)
        remember(d, data, w);
    if (d->paced && w != frames)
        d->sent -= frames - (w > 0 ? w : 0);
    return w;
}

/* Audio thread. */
static int alsa_recover(void *dev, int error)
{
    struct alsa_dev *d = dev;
    if (d->paced && error != -EAGAIN)
        d->t0 = 0, d->sent = 0, d->held = 0;   /* a drop: the clock starts afresh */
    if (error == -EAGAIN) {
        int r = snd_pcm_wait(d->pcm, 100);
        return r >= 0 ? 0 : snd_pcm_recover(d->pcm, r, 1);
    }
    return snd_pcm_recover(d->pcm, error, 1);
}

/* Audio thread, at the end. */
static void alsa_finish(void *dev, bool drain)
{
    struct alsa_dev *d = dev;
    if (drain && d->paced && d->t0 != 0)
        pace_until(d->t0 + (double)d->sent / d->rate);     /* the buffer plays out too */
    if (drain) {
        snd_pcm_nonblock(d->pcm, 0);    /* a non-blocking drain would not wait */
        snd_pcm_drain(d->pcm);
    } else {
        snd_pcm_drop(d->pcm);
    }
}

/* Audio thread: writes again the `dropped` frames a pause threw away. */
static int rewrite_dropped(struct alsa_dev *d)
{
    long from = ((d->history_at - d->dropped) % d->buffer + d->buffer) % d->buffer;
    long left = d->dropped;
    d->dropped = 0;
    while (left > 0) {
        long n = d->buffer - from < left ? d->buffer - from : left;
        snd_pcm_sframes_t w = snd_pcm_writei(d->pcm, d->history + (size_t)from * (size_t)d->frame_bytes,
                                             (snd_pcm_uframes_t)n);
        if (w == -EAGAIN) {
            snd_pcm_wait(d->pcm, 100);
            continue;
        }
        if (w < 0)
            return (int)w;
        from = (from + w) % d->buffer;
        left -= w;
    }
    return 0;
}

/* Audio thread. */
static int alsa_pause(void *dev, bool on)
{
    struct alsa_dev *d = dev;
    if (d->paced)
        pace_hold(d, on);
    if (d->can_pause) {
        snd_pcm_state_t s = snd_pcm_state(d->pcm);
        if (on ? s != SND_PCM_STATE_RUNNING : s != SND_PCM_STATE_PAUSED)
            return 0;   /* not started yet (or already where asked) */
        return snd_pcm_pause(d->pcm, on);
    }
    if (on) {
        snd_pcm_sframes_t delay = 0;
        if (snd_pcm_delay(d->pcm, &delay) < 0 || delay < 0)
            delay = 0;
        d->dropped = delay < d->buffer ? (long)delay : d->buffer;
        return snd_pcm_drop(d->pcm);
    }
    int r = snd_pcm_prepare(d->pcm);
    return r < 0 ? r : rewrite_dropped(d);
}

static void alsa_close(void *dev)
{
    struct alsa_dev *d = dev;
    snd_pcm_close(d->pcm);
    free(d->history);
    free(d);
}

static const char *alsa_strerror(int error)
{
    return snd_strerror(error);
}

static const struct pcm_out_ops alsa_ops = {
    .write = alsa_write, .recover = alsa_recover, .finish = alsa_finish,
    .close = alsa_close, .strerror = alsa_strerror, .pause = alsa_pause,
};

static snd_pcm_format_t alsa_format(enum pcm_sample s)
{
    switch (s) {
    case PCM_S16: return SND_PCM_FORMAT_S16;
    case PCM_S32: return SND_PCM_FORMAT_S32;
    default: return SND_PCM_FORMAT_FLOAT;
    }
}

static const char *sample_name(enum pcm_sample s)
{
    return s == PCM_S16 ? "16-bit" : s == PCM_S32 ? "32-bit (24 in 32)" : "float";
}

/* alsa-lib prints its own diagnostics on stderr; ours name the device */
static void quiet(const char *file, int line, const char *function, int error,
                  const char *fmt, ...)
{
}

struct pcm_out *pcm_out_open(const char *name, int rate, enum pcm_sample sample,
                             int period, int periods, char *err, size_t errlen)
{
    snd_lib_error_set_handler(quiet);
    snd_pcm_t *pcm = NULL;
    snd_pcm_hw_params_t *hw = NULL;
    snd_pcm_sw_params_t *sw = NULL;
    /* non-blocking: a device that stops taking frames cannot hold the
     * audio thread for longer than alsa_recover's wait */
    int r = snd_pcm_open(&pcm, name, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
    if (r < 0) {
        pcm_out_describe(name, r, err, errlen);
        return NULL;
    }
    snd_pcm_uframes_t psize = (snd_pcm_uframes_t)(period > 0 ? period : 1024);
    snd_pcm_uframes_t bsize = psize * (snd_pcm_uframes_t)(periods > 1 ? periods : 4);
    if (snd_pcm_hw_params_malloc(&hw) < 0 || snd_pcm_sw_params_malloc(&sw) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    snd_pcm_hw_params_any(pcm, hw);
    if (snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) < 0 ||
        snd_pcm_hw_params_set_channels(pcm, hw, 2) < 0) {
        snprintf(err, errlen, "audio device \"%s\" cannot play interleaved stereo", name);
        goto fail;
    }
    if (snd_pcm_hw_params_set_format(pcm, hw, alsa_format(sample)) < 0) {
        snprintf(err, errlen, "audio device \"%s\" cannot take %s samples "
                 "(a plughw: or plug: name converts)", name, sample_name(sample));
        goto fail;
    }
    /* exact rate: a device that cannot take it is named, not silently
     * resampled by a converter we do not control */
    if (snd_pcm_hw_params_set_rate(pcm, hw, (unsigned)rate, 0) < 0) {
        snprintf(err, errlen, "audio device \"%s\" cannot play %d Hz "
                 "(a plughw: or plug: name converts; --output NAME plays an output's rate)",
                 name, rate);
        goto fail;
    }
    if (snd_pcm_hw_params_set_period_size_near(pcm, hw, &psize, NULL) < 0 ||
        snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &bsize) < 0 ||
        (r = snd_pcm_hw_params(pcm, hw)) < 0) {
        snprintf(err, errlen, "audio device \"%s\" refuses the period and buffer sizes: %s", name,
                 snd_strerror(r < 0 ? r : -EINVAL));
        goto fail;
    }
    snd_pcm_hw_params_get_period_size(hw, &psize, NULL);
    snd_pcm_hw_params_get_buffer_size(hw, &bsize);
    bool can_pause = snd_pcm_hw_params_can_pause(hw);
    /* start only with a full buffer, so the first periods do not underrun */
    snd_pcm_sw_params_current(pcm, sw);
    snd_pcm_sw_params_set_start_threshold(pcm, sw, bsize);
    snd_pcm_sw_params_set_avail_min(pcm, sw, psize);
    if ((r = snd_pcm_sw_params(pcm, sw)) < 0) {
        snprintf(err, errlen, "audio device \"%s\": %s", name, snd_strerror(r));
        goto fail;
    }
    snd_pcm_hw_params_free(hw);
    snd_pcm_sw_params_free(sw);
    struct pcm_out *p = calloc(1, sizeof *p);
    struct alsa_dev *d = calloc(1, sizeof *d);
    if (d) {
        d->pcm = pcm;
        d->can_pause = can_pause;
        d->frame_bytes = 2 * pcm_sample_bytes(sample);
        d->buffer = (long)bsize;
        d->history = can_pause ? NULL : malloc((size_t)bsize * (size_t)d->frame_bytes);
        d->paced = snd_pcm_type(pcm) == SND_PCM_TYPE_NULL;
        d->rate = rate;
    }
    if (!p || !d || (!can_pause && !d->history)) {
        snprintf(err, errlen, "out of memory");
        snd_pcm_close(pcm);
        if (d)
            free(d->history);
        free(d);
        free(p);
        return NULL;
    }
    p->ops = &alsa_ops;
    p->dev = d;
    p->period = (int)psize;
    p->buffer = (int)bsize;
    return p;
fail:
    snd_pcm_hw_params_free(hw);
    snd_pcm_sw_params_free(sw);
    snd_pcm_close(pcm);
    return NULL;
}

void pcm_out_describe(const char *name, int error, char *err, size_t errlen)
{
    int card = -1;
    if (error == -EBUSY || error == -EAGAIN)
        snprintf(err, errlen, "audio device \"%s\" is busy (used by another program?)", name);
    else if ((error == -ENOENT || error == -ENODEV) && (snd_card_next(&card) < 0 || card < 0))
        snprintf(err, errlen, "no audio device \"%s\": this machine has no sound card "
                 "(-D null or -D file:OUT.raw,raw play without one)", name);
    else if (error == -ENOENT || error == -ENODEV || error == -ENXIO)
        snprintf(err, errlen, "no audio device \"%s\" (%s); 'lathe play --list-devices' "
                 "lists them", name, snd_strerror(error));
    else
        snprintf(err, errlen, "audio device \"%s\" cannot be opened: %s", name, snd_strerror(error));
}

const char *pcm_out_lost(int error)
{
    switch (error) {
    case -ENODEV: case -ENXIO: case -EBADFD: case -EIO: case -ESHUTDOWN:
        return "the audio device is gone (unplugged, or taken by another program?)";
    case -EBUSY:
        return "the audio device is busy (used by another program?)";
    case -ETIMEDOUT:
        return "the audio device stopped taking frames (lost, or held by another program?)";
    default:
        return "the audio device failed";
    }
}

int pcm_out_nearest_rate(const char *name, int rate)
{
    snd_lib_error_set_handler(quiet);
    snd_pcm_t *pcm = NULL;
    snd_pcm_hw_params_t *hw = NULL;
    if (snd_pcm_open(&pcm, name, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK) < 0)
        return 0;
    unsigned r = (unsigned)rate;
    if (snd_pcm_hw_params_malloc(&hw) < 0 || snd_pcm_hw_params_any(pcm, hw) < 0 ||
        snd_pcm_hw_params_set_rate_near(pcm, hw, &r, NULL) < 0)
        r = 0;
    snd_pcm_hw_params_free(hw);
    snd_pcm_close(pcm);
    return (int)r;
}

void pcm_out_free(struct pcm_out *p)
{
    if (!p)
        return;
    p->ops->close(p->dev);
    free(p);
}

int pcm_out_list(FILE *f)
{
    void **hints = NULL;
    int n = 0;
    snd_lib_error_set_handler(quiet);
    if (snd_device_name_hint(-1, "pcm", &hints) < 0)
        return 0;
    for (void **h = hints; *h; h++) {
        char *name = snd_device_name_get_hint(*h, "NAME");
        char *desc = snd_device_name_get_hint(*h, "DESC");
        char *io = snd_device_name_get_hint(*h, "IOID");
        if (name && (!io || strcmp(io, "Output") == 0)) {
            fprintf(f, "%s\n", name);
            if (desc) {
                /* descriptions come in lines; indent them under the name */
                for (char *line = strtok(desc, "\n"); line; line = strtok(NULL, "\n"))
                    fprintf(f, "    %s\n", line);
            }
            n++;
        }
        free(name);
        free(desc);
        free(io);
    }
    snd_device_name_free_hint(hints);
    return n;
}
