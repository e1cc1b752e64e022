/*
 * Single-pair box formulas of the references, each defined once.
 *
 * The batched kernels (overlap.c, candidates.c, maxiou.c, dynamic_cost.c) and the Swift paths
 * (task-aligned, ATSS, max-IoU, ignore regions, OTA, YOLOv5 objectness) all call these
 * functions. They are `static inline` and always inlined: a loop over one vectorises as if the
 * formula were written out in it, and Swift imports them and inlines them too. Each reproduces
 * its reference operation for operation in float32, with contraction off (lak_config.h), so a
 * pair gives the same bits wherever it is computed; the assigners' top-k ties depend on that.
 *
 * Boxes are `x1, y1, x2, y2` (4 floats) unless a function says otherwise; `a` is the reference's
 * first argument, `b` its second. min / max are torch.minimum / torch.maximum for operands that
 * are not NaN, written `a < b ? a : b` and `a > b ? a : b` (one minss / maxss each; equal
 * operands give b, as Swift's min and max do); a clamp at 0 is `v < 0 ? 0 : v` (NaN passes
 * through, as with torch.clamp).
 */
#ifndef LAK_PAIR_GEOMETRY_H
#define LAK_PAIR_GEOMETRY_H

#include <float.h>
#include <math.h>

#include "../lak_config.h"

/* 4 / pi^2 as float32: the Python double constant multiplied into a float32 tensor. */
#define LAK_FOUR_OVER_PI2 0.40528473456935108f
/* eps of mmdet bbox_overlaps. */
#define LAK_MMDET_EPS 1e-6f
/* eps of torchvision's distance / complete IoU and of ultralytics / yolov5 bbox_iou. */
#define LAK_BBOX_EPS 1e-7f

/* ------------------------------------------------------------------ building blocks */

LAK_INLINE float lak_minf(float a, float b) { return a < b ? a : b; }
LAK_INLINE float lak_maxf(float a, float b) { return a > b ? a : b; }
LAK_INLINE float lak_clamp0(float v) { return v < 0.0f ? 0.0f : v; }

/** Length of the intersection of [a1, a2] and [b1, b2]: clamp(min(a2, b2) - max(a1, b1), 0). */
LAK_INLINE float lak_overlap_1d(float a1, float a2, float b1, float b2) {
    return lak_clamp0(lak_minf(a2, b2) - lak_maxf(a1, b1));
}

/** Side of the smallest enclosing interval: max(a2, b2) - min(a1, b1) (not clamped). */
LAK_INLINE float lak_enclose_1d(float a1, float a2, float b1, float b2) {
    return lak_maxf(a2, b2) - lak_minf(a1, b1);
}

/** Area (x2 - x1) * (y2 - y1). */
LAK_INLINE float lak_box_area(float x1, float y1, float x2, float y2) { return (x2 - x1) * (y2 - y1); }

/** Intersection area of two boxes: overlap_x * overlap_y (each clamped at 0). */
LAK_INLINE float lak_intersection(const float *a, const float *b) {
    return lak_overlap_1d(a[0], a[2], b[0], b[2]) * lak_overlap_1d(a[1], a[3], b[1], b[3]);
}

/* ------------------------------------------------------------------ mmdet 3.3 bbox_overlaps */

/* torch.max(v, eps) of bbox_overlaps: v below eps becomes eps, NaN stays NaN. */
LAK_INLINE float lak_mmdet_floor(float v) { return v < LAK_MMDET_EPS ? LAK_MMDET_EPS : v; }

/**
 * mmdet `bbox_overlaps(mode='iou')` (mmdet 3.3 structures/bbox/bbox_overlaps.py) from its
 * parts: union = area1 + area2 - overlap; IoU = overlap / max(union, 1e-6). For kernels that
 * have the overlap and the areas already (maxiou.c's grid blocks, dynamic_cost.c's columns).
 */
LAK_INLINE float lak_iou_mmdet_parts(float overlap, float area1, float area2) {
    return overlap / lak_mmdet_floor(area1 + area2 - overlap);
}

