/* SPDX-License-Identifier: MIT */
/* Parameter tables: the single source of truth for every processor's settings.
 *
 * A processor line in a session (`eq = bell 3kHz -1.5dB q 1.2`) is parsed
 * against its kind's table into a `struct proc`; the writer formats it back
 * from the same table; later the console's panels and completion read it too.
 *
 * Syntax of a processor value: first the positional parameters in table
 * order (those with `positional` set), then `key value...` pairs in any order.
 * A parameter with `arity` > 1 (the multiband's per-band values) takes 1 to
 * `arity` values; a single value applies to every band.
 */
#ifndef LATHE_PARAMS_H
#define LATHE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

enum unit {
    UNIT_NONE,      /* plain number: q, ratio */
    UNIT_DB,        /* level: -16dB, 6dB */
    UNIT_GAIN,      /* boost or cut, always signed: +3dB, -1.5dB */
    UNIT_DBTP,      /* true-peak level: -1dBTP */
    UNIT_LUFS,      /* loudness: -14 LUFS */
    UNIT_HZ,        /* frequency: 90Hz, 3kHz (value stored in Hz) */
    UNIT_MS,        /* short time: 30ms, 1.2s (value stored in ms) */
    UNIT_SECONDS,   /* long time: 2.5s, 1:23.4, 500ms (value stored in s) */
    UNIT_PERCENT,   /* 120% */
    UNIT_SLOPE,     /* filter slope: 12dB (per octave) */
    UNIT_CHOICE,    /* one word of `choices`; stored as its index */
};

struct param_def {
    const char *key;        /* keyword in the session line, "q", "attack" */
    const char *label;      /* for panels: "Q", "Attack" */
    enum unit unit;
    double min, max, def, step;
    const char *const *choices;  /* UNIT_CHOICE: NULL-terminated words */
    bool positional;        /* may be given without its keyword, in order */
    bool optional;          /* a positional that may be left out */
    int arity;              /* values it takes: 1, or up to PARAM_MAX_ARITY */
    const char *help;
};

enum proc_kind {
    PROC_EQ,
    PROC_COMP,
    PROC_MULTIBAND,
    PROC_WIDTH,
    PROC_LIMIT,
    PROC_GAIN,
    PROC_FADE,
    PROC_KIND_COUNT
};

#define PROC_MAX_PARAMS 16
#define PARAM_MAX_ARITY 4

struct proc_def {
    enum proc_kind kind;
    const char *key;        /* session key: "eq", "comp", ... */
    const char *label;
    const struct param_def *params;
    int nparams;
    bool in_chain;          /* may appear in a track or master chain */
};

/* One processor's settings. `count[i]` is how many values parameter i was
 * given (0: not given, its default applies). Values are in the table's unit
 * (Hz, ms, dB, ...), choices as their index. */
struct proc {
    enum proc_kind kind;
    double value[PROC_MAX_PARAMS][PARAM_MAX_ARITY];
    unsigned char count[PROC_MAX_PARAMS];
};

/* Parameter indices, so that code reads `proc_get(p, EQ_FREQ)`. They must
 * follow the order of the tables in params.c. */
enum { EQ_TYPE, EQ_FREQ, EQ_GAIN, EQ_Q, EQ_SLOPE };
enum eq_type { EQ_BELL, EQ_LOWSHELF, EQ_HIGHSHELF, EQ_HIGHPASS, EQ_LOWPASS };

enum { COMP_THRESHOLD, COMP_RATIO, COMP_ATTACK, COMP_RELEASE, COMP_KNEE,
       COMP_MAKEUP, COMP_SIDECHAIN_HP, COMP_MIX, COMP_DETECTOR, COMP_LINK };
enum comp_detector { DETECT_PEAK, DETECT_RMS };
enum comp_link { LINK_STEREO, LINK_MIDSIDE };

/* Per-band parameters take one value per band; `xover` has bands-1 values. */
enum { MB_XOVER, MB_THRESHOLD, MB_RATIO, MB_ATTACK, MB_RELEASE, MB_KNEE,
       MB_MAKEUP };

enum { WIDTH_AMOUNT, WIDTH_MONO_BELOW };

enum { LIMIT_CEILING, LIMIT_RELEASE, LIMIT_LOOKAHEAD };

enum { GAIN_LEVEL };

enum { FADE_LENGTH, FADE_CURVE };
enum fade_curve { FADE_LINEAR, FADE_SINE, FADE_LOG };

const struct proc_def *proc_def_of(enum proc_kind kind);
/* The processor kind whose session key is `key`, or NULL. */
const struct proc_def *proc_def_find(const char *key);

/* A processor with every parameter at its default. */
void proc_init(struct proc *p, enum proc_kind kind);

/* The value of parameter `i` (band 0), or its default when not given. */
double proc_get(const struct proc *p, int i);
/* The value for band `band` of a per-band parameter: the band's own value,
 * else the last value given, else the default. */
double proc_get_band(const struct proc *p, int i, int band);
/* Sets parameter `i` to one value. */
void proc_set(struct proc *p, int i, double v);
/* Number of bands of a multiband (xover values + 1). */
int proc_bands(const struct proc *p);

/* Parses the value part of a processor line. On error returns false and
 * writes a message of the form `gain: "3 db" — expected a level like +3dB`
 * (without file and line) into err. */
bool proc_parse(struct proc *p, enum proc_kind kind, const char *text,
                char *err, size_t errlen);
/* Formats `p` canonically ("bell 3kHz -1.5dB q 1.2"). Returns the length
 * that would have been written, like snprintf. */
int proc_format(const struct proc *p, char *buf, size_t len);

/* Letters to change, add or drop to turn a into b, ignoring case (99 past
 * 30 letters): how near a typo is to a name, for "did you mean". */
int param_edit_distance(const char *a, const char *b);

/* Parses one value in `unit` ("3kHz", "-1.5dB", "30ms", "1:23.4"). `choices`
 * is used for UNIT_CHOICE. Returns false if `text` is not such a value. */
bool param_parse_value(enum unit unit, const char *const *choices,
                       const char *text, double *out);
/* Formats one value canonically in `unit`. */
int param_format_value(enum unit unit, const char *const *choices, double v,
                       char *buf, size_t len);
/* An example of a valid value, for messages: "a level like +3dB". */
const char *param_unit_example(enum unit unit);

#endif
