/*
 * labelassign.h: the C ABI of LabelAssign (`pkg-config --cflags --libs labelassign`, or -llabelassign).
 * C99; every symbol starts with `la_` (macros `LA_`).
 *
 * Boxes are float32 rows `x1, y1, x2, y2`; priors are rows `cx, cy, stride_x, stride_y`,
 * level by level (finest stride first), row-major inside a level. Matrices are row-major.
 *
 * Every function that can fail returns LA_OK (0) or an error code, and writes a one-line
 * message into `error` when it fails (NUL-terminated, truncated to `error_capacity` bytes;
 * nothing is written when `error` is NULL or the capacity is <= 0). Every out-pointer is set
 * on every path (a returned handle or string: NULL on error; a scalar out-value: see the
 * function). No function keeps a pointer it was given (a handle keeps nothing of its
 * arguments); all are safe to call from several threads at once, on any thread (nothing
 * recurses on the input, so a small thread stack is enough). No input makes a function trap or
 * abort: counts are checked before any size is computed from them, every value is validated,
 * and every buffer the counts decide is checked against the limits below before it is allocated.
 *
 * Limits (README, "Limits and bad input"): image sides and strides 1 ... 2^24; box and prior
 * coordinates within +-2^24 (16777216); at most 2^31 - 1 priors, objects, ignore regions or
 * classes; one buffer at most LABELASSIGN_MAX_BUFFER_BYTES (default 1 GiB), a scene document at
 * most LABELASSIGN_MAX_INPUT_BYTES (default 1 GiB), a batch at most LABELASSIGN_MAX_IMAGES
 * images (default 100000), all read from the environment at the first call.
 */
#ifndef LABELASSIGN_H
#define LABELASSIGN_H

#include <stdint.h>

/** The version of this header; `la_version()` gives the library's (the same for a matching pair). */
#define LA_VERSION_MAJOR 0
#define LA_VERSION_MINOR 2
#define LA_VERSION_PATCH 0
#define LA_VERSION_STRING "0.2.0"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Errors, version, strings                                                                     */
/* ------------------------------------------------------------------------------------------ */

enum {
    LA_OK = 0,
    /** The input is invalid (NaN, inverted box, label out of range, count mismatch, a
     *  non-integral stride, a transport parameter out of its domain, ...). */
    LA_ERROR_INVALID_INPUT = 1,
    /** The assigner name is not a known preset. */
    LA_ERROR_UNKNOWN_ASSIGNER = 2,
    /**
     * A null pointer where a value is required, a negative count, a count whose array size
     * overflows (e.g. num_priors * 4 or n1 * n2 beyond 2^63), batch offsets that are not
     * non-decreasing from 0, or an unknown name of a kind, convention or method.
     */
    LA_ERROR_ARGUMENT = 3,
    /**
     * The input asks for more than a limit allows (a buffer above LABELASSIGN_MAX_BUFFER_BYTES,
     * a document above LABELASSIGN_MAX_INPUT_BYTES, a batch above LABELASSIGN_MAX_IMAGES); the
     * message names the limit and the variable that raises it.
     */
    LA_ERROR_LIMIT = 4,
    /**
     * la_emd / la_emd2 stopped at num_itermax pivots before optimality (POT's warning
     * "numItermax reached before optimality"): the outputs hold the current basic solution,
     * which need not be optimal nor meet the marginals.
     */
    LA_ERROR_MAX_ITER_REACHED = 5,
    /**
     * An options object that names an unknown option or gives one a value outside its domain
     * (or options that do not fit together, or options text that is not a JSON object): the
     * message names the option and, for an unknown one, lists the valid ones.
     */
    LA_ERROR_INVALID_OPTION = 6,
};

/** The library version, e.g. "0.2.0" (LA_VERSION_STRING of the header it was built with). */
const char *la_version(void);

/**
 * The preset names, comma-separated, into `buffer`. Returns the length the full list needs
 * (without the NUL); the list is complete when that is < capacity.
 */
int64_t la_assigner_names(char *buffer, int64_t capacity);

/** Frees a string returned by the library (NULL is a no-op). */
void la_free(char *pointer);

/* ------------------------------------------------------------------------------------------ */
/* Assigner handles                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** A configured assigner: a preset with options. Immutable once created; one handle may be used
 *  by any number of threads at once. */
