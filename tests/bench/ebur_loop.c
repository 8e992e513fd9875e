/* SPDX-License-Identifier: MIT */
/* ebur_loop FILE...: the analysis floor, a plain loop over libebur128 on one
 * core: integrated loudness, loudness range and true peak of every file,
 * nothing else. */
#include <ebur128.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

#define FRAMES 16384

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ebur_loop FILE...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        SF_INFO info = { 0 };
        SNDFILE *f = sf_open(argv[i], SFM_READ, &info);
        if (!f) {
            fprintf(stderr, "%s: %s\n", argv[i], sf_strerror(NULL));
            return 1;
        }
        ebur128_state *st = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
                                         EBUR128_MODE_I | EBUR128_MODE_LRA |
                                         EBUR128_MODE_TRUE_PEAK);
        double *buf = malloc(sizeof(double) * FRAMES * (size_t)info.channels);
        if (!st || !buf)
            return 1;
        sf_count_t n;
        while ((n = sf_readf_double(f, buf, FRAMES)) > 0)
            ebur128_add_frames_double(st, buf, (size_t)n);
        double lufs, lra, tp = 0, p;
        ebur128_loudness_global(st, &lufs);
        ebur128_loudness_range(st, &lra);
        for (int c = 0; c < info.channels; c++)
            if (ebur128_true_peak(st, (unsigned)c, &p) == EBUR128_SUCCESS && p > tp)
                tp = p;
        printf("%s: %.1f LUFS, %.1f LU, %.2f true peak\n", argv[i], lufs, lra, tp);
        ebur128_destroy(&st);
        free(buf);
        sf_close(f);
    }
    return 0;
}
