/*
 * labelassign.h: the C ABI of LabelAssign (link with -llabelassign_c).
 *
 * Boxes are float32 rows `x1, y1, x2, y2`; priors are rows `cx, cy, stride_x, stride_y`,
 * level by level (finest stride first), row-major inside a level. Every function returns
 * LA_OK (0) or an error code, and writes a one-line message into `error` (NUL-terminated,
 * truncated to `error_capacity` bytes) when it fails. No function keeps a pointer it was
 * given; all are safe to call from several threads at once.
 */
#ifndef LABELASSIGN_H
#define LABELASSIGN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    LA_OK = 0,
    /** The input is invalid (NaN, inverted box, label out of range, count mismatch, ...). */
    LA_ERROR_INVALID_INPUT = 1,
    /** The assigner name is not a known preset. */
    LA_ERROR_UNKNOWN_ASSIGNER = 2,
    /** A null pointer where a value is required, or a negative count. */
    LA_ERROR_ARGUMENT = 3,
};

/** The library version, e.g. "0.1.0". */
const char *la_version(void);

/**
 * The preset names, comma-separated, into `buffer`. Returns the length the full list needs
 * (without the NUL); the list is complete when that is < capacity.
 */
int64_t la_assigner_names(char *buffer, int64_t capacity);

/**
 * Assigns the priors of one image with the preset `assigner` (e.g. "simota", "tal").
 *
 * Inputs: `strides[num_strides]`; `priors[num_priors * 4]`; `gt_bboxes[num_gt * 4]`;
 * `gt_labels[num_gt]` in [0, num_classes); `pred_bboxes[num_priors * 4]`;
 * `cls_logits[num_priors * num_classes]`; `obj_logits[num_priors]` or NULL;
 * `gt_ignore[num_ignore * 4]` or NULL with num_ignore 0.
 *
 * Outputs: `assigned_gt[num_priors]`: object index, -1 background, -2 ignored.
 * `quality[num_priors]` (may be NULL): the preset's per-prior soft output (matched IoU,
 * normalised alignment target or alignment metric), 0 where it has none.
 */
int32_t la_assign(const char *assigner,
                  int32_t image_width, int32_t image_height,
                  const int32_t *strides, int32_t num_strides, int32_t num_classes,
                  const float *priors, int64_t num_priors,
                  const float *gt_bboxes, const int32_t *gt_labels, int64_t num_gt,
                  const float *pred_bboxes, const float *cls_logits, const float *obj_logits,
                  const float *gt_ignore, int64_t num_ignore,
                  int32_t *assigned_gt, float *quality,
                  char *error, int64_t error_capacity);

/**
 * Assigns every scene of a scene JSON document (one object, or JSON lines) and returns the
 * results as JSON lines in `*result` (free it with la_free). `*result` is NULL on error.
 */
int32_t la_assign_json(const char *assigner, const char *scene_json, char **result,
                       char *error, int64_t error_capacity);

/**
 * Pairwise overlaps: out[i * n2 + j] for boxes1[n1 * 4], boxes2[n2 * 4].
 * kind: "iou", "giou", "diou", "ciou", "iof"; convention: "torchvision", "mmdet",
 * "yolox", "ultralytics" (ultralytics 8.4 bbox_iou), "yolov5" (yolov5 7.0 bbox_iou).
 */
int32_t la_overlap_matrix(const float *boxes1, int64_t n1, const float *boxes2, int64_t n2,
                          const char *kind, const char *convention, float *out,
                          char *error, int64_t error_capacity);

/** Frees a string returned by the library. */
void la_free(char *pointer);

#ifdef __cplusplus
}
#endif

#endif