typedef struct la_assigner la_assigner;

/**
 * Creates the preset `name` (see la_assigner_names) with `options_json`: NULL, "" or "{}" for
 * the preset's defaults, else a JSON object of the reference's option names -> values, e.g.
 * {"topk": 13, "alpha": 1.0} (`labelassign assign --describe NAME` lists them). `*out` is set on
 * every path (when `out` is not NULL): the handle on LA_OK (free it with la_assigner_free), NULL
 * on every error.
 *
 * Errors: NULL `name` or `out`: LA_ERROR_ARGUMENT. Unknown preset: LA_ERROR_UNKNOWN_ASSIGNER
 * (the message lists the presets). Options that are not a JSON object, an unknown option, a
 * value outside its option's domain, options that conflict: LA_ERROR_INVALID_OPTION naming the
 * option.
 */
int32_t la_assigner_create(const char *name, const char *options_json, la_assigner **out,
                           char *error, int64_t error_capacity);

/** Frees a handle (NULL is a no-op). No call may be using it. */
void la_assigner_free(la_assigner *assigner);

/**
 * The handle's configuration as one JSON object into `*json` (free it with la_free; set on every
 * path when `json` is not NULL: NULL on error):
 * {"name": ..., "preset": ... (the same), "summary": ..., "options": [{"name", "value" (as
 * configured), "default" (the preset's), "values" (what the option admits), "reference",
 * "doc"}, ...], "outputs": ["assigned_gt", "matched_iou", ...]}: the object of
 * `labelassign assign --describe NAME --json` plus "name", "value" and "outputs" (the names of
 * la_assigner_outputs). A NULL `assigner` or `json`: LA_ERROR_ARGUMENT.
 */
int32_t la_assigner_describe(const la_assigner *assigner, char **json, char *error, int64_t error_capacity);

/** Output flags: which per-prior outputs a handle's assignments have. */
enum {
    LA_OUTPUT_ASSIGNED_GT = 1 << 0,   /* every preset */
    LA_OUTPUT_MATCHED_IOU = 1 << 1,   /* simota*, dsl, ota, ota-exact, atss */
    LA_OUTPUT_TARGET_SCORES = 1 << 2, /* ultralytics TAL (tal): la_outputs.quality holds target_scores */
    LA_OUTPUT_ASSIGN_METRICS = 1 << 3 /* mmdet TOOD (tood): la_outputs.quality holds assign_metrics */
};

/** The LA_OUTPUT_* flags of `assigner` (0 for NULL). They follow the handle's options (tal with
 *  {"variant": "mmdet"} has assign_metrics). */
int32_t la_assigner_outputs(const la_assigner *assigner);

/* ------------------------------------------------------------------------------------------ */
/* Assignment: one image, a batch                                                               */
/* ------------------------------------------------------------------------------------------ */

/** The prior layout of an image (shared by every image of a batch). */
typedef struct la_layout {
    int32_t image_width, image_height;
    const float *strides;      /* num_strides values, finest first (need not be whole numbers: see la_assign) */
    int32_t num_strides;
    int32_t num_classes;
    const float *priors;       /* num_priors x 4: cx, cy, stride_x, stride_y */
    int64_t num_priors;
    const float *anchors;      /* num_priors x 4 explicit anchor boxes (x1, y1, x2, y2), or NULL */
} la_layout;

/** The objects and predictions of one image. */
typedef struct la_image {
    const float *gt_bboxes;    /* num_gt x 4 */
    const int32_t *gt_labels;  /* num_gt, each in [0, num_classes) */
    int64_t num_gt;
    const float *pred_bboxes;  /* num_priors x 4 */
    const float *cls_logits;   /* num_priors x num_classes */
    const float *obj_logits;   /* num_priors, or NULL */
    const float *gt_ignore;    /* num_ignore x 4, or NULL with num_ignore 0 */
    int64_t num_ignore;
} la_image;

/** Caller buffers for the outputs; any but assigned_gt may be NULL (then not written). */
typedef struct la_outputs {
    int32_t *assigned_gt;      /* num_priors: object index, -1 background, -2 ignored */
    float *matched_iou;        /* num_priors: IoU with the assigned object, 0 background; 0 everywhere
                                  when the handle has no LA_OUTPUT_MATCHED_IOU */
    float *quality;            /* num_priors: target_scores / assign_metrics; 0 everywhere when the
                                  handle has neither flag */
    int32_t *positives_per_gt; /* num_gt: the number of priors assigned to each object */
} la_outputs;

