/* SPDX-License-Identifier: MIT */
/* The console's layout: where each panel sits for a screen size. Pure
 * arithmetic, so that it can be tested without a terminal. */
#ifndef LATHE_LAYOUT_H
#define LATHE_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 80
#define LAYOUT_MIN_ROWS 24

struct rect {
    int y, x, h, w;
};

struct layout_screen {
    bool too_small;         /* below 80x24: only a notice is shown */
    struct rect header, tracks, chain, meters, transport, message;
};

/* Lays out a screen of rows x cols for an album of `ntracks` tracks: the
 * track list takes what its tracks need, up to about half of the body, and
 * the chain and meters panels share the rest side by side. Panels never
 * overlap and cover the screen. */
void layout_compute(int rows, int cols, int ntracks, struct layout_screen *l);

#endif
