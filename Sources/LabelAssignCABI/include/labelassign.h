/*
 * labelassign.h: the C ABI of LabelAssign (`pkg-config --cflags --libs labelassign`, or -llabelassign).
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

/** The version of this header; `la_version()` gives the library's (the same for a matching pair). */
#define LA_VERSION_MAJOR 0
#define LA_VERSION_MINOR 1
#define LA_VERSION_PATCH 0
#define LA_VERSION_STRING "0.1.0"

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
    /**
     * la_emd / la_emd2 stopped at num_itermax pivots before optimality (POT's warning
     * "numItermax reached before optimality"): the outputs hold the current basic solution,
     * which need not be optimal nor meet the marginals.
     */
    LA_ERROR_MAX_ITER_REACHED = 5,
};

/** The library version, e.g. "0.1.0" (LA_VERSION_STRING of the header it was built with). */
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
 * `assigner` must not be NULL, nor `assigned_gt` unless num_priors is 0; an input pointer may
 * be NULL only when its count is 0. Zero priors is a valid scene: every preset assigns nothing
 * and LA_OK is returned. Counts must be >= 0 and num_priors * 4, num_gt * 4, num_ignore * 4 and
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

/**
 * Exact optimal transport (the Earth Mover's distance), float64: POT 0.9.7's
 * `ot.emd(a, b, M, numItermax)` to the bit (network simplex; plan, cost).
 *
 * `M` is the n_rows x n_cols cost matrix, row-major; `a` (n_rows) and `b` (n_cols) are the masses,
 * or NULL for uniform weights 1 / n_rows and 1 / n_cols (POT's empty `a` / `b`). The totals must
 * agree to 1.5e-6 (POT's check), then `b` is rescaled to sum(a). `num_itermax` bounds the pivots
 * (POT's default is 100000; 0: no bound). `plan_out` (n_rows * n_cols values, row-major) must
 * not be NULL; `cost_out` (sum of plan * M) may be NULL. Integer masses give an integral plan.
 *
 * Errors: n_rows or n_cols < 1, a negative num_itermax, NULL `M` or `plan_out`, or an
 * n_rows * n_cols that overflows: LA_ERROR_ARGUMENT. Negative or non-finite masses, non-finite
 * costs, unequal totals, zero total mass: LA_ERROR_INVALID_INPUT naming `a`, `b` or `M`. About
 * 32 bytes per entry beyond LABELASSIGN_MAX_BUFFER_BYTES: LA_ERROR_LIMIT.
 * LA_ERROR_MAX_ITER_REACHED: see above (the outputs are written). Nothing is written on any
 * other error.
 */
int32_t la_emd(const double *a, const double *b, const double *M, int64_t n_rows, int64_t n_cols,
               int64_t num_itermax, double *plan_out, double *cost_out, char *error, int64_t error_capacity);

/** `ot.emd2`: the cost of `la_emd` only (`cost_out` must not be NULL); the same rules and errors. */
int32_t la_emd2(const double *a, const double *b, const double *M, int64_t n_rows, int64_t n_cols,
                int64_t num_itermax, double *cost_out, char *error, int64_t error_capacity);

/** Frees a string returned by the library. */
void la_free(char *pointer);

#ifdef __cplusplus
}
#endif

#endif
