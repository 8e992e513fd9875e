/* SPDX-License-Identifier: MIT */
/* The key tables of the session file: for every section, which keys it
 * takes, of what type, where the value lives in the model. The reader, the
 * writer and the `set` command all work from these tables. */
#ifndef LATHE_KEYS_H
#define LATHE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "session/model.h"

enum key_type {
    KT_TEXT,        /* char *, CD-Text and free text */
    KT_ISRC,        /* char *, normalised: upper case, no hyphens */
    KT_UPC,         /* char *, digits */
    KT_TIME,        /* struct stime */
    KT_GAIN,        /* double dB */
    KT_LUFS,        /* double LUFS */
    KT_DBTP,        /* double dBTP */
    KT_RATE,        /* int Hz */
    KT_BITS,        /* int */
    KT_INT,         /* int */
    KT_CHOICE,      /* int, index in choices */
    KT_BOOL,        /* bool */
    KT_FADE,        /* struct proc of PROC_FADE */
    KT_TIME_LIST,   /* the track's index marks */
    KT_TEXT_LIST,   /* the track's notes */
};

#define NO_FLAG ((size_t)-1)

struct key_def {
    const char *key;
    enum key_type type;
    size_t offset;          /* of the value in the section's struct */
    size_t flag_offset;     /* of a bool "was given", or NO_FLAG */
    const char *const *choices;
    double min, max;
    const char *help;
};

struct section_def {
    enum section_kind kind;
    const char *name;       /* "track" */
    const struct key_def *keys;
    int nkeys;
    bool has_chain;         /* takes processor lines */
    size_t layout_offset;
    size_t chain_offset;
};

const struct section_def *section_def_of(enum section_kind kind);
const struct section_def *section_def_find(const char *name);
int section_key_find(const struct section_def *d, const char *key);

/* Parses `value` into the key's field of `section`; a repeatable key gets
 * one more value. On error writes `key: "value" — expected ...` to err. */
bool key_parse(const struct key_def *k, void *section, const char *value,
               char *err, size_t errlen);
/* How many values the key holds: 0 when unset, n for lists. */
int key_count(const struct key_def *k, const void *section);
/* Whether a set value equals the default (so a new file leaves it out). */
bool key_is_default(const struct key_def *k, const void *section);
/* Formats value `occurrence` canonically. */
void key_format(const struct key_def *k, const void *section, int occurrence,
                char *buf, size_t len);
/* Clears the key (unset). */
void key_clear(const struct key_def *k, void *section);

/* A key name close to `key` among the section's keys, or NULL. */
const char *section_key_suggest(const struct section_def *d, const char *key);

/* Normalises an ISRC as typed (case, hyphens, spaces) into out[13]. */
void isrc_normalise(const char *in, char *out, size_t len);

#endif
