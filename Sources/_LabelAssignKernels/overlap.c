#include "lak_overlap.h"

#include <math.h>

/* 4/pi^2 as float32 (a Python double constant multiplied into a float32 tensor). */
#define LAK_FOUR_OVER_PI2 0.40528473456935108f

/* torch.max / torch.min element-wise (NaN aside). */
static inline float tmax(float a, float b) { return a >= b ? a : b; }
static inline float tmin(float a, float b) { return a <= b ? a : b; }
static inline float clamp0(float v) { return v < 0.0f ? 0.0f : v; }

/* ---------------------------------------------------------- torchvision */
static inline float tv_overlap(const float *a, const float *b, int kind) {
    float area1 = (a[2] - a[0]) * (a[3] - a[1]);
    float area2 = (b[2] - b[0]) * (b[3] - b[1]);
    float w = clamp0(tmin(a[2], b[2]) - tmax(a[0], b[0]));
    float h = clamp0(tmin(a[3], b[3]) - tmax(a[1], b[1]));
    float inter = w * h;
    float uni = area1 + area2 - inter;
    float iou = inter / uni;
    if (kind == LAK_OVERLAP_IOU) return iou;
    float wi = clamp0(tmax(a[2], b[2]) - tmin(a[0], b[0]));
    float hi = clamp0(tmax(a[3], b[3]) - tmin(a[1], b[1]));
    if (kind == LAK_OVERLAP_GIOU) {
        float areai = wi * hi;
        return iou - (areai - uni) / areai;
    }
    const float eps = 1e-7f;
    float diag = wi * wi + hi * hi + eps;
    float xp = (a[0] + a[2]) / 2.0f, yp = (a[1] + a[3]) / 2.0f;
    float xg = (b[0] + b[2]) / 2.0f, yg = (b[1] + b[3]) / 2.0f;
    float dx = xp - xg, dy = yp - yg;
    float cdist = dx * dx + dy * dy;
    float diou = iou - cdist / diag;
    if (kind == LAK_OVERLAP_DIOU) return diou;
    float wp = a[2] - a[0], hp = a[3] - a[1];
    float wg = b[2] - b[0], hg = b[3] - b[1];
    float d = atanf(wp / hp) - atanf(wg / hg);
    float v = LAK_FOUR_OVER_PI2 * (d * d);
    float alpha = v / (1.0f - iou + v + eps);
    return diou - alpha * v;
}

/* ---------------------------------------------------------------- mmdet */
static inline float mm_overlap(const float *a, const float *b, int kind) {
    const float eps = 1e-6f;
    float area1 = (a[2] - a[0]) * (a[3] - a[1]);
    float area2 = (b[2] - b[0]) * (b[3] - b[1]);
    float w = clamp0(tmin(a[2], b[2]) - tmax(a[0], b[0]));
    float h = clamp0(tmin(a[3], b[3]) - tmax(a[1], b[1]));
    float overlap = w * h;
    float uni = (kind == LAK_OVERLAP_IOF) ? area1 : area1 + area2 - overlap;
    uni = tmax(uni, eps);
    float iou = overlap / uni;
    if (kind != LAK_OVERLAP_GIOU) return iou;
    float ew = clamp0(tmax(a[2], b[2]) - tmin(a[0], b[0]));
    float eh = clamp0(tmax(a[3], b[3]) - tmin(a[1], b[1]));
    float enclose = tmax(ew * eh, eps);
    return iou - (enclose - uni) / enclose;
}

/* ---------------------------------------------------------------- YOLOX */
static inline float yx_overlap(const float *a, const float *b) {
    float tlx = tmax(a[0], b[0]), tly = tmax(a[1], b[1]);
    float brx = tmin(a[2], b[2]), bry = tmin(a[3], b[3]);
    float area_a = (a[2] - a[0]) * (a[3] - a[1]);
    float area_b = (b[2] - b[0]) * (b[3] - b[1]);
    float en = (tlx < brx && tly < bry) ? 1.0f : 0.0f;
    float inter = (brx - tlx) * (bry - tly) * en;
    return inter / (area_a + area_b - inter);
}

/* ---------------------------------------------------------- ultralytics */
static inline float ul_overlap(const float *a, const float *b, int kind) {
    const float eps = 1e-7f;
    float w1 = a[2] - a[0], h1 = a[3] - a[1] + eps;
    float w2 = b[2] - b[0], h2 = b[3] - b[1] + eps;
    float inter = clamp0(tmin(a[2], b[2]) - tmax(a[0], b[0])) *
                  clamp0(tmin(a[3], b[3]) - tmax(a[1], b[1]));
    float uni = w1 * h1 + w2 * h2 - inter + eps;
    float iou = inter / uni;
    if (kind == LAK_OVERLAP_IOU) return iou;
    float cw = tmax(a[2], b[2]) - tmin(a[0], b[0]);
    float ch = tmax(a[3], b[3]) - tmin(a[1], b[1]);
    if (kind == LAK_OVERLAP_GIOU) {
        float c_area = cw * ch + eps;
        return iou - (c_area - uni) / c_area;
    }
    float c2 = cw * cw + ch * ch + eps;
    float sx = b[0] + b[2] - a[0] - a[2];
    float sy = b[1] + b[3] - a[1] - a[3];
    float rho2 = (sx * sx + sy * sy) / 4.0f;
    if (kind == LAK_OVERLAP_DIOU) return iou - rho2 / c2;
    float d = atanf(w2 / h2) - atanf(w1 / h1);
    float v = LAK_FOUR_OVER_PI2 * (d * d);
    float alpha = v / (v - iou + (1.0f + eps));
    return iou - (rho2 / c2 + v * alpha);
}

