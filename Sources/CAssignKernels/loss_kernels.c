#include "loss_kernels.h"

#include <stdint.h>
#include <string.h>

/* exp(a) for a <= 0 (Cephes expf: Cody-Waite reduction, degree-5 polynomial). */
static inline float exp_nonpositive(float a) {
    if (a < -87.3365447f) a = -87.3365447f;          /* exp(a) >= FLT_MIN, stays normal */
    float fx = a * 1.44269504088896341f + 0.5f;
    /* floor for fx <= 0.5: truncate, then step down when truncation rounded up. */
    float t = (float)(int32_t)fx;
    float n = t > fx ? t - 1.0f : t;
    a = a - n * 0.693359375f;
    a = a - n * -2.12194440e-4f;
    float z = a * a;
    float y = 1.9875691500e-4f;
    y = y * a + 1.3981999507e-3f;
    y = y * a + 8.3334519073e-3f;
    y = y * a + 4.1665795894e-2f;
    y = y * a + 1.6666665459e-1f;
    y = y * a + 5.0000001201e-1f;
    y = y * z + a + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

/* log(u) for u in [1, 2] (Cephes logf on the reduced argument). */
static inline float log_1_2(float u) {
    float e = 0.0f;
    if (u > 1.41421356237f) { u = u * 0.5f; e = 1.0f; }
    float x = u - 1.0f;
    float z = x * x;
    float y = 7.0376836292e-2f;
    y = y * x - 1.1514610310e-1f;
    y = y * x + 1.1676998740e-1f;
    y = y * x - 1.2420140846e-1f;
    y = y * x + 1.4249322787e-1f;
    y = y * x - 1.6668057665e-1f;
    y = y * x + 2.0000714765e-1f;
    y = y * x - 2.4999993993e-1f;
    y = y * x + 3.3333331174e-1f;
    y = y * x * z;
    y = y + e * -2.12194440e-4f;
    y = y - 0.5f * z;
    x = x + y;
    return x + e * 0.693359375f;
}

/* log1p(z) for z in [0, 1]: log(1 + z) corrected by z / ((1 + z) - 1) so tiny z keep full precision. */
static inline float log1p_01(float z) {
    float u = 1.0f + z;
    float d = u - 1.0f;
    float l = log_1_2(u);
    return d == 0.0f ? z : l * (z / d);
}

/* Compiled twice, for AVX2 (8 lanes) and the baseline; the loader picks one per CPU. No FMA is
   enabled, so both clones perform the same IEEE operations and give identical results. */
__attribute__((target_clones("avx2", "default")))
int la_sigmoid_log_sigmoid(const float *x, int64_t n, float *sig, float *logsig) {
    uint32_t flagged = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        flagged |= (bits & 0x7f800000u) == 0x7f800000u;   /* NaN or infinity */
        float av = v < 0.0f ? -v : v;
        float z = exp_nonpositive(-av);
        float one_plus = 1.0f + z;
        sig[i] = (v >= 0.0f ? 1.0f : z) / one_plus;
        logsig[i] = (v < 0.0f ? v : 0.0f) - log1p_01(z);
    }
    return flagged != 0;
}
