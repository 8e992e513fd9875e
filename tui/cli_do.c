/* SPDX-License-Identifier: MIT */
/* `lathe do SESSION COMMAND...`: runs console commands without a screen.
 * Each argument is one command ("gap 1.5s"); the session is saved
 * atomically at the end when a command changed it. If a command fails,
 * nothing more runs and nothing is written. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audio/mixprobe.h"
#include "session/editor.h"
#include "session/sessfile.h"
#include "tui/cli.h"

static void print_commands(void)
{
    printf("usage: lathe do SESSION COMMAND...\n\nEach argument is one command; quote it: "
           "lathe do s.lathe 'select 2' 'gap 1.5s'\n\ncommands:\n");
    for (const struct command *c = editor_commands(); c->name; c++)
        printf("  %-12s %-34s %s\n", c->name, c->args, c->help);
}

int cli_do(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_commands();
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--") == 0) {     /* lathe do -- -x.lathe ... */
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: lathe do [--] SESSION COMMAND...  (lathe do --help lists the commands)\n");
        return EXIT_USAGE;
    }
    char err[1024];
    /* Held from reading the file to saving it: a second `lathe do` (or a
     * render or level saving) waits its turn, then reads our result. */
    struct session_lock *lock = session_lock_take(argv[1], SESSION_LOCK_WAIT_MS, err, sizeof err);
    if (!lock) {
        struct stat st;
        bool missing = stat(argv[1], &st) != 0;     /* a typo, not a write failure */
        if (missing)
            snprintf(err, sizeof err, "%s: %s", argv[1], strerror(errno));
        fprintf(stderr, "lathe do: %s\n", err);
        return missing ? EXIT_USAGE : EXIT_WRITE;
    }
    struct session *s = session_load(argv[1], err, sizeof err);
    if (!s) {
        session_lock_release(lock);
        fprintf(stderr, "lathe do: %s\n", err);
        return EXIT_USAGE;
    }
    s->lock = lock;
    mix_probe_session(s);
    struct editor *e = editor_new(s);
    if (!e) {
        session_free(s);
        fprintf(stderr, "lathe do: out of memory\n");
        return EXIT_USAGE;
    }
    char msg[4096];
    for (int i = 2; i < argc; i++) {
        if (!editor_run(e, argv[i], msg, sizeof msg)) {
            bool write_failed = strncmp(argv[i], "save", 4) == 0;
            fprintf(stderr, "lathe do: %s: %s\n", argv[i], msg);
            if (!write_failed)
                fprintf(stderr, "lathe do: %s not changed\n", argv[1]);
            editor_free(e);
            return write_failed ? EXIT_WRITE : EXIT_USAGE;
        }
        if (msg[0])
            printf("%s\n", msg);
    }
    int status = EXIT_OK;
    if (e->dirty && !editor_save(e, msg, sizeof msg)) {
        fprintf(stderr, "lathe do: %s\n", msg);
        status = EXIT_WRITE;
    }
    editor_free(e);
    return status;
}
