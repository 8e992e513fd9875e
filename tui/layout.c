/* SPDX-License-Identifier: MIT */
/* Panel geometry: header on top, transport and message lines at the foot,
 * the track list, then the chain (left) and the meters (right). */
#include "tui/layout.h"

/* Rows the chain and meters need at the least: a title, a processor or two,
 * and the meters' readings. */
#define MIN_LOWER 10
/* The meters' width: peak bars and readings fit in 36 columns; wider
 * screens give them a share for longer bars and the spectrum. */
#define METERS_MIN_W 36

void layout_compute(int rows, int cols, int ntracks, struct layout_screen *l)
{
    *l = (struct layout_screen){ 0 };
    l->too_small = rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS;
    if (l->too_small) {
        l->message = (struct rect){ rows > 0 ? rows - 1 : 0, 0, rows > 0 ? 1 : 0, cols };
        return;
    }
    l->header = (struct rect){ 0, 0, 1, cols };
    l->transport = (struct rect){ rows - 2, 0, 1, cols };
    l->message = (struct rect){ rows - 1, 0, 1, cols };
    int body = rows - 3;
    /* title line, column heads, the tracks, and at least one empty row */
    int want = ntracks + 2;
    if (want < 4)
        want = 4;
    int most = body - MIN_LOWER;
    if (body / 2 > most)
        most = body / 2;
    int th = want < most ? want : most;
    l->tracks = (struct rect){ 1, 0, th, cols };
    int lower = body - th;
    int mw = cols * 45 / 100;
    if (mw < METERS_MIN_W)
        mw = METERS_MIN_W;
    l->chain = (struct rect){ 1 + th, 0, lower, cols - mw };
    l->meters = (struct rect){ 1 + th, cols - mw, lower, mw };
}
