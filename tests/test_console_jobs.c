/* SPDX-License-Identifier: MIT */
/* Tests of the console's background jobs without a terminal: the
 * loudness-matched bypass against a recording playback, a read-only album
 * refusing edits, and a render on a worker with its progress and cancel. */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "session/sessfile.h"
#include "tests/harness.h"
#include "tui/console.h"
#include "tui/render_job.h"

#define RATE 44100

static bool write_sine(const char *path, double seconds, double db)
{
    char err[512];
    struct soundfile *f = soundfile_create(path, SF_KIND_WAV, RATE, 2, 24, err, sizeof err);
    if (!f)
        return false;
    long frames = lround(seconds * RATE);
    double amp = pow(10, db / 20), buf[2 * 1024];
    bool ok = true;
    for (long done = 0; ok && done < frames;) {
        int n = frames - done > 1024 ? 1024 : (int)(frames - done);
        for (int i = 0; i < n; i++)
            buf[2 * i] = buf[2 * i + 1] = amp * sin(2 * M_PI * 997.0 * (double)(done + i) / RATE);
        ok = soundfile_write(f, buf, n);
        done += n;
    }
    return soundfile_close(f) && ok;
}

/* A session in its own folder, with one mix of `seconds`, saved and loaded. */
static struct session *album(const char *name, const char *extra, double seconds)
{
    char dir[4096], path[4200], err[1024];
    snprintf(dir, sizeof dir, "%s/%s", harness_tmpdir(), name);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/a.wav", dir);
    if (!write_sine(path, seconds, -20))
        return NULL;
    snprintf(path, sizeof path, "%s/s.lathe", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "[album]\nrate = 44100\ntitle = T\n\n[track]\nfile = a.wav\ntitle = A\n%s", extra);
    fclose(f);
    struct session *s = session_load(path, err, sizeof err);
    CHECK_MSG(s != NULL, "%s", err);
    if (s)
        mix_probe_session(s);
    return s;
}

/* A playback that records the loudness match it is given. */
static double matched = NAN;
static int matches;
static int fake_fd(void *e) { (void)e; return -1; }
static bool fake_play(void *e, const struct session *s, int t, char *m, size_t l)
{ (void)e; (void)s; (void)t; (void)m; (void)l; return true; }
static void fake_void(void *e) { (void)e; }
static void fake_seek(void *e, double s) { (void)e; (void)s; }
static void fake_loop(void *e, bool on) { (void)e; (void)on; }
static bool fake_audition(void *e, const struct session *s, int t, double d, char *m, size_t l)
{ (void)e; (void)s; (void)t; (void)d; (void)m; (void)l; return true; }
static void fake_match(void *e, double db) { (void)e; matched = db; matches++; }
static void fake_preview(void *e, const char *o) { (void)e; (void)o; }
static void fake_update(void *e, const struct session *s) { (void)e; (void)s; }
static bool fake_poll(void *e, struct playback_status *st, struct playback_meters *m)
{ (void)e; (void)st; (void)m; return false; }
static const struct playback_ops fake_ops = {
    .wake_fd = fake_fd, .play = fake_play, .pause = fake_void, .stop = fake_void,
    .seek = fake_seek, .next = fake_void, .prev = fake_void, .loop = fake_loop,
    .audition = fake_audition, .match = fake_match, .preview = fake_preview,
    .update = fake_update, .poll = fake_poll, .free = fake_void,
};

static struct console *headless(struct session *s, struct playback *engine)
{
    static struct console c;
    memset(&c, 0, sizeof c);
    c.e = editor_new(s);
    c.engine = engine;
    c.output = -1;
    bindings_defaults(&c.keys);
    return &c;
}

static void close_console(struct console *c)
{
    analysis_free(c->analysis);
    render_job_free(c->rendering);
    if (c->tl_ok)
        timeline_free(&c->tl);
    editor_free(c->e);
}

static bool analysed(struct console *c)
{
    for (int i = 0; c->analysis && i < 2000; i++) {
        int done, total;
        analysis_progress(c->analysis, &done, &total);
        if (done == total)
            return true;
        usleep(10000);
    }
    return false;
}

