/* SPDX-License-Identifier: MIT */
/* Folder helpers for writers: make a folder path, remove a tree, list files. */
#ifndef LATHE_FSUTIL_H
#define LATHE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* mkdir -p; false with errno set. */
bool fs_mkdirs(const char *path);
/* rm -rf, without following symbolic links. */
bool fs_remove_tree(const char *path);
/* The names of the regular files in `dir`, sorted; *n set. Free with
 * fs_free_list. NULL on error. */
char **fs_list_files(const char *dir, int *n);
void fs_free_list(char **names, int n);
/* Removes the temporary folders a killed writer left in `dir`: those named
 * PREFIX, a process id and then nothing or "-...", that are real folders
 * (not links) of this user and whose process is gone. Nothing else, so a
 * user's file that merely starts with PREFIX stays. */
void fs_clean_stale(const char *dir, const char *prefix);
/* Whether `inner` is `outer` or inside it (both made absolute, links resolved). */
bool fs_inside(const char *inner, const char *outer);

#endif
