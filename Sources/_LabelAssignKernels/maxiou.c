#include "lak_config.h"

#include "lak_maxiou.h"

#include <math.h>
#include <stdlib.h>

#include "lak_pair_geometry.h"

int lak_priors_form_grid(const float *p, int64_t columns, int64_t rows, float s) {
    if (columns <= 0 || rows <= 0) return 0;
    for (int64_t c = 1; c < columns; c++) {
        if (!(p[4 * c] > p[4 * (c - 1)])) return 0;
    }
    for (int64_t r = 1; r < rows; r++) {
        if (!(p[4 * r * columns + 1] > p[4 * (r - 1) * columns + 1])) return 0;
    }
    /* Each row against a template row (cx of the column, cy of the row, s, s). */
    const int64_t width = 4 * columns;
    float *t = malloc((size_t)width * sizeof(float));
    if (!t) return 0;
    for (int64_t c = 0; c < columns; c++) {
        t[4 * c] = p[4 * c];
        t[4 * c + 2] = s;
        t[4 * c + 3] = s;
    }
    int ok = 1;
    for (int64_t r = 0; r < rows && ok; r++) {
        const float *row = p + r * width;
        const float y = row[1];
        for (int64_t c = 0; c < columns; c++) t[4 * c + 1] = y;
        int bad = 0;
#pragma clang loop vectorize(enable) vectorize_width(4) interleave_count(2)
        for (int64_t k = 0; k < width; k++) bad |= row[k] != t[k];
        ok = !bad;
    }
    free(t);
    return ok;
}

/* One row of a grid block: the IoU (lak_iou_mmdet_parts) of every column into row_iou, folded
 * into the per-prior maxima m / a; returns 1 when a non-ignored IoU reaches b. With
 * `with_ignored` (a constant at each call, so each call compiles to its own vector loop), the
 * priors flagged in ig are skipped and counted in *skipped. */
LAK_INLINE int fold_row(const float *col_overlap, const float *col_side, int64_t ncols, float h, float side_y,
                        float gt_area, int32_t object, int with_ignored, const bool *ig, float b,
                        float *m, int32_t *a, float *row_iou, int64_t *skipped) {
    int reaches = 0;
    int64_t s = 0;
#pragma clang loop vectorize(enable) vectorize_width(4)
    for (int64_t k = 0; k < ncols; k++) {
        const float v = lak_iou_mmdet_parts(col_overlap[k] * h, gt_area, col_side[k] * side_y);
        const int kept = with_ignored ? !ig[k] : 1;
        row_iou[k] = v;
        const int take = (v > m[k]) & kept;
        m[k] = take ? v : m[k];
        a[k] = take ? object : a[k];
        reaches |= (v >= b) & kept;
        s += with_ignored ? ig[k] : 0;
    }
    *skipped += s;
    return reaches;
}

void lak_maxiou_grid_block(int64_t level_start, int64_t level_columns, int64_t c0, int64_t ncols,
                          const float *col_overlap, const float *col_side, int64_t nrows,
                          const int32_t *row_index, const float *row_overlap, const float *row_side,
                          float gt_area, int32_t object, const bool *ignored, float *max_iou,
                          int32_t *argmax, float *row_iou, float *best, int32_t *ties,
                          int64_t *tie_count, int64_t *ignored_count) {
    float b = *best;
    int64_t t = *tie_count, skipped = 0;
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t base = level_start + (int64_t)row_index[r] * level_columns + c0;
        const float h = row_overlap[r], side_y = row_side[r];
        float *m = max_iou + base;
        int32_t *a = argmax + base;
        const int reaches = ignored
            ? fold_row(col_overlap, col_side, ncols, h, side_y, gt_area, object, 1, ignored + base, b, m, a, row_iou, &skipped)
            : fold_row(col_overlap, col_side, ncols, h, side_y, gt_area, object, 0, NULL, b, m, a, row_iou, &skipped);
        if (!reaches) continue;
        for (int64_t k = 0; k < ncols; k++) {
            const float v = row_iou[k];
            if (!(v >= b) || (ignored && ignored[base + k])) continue;
            if (v > b) {
                b = v;
                t = 0;
            }
            ties[t++] = (int32_t)(base + k);
        }
    }
    *best = b;
    *tie_count = t;
    *ignored_count += skipped;
}

void lak_maxiou_split(const float *max_iou, int32_t *assigned, int64_t n, float neg, float pos) {
#pragma clang loop vectorize(enable) vectorize_width(4) interleave_count(2)
    for (int64_t i = 0; i < n; i++) {
        const float v = max_iou[i];
        const int32_t background = ((v >= 0.0f) & (v < neg)) ? -1 : -2;
        assigned[i] = v >= pos ? assigned[i] : background;
    }
}
