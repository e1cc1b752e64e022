#include "lak_config.h"

#include "lak_candidates.h"
#include "lak_pair_geometry.h"

#define LAK_SCAN_BLOCK 32

LAK_CLONES
int64_t lak_scan_intersecting(const float *x1, const float *y1, const float *x2, const float *y2, int64_t n,
                             float bx1, float by1, float bx2, float by2, int32_t *out_index) {
    int64_t count = 0;
    unsigned char hit[LAK_SCAN_BLOCK];
    for (int64_t start = 0; start < n; start += LAK_SCAN_BLOCK) {
        int64_t len = n - start < LAK_SCAN_BLOCK ? n - start : LAK_SCAN_BLOCK;
        const float *ax1 = x1 + start, *ay1 = y1 + start, *ax2 = x2 + start, *ay2 = y2 + start;
        unsigned char any = 0;
        /* Branch-free flags so the block vectorises. */
        for (int64_t j = 0; j < len; j++) {
            unsigned char h = (unsigned char)((lak_minf(ax2[j], bx2) > lak_maxf(ax1[j], bx1)) &
                                              (lak_minf(ay2[j], by2) > lak_maxf(ay1[j], by1)));
            hit[j] = h;
            any |= h;
        }
        if (!any) continue;
        for (int64_t j = 0; j < len; j++) {
            out_index[count] = (int32_t)(start + j);
            count += hit[j];
        }
    }
    return count;
}

LAK_CLONES
int64_t lak_scan_mmdet_iou(const float *x1, const float *y1, const float *x2, const float *y2, int64_t n,
                          float bx1, float by1, float bx2, float by2, int32_t *out_index, float *out_iou) {
    int64_t count = lak_scan_intersecting(x1, y1, x2, y2, n, bx1, by1, bx2, by2, out_index);
    for (int64_t k = 0; k < count; k++) {
        int64_t i = out_index[k];
        out_iou[k] = lak_iou_mmdet_coords(x1[i], y1[i], x2[i], y2[i], bx1, by1, bx2, by2);
    }
    return count;
}

float lak_kth_largest(const float *v, int64_t n, int64_t k, float *top) {
    for (int64_t i = 0; i < k; i++) top[i] = v[i];
    /* insertion sort of the first k, descending */
    for (int64_t i = 1; i < k; i++) {
        float x = top[i];
        int64_t j = i;
        for (; j > 0 && top[j - 1] < x; j--) top[j] = top[j - 1];
        top[j] = x;
    }
    float floor = top[k - 1];
    for (int64_t i = k; i < n; i++) {
        float x = v[i];
        if (!(x > floor)) continue;
        int64_t j = k - 1;
        for (; j > 0 && top[j - 1] < x; j--) top[j] = top[j - 1];
        top[j] = x;
        floor = top[k - 1];
    }
    return floor;
}