/**
 * Assigns the priors of one image with a handle.
 *
 * `assigner`, `layout`, `image` and `outputs` must not be NULL, nor `outputs->assigned_gt`
 * unless num_priors is 0; an input pointer may be NULL only when its count is 0 (`anchors`,
 * `obj_logits` always: absent). Counts must be >= 0 and num_priors * 4, num_gt * 4,
 * num_ignore * 4 and num_priors * num_classes must not overflow (LA_ERROR_ARGUMENT otherwise).
 * Zero priors is a valid scene: every preset assigns nothing and LA_OK is returned.
 *
 * The scene is validated as a scene file is (LA_ERROR_INVALID_INPUT naming the field and index:
 * NaN, infinite or out-of-range values, inverted boxes, labels outside [0, num_classes), a
 * prior stride that is not one of `strides`, ...). `strides` need not be whole numbers (a
 * stride names a level, whose priors carry it in their stride columns); "yolov5", whose grid is
 * the feature map, needs whole strides (LA_ERROR_INVALID_INPUT naming `strides[i]` otherwise). `anchors` are validated as the scene
 * file's (finite, within +-2^24, x1 <= x2, y1 <= y2); the anchor-based presets ("atss",
 * "maxiou", "tood") use them for their overlaps, centres and ignore regions instead of squares
 * derived from the priors (several anchors per location are several priors at the same point,
 * e.g. RetinaNet's 9, as mmdet's AnchorGenerator orders them); the point-based presets do not
 * read them. A preset that needs `obj_logits` (simota, simota-mmdet, simota-yolox-latest) fails
 * without them (LA_ERROR_INVALID_INPUT).
 *
 * Outputs (see la_outputs) are written on LA_OK, every value finite. On any error after
 * `outputs` and the counts were checked, every given output buffer is filled with -1
 * (assigned_gt) and 0 (the floats, positives_per_gt): no caller buffer is left half written.
 */
int32_t la_assign(const la_assigner *assigner, const la_layout *layout, const la_image *image,
                  const la_outputs *outputs, char *error, int64_t error_capacity);

/** B images sharing one layout, objects ragged through offsets, predictions stacked. */
typedef struct la_batch {
    int64_t batch_size;            /* B >= 0 */
    const int64_t *gt_offsets;     /* B + 1 values, gt_offsets[0] = 0, non-decreasing; image b owns
                                      objects [gt_offsets[b], gt_offsets[b + 1]) */
    const float *gt_bboxes;        /* gt_offsets[B] x 4 */
    const int32_t *gt_labels;      /* gt_offsets[B] */
    const float *pred_bboxes;      /* B x num_priors x 4 */
    const float *cls_logits;       /* B x num_priors x num_classes */
    const float *obj_logits;       /* B x num_priors, or NULL */
    const int64_t *ignore_offsets; /* B + 1 values as gt_offsets, or NULL (no ignore regions) */
    const float *gt_ignore;        /* ignore_offsets[B] x 4 */
} la_batch;

/**
 * Assigns B images sharing `layout`: image b is `layout` with objects
 * [gt_offsets[b], gt_offsets[b + 1]), predictions `pred_bboxes + b * num_priors * 4`,
 * `cls_logits + b * num_priors * num_classes`, `obj_logits + b * num_priors`, ignore regions
 * [ignore_offsets[b], ignore_offsets[b + 1]); exactly as la_assign on that image.
 *
 * Outputs, stacked: assigned_gt / matched_iou / quality B x num_priors (object indices local to
 * the image), positives_per_gt gt_offsets[B] (image b's at gt_offsets[b]).
 *
 * `threads` workers (<= 0: one per core; 1: the calling thread) assign whole images, OpenBLAS
 * held at one thread meanwhile; every output is identical for every thread count and equal to
 * la_assign image by image.
 *
 * Errors: NULL `assigner`, `layout`, `batch`, `outputs`, `outputs->assigned_gt` (unless
 * B * num_priors is 0), an offsets array that is NULL (gt_offsets when B > 0), does not start at
 * 0 or decreases, or sizes that overflow (B * num_priors * num_classes, ...): LA_ERROR_ARGUMENT,
 * checked before any image is read. More than LABELASSIGN_MAX_IMAGES images: LA_ERROR_LIMIT.
 * Then images are validated and assigned; when some fail, the lowest failing index decides the
 * code, and its message starts "image b: ". On every error after the counts were checked, all
 * given output buffers are filled as la_assign fills them (positives_per_gt only when
 * gt_offsets was valid).
 */
