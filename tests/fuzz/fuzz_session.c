/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the session reader, and the writer on what it accepts.
 * Whatever session_parse accepts, session_format must write back as text
 * that parses again to the same text: a saved session always reopens. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/sessfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    struct session *s = session_parse((const char *)data, size, "fuzz.lathe", err, sizeof err);
    if (!s) {
        /* one message naming the file */
        if (strncmp(err, "fuzz.lathe", 10) != 0) {
            fprintf(stderr, "message does not name the file: %s\n", err);
            abort();
        }
        return 0;
    }
    char *text = session_format(s);
    session_free(s);
    if (!text)
        return 0;
    struct session *again = session_parse(text, strlen(text), "fuzz.lathe", err, sizeof err);
    if (!again) {
        fprintf(stderr, "the written session does not read back: %s\n---\n%s---\n", err, text);
        abort();
    }
    char *text2 = session_format(again);
    if (text2 && strcmp(text, text2) != 0) {
        fprintf(stderr, "written twice, the session differs:\n---\n%s---\n%s---\n", text, text2);
        abort();
    }
    free(text2);
    session_free(again);
    free(text);
    return 0;
}