TEST(bypass_is_matched_by_processed_minus_mix_loudness)
{
    struct session *s = album("bypass", "gain = -4dB\neq = bell 997Hz +6dB q 1\n", 3);
    if (!s)
        return;
    struct playback engine = { &fake_ops, NULL };
    struct console *c = headless(s, &engine);
    console_session_changed(c);             /* starts the analysis */
    CHECK(analysed(c));
    struct loudness_result mix, proc;
    CHECK_EQ_INT(analysis_get(c->analysis, "a.wav", &mix), 1);
    CHECK_EQ_INT(analysis_get_processed(c->analysis, 0, &proc), 1);
    /* +6 dB of bell on the tone's own frequency, -4 dB of gain */
    CHECK_NEAR(proc.integrated - mix.integrated, 2.0, 0.1);
    matches = 0;
    console_run(c, "bypass");
    CHECK(c->e->s->tracks[0].chain.bypass);
    CHECK_NEAR(matched, proc.integrated - mix.integrated, 1e-9);
    char want[64];
    snprintf(want, sizeof want, "bypass (matched %+.1f dB)", matched);
    CHECK_MSG(strstr(c->message, want), "message \"%s\"", c->message);
    console_run(c, "bypass");
    CHECK(!c->e->s->tracks[0].chain.bypass);
    CHECK_NEAR(matched, 0, 0);
    CHECK_MSG(strstr(c->message, "bypass off"), "message \"%s\"", c->message);
    /* an undo back into the bypass matches again, silently */
    console_run(c, "undo");
    CHECK(c->e->s->tracks[0].chain.bypass);
    CHECK_NEAR(matched, proc.integrated - mix.integrated, 1e-9);
    CHECK(matches >= 3);
    close_console(c);
}

TEST(bypass_without_an_engine_or_a_measurement)
{
    struct session *s = album("nomatch", "", 1);
    if (!s)
        return;
    struct console *c = headless(s, NULL);
    console_run(c, "bypass");               /* before any analysis: not matched */
    CHECK(c->e->s->tracks[0].chain.bypass);
    CHECK_MSG(strstr(c->message, "not matched"), "message \"%s\"", c->message);
    close_console(c);
}

TEST(a_read_only_album_refuses_edits_save_level_and_render)
{
    struct session *s = album("ro", "", 1);
    if (!s)
        return;
    struct console *c = headless(s, NULL);
    c->read_only = true;
    const char *refused[] = { "gain-by +1dB", "gap 3s", "title X", "bypass", "save", "level",
                              "render", "eq add bell 1kHz -1dB" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        console_run(c, refused[i]);
        CHECK_MSG(c->message_error && strstr(c->message, "read-only"), "%s: \"%s\"", refused[i],
                  c->message);
    }
    CHECK_NEAR(c->e->s->tracks[0].gain, 0, 0);
    CHECK(!c->e->dirty);
    CHECK_EQ_INT(c->e->s->tracks[0].chain.n, 0);
    console_run(c, "down");                 /* moving around still works */
    CHECK_EQ_INT(c->e->selected, SELECT_ALBUM);
    CHECK(!strstr(c->message, "read-only"));
    close_console(c);
}

/* Waits for the job's descriptor (up to 60 s). */
static bool finished(struct render_job *j)
{
    struct pollfd p = { .fd = render_job_fd(j), .events = POLLIN };
    return poll(&p, 1, 60000) == 1;
}

static int files_in(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "find '%s' -type f 2>/dev/null | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

TEST(render_job_reports_progress_and_cancels_cleanly)
{
    struct session *s = album("render", "\n[output w]\nformat = wav\nbits = 16\n", 20);
    if (!s)
        return;
    char dir[4200], err[1024], report[2048];
    snprintf(dir, sizeof dir, "%s/render/render", harness_tmpdir());
    struct render_job *j = render_job_start(s, NULL, 0, err, sizeof err);
    CHECK_MSG(j != NULL, "%s", err);
    int revision = -1;
    if (j) {
        CHECK(finished(j));
        struct render_progress p;
        render_job_progress(j, &p);
        CHECK(p.total > 20 * RATE);
        CHECK_EQ_INT(p.done, p.total);
        CHECK_EQ_INT(p.rate, RATE);
        CHECK(render_job_finish(j, &revision, report, sizeof report, err, sizeof err));
        CHECK_MSG(strstr(report, "w: ") == report, "report \"%s\"", report);
        render_job_free(j);
    }
    CHECK_EQ_INT(revision, s->album.revision);  /* no album output: not bumped */
    char wav[4300];
    snprintf(wav, sizeof wav, "%s/w/01 A.wav", dir);
    struct soundfile_info info;
    CHECK_MSG(soundfile_probe(wav, &info, err, sizeof err), "%s", err);
    CHECK_EQ_INT(info.frames, 20 * RATE);
    CHECK(files_in(dir) >= 2);                  /* and its manifest, loudness... */

    /* cancelled at once: it fails, and nothing of it is left */
    char rm[4400];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    CHECK(system(rm) == 0);
    j = render_job_start(s, (const char *const[]){ "w" }, 1, err, sizeof err);
    CHECK(j != NULL);
    if (j) {
        render_job_cancel(j);
        CHECK(finished(j));
        CHECK(!render_job_finish(j, &revision, report, sizeof report, err, sizeof err));
        CHECK_MSG(strstr(err, "interrupted"), "err \"%s\"", err);
        render_job_free(j);
    }
    CHECK_EQ_INT(files_in(dir), 0);
    session_free(s);
}
