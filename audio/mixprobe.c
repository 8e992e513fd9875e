/* SPDX-License-Identifier: MIT */
/* Reads the headers of a session's mixes (see mixprobe.h). */
#include "audio/mixprobe.h"

#include <stdio.h>
#include <string.h>

#include "audio/soundfile.h"
#include "session/editor.h"
#include "session/regfile.h"

void mix_path(const struct session *s, const char *file, char *out, size_t len)
{
    const char *slash = s->path ? strrchr(s->path, '/') : NULL;
    if (file[0] == '/' || !slash)
        snprintf(out, len, "%s", file);
    else
        snprintf(out, len, "%.*s/%s", (int)(slash - s->path), s->path, file);
}

static void probe(const struct session *s, const char *file, struct mix_info *m)
{
    char path[4096];
    struct soundfile_info info;
    memset(m, 0, sizeof *m);
    m->probed = true;
    mix_path(s, file, path, sizeof path);
    if (!soundfile_probe(path, &info, m->error, sizeof m->error))
        return;
    m->ok = true;
    m->rate = info.rate;
    m->channels = info.channels;
    m->bits = info.bits;
    m->frames = info.frames;
    m->stamp = info.stamp;
    snprintf(m->format, sizeof m->format, "%s", info.format);
}

void mix_probe_session(struct session *s)
{
    for (int i = 0; i < s->ntracks; i++)
        probe(s, s->tracks[i].file, &s->tracks[i].mix);
    for (int i = 0; i < s->nrefs; i++)
        probe(s, s->refs[i].file, &s->refs[i].mix);
}

/* The editor's `insert`: the new track's mix is read as `new` reads one, so
 * a missing file, a folder or /dev/zero is refused before it is a track. */
static bool probe_for_editor(const struct session *s, struct track *t, char *err, size_t errlen)
{
    probe(s, t->file, &t->mix);
    if (!t->mix.ok)
        snprintf(err, errlen, "%s", t->mix.error);
    return t->mix.ok;
}

void mix_probe_install(void)
{
    editor_probe_hook = probe_for_editor;
}

bool mix_session_unchanged(const struct session *s, const char *when, char *err, size_t errlen)
{
    for (int i = 0; i < s->ntracks; i++) {
        const struct mix_info *m = &s->tracks[i].mix;
        char path[4096], why[256];
        mix_path(s, s->tracks[i].file, path, sizeof path);
        if (m->ok && !regfile_unchanged(path, &m->stamp, why, sizeof why)) {
            snprintf(err, errlen, "%s changed %s (%s)", path, when, why);
            return false;
        }
    }
    return true;
}
