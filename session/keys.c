/* SPDX-License-Identifier: MIT */
/* The key tables of every section, and parsing and formatting by table. */
#include "session/keys.h"

#include "session/codes.h"
#include "session/limits.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levelings[] = { "album", "track", "off", NULL };
static const char *const formats[] = { "ddp", "cue", "toc", "wav", "flac", "aiff",
                                       "mp3", "ogg", "review", NULL };
static const char *const lossies[] = { "mp3", "ogg", NULL };
static const char *const dithers[] = { "off", "tpdf", "shaped", NULL };
static const char *const resamplers[] = { "soxr", "libsamplerate", NULL };

#define K(name, type, st, field) { name, type, offsetof(st, field), NO_FLAG, NULL, 0, 0, NULL }
#define KF(name, type, st, field, flag) { name, type, offsetof(st, field), offsetof(st, flag), NULL, 0, 0, NULL }
#define KC(name, st, field, choices) { name, KT_CHOICE, offsetof(st, field), NO_FLAG, choices, 0, 0, NULL }
#define KCF(name, st, field, flag, choices) { name, KT_CHOICE, offsetof(st, field), offsetof(st, flag), choices, 0, 0, NULL }
#define KR(name, type, st, field, lo, hi) { name, type, offsetof(st, field), NO_FLAG, NULL, lo, hi, NULL }
#define KRF(name, type, st, field, flag, lo, hi) { name, type, offsetof(st, field), offsetof(st, flag), NULL, lo, hi, NULL }

static const struct key_def lathe_keys[] = {
    KR("version", KT_INT, struct lathe_section, version, 1, LIMIT_VERSION_MAX),
};

static const struct key_def album_keys[] = {
    K("title", KT_TEXT, struct album, text.title),
    K("performer", KT_TEXT, struct album, text.performer),
    K("songwriter", KT_TEXT, struct album, text.songwriter),
    K("composer", KT_TEXT, struct album, text.composer),
    K("arranger", KT_TEXT, struct album, text.arranger),
    K("message", KT_TEXT, struct album, text.message),
    K("genre", KT_TEXT, struct album, genre),
    K("upc", KT_UPC, struct album, upc),
    KR("rate", KT_RATE, struct album, rate, LIMIT_RATE_MIN, LIMIT_RATE_MAX),
    KR("target", KT_LUFS, struct album, target, LIMIT_TARGET_MIN, LIMIT_TARGET_MAX),
    KC("leveling", struct album, leveling, levelings),
    KC("resampler", struct album, resampler, resamplers),
    KR("revision", KT_INT, struct album, revision, 0, LIMIT_REVISION_MAX),
};

static const struct key_def master_keys[] = {
    KR("gain", KT_GAIN, struct master, gain, LIMIT_GAIN_MIN, LIMIT_GAIN_MAX),
    K("bypass", KT_BOOL, struct master, chain.bypass),
};

static const struct key_def track_keys[] = {
    K("file", KT_TEXT, struct track, file),
    K("title", KT_TEXT, struct track, text.title),
    K("performer", KT_TEXT, struct track, text.performer),
    K("songwriter", KT_TEXT, struct track, text.songwriter),
    K("composer", KT_TEXT, struct track, text.composer),
    K("arranger", KT_TEXT, struct track, text.arranger),
    K("message", KT_TEXT, struct track, text.message),
    K("isrc", KT_ISRC, struct track, isrc),
    KRF("gap", KT_TIME, struct track, gap, has_gap, 0, LIMIT_GAP_MAX),
    KR("crossfade", KT_TIME, struct track, crossfade, 0, LIMIT_CROSSFADE_MAX),
    KR("trim-in", KT_TIME, struct track, trim_in, 0, LIMIT_TRIM_MAX),
    KR("trim-out", KT_TIME, struct track, trim_out, 0, LIMIT_TRIM_MAX),
    K("fade-in", KT_FADE, struct track, fade_in),
    K("fade-out", KT_FADE, struct track, fade_out),
    KR("gain", KT_GAIN, struct track, gain, LIMIT_GAIN_MIN, LIMIT_GAIN_MAX),
    K("copy", KT_BOOL, struct track, copy),
    K("emphasis", KT_BOOL, struct track, emphasis),
    KR("index", KT_TIME_LIST, struct track, index, 0, LIMIT_TRIM_MAX),
    K("note", KT_TEXT_LIST, struct track, note),
    K("bypass", KT_BOOL, struct track, chain.bypass),
};