/**
 * mmdet `bbox_overlaps(mode='iou')` of boxes given by their coordinates:
 * area1 = (ax2 - ax1) * (ay2 - ay1), area2 likewise, overlap = w * h with
 * w = clamp(min(ax2, bx2) - max(ax1, bx1), 0), then `lak_iou_mmdet_parts`.
 */
LAK_INLINE float lak_iou_mmdet_coords(float ax1, float ay1, float ax2, float ay2,
                                      float bx1, float by1, float bx2, float by2) {
    float overlap = lak_overlap_1d(ax1, ax2, bx1, bx2) * lak_overlap_1d(ay1, ay2, by1, by2);
    return lak_iou_mmdet_parts(overlap, lak_box_area(ax1, ay1, ax2, ay2), lak_box_area(bx1, by1, bx2, by2));
}

/** mmdet `bbox_overlaps(a, b, mode='iou')` of one pair (see lak_iou_mmdet_coords). */
LAK_INLINE float lak_iou_mmdet(const float *a, const float *b) {
    return lak_iou_mmdet_coords(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);
}

/**
 * mmdet `bbox_overlaps(a, b, mode='iof')`: intersection over the first box's area,
 * overlap / max(area1, 1e-6).
 */
LAK_INLINE float lak_iof_mmdet(const float *a, const float *b) {
    return lak_intersection(a, b) / lak_mmdet_floor(lak_box_area(a[0], a[1], a[2], a[3]));
}

/**
 * mmdet `bbox_overlaps(a, b, mode='giou')`: union = max(area1 + area2 - overlap, 1e-6),
 * IoU = overlap / union, enclosing area = max(ew * eh, 1e-6) with
 * ew = clamp(max(ax2, bx2) - min(ax1, bx1), 0), GIoU = IoU - (enclosing - union) / enclosing.
 */
LAK_INLINE float lak_giou_mmdet(const float *a, const float *b) {
    float overlap = lak_intersection(a, b);
    float uni = lak_mmdet_floor(lak_box_area(a[0], a[1], a[2], a[3]) + lak_box_area(b[0], b[1], b[2], b[3]) - overlap);
    float iou = overlap / uni;
    float ew = lak_clamp0(lak_enclose_1d(a[0], a[2], b[0], b[2]));
    float eh = lak_clamp0(lak_enclose_1d(a[1], a[3], b[1], b[3]));
    float enclose = lak_mmdet_floor(ew * eh);
    return iou - (enclose - uni) / enclose;
}

/* ------------------------------------------------------------------ YOLOX 0.3.0 bboxes_iou */

/**
 * YOLOX `bboxes_iou` (yolox/utils/boxes.py) from the corners and the areas it uses:
 * tl = max of the top-left corners, br = min of the bottom-right corners,
 * en = (tl < br) in both axes (1 or 0), area_i = (br_x - tl_x) * (br_y - tl_y) * en,
 * IoU = area_i / (area_a + area_b - area_i). No eps: two empty boxes give 0 / 0.
 * In its xyxy mode area = (x2 - x1) * (y2 - y1); in its cx,cy,w,h mode the corners are
 * c -+ w / 2 and area = w * h (dynamic_cost.c's columns).
 */
LAK_INLINE float lak_iou_yolox_parts(float ax1, float ay1, float ax2, float ay2, float area_a,
                                     float bx1, float by1, float bx2, float by2, float area_b) {
    float tlx = lak_maxf(ax1, bx1), tly = lak_maxf(ay1, by1);
    float brx = lak_minf(ax2, bx2), bry = lak_minf(ay2, by2);
    float en = ((tlx < brx) & (tly < bry)) ? 1.0f : 0.0f;
    float inter = (brx - tlx) * (bry - tly) * en;
    return inter / (area_a + area_b - inter);
}

