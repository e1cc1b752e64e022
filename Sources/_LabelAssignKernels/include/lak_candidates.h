/*
 * Scans over box sets stored as separate coordinate arrays (structure of arrays),
 * used by assigners that only score ground-truth / prediction pairs that overlap.
 */
#ifndef LABELASSIGN_BOX_SCAN_KERNELS_H
#define LABELASSIGN_BOX_SCAN_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes to out_index, in increasing order, every i < n whose box
 * (x1[i], y1[i], x2[i], y2[i]) has a positive-area intersection with the box
 * (bx1, by1, bx2, by2): min(x2, bx2) > max(x1, bx1) and min(y2, by2) > max(y1, by1),
 * the case where the clamped intersection width and height of mmdet, torchvision and
 * ultralytics overlaps are both non-zero. Returns the number written (out_index needs n slots).
 */
int64_t lak_scan_intersecting(const float *x1, const float *y1, const float *x2, const float *y2, int64_t n,
                             float bx1, float by1, float bx2, float by2, int32_t *out_index);

/**
 * As lak_scan_intersecting, and also writes out_iou[k] = mmdet bbox_overlaps IoU of box
 * out_index[k] (first box) with (bx1, by1, bx2, by2) (second box): lak_iou_mmdet_coords
 * (lak_pair_geometry.h).
 */
int64_t lak_scan_mmdet_iou(const float *x1, const float *y1, const float *x2, const float *y2, int64_t n,
                          float bx1, float by1, float bx2, float by2, int32_t *out_index, float *out_iou);

/**
 * The k-th largest of values[0..n) (1 <= k <= n, no NaN), counting equal values separately:
 * one pass that keeps the k largest so far in `top` (k floats, descending), so a value at or
 * below the current k-th costs one comparison. `values` is not changed.
 */
float lak_kth_largest(const float *values, int64_t n, int64_t k, float *top);

#ifdef __cplusplus
}
#endif

#endif
