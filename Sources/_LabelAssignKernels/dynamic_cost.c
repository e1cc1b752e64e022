#include "lak_config.h"

#include "lak_dynamic_cost.h"

#include <math.h>

#include "lak_pair_geometry.h"
#include "lak_vector_math.h"

/* Sum of v[0..<n] with eight interleaved accumulators, combined pairwise. */
static inline float lak_sum(const float *v, int64_t n) {
    float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) a[l] += v[i + l];
    for (int l = 0; i < n; i++, l++) a[l] += v[i];
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

static inline int lak_in_box(const lak_object_geometry *o, float x, float y) {
    return (x - o->left > 0.0f) & (o->right - x > 0.0f) & (y - o->top > 0.0f) & (o->bottom - y > 0.0f);
}

static inline int lak_in_centre(const lak_object_geometry *o, float x, float y, float rx, float ry) {
    return (x - (o->cx - rx) > 0.0f) & ((o->cx + rx) - x > 0.0f) & (y - (o->cy - ry) > 0.0f) &
           ((o->cy + ry) - y > 0.0f);
}

LAK_CLONES
void lak_region_mask(const float *x, const float *y, const float *rx, const float *ry, int64_t n,
                    const lak_object_geometry *objects, int64_t count, int region, uint8_t *mask) {
    for (int64_t g = 0; g < count; g++) {
        const lak_object_geometry o = objects[g];
        switch (region) {
        case LAK_REGION_BOX_OR_CENTRE:
            for (int64_t i = 0; i < n; i++)
                mask[i] |= (uint8_t)(lak_in_box(&o, x[i], y[i]) | lak_in_centre(&o, x[i], y[i], rx[i], ry[i]));
            break;
        case LAK_REGION_CENTRE:
            for (int64_t i = 0; i < n; i++) mask[i] |= (uint8_t)lak_in_centre(&o, x[i], y[i], rx[i], ry[i]);
            break;
        default:
            for (int64_t i = 0; i < n; i++) mask[i] |= (uint8_t)lak_in_box(&o, x[i], y[i]);
            break;
        }
    }
}

LAK_CLONES
static void lak_simota_row_terms(const float *logits, float obj_sigmoid, int64_t classes, float *q, float *neg) {
    _Pragma("clang loop interleave_count(4)")
    for (int64_t c = 0; c < classes; c++) {
        float v = __builtin_elementwise_sqrt(lak_sigmoid(logits[c]) * obj_sigmoid);
        q[c] = v;
        /* + (x - x): 0 for a finite logit, NaN otherwise, so a bad input shows in the sum. */
        neg[c] = -lak_maxf(lak_log1p(-v), -100.0f) + (logits[c] - logits[c]);
    }
}

LAK_CLONES
static void lak_neg_clamped_log(float *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) v[i] = -lak_maxf(lak_log(v[i]), -100.0f);
}

int64_t lak_simota_class_terms(const float *cls, const float *obj, int64_t classes,
                              const int32_t *index, int64_t m,
                              const int32_t *slot_class, int64_t slots,
                              float *neg_sum, float *neg_at, float *pos_at, float *scratch) {
    float *q = scratch, *neg = scratch + classes;
    int64_t bad = -1;
    for (int64_t i = 0; i < m; i++) {
        int64_t p = index[i];
        lak_simota_row_terms(cls + p * classes, lak_sigmoid(obj[p]), classes, q, neg);
        float s = lak_sum(neg, classes) + (obj[p] - obj[p]);
        neg_sum[i] = s;
        if (bad < 0 && !isfinite(s)) bad = i;
        for (int64_t j = 0; j < slots; j++) {
            neg_at[j * m + i] = neg[slot_class[j]];
            pos_at[j * m + i] = q[slot_class[j]];
        }
    }
    lak_neg_clamped_log(pos_at, slots * m);
    return bad;
}

/* YOLOX bboxes_iou of the object and candidate (l, t, r, b) with the given areas
 * (lak_iou_yolox_parts); a 0/0 IoU counts as 0, and + 0 makes a -0 (an empty intersection
 * of negative extent times en = 0) the +0 the reference's matched IoU sums give. */
LAK_INLINE float candidate_iou_yolox(const lak_object_geometry *o, float l, float t, float r, float b, float area) {
    float v = lak_iou_yolox_parts(o->box[0], o->box[1], o->box[2], o->box[3], o->area, l, t, r, b, area);
    return v == v ? v + 0.0f : 0.0f;
}

/* mmdet bbox_overlaps(candidate, object) with the given areas (lak_iou_mmdet_parts). */
LAK_INLINE float candidate_iou_mmdet(const lak_object_geometry *o, float x1, float y1, float x2, float y2, float area) {
    float overlap = lak_overlap_1d(x1, x2, o->box[0], o->box[2]) * lak_overlap_1d(y1, y2, o->box[1], o->box[3]);
    return lak_iou_mmdet_parts(overlap, area, o->area);
}

