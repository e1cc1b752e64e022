/*
 * Batched box-geometry kernels for label assignment.
 *
 * Boxes are float32 `x1, y1, x2, y2` rows stored contiguously (stride 4).
 * Every kernel reproduces one reference convention operation for operation
 * (same float32 operations in the same order), so results match the
 * reference implementations to the last bit in the common cases.
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
    /** ultralytics/yolov5 bbox_iou (xyxy): h + 1e-7, union + 1e-7, eps 1e-7 everywhere. */
    LAK_CONV_ULTRALYTICS = 3,
} lak_convention;

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