/** YOLOX `bboxes_iou(a, b, xyxy=True)` of one pair (see lak_iou_yolox_parts). */
LAK_INLINE float lak_iou_yolox(const float *a, const float *b) {
    return lak_iou_yolox_parts(a[0], a[1], a[2], a[3], lak_box_area(a[0], a[1], a[2], a[3]),
                               b[0], b[1], b[2], b[3], lak_box_area(b[0], b[1], b[2], b[3]));
}

/* ------------------------------------------------------------------ torchvision 0.29 ops */

/**
 * torchvision `box_iou` (torchvision/ops/boxes.py, `_box_inter_union`): inter = w * h with
 * w = clamp(min(ax2, bx2) - max(ax1, bx1), 0), union = area1 + area2 - inter,
 * IoU = inter / union (no eps). Writes the union to *uni.
 */
LAK_INLINE float lak_iou_union_torchvision(const float *a, const float *b, float *uni) {
    float inter = lak_intersection(a, b);
    *uni = lak_box_area(a[0], a[1], a[2], a[3]) + lak_box_area(b[0], b[1], b[2], b[3]) - inter;
    return inter / *uni;
}

/** torchvision `box_iou` of one pair. */
LAK_INLINE float lak_iou_torchvision(const float *a, const float *b) {
    float uni;
    return lak_iou_union_torchvision(a, b, &uni);
}

/* Clamped sides of the enclosing box (torchvision `whi = (rbi - lti).clamp(min=0)`). */
LAK_INLINE float lak_enclose_w_torchvision(const float *a, const float *b) { return lak_clamp0(lak_enclose_1d(a[0], a[2], b[0], b[2])); }
LAK_INLINE float lak_enclose_h_torchvision(const float *a, const float *b) { return lak_clamp0(lak_enclose_1d(a[1], a[3], b[1], b[3])); }

/**
 * torchvision `generalized_box_iou`: IoU as box_iou, areai = wi * hi (enclosing sides clamped
 * at 0), GIoU = IoU - (areai - union) / areai.
 */
LAK_INLINE float lak_giou_torchvision(const float *a, const float *b) {
    float uni;
    float iou = lak_iou_union_torchvision(a, b, &uni);
    float areai = lak_enclose_w_torchvision(a, b) * lak_enclose_h_torchvision(a, b);
    return iou - (areai - uni) / areai;
}

/**
 * torchvision `distance_box_iou` (`_box_diou_iou`, eps 1e-7): diag = wi^2 + hi^2 + eps,
 * centres ((x1 + x2) / 2, (y1 + y2) / 2), cdist = dx^2 + dy^2 (dx = a's centre - b's),
 * DIoU = IoU - cdist / diag. Writes the IoU to *iou.
 */
LAK_INLINE float lak_diou_iou_torchvision(const float *a, const float *b, float *iou) {
    *iou = lak_iou_torchvision(a, b);
    float wi = lak_enclose_w_torchvision(a, b), hi = lak_enclose_h_torchvision(a, b);
    float diag = wi * wi + hi * hi + LAK_BBOX_EPS;
    float dx = (a[0] + a[2]) / 2.0f - (b[0] + b[2]) / 2.0f;
    float dy = (a[1] + a[3]) / 2.0f - (b[1] + b[3]) / 2.0f;
    float cdist = dx * dx + dy * dy;
    return *iou - cdist / diag;
}

/** torchvision `distance_box_iou` of one pair. */
LAK_INLINE float lak_diou_torchvision(const float *a, const float *b) {
    float iou;
    return lak_diou_iou_torchvision(a, b, &iou);
}

/**
 * torchvision `complete_box_iou` (eps 1e-7): v = 4/pi^2 * (atan(wa / ha) - atan(wb / hb))^2,
 * alpha = v / (1 - IoU + v + eps), CIoU = DIoU - alpha * v.
 */
LAK_INLINE float lak_ciou_torchvision(const float *a, const float *b) {
    float iou;
    float diou = lak_diou_iou_torchvision(a, b, &iou);
    float d = atanf((a[2] - a[0]) / (a[3] - a[1])) - atanf((b[2] - b[0]) / (b[3] - b[1]));
    float v = LAK_FOUR_OVER_PI2 * (d * d);
    float alpha = v / (1.0f - iou + v + LAK_BBOX_EPS);
    return diou - alpha * v;
}