static const struct key_def reference_keys[] = {
    K("file", KT_TEXT, struct reference, file),
    K("name", KT_TEXT, struct reference, name),
};

static const struct key_def output_keys[] = {
    KCF("format", struct output, format, has_format, formats),
    KR("rate", KT_RATE, struct output, rate, LIMIT_RATE_MIN, LIMIT_RATE_MAX),
    KR("bits", KT_BITS, struct output, bits, 8, 32),
    KCF("dither", struct output, dither, has_dither, dithers),
    KRF("ceiling", KT_DBTP, struct output, ceiling, has_ceiling, LIMIT_CEILING_MIN, LIMIT_CEILING_MAX),
    K("name", KT_TEXT, struct output, name_template),
    K("album", KT_BOOL, struct output, album),
    KC("lossy", struct output, lossy, lossies),
    KCF("resampler", struct output, resampler, has_resampler, resamplers),
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct section_def sections[] = {
    { SECTION_LATHE, "lathe", lathe_keys, N(lathe_keys), false,
      offsetof(struct lathe_section, layout), 0 },
    { SECTION_ALBUM, "album", album_keys, N(album_keys), false,
      offsetof(struct album, layout), 0 },
    { SECTION_MASTER, "master", master_keys, N(master_keys), true,
      offsetof(struct master, layout), offsetof(struct master, chain) },
    { SECTION_TRACK, "track", track_keys, N(track_keys), true,
      offsetof(struct track, layout), offsetof(struct track, chain) },
    { SECTION_REFERENCE, "reference", reference_keys, N(reference_keys), false,
      offsetof(struct reference, layout), 0 },
    { SECTION_OUTPUT, "output", output_keys, N(output_keys), false,
      offsetof(struct output, layout), 0 },
};

const struct section_def *section_def_of(enum section_kind kind)
{
    return &sections[kind];
}

const struct section_def *section_def_find(const char *name)
{
    for (int i = 0; i < N(sections); i++)
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

int section_key_find(const struct section_def *d, const char *key)
{
    for (int i = 0; i < d->nkeys; i++)
        if (strcmp(d->keys[i].key, key) == 0)
            return i;
    return -1;
}

const char *section_key_suggest(const struct section_def *d, const char *key)
{
    const char *best = NULL;
    int best_d = 3;
    for (int i = 0; i < d->nkeys; i++) {
        int dist = param_edit_distance(key, d->keys[i].key);
        if (dist < best_d) {
            best_d = dist;
            best = d->keys[i].key;
        }
    }
    if (d->has_chain)
        for (int k = 0; k < PROC_KIND_COUNT; k++) {
            const struct proc_def *pd = proc_def_of(k);
            int dist = pd->in_chain ? param_edit_distance(key, pd->key) : 99;
            if (dist < best_d) {
                best_d = dist;
                best = pd->key;
            }
        }
    return best;
}

void isrc_normalise(const char *in, char *out, size_t len)
{
    size_t n = 0;
    for (const char *c = in; *c && n + 1 < len; c++) {
        if (*c == '-' || *c == ' ')
            continue;
        out[n++] = (char)toupper((unsigned char)*c);
    }
    out[n] = 0;
}

#define FIELD(type) ((type *)((char *)section + k->offset))
#define CFIELD(type) ((const type *)((const char *)section + k->offset))

static void set_flag(const struct key_def *k, void *section, bool v)
{
    if (k->flag_offset != NO_FLAG)
        *(bool *)((char *)section + k->flag_offset) = v;
}

static bool get_flag(const struct key_def *k, const void *section)
{
    return k->flag_offset == NO_FLAG || *(const bool *)((const char *)section + k->flag_offset);
}

static bool fail(char *err, size_t errlen, const struct key_def *k, const char *value,
                 const char *expected)
{
    snprintf(err, errlen, "%s: \"%s\" — expected %s", k->key, value, expected);
    return false;
}

static bool parse_time(const char *value, struct stime *t)
{
    size_t n = strlen(value);
    if (n > 3 && strcmp(value + n - 3, "smp") == 0) {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        /* a day at 768 kHz is more than any session needs */
        if (end == value || strcmp(end, "smp") != 0 || v < 0 || errno ||
            v > 86400LL * 768000 || !isdigit((unsigned char)value[0]))
            return false;
        t->in_samples = true;
        t->samples = v;
        t->seconds = 0;
        return true;
    }
    double s;
    if (!param_parse_value(UNIT_SECONDS, NULL, value, &s) || s < 0)
        return false;
    t->in_samples = false;
    t->samples = 0;
    t->seconds = s;
    return true;
}

/* Longest value a key takes: a CD-Text field, a note, a path. */
#define MAX_VALUE 1000

static bool text_ok(const char *value)
{
    if (strlen(value) > MAX_VALUE || !text_utf8_ok(value, strlen(value)))
        return false;
    for (const unsigned char *c = (const unsigned char *)value; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

static bool range_ok(const struct key_def *k, double v)
{
    return !(k->min < k->max) || (v >= k->min && v <= k->max);
}

static void format_range(const struct key_def *k, enum unit u, char *buf, size_t len)
{
    char lo[32], hi[32];
    param_format_value(u, NULL, k->min, lo, sizeof lo);
    param_format_value(u, NULL, k->max, hi, sizeof hi);
    snprintf(buf, len, "%s to %s", lo, hi);
}

static bool parse_unit_value(const struct key_def *k, void *section, const char *value,
                             enum unit u, char *err, size_t errlen)
{
    double v;
    if (!param_parse_value(u, NULL, value, &v))
        return fail(err, errlen, k, value, param_unit_example(u));
    if (!range_ok(k, v)) {
        char range[80];
        format_range(k, u, range, sizeof range);
        return fail(err, errlen, k, value, range);
    }
    *FIELD(double) = v;
    set_flag(k, section, true);
    return true;
}

bool key_parse(const struct key_def *k, void *section, const char *value,
               char *err, size_t errlen)
{
    switch (k->type) {
    case KT_TEXT:
        if (!text_ok(value))
            return fail(err, errlen, k, value, "UTF-8 text of at most 1000 bytes without control characters");
        if (!*value)
            return fail(err, errlen, k, value, "some text (leave the line out for none)");
        return str_set(FIELD(char *), value) ? true : fail(err, errlen, k, value, "less text (out of memory)");
    case KT_ISRC: {
        char norm[64];
        if (strlen(value) > 40 || !text_ok(value))
            return fail(err, errlen, k, value, "an ISRC like GBABC2600001");
        isrc_normalise(value, norm, sizeof norm);
        for (const char *c = norm; *c; c++)
            if (!isalnum((unsigned char)*c))
                return fail(err, errlen, k, value, "an ISRC like GBABC2600001");
        if (!*norm)
            return fail(err, errlen, k, value, "an ISRC like GBABC2600001");
        return str_set(FIELD(char *), norm);
    }
    case KT_UPC: {
        char digits[64];
        size_t n = 0;
        for (const char *c = value; *c; c++) {
            if (*c == ' ' || *c == '-')
                continue;
            if (!isdigit((unsigned char)*c) || n + 1 >= sizeof digits)
                return fail(err, errlen, k, value, "a UPC/EAN of 12 or 13 digits");
            digits[n++] = *c;
        }
        digits[n] = 0;
        if (n == 0)
            return fail(err, errlen, k, value, "a UPC/EAN of 12 or 13 digits");
        return str_set(FIELD(char *), digits);
    }
    case KT_TIME: {
        struct stime t;
        if (!parse_time(value, &t))
            return fail(err, errlen, k, value, "a time like 2s, 1.5s, 500ms, 1:23.4 or 88200smp");
        if (!t.in_samples && !range_ok(k, t.seconds)) {
            char range[80];
            format_range(k, UNIT_SECONDS, range, sizeof range);
            return fail(err, errlen, k, value, range);
        }
        *FIELD(struct stime) = t;
        set_flag(k, section, true);
        return true;
    }
    case KT_TIME_LIST: {
        struct track *t = section;
        struct stime v;
        if (!parse_time(value, &v))
            return fail(err, errlen, k, value, "a time from the track start like 1:23.4");
        if (!v.in_samples && !range_ok(k, v.seconds)) {
            char range[80];
            format_range(k, UNIT_SECONDS, range, sizeof range);
            return fail(err, errlen, k, value, range);
        }
        if (t->nindex >= SESSION_MAX_INDEXES)
            return fail(err, errlen, k, value, "at most 98 index marks (02 to 99)");
        t->index[t->nindex++] = v;
        return true;
    }
    case KT_TEXT_LIST: {
        struct track *t = section;
        if (!text_ok(value))
            return fail(err, errlen, k, value, "text without control characters");
        if (t->nnote >= SESSION_MAX_NOTES)
            return fail(err, errlen, k, value, "at most 64 notes per track");
        if (!(t->note[t->nnote] = strdup(value)))
            return fail(err, errlen, k, value, "less text (out of memory)");
        t->nnote++;
        return true;
    }
    case KT_GAIN:
        return parse_unit_value(k, section, value, UNIT_GAIN, err, errlen);
    case KT_LUFS:
        return parse_unit_value(k, section, value, UNIT_LUFS, err, errlen);
    case KT_DBTP:
        return parse_unit_value(k, section, value, UNIT_DBTP, err, errlen);
    case KT_RATE: {
        /* decimal digits, then Hz, kHz or nothing: strtod alone would take
         * 0x1F40 for 8000 */
        double v = 0;
        char *end = NULL;
        size_t digits = strspn(value, "0123456789.");
        bool plain = digits > 0 && digits <= 30 && value[digits] == 0 &&
                     isdigit((unsigned char)value[0]);
        if (plain)
            v = strtod(value, &end);
        if (plain ? *end != 0 : !isdigit((unsigned char)value[0]) ||
                                !param_parse_value(UNIT_HZ, NULL, value, &v))
            return fail(err, errlen, k, value, "a sample rate like 44100 or 48kHz");
        if (v != floor(v) || !range_ok(k, v))
            return fail(err, errlen, k, value, "a sample rate from 8000 to 768000");
        *FIELD(int) = (int)v;
        return true;
    }
    case KT_BITS:
        if (strcmp(value, "16") && strcmp(value, "24") && strcmp(value, "32"))
            return fail(err, errlen, k, value, "16, 24 or 32 (float)");
        *FIELD(int) = atoi(value);
        return true;
    case KT_INT: {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end || !isdigit((unsigned char)value[0]) || !range_ok(k, (double)v))
            return fail(err, errlen, k, value, "a whole number");
        *FIELD(int) = (int)v;
        return true;
    }
    case KT_CHOICE: {
        double v;
        if (!param_parse_value(UNIT_CHOICE, k->choices, value, &v)) {
            char list[160] = "";
            for (int c = 0; k->choices[c]; c++) {
                if (c)
                    strcat(list, k->choices[c + 1] ? ", " : " or ");
                strcat(list, k->choices[c]);
            }
            return fail(err, errlen, k, value, list);
        }
        *FIELD(int) = (int)v;
        set_flag(k, section, true);
        return true;
    }
    case KT_BOOL:
        if (strcmp(value, "yes") == 0)
            *FIELD(bool) = true;
        else if (strcmp(value, "no") == 0)
            *FIELD(bool) = false;
        else
            return fail(err, errlen, k, value, "yes or no");
        return true;
    case KT_FADE: {
        char perr[256];
        if (!proc_parse(FIELD(struct proc), PROC_FADE, value, perr, sizeof perr))
            return fail(err, errlen, k, value, "a length and an optional curve, like 2.5s or 3s log");
        return true;
    }
    }
    return false;
}

int key_count(const struct key_def *k, const void *section)
{
    switch (k->type) {
    case KT_TEXT: case KT_ISRC: case KT_UPC:
        return *CFIELD(char *) ? 1 : 0;
    case KT_TIME_LIST:
        return ((const struct track *)section)->nindex;
    case KT_TEXT_LIST:
        return ((const struct track *)section)->nnote;
    case KT_FADE:
        return CFIELD(struct proc)->count[FADE_LENGTH] ? 1 : 0;
    case KT_RATE: case KT_BITS: case KT_INT:
        return *CFIELD(int) != 0;   /* 0: not set */
    case KT_TIME:
        if (k->flag_offset == NO_FLAG) {
            const struct stime *t = CFIELD(struct stime);
            return t->in_samples || t->seconds != 0;
        }
        return get_flag(k, section) ? 1 : 0;
    default:
        return get_flag(k, section) ? 1 : 0;
    }
}

bool key_is_default(const struct key_def *k, const void *section)
{
    if (key_count(k, section) == 0)
        return true;
    switch (k->type) {
    case KT_TIME: {
        const struct stime *t = CFIELD(struct stime);
        return k->flag_offset == NO_FLAG && !t->in_samples && t->seconds == 0;
    }
    case KT_GAIN:
        return *CFIELD(double) == 0;
    case KT_LUFS:
        return *CFIELD(double) == SESSION_DEFAULT_TARGET;
    case KT_RATE: case KT_BITS: case KT_INT:
        return *CFIELD(int) == 0;
    case KT_CHOICE:
        return k->flag_offset == NO_FLAG && *CFIELD(int) == 0;
    case KT_BOOL:
        return !*CFIELD(bool);
    case KT_FADE:
        return CFIELD(struct proc)->count[FADE_LENGTH] == 0;
    default:
        return false;
    }
}

static void format_time(const struct stime *t, char *buf, size_t len)
{
    if (t->in_samples)
        snprintf(buf, len, "%lldsmp", (long long)t->samples);
    else
        param_format_value(UNIT_SECONDS, NULL, t->seconds, buf, len);
}

void key_format(const struct key_def *k, const void *section, int occurrence,
                char *buf, size_t len)
{
    switch (k->type) {
    case KT_TEXT: case KT_ISRC: case KT_UPC:
        snprintf(buf, len, "%s", *CFIELD(char *) ? *CFIELD(char *) : "");
        return;
    case KT_TIME:
        format_time(CFIELD(struct stime), buf, len);
        return;
    case KT_TIME_LIST:
        format_time(&((const struct track *)section)->index[occurrence], buf, len);
        return;
    case KT_TEXT_LIST:
        snprintf(buf, len, "%s", ((const struct track *)section)->note[occurrence]);
        return;
    case KT_GAIN:
        param_format_value(UNIT_GAIN, NULL, *CFIELD(double), buf, len);
        return;
    case KT_LUFS:
        param_format_value(UNIT_LUFS, NULL, *CFIELD(double), buf, len);
        return;
    case KT_DBTP:
        param_format_value(UNIT_DBTP, NULL, *CFIELD(double), buf, len);
        return;
    case KT_RATE: case KT_BITS: case KT_INT:
        snprintf(buf, len, "%d", *CFIELD(int));
        return;
    case KT_CHOICE:
        snprintf(buf, len, "%s", k->choices[*CFIELD(int)]);
        return;
    case KT_BOOL:
        snprintf(buf, len, "%s", *CFIELD(bool) ? "yes" : "no");
        return;
    case KT_FADE:
        buf[0] = 0;
        proc_format(CFIELD(struct proc), buf, len);
        return;
    }
}

void key_clear(const struct key_def *k, void *section)
{
    switch (k->type) {
    case KT_TEXT: case KT_ISRC: case KT_UPC:
        str_set(FIELD(char *), NULL);
        break;
    case KT_TIME:
        memset(FIELD(struct stime), 0, sizeof(struct stime));
        break;
    case KT_TIME_LIST:
        ((struct track *)section)->nindex = 0;
        break;
    case KT_TEXT_LIST: {
        struct track *t = section;
        for (int i = 0; i < t->nnote; i++)
            free(t->note[i]);
        t->nnote = 0;
        break;
    }
    case KT_GAIN: case KT_DBTP:
        *FIELD(double) = 0;
        break;
    case KT_LUFS:
        *FIELD(double) = SESSION_DEFAULT_TARGET;
        break;
    case KT_RATE: case KT_BITS: case KT_INT: case KT_CHOICE:
        *FIELD(int) = 0;
        break;
    case KT_BOOL:
        *FIELD(bool) = false;
        break;
    case KT_FADE:
        proc_init(FIELD(struct proc), PROC_FADE);
        break;
    }
    set_flag(k, section, false);
}
