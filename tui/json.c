/* SPDX-License-Identifier: MIT */
/* JSON string and number output for --json. */
#include "tui/json.h"

#include <math.h>

/* Length of the valid UTF-8 sequence at c, or 0. */
static int utf8_length(const unsigned char *c)
{
    int n = c[0] >= 0xC2 && c[0] <= 0xDF ? 2 : c[0] >= 0xE0 && c[0] <= 0xEF ? 3
          : c[0] >= 0xF0 && c[0] <= 0xF4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((c[i] & 0xC0) != 0x80)
            return 0;
    if ((c[0] == 0xE0 && c[1] < 0xA0) || (c[0] == 0xED && c[1] >= 0xA0) ||
        (c[0] == 0xF0 && c[1] < 0x90) || (c[0] == 0xF4 && c[1] >= 0x90))
        return 0;   /* overlong, a surrogate, or past U+10FFFF */
    return n;
}

void json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*c < 0x20) {
                fprintf(f, "\\u%04x", *c);
            } else if (*c < 0x80) {
                fputc(*c, f);
            } else {
                /* File names may hold any bytes; JSON must be UTF-8. */
                int n = utf8_length(c);
                if (n == 0) {
                    fputs("\\ufffd", f);
                } else {
                    fwrite(c, 1, (size_t)n, f);
                    c += n - 1;
                }
            }
        }
    }
    fputc('"', f);
}

void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}
