/* SPDX-License-Identifier: MIT */
/* Test albums for the DDP writer, built in code: the worked example of
 * standards §1.10 and a fuller album (Latin-1 text, genre, flags, an index
 * 02, a crossfade, marks that fall inside a sector), each with its audio
 * synthesized as the image it must give, and fed through the sink. Shared
 * by tests/test_ddp.c and tests/make_ddp.c. */
#ifndef LATHE_TEST_DDP_FIXTURE_H
#define LATHE_TEST_DDP_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/ddp_write.h"
#include "session/model.h"
#include "session/timeline.h"

struct fixture {
    struct session *s;
    struct timeline tl;
    struct sink_context c;
    int16_t *pcm;           /* the image the sink is fed, stereo, `length` frames */
    int64_t length;
};

static struct track *fixture_track(struct session *s, double seconds, double gap)
{
    struct track *t = session_insert_track(s, s->ntracks);
    str_set(&t->file, "mix.wav");
    t->mix.probed = t->mix.ok = true;
    t->mix.rate = 44100;
    t->mix.channels = 2;
    t->mix.frames = (int64_t)llround(seconds * 44100);
    t->gap.seconds = gap;
    t->has_gap = true;
    return t;
}

/* Each track a tone of its own (440 Hz times its number), left and right
 * in different phase, summed where tracks overlap. */
static int16_t *fixture_audio(const struct timeline *tl, int64_t length)
{
    int16_t *pcm = calloc((size_t)length * 2 + 2, sizeof *pcm);
    if (!pcm)
        return NULL;
    for (int i = 0; i < tl->ntracks; i++) {
        const struct timeline_track *tt = &tl->tracks[i];
        double f = 440.0 * (i + 1);
        for (int64_t n = 0; n < tt->audio_length && tt->audio_start + n < length; n++) {
            int64_t at = tt->audio_start + n;
            double ph = 2 * M_PI * f * (double)n / 44100.0;
            pcm[2 * at] = (int16_t)(pcm[2 * at] + lrint(8000 * sin(ph)));
            pcm[2 * at + 1] = (int16_t)(pcm[2 * at + 1] + lrint(6000 * cos(ph)));
        }
    }
    return pcm;
}

static bool fixture_finish_setup(struct fixture *f, const char *dir)
{
    struct output *o = session_add_output(f->s, "cd");
    o->format = OUT_DDP;
    o->has_format = true;
    o->rate = 44100;
    o->bits = 16;
    if (!timeline_build(f->s, &f->tl))
        return false;
    f->length = f->tl.end;
    f->pcm = fixture_audio(&f->tl, f->length);
    f->c = (struct sink_context){ .s = f->s, .tl = &f->tl, .o = o, .dir = dir, .rate = 44100,
                                  .bits = 16, .length = f->length };
    return f->pcm != NULL;
}

/* Standards §1.10: 2 s pregap, track 1 of 5 s, a 2 s gap, track 2 of 6 s;
 * UPC 0123456789012; ISRCs; titles and the performer; master ID
 * TESTMASTER (the session file's name). */
static bool fixture_example(struct fixture *f, const char *dir, const char *session_dir)
{
    memset(f, 0, sizeof *f);
    f->s = session_new();
    char path[4096];
    snprintf(path, sizeof path, "%s/TESTMASTER.lathe", session_dir);
    f->s->path = strdup(path);
    f->s->album.rate = 44100;
    str_set(&f->s->album.text.title, "Disc");
    str_set(&f->s->album.text.performer, "Artist");
    str_set(&f->s->album.upc, "0123456789012");
    struct track *t = fixture_track(f->s, 5, 2);
    str_set(&t->isrc, "USABC2400001");
    str_set(&t->text.title, "Track One");
    t = fixture_track(f->s, 6, 2);
    str_set(&t->isrc, "USABC2400002");
    str_set(&t->text.title, "Track Two");
    return fixture_finish_setup(f, dir);
}

/* A fuller album: a 2.5 s pregap (track 1's mark lands inside sector 187),
 * Latin-1 text in every field, an unknown genre, a 12-digit UPC-A, copy and
 * emphasis flags, an index 02, and a crossfade (a track without index 00). */
static bool fixture_album(struct fixture *f, const char *dir, const char *session_dir)
{
    memset(f, 0, sizeof *f);
    f->s = session_new();
    char path[4096];
    snprintf(path, sizeof path, "%s/Nuits d'été.lathe", session_dir);
    f->s->path = strdup(path);
    struct session *s = f->s;
    s->album.rate = 44100;
    str_set(&s->album.text.title, "Nuits d'été");
    str_set(&s->album.text.performer, "Orchestre de Montréal");
    str_set(&s->album.text.songwriter, "Théophile Gautier");
    str_set(&s->album.text.message, "Enregistré à Québec ©2024");
    str_set(&s->album.genre, "Chanson française");
    str_set(&s->album.upc, "036000291452");
    struct track *t = fixture_track(s, 6, 2.5);
    str_set(&t->isrc, "CAABC2400001");
    str_set(&t->text.title, "Villanelle");
    str_set(&t->text.composer, "Hector Berlioz");
    t->copy = true;
    t = fixture_track(s, 7.3, 1.2);
    str_set(&t->isrc, "CAABC2400002");
    str_set(&t->text.title, "Le Spectre de la rose");
    str_set(&t->text.performer, "Soliste «invitée»");
    t->emphasis = true;
    t->copy = true;
    t->index[0].seconds = 3.0;
    t->nindex = 1;
    t = fixture_track(s, 5.5, 0);
    t->crossfade.seconds = 1.0;
    str_set(&t->text.title, "L'île inconnue");
    str_set(&t->text.arranger, "Ærø Øster");
    return fixture_finish_setup(f, dir);
}

/* Feeds the image through the sink in blocks of `block` frames (the last
 * shorter), then finishes it. */
static bool fixture_write(struct fixture *f, int block, char *err, size_t errlen)
{
    struct sink *k = ddp_sink_new(&f->c, err, errlen);
    if (!k)
        return false;
    bool ok = true;
    int32_t *buf = malloc((size_t)block * 2 * sizeof *buf);
    for (int64_t at = 0; ok && buf && at < f->length; at += block) {
        int n = f->length - at < block ? (int)(f->length - at) : block;
        for (int i = 0; i < n * 2; i++)
            buf[i] = f->pcm[2 * at + i];
        struct render_block b = { .pcm = buf, .samples = NULL, .frames = n, .position = at };
        ok = k->ops->write(k->state, &b, err, errlen);
    }
    ok = ok && buf && k->ops->finish(k->state, err, errlen);
    free(buf);
    k->ops->destroy(k->state);
    free(k);
    return ok;
}

static void fixture_free(struct fixture *f)
{
    free(f->pcm);
    timeline_free(&f->tl);
    session_free(f->s);
    memset(f, 0, sizeof *f);
}

#endif
