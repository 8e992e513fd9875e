/* SPDX-License-Identifier: MIT */
/* Test tool: writes a sine tone WAV.
 * Usage: make_tone PATH SECONDS [RATE [CHANNELS [BITS [PEAK_DBFS [FREQ]]]]] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/soundfile.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_tone PATH SECONDS [RATE [CHANNELS [BITS [PEAK_DBFS [FREQ]]]]]\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    int rate = argc > 3 ? atoi(argv[3]) : 48000;
    int channels = argc > 4 ? atoi(argv[4]) : 2;
    int bits = argc > 5 ? atoi(argv[5]) : 24;
    double amp = argc > 6 ? pow(10, atof(argv[6]) / 20) : 0.25;
    double freq = argc > 7 ? atof(argv[7]) : 440.0;
    char err[1024];
    struct soundfile *f = soundfile_create(argv[1], SF_KIND_WAV, rate, channels, bits, err, sizeof err);
    if (!f) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long frames = lround(seconds * rate);
    double buf[1024 * 8];
    for (long done = 0; done < frames;) {
        int n = frames - done > 1024 ? 1024 : (int)(frames - done);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels && c < 8; c++)
                buf[i * channels + c] = amp * sin(2 * M_PI * freq * (double)(done + i) / rate);
        if (!soundfile_write(f, buf, n)) {
            fprintf(stderr, "%s\n", soundfile_error(f));
            return 1;
        }
        done += n;
    }
    return soundfile_close(f) ? 0 : 1;
}