int32_t la_assign_batch(const la_assigner *assigner, const la_layout *layout, const la_batch *batch,
                        int32_t threads, const la_outputs *outputs, char *error, int64_t error_capacity);

/**
 * Assigns every scene of a scene JSON document (one object, or JSON lines; NUL-terminated,
 * UTF-8, strict JSON with NaN / Infinity accepted and then rejected by validation; explicit
 * anchor boxes under the key "anchors") with the preset `assigner` and `options_json` (as
 * la_assigner_create), and returns the results as JSON lines in `*result` (free it with
 * la_free): the lines `labelassign assign` prints. Whenever `result` is not NULL, `*result` is
 * set: to the text on LA_OK, to NULL on every error (a NULL `assigner`, `scene_json` or
 * `result` is LA_ERROR_ARGUMENT; options as la_assigner_create). Malformed JSON is
 * LA_ERROR_INVALID_INPUT with the byte offset and key path; values nested deeper than 64 levels
 * are rejected.
 */
int32_t la_assign_json(const char *assigner, const char *options_json, const char *scene_json, char **result,
                       char *error, int64_t error_capacity);

/* ------------------------------------------------------------------------------------------ */
/* Overlaps                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/**
 * Pairwise overlaps: out[i * n2 + j] for boxes1[n1 * 4], boxes2[n2 * 4].
 * kind: "iou", "giou", "diou", "ciou", "iof" (NULL: "iou"); convention: "torchvision", "mmdet",
 * "yolox", "ultralytics" (ultralytics 8.4 bbox_iou), "yolov5" (yolov5 7.0 bbox_iou) (NULL:
 * "torchvision").
 *
 * `out` must not be NULL; a box pointer may be NULL only when its count is 0. n1, n2 >= 0 and
 * n1 * 4, n2 * 4, n1 * n2 must not overflow (LA_ERROR_ARGUMENT); the n1 * n2 matrix must fit
 * LABELASSIGN_MAX_BUFFER_BYTES (LA_ERROR_LIMIT). An unknown kind or convention:
 * LA_ERROR_ARGUMENT; a kind the convention does not have (e.g. mmdet ciou):
 * LA_ERROR_INVALID_INPUT. Every box is validated as the `iou` command validates its files
 * (LA_ERROR_INVALID_INPUT naming boxes1 / boxes2 and the row): coordinates finite and within
 * +-2^24, x1 <= x2, y1 <= y2.
 *
 * NaN by reference: where the reference itself divides 0 by 0, `out` holds NaN, as the
 * reference does: under the torchvision and yolox conventions for two boxes of zero area (a
 * zero-area box against itself included: IoU 0 / 0, and torchvision's GIoU, DIoU and CIoU built
 * on it), and under torchvision's CIoU also for a point box (x1 = x2 and y1 = y2) against any
 * box (atan(0 / 0) in its aspect term). mmdet (eps 1e-6) and ultralytics (eps 1e-7) never
 * return NaN. `out` is written only on LA_OK.
 */
int32_t la_overlap_matrix(const float *boxes1, int64_t n1, const float *boxes2, int64_t n2,
                          const char *kind, const char *convention, float *out,
                          char *error, int64_t error_capacity);

/* ------------------------------------------------------------------------------------------ */
/* Transport and matching on raw row-major matrices                                             */
/* ------------------------------------------------------------------------------------------ */

