/*
 * Cost kernels of the dynamic-k assigners (SimOTA and its presets, RTMDet's
 * dynamic soft-label assigner).
 *
 * They work on candidate priors only, stored as structure-of-arrays columns
 * (one float array per quantity, `m` entries each), and never build an
 * objects x priors x classes tensor: the class cost over C classes becomes one
 * per-prior sum against the all-zero target plus, per (object, prior) pair, a
 * correction at the object's class. Classes that occur among the objects are
 * given as "label slots" (j = 0..<slots); per-slot tables are slot-major
 * (`table[j * m + i]`).
 *
 * Transcendental functions are evaluated with branch-free single-precision
 * approximations (about 1 ulp), so the loops vectorise; results are identical
 * on every code path (no fused multiply-add).
 */
#ifndef LABELASSIGN_DYNAMIC_COST_H
#define LABELASSIGN_DYNAMIC_COST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which priors an object's candidate region holds. */
typedef enum {
    /** Inside the box or inside the centre square (YOLOX 0.3.0, mmdet SimOTA). */
    LAK_REGION_BOX_OR_CENTRE = 0,
    /** Inside the centre square only (YOLOX main). */
    LAK_REGION_CENTRE = 1,
    /** Strictly inside the box only (RTMDet dynamic soft label). */
    LAK_REGION_BOX = 2,
} lak_region;

/** Whose IoU a cost row uses. */
typedef enum {
    /** YOLOX `bboxes_iou` on cx,cy,w,h boxes: strict overlap test, no eps. */
    LAK_PAIR_IOU_YOLOX = 0,
    /** mmdet `bbox_overlaps`: union floored at 1e-6. */
    LAK_PAIR_IOU_MMDET = 1,
} lak_pair_iou;

/**
 * One object's geometry as the region tests and the IoU use it.
 * Region edges: `left, right, top, bottom` (the prior centre must be strictly
 * inside) and `cx, cy` (the centre square is cx +- rx, cy +- ry per prior).
 * IoU box: for LAK_PAIR_IOU_YOLOX `box = {x1, y1, x2, y2}` computed as cx -+ w/2,
 * `area = w * h`; for LAK_PAIR_IOU_MMDET the xyxy box and its area.
 */
typedef struct {
    float left, right, top, bottom;
    float cx, cy;
    float box[4];
    float area;
} lak_object_geometry;

/**
 * Candidate columns. `x, y`: prior centres; `rx, ry`: centre-square half
 * sides (radius * stride); `stride`: the stride dividing centre distances
 * (RTMDet); `box1..4, area`: predicted boxes as the IoU convention wants them.
 */
typedef struct {
    const float *x, *y, *rx, *ry, *stride;
    const float *x1, *y1, *x2, *y2, *area;
} lak_candidates;

/**
 * Marks (mask[i] = 1) every prior lying in the candidate region of at least one
 * object. `x, y, rx, ry` are per-prior columns of length n; the mask is not
 * cleared first.
 */
void lak_region_mask(const float *x, const float *y, const float *rx, const float *ry, int64_t n,
                    const lak_object_geometry *objects, int64_t count, int region, uint8_t *mask);

/**
 * SimOTA class terms. For candidate i (prior p = index[i]) and class c:
 * q = sqrt(sigmoid(cls[p*C+c]) * sigmoid(obj[p])),
 * neg(q) = -max(log1p(-q), -100), pos(q) = -max(log(q), -100) (torch BCE).
 * Writes neg_sum[i] = sum over c of neg(q), and for slot j with class
 * slot_class[j]: neg_at[j*m+i] and pos_at[j*m+i]. `scratch` holds 2*C floats.
 * Returns the first candidate whose sum is not finite, or -1.
 */
int64_t lak_simota_class_terms(const float *cls, const float *obj, int64_t classes,
                              const int32_t *index, int64_t m,
                              const int32_t *slot_class, int64_t slots,
                              float *neg_sum, float *neg_at, float *pos_at, float *scratch);

/**
 * One object's SimOTA cost and IoU rows over the m candidates:
 * cost = (cls * cls_weight + iou_weight * -log(iou + eps)) + (geometry ? 0 : penalty),
 * cls = (neg_sum - neg_at) + pos_at (at the object's slot), geometry = in box
 * and in centre (LAK_REGION_BOX_OR_CENTRE) or in centre (LAK_REGION_CENTRE).
 * A 0/0 IoU counts as 0.
 */
void lak_simota_cost_row(const lak_object_geometry *object, const lak_candidates *cand, int64_t m,
                        const float *neg_sum, const float *neg_at, const float *pos_at,
                        int region, int iou_kind, float cls_weight, float iou_weight, float eps,
                        float penalty, float *cost, float *iou);

/**
 * Dynamic soft-label class terms (logits x): s = sigmoid(x),
 * ls = min(x, 0) - log1p(exp(-|x|)), t0 = (x - ls) * (s * s).
 * Writes neg_sum[i] = sum over c of t0, and x, s, ls at each slot.
 * `scratch` holds 3*C floats. Returns the first candidate whose sum is not
 * finite, or -1.
 */
int64_t lak_dsl_class_terms(const float *cls, int64_t classes, const int32_t *index, int64_t m,
                           const int32_t *slot_class, int64_t slots,
                           float *neg_sum, float *x_at, float *sig_at, float *logsig_at, float *scratch);

/**
 * One object's dynamic soft-label cost and IoU rows (mmdet IoU):
 * cost = (cls + -log(iou + eps) * iou_weight) + 10^(d / stride - radius) where
 * d is the prior-to-object-centre distance and
 * cls = (neg_sum - t0) + ((1 - iou) * x - ls) * ((iou - s) * (iou - s)).
 */
void lak_dsl_cost_row(const lak_object_geometry *object, const lak_candidates *cand, int64_t m,
                     const float *neg_sum, const float *x_at, const float *sig_at, const float *logsig_at,
                     float radius, float iou_weight, float eps, float *cost, float *iou);

/**
 * The running argmin of every candidate's cost column, fed one object's row at a time in object
 * order: where obj == 0 or cost[i] < best[i] (so the first object wins on equal costs),
 * best[i] = cost[i], best_obj[i] = obj, best_iou[i] = iou[i].
 */
void lak_column_min_update(const float *cost, const float *iou, int64_t m, int32_t obj,
                           float *best, int32_t *best_obj, float *best_iou);

/** Element-wise helpers (exposed for tests): out[i] = f(in[i]). 0 exp, 1 log, 2 log1p, 3 exp10. */
void lak_dynamic_math(int which, const float *in, int64_t n, float *out);

#ifdef __cplusplus
}
#endif

#endif
