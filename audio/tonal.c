/* SPDX-License-Identifier: MIT */
/* Tonal balance of tracks and references, the chart and the match
 * (tonal.h). */
#include "audio/tonal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/album_stream.h"
#include "audio/mixprobe.h"
#include "audio/soundfile.h"
#include "dsp/tonal_match.h"
#include "session/editor.h"

#define READ_FRAMES 16384

bool tonal_of_file(const char *path, double db[OCTAVE_BANDS], char *err, size_t errlen)
{
    struct soundfile_info info;
    struct soundfile *f = soundfile_open(path, &info, err, errlen);
    if (!f)
        return false;
    struct octave_bank *b = octave_bank_new(info.rate, info.channels);
    double *buf = malloc(sizeof(double) * READ_FRAMES * (size_t)info.channels);
    bool ok = b && buf;
    if (!ok)
        snprintf(err, errlen, "%s: out of memory", path);
    int64_t n;
    while (ok && (n = soundfile_read(f, buf, READ_FRAMES)) != 0) {
        if (n < 0) {
            snprintf(err, errlen, "%s", soundfile_error(f));
            ok = false;
        } else {
            octave_bank_process(b, buf, (long)n);
        }
    }
    if (ok)
        octave_bank_read(b, db, true);
    free(buf);
    octave_bank_free(b);
    soundfile_close(f);
    return ok;
}

/* Tracks first..last (their spans are consecutive on the timeline) in one
 * pass of the album from its start: the master chain is continuous, so a
 * track sounds as it does after what plays before it. */
static bool tracks_spectra(const struct session *s, const struct timeline *tl, int first,
                           int last, double (*db)[OCTAVE_BANDS], char *err, size_t errlen)
{
    if (first < 0 || last >= s->ntracks || last >= tl->ntracks || first > last) {
        snprintf(err, errlen, "no track %d", (first < 0 ? first : last) + 1);
        return false;
    }
    struct album_stream *a = album_stream_new(s, tl, err, errlen);
    if (!a)
        return false;
    struct octave_bank *b = octave_bank_new(tl->rate, ALBUM_CHANNELS);
    double *buf = malloc(sizeof(double) * ALBUM_MAX_BLOCK * ALBUM_CHANNELS);
    bool ok = b && buf;
    if (!ok)
        snprintf(err, errlen, "out of memory");
    int64_t pos = 0, end = tl->tracks[last].next_index1;
    int t = first;
    while (ok && pos < end) {
        int n = album_stream_read(a, buf, ALBUM_MAX_BLOCK);
        if (n < 0) {
            snprintf(err, errlen, "%s", album_stream_error(a));
            ok = false;
            break;
        }
        if (n == 0)
            break;
        int64_t at = pos;
        while (t <= last && at < pos + n) {
            const struct timeline_track *tt = &tl->tracks[t];
            if (at < tt->index1) {
                at = tt->index1 < pos + n ? tt->index1 : pos + n;
                continue;
            }
            int64_t to = tt->next_index1 < pos + n ? tt->next_index1 : pos + n;
            if (to > at)
                octave_bank_process(b, buf + (at - pos) * ALBUM_CHANNELS, (long)(to - at));
            at = to;
            if (at >= tt->next_index1)
                octave_bank_read(b, db[t++ - first], true);
        }
        pos += n;
    }
    /* an album shorter than its marks (a mix that read short) */
    while (ok && t <= last)
        octave_bank_read(b, db[t++ - first], true);
    free(buf);
    octave_bank_free(b);
    album_stream_free(a);
    return ok;
}

bool tonal_of_track(const struct session *s, const struct timeline *tl, int track,
                    double db[OCTAVE_BANDS], char *err, size_t errlen)
{
    return tracks_spectra(s, tl, track, track, (double (*)[OCTAVE_BANDS])db, err, errlen);
}

bool tonal_of_tracks(const struct session *s, const struct timeline *tl,
                     double (*db)[OCTAVE_BANDS], char *err, size_t errlen)
{
    return tracks_spectra(s, tl, 0, s->ntracks - 1, db, err, errlen);
}

bool tonal_of_reference(const struct session *s, int ref, double db[OCTAVE_BANDS],
                        char *err, size_t errlen)
{
    if (ref < 0 || ref >= s->nrefs || !s->refs[ref].file) {
        snprintf(err, errlen, "no reference %d with a file", ref + 1);
        return false;
    }
    char path[PATH_MAX];
    mix_path(s, s->refs[ref].file, path, sizeof path);
    return tonal_of_file(path, db, err, errlen);
}

