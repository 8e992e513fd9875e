/* SPDX-License-Identifier: MIT */
/* The command line's dispatcher: the table of subcommands, --help, --version. */
#include "tui/cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio/mixprobe.h"
#include "audio/tonal.h"
#include "tui/console.h"
#include "tui/playback_alsa.h"

#define LATHE_VERSION "0.1.0"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
    bool own_help;          /* prints its own --help */
};

static const struct subcommand subcommands[] = {
    { "new", cli_new, "new SESSION MIX... [--no-intake]", "start a session from mix files (in name order); intake report", false },
    { "check", cli_check, "check SESSION [--json] [--no-audio] [--platforms]", "QC: Red Book, codes, CD-Text, missing mixes; platform preview", false },
    { "do", cli_do, "do SESSION COMMAND...", "run console commands on a session and save it", true },
    { "analyze", cli_analyze, "analyze FILE... [--json] | --tonal SESSION [-t N]",
      "loudness, true peak, LRA and intake checks; tonal balance against the reference", true },
    { "render", cli_render, "render SESSION [OUTPUT...] [-o DIR] [-j N]",
      "render the deliverables (default: every output, into render/ beside the session)", false },
    { "level", cli_level, "level SESSION [--target LUFS] [--mode album|track] [--ceiling dBTP]",
      "compute gains for the target loudness and write them into the session", false },
    { "play", cli_play, "play SESSION [-t N] [-D PCM] [--output NAME] [--from TIME] [--to TIME]",
      "play without the console", true },
    { "ddp", cli_ddp, "ddp verify|info|extract DIR", "check, describe or unpack a DDP image", true },
    { NULL, NULL, NULL, NULL, false },
};

/* `lathe SESSION`: a session file, or a new one to create (DESIGN §5). */
static bool opens_console(const char *arg)
{
    size_t n = strlen(arg);
    struct stat st;
    if (n > 6 && strcmp(arg + n - 6, ".lathe") == 0)
        return true;
    return stat(arg, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));  /* a folder: a DDP */
}

/* `lathe SESSION [-D PCM]`: the console, playing on PCM (else $LATHE_DEVICE,
 * else "default"); without a playable device it opens all the same. */
static int open_console(int argc, char **argv)
{
    const char *device = getenv("LATHE_DEVICE");
    if (!device || !*device)
        device = "default";
    if (argc == 4 && strcmp(argv[2], "-D") == 0) {
        device = argv[3];
    } else if (argc != 2) {
        fprintf(stderr, "usage: lathe [SESSION [-D PCM]]\n");
        return EXIT_USAGE;
    }
    char note[512];
    struct playback *engine = playback_alsa_new(device, note, sizeof note);
    return console_main(argv[1], engine, note);
}

static void print_help(FILE *f)
{
    fprintf(f, "usage: lathe [SESSION [-D PCM]]\n       lathe COMMAND [ARGS...]\n\n"
               "lathe is a mastering console for the terminal.\n\ncommands:\n");
    for (const struct subcommand *s = subcommands; s->name; s++)
        fprintf(f, "  %-46s %s\n", s->usage, s->summary);
    fprintf(f, "\nEvery command that takes names ends its options at \"--\": after it every word\n"
               "is a name, so a file called -x.wav is given as: lathe analyze -- -x.wav\n"
               "'lathe COMMAND --help' describes one command; 'man lathe' all of them.\n");
}

int cli_main(int argc, char **argv)
{
    tonal_install();        /* the editor's `match` measures through audio/ */
    mix_probe_install();    /* and `insert` reads the mix it adds */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lathe %s\n", LATHE_VERSION);
        return EXIT_OK;
    }
    for (const struct subcommand *s = subcommands; s->name; s++)
        if (strcmp(argv[1], s->name) == 0) {
            if (!s->own_help && argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
                printf("usage: lathe %s\n\n%s\n", s->usage, s->summary);
                return EXIT_OK;
            }
            return s->run(argc - 1, argv + 1);
        }
    if (strcmp(argv[1], "--") == 0 && argc == 3)    /* lathe -- -x.lathe */
        return open_console(argc - 1, argv + 1);
    if (opens_console(argv[1]))
        return open_console(argc, argv);
    fprintf(stderr, "lathe: unknown command \"%s\" (see lathe --help)\n", argv[1]);
    return EXIT_USAGE;
}