/**
 * Exact optimal transport (the Earth Mover's distance), float64: POT 0.9.7's
 * `ot.emd(a, b, M, numItermax, log=True)` to the bit (network simplex; plan, cost, duals).
 *
 * `M` is the n_rows x n_cols cost matrix, row-major; `a` (n_rows) and `b` (n_cols) are the masses,
 * or NULL for uniform weights 1 / n_rows and 1 / n_cols (POT's empty `a` / `b`). The totals must
 * agree to 1.5e-6 (POT's check), then `b` is rescaled to sum(a). `num_itermax` bounds the pivots
 * (POT's default is 100000; 0: no bound). `plan_out` (n_rows * n_cols values, row-major) must
 * not be NULL; `cost_out` (sum of plan * M: POT's log["cost"]) may be NULL. `u_out` (n_rows) and
 * `v_out` (n_cols), each or NULL, receive POT's log["u"] and log["v"]: dual potentials with
 * u_i + v_j <= M_ij, centred as POT's `center_dual=True` (sum(a * u) = sum(b * v)), the
 * zero-mass rows and columns lowered as POT's `estimate_dual_null_weights`. Integer masses
 * give an integral plan.
 *
 * Errors: n_rows or n_cols < 1, a negative num_itermax, NULL `M` or `plan_out`, or an
 * n_rows * n_cols that overflows: LA_ERROR_ARGUMENT. Negative or non-finite masses, non-finite
 * costs, unequal totals, zero total mass: LA_ERROR_INVALID_INPUT naming `a`, `b` or `M`. About
 * 32 bytes per entry beyond LABELASSIGN_MAX_BUFFER_BYTES: LA_ERROR_LIMIT.
 * LA_ERROR_MAX_ITER_REACHED: see above (plan, cost and duals of the current basis are written).
 * On every other error, once the counts were checked, `plan_out`, `u_out` and `v_out` are
 * filled with 0 and `*cost_out` is set to 0.
 */
int32_t la_emd(const double *a, const double *b, const double *M, int64_t n_rows, int64_t n_cols,
               int64_t num_itermax, double *plan_out, double *cost_out, double *u_out, double *v_out,
               char *error, int64_t error_capacity);

/** `ot.emd2`: the cost of `la_emd` only (`cost_out` must not be NULL); the same rules and errors. */
int32_t la_emd2(const double *a, const double *b, const double *M, int64_t n_rows, int64_t n_cols,
                int64_t num_itermax, double *cost_out, char *error, int64_t error_capacity);

/**
 * POT 0.9.7 `ot.sinkhorn(a, b, M, reg, method, numItermax, stopThr, warmstart=..., log=True,
 * tau=..., print_period=...)` in float64, as `labelassign ot` solves it.
 *
 * `M` n_rows x n_cols (required); `a` (n_rows) / `b` (n_cols), NULL: uniform (POT's empty
 * a / b); their totals must balance (relative 1e-8). `method` "sinkhorn", "sinkhorn_log" or
 * "sinkhorn_stabilized" (NULL: "sinkhorn"). `num_itermax` in [1, 10^7], `reg` finite > 0,
 * `stop_thr` finite >= 0, `tau` finite > 0 (POT's default 1e3) and `print_period` >= 1 (20),
 * checked for every method, used by "sinkhorn_stabilized" only (absorption threshold; its
 * error is checked every print_period iterations, the other methods' every 10).
 * `warmstart_u` / `warmstart_v`: both NULL, or n_rows / n_cols values (POT's warmstart:
 * log-scalings for sinkhorn and sinkhorn_log, alpha / beta for sinkhorn_stabilized; finite or
 * -inf).
 *
 * Outputs: `plan_out` (n_rows x n_cols, required); `u_out` / `v_out` (n_rows / n_cols, or NULL):
 * POT's log u, v (sinkhorn), log_u, log_v (sinkhorn_log), alpha, beta (sinkhorn_stabilized);
 * `niter_out` (POT's log["niter"]), `err_out` (the last marginal error), `status_out` (0
 * converged, 1 stalled: 20 error checks in a row without a new smallest error, at the floor
 * float64 rounding allows; 2 max_iter_reached; 3 numerical_error), each or NULL. POT's whole
 * log["err"], every checked error in order: the first min(count, errors_capacity) go to
 * `errors_out` (NULL only with errors_capacity 0) and the count, also when larger than the
 * capacity, to `*num_errors_out` (or NULL); at most num_itermax / check period + 1 values.
 * Not converging is LA_OK with the status set (POT warns, it does not fail).
 *
 * Errors: n_rows or n_cols < 1, a size that overflows, NULL `M` or `plan_out`, a negative
 * errors_capacity or a NULL errors_out with a positive one, only one warm start given, an
 * unknown method: LA_ERROR_ARGUMENT. Negative or non-finite masses, non-finite costs,
 * unbalanced or zero totals, a parameter outside its domain, NaN or +inf in a warm start, a
 * plan that over- or underflows (reg too small for the cost range; sinkhorn_log avoids it):
 * LA_ERROR_INVALID_INPUT. Buffers beyond LABELASSIGN_MAX_BUFFER_BYTES: LA_ERROR_LIMIT. On every
 * error `*niter_out` is 0, `*err_out` NaN, `*num_errors_out` 0 and `*status_out` -1; once the
 * counts were checked, `plan_out`, `u_out` and `v_out` are filled with 0 (`errors_out` is not
 * written).
 */
