/* SPDX-License-Identifier: MIT */
/* The keys of cached measurements (audio/measure_key.h): every setting
 * that shapes the sound changes the album's key, text and codes do not. */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/measure_key.h"
#include "session/sessfile.h"
#include "session/timeline.h"

static const char *base =
    "[album]\ntitle = Night\nrate = 48000\ntarget = -14 LUFS\nrevision = 3\n\n"
    "[master]\ncomp = threshold -20dB ratio 2\n\n"
    "[track]\nfile = a.wav\ntitle = One\nisrc = GBABC2600001\n\n"
    "[track]\nfile = b.wav\ngain = +1dB\n";

/* The album key of a session text, with fixed content keys; NULL when the
 * text does not read. The mixes are taken as probed, 10 s each. */
static char *key_of(const char *text)
{
    char err[512];
    struct session *s = session_parse(text, strlen(text), "t.lathe", err, sizeof err);
    if (!s) {
        printf("    session: %s\n", err);
        return NULL;
    }
    for (int i = 0; i < s->ntracks; i++) {
        s->tracks[i].mix.probed = s->tracks[i].mix.ok = true;
        s->tracks[i].mix.rate = 48000;
        s->tracks[i].mix.channels = 2;
        s->tracks[i].mix.frames = 480000;
    }
    struct timeline tl;
    char *key = NULL;
    char *content[] = { "1 2.0 aa", "3 4.0 bb", "5 6.0 cc" };
    if (timeline_build(s, &tl)) {
        key = measure_album_key(s, &tl, content, "meter=1");
        timeline_free(&tl);
    }
    session_free(s);
    return key;
}

/* The base text with `from` replaced by `to`. */
static char *edit(const char *from, const char *to)
{
    const char *at = strstr(base, from);
    if (!at)
        return NULL;
    size_t n = strlen(base) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return out;
}

static void expect(const char *what, const char *from, const char *to, bool changes)
{
    char *a = key_of(base), *text = edit(from, to), *b = text ? key_of(text) : NULL;
    CHECK_MSG(a && b, "%s: no key", what);
    if (a && b)
        CHECK_MSG((strcmp(a, b) != 0) == changes, "%s: the key %s", what,
                  changes ? "did not change" : "changed");
    CHECK_MSG(!a || !strchr(a, '\t'), "a tab in the key");
    free(a);
    free(b);
    free(text);
}

TEST(what_shapes_the_sound_changes_the_key)
{
    expect("track gain", "gain = +1dB", "gain = +1.5dB", true);
    expect("master chain", "ratio 2", "ratio 3", true);
    expect("a track's chain", "file = b.wav\n", "file = b.wav\neq = bell 3kHz -1dB\n", true);
    expect("a track's bypass", "file = b.wav\n", "file = b.wav\neq = bell 3kHz -1dB\nbypass = yes\n", true);
    expect("master bypass", "[master]\n", "[master]\nbypass = yes\n", true);
    expect("master gain", "[master]\n", "[master]\ngain = -1dB\n", true);
    expect("rate", "rate = 48000", "rate = 44100", true);
    expect("gap", "file = b.wav\n", "file = b.wav\ngap = 3s\n", true);
    expect("crossfade", "file = b.wav\n", "file = b.wav\ncrossfade = 1s\n", true);
    expect("fade", "file = b.wav\n", "file = b.wav\nfade-out = 2s\n", true);
    expect("trim", "file = b.wav\n", "file = b.wav\ntrim-in = 1s\n", true);
    expect("track order", "file = a.wav\ntitle = One\nisrc = GBABC2600001\n\n[track]\nfile = b.wav\ngain = +1dB\n",
           "file = b.wav\ngain = +1dB\n\n[track]\nfile = a.wav\ntitle = One\nisrc = GBABC2600001\n", true);
}

TEST(text_codes_and_targets_leave_the_key)
{
    expect("album title", "title = Night", "title = Day", false);
    expect("track title", "title = One", "title = Two", false);
    expect("ISRC", "GBABC2600001", "GBABC2600009", false);
    expect("target", "-14 LUFS", "-16 LUFS", false);
    expect("revision", "revision = 3", "revision = 4", false);
    expect("a note", "file = b.wav\n", "file = b.wav\nnote = louder\n", false);
    expect("the mix's name", "file = b.wav", "file = b2.wav", false);  /* its content counts */
}

TEST(the_measurement_and_the_content_are_in_the_key)
{
    char err[512];
    struct session *s = session_parse(base, strlen(base), "t.lathe", err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    struct timeline tl;
    CHECK(timeline_build(s, &tl));
    char *c1[] = { "1 2.0 aa", "3 4.0 bb" }, *c2[] = { "1 2.0 aa", "3 4.5 bb" };
    char *a = measure_album_key(s, &tl, c1, "meter=1 ceiling=-1");
    char *b = measure_album_key(s, &tl, c2, "meter=1 ceiling=-1");
    char *c = measure_album_key(s, &tl, c1, "meter=1 ceiling=-2");
    CHECK(a && b && c && strcmp(a, b) != 0 && strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
    timeline_free(&tl);
    session_free(s);
}
