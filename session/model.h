/* SPDX-License-Identifier: MIT */
/* The album model: what a session file says, as C data.
 *
 * Every section keeps a `layout`: the lines it was read from (comments,
 * blank lines, each key's raw text), so that saving writes unchanged lines
 * back byte for byte and only rewrites what an edit touched.
 */
#ifndef LATHE_MODEL_H
#define LATHE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "session/params.h"
#include "session/sessguard.h"
#include "session/regfile.h"

#define SESSION_VERSION 1
#define SESSION_MAX_TRACKS 999       /* more than a CD holds; check says 99 */
#define SESSION_MAX_INDEXES 98       /* index 02..99 */
#define SESSION_MAX_NOTES 64

/* A time in a session: seconds, or an exact count of samples at the
 * session rate when written with `smp`. */
struct stime {
    double seconds;
    int64_t samples;
    bool in_samples;
};

int64_t stime_samples(struct stime t, int rate);

enum layout_item_kind { ITEM_TEXT, ITEM_KEY, ITEM_PROC };

/* One line of a section as it was read. */
struct layout_item {
    enum layout_item_kind kind;
    char *raw;          /* the line as read, without its line end */
    int key;            /* ITEM_KEY: index in the section's key table */
    int occurrence;     /* ITEM_KEY: which value of a repeatable key */
    char *canon;        /* ITEM_KEY/PROC: canonical value when read */
    char *comment;      /* inline comment as read (" # ..."), or NULL */
};

struct layout {
    bool loaded;                /* read from a file (else: new, write canonically) */
    char *header_raw;           /* the [section] line as read */
    struct layout_item *lead;   /* comment and blank lines before the header */
    int nlead;
    struct layout_item *items;  /* lines after the header */
    int nitems;
};

struct chain_settings {
    struct proc *procs;
    int n;
    bool bypass;
};

struct cdtext {
    char *title, *performer, *songwriter, *composer, *arranger, *message;
};

enum leveling { LEVEL_ALBUM, LEVEL_TRACK, LEVEL_OFF };
/* The sample-rate converter (`resampler =`): soxr VHQ unless chosen. */
enum resampler_choice { RESAMPLER_SOXR, RESAMPLER_LIBSAMPLERATE };

struct album {
    struct layout layout;
    struct cdtext text;
    char *genre;
    char *upc;
    int rate;               /* session rate; 0: the rate most mixes have */
    double target;          /* LUFS */
    enum leveling leveling;
    enum resampler_choice resampler;    /* every conversion, unless an output sets its own */
    int revision;           /* client reference version, bumped by renders */
};

/* What the audio layer found in a mix file (not saved). */
struct mix_info {
    bool probed;
    bool ok;
    int rate, channels, bits;
    int64_t frames;
    char format[48];
    char error[512];
    struct file_stamp stamp;    /* the version read: a render checks it is still there */
};

struct track {
    struct layout layout;
    char *file;
    struct cdtext text;
    char *isrc;
    struct stime gap, crossfade, trim_in, trim_out;
    bool has_gap;           /* gap given; else the default applies */
    struct proc fade_in, fade_out;  /* PROC_FADE */
    double gain;            /* dB */
    bool copy, emphasis;
    struct stime index[SESSION_MAX_INDEXES];    /* index 02.. from track start */
    int nindex;
    char *note[SESSION_MAX_NOTES];
    int nnote;
    struct chain_settings chain;
    struct mix_info mix;
};

struct reference {
    struct layout layout;
    char *file;
    char *name;
    struct mix_info mix;
};

enum output_format { OUT_DDP, OUT_CUE, OUT_TOC, OUT_WAV, OUT_FLAC, OUT_AIFF,
                     OUT_MP3, OUT_OGG, OUT_REVIEW };
/* The lossy format of a review package's sound files. */
enum lossy_choice { LOSSY_MP3, LOSSY_OGG };
enum dither_choice { DITHER_CHOICE_OFF, DITHER_CHOICE_TPDF, DITHER_CHOICE_SHAPED };

struct output {
    struct layout layout;
    char *name;             /* from [output NAME] */
    enum output_format format;
    bool has_format;
    int rate;               /* 0: session rate */
    int bits;               /* 0: the format's default */
    enum dither_choice dither;
    bool has_dither;
    double ceiling;         /* dBTP */
    bool has_ceiling;
    char *name_template;
    bool album;             /* one continuous file */
    enum lossy_choice lossy;    /* format = review: its files' format */
    enum resampler_choice resampler;    /* this output's converter, if has_resampler */
    bool has_resampler;
};

/* The [lathe] and [master] sections. */
struct lathe_section {
    struct layout layout;
    int version;
};

struct master {
    struct layout layout;
    double gain;            /* dB before the chain: album leveling moves it */
    struct chain_settings chain;
};

struct session {
    char *path;             /* where it was read from or is saved to */
    /* The file at `path` as it was read or last saved: a save checks the
     * file on disk is still this one, so it never replaces another
     * writer's edits. */
    struct session_disk disk;
    /* Held by a writer for its whole read-modify-write (lathe do), so that
     * session_save does not take it again; NULL otherwise. Freed with the
     * session. */
    struct session_lock *lock;
    struct lathe_section lathe;
    bool has_lathe;
    struct album album;
    bool has_album;
    struct master master;
    bool has_master;
    struct track *tracks;
    int ntracks;
    struct reference *refs;
    int nrefs;
    struct output *outputs;
    int noutputs;
    /* The order sections appear in, so a hand-written file keeps it:
     * entries are SECTION_* kinds; tracks, refs, outputs in their order. */
    int *order;
    int norder;
    /* Lines after the last section (a footer). */
    struct layout_item *tail;
    int ntail;
};

enum section_kind { SECTION_LATHE, SECTION_ALBUM, SECTION_MASTER, SECTION_TRACK,
                    SECTION_REFERENCE, SECTION_OUTPUT };

struct session *session_new(void);
void session_free(struct session *s);

/* Default gap before tracks 2..N, in seconds. */
#define SESSION_DEFAULT_GAP 2.0
#define SESSION_DEFAULT_TARGET -14.0

/* The rate the chains run at: the album's rate, else the rate most mixes
 * have, else 48000. */
int session_rate(const struct session *s);
/* The gap of track i (index from 0), with defaults applied. */
struct stime session_track_gap(const struct session *s, int i);

/* Adds an empty track at position `at` (0..ntracks); returns it or NULL. */
struct track *session_insert_track(struct session *s, int at);
void session_remove_track(struct session *s, int at);
/* Moves the track at `from` to position `to`. */
void session_move_track(struct session *s, int from, int to);
struct output *session_add_output(struct session *s, const char *name);
struct output *session_find_output(const struct session *s, const char *name);
/* "no [output NAME] in the session (it has cd, stream)" into msg, for a
 * name that session_find_output did not find. */
void session_no_output(const struct session *s, const char *name, char *msg, size_t len);
struct reference *session_add_reference(struct session *s);
/* The reference `what` names: its number from 1, its name or its file;
 * -1 when none does. */
int session_find_reference(const struct session *s, const char *what);

/* Chain editing. */
bool chain_settings_insert(struct chain_settings *c, int at, const struct proc *p);
void chain_settings_remove(struct chain_settings *c, int at);

/* Replaces *dst with a copy of src (NULL frees). Returns false when out of memory. */
bool str_set(char **dst, const char *src);

#endif
