/*
 * labelassign.h: the C ABI of LabelAssign (link with -llabelassign_c).
 *
 * Boxes are float32 rows `x1, y1, x2, y2`; priors are rows `cx, cy, stride_x, stride_y`,
 * level by level (finest stride first), row-major inside a level. Every function returns
 * LA_OK (0) or an error code, and writes a one-line message into `error` (NUL-terminated,
 * truncated to `error_capacity` bytes; nothing is written when `error` is NULL or the capacity
 * is <= 0) when it fails. No function keeps a pointer it was given; all are safe to call from
 * several threads at once, on any thread (nothing recurses on the input, so a small thread
 * stack is enough). No input makes a function trap or abort: counts are checked before any
 * size is computed from them, every value is validated, and every buffer the counts decide is
 * checked against the limits below before it is allocated.
 *
 * Limits (README, "Limits and bad input"): image sides and strides 1 ... 2^24; box and prior
 * coordinates within +-2^24 (16777216); at most 2^31 - 1 priors, objects, ignore regions or
 * classes; one buffer at most LABELASSIGN_MAX_BUFFER_BYTES (default 1 GiB), a scene document at
 * most LABELASSIGN_MAX_INPUT_BYTES (default 1 GiB), both read from the environment at the
 * first call.
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
    /**
     * A null pointer where a value is required, a negative count, or a count whose array size
     * overflows (e.g. num_priors * 4 or n1 * n2 beyond 2^63).
     */
    LA_ERROR_ARGUMENT = 3,
    /**
     * The input asks for more than a limit allows (a buffer above LABELASSIGN_MAX_BUFFER_BYTES,
     * a document above LABELASSIGN_MAX_INPUT_BYTES); the message names the limit and the
     * variable that raises it.
     */
    LA_ERROR_LIMIT = 4,
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
 * `assigner` and `assigned_gt` must not be NULL; an input pointer may be NULL only when its
 * count is 0. Counts must be >= 0 and num_priors * 4, num_gt * 4, num_ignore * 4 and
 * num_priors * num_classes must not overflow (LA_ERROR_ARGUMENT otherwise). The scene is
 * validated as a scene file is (LA_ERROR_INVALID_INPUT naming the field and index: NaN,
 * infinite or out-of-range values, inverted boxes, labels outside [0, num_classes), ...).
 *
 * Outputs: `assigned_gt[num_priors]`: object index, -1 background, -2 ignored.
 * `quality[num_priors]` (may be NULL): the preset's per-prior soft output (matched IoU,
 * normalised alignment target or alignment metric), 0 where it has none. Every output is
 * finite. The outputs are written only on LA_OK.
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
 * la_assign with explicit anchor boxes: `anchors[num_priors * 4]` (x1, y1, x2, y2 rows, one per
 * prior, aligned with `priors`; several anchors per location are several priors at the same
 * point, e.g. RetinaNet's 9 per position, as mmdet's AnchorGenerator orders them). The
 * anchor-based presets ("atss", "maxiou", "tood") use them for their overlaps, centres and
 * ignore regions instead of squares derived from the priors; the point-based presets do not
 * read them. `anchors` may be NULL (then this is la_assign). They are validated as the scene
 * file's `anchors` (LA_ERROR_INVALID_INPUT naming `anchors` and the row: finite, within
 * +-2^24, x1 <= x2, y1 <= y2). Every other argument is as for la_assign.
 */
int32_t la_assign_anchors(const char *assigner,
                          int32_t image_width, int32_t image_height,
                          const int32_t *strides, int32_t num_strides, int32_t num_classes,
                          const float *priors, int64_t num_priors, const float *anchors,
                          const float *gt_bboxes, const int32_t *gt_labels, int64_t num_gt,
                          const float *pred_bboxes, const float *cls_logits, const float *obj_logits,
                          const float *gt_ignore, int64_t num_ignore,
                          int32_t *assigned_gt, float *quality,
                          char *error, int64_t error_capacity);

/**
 * Assigns every scene of a scene JSON document (one object, or JSON lines; NUL-terminated,
 * UTF-8, strict JSON with NaN / Infinity accepted and then rejected by validation; explicit
 * anchor boxes under the key "anchors", as la_assign_anchors takes them) and returns
 * the results as JSON lines in `*result` (free it with la_free). Whenever `result` is not
 * NULL, `*result` is set: to the text on LA_OK, to NULL on every error (a NULL `assigner`,
 * `scene_json` or `result` is LA_ERROR_ARGUMENT). Malformed JSON is LA_ERROR_INVALID_INPUT
 * with the byte offset and key path; values nested deeper than 64 levels are rejected.
 */
int32_t la_assign_json(const char *assigner, const char *scene_json, char **result,
                       char *error, int64_t error_capacity);

/**
 * Pairwise overlaps: out[i * n2 + j] for boxes1[n1 * 4], boxes2[n2 * 4].
 * kind: "iou", "giou", "diou", "ciou", "iof"; convention: "torchvision", "mmdet",
 * "yolox", "ultralytics" (ultralytics 8.4 bbox_iou), "yolov5" (yolov5 7.0 bbox_iou).
 *
 * `out` must not be NULL; a box pointer may be NULL only when its count is 0. n1, n2 >= 0 and
 * n1 * 4, n2 * 4, n1 * n2 must not overflow (LA_ERROR_ARGUMENT); the n1 * n2 matrix must fit
 * LABELASSIGN_MAX_BUFFER_BYTES (LA_ERROR_LIMIT). Every box is validated as the `iou` command
 * validates its files (LA_ERROR_INVALID_INPUT naming boxes1 / boxes2 and the row): coordinates
 * finite and within +-2^24, x1 <= x2, y1 <= y2.
 *
 * NaN by reference: where the reference itself divides 0 by 0, `out` holds NaN, as the
 * reference does: under the torchvision and yolox conventions for two boxes of zero area (a
 * zero-area box against itself included: IoU 0 / 0, and torchvision's GIoU, DIoU and CIoU built
 * on it), and under torchvision's CIoU also for a point box (x1 = x2 and y1 = y2) against any
 * box (atan(0 / 0) in its aspect term). mmdet (eps 1e-6) and ultralytics (eps 1e-7) never
 * return NaN.
 * `out` is written only on LA_OK.
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