/* ------------------------------------------------ ultralytics 8.4 / yolov5 7.0 bbox_iou */

/**
 * One box as `bbox_iou` (ultralytics 8.4.190 and yolov5 7.0 `utils/metrics.py`) holds it after
 * splitting its argument: the corners and the width and height its areas and aspect use.
 */
typedef struct {
    float x1, y1, x2, y2, w, h;
} lak_bbox_iou_box;

/** ultralytics 8.4 `bbox_iou(xywh=False)`: w = x2 - x1, h = y2 - y1 + eps. */
LAK_INLINE lak_bbox_iou_box lak_bbox_iou_xyxy_ultralytics8(const float *b) {
    lak_bbox_iou_box r = {b[0], b[1], b[2], b[3], b[2] - b[0], b[3] - b[1] + LAK_BBOX_EPS};
    return r;
}

/** yolov5 7.0 `bbox_iou(xywh=False)`: w = x2 - x1, h = (y2 - y1).clamp(eps). */
LAK_INLINE lak_bbox_iou_box lak_bbox_iou_xyxy_yolov5(const float *b) {
    float h = b[3] - b[1];
    lak_bbox_iou_box r = {b[0], b[1], b[2], b[3], b[2] - b[0], h < LAK_BBOX_EPS ? LAK_BBOX_EPS : h};
    return r;
}

/** `bbox_iou(xywh=True)` (both versions): corners x -+ w / 2, y -+ h / 2, w and h as given. */
LAK_INLINE lak_bbox_iou_box lak_bbox_iou_xywh(const float *b) {
    float hw = b[2] / 2.0f, hh = b[3] / 2.0f;
    lak_bbox_iou_box r = {b[0] - hw, b[1] - hh, b[0] + hw, b[1] + hh, b[2], b[3]};
    return r;
}

/**
 * `bbox_iou` IoU: inter = clamp(min(x2) - max(x1), 0) * clamp(min(y2) - max(y1), 0),
 * union = w1 * h1 + w2 * h2 - inter + eps, IoU = inter / union. Writes the union to *uni.
 */
LAK_INLINE float lak_bbox_iou_union(lak_bbox_iou_box p, lak_bbox_iou_box q, float *uni) {
    float inter = lak_overlap_1d(p.x1, p.x2, q.x1, q.x2) * lak_overlap_1d(p.y1, p.y2, q.y1, q.y2);
    *uni = p.w * p.h + q.w * q.h - inter + LAK_BBOX_EPS;
    return inter / *uni;
}

/** `bbox_iou` IoU of two split boxes. */
LAK_INLINE float lak_bbox_iou(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    float uni;
    return lak_bbox_iou_union(p, q, &uni);
}

/**
 * `bbox_iou(GIoU=True)`: cw = max(x2) - min(x1), ch likewise (not clamped),
 * c_area = cw * ch + eps, GIoU = IoU - (c_area - union) / c_area.
 */
LAK_INLINE float lak_bbox_giou(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    float uni;
    float iou = lak_bbox_iou_union(p, q, &uni);
    float c_area = lak_enclose_1d(p.x1, p.x2, q.x1, q.x2) * lak_enclose_1d(p.y1, p.y2, q.y1, q.y2) + LAK_BBOX_EPS;
    return iou - (c_area - uni) / c_area;
}

/**
 * The distance term of `bbox_iou(DIoU=True)` / `(CIoU=True)`: c2 = cw^2 + ch^2 + eps,
 * rho2 = ((q.x1 + q.x2 - p.x1 - p.x2)^2 + (q.y1 + q.y2 - p.y1 - p.y2)^2) / 4; returns rho2 / c2.
 */
