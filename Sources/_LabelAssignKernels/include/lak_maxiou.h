/*
 * Kernels of the max-IoU assigner (mmdet MaxIoUAssigner with one square anchor per prior):
 * the regular-grid test of a prior level, the IoUs of one object with a block of grid anchors
 * folded into the per-prior maxima, and the final positive / background / ignored split.
 */
#ifndef LABELASSIGN_MAXIOU_KERNELS_H
#define LABELASSIGN_MAXIOU_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Whether the columns x rows priors at p (rows of cx, cy, stride_x, stride_y, row-major) form a
 * regular grid of stride s: cx strictly increasing along the first row, cy strictly increasing
 * down the first column, every prior's cx equal to its column's, cy equal to its row's and both
 * strides equal to s (float ==). Returns 1 or 0 (0 when the 4 · columns floats of scratch cannot
 * be allocated).
 */
int lak_priors_form_grid(const float *p, int64_t columns, int64_t rows, float s);

/**
 * Folds into the per-prior maxima the mmdet IoUs of one object (area gt_area) with the anchors of
 * a grid level (priors level_start + row · level_columns + column) at columns c0 ..< c0 + ncols
 * and at the rows row_index[0 ..< nrows]. Per column k: the object/anchor overlap along x
 * col_overlap[k] and the anchor width col_side[k]; per row r likewise along y. IoU =
 * lak_iou_mmdet_parts(overlap, gt_area, anchor_area) (lak_pair_geometry.h) with
 * overlap = col_overlap · row_overlap and anchor_area = col_side · row_side.
 *
 * Priors flagged in `ignored` (may be NULL) are skipped and counted in *ignored_count. For the
 * others, in increasing prior order: if IoU > max_iou[i] then max_iou[i] = IoU and
 * argmax[i] = object; and the object's best IoU *best (NaN never replaces it) with the priors
 * reaching it, ties[0 ..< *tie_count], is updated (a larger IoU restarts the list). row_iou is
 * scratch of ncols floats.
 */
void lak_maxiou_grid_block(int64_t level_start, int64_t level_columns, int64_t c0, int64_t ncols,
                          const float *col_overlap, const float *col_side, int64_t nrows,
                          const int32_t *row_index, const float *row_overlap, const float *row_side,
                          float gt_area, int32_t object, const bool *ignored, float *max_iou,
                          int32_t *argmax, float *row_iou, float *best, int32_t *ties,
                          int64_t *tie_count, int64_t *ignored_count);

/**
 * The thresholds of mmdet assign_wrt_overlaps, in place: per prior with largest IoU v,
 * assigned[i] (holding the argmax object) becomes itself when v >= pos, else -1 when
 * 0 <= v < neg, else -2.
 */
void lak_maxiou_split(const float *max_iou, int32_t *assigned, int64_t n, float neg, float pos);

#ifdef __cplusplus
}
#endif

#endif
