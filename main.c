/* SPDX-License-Identifier: MIT */
/* lathe's entry point: dispatches the subcommands of the command line. */
#include <stdio.h>
#include <string.h>

#include "tui/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
