/* SPDX-License-Identifier: MIT */
/* Platform preview: the services' normalization rules applied to the
 * master's measured loudness (platforms.h). */
#include "audio/platforms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/measure.h"

static const struct platform platforms[PLATFORM_COUNT] = {
    [PLATFORM_SPOTIFY] = { "Spotify", "spotify", -14, -1, true, true, false },
    [PLATFORM_APPLE] = { "Apple Music", "apple_music", -16, -1, true, true, false },
    [PLATFORM_YOUTUBE] = { "YouTube", "youtube", -14, -1, false, true, false },
    [PLATFORM_TIDAL] = { "Tidal", "tidal", -14, -1, true, true, true },
    [PLATFORM_AMAZON] = { "Amazon Music", "amazon_music", -14, -2, true, true, false },
};

const struct platform *platform_of(enum platform_id id)
{
    if ((int)id < 0 || id >= PLATFORM_COUNT)
        return NULL;
    return &platforms[id];
}

double platform_gain(const struct platform *p, double integrated, double true_peak)
{
    if (!isfinite(integrated))
        return 0;
    double g = p->target - integrated;
    if (g < 0)
        return p->lowers ? g : 0;
    if (!p->raises)
        return 0;
    /* a raise stops where the true peak would pass the platform's limit */
    if (isfinite(true_peak) && g > p->peak_limit - true_peak)
        g = p->peak_limit - true_peak;
    return g > 0 ? g : 0;
}

static struct platform_result result(double gain, const struct loudness_result *lr)
{
    struct platform_result r = { gain, lr->integrated + gain, lr->true_peak_max + gain };
    return r;
}

bool platforms_apply(struct platform_preview *pv)
{
    free(pv->rows);
    pv->rows = calloc((size_t)pv->ntracks + 1, sizeof *pv->rows);
    if (!pv->rows)
        return false;
    for (int p = 0; p < PLATFORM_COUNT; p++) {
        const struct platform *pl = &platforms[p];
        double album_gain = platform_gain(pl, pv->album.integrated, pv->album.true_peak_max);
        for (int i = 0; i < pv->ntracks; i++) {
            const struct loudness_result *t = &pv->tracks[i];
            double g = pl->album ? album_gain : platform_gain(pl, t->integrated, t->true_peak_max);
            pv->rows[i][p] = result(g, t);
        }
        pv->rows[pv->ntracks][p] = result(album_gain, &pv->album);
    }
    return true;
}

bool platforms_prepare(const struct session *s, struct platform_preview *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->ceiling = NAN;
    for (int i = 0; i < s->noutputs; i++)
        if (s->outputs[i].has_ceiling && (isnan(out->ceiling) || s->outputs[i].ceiling < out->ceiling))
            out->ceiling = s->outputs[i].ceiling;
    out->ntracks = s->ntracks;
    out->tracks = calloc((size_t)s->ntracks + 1, sizeof *out->tracks);
    if (!out->tracks) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

bool platforms_measure(const struct session *s, const struct timeline *tl,
                       struct platform_preview *out, char *err, size_t errlen)
{
    if (!platforms_prepare(s, out, err, errlen))
        return false;
    if (!measure_album(s, tl, !isnan(out->ceiling), out->ceiling, ALBUM_METER_REPORT,
                       out->tracks, &out->album, err, errlen)) {
        platforms_free(out);
        return false;
    }
    if (!platforms_apply(out)) {
        snprintf(err, errlen, "out of memory");
        platforms_free(out);
        return false;
    }
    return true;
}

void platforms_free(struct platform_preview *pv)
{
    free(pv->tracks);
    free(pv->rows);
    pv->tracks = NULL;
    pv->rows = NULL;
}

static void level(FILE *f, const char *fmt, double v)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fprintf(f, "%*s", (int)strtol(fmt + 1, NULL, 10), "-inf");
}

