/* SPDX-License-Identifier: MIT */
/* Tests of audio/engine behind a fake device that misbehaves: xruns
 * recovered and counted with nothing lost, a lost device stopping the
 * engine cleanly, one that stops taking frames given up, stop in
 * mid-play, pause, a device that needs another rate, and what an opening
 * error says. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/engine.h"
#include "audio/pcm_out.h"
#include "tests/engine_fixture.h"
#include "tests/harness.h"

TEST(xruns_are_recovered_counted_and_lose_nothing)
{
    struct fake clean = { 0 }, bad = { .epipe_every = 5 };
    struct engine_status st;
    play(&clean, 441, &st, false);
    CHECK(!st.failed);
    CHECK_EQ_INT(st.xruns, 0);
    CHECK_EQ_INT(clean.used, expected_bytes());
    CHECK(clean.drained);
    play(&bad, 441, &st, false);
    CHECK(!st.failed);
    CHECK(bad.epipes > 10);
    CHECK_EQ_INT(st.xruns, bad.epipes);
    CHECK_EQ_INT(bad.used, clean.used);
    CHECK(memcmp(bad.buf, clean.buf, clean.used) == 0);
    free(clean.buf);
    free(bad.buf);
}

TEST(a_lost_device_stops_the_engine_with_a_message)
{
    struct fake f = { .dead_at = 20 };
    struct engine_status st;
    play(&f, 256, &st, false);
    printf("  lost: stopped %.3f s after the device went; \"%s\"\n", f.stopped_after, last_error);
    CHECK(f.stopped_after < 1.0);
    CHECK(strstr(last_error, "gone"));
    CHECK(st.failed);
    CHECK(!st.running);
    CHECK(f.used > 0 && f.used < expected_bytes());
    CHECK_MSG(strstr(last_error, "device") && strstr(last_error, strerror(ENODEV)), "%s", last_error);
    CHECK(f.dropped);
    free(f.buf);
}

TEST(stop_in_mid_play_returns_and_drops)
{
    struct fake f = { 0 };
    struct engine_status st;
    play(&f, 64, &st, true);
    CHECK(!st.running);
    CHECK(!st.failed);
    CHECK(f.used < expected_bytes());
    CHECK(f.dropped);
    free(f.buf);
}

TEST(an_output_plays_at_another_rate_when_the_device_needs_it)
{
    struct session *s = album();
    if (!s)
        return;
    char err[512];
    struct engine_options mon = { .from = -1, .to = -1 };
    struct engine_options at48 = { .output = "cd", .from = -1, .to = -1, .rate = 48000 };
    struct engine *m = engine_new(s, &mon, err, sizeof err);
    struct engine *e = engine_new(s, &at48, err, sizeof err);
    CHECK_MSG(m && e, "%s", err);
    if (m && e) {
        int64_t ms, me, es, ee;
        engine_span(m, &ms, &me);
        engine_span(e, &es, &ee);
        CHECK_EQ_INT(engine_rate(e), 48000);
        CHECK_EQ_INT(engine_sample(e), PCM_S16);    /* still the output's depth */
        CHECK_EQ_INT(ee - es, me - ms);
        struct fake f = { .frame_bytes = 4, .cap = (size_t)(ee - es) * 4 + 4096 };
        f.buf = calloc(1, f.cap);
        struct pcm_out *p = calloc(1, sizeof *p);
        *p = (struct pcm_out){ .ops = &fake_ops, .dev = &f, .period = 512, .buffer = 2048 };
        CHECK(engine_start(e, p, err, sizeof err));
        struct engine_status st;
        do {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
            engine_status(e, &st);
        } while (st.running);
        CHECK(!st.failed);
        CHECK_EQ_INT(f.used, (size_t)(ee - es) * 4);
        free(f.buf);
    }
    engine_free(m);
    engine_free(e);
    session_free(s);
}

/* ---- pause ---- */

/* Plays the album's cd output, pausing twice on the way. */
static void play_paused(struct fake *f, const struct pcm_out_ops *ops)
{
    f->pace_us = 2000;  /* the album takes about 0.8 s */
    struct session *s;
    struct engine *e = start_cd(f, ops, 256, 1024, &s);
    if (!e)
        return;
    struct engine_status st;
    for (int round = 0; round < 2; round++) {
        struct timespec ts = { 0, 60 * 1000000L };
        nanosleep(&ts, NULL);
        engine_pause(e, true);
        ts.tv_nsec = 10 * 1000000L;     /* a period and a bit: the write under way ends */
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        size_t used = f->used;
        int64_t position = st.position;
        ts.tv_nsec = 80 * 1000000L;
        nanosleep(&ts, NULL);
        engine_status(e, &st);
        CHECK(st.running);
        CHECK_EQ_INT(f->used, used);                /* nothing written while paused */
        CHECK_EQ_INT(st.position, position);
        CHECK(used < expected_bytes());
        engine_pause(e, false);
    }
    do {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
        engine_status(e, &st);
    } while (st.running);
    CHECK(!st.failed);
    engine_free(e);
    session_free(s);
}

TEST(pause_stops_at_once_and_resumes_with_nothing_lost_or_repeated)
{
    struct fake plain = { 0 }, with_op = { 0 }, without_op = { 0 };
    struct engine_status st;
    play(&plain, 256, &st, false);
    play_paused(&with_op, &fake_pause_ops);
    CHECK_EQ_INT(atomic_load(&with_op.pauses), 2);
    CHECK_EQ_INT(atomic_load(&with_op.resumes), 2);
    CHECK_EQ_INT(atomic_load(&with_op.writes_while_paused), 0);
    CHECK_EQ_INT(with_op.used, plain.used);
    CHECK(memcmp(with_op.buf, plain.buf, plain.used) == 0);
    play_paused(&without_op, &fake_ops);    /* a device without the op: writes stop */
    CHECK_EQ_INT(without_op.used, plain.used);
    CHECK(memcmp(without_op.buf, plain.buf, plain.used) == 0);
    free(plain.buf);
    free(with_op.buf);
    free(without_op.buf);
}

TEST(a_device_that_stops_taking_frames_is_given_up_with_a_message)
{
    struct fake f = { .stall_at = 30 };
    struct engine_status st;
    play(&f, 256, &st, false);
    printf("  stalled: stopped %.3f s after the device stopped taking frames; \"%s\"\n",
           f.stopped_after, last_error);
    CHECK(st.failed);
    CHECK(!st.running);
    CHECK(f.stopped_after > 1.5 && f.stopped_after < 3.5);
    CHECK_MSG(strstr(last_error, "stopped taking frames"), "%s", last_error);
    CHECK(f.dropped);
    free(f.buf);
}

TEST(opening_errors_say_busy_or_missing_and_name_the_device)
{
    char err[512];
    pcm_out_describe("hw:1", -EBUSY, err, sizeof err);
    CHECK_MSG(strstr(err, "\"hw:1\" is busy (used by another program?)"), "%s", err);
    pcm_out_describe("hw:9", -ENOENT, err, sizeof err);
    CHECK_MSG(strstr(err, "\"hw:9\"") && (strstr(err, "no sound card") || strstr(err, "list-devices")),
              "%s", err);
    CHECK(strstr(pcm_out_lost(-ENODEV), "gone"));
    /* a real open of a device that cannot be there */
    struct pcm_out *p = pcm_out_open("hw:97", 48000, PCM_S16, 256, 4, err, sizeof err);
    CHECK(p == NULL);
    CHECK_MSG(strstr(err, "\"hw:97\""), "%s", err);
    pcm_out_free(p);
}
