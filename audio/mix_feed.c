/* SPDX-License-Identifier: MIT */
/* The mix feed (mix_feed.h).
 *
 * Shared state: each slot's ring has the reader as its only producer and
 * the audio thread as its only consumer. The reader owns a slot while its
 * `track` is -1; it resets the ring, then publishes the track it put there
 * with a release store. The audio thread reads the slot only while `track`
 * is the track it wants, and lets a track go by storing `released` (all
 * tracks below it, in order) with a release store; the reader then closes
 * that track's mix and frees the slot. `done` (release) says all of the
 * mix is in the ring. Slot t % SLOTS holds track t, so two tracks that
 * overlap (a crossfade) are in two slots, and the reader tops up every
 * open slot in turn, so one mix never waits behind another. */
#include "audio/mix_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audio/mix_reader.h"
#include "audio/ring.h"

#define SLOTS 4                 /* mixes read ahead at once: a crossfade needs 2 */
#define CHUNK 4096              /* frames moved into a ring at a time */
#define FRAME (sizeof(double) * ALBUM_CHANNELS)

struct mix_slot {
    struct ring *ring;          /* session-rate stereo doubles */
    struct mix_reader *mix;     /* the reader's */
    atomic_int track;           /* the track the ring holds; -1: none */
    atomic_bool done;           /* all of the mix is in the ring */
};

struct mix_feed {
    const struct session *s;
    const struct timeline *tl;
    int64_t from;
    const atomic_bool *stop;
    struct mix_slot slots[SLOTS];
    double *buf;                /* CHUNK frames, the reader's */
    int next_open;              /* reader: the next track to put in a slot */
    bool direct;                /* reader: it reads the album itself */
    atomic_int released;        /* audio: tracks below this are let go of */
    atomic_bool failed;         /* reader: a mix could not be read */
    atomic_int starved;
};

struct mix_feed *mix_feed_new(const struct session *s, const struct timeline *tl, int64_t from,
                              const atomic_bool *stop)
{
    struct mix_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->s = s;
    f->tl = tl;
    f->from = from;
    f->stop = stop;
    int first = 0;
    while (first < tl->ntracks &&
           tl->tracks[first].audio_start + tl->tracks[first].audio_length <= from)
        first++;
    atomic_init(&f->released, first);
    f->next_open = first;
    /* a second of each mix ahead: far more than a period, whatever the disk does */
    size_t ahead = (size_t)tl->rate > 4 * CHUNK ? (size_t)tl->rate : 4 * CHUNK;
    f->buf = malloc(FRAME * CHUNK);
    bool ok = f->buf != NULL;
    for (int k = 0; k < SLOTS; k++) {
        atomic_init(&f->slots[k].track, -1);
        ok = ok && (f->slots[k].ring = ring_new(ahead * FRAME)) != NULL;
    }
    if (!ok) {
        mix_feed_free(f);
        return NULL;
    }
    return f;
}

void mix_feed_free(struct mix_feed *f)
{
    if (!f)
        return;
    for (int k = 0; k < SLOTS; k++) {
        mix_reader_close(f->slots[k].mix);
        ring_free(f->slots[k].ring);
    }
    free(f->buf);
    free(f);
}

/* Audio thread (while a ring is short). */
static void sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* Reader: puts `track` in its slot, its mix opened `skip` frames in. */
static bool open_slot(struct mix_feed *f, int track, int64_t skip, char *err, size_t errlen)
{
    struct mix_slot *sl = &f->slots[track % SLOTS];
    sl->mix = mix_reader_open(f->s, f->tl, track, skip > 0 ? skip : 0, err, errlen);
    if (!sl->mix)
        return false;
    ring_reset(sl->ring);
    atomic_store(&sl->done, false);
    atomic_store_explicit(&sl->track, track, memory_order_release);
    return true;
}

