/* SPDX-License-Identifier: MIT */
/* The parameter tables of every processor kind, and parsing and formatting
 * of processor values and of single values with units. */
#include "session/params.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const eq_types[] = {
    "bell", "lowshelf", "highshelf", "highpass", "lowpass", NULL };
static const char *const detectors[] = { "peak", "rms", NULL };
static const char *const links[] = { "stereo", "midside", NULL };
static const char *const curves[] = { "linear", "sine", "log", NULL };

/* Fields: key label unit min max def step choices positional optional arity help */
static const struct param_def eq_params[] = {
    { "type", "Type", UNIT_CHOICE, 0, 4, EQ_BELL, 1, eq_types, true, false, 1,
      "bell, lowshelf, highshelf, highpass or lowpass" },
    { "freq", "Freq", UNIT_HZ, 10, 30000, 1000, 0, NULL, true, false, 1,
      "centre or corner frequency" },
    { "gain", "Gain", UNIT_GAIN, -24, 24, 0, 0.1, NULL, true, true, 1,
      "boost or cut (bell and shelves)" },
    { "q", "Q", UNIT_NONE, 0.1, 20, 0.7071, 0.05, NULL, false, false, 1,
      "bandwidth of a bell, steepness of a shelf or a 12dB filter" },
    { "slope", "Slope", UNIT_SLOPE, 6, 48, 12, 6, NULL, false, false, 1,
      "highpass/lowpass slope per octave: 6, 12, 18, 24, 36 or 48dB" },
};

static const struct param_def comp_params[] = {
    { "threshold", "Threshold", UNIT_DB, -60, 0, -18, 0.5, NULL, false, false, 1, NULL },
    { "ratio", "Ratio", UNIT_NONE, 1, 100, 2, 0.1, NULL, false, false, 1, "x:1" },
    { "attack", "Attack", UNIT_MS, 0.01, 500, 10, 0.5, NULL, false, false, 1, NULL },
    { "release", "Release", UNIT_MS, 1, 5000, 100, 5, NULL, false, false, 1, NULL },
    { "knee", "Knee", UNIT_DB, 0, 24, 6, 0.5, NULL, false, false, 1, "soft-knee width" },
    { "makeup", "Makeup", UNIT_GAIN, -24, 24, 0, 0.1, NULL, false, false, 1, NULL },
    { "sidechain-hp", "SC HP", UNIT_HZ, 0, 1000, 0, 5, NULL, false, false, 1,
      "high-pass in the detector, 0Hz for off" },
    { "mix", "Mix", UNIT_PERCENT, 0, 100, 100, 1, NULL, false, false, 1, "dry/wet" },
    { "detector", "Detector", UNIT_CHOICE, 0, 1, DETECT_PEAK, 1, detectors, false, false, 1,
      "peak or rms" },
    { "link", "Link", UNIT_CHOICE, 0, 1, LINK_STEREO, 1, links, false, false, 1,
      "stereo (linked) or midside" },
};

static const struct param_def multiband_params[] = {
    { "xover", "Crossover", UNIT_HZ, 20, 20000, 120, 10, NULL, false, false, 3,
      "1 to 3 crossover frequencies, rising: 2 to 4 bands (none: 120Hz 2.5kHz)" },
    { "threshold", "Threshold", UNIT_DB, -60, 0, -18, 0.5, NULL, false, false, 4, NULL },
    { "ratio", "Ratio", UNIT_NONE, 1, 100, 2, 0.1, NULL, false, false, 4, NULL },
    { "attack", "Attack", UNIT_MS, 0.01, 500, 10, 0.5, NULL, false, false, 4, NULL },
    { "release", "Release", UNIT_MS, 1, 5000, 150, 5, NULL, false, false, 4, NULL },
    { "knee", "Knee", UNIT_DB, 0, 24, 6, 0.5, NULL, false, false, 4, NULL },
    { "makeup", "Makeup", UNIT_GAIN, -24, 24, 0, 0.1, NULL, false, false, 4, NULL },
};

static const struct param_def width_params[] = {
    { "amount", "Width", UNIT_PERCENT, 0, 200, 100, 5, NULL, true, false, 1,
      "0% mono, 100% unchanged, 200% twice the side" },
    { "mono-below", "Mono below", UNIT_HZ, 0, 500, 0, 5, NULL, false, false, 1,
      "bass in mono below this frequency, 0Hz for off" },
};