int32_t la_sinkhorn(const double *a, const double *b, const double *M, int64_t n_rows, int64_t n_cols,
                    double reg, const char *method, int64_t num_itermax, double stop_thr,
                    double tau, int64_t print_period,
                    const double *warmstart_u, const double *warmstart_v,
                    double *plan_out, double *u_out, double *v_out,
                    int64_t *niter_out, double *err_out,
                    double *errors_out, int64_t errors_capacity, int64_t *num_errors_out,
                    int32_t *status_out, char *error, int64_t error_capacity);

/**
 * Megvii OTA's float32 log-domain Sinkhorn with a fixed number of iterations and no
 * convergence test: u = v = 1, then `iterations` times v <- eps (ln(nu + 1e-8) - LSE_i M) + v,
 * u <- eps (ln(mu + 1e-8) - LSE_j M) + u with M_ij = (-cost_ij + u_i + v_j) / eps; plan = exp(M).
 *
 * `cost` (n_rows x n_cols), `mu` (n_rows), `nu` (n_cols), all required, finite, the masses >= 0
 * (they need not balance); eps finite > 0, iterations >= 0. Outputs: `plan_out` (n_rows x n_cols,
 * required), `u_out` / `v_out` (n_rows / n_cols, or NULL).
 *
 * Errors: n_rows or n_cols < 1, a size that overflows, a NULL required pointer:
 * LA_ERROR_ARGUMENT. Bad values, eps <= 0, negative iterations, a plan that over- or
 * underflows: LA_ERROR_INVALID_INPUT. LA_ERROR_LIMIT as la_sinkhorn. On every error, once the
 * counts were checked, the given arrays are filled with 0.
 */
int32_t la_sinkhorn_fixed(const float *cost, const float *mu, const float *nu, int64_t n_rows, int64_t n_cols,
                          float eps, int32_t iterations, float *plan_out, float *u_out, float *v_out,
                          char *error, int64_t error_capacity);

/**
 * scipy 1.17 `linear_sum_assignment(cost, maximize)`, the same pairs, ties included: `cost` is
 * float64 n_rows x n_cols row-major (n_rows, n_cols >= 0; an empty matrix has the empty
 * matching). `maximize` != 0: maximum weight.
 *
 * As scipy: +inf entries are forbidden pairs (with maximize: -inf entries); NaN and -inf entries
 * (with maximize: NaN and +inf) are LA_ERROR_INVALID_INPUT ("matrix contains invalid numeric
 * entries" in scipy; the message names the first entry); a matrix whose allowed entries admit no
 * matching of the shorter side is LA_ERROR_INVALID_INPUT "cost matrix is infeasible".
 *
 * Outputs: `row_ind` / `col_ind` receive min(n_rows, n_cols) indices (scipy's return: pairs
 * sorted by row; required unless that count is 0); `*count_out` that count; `*total_out` the
 * sum of the matched costs (numpy's summation order; +-inf when it overflows). count_out and
 * total_out may be NULL. Errors: negative counts, n_rows * n_cols overflowing, NULL `cost`
 * (with entries) or index arrays: LA_ERROR_ARGUMENT; LA_ERROR_LIMIT as la_sinkhorn. On every
 * error `*count_out` is 0 and `*total_out` NaN, and, once the counts were checked, the index
 * arrays are filled with -1.
 */
int32_t la_linear_sum_assignment(const double *cost, int64_t n_rows, int64_t n_cols, int32_t maximize,
                                 int64_t *row_ind, int64_t *col_ind, int64_t *count_out, double *total_out,
                                 char *error, int64_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
