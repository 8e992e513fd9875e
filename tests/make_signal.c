/* SPDX-License-Identifier: MIT */
/* Writes test WAVs into a folder: the EBU Tech 3341 cases 1-6, 9, 12, 13,
 * 15-19 and Tech 3342 cases 1-4 at a given rate (24-bit, or float for the
 * true-peak cases), and mixes that trip one intake check each (float WAV;
 * 16-bit, 8-bit, 32 kHz and MP3 copies of the clean mix for the format
 * checks), with `expected.tsv` saying what lathe analyze should read from
 * each file (tests/e2e_analyze.sh checks it).
 *
 * usage: make_signal DIR RATE [ebu|intake|all]
 *
 * expected.tsv lines, tab-separated:
 *   FILE value KEY EXPECTED BELOW ABOVE   a JSON reading and its tolerance
 *   FILE warning CODE                     this intake warning is raised
 *   FILE clean                            no intake warning at all
 */
#include "audio/soundfile.h"
#include "tests/signals.h"

#include <errno.h>
#include <sys/stat.h>

static bool write_file(const char *dir, const char *name, enum soundfile_kind kind,
                       const double *buf, size_t frames, int rate, int channels, int bits)
{
    char path[4096], err[4096 + 600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct soundfile *f = soundfile_create(path, kind, rate, channels, bits, err, sizeof err);
    if (!f) {
        fprintf(stderr, "make_signal: %s\n", err);
        return false;
    }
    bool ok = soundfile_write(f, buf, (int64_t)frames);
    if (!ok)
        fprintf(stderr, "make_signal: %s\n", soundfile_error(f));
    return soundfile_close(f) && ok;
}

static bool write_ebu(const char *dir, int rate, FILE *expect)
{
    struct ebu_case cases[64];
    int n = ebu_cases(cases);
    for (int i = 0; i < n; i++) {
        const struct ebu_case *c = &cases[i];
        size_t frames;
        double *buf = ebu_render(c, rate, &frames);
        if (!buf)
            return false;
        char name[64];
        snprintf(name, sizeof name, "%.15s.wav", c->name);
        /* Float where the peak matters (case 19 goes over full scale). */
        int bits = c->period > 0 ? 32 : 24;
        bool ok = write_file(dir, name, SF_KIND_WAV, buf, frames, rate, c->channels, bits);
        free(buf);
        if (!ok)
            return false;
        for (int e = 0; e < c->nexpect; e++)
            fprintf(expect, "%s\tvalue\t%s\t%g\t%g\t%g\n", name,
                    ebu_measure_key(c->expect[e].what), c->expect[e].value,
                    c->expect[e].below, c->expect[e].above);
    }
    return true;
}

static const char *mix_code(enum mix_kind k)
{
    static const char *const codes[] = {
        [MIX_CLEAN] = NULL, [MIX_CLIPPED] = "clipping", [MIX_DC] = "dc-offset",
        [MIX_SILENT_ENDS] = "head-silence", [MIX_POLARITY] = "polarity",
        [MIX_ANTIPHASE] = "mono-compat", [MIX_LIMITED] = "limited", [MIX_HOT] = "headroom",
        [MIX_DUAL_MONO] = "dual-mono", [MIX_DEAD_RIGHT] = "silent-channel",
        [MIX_SILENT] = "silent", [MIX_OVERS] = "overs",
    };
    return codes[k];
}

static bool write_mix(const char *dir, const char *name, enum mix_kind kind, int rate,
                      int bits)
{
    size_t frames;
    double *buf = mix_render(kind, rate, 6.0, &frames);
    if (!buf)
        return false;
    enum soundfile_kind sk = strstr(name, ".mp3") ? SF_KIND_MP3 : SF_KIND_WAV;
    bool ok = write_file(dir, name, sk, buf, frames, rate, 2, bits);
    free(buf);
    return ok;
}

static bool write_intake(const char *dir, int rate, FILE *expect)
{
    for (int k = 0; k < MIX_KINDS; k++) {
        char name[64];
        snprintf(name, sizeof name, "mix-%s.wav", mix_name((enum mix_kind)k));
        if (!write_mix(dir, name, (enum mix_kind)k, rate, 32))
            return false;
        if (mix_code((enum mix_kind)k))
            fprintf(expect, "%s\twarning\t%s\n", name, mix_code((enum mix_kind)k));
        else
            fprintf(expect, "%s\tclean\n", name);
    }
    fprintf(expect, "mix-silent-ends.wav\twarning\ttail-silence\n");
    /* The format checks come from the file itself. */
    if (!write_mix(dir, "mix-16bit.wav", MIX_CLEAN, rate, 16) ||
        !write_mix(dir, "mix-8bit.wav", MIX_CLEAN, rate, 8) ||
        !write_mix(dir, "mix-32k.wav", MIX_CLEAN, 32000, 24) ||
        !write_mix(dir, "mix-24bit.wav", MIX_CLEAN, rate, 24))
        return false;
    fprintf(expect, "mix-16bit.wav\twarning\tdepth\n");
    fprintf(expect, "mix-8bit.wav\twarning\tdepth\n");
    fprintf(expect, "mix-32k.wav\twarning\trate\n");
    fprintf(expect, "mix-24bit.wav\tclean\n");
    /* Only where this libsndfile can encode MP3 (1.1 and later). */
    if (write_mix(dir, "mix-lossy.mp3", MIX_CLEAN, rate, 16))
        fprintf(expect, "mix-lossy.mp3\twarning\tlossy\n");
    else
        fprintf(stderr, "make_signal: no MP3 encoder; mix-lossy.mp3 left out\n");
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: make_signal DIR RATE [ebu|intake|all]\n");
        return 2;
    }
    const char *dir = argv[1];
    int rate = atoi(argv[2]);
    const char *what = argc == 4 ? argv[3] : "all";
    if (rate < 8000 || rate > 768000 || (strcmp(what, "ebu") != 0 &&
        strcmp(what, "intake") != 0 && strcmp(what, "all") != 0)) {
        fprintf(stderr, "usage: make_signal DIR RATE [ebu|intake|all]\n");
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "make_signal: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/expected.tsv", dir);
    FILE *expect = fopen(path, "w");
    if (!expect) {
        fprintf(stderr, "make_signal: %s: %s\n", path, strerror(errno));
        return 1;
    }
    bool ok = true;
    if (strcmp(what, "intake") != 0)
        ok = write_ebu(dir, rate, expect);
    if (ok && strcmp(what, "ebu") != 0)
        ok = write_intake(dir, rate, expect);
    if (fclose(expect) != 0)
        ok = false;
    return ok ? 0 : 1;
}
