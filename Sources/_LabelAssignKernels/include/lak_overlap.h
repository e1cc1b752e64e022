/*
 * Batched box-geometry kernels for label assignment.
 *
 * Boxes are float32 `x1, y1, x2, y2` rows stored contiguously (stride 4).
 * Every (convention, kind) is one pair formula of lak_pair_geometry.h, which
 * reproduces its reference operation for operation (same float32 operations in
 * the same order); the kernels only loop over the pairs.
 */
#ifndef LABELASSIGN_ASSIGN_KERNELS_H
#define LABELASSIGN_ASSIGN_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which overlap measure to compute. */
typedef enum {
    LAK_OVERLAP_IOU = 0,
    LAK_OVERLAP_GIOU = 1,
    LAK_OVERLAP_DIOU = 2,
    LAK_OVERLAP_CIOU = 3,
    /** Intersection over the area of the first box (mmdet `iof`). */
    LAK_OVERLAP_IOF = 4,
} lak_overlap_kind;

/** Which reference's arithmetic to reproduce. */
typedef enum {
    /** torchvision.ops: no eps in IoU/GIoU, eps 1e-7 in the DIoU/CIoU denominators. */
    LAK_CONV_TORCHVISION = 0,
    /** mmdet bbox_overlaps: union and enclosing area floored at 1e-6. */
    LAK_CONV_MMDET = 1,
    /** YOLOX bboxes_iou (xyxy): strict overlap test, no eps (IoU only). */
    LAK_CONV_YOLOX = 2,
    /** ultralytics 8.4 bbox_iou (xyxy): h + 1e-7, union + 1e-7, CIoU alpha v / (1 - iou + v + eps). */
    LAK_CONV_ULTRALYTICS = 3,
    /** yolov5 7.0 bbox_iou (xyxy): h clamped at 1e-7, union + 1e-7, CIoU alpha v / (v - iou + (1 + eps)). */
    LAK_CONV_YOLOV5 = 4,
} lak_convention;

/** 1 when the kernels implement `kind` under `convention`, else 0. */
int lak_overlap_supported(int kind, int convention);

/**
 * Pairwise overlaps: out[i * n2 + j] = overlap(boxes1[i], boxes2[j]).
 * Returns 0 on success, -1 for an unsupported (kind, convention) pair.
 */
int lak_pairwise_overlap(const float *boxes1, int64_t n1,
                        const float *boxes2, int64_t n2,
                        int kind, int convention, float *out);

/**
 * Element-wise overlaps: out[i] = overlap(boxes1[i], boxes2[i]) for i < n.
 * Returns 0 on success, -1 for an unsupported (kind, convention) pair.
 */
int lak_aligned_overlap(const float *boxes1, const float *boxes2, int64_t n,
                       int kind, int convention, float *out);

/**
 * Overlaps of selected pairs: out[k] = overlap(boxes1[index1[k]], boxes2[index2[k]]).
 * Used where an assigner needs a sparse set of pairs (candidates only).
 */
int lak_gathered_overlap(const float *boxes1, const int32_t *index1,
                        const float *boxes2, const int32_t *index2, int64_t count,
                        int kind, int convention, float *out);

#ifdef __cplusplus
}
#endif

#endif