LAK_CLONES
void lak_simota_cost_row(const lak_object_geometry *object, const lak_candidates *cand, int64_t m,
                        const float *neg_sum, const float *neg_at, const float *pos_at,
                        int region, int iou_kind, float cls_weight, float iou_weight, float eps,
                        float penalty, float *cost, float *iou) {
    const lak_object_geometry o = *object;
    const float *x = cand->x, *y = cand->y, *rx = cand->rx, *ry = cand->ry;
    const float *x1 = cand->x1, *y1 = cand->y1, *x2 = cand->x2, *y2 = cand->y2, *area = cand->area;
    const int centre_only = region == LAK_REGION_CENTRE;
    if (iou_kind == LAK_PAIR_IOU_YOLOX) {
        for (int64_t i = 0; i < m; i++) iou[i] = candidate_iou_yolox(&o, x1[i], y1[i], x2[i], y2[i], area[i]);
    } else {
        for (int64_t i = 0; i < m; i++) iou[i] = candidate_iou_mmdet(&o, x1[i], y1[i], x2[i], y2[i], area[i]);
    }
    for (int64_t i = 0; i < m; i++) {
        int geometry = lak_in_centre(&o, x[i], y[i], rx[i], ry[i]) & (centre_only | lak_in_box(&o, x[i], y[i]));
        float cls = (neg_sum[i] - neg_at[i]) + pos_at[i];
        float iou_loss = -lak_log(iou[i] + eps);
        cost[i] = (cls * cls_weight + iou_weight * iou_loss) + (geometry ? 0.0f : penalty);
    }
}

LAK_CLONES
static void lak_dsl_row_terms(const float *x, int64_t classes, float *s, float *ls, float *t0) {
    _Pragma("clang loop interleave_count(4)")
    for (int64_t c = 0; c < classes; c++) {
        float v = x[c];
        float sig = lak_sigmoid(v);
        float logsig = lak_minf(v, 0.0f) - lak_log1p(lak_exp(-__builtin_fabsf(v)));
        s[c] = sig;
        ls[c] = logsig;
        t0[c] = (v - logsig) * (sig * sig) + (v - v); /* NaN for a non-finite logit */
    }
}

int64_t lak_dsl_class_terms(const float *cls, int64_t classes, const int32_t *index, int64_t m,
                           const int32_t *slot_class, int64_t slots,
                           float *neg_sum, float *x_at, float *sig_at, float *logsig_at, float *scratch) {
    float *s = scratch, *ls = scratch + classes, *t0 = scratch + 2 * classes;
    int64_t bad = -1;
    for (int64_t i = 0; i < m; i++) {
        const float *row = cls + (int64_t)index[i] * classes;
        lak_dsl_row_terms(row, classes, s, ls, t0);
        float sum = lak_sum(t0, classes);
        neg_sum[i] = sum;
        if (bad < 0 && !isfinite(sum)) bad = i;
        for (int64_t j = 0; j < slots; j++) {
            int32_t c = slot_class[j];
            x_at[j * m + i] = row[c];
            sig_at[j * m + i] = s[c];
            logsig_at[j * m + i] = ls[c];
        }
    }
    return bad;
}

LAK_CLONES
void lak_dsl_cost_row(const lak_object_geometry *object, const lak_candidates *cand, int64_t m,
                     const float *neg_sum, const float *x_at, const float *sig_at, const float *logsig_at,
                     float radius, float iou_weight, float eps, float *cost, float *iou) {
    const lak_object_geometry o = *object;
    const float *x = cand->x, *y = cand->y, *stride = cand->stride;
    const float *x1 = cand->x1, *y1 = cand->y1, *x2 = cand->x2, *y2 = cand->y2, *area = cand->area;
    for (int64_t i = 0; i < m; i++) {
        float p = candidate_iou_mmdet(&o, x1[i], y1[i], x2[i], y2[i], area[i]);
        iou[i] = p;
        float iou_cost = -lak_log(p + eps) * iou_weight;
        float dx = x[i] - o.cx, dy = y[i] - o.cy;
        float d = __builtin_elementwise_sqrt(dx * dx + dy * dy) / stride[i];
        float centre_prior = lak_exp10(d - radius);
        float v = x_at[i], sig = sig_at[i], logsig = logsig_at[i];
        float t0 = (v - logsig) * (sig * sig);
        float scale = p - sig;
        float t = ((1.0f - p) * v - logsig) * (scale * scale);
        float cls = (neg_sum[i] - t0) + t;
        cost[i] = (cls + iou_cost) + centre_prior;
    }
}

LAK_CLONES
void lak_column_min_update(const float *cost, const float *iou, int64_t m, int32_t obj,
                           float *best, int32_t *best_obj, float *best_iou) {
    const int first = obj == 0;
    for (int64_t i = 0; i < m; i++) {
        int take = first | (cost[i] < best[i]);
        best[i] = take ? cost[i] : best[i];
        best_obj[i] = take ? obj : best_obj[i];
        best_iou[i] = take ? iou[i] : best_iou[i];
    }
}

void lak_dynamic_math(int which, const float *in, int64_t n, float *out) {
    for (int64_t i = 0; i < n; i++) {
        switch (which) {
        case 0: out[i] = lak_exp(in[i]); break;
        case 1: out[i] = lak_log(in[i]); break;
        case 2: out[i] = lak_log1p(in[i]); break;
        default: out[i] = lak_exp10(in[i]); break;
        }
    }
}
