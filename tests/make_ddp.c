/* SPDX-License-Identifier: MIT */
/* Test tool: writes a DDP master of a test album through the DDP sink.
 * Usage: make_ddp DIR [example|album]  (the folder must exist) */
#include "tests/ddp_fixture.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: make_ddp DIR [example|album]\n");
        return 2;
    }
    const char *which = argc > 2 ? argv[2] : "album";
    struct fixture f;
    bool ok = strcmp(which, "example") == 0 ? fixture_example(&f, argv[1], ".")
                                            : fixture_album(&f, argv[1], ".");
    char err[1024] = "";
    if (!ok) {
        fprintf(stderr, "make_ddp: cannot build the album\n");
        return 1;
    }
    ok = fixture_write(&f, 4096, err, sizeof err);
    if (!ok)
        fprintf(stderr, "make_ddp: %s\n", err);
    fixture_free(&f);
    return ok ? 0 : 1;
}
