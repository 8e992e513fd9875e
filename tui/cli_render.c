/* SPDX-License-Identifier: MIT */
/* `lathe render SESSION [OUTPUT...] [-o DIR] [-j N]`: every deliverable. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/mixprobe.h"
#include "audio/render.h"
#include "session/sessfile.h"
#include "session/sessupdate.h"
#include "tui/cli.h"

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
    (void)sig;
    cancelled = 1;
}

static void print_line(const char *line, void *ctx)
{
    (void)ctx;
    printf("%s\n", line);
}

static int usage(void)
{
    fprintf(stderr, "usage: lathe render [-o DIR] [-j N] [--] SESSION [OUTPUT...]\n");
    return EXIT_USAGE;
}

int cli_render(int argc, char **argv)
{
    const char *path = NULL, *dir = NULL;
    const char **outputs = calloc((size_t)argc, sizeof *outputs);
    int noutputs = 0, jobs = 0;
    if (!outputs)
        return EXIT_USAGE;
    bool options = true;    /* until "--": names may start with - */
    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (!options) {
            if (!path)
                path = argv[i];
            else
                outputs[noutputs++] = argv[i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc) {
            char *end;
            long n = strtol(argv[++i], &end, 10);   /* range first, then int */
            jobs = *end || end == argv[i] || n < 1 || n > 256 ? 0 : (int)n;
            if (jobs == 0) {
                fprintf(stderr, "lathe render: -j \"%s\" — expected a number of threads from 1 to 256\n", argv[i]);
                free(outputs);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-') {
            free(outputs);
            return usage();
        } else if (!path) {
            path = argv[i];
        } else {
            outputs[noutputs++] = argv[i];
        }
    }
    if (!path) {
        free(outputs);
        return usage();
    }
    char err[4096];
    struct session *s = session_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "lathe render: %s\n", err);
        free(outputs);
        return EXIT_USAGE;
    }
    mix_probe_session(s);
    char defdir[4096];
    if (!dir) {
        const char *slash = strrchr(path, '/');
        snprintf(defdir, sizeof defdir, "%.*s%srender", slash ? (int)(slash - path) : 0, path,
                 slash ? "/" : "");
        dir = defdir;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int revision = s->album.revision;
    struct render_options opt = {
        .outputs = outputs, .noutputs = noutputs, .dir = dir, .jobs = jobs,
        .progress = isatty(STDERR_FILENO), .cancel = &cancelled,
    };
    enum render_status st = render_session(s, &opt, err, sizeof err, print_line, NULL);
    int status = EXIT_OK;
    if (st != RENDER_OK) {
        fprintf(stderr, "lathe render: %s\n", err);
        status = st == RENDER_BAD_INPUT ? EXIT_USAGE : EXIT_WRITE;
    } else if (s->album.revision != revision &&
               !session_bump_revision(path, s->album.revision, NULL, NULL, err, sizeof err)) {
        /* the client copy carries the revision: the session remembers it */
        fprintf(stderr, "lathe render: rendered, but %s\n", err);
        status = EXIT_WRITE;
    }
    session_free(s);
    free(outputs);
    return status;
}