LAK_INLINE float lak_bbox_distance_term(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    float cw = lak_enclose_1d(p.x1, p.x2, q.x1, q.x2), ch = lak_enclose_1d(p.y1, p.y2, q.y1, q.y2);
    float c2 = cw * cw + ch * ch + LAK_BBOX_EPS;
    float sx = q.x1 + q.x2 - p.x1 - p.x2, sy = q.y1 + q.y2 - p.y1 - p.y2;
    float rho2 = (sx * sx + sy * sy) / 4.0f;
    return rho2 / c2;
}

/** `bbox_iou(DIoU=True)`: IoU - rho2 / c2. */
LAK_INLINE float lak_bbox_diou(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    return lak_bbox_iou(p, q) - lak_bbox_distance_term(p, q);
}

/** One box's share of the CIoU aspect term, atan(w / h): it depends on the box alone. */
LAK_INLINE float lak_bbox_aspect_atan(lak_bbox_iou_box p) { return atanf(p.w / p.h); }

/** The aspect term from the boxes' `lak_bbox_aspect_atan`: v = 4/pi^2 * (atan_q - atan_p)^2. */
LAK_INLINE float lak_bbox_aspect_term_atans(float atan_p, float atan_q) {
    float d = atan_q - atan_p;
    return LAK_FOUR_OVER_PI2 * (d * d);
}

/** The aspect term of `bbox_iou(CIoU=True)`: v = 4/pi^2 * (atan(w2 / h2) - atan(w1 / h1))^2. */
LAK_INLINE float lak_bbox_aspect_term(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    return lak_bbox_aspect_term_atans(lak_bbox_aspect_atan(p), lak_bbox_aspect_atan(q));
}

/**
 * ultralytics 8.4 `bbox_iou(CIoU=True)` with the aspect term v given:
 * alpha = v / (1 - IoU + v + eps), CIoU = IoU - (rho2 / c2 + v * alpha).
 */
LAK_INLINE float lak_bbox_ciou_ultralytics8_v(lak_bbox_iou_box p, lak_bbox_iou_box q, float v) {
    float iou = lak_bbox_iou(p, q), distance = lak_bbox_distance_term(p, q);
    float alpha = v / (1.0f - iou + v + LAK_BBOX_EPS);
    return iou - (distance + v * alpha);
}

/** ultralytics 8.4 `bbox_iou(CIoU=True)`. */
LAK_INLINE float lak_bbox_ciou_ultralytics8(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    return lak_bbox_ciou_ultralytics8_v(p, q, lak_bbox_aspect_term(p, q));
}

/**
 * yolov5 7.0 `bbox_iou(CIoU=True)`: alpha = v / (v - IoU + (1 + eps)),
 * CIoU = IoU - (rho2 / c2 + v * alpha).
 */
LAK_INLINE float lak_bbox_ciou_yolov5(lak_bbox_iou_box p, lak_bbox_iou_box q) {
    float iou = lak_bbox_iou(p, q), distance = lak_bbox_distance_term(p, q);
    float v = lak_bbox_aspect_term(p, q);
    float alpha = v / (v - iou + (1.0f + LAK_BBOX_EPS));
    return iou - (distance + v * alpha);
}

/* The xyxy entry points, one per (version, kind). */
#define LAK_UL8(f, a, b) f(lak_bbox_iou_xyxy_ultralytics8(a), lak_bbox_iou_xyxy_ultralytics8(b))
#define LAK_V5(f, a, b) f(lak_bbox_iou_xyxy_yolov5(a), lak_bbox_iou_xyxy_yolov5(b))
/** ultralytics 8.4 `bbox_iou(a, b, xywh=False)`. */
LAK_INLINE float lak_iou_ultralytics8(const float *a, const float *b) { return LAK_UL8(lak_bbox_iou, a, b); }
/** ultralytics 8.4 `bbox_iou(a, b, xywh=False, GIoU=True)`. */
LAK_INLINE float lak_giou_ultralytics8(const float *a, const float *b) { return LAK_UL8(lak_bbox_giou, a, b); }
/** ultralytics 8.4 `bbox_iou(a, b, xywh=False, DIoU=True)`. */
LAK_INLINE float lak_diou_ultralytics8(const float *a, const float *b) { return LAK_UL8(lak_bbox_diou, a, b); }
/** ultralytics 8.4 `bbox_iou(a, b, xywh=False, CIoU=True)` (what its TaskAlignedAssigner and BboxLoss use). */
LAK_INLINE float lak_ciou_ultralytics8(const float *a, const float *b) { return LAK_UL8(lak_bbox_ciou_ultralytics8, a, b); }
/** `atan(w / h)` of an xyxy box as ultralytics 8.4 `bbox_iou` splits it (h + eps). */
LAK_INLINE float lak_aspect_atan_ultralytics8(const float *a) { return lak_bbox_aspect_atan(lak_bbox_iou_xyxy_ultralytics8(a)); }
/**
 * `lak_ciou_ultralytics8(a, b)` with each box's `lak_aspect_atan_ultralytics8` computed once by
 * the caller: the same bits, one atanf per box instead of two per pair.
 */
