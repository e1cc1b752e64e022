#include "lak_config.h"

#include "lak_softmax.h"

#include "lak_vector_math.h"

/* Compiled per instruction set (LAK_CLONES); every clone performs the same float operations. */
LAK_CLONES
int64_t lak_softmax_gather(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                          const int32_t *labels, int64_t nlabels, float *scratch, float *out) {
    float *e = scratch;
    for (int64_t k = 0; k < nrows; k++) {
        const float *x = logits + rows[k] * cols;
        /* max over eight lanes; x - x is 0 for finite x and NaN otherwise, so `bad` stays 0 iff all finite */
        float mx[8], bad[8];
        for (int t = 0; t < 8; t++) { mx[t] = x[0]; bad[t] = 0.0f; }
        int64_t c0 = 0;
        for (; c0 + 8 <= cols; c0 += 8)
            for (int t = 0; t < 8; t++) {
                float v = x[c0 + t];
                mx[t] = v > mx[t] ? v : mx[t];
                bad[t] += v - v;
            }
        for (; c0 < cols; c0++) {
            float v = x[c0];
            mx[0] = v > mx[0] ? v : mx[0];
            bad[0] += v - v;
        }
        float m = mx[0];
        int finite = 1;
        for (int t = 0; t < 8; t++) {
            m = mx[t] > m ? mx[t] : m;
            finite &= bad[t] == 0.0f;
        }
        if (!finite) return k;
        for (int64_t c = 0; c < cols; c++) e[c] = lak_exp_ftz(x[c] - m);
        /* eight running sums (a vector-width reduction), then their pairwise sum and the tail */
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t c = 0;
        for (; c + 8 <= cols; c += 8)
            for (int t = 0; t < 8; t++) s[t] += e[c + t];
        float sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; c < cols; c++) sum += e[c];
        float inv = 1.0f / sum;
        float *o = out + k * nlabels;
        for (int64_t j = 0; j < nlabels; j++) o[j] = e[labels[j]] * inv;
    }
    return -1;
}
