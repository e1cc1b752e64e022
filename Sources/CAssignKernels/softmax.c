#include "softmax_kernels.h"


/* exp(x) for x <= 0 (arguments below -87.3 give 0): Cody-Waite reduction by ln 2, degree-6
 * polynomial (Cephes expf), 2^n by exponent bits. Written branch-free so loops vectorise. */
static inline __attribute__((always_inline)) float la_exp_nonpositive(float x) {
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

static inline __attribute__((always_inline)) int64_t
softmax_gather_body(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
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

/* The same code compiled for baseline x86-64 and for AVX2 (wider vectors, no FMA: every lane
 * performs the same float operations, so both give identical results). */
static int64_t softmax_gather_generic(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                                      const int32_t *labels, int64_t nlabels, float *scratch, float *out) {
    return softmax_gather_body(logits, cols, rows, nrows, labels, nlabels, scratch, out);
}

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("avx2")))
static int64_t softmax_gather_avx2(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                                   const int32_t *labels, int64_t nlabels, float *scratch, float *out) {
    return softmax_gather_body(logits, cols, rows, nrows, labels, nlabels, scratch, out);
}
#endif

int64_t la_softmax_gather(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                          const int32_t *labels, int64_t nlabels, float *scratch, float *out) {
#if defined(__x86_64__) && defined(__clang__)
    if (__builtin_cpu_supports("avx2"))
        return softmax_gather_avx2(logits, cols, rows, nrows, labels, nlabels, scratch, out);
#endif
    return softmax_gather_generic(logits, cols, rows, nrows, labels, nlabels, scratch, out);
}
