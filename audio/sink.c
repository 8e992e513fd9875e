/* SPDX-License-Identifier: MIT */
/* Helpers every sink shares: marks at the output rate, file names. */
#include "audio/sink.h"

#include <stdio.h>
#include <string.h>

int64_t sink_mark(const struct sink_context *c, int64_t session_samples)
{
    if (c->rate == c->tl->rate)
        return session_samples;
    /* marks sit on CD frames: a frame at one rate is the same frame at another */
    int64_t k = timeline_frames(c->tl, session_samples);
    if (timeline_frame_start(c->tl->rate, k) == session_samples)
        return timeline_frame_start(c->rate, k);
    return (session_samples * (int64_t)c->rate * 2 + c->tl->rate) / (2 * (int64_t)c->tl->rate);
}

static void append_clean(char *out, size_t len, size_t *used, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && *used + 1 < len; p++) {
        unsigned char ch = *p;
        if (ch < 0x20 || strchr("/\\:*?\"<>|", ch))
            ch = '_';
        out[(*used)++] = (char)ch;
    }
    out[*used] = 0;
}

void sink_track_name(const struct sink_context *c, const char *template, int i,
                     char *out, size_t len)
{
    const struct track *t = &c->s->tracks[i];
    size_t used = 0;
    char num[16];
    out[0] = 0;
    for (const char *p = template; *p && used + 1 < len;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                size_t n = (size_t)(close - p - 1);
                const char *v = NULL;
                if (n == 2 && strncmp(p + 1, "nn", 2) == 0) {
                    snprintf(num, sizeof num, "%02d", i + 1);
                    v = num;
                } else if (n == 1 && p[1] == 'n') {
                    snprintf(num, sizeof num, "%d", i + 1);
                    v = num;
                } else if (n == 5 && strncmp(p + 1, "title", 5) == 0) {
                    v = t->text.title ? t->text.title : "Track";
                } else if (n == 9 && strncmp(p + 1, "performer", 9) == 0) {
                    v = t->text.performer ? t->text.performer : c->s->album.text.performer;
                } else if (n == 5 && strncmp(p + 1, "album", 5) == 0) {
                    v = c->s->album.text.title;
                } else if (n == 4 && strncmp(p + 1, "isrc", 4) == 0) {
                    v = t->isrc;
                }
                if (v || close) {
                    append_clean(out, len, &used, v ? v : "");
                    p = close + 1;
                    continue;
                }
            }
        }
        char one[2] = { *p++, 0 };
        append_clean(out, len, &used, one);
    }
    if (out[0] == '.')      /* no hidden deliverables */
        out[0] = '_';
    if (!out[0])
        snprintf(out, len, "%02d", i + 1);
}

bool sink_template_check(const char *template, char *err, size_t errlen)
{
    static const char *const known[] = { "nn", "n", "title", "performer", "album", "isrc", NULL };
    for (const char *p = strchr(template, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close) {
            snprintf(err, errlen, "name \"%s\": a { without its }", template);
            return false;
        }
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok |= strlen(known[k]) == (size_t)(close - p - 1) && strncmp(p + 1, known[k], (size_t)(close - p - 1)) == 0;
        if (!ok) {
            snprintf(err, errlen, "name \"%s\": unknown field {%.*s} — expected {nn}, {n}, {title}, "
                     "{performer}, {album} or {isrc}", template, (int)(close - p - 1), p + 1);
            return false;
        }
    }
    return true;
}
