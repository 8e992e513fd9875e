/* SPDX-License-Identifier: MIT */
/* `lathe play SESSION [-t N] [-D PCM] [--output NAME] [--from TIME] [--to TIME]`:
 * plays without the console, with one status line on a terminal. A DDP
 * folder in place of the session plays the image as it will be pressed. */
#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/ddp_read.h"
#include "audio/engine.h"
#include "audio/mixprobe.h"
#include "audio/pcm_out.h"
#include "session/limits.h"
#include "session/sessfile.h"
#include "tui/cli.h"

static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
    (void)sig;
    stop_asked = 1;
}

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: lathe play [-t N] [-D PCM] [--output NAME] [--from TIME] [--to TIME]\n"
               "                  [--period FRAMES] [--periods N] [--] SESSION|DDP_FOLDER\n"
               "       lathe play --list-devices\n\n"
               "Plays the album (or track N, or a span) through the same chains as the render.\n"
               "Without --output it monitors at the session rate (24-bit, TPDF dither); with\n"
               "--output NAME it plays what that output renders, bit for bit.\n"
               "A DDP folder plays its image as it is, at 44.1 kHz 16-bit.\n"
               "TIME is seconds (75.5, 5s, 500ms) or m:ss.fff on the album. -D takes any ALSA PCM name (default:\n"
               "\"default\"); a device that cannot take the rate is told so, and the album\n"
               "is played at the nearest rate it takes, resampled by the output's stage.\n");
    return status;
}

/* Seconds from "75.5", "1:15.5" or "1:01:15.5", or a time as the session
 * writes one ("5s", "500ms"); negative when malformed, not finite (nan,
 * inf), hex or past a day. */
static double parse_time(const char *text)
{
    double seconds;
    if (param_parse_value(UNIT_SECONDS, NULL, text, &seconds))
        return limit_in(seconds, 0, LIMIT_CLI_TIME_MAX) ? seconds : -1;
    double total = 0;
    const char *p = text;
    for (int parts = 0; parts < 3; parts++) {
        /* plain decimals only: strtod alone takes nan, inf and 0x10 */
        size_t n = strspn(p, "0123456789.");
        char *end;
        if (n == 0 || !isdigit((unsigned char)p[0]))
            return -1;
        double v = strtod(p, &end);
        if (end != p + n)
            return -1;
        total = total * 60 + v;
        if (*end == 0)
            return limit_in(total, 0, LIMIT_CLI_TIME_MAX) ? total : -1;
        if (*end != ':')
            return -1;
        p = end + 1;
    }
    return -1;
}

static double db(float v)
{
    return v > 0 ? 20 * log10(v) : -INFINITY;
}

static void status_line(struct engine *e, const struct engine_status *st, const struct engine_meter *m)
{
    int rate = engine_rate(e);
    double t = (double)st->position / rate;
    int min = (int)(t / 60);
    fprintf(stderr, "\r%3d:%06.3f  track %2d  peak %6.1f %6.1f  rms %6.1f %6.1f dBFS  xruns %d ",
            min, t - 60 * min, st->track, db(m->peak[0]), db(m->peak[1]), db(m->rms[0]),
            db(m->rms[1]), st->xruns);
    fflush(stderr);
}