LAK_INLINE float lak_ciou_ultralytics8_atans(const float *a, const float *b, float atan_a, float atan_b) {
    return lak_bbox_ciou_ultralytics8_v(lak_bbox_iou_xyxy_ultralytics8(a), lak_bbox_iou_xyxy_ultralytics8(b),
                                        lak_bbox_aspect_term_atans(atan_a, atan_b));
}
/** yolov5 7.0 `bbox_iou(a, b, xywh=False)`. */
LAK_INLINE float lak_iou_yolov5(const float *a, const float *b) { return LAK_V5(lak_bbox_iou, a, b); }
/** yolov5 7.0 `bbox_iou(a, b, xywh=False, GIoU=True)`. */
LAK_INLINE float lak_giou_yolov5(const float *a, const float *b) { return LAK_V5(lak_bbox_giou, a, b); }
/** yolov5 7.0 `bbox_iou(a, b, xywh=False, DIoU=True)`. */
LAK_INLINE float lak_diou_yolov5(const float *a, const float *b) { return LAK_V5(lak_bbox_diou, a, b); }
/** yolov5 7.0 `bbox_iou(a, b, xywh=False, CIoU=True)`. */
LAK_INLINE float lak_ciou_yolov5(const float *a, const float *b) { return LAK_V5(lak_bbox_ciou_yolov5, a, b); }
#undef LAK_UL8
#undef LAK_V5

/** yolov5 7.0 `bbox_iou(a, b, CIoU=True)` on cx, cy, w, h boxes (ComputeLoss's `pbox`, `tbox`). */
LAK_INLINE float lak_ciou_yolov5_xywh(const float *a, const float *b) {
    return lak_bbox_ciou_yolov5(lak_bbox_iou_xywh(a), lak_bbox_iou_xywh(b));
}

/* ------------------------------------------------------------------ Megvii OTA */

/**
 * OTA (Megvii-BaseDetection/OTA, cvpods `get_ious_and_iou_loss` in ltrb mode), IoU only.
 * Prediction and target are distances (l, t, r, b) from the prior point; each becomes the box
 * (-l, -t, r, b). Areas clamp each side: clamp(r - (-l), 0) * clamp(b - (-t), 0);
 * inter = clamp(min(r) - max(-l), 0) * clamp(min(b) - max(-t), 0);
 * IoU = inter / max((target area + pred area) - inter, FLT_EPSILON).
 */
LAK_INLINE float lak_iou_ota_ltrb(float pl, float pt, float pr, float pb, float tl, float tt, float tr, float tb) {
    float ia = lak_clamp0(pr - (-pl)) * lak_clamp0(pb - (-pt));
    float ta = lak_clamp0(tr - (-tl)) * lak_clamp0(tb - (-tt));
    float inter = lak_overlap_1d(-pl, pr, -tl, tr) * lak_overlap_1d(-pt, pb, -tt, tb);
    float uni = (ta + ia) - inter;
    return inter / (uni < FLT_EPSILON ? FLT_EPSILON : uni);
}

#endif