int tonal_find_reference(const struct session *s, const char *name, char *err, size_t errlen)
{
    if (s->nrefs == 0) {
        snprintf(err, errlen, "the session has no [reference] (add one with file = ...)");
        return -1;
    }
    if (!name)
        return 0;
    int i = session_find_reference(s, name);
    if (i >= 0)
        return i;
    snprintf(err, errlen, "no reference \"%s\" (name, file or number 1 to %d)", name, s->nrefs);
    return -1;
}

/* A bar of `v` dB relative to the band average: 1 column per 2 dB around
 * a middle mark, within `w` columns. */
static void bar(FILE *f, double v, int w)
{
    char line[64];
    int mid = w / 2, at = isfinite(v) ? mid + (int)lround(v / 2) : -1;
    for (int i = 0; i < w; i++)
        line[i] = i == mid ? '|' : ' ';
    if (at >= 0) {
        at = at < 0 ? 0 : at >= w ? w - 1 : at;
        for (int i = at < mid ? at : mid + 1; i <= (at < mid ? mid - 1 : at); i++)
            line[i] = '=';
        line[at] = at == mid ? '|' : at < mid ? '<' : '>';
    }
    line[w] = 0;
    fputs(line, f);
}

void tonal_chart(FILE *f, const char *name_a, const double a[OCTAVE_BANDS],
                 const char *name_b, const double b[OCTAVE_BANDS])
{
    /* each spectrum relative to its mean band power, so levels line up */
    double ra[OCTAVE_BANDS], rb[OCTAVE_BANDS], diff[OCTAVE_BANDS];
    tonal_difference(a, b, diff);
    double ma = 0, mb = 0;
    int n = 0;
    for (int i = 0; i < OCTAVE_BANDS; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            ma += pow(10, a[i] / 10), mb += pow(10, b[i] / 10);
            n++;
        }
    ma = n ? 10 * log10(ma / n) : 0;
    mb = n ? 10 * log10(mb / n) : 0;
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        ra[i] = a[i] - ma;
        rb[i] = b[i] - mb;
    }
    fprintf(f, "Tonal balance, dB per 1/3 octave against each one's band average\n");
    fprintf(f, "%6s  %-30.30s %-30.30s %5s\n", "Hz", name_a, name_b, "diff");
    for (int i = 0; i < OCTAVE_BANDS; i++) {
        fprintf(f, "%6s  ", octave_band_label(i));
        bar(f, ra[i], 21);
        isfinite(ra[i]) ? fprintf(f, " %+6.1f  ", ra[i]) : fprintf(f, " %6s  ", "-");
        bar(f, rb[i], 21);
        isfinite(rb[i]) ? fprintf(f, " %+6.1f  ", rb[i]) : fprintf(f, " %6s  ", "-");
        isfinite(diff[i]) ? fprintf(f, "%+6.1f\n", diff[i]) : fprintf(f, "%6s\n", "-");
    }
    fprintf(f, "diff: %s minus %s; each spectrum taken relative to its own total power\n",
            name_b, name_a);
}

/* A silent (or all but silent) side would have EQ fitted to its noise. */
static bool has_signal(const double db[OCTAVE_BANDS], const char *what, const char *file,
                       char *err, size_t errlen)
{
    double top = tonal_loudest_band(db);
    if (top >= TONAL_SIGNAL_GATE_DB)
        return true;
    char level[32];
    if (isfinite(top))
        snprintf(level, sizeof level, "%.1f dB", top);
    else
        snprintf(level, sizeof level, "silence");
    snprintf(err, errlen, "%s %s has no measurable signal (its loudest band: %s, below the "
             "%.0f dB gate) — nothing to match; no EQ added", what, file, level,
             TONAL_SIGNAL_GATE_DB);
    return false;
}

bool tonal_match_track(const struct session *s, int track, int ref, struct proc *out, int *n,
                       char *err, size_t errlen)
{
    double t[OCTAVE_BANDS], r[OCTAVE_BANDS];
    struct timeline tl;
    *n = 0;
    if (track < 0 || track >= s->ntracks || !s->tracks[track].mix.ok) {
        snprintf(err, errlen, "track %d: its mix cannot be read", track + 1);
        return false;
    }
    if (!timeline_build(s, &tl)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    bool ok = tonal_of_track(s, &tl, track, t, err, errlen) &&
              tonal_of_reference(s, ref, r, err, errlen) &&
              has_signal(t, "track", s->tracks[track].file, err, errlen) &&
              has_signal(r, "reference", s->refs[ref].file, err, errlen);
    if (ok)
        *n = tonal_match(t, r, tl.rate, out);
    timeline_free(&tl);
    return ok;
}

void tonal_install(void)
{
    editor_match_hook = tonal_match_track;
}
