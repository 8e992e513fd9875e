/* SPDX-License-Identifier: MIT */
/* Tests of session/timeline: audio placed to the sample, marks on CD frames. */
#include <stdlib.h>

#include "session/model.h"
#include "session/timeline.h"
#include "tests/harness.h"

static struct track *add(struct session *s, int rate, long frames, double gap)
{
    struct track *t = session_insert_track(s, s->ntracks);
    str_set(&t->file, "x.wav");
    t->mix.probed = t->mix.ok = true;
    t->mix.rate = rate;
    t->mix.channels = 2;
    t->mix.frames = frames;
    t->gap.seconds = gap;
    t->has_gap = true;
    return t;
}

TEST(gaps_absorb_the_rounding_and_audio_never_moves)
{
    struct session *s = session_new();
    s->album.rate = 44100;
    add(s, 44100, 44100 * 5 + 100, 2.0);     /* ends 100 samples past a frame */
    add(s, 44100, 44100 * 6, 1.0);
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.frame, 588);
    CHECK_EQ_INT(tl.tracks[0].audio_start, 88200);
    CHECK_EQ_INT(tl.tracks[0].index0, 0);
    CHECK_EQ_INT(tl.tracks[0].index1, 88200);
    int64_t end1 = 88200 + 44100 * 5 + 100;
    CHECK_EQ_INT(tl.tracks[1].audio_start, end1 + 44100);   /* to the sample */
    CHECK_EQ_INT(tl.tracks[1].index1 % 588, 0);
    CHECK(tl.tracks[1].index1 <= tl.tracks[1].audio_start); /* mark inside the gap */
    CHECK(tl.tracks[1].audio_start - tl.tracks[1].index1 < 588);
    CHECK_EQ_INT(tl.tracks[1].index0 % 588, 0);
    CHECK(tl.tracks[1].index0 >= end1);                     /* no audio of track 1 in the gap */
    CHECK_EQ_INT(tl.end % 588, 0);
    CHECK(tl.end >= tl.tracks[1].audio_start + 44100 * 6);
    timeline_free(&tl);
    session_free(s);
}

TEST(crossfades_overlap_and_marks_move_by_at_most_half_a_frame)
{
    struct session *s = session_new();
    s->album.rate = 48000;
    add(s, 48000, 48000 * 10, 2.0);
    struct track *t = add(s, 48000, 48000 * 10, 0);
    t->crossfade.seconds = 1.5;
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.frame, 640);
    int64_t end1 = 96000 + 480000;
    CHECK_EQ_INT(tl.tracks[1].audio_start, end1 - 72000);
    CHECK_EQ_INT(tl.tracks[1].crossfade, 72000);
    CHECK_EQ_INT(tl.tracks[1].index1 % 640, 0);
    CHECK(llabs(tl.tracks[1].index1 - tl.tracks[1].audio_start) <= 320);
    timeline_free(&tl);
    session_free(s);
}

/* A cut-off Ogg's header reads as INT64_MAX frames: the timeline must
 * neither overflow (undefined behaviour) nor wrap into nonsense. */
TEST(a_header_that_claims_int64_max_frames_cannot_overflow_the_timeline)
{
    struct session *s = session_new();
    s->album.rate = 44100;
    add(s, 44100, INT64_MAX, 2.0);
    struct track *t = add(s, 48000, INT64_MAX, 1.0);   /* converted: a double past range */
    t->index[0].in_samples = true;
    t->index[0].samples = INT64_MAX;
    t->nindex = 1;
    add(s, 44100, 44100, 1.0);
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    for (int i = 0; i < 3; i++) {
        CHECK(tl.tracks[i].audio_start >= 0);
        CHECK(tl.tracks[i].audio_length >= 0);
        CHECK(tl.tracks[i].index1 >= 0);
        CHECK(tl.end >= tl.tracks[i].audio_start);
    }
    CHECK(tl.tracks[1].audio_start > tl.tracks[0].audio_start);     /* order kept */
    CHECK(tl.tracks[1].extra_index[0] >= 0);
    char clock[64];
    timeline_clock(44100, INT64_MAX, clock, sizeof clock);
    CHECK(clock[0] != '-');
    timeline_free(&tl);
    session_free(s);
}

TEST(trims_and_mixes_at_another_rate)
{
    struct session *s = session_new();
    s->album.rate = 48000;
    struct track *t = add(s, 96000, 96000 * 10, 2.0);
    t->trim_in.seconds = 1.0;
    t->trim_out.seconds = 9.0;
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.tracks[0].source_start, 96000);
    CHECK_EQ_INT(tl.tracks[0].source_length, 96000 * 8);
    CHECK_EQ_INT(tl.tracks[0].audio_length, 48000 * 8);
    char msf[16];
    timeline_msf(&tl, tl.tracks[0].index1, msf, sizeof msf);
    CHECK_EQ_STR(msf, "00:02:00");
    timeline_free(&tl);
    session_free(s);
}

TEST(session_rate_defaults_to_the_most_common_mix_rate)
{
    struct session *s = session_new();
    add(s, 44100, 1000, 2);
    add(s, 96000, 1000, 2);
    add(s, 96000, 1000, 2);
    CHECK_EQ_INT(session_rate(s), 96000);
    s->album.rate = 48000;
    CHECK_EQ_INT(session_rate(s), 48000);
    session_free(s);
}

TEST(rates_that_are_not_a_multiple_of_75_keep_exact_cd_frames)
{
    struct session *s = session_new();
    s->album.rate = 32000;
    add(s, 32000, 32000 * 10, 2.0);
    add(s, 32000, 32000 * 10, 2.0);
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.tracks[0].index1 - tl.tracks[0].index0, 64000);   /* 150 frames: 2 s */
    CHECK_EQ_INT(timeline_frames(&tl, tl.tracks[0].index1), 150);
    char msf[16];
    timeline_msf(&tl, tl.tracks[1].index1, msf, sizeof msf);
    CHECK_EQ_STR(msf, "00:14:00");
    timeline_free(&tl);
    session_free(s);
}

TEST(a_gap_shorter_than_the_last_frame_leaves_no_off_frame_index0)
{
    struct session *s = session_new();
    s->album.rate = 44100;
    add(s, 44100, 44100 * 5 + 500, 2.0);
    add(s, 44100, 44100 * 5, 0.001);
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    CHECK_EQ_INT(tl.tracks[1].index0 % 588, 0);
    CHECK_EQ_INT(tl.tracks[1].index1 % 588, 0);
    CHECK(tl.tracks[1].index0 <= tl.tracks[1].index1);
    timeline_free(&tl);
    session_free(s);
}
