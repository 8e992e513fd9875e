/* SPDX-License-Identifier: MIT */
/* The key binding table and its config file. The default keys follow vi
 * and the common music players (DESIGN §6); every key runs a command line,
 * the same a user could type at the `:` prompt. */
#include "tui/bindings.h"

#include "session/regfile.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *key, *command; } defaults[] = {
    { "j", "down" },
    { "Down", "down" },
    { "k", "up" },
    { "Up", "up" },
    { "J", "move down" },
    { "K", "move up" },
    { "[", "gap-by -0.5s" },
    { "]", "gap-by +0.5s" },
    { "+", "gain-by +0.5dB" },
    { "=", "gain-by +0.5dB" },
    { "-", "gain-by -0.5dB" },
    { "Enter", "play" },
    { "Space", "pause" },
    { "Left", "seek -5s" },
    { "Right", "seek +5s" },
    { "n", "next" },
    { "p", "previous" },
    { "l", "loop" },
    { "a", "audition" },
    { "S", "stop" },
    { "Tab", "panel next" },
    { "BTab", "panel previous" },
    { "e", "edit" },
    { "b", "bypass" },
    { "o", "output next" },
    { "x", "ab" },
    { "P", "platform next" },
    { "L", "level" },
    { "R", "render" },
    { "u", "undo" },
    { "C-r", "redo" },
    { "s", "save" },
    { ":", "prompt" },
    { "?", "keys" },
    { "C-l", "redraw" },
    { "q", "quit" },
};

static const struct { const char *name; int code; } named[] = {
    { "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
    { "Home", KEY_HOME }, { "End", KEY_END }, { "PageUp", KEY_PPAGE },
    { "PageDown", KEY_NPAGE }, { "Insert", KEY_IC }, { "Delete", KEY_DC },
    { "Backspace", KEY_BACKSPACE }, { "BTab", KEY_BTAB },
    { "Tab", '\t' }, { "Enter", '\n' }, { "Space", ' ' }, { "Escape", 27 },
};

int bindings_key_code(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i].name) == 0)
            return named[i].code;
    if ((name[0] == 'C' && name[1] == '-') || name[0] == '^') {
        const char *c = name + (name[0] == '^' ? 1 : 2);
        if (c[0] && !c[1] && isalpha((unsigned char)c[0]))
            return tolower((unsigned char)c[0]) - 'a' + 1;
        return -1;
    }
    if (name[0] == 'F' && isdigit((unsigned char)name[1])) {
        int n = 0;
        for (const char *c = name + 1; *c; c++) {
            if (!isdigit((unsigned char)*c))
                return -1;
            n = n * 10 + (*c - '0');
        }
        return n >= 1 && n <= 24 ? KEY_F(n) : -1;
    }
    if (name[0] && !name[1] && isgraph((unsigned char)name[0]))
        return (unsigned char)name[0];
    return -1;
}

void bindings_key_name(int key, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (key == named[i].code) {
            snprintf(buf, len, "%s", named[i].name);
            return;
        }
    if (key >= 1 && key <= 26)
        snprintf(buf, len, "C-%c", 'a' + key - 1);
    else if (key >= KEY_F(1) && key <= KEY_F(24))
        snprintf(buf, len, "F%d", key - KEY_F(0));
    else if (key > ' ' && key < 127)
        snprintf(buf, len, "%c", key);
    else
        snprintf(buf, len, "key %d", key);
}

static int find(const struct bindings *b, int key)
{
    for (int i = 0; i < b->n; i++)
        if (b->items[i].key == key)
            return i;
    return -1;
}

bool bindings_bind(struct bindings *b, const char *key, const char *command,
                   char *err, size_t errlen)
{
    int code = bindings_key_code(key);
    if (code < 0) {
        snprintf(err, errlen, "bind: \"%s\" — expected a key like j, J, C-r, Up, Tab, Enter, "
                 "Space or F1", key);
        return false;
    }
    while (*command == ' ' || *command == '\t')
        command++;
    size_t n = strlen(command);
    if (n == 0 || n >= BINDING_MAX_COMMAND) {
        snprintf(err, errlen, "bind %s: %s", key,
                 n ? "the command is too long" : "expected a command after the key");
        return false;
    }
    int i = find(b, code);
    if (i < 0) {
        if (b->n == BINDINGS_MAX) {
            snprintf(err, errlen, "bind %s: at most %d bindings", key, BINDINGS_MAX);
            return false;
        }
        i = b->n++;
    }
    b->items[i].key = code;
    memcpy(b->items[i].command, command, n + 1);
    return true;
}

bool bindings_unbind(struct bindings *b, const char *key, char *err, size_t errlen)
{
    int code = bindings_key_code(key);
    int i = code < 0 ? -1 : find(b, code);
    if (i < 0) {
        snprintf(err, errlen, "unbind: \"%s\" is not bound", key);
        return false;
    }
    memmove(&b->items[i], &b->items[i + 1], (size_t)(b->n - i - 1) * sizeof b->items[0]);
    b->n--;
    return true;
}

void bindings_defaults(struct bindings *b)
{
    char err[256];
    b->n = 0;
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        bindings_bind(b, defaults[i].key, defaults[i].command, err, sizeof err);
}

const char *bindings_lookup(const struct bindings *b, int key)
{
    int i = find(b, key);
    return i < 0 ? NULL : b->items[i].command;
}

/* One config line; `line` is modified. */
static bool config_line(struct bindings *b, char *line, char *err, size_t errlen)
{
    char *hash = strchr(line, '#');
    if (hash && (hash == line || isspace((unsigned char)hash[-1])))
        *hash = 0;
    size_t n = strlen(line);
    while (n && isspace((unsigned char)line[n - 1]))
        line[--n] = 0;
    char *p = line + strspn(line, " \t");
    if (!*p)
        return true;
    char *word = p;
    p += strcspn(p, " \t");
    if (*p)
        *p++ = 0;
    p += strspn(p, " \t");
    char *key = p;
    p += strcspn(p, " \t");
    if (*p)
        *p++ = 0;
    p += strspn(p, " \t");
    if (strcmp(word, "bind") == 0 && *key)
        return bindings_bind(b, key, p, err, errlen);
    if (strcmp(word, "unbind") == 0 && *key && !*p)
        return bindings_unbind(b, key, err, errlen);
    snprintf(err, errlen, "\"%s\" — expected bind KEY COMMAND or unbind KEY", word);
    return false;
}

bool bindings_load(struct bindings *b, const char *path, char *err, size_t errlen)
{
    FILE *f = regfile_fopen(path, 0, err, errlen);     /* a FIFO would hang the start */
    if (!f)
        return errno == ENOENT;
    char line[1024], why[512];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        if (!config_line(b, line, why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}