static void row_label(FILE *f, const struct session *s, int i, int n)
{
    if (i == n) {
        fprintf(f, "    %-20s", "album");
        return;
    }
    const char *title = s && i < s->ntracks ? s->tracks[i].text.title : NULL;
    fprintf(f, "%2d  %-20.20s", i + 1, title ? title : "");
}

void platforms_write(FILE *f, const struct session *s, const struct platform_preview *pv)
{
    int n = pv->ntracks;
    fprintf(f, "Platform preview: measured on the master as the album plays");
    if (isfinite(pv->ceiling))
        fprintf(f, " (through a %.1f dBTP ceiling)", pv->ceiling);
    fprintf(f, "\n\nGain each platform applies (dB)\n    %-20s %6s %6s", "", "LUFS", "dBTP");
    for (int p = 0; p < PLATFORM_COUNT; p++)
        fprintf(f, " %12.12s", platforms[p].name);
    fprintf(f, "\n    %-20s %6s %6s", "", "", "");
    for (int p = 0; p < PLATFORM_COUNT; p++) {
        char t[32];
        snprintf(t, sizeof t, "%.0f%s", platforms[p].target, platforms[p].album ? " album" : "");
        fprintf(f, " %12s", t);
    }
    fprintf(f, "\n");
    for (int i = 0; i <= n; i++) {
        const struct loudness_result *lr = i < n ? &pv->tracks[i] : &pv->album;
        row_label(f, s, i, n);
        level(f, " %6.1f", lr->integrated);
        level(f, " %6.1f", lr->true_peak_max);
        for (int p = 0; p < PLATFORM_COUNT; p++)
            fprintf(f, " %+12.1f", pv->rows[i][p].gain);
        fprintf(f, "\n");
    }
    fprintf(f, "\nAs played: LUFS / dBTP\n    %-20s", "");
    for (int p = 0; p < PLATFORM_COUNT; p++)
        fprintf(f, " %13.13s", platforms[p].name);
    fprintf(f, "\n");
    for (int i = 0; i <= n; i++) {
        row_label(f, s, i, n);
        for (int p = 0; p < PLATFORM_COUNT; p++) {
            const struct platform_result *r = &pv->rows[i][p];
            fputc(' ', f);
            level(f, "%6.1f", r->loudness);
            fputc('/', f);
            level(f, "%-6.1f", r->peak);
        }
        fprintf(f, "\n");
    }
}

static void jnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.2f", v);
    else
        fprintf(f, "null");
}

static void jresult(FILE *f, const struct platform_result *r)
{
    fprintf(f, "{\"gain\": ");
    jnum(f, r->gain);
    fprintf(f, ", \"loudness\": ");
    jnum(f, r->loudness);
    fprintf(f, ", \"peak\": ");
    jnum(f, r->peak);
    fprintf(f, "}");
}

void platforms_write_json(FILE *f, const struct platform_preview *pv)
{
    fprintf(f, "{\"ceiling\": ");
    jnum(f, pv->ceiling);
    fprintf(f, ", \"album\": {\"integrated\": ");
    jnum(f, pv->album.integrated);
    fprintf(f, ", \"true_peak\": ");
    jnum(f, pv->album.true_peak_max);
    fprintf(f, "}, \"platforms\": [");
    for (int p = 0; p < PLATFORM_COUNT; p++) {
        const struct platform *pl = &platforms[p];
        fprintf(f, "%s\n  {\"name\": \"%s\", \"key\": \"%s\", \"target\": %.1f, \"album_mode\": %s, "
                "\"album\": ", p ? "," : "", pl->name, pl->key, pl->target,
                pl->album ? "true" : "false");
        jresult(f, &pv->rows[pv->ntracks][p]);
        fprintf(f, ", \"tracks\": [");
        for (int i = 0; i < pv->ntracks; i++) {
            fprintf(f, "%s", i ? ", " : "");
            jresult(f, &pv->rows[i][p]);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "]}");
}
