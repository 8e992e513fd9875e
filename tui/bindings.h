/* SPDX-License-Identifier: MIT */
/* Key bindings: a table from keys to command lines. The defaults are data,
 * a config file can rebind (`bind KEY COMMAND`, `unbind KEY`), and the help
 * screen lists the same table. Keys are curses key codes; their names are
 * "j", "J", "C-r", "Up", "Tab", "Enter", "Space", "F1".. */
#ifndef LATHE_BINDINGS_H
#define LATHE_BINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#define BINDING_MAX_COMMAND 128
#define BINDINGS_MAX 128

struct binding {
    int key;
    char command[BINDING_MAX_COMMAND];
};

struct bindings {
    struct binding items[BINDINGS_MAX];
    int n;
};

/* Fills `b` with the default bindings. */
void bindings_defaults(struct bindings *b);
/* Binds `key` (a key name) to `command`, replacing any binding it had. */
bool bindings_bind(struct bindings *b, const char *key, const char *command,
                   char *err, size_t errlen);
bool bindings_unbind(struct bindings *b, const char *key, char *err, size_t errlen);
/* The command bound to a key code, or NULL. */
const char *bindings_lookup(const struct bindings *b, int key);
/* Reads a config file of `bind KEY COMMAND` and `unbind KEY` lines (# starts
 * a comment). A missing file is not an error. On error returns false with
 * `PATH:LINE: message` in err; the lines before it stay applied. */
bool bindings_load(struct bindings *b, const char *path, char *err, size_t errlen);

/* A key name as written in the config, or -1 when it names no key. */
int bindings_key_code(const char *name);
/* The name of a key code ("C-r"), into buf. */
void bindings_key_name(int key, char *buf, size_t len);

#endif