static int supported(int kind, int conv) {
    if (kind < LAK_OVERLAP_IOU || kind > LAK_OVERLAP_IOF) return 0;
    switch (conv) {
    case LAK_CONV_TORCHVISION: return kind != LAK_OVERLAP_IOF;
    case LAK_CONV_MMDET: return kind == LAK_OVERLAP_IOU || kind == LAK_OVERLAP_GIOU || kind == LAK_OVERLAP_IOF;
    case LAK_CONV_YOLOX: return kind == LAK_OVERLAP_IOU;
    case LAK_CONV_ULTRALYTICS: return kind != LAK_OVERLAP_IOF;
    default: return 0;
    }
}

/* One loop body per (convention, kind), so the inner loops are specialised. */
#define LAK_PAIRWISE_LOOP(EXPR)                                                \
    for (int64_t i = 0; i < n1; i++) {                                        \
        const float *a = boxes1 + 4 * i;                                      \
        float *row = out + i * n2;                                            \
        for (int64_t j = 0; j < n2; j++) {                                    \
            const float *b = boxes2 + 4 * j;                                  \
            row[j] = (EXPR);                                                  \
        }                                                                     \
    }

int lak_pairwise_overlap(const float *boxes1, int64_t n1, const float *boxes2, int64_t n2,
                        int kind, int conv, float *out) {
    if (!supported(kind, conv)) return -1;
    switch (conv) {
    case LAK_CONV_TORCHVISION:
        switch (kind) {
        case LAK_OVERLAP_IOU: LAK_PAIRWISE_LOOP(tv_overlap(a, b, LAK_OVERLAP_IOU)); break;
        case LAK_OVERLAP_GIOU: LAK_PAIRWISE_LOOP(tv_overlap(a, b, LAK_OVERLAP_GIOU)); break;
        case LAK_OVERLAP_DIOU: LAK_PAIRWISE_LOOP(tv_overlap(a, b, LAK_OVERLAP_DIOU)); break;
        default: LAK_PAIRWISE_LOOP(tv_overlap(a, b, LAK_OVERLAP_CIOU)); break;
        }
        break;
    case LAK_CONV_MMDET:
        switch (kind) {
        case LAK_OVERLAP_IOU: LAK_PAIRWISE_LOOP(mm_overlap(a, b, LAK_OVERLAP_IOU)); break;
        case LAK_OVERLAP_GIOU: LAK_PAIRWISE_LOOP(mm_overlap(a, b, LAK_OVERLAP_GIOU)); break;
        default: LAK_PAIRWISE_LOOP(mm_overlap(a, b, LAK_OVERLAP_IOF)); break;
        }
        break;
    case LAK_CONV_YOLOX:
        LAK_PAIRWISE_LOOP(yx_overlap(a, b));
        break;
    default:
        switch (kind) {
        case LAK_OVERLAP_IOU: LAK_PAIRWISE_LOOP(ul_overlap(a, b, LAK_OVERLAP_IOU)); break;
        case LAK_OVERLAP_GIOU: LAK_PAIRWISE_LOOP(ul_overlap(a, b, LAK_OVERLAP_GIOU)); break;
        case LAK_OVERLAP_DIOU: LAK_PAIRWISE_LOOP(ul_overlap(a, b, LAK_OVERLAP_DIOU)); break;
        default: LAK_PAIRWISE_LOOP(ul_overlap(a, b, LAK_OVERLAP_CIOU)); break;
        }
        break;
    }
    return 0;
}

static inline float overlap_any(const float *a, const float *b, int kind, int conv) {
    switch (conv) {
    case LAK_CONV_TORCHVISION: return tv_overlap(a, b, kind);
    case LAK_CONV_MMDET: return mm_overlap(a, b, kind);
    case LAK_CONV_YOLOX: return yx_overlap(a, b);
    default: return ul_overlap(a, b, kind);
    }
}

int lak_aligned_overlap(const float *boxes1, const float *boxes2, int64_t n,
                       int kind, int conv, float *out) {
    if (!supported(kind, conv)) return -1;
    for (int64_t i = 0; i < n; i++) out[i] = overlap_any(boxes1 + 4 * i, boxes2 + 4 * i, kind, conv);
    return 0;
}

int lak_gathered_overlap(const float *boxes1, const int32_t *index1,
                        const float *boxes2, const int32_t *index2, int64_t count,
                        int kind, int conv, float *out) {
    if (!supported(kind, conv)) return -1;
    for (int64_t k = 0; k < count; k++)
        out[k] = overlap_any(boxes1 + 4 * (int64_t)index1[k], boxes2 + 4 * (int64_t)index2[k], kind, conv);
    return 0;
}
