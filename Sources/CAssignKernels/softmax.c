#include "softmax_kernels.h"


/* exp(x) for x <= 0 (arguments below -87.3 give 0): Cody-Waite reduction by ln 2, degree-6
 * polynomial (Cephes expf), 2^n by exponent bits. Written branch-free so loops vectorise. */
static inline float la_exp_nonpositive(float x) {
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding and subtracting rounds to nearest */
    float xc = x < -87.3f ? -87.3f : x;
    float fx = (xc * 1.44269504088896341f + magic) - magic;
    float r = xc - fx * 0.693359375f;
    r = r - fx * -2.12194440e-4f;
    float r2 = r * r;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * r2 + r + 1.0f;
    union { int32_t i; float f; } scale;
    scale.i = ((int32_t)fx + 127) << 23;
    float e = y * scale.f;
    return x < -87.3f ? 0.0f : e;
}

int64_t la_softmax_gather(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                          const int32_t *labels, int64_t nlabels, float *scratch, float *out) {
    float *e = scratch;
    for (int64_t k = 0; k < nrows; k++) {
        const float *x = logits + rows[k] * cols;
        float m = x[0];
        int finite = 1;
        for (int64_t c = 0; c < cols; c++) {
            m = x[c] > m ? x[c] : m;
            finite &= (x[c] - x[c]) == 0.0f; /* false for NaN and infinities */
        }
        if (!finite) return k;
        for (int64_t c = 0; c < cols; c++) e[c] = la_exp_nonpositive(x[c] - m);
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