/* Audio thread; the reader in direct mode. */
static int feed_read(void *ctx, int track, int64_t pos, double *buf, int frames, char *err,
                     size_t errlen)
{
    struct mix_feed *f = ctx;
    struct mix_slot *sl = &f->slots[track % SLOTS];
    if (f->direct) {
        if (atomic_load(&sl->track) != track) {
            if (!open_slot(f, track, pos, err, errlen))
                return -1;
            f->next_open = track + 1;
        }
        return mix_reader_read(sl->mix, buf, frames, err, errlen);
    }
    size_t want = (size_t)frames * FRAME;
    bool waited = false;
    for (;;) {
        if (atomic_load_explicit(&sl->track, memory_order_acquire) == track) {
            /* done before the space: frames written before done are seen */
            bool done = atomic_load_explicit(&sl->done, memory_order_acquire);
            size_t have = ring_read_space(sl->ring);
            if (have >= want || done) {
                size_t n = have < want ? have : want;
                ring_read(sl->ring, buf, n);
                return (int)(n / FRAME);
            }
        }
        if (atomic_load(f->stop) || atomic_load(&f->failed)) {
            err[0] = 0;
            return -1;
        }
        if (!waited)
            atomic_fetch_add(&f->starved, 1);
        waited = true;
        sleep_ms(1);
    }
}

/* Audio thread; the reader in direct mode. */
static void feed_close(void *ctx, int track)
{
    struct mix_feed *f = ctx;
    struct mix_slot *sl = &f->slots[track % SLOTS];
    if (f->direct && atomic_load(&sl->track) == track) {
        mix_reader_close(sl->mix);
        sl->mix = NULL;
        atomic_store(&sl->track, -1);
    }
    atomic_store_explicit(&f->released, track + 1, memory_order_release);
}

struct album_source mix_feed_source(struct mix_feed *f)
{
    return (struct album_source){ .ctx = f, .read = feed_read, .close = feed_close };
}

void mix_feed_direct(struct mix_feed *f, bool on)
{
    f->direct = on;
}

/* Reader: one pass over the slots; false on a read error. *progress says
 * whether any frames moved, *all_in whether every mix is in a ring. */
static bool top_up(struct mix_feed *f, bool *progress, bool *all_in, char *err, size_t errlen)
{
    int released = atomic_load_explicit(&f->released, memory_order_acquire);
    for (int k = 0; k < SLOTS; k++) {
        struct mix_slot *sl = &f->slots[k];
        int t = atomic_load(&sl->track);
        if (t >= 0 && t < released) {
            mix_reader_close(sl->mix);
            sl->mix = NULL;
            atomic_store(&sl->track, -1);
        }
    }
    while (f->next_open < f->tl->ntracks) {
        int t = f->next_open;
        if (atomic_load(&f->slots[t % SLOTS].track) != -1)
            break;
        f->next_open++;
        if (t >= released && !open_slot(f, t, f->from - f->tl->tracks[t].audio_start, err, errlen))
            return false;
    }
    *progress = false;
    *all_in = f->next_open >= f->tl->ntracks;
    for (int k = 0; k < SLOTS; k++) {
        struct mix_slot *sl = &f->slots[k];
        if (atomic_load(&sl->track) < 0 || atomic_load(&sl->done))
            continue;
        *all_in = false;
        if (ring_write_space(sl->ring) < CHUNK * FRAME)
            continue;
        int n = mix_reader_read(sl->mix, f->buf, CHUNK, err, errlen);
        if (n < 0)
            return false;
        ring_write(sl->ring, f->buf, (size_t)n * FRAME);
        if (n < CHUNK)
            atomic_store_explicit(&sl->done, true, memory_order_release);
        *progress = true;
    }
    return true;
}

bool mix_feed_run(struct mix_feed *f, atomic_bool *primed, char *err, size_t errlen)
{
    while (!atomic_load(f->stop)) {
        bool progress, all_in;
        if (!top_up(f, &progress, &all_in, err, errlen)) {
            atomic_store(&f->failed, true);
            return false;
        }
        if (!progress) {
            atomic_store(primed, true);
            if (all_in)
                return true;
            struct timespec ts = { 0, 2000000 };
            nanosleep(&ts, NULL);
        }
    }
    return true;
}

int mix_feed_starved(const struct mix_feed *f)
{
    return atomic_load(&f->starved);
}
