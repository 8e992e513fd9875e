/* SPDX-License-Identifier: MIT */
/* A track's mix at the session rate (mix_reader.h).
 *
 * The mix is decoded in blocks of MIX_READER_MAX_BLOCK frames whatever the
 * caller asks for, and the converter's output waits in a FIFO, so the
 * frames do not depend on how they are read (the converter is block-size
 * independent, resample.h). */
#include "audio/mix_reader.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/regfile.h"
#include "dsp/resample.h"

#define CHANNELS 2
#define MIX_FRAME_BYTES (sizeof(double) * CHANNELS)

struct mix_reader {
    char path[4096];
    struct soundfile *file;
    int mix_channels;
    int64_t src_left;       /* mix frames still to decode */
    int64_t src_end;        /* the mix frame where they end */
    struct file_stamp opened;   /* the version of the mix being read */
    struct resampler *rs;   /* NULL at the session rate */
    bool drained;
    double *decoded;        /* MIX_READER_MAX_BLOCK * mix_channels */
    double *stereo;         /* MIX_READER_MAX_BLOCK * 2 */
    double *fifo;           /* session-rate stereo frames waiting */
    int fifo_len, fifo_cap;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

struct mix_reader *mix_reader_open(const struct session *s, const struct timeline *tl, int i,
                                   int64_t skip, char *err, size_t errlen)
{
    const struct track *t = &s->tracks[i];
    const struct timeline_track *tt = &tl->tracks[i];
    struct mix_reader *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mix_path(s, t->file, m->path, sizeof m->path);
    struct soundfile_info info;
    m->file = soundfile_open(m->path, &info, err, errlen);
    if (!m->file)
        goto fail;
    if (info.rate != t->mix.rate || info.channels != t->mix.channels) {
        snprintf(err, errlen, "%s: changed since the session read it", m->path);
        goto fail;
    }
    m->mix_channels = info.channels;
    m->opened = info.stamp;
    /* a skip in session frames is a skip in mix frames at the mix's rate:
     * seek to an instant that is a whole frame at both rates, so the
     * converter's output stays on the session's frame grid, and read the
     * rest of the way */
    int64_t g = gcd64(info.rate, tl->rate), unit_in = info.rate / g, unit_out = tl->rate / g;
    skip = skip < 0 ? 0 : skip;
    int64_t src_skip = min64(skip / unit_out * unit_in, tt->source_length);
    int64_t rest = skip - src_skip / unit_in * unit_out;
    m->src_left = tt->source_length - src_skip;
    m->src_end = tt->source_start + tt->source_length;
    if (!soundfile_seek(m->file, tt->source_start + src_skip)) {
        snprintf(err, errlen, "%s", soundfile_error(m->file));
        goto fail;
    }
    if (info.rate != tl->rate) {
        m->rs = resampler_new(CHANNELS, info.rate, tl->rate,
                              s->album.resampler == RESAMPLER_LIBSAMPLERATE ?
                              RESAMPLE_LIBSAMPLERATE : RESAMPLE_SOXR, MIX_READER_MAX_BLOCK);
        if (!m->rs) {
            snprintf(err, errlen, "%s: cannot convert %d Hz to %d Hz", m->path, info.rate, tl->rate);
            goto fail;
        }
    }
    int max_out = m->rs ? resampler_max_out(m->rs) : MIX_READER_MAX_BLOCK;
    m->fifo_cap = 2 * MIX_READER_MAX_BLOCK + max_out;
    m->decoded = malloc(sizeof(double) * MIX_READER_MAX_BLOCK * (size_t)m->mix_channels);
    m->stereo = malloc(sizeof(double) * MIX_READER_MAX_BLOCK * CHANNELS);
    m->fifo = malloc(sizeof(double) * (size_t)m->fifo_cap * CHANNELS);
    if (!m->decoded || !m->stereo || !m->fifo) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    double *scratch = rest > 0 ? malloc(MIX_FRAME_BYTES * MIX_READER_MAX_BLOCK) : NULL;
    if (rest > 0 && !scratch) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    int n = 1;
    while (rest > 0 && n > 0) {
        n = mix_reader_read(m, scratch, (int)min64(rest, MIX_READER_MAX_BLOCK), err, errlen);
        rest -= n;
    }
    free(scratch);
    if (n < 0)
        goto fail;
    return m;
fail:
    mix_reader_close(m);
    return NULL;
}

void mix_reader_close(struct mix_reader *m)
{
    if (!m)
        return;
    soundfile_close(m->file);
    resampler_free(m->rs);
    free(m->decoded);
    free(m->stereo);
    free(m->fifo);
    free(m);
}

/* Mono plays in both channels; more than two channels: the first two. */
static void to_stereo(const double *in, int channels, double *out, int frames)
{
    for (int i = 0; i < frames; i++) {
        out[2 * i] = in[i * channels];
        out[2 * i + 1] = in[i * channels + (channels > 1 ? 1 : 0)];
    }
}

/* A mix that ends early or changes while it is read must not become
 * silence in a master: at a short read and at the end, the file must
 * still be the version opened, and all the frames promised must come. */
static bool still_whole(struct mix_reader *m, int64_t got, int64_t asked, char *err, size_t errlen)
{
    char why[256];
    if (!regfile_unchanged(m->path, &m->opened, why, sizeof why)) {
        snprintf(err, errlen, "%s changed while it was read (%s)", m->path, why);
        return false;
    }
    if (got < asked) {
        snprintf(err, errlen, "%s: the audio ends at frame %lld, before the %lld its header "
                 "promised — a broken file", m->path,
                 (long long)(m->src_end - m->src_left + got), (long long)m->src_end);
        return false;
    }
    return true;
}

/* Decodes until the FIFO holds `need` frames or the mix is used up. */
static bool fill(struct mix_reader *m, int need, char *err, size_t errlen)
{
    while (m->fifo_len < need) {
        double *tail = m->fifo + (size_t)m->fifo_len * CHANNELS;
        if (m->src_left > 0) {
            int n = (int)min64(m->src_left, MIX_READER_MAX_BLOCK);
            int64_t got = soundfile_read(m->file, m->decoded, n);
            if (got < 0) {
                snprintf(err, errlen, "%s", soundfile_error(m->file));
                return false;
            }
            if ((got < n || m->src_left == n) && !still_whole(m, got, n, err, errlen))
                return false;
            m->src_left -= n;
            to_stereo(m->decoded, m->mix_channels, m->stereo, n);
            if (m->rs) {
                m->fifo_len += resampler_process(m->rs, m->stereo, n, tail);
            } else {
                memcpy(tail, m->stereo, sizeof(double) * (size_t)n * CHANNELS);
                m->fifo_len += n;
            }
        } else if (m->rs && !m->drained) {
            int got = resampler_drain(m->rs, tail, m->fifo_cap - m->fifo_len);
            m->fifo_len += got;
            if (got == 0)
                m->drained = true;
        } else {
            break;
        }
    }
    return true;
}

int mix_reader_read(struct mix_reader *m, double *buf, int frames, char *err, size_t errlen)
{
    if (!fill(m, frames, err, errlen))
        return -1;
    int take = frames < m->fifo_len ? frames : m->fifo_len;
    memcpy(buf, m->fifo, sizeof(double) * (size_t)take * CHANNELS);
    memmove(m->fifo, m->fifo + (size_t)take * CHANNELS,
            sizeof(double) * (size_t)(m->fifo_len - take) * CHANNELS);
    m->fifo_len -= take;
    return take;
}
