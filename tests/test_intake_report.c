/* SPDX-License-Identifier: MIT */
/* The intake report of a session's mixes: made signals that each trip one
 * check (clipped, DC offset, an inverted channel, an MP3 source) and a
 * clean one, each reported on its own line under its own track. */
#include <stdio.h>
#include <stdlib.h>

#include "audio/intake_report.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "tests/harness.h"
#include "tests/signals.h"

#define RATE 48000

static bool write_mix(const char *name, enum mix_kind kind, enum soundfile_kind sk, int bits)
{
    size_t frames;
    double *buf = mix_render(kind, RATE, 4.0, &frames);
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", harness_tmpdir(), name);
    struct soundfile *f = buf ? soundfile_create(path, sk, RATE, 2, bits, err, sizeof err) : NULL;
    bool ok = f && soundfile_write(f, buf, (int64_t)frames);
    if (f)
        ok &= soundfile_close(f);
    free(buf);
    return ok;
}

/* The lines of the report that start with `prefix`. */
static int lines_with(const char *text, const char *prefix, const char *needle)
{
    int n = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)len, l);
        if (strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, needle))
            n++;
    }
    return n;
}

TEST(session_report)
{
    CHECK(write_mix("clipped.wav", MIX_CLIPPED, SF_KIND_WAV, 32));
    CHECK(write_mix("dc.wav", MIX_DC, SF_KIND_WAV, 32));
    CHECK(write_mix("polarity.wav", MIX_POLARITY, SF_KIND_WAV, 32));
    CHECK(write_mix("clean.wav", MIX_CLEAN, SF_KIND_WAV, 24));
    bool mp3 = write_mix("lossy.mp3", MIX_CLEAN, SF_KIND_MP3, 16);
    if (!mp3)
        printf("    (no MP3 encoder in this libsndfile: the lossy case is left out)\n");
    struct session *s = session_new();
    char path[512];
    snprintf(path, sizeof path, "%s/i.lathe", harness_tmpdir());
    str_set(&s->path, path);
    const char *files[] = { "clipped.wav", "dc.wav", "polarity.wav", "clean.wav", "lossy.mp3" };
    for (int i = 0; i < (mp3 ? 5 : 4); i++)
        str_set(&session_insert_track(s, i)->file, files[i]);
    mix_probe_session(s);
    char *text = NULL, err[256];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(intake_report_session(s, f, err, sizeof err));
    fclose(f);
    CHECK_MSG(lines_with(text, "01 clipped.wav: problem clipping:", "clipped runs") == 1, "%s", text);
    CHECK_MSG(lines_with(text, "02 dc.wav: warning dc-offset:", "L -40.0 dBFS") == 1, "%s", text);
    CHECK_MSG(lines_with(text, "03 polarity.wav: problem polarity:", "inverted") == 1, "%s", text);
    CHECK_MSG(lines_with(text, "04 clean.wav: clean", "") == 1, "%s", text);
    CHECK_MSG(lines_with(text, "04 clean.wav", "") == 1, "%s", text);
    if (mp3)
        CHECK_MSG(lines_with(text, "05 lossy.mp3: problem lossy:", "MP3") == 1, "%s", text);
    /* no finding of one mix is reported under another */
    CHECK(lines_with(text, "02 dc.wav", "clipping") == 0);
    CHECK(lines_with(text, "03 polarity.wav", "dc-offset") == 0);
    CHECK(lines_with(text, "01 clipped.wav", "polarity") == 0);
    free(text);
    session_free(s);
}

TEST(unreadable_mix)
{
    struct mix_analysis job = { .path = "/nonexistent/mix.wav" };
    intake_report_measure(&job, 1);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *label = "gone";
    CHECK_EQ_INT(intake_report_write(f, &job, &label, 1, true), 0);
    fclose(f);
    CHECK_MSG(strncmp(text, "gone: error: ", 13) == 0, "%s", text);
    free(text);
}