static bool parse_int(const char *text, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || end == text || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

int cli_play(int argc, char **argv)
{
    const char *path = NULL, *device = "default";
    struct engine_options opt = { .from = -1, .to = -1 };
    int period = 1024, periods = 4;
    bool options = true;    /* until "--": what follows is the session's name */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (options && strcmp(a, "--") == 0) {
            options = false;
            continue;
        }
        if (!options) {
            if (path)
                return usage(stderr, EXIT_USAGE);
            path = a;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout, EXIT_OK);
        if (strcmp(a, "--list-devices") == 0) {
            if (pcm_out_list(stdout) == 0)
                fprintf(stderr, "lathe play: ALSA lists no playback devices\n");
            return EXIT_OK;
        }
        if (!v || a[0] != '-') {
            if (a[0] == '-' || path)
                return usage(stderr, EXIT_USAGE);
            path = a;
            continue;
        }
        i++;
        if (strcmp(a, "-t") == 0) {
            if (!parse_int(v, 1, 99, &opt.track)) {
                fprintf(stderr, "lathe play: -t \"%s\" — expected a track number from 1 to 99\n", v);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "-D") == 0) {
            device = v;
        } else if (strcmp(a, "--output") == 0) {
            opt.output = v;
        } else if (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) {
            double t = parse_time(v);
            if (t < 0) {
                fprintf(stderr, "lathe play: %s \"%s\" — expected seconds (5, 5s, 500ms) or m:ss.fff, at most a day\n", a, v);
                return EXIT_USAGE;
            }
            *(a[2] == 'f' ? &opt.from : &opt.to) = t;
        } else if (strcmp(a, "--period") == 0) {
            if (!parse_int(v, 16, 65536, &period)) {
                fprintf(stderr, "lathe play: --period \"%s\" — expected frames from 16 to 65536\n", v);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--periods") == 0) {
            if (!parse_int(v, 2, 64, &periods)) {
                fprintf(stderr, "lathe play: --periods \"%s\" — expected 2 to 64\n", v);
                return EXIT_USAGE;
            }
        } else {
            return usage(stderr, EXIT_USAGE);
        }
    }
    if (!path)
        return usage(stderr, EXIT_USAGE);
    char err[4096];
    struct session *s = NULL;
    struct ddp *d = NULL;
    struct engine *e = NULL;
    struct stat sb;
    int status = EXIT_OK;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        d = ddp_open(path, err, sizeof err);
        e = d ? engine_new_ddp(d, &opt, err, sizeof err) : NULL;
    } else {
        s = session_load(path, err, sizeof err);
        if (s)
            mix_probe_session(s);
        e = s ? engine_new(s, &opt, err, sizeof err) : NULL;
    }
    if (!e) {
        fprintf(stderr, "lathe play: %s\n", err);
        ddp_close(d);
        session_free(s);
        return EXIT_USAGE;
    }
    /* a device that cannot take the rate gets the nearest one it can */
    int nearest = d ? 0 : pcm_out_nearest_rate(device, engine_rate(e));
    if (nearest > 0 && nearest != engine_rate(e)) {
        fprintf(stderr, "lathe play: \"%s\" cannot play %d Hz; resampling to %d Hz\n", device,
                engine_rate(e), nearest);
        engine_free(e);
        opt.rate = nearest;
        e = engine_new(s, &opt, err, sizeof err);
        if (!e) {
            fprintf(stderr, "lathe play: %s\n", err);
            session_free(s);
            return EXIT_USAGE;
        }
    }
    struct pcm_out *out = pcm_out_open(device, engine_rate(e), engine_sample(e), period, periods,
                                       err, sizeof err);
    if (!out) {
        fprintf(stderr, "lathe play: %s\n", err);
        engine_free(e);
        ddp_close(d);
        session_free(s);
        return EXIT_USAGE;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (!engine_start(e, out, err, sizeof err)) {
        fprintf(stderr, "lathe play: %s\n", err);
        engine_free(e);
        ddp_close(d);
        session_free(s);
        return EXIT_WRITE;
    }
    bool tty = isatty(STDERR_FILENO), said_rt = false;
    struct engine_meter last = { 0 }, m;
    struct engine_status st;
    for (;;) {
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
        if (stop_asked)
            engine_stop(e);
        engine_status(e, &st);
        if (!said_rt && (st.position > 0 || !st.running)) {
            /* once, whether or not stderr is a terminal: it explains dropouts */
            said_rt = true;
            if (!st.realtime)
                fprintf(stderr, "%slathe play: no real-time priority for the audio thread "
                                "(see limits.conf rtprio); playing at normal priority\n",
                        tty ? "\r\033[K" : "");
        }
        /* the meters show the loudest period since the last redraw */
        struct engine_meter sum = { 0 };
        bool got = false;
        while (engine_meter_pop(e, &m)) {
            for (int c = 0; c < 2; c++) {
                sum.peak[c] = m.peak[c] > sum.peak[c] ? m.peak[c] : sum.peak[c];
                sum.rms[c] = m.rms[c] > sum.rms[c] ? m.rms[c] : sum.rms[c];
            }
            got = true;
        }
        if (got)
            last = sum;
        if (tty)
            status_line(e, &st, &last);
        if (!st.running)
            break;
    }
    if (tty)
        fputc('\n', stderr);
    if (st.failed) {
        fprintf(stderr, "lathe play: %s\n", engine_error(e));
        status = EXIT_WRITE;
    } else if (st.xruns && !tty) {
        fprintf(stderr, "lathe play: %d xruns\n", st.xruns);
    }
    engine_free(e);
    ddp_close(d);
    session_free(s);
    return status;
}