static const struct param_def limit_params[] = {
    { "ceiling", "Ceiling", UNIT_DBTP, -20, 0, -1, 0.1, NULL, false, false, 1,
      "highest true peak out" },
    { "release", "Release", UNIT_MS, 1, 2000, 60, 5, NULL, false, false, 1, NULL },
    { "lookahead", "Lookahead", UNIT_MS, 0.5, 10, 2, 0.5, NULL, false, false, 1, NULL },
};

static const struct param_def gain_params[] = {
    { "level", "Gain", UNIT_GAIN, -60, 24, 0, 0.1, NULL, true, false, 1, NULL },
};

static const struct param_def fade_params[] = {
    { "length", "Length", UNIT_SECONDS, 0, 600, 0, 0.1, NULL, true, false, 1, NULL },
    { "curve", "Curve", UNIT_CHOICE, 0, 2, FADE_SINE, 1, curves, true, true, 1,
      "linear, sine (equal power) or log" },
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct proc_def defs[PROC_KIND_COUNT] = {
    [PROC_EQ] = { PROC_EQ, "eq", "EQ", eq_params, N(eq_params), true },
    [PROC_COMP] = { PROC_COMP, "comp", "Compressor", comp_params, N(comp_params), true },
    [PROC_MULTIBAND] = { PROC_MULTIBAND, "multiband", "Multiband", multiband_params,
                         N(multiband_params), true },
    [PROC_WIDTH] = { PROC_WIDTH, "width", "Width", width_params, N(width_params), true },
    [PROC_LIMIT] = { PROC_LIMIT, "limit", "Limiter", limit_params, N(limit_params), true },
    [PROC_GAIN] = { PROC_GAIN, "gain", "Gain", gain_params, N(gain_params), false },
    [PROC_FADE] = { PROC_FADE, "fade", "Fade", fade_params, N(fade_params), false },
};

const struct proc_def *proc_def_of(enum proc_kind kind)
{
    if ((int)kind < 0 || kind >= PROC_KIND_COUNT)
        return NULL;
    return &defs[kind];
}

const struct proc_def *proc_def_find(const char *key)
{
    for (int k = 0; k < PROC_KIND_COUNT; k++)
        if (defs[k].in_chain && strcmp(defs[k].key, key) == 0)
            return &defs[k];
    return NULL;
}

void proc_init(struct proc *p, enum proc_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    const struct proc_def *d = proc_def_of(kind);
    for (int i = 0; i < d->nparams; i++)
        for (int b = 0; b < PARAM_MAX_ARITY; b++)
            p->value[i][b] = d->params[i].def;
}

double proc_get(const struct proc *p, int i)
{
    return proc_get_band(p, i, 0);
}

double proc_get_band(const struct proc *p, int i, int band)
{
    int n = p->count[i];
    if (n == 0)
        return proc_def_of(p->kind)->params[i].def;
    if (band >= n)
        band = n - 1;
    return p->value[i][band];
}

void proc_set(struct proc *p, int i, double v)
{
    p->value[i][0] = v;
    p->count[i] = 1;
}

int proc_bands(const struct proc *p)
{
    if (p->kind != PROC_MULTIBAND)
        return 1;
    return p->count[MB_XOVER] ? p->count[MB_XOVER] + 1 : 3;  /* 120Hz 2.5kHz: multiband.c */
}

/* ---- single values ---- */

/* Reads a decimal number at the start of s; returns the rest, or NULL. */
static const char *read_number(const char *s, double *out)
{
    char *end;
    if (!(isdigit((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.'))
        return NULL;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return NULL;
    /* strtod takes hex, inf and nan; a session wants plain decimals only */
    for (const char *c = s; c < end; c++)
        if (!(isdigit((unsigned char)*c) || strchr("+-.eE", *c)))
            return NULL;
    *out = v;
    return end;
}

/* Matches an optional single space then exactly `unit` to the end. */
static bool unit_is(const char *rest, const char *unit)
{
    if (*rest == ' ')
        rest++;
    return strcmp(rest, unit) == 0;
}

static bool parse_clock(const char *s, double *out)
{
    /* m:ss.fff, minutes any size, seconds below 60 */
    char *end;
    if (!isdigit((unsigned char)*s))
        return false;
    long m = strtol(s, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]) || !isdigit((unsigned char)end[2]))
        return false;
    double sec;
    const char *rest = read_number(end + 1, &sec);
    if (!rest || *rest || sec >= 60 || sec < 0)
        return false;
    *out = m * 60.0 + sec;
    return true;
}

bool param_parse_value(enum unit unit, const char *const *choices,
                       const char *text, double *out)
{
    double v;
    const char *rest;
    if (unit == UNIT_CHOICE) {
        for (int i = 0; choices && choices[i]; i++)
            if (strcmp(choices[i], text) == 0) {
                *out = i;
                return true;
            }
        return false;
    }
    if (unit == UNIT_SECONDS && strchr(text, ':'))
        return parse_clock(text, out);
    rest = read_number(text, &v);
    if (!rest)
        return false;
    switch (unit) {
    case UNIT_NONE:
        if (*rest == 0 || strcmp(rest, ":1") == 0)
            break;
        return false;
    case UNIT_DB:
    case UNIT_GAIN:
        if (!unit_is(rest, "dB"))
            return false;
        break;
    case UNIT_DBTP:
        if (!unit_is(rest, "dBTP"))
            return false;
        break;
    case UNIT_LUFS:
        if (!unit_is(rest, "LUFS"))
            return false;
        break;
    case UNIT_HZ:
        if (unit_is(rest, "kHz"))
            v *= 1000;
        else if (!unit_is(rest, "Hz"))
            return false;
        break;
    case UNIT_MS:
        if (unit_is(rest, "s"))
            v *= 1000;
        else if (!unit_is(rest, "ms"))
            return false;
        break;
    case UNIT_SECONDS:
        if (unit_is(rest, "ms"))
            v /= 1000;
        else if (!unit_is(rest, "s"))
            return false;
        break;
    case UNIT_PERCENT:
        if (!unit_is(rest, "%"))
            return false;
        break;
    case UNIT_SLOPE:
        if (!unit_is(rest, "dB") && !unit_is(rest, "dB/oct"))
            return false;
        break;
    case UNIT_CHOICE:
        return false;
    }
    if (!isfinite(v))       /* 1e308kHz: finite as typed, not once scaled */
        return false;
    *out = v;
    return true;
}

/* Shortest of up to 6 decimals that still reads back as the same value. */
static void format_plain(double v, char *buf, size_t len)
{
    if (v == 0)
        v = 0; /* no "-0" */
    snprintf(buf, len, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = 0;
        if (e == dot)
            *e = 0;
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

int param_format_value(enum unit unit, const char *const *choices, double v,
                       char *buf, size_t len)
{
    char num[64];
    switch (unit) {
    case UNIT_CHOICE: {
        int i = (int)v;
        return snprintf(buf, len, "%s", choices && i >= 0 ? choices[i] : "?");
    }
    case UNIT_DB:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%sdB", num);
    case UNIT_GAIN:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%s%sdB", num[0] != '-' ? "+" : "", num);
    case UNIT_DBTP:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%sdBTP", num);
    case UNIT_LUFS:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%s LUFS", num);
    case UNIT_HZ:
        if (v >= 1000) {
            format_plain(v / 1000, num, sizeof num);
            return snprintf(buf, len, "%skHz", num);
        }
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%sHz", num);
    case UNIT_MS:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%sms", num);
    case UNIT_SECONDS:
        v = round(v * 1e6) / 1e6;   /* 119.9999999 is 2:00, never 1:60 */
        if (v >= 60) {
            long m = (long)(v / 60);
            double s = v - m * 60.0;
            format_plain(s, num, sizeof num);
            return snprintf(buf, len, "%ld:%s%s", m, s < 10 ? "0" : "", num);
        }
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%ss", num);
    case UNIT_PERCENT:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%s%%", num);
    case UNIT_SLOPE:
        format_plain(v, num, sizeof num);
        return snprintf(buf, len, "%sdB", num);
    case UNIT_NONE:
        break;
    }
    format_plain(v, num, sizeof num);
    return snprintf(buf, len, "%s", num);
}

const char *param_unit_example(enum unit unit)
{
    switch (unit) {
    case UNIT_NONE: return "a number like 1.5";
    case UNIT_DB: return "a level like -16dB";
    case UNIT_GAIN: return "a level like +3dB";
    case UNIT_DBTP: return "a true-peak level like -1dBTP";
    case UNIT_LUFS: return "a loudness like -14 LUFS";
    case UNIT_HZ: return "a frequency like 120Hz or 3kHz";
    case UNIT_MS: return "a time like 30ms";
    case UNIT_SECONDS: return "a time like 2.5s or 1:23.4";
    case UNIT_PERCENT: return "a percentage like 120%";
    case UNIT_SLOPE: return "a slope like 24dB";
    case UNIT_CHOICE: return "one of the listed words";
    }
    return "a value";
}

/* ---- processor lines ---- */

#define MAX_WORDS 48

static int split_words(char *s, char **words)
{
    int n = 0;
    for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) {
        if (n == MAX_WORDS)
            return -1;
        words[n++] = t;
    }
    return n;
}

int param_edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 30 || lb > 30)
        return 99;
    int d[31][31];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static int find_param(const struct proc_def *d, const char *key)
{
    for (int i = 0; i < d->nparams; i++)
        if (strcmp(d->params[i].key, key) == 0)
            return i;
    return -1;
}

/* Joins "3 db" style pairs: a number followed by a word that is a unit. */
static bool is_unit_word(const char *w)
{
    static const char *const units[] = { "dB", "dBTP", "LUFS", "Hz", "kHz", "ms",
                                         "s", "%", "db", "DB", "hz", "khz", NULL };
    for (int i = 0; units[i]; i++)
        if (strcmp(units[i], w) == 0)
            return true;
    return false;
}

static bool check_value(const struct proc_def *d, int i, const char *word,
                        double *v, char *err, size_t errlen)
{
    const struct param_def *pd = &d->params[i];
    if (!param_parse_value(pd->unit, pd->choices, word, v)) {
        if (pd->unit == UNIT_CHOICE) {
            char list[160] = "";
            for (int c = 0; pd->choices[c]; c++) {
                if (c)
                    strncat(list, pd->choices[c + 1] ? ", " : " or ", sizeof list - strlen(list) - 1);
                strncat(list, pd->choices[c], sizeof list - strlen(list) - 1);
            }
            snprintf(err, errlen, "%s %s: \"%s\" — expected %s", d->key, pd->key, word, list);
        } else {
            snprintf(err, errlen, "%s %s: \"%s\" — expected %s", d->key, pd->key, word,
                     param_unit_example(pd->unit));
        }
        return false;
    }
    if (*v < pd->min || *v > pd->max) {
        char lo[32], hi[32];
        param_format_value(pd->unit, pd->choices, pd->min, lo, sizeof lo);
        param_format_value(pd->unit, pd->choices, pd->max, hi, sizeof hi);
        snprintf(err, errlen, "%s %s: \"%s\" — expected %s to %s", d->key, pd->key, word, lo, hi);
        return false;
    }
    if (pd->unit == UNIT_SLOPE) {
        static const int ok[] = { 6, 12, 18, 24, 36, 48 };
        bool found = false;
        for (int k = 0; k < 6; k++)
            found |= *v == ok[k];
        if (!found) {
            snprintf(err, errlen, "%s %s: \"%s\" — expected 6, 12, 18, 24, 36 or 48dB",
                     d->key, pd->key, word);
            return false;
        }
    }
    return true;
}

bool proc_parse(struct proc *p, enum proc_kind kind, const char *text,
                char *err, size_t errlen)
{
    const struct proc_def *d = proc_def_of(kind);
    char buf[1024];
    char *raw[MAX_WORDS], *words[MAX_WORDS];
    char joined[MAX_WORDS][64];
    proc_init(p, kind);
    if (strlen(text) >= sizeof buf) {
        snprintf(err, errlen, "%s: value too long", d->key);
        return false;
    }
    strcpy(buf, text);
    int nraw = split_words(buf, raw);
    if (nraw < 0) {
        snprintf(err, errlen, "%s: too many words", d->key);
        return false;
    }
    /* "3 dB" is one value written with a space */
    int n = 0;
    for (int i = 0; i < nraw; i++) {
        if (i + 1 < nraw && is_unit_word(raw[i + 1]) && (isdigit((unsigned char)raw[i][0]) ||
            ((raw[i][0] == '-' || raw[i][0] == '+' || raw[i][0] == '.') && raw[i][1]))) {
            snprintf(joined[n], sizeof joined[n], "%s %s", raw[i], raw[i + 1]);
            words[n] = joined[n];
            n++;
            i++;
        } else {
            words[n++] = raw[i];
        }
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: empty — expected settings like \"%s\"", d->key,
                 kind == PROC_EQ ? "bell 3kHz -1dB q 1" :
                 kind == PROC_COMP ? "threshold -16dB ratio 2" :
                 kind == PROC_LIMIT ? "ceiling -1dBTP" :
                 kind == PROC_WIDTH ? "110%" : "...");
        return false;
    }
    int w = 0;
    /* positionals, in table order */
    for (int i = 0; i < d->nparams && w < n; i++) {
        const struct param_def *pd = &d->params[i];
        if (!pd->positional)
            break;
        if (find_param(d, words[w]) >= 0 && find_param(d, words[w]) != i &&
            !(pd->unit == UNIT_CHOICE))
            break; /* a keyword: positionals are over */
        double v;
        if (!param_parse_value(pd->unit, pd->choices, words[w], &v)) {
            if (pd->optional && !isdigit((unsigned char)words[w][0]) &&
                !strchr("+-.", words[w][0]))
                continue;
            return check_value(d, i, words[w], &v, err, errlen);
        }
        if (!check_value(d, i, words[w], &v, err, errlen))
            return false;
        p->value[i][0] = v;
        p->count[i] = 1;
        w++;
    }
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i].positional && !d->params[i].optional && !p->count[i]) {
            snprintf(err, errlen, "%s: missing %s — expected %s", d->key, d->params[i].key,
                     param_unit_example(d->params[i].unit));
            return false;
        }
    /* keyword pairs */
    while (w < n) {
        int i = find_param(d, words[w]);
        if (i < 0) {
            int best = -1, best_d = 3;     /* a typo is a letter or two off */
            for (int k = 0; k < d->nparams; k++) {
                int dist = param_edit_distance(words[w], d->params[k].key);
                if (dist < best_d)
                    best_d = dist, best = k;
            }
            if (best >= 0)
                snprintf(err, errlen, "%s: unknown setting \"%s\" — did you mean \"%s\"?",
                         d->key, words[w], d->params[best].key);
            else
                snprintf(err, errlen, "%s: unknown setting \"%s\"", d->key, words[w]);
            return false;
        }
        if (p->count[i]) {
            snprintf(err, errlen, "%s: %s given twice", d->key, d->params[i].key);
            return false;
        }
        w++;
        int got = 0;
        while (w < n && got < d->params[i].arity && find_param(d, words[w]) < 0) {
            double v;
            if (!check_value(d, i, words[w], &v, err, errlen))
                return false;
            p->value[i][got++] = v;
            w++;
        }
        if (got == 0) {
            snprintf(err, errlen, "%s %s: missing value — expected %s", d->key,
                     d->params[i].key, param_unit_example(d->params[i].unit));
            return false;
        }
        p->count[i] = (unsigned char)got;
    }
    if (kind == PROC_MULTIBAND) {
        int bands = proc_bands(p);
        for (int k = 1; k < p->count[MB_XOVER]; k++)
            if (p->value[MB_XOVER][k] <= p->value[MB_XOVER][k - 1]) {
                snprintf(err, errlen, "multiband xover: frequencies must rise");
                return false;
            }
        for (int i = 1; i < d->nparams; i++)
            if (p->count[i] > 1 && p->count[i] != bands) {
                snprintf(err, errlen, "multiband %s: %d values for %d bands — give one or %d",
                         d->params[i].key, p->count[i], bands, bands);
                return false;
            }
    }
    return true;
}

int proc_format(const struct proc *p, char *buf, size_t len)
{
    const struct proc_def *d = proc_def_of(p->kind);
    size_t used = 0;
    int total = 0;
    int last_pos = -1;
    if (len)
        buf[0] = 0;             /* a processor with nothing set is "" */
    for (int i = 0; i < d->nparams; i++)
        if (d->params[i].positional && p->count[i])
            last_pos = i;
    for (int i = 0; i < d->nparams; i++) {
        const struct param_def *pd = &d->params[i];
        bool positional = pd->positional && i <= last_pos;
        if (!positional && !p->count[i])
            continue;
        char one[64];
        int cnt = p->count[i] ? p->count[i] : 1;
        if (!positional) {
            int k = snprintf(buf + used, used < len ? len - used : 0, "%s%s",
                             total ? " " : "", pd->key);
            total += k;
            used = (size_t)total;
        }
        for (int b = 0; b < cnt; b++) {
            double v = p->count[i] ? p->value[i][b] : pd->def;
            param_format_value(pd->unit, pd->choices, v, one, sizeof one);
            int k = snprintf(buf + used, used < len ? len - used : 0, "%s%s",
                             total ? " " : "", one);
            total += k;
            used = (size_t)total;
        }
    }
    return total;
}
