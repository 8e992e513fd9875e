/* SPDX-License-Identifier: MIT */
/* The command line: `lathe COMMAND ...`, one function per subcommand. */
#ifndef LATHE_CLI_H
#define LATHE_CLI_H

/* Exit statuses shared by every subcommand (DESIGN §5). */
enum {
    EXIT_OK = 0,
    EXIT_PROBLEMS = 1,  /* check found problems */
    EXIT_USAGE = 2,     /* bad usage or bad input; nothing written */
    EXIT_WRITE = 3,     /* failure while writing; nothing partial left */
};

int cli_main(int argc, char **argv);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_new(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_do(int argc, char **argv);
int cli_analyze(int argc, char **argv);
/* `lathe analyze --tonal SESSION ...` (cli_tonal.c). */
int cli_analyze_tonal(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_level(int argc, char **argv);
int cli_ddp(int argc, char **argv);
int cli_play(int argc, char **argv);

#endif
