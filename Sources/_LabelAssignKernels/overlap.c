#include "lak_config.h"

#include "lak_overlap.h"
#include "lak_pair_geometry.h"

/* Every supported (convention, kind) with the pair formula (lak_pair_geometry.h) computing it. */
#define LAK_OVERLAP_FORMULAS(X)                                   \
    X(LAK_CONV_TORCHVISION, LAK_OVERLAP_IOU, lak_iou_torchvision)    \
    X(LAK_CONV_TORCHVISION, LAK_OVERLAP_GIOU, lak_giou_torchvision)  \
    X(LAK_CONV_TORCHVISION, LAK_OVERLAP_DIOU, lak_diou_torchvision)  \
    X(LAK_CONV_TORCHVISION, LAK_OVERLAP_CIOU, lak_ciou_torchvision)  \
    X(LAK_CONV_MMDET, LAK_OVERLAP_IOU, lak_iou_mmdet)                \
    X(LAK_CONV_MMDET, LAK_OVERLAP_GIOU, lak_giou_mmdet)              \
    X(LAK_CONV_MMDET, LAK_OVERLAP_IOF, lak_iof_mmdet)                \
    X(LAK_CONV_YOLOX, LAK_OVERLAP_IOU, lak_iou_yolox)                \
    X(LAK_CONV_ULTRALYTICS, LAK_OVERLAP_IOU, lak_iou_ultralytics8)   \
    X(LAK_CONV_ULTRALYTICS, LAK_OVERLAP_GIOU, lak_giou_ultralytics8) \
    X(LAK_CONV_ULTRALYTICS, LAK_OVERLAP_DIOU, lak_diou_ultralytics8) \
    X(LAK_CONV_ULTRALYTICS, LAK_OVERLAP_CIOU, lak_ciou_ultralytics8) \
    X(LAK_CONV_YOLOV5, LAK_OVERLAP_IOU, lak_iou_yolov5)              \
    X(LAK_CONV_YOLOV5, LAK_OVERLAP_GIOU, lak_giou_yolov5)            \
    X(LAK_CONV_YOLOV5, LAK_OVERLAP_DIOU, lak_diou_yolov5)            \
    X(LAK_CONV_YOLOV5, LAK_OVERLAP_CIOU, lak_ciou_yolov5)

/* One case label per (convention, kind). */
#define LAK_CASE(conv, kind) ((conv) * 8 + (kind))

int lak_overlap_supported(int kind, int conv) {
    if (kind < 0 || kind >= 8 || conv < 0 || conv >= 8) return 0;
    switch (LAK_CASE(conv, kind)) {
#define X(C, K, F) case LAK_CASE(C, K):
    LAK_OVERLAP_FORMULAS(X)
#undef X
        return 1;
    default:
        return 0;
    }
}

/* One loop per formula, so every inner loop is specialised to its formula. */
int lak_pairwise_overlap(const float *boxes1, int64_t n1, const float *boxes2, int64_t n2,
                         int kind, int conv, float *out) {
    if (!lak_overlap_supported(kind, conv)) return -1;
    switch (LAK_CASE(conv, kind)) {
#define X(C, K, F)                                                           \
    case LAK_CASE(C, K):                                                     \
        for (int64_t i = 0; i < n1; i++) {                                   \
            const float *a = boxes1 + 4 * i;                                 \
            float *row = out + i * n2;                                       \
            for (int64_t j = 0; j < n2; j++) row[j] = F(a, boxes2 + 4 * j);  \
        }                                                                    \
        break;
    LAK_OVERLAP_FORMULAS(X)
#undef X
    }
    return 0;
}

static inline float overlap_any(const float *a, const float *b, int kind, int conv) {
    switch (LAK_CASE(conv, kind)) {
#define X(C, K, F) case LAK_CASE(C, K): return F(a, b);
    LAK_OVERLAP_FORMULAS(X)
#undef X
    }
    return NAN;
}

int lak_aligned_overlap(const float *boxes1, const float *boxes2, int64_t n,
                        int kind, int conv, float *out) {
    if (!lak_overlap_supported(kind, conv)) return -1;
    for (int64_t i = 0; i < n; i++) out[i] = overlap_any(boxes1 + 4 * i, boxes2 + 4 * i, kind, conv);
    return 0;
}

int lak_gathered_overlap(const float *boxes1, const int32_t *index1,
                         const float *boxes2, const int32_t *index2, int64_t count,
                         int kind, int conv, float *out) {
    if (!lak_overlap_supported(kind, conv)) return -1;
    for (int64_t k = 0; k < count; k++)
        out[k] = overlap_any(boxes1 + 4 * (int64_t)index1[k], boxes2 + 4 * (int64_t)index2[k], kind, conv);
    return 0;
}
