/* SPDX-License-Identifier: MIT */
/* The album the sheet tests share (CUE, TOC, PQ): three tracks at 44.1 kHz
 * whose ends fall off CD frames, and its marks worked out independently of
 * the timeline code. Included by each test program (they are built from
 * one file each). */
#ifndef LATHE_SHEET_ALBUM_H
#define LATHE_SHEET_ALBUM_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "audio/soundfile.h"
#include "tests/harness.h"

#include "session/model.h"

/* The album: three tracks at 44.1 kHz whose ends fall off CD frames. */
#define R 44100
#define F 588
#define LEN1 (6 * R + 123)
#define GAP2 (3 * R / 2)
#define LEN2 (7 * R + 300)
#define IDX2 (3 * R)
#define LEN3 (5 * R)

static struct track *add(struct session *s, long frames, double gap, const char *title,
                         const char *isrc)
{
    struct track *t = session_insert_track(s, s->ntracks);
    str_set(&t->file, "x.wav");
    t->mix.probed = t->mix.ok = true;
    t->mix.rate = R;
    t->mix.channels = 2;
    t->mix.frames = frames;
    t->gap.seconds = gap;
    t->has_gap = true;
    str_set(&t->text.title, title);
    str_set(&t->isrc, isrc);
    return t;
}

static struct session *album(void)
{
    struct session *s = session_new();
    s->album.rate = R;
    str_set(&s->album.text.title, "Night Drive");
    str_set(&s->album.text.performer, "The Night Band");
    str_set(&s->album.genre, "Electronic");
    str_set(&s->album.upc, "036000291452");
    struct track *t = add(s, LEN1, 2.0, "Intro", "GBABC2600001");
    str_set(&t->text.performer, "The Night Band");
    t->copy = true;
    t = add(s, LEN2, 1.5, "Caf\xc3\xa9 Noir", "GBABC2600002");
    str_set(&t->text.songwriter, "A. Writer");
    t->emphasis = true;
    t->index[0].seconds = 3.0;
    t->nindex = 1;
    t = add(s, LEN3, 0, "Coda", "GBABC2600003");
    t->copy = t->emphasis = true;
    return s;
}

/* The marks in CD frames, worked out from the rules: a gap starts on the
 * first frame after the previous audio, index 01 on the last frame before
 * the track's audio, a segue's mark and an index on the nearest frame. */
static const long END1 = 2 * R + LEN1;
static long frames_floor(long n) { return n / F; }
static long frames_ceil(long n) { return (n + F - 1) / F; }
static long frames_near(long n) { return (n + F / 2) / F; }
#define G2 frames_ceil(END1)
#define S2 frames_floor(END1 + GAP2)
#define X2 frames_near(END1 + GAP2 + IDX2)
#define S3 frames_near(END1 + GAP2 + LEN2)
#define LEADOUT frames_ceil(END1 + GAP2 + LEN2 + LEN3)

static const char *msf(long frames, char buf[32])
{
    snprintf(buf, 32, "%02ld:%02ld:%02ld", frames / 75 / 60, frames / 75 % 60, frames % 75);
    return buf;
}

/* Runs a shell command in the scratch folder; stdout and stderr come back
 * in the buffers, cdrdao's version banner left out of stderr. */
static inline int run(const char *cmd, char *out, size_t outlen, char *errout, size_t errlen)
{
    char full[2048];
    snprintf(full, sizeof full, "cd '%s' && %s >.out 2>.err", harness_tmpdir(), cmd);
    int status = system(full);
    const char *names[2] = { ".out", ".err" };
    char *bufs[2] = { out, errout };
    size_t lens[2] = { outlen, errlen };
    for (int i = 0; i < 2; i++) {
        char path[512], line[512];
        snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), names[i]);
        bufs[i][0] = 0;
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "Cdrdao version ", 15) != 0)
                strncat(bufs[i], line, lens[i] - strlen(bufs[i]) - 1);
        if (f)
            fclose(f);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A 44.1 kHz 16-bit stereo WAV of `frames`: tones that no shift repeats. */
static inline bool write_wav(const char *path, int64_t frames)
{
    char err[256];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, R, 2, 16, err, sizeof err);
    if (!f)
        return false;
    double buf[2 * 4096];
    bool ok = true;
    for (int64_t at = 0; ok && at < frames; at += 4096) {
        int64_t n = frames - at < 4096 ? frames - at : 4096;
        for (int64_t i = 0; i < n; i++) {
            double t = (double)(at + i) / R;
            buf[2 * i] = 0.5 * sin(2 * M_PI * 997.0 * t);
            buf[2 * i + 1] = 0.4 * sin(2 * M_PI * (220.0 + 10.0 * t) * t);
        }
        ok = soundfile_write(f, buf, n);
    }
    return soundfile_close(f) && ok;
}

#endif
