/* SPDX-License-Identifier: MIT */
/* ISRC and UPC/EAN validation, CD-Text genre codes, and Latin-1 checks for CD-Text. */
#include "session/codes.h"

#include <ctype.h>
#include <string.h>

bool isrc_valid(const char *isrc)
{
    if (!isrc || strlen(isrc) != 12)
        return false;
    for (int i = 0; i < 12; i++) {
        unsigned char c = (unsigned char)isrc[i];
        if (i < 2 && !(c >= 'A' && c <= 'Z'))
            return false;
        if (i >= 2 && i < 5 && !((c >= 'A' && c <= 'Z') || isdigit(c)))
            return false;
        if (i >= 5 && !isdigit(c))
            return false;
    }
    return true;
}

bool upc_length_ok(const char *upc)
{
    size_t n = upc ? strlen(upc) : 0;
    if (n != 12 && n != 13)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)upc[i]))
            return false;
    return true;
}

int ean13_check_digit(const char *d)
{
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * (i % 2 == 0 ? 1 : 3);
    return (10 - sum % 10) % 10;
}

bool upc_check_ok(const char *upc)
{
    if (!upc_length_ok(upc))
        return false;
    char ean[14];
    if (strlen(upc) == 12) {
        ean[0] = '0';
        memcpy(ean + 1, upc, 13);
    } else {
        memcpy(ean, upc, 14);
    }
    return ean13_check_digit(ean) == ean[12] - '0';
}

bool text_latin1_ok(const char *s, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i]; i++) {
        if (u[i] < 0x80)
            continue;
        /* two-byte sequences C2/C3 xx are U+0080..U+00FF */
        if ((u[i] == 0xC2 || u[i] == 0xC3) && (u[i + 1] & 0xC0) == 0x80) {
            i++;
            continue;
        }
        if (bad)
            *bad = i;
        return false;
    }
    return true;
}

size_t text_latin1_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++)
        n += (*u & 0xC0) != 0x80;
    return n;
}

bool text_utf8_ok(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        int extra;
        unsigned int cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int k = 1; k <= extra; k++) {
            if (i + (size_t)k >= n || (s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += (size_t)extra + 1;
    }
    return true;
}

/* Codes 0..27 of standards §2.2, then the spellings people also use. */
static const char *const genre_names[] = {
    NULL, "not defined", "adult contemporary", "alternative rock", "children's",
    "classical", "contemporary christian", "country", "dance", "easy listening",
    "erotic", "folk", "gospel", "hip hop", "jazz", "latin", "musical", "new age",
    "opera", "operetta", "pop", "rap", "reggae", "rock", "rhythm & blues",
    "sound effects", "spoken word", "world music",
};

static const struct { const char *name; int code; } genre_aliases[] = {
    { "alternative", 3 }, { "childrens", 4 }, { "children", 4 }, { "kids", 4 },
    { "christian", 6 }, { "ccm", 6 }, { "hiphop", 13 }, { "r & b", 24 }, { "r&b", 24 },
    { "rnb", 24 }, { "r and b", 24 }, { "rhythm and blues", 24 }, { "rhythm&blues", 24 },
    { "world", 27 }, { "spoken", 26 }, { "effects", 25 }, { "sfx", 25 },
};

/* Lower case, '-' and '_' as spaces, runs of spaces as one, trimmed. */
static void genre_key(const char *name, char *out, size_t len)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = name; *p && n + 2 < len; p++) {
        char c = *p == '-' || *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
        if (c == ' ') {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = c;
    }
    out[n] = 0;
}

int genre_code(const char *name)
{
    if (!name || !*name)
        return 0;
    char key[64];
    genre_key(name, key, sizeof key);
    if (!key[0])
        return 0;
    for (int code = 2; code < (int)(sizeof genre_names / sizeof genre_names[0]); code++)
        if (strcmp(key, genre_names[code]) == 0)
            return code;
    for (size_t i = 0; i < sizeof genre_aliases / sizeof genre_aliases[0]; i++)
        if (strcmp(key, genre_aliases[i].name) == 0)
            return genre_aliases[i].code;
    return 1;
}

const char *genre_name(int code)
{
    if (code < 1 || code >= (int)(sizeof genre_names / sizeof genre_names[0]))
        return NULL;
    return genre_names[code];
}
