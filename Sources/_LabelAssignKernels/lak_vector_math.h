/*
 * Single-precision math shared by the C kernels (private to this target).
 *
 * Every function is branch-free (selects, no early returns) so that loops over
 * it vectorise, and uses only IEEE additions, multiplications and divisions:
 * with contraction off (lak_config.h) each compiled clone performs the same
 * operations and gives the same bits.
 *
 * exp: Cody-Waite reduction by ln 2 (ln 2 split in two so n * hi is exact),
 *      round-to-nearest n, Cephes expf polynomial on |r| <= ln2/2, scaling by
 *      exponent bits. About 1 ulp.
 * log: Cephes logf (mantissa in [sqrt(1/2), sqrt(2)), degree-9 polynomial,
 *      exponent added back in two parts). About 1 ulp.
 */
#ifndef LABELASSIGN_VECTOR_MATH_H
#define LABELASSIGN_VECTOR_MATH_H

#include <stdint.h>

#include "lak_config.h"

LAK_INLINE float lak_from_bits(int32_t i) { float f; __builtin_memcpy(&f, &i, 4); return f; }
LAK_INLINE int32_t lak_to_bits(float f) { int32_t i; __builtin_memcpy(&i, &f, 4); return i; }

/* ln(FLT_MIN): e^x is a normal float for x above this. */
#define LAK_LN_FLT_MIN (-87.3365447f)

/* p * 2^n for integral n in [-150, 130], as a product of two normal powers of two
 * (one rounding: the first product is exact). */
LAK_INLINE float lak_scale2(float p, int32_t n) {
    int32_t n1 = n >> 1, n2 = n - n1;
    return p * lak_from_bits((n1 + 127) << 23) * lak_from_bits((n2 + 127) << 23);
}

/* e^r for |r| <= ln2/2 (Cephes expf polynomial). */
LAK_INLINE float lak_exp_poly(float r) {
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    return p * z + r + 1.0f;
}

/* e^x for any x: about 1 ulp; gradual underflow (subnormal results), 0 below
 * about -103.97, +inf above about 88.72; NaN gives NaN. */
LAK_INLINE float lak_exp(float x) {
    x = x < -104.0f ? -104.0f : x;
    x = x > 89.0f ? 89.0f : x;
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    return lak_scale2(lak_exp_poly(r), (int32_t)n);
}

/* e^x with every subnormal result flushed to exactly 0 (x < ln FLT_MIN gives 0);
 * otherwise the same bits as lak_exp. For kernels whose contract needs an exact zero
 * for far-below-maximum terms (Sinkhorn: a left-out sparse entry equals the dense
 * one) and that must not meet subnormal operands in their sums. */
LAK_INLINE float lak_exp_ftz(float x) {
    float e = lak_exp(x);
    return x < LAK_LN_FLT_MIN ? 0.0f : e;
}

/* 10^y: about 1-2 ulp; +inf above about 38.53, 0 below about -45. */
LAK_INLINE float lak_exp10(float y) {
    y = y < -46.0f ? -46.0f : y;
    y = y > 39.0f ? 39.0f : y;
    float n = (y * 3.32192809488736235f + 12582912.0f) - 12582912.0f;
    float r = y - n * 0.301025390625f; /* log10(2) split: n * hi is exact */
    r = r - n * 4.6050389811952e-06f;
    return lak_scale2(lak_exp_poly(r * 2.30258509299404568f), (int32_t)n);
}

/* ln(x * 2^-shift) for a positive normal x (shift only moves the exponent). */
LAK_INLINE float lak_log_core(float x, int32_t shift) {
    int32_t ix = lak_to_bits(x);
    int32_t e = ((ix >> 23) & 0xff) - 126 - shift;
    float mant = lak_from_bits((ix & 0x007fffff) | 0x3f000000); /* [0.5, 1) */
    int small = mant < 0.707106781186547524f;
    float f = small ? (mant + mant) - 1.0f : mant - 1.0f;
    float fe = (float)(small ? e - 1 : e);
    float z = f * f;
    float y = 7.0376836292e-2f;
    y = y * f - 1.1514610310e-1f;
    y = y * f + 1.1676998740e-1f;
    y = y * f - 1.2420140846e-1f;
    y = y * f + 1.4249322787e-1f;
    y = y * f - 1.6668057665e-1f;
    y = y * f + 2.0000714765e-1f;
    y = y * f - 2.4999993993e-1f;
    y = y * f + 3.3333331174e-1f;
    y = y * f * z;
    y = y + -2.12194440e-4f * fe;
    y = y + -0.5f * z;
    float r = f + y;
    return r + 0.693359375f * fe;
}

/* ln(x) for positive normal finite x only (no zero, subnormal, inf or NaN
 * handling): about 1 ulp. For arguments known to lie in such a range, e.g.
 * 1 + z with z in [0, 1]; same bits as lak_log there. */
LAK_INLINE float lak_log_normal(float x) { return lak_log_core(x, 0); }

/* ln(x) for x >= 0, subnormals included: about 1 ulp; -inf at 0. */
LAK_INLINE float lak_log(float x) {
    int tiny = x < 1.17549435e-38f; /* subnormal: scale up by 2^25 */
    float r = lak_log_core(tiny ? x * 33554432.0f : x, tiny ? 25 : 0);
    return x == 0.0f ? -__builtin_inff() : r;
}

/* ln(1 + u) for u >= -1: ln(w) of w = 1 + u plus the first-order correction
 * (u - (w - 1)) / w for the rounding of w; -inf at -1. */
LAK_INLINE float lak_log1p(float u) {
    float w = 1.0f + u;
    float r = lak_log(w) + (u - (w - 1.0f)) / (w == 0.0f ? 1.0f : w);
    return w == 0.0f ? -__builtin_inff() : r;
}

/* ln(1 + z) for z in [0, 1] (log-sigmoid's log1p(e^-|x|)): the same bits as
 * lak_log1p there, without its zero and subnormal handling. */
LAK_INLINE float lak_log1p_unit(float z) {
    float w = 1.0f + z;
    return lak_log_normal(w) + (z - (w - 1.0f)) / w;
}

/* 1 / (1 + e^-x). */
LAK_INLINE float lak_sigmoid(float x) { return 1.0f / (1.0f + lak_exp(-x)); }

#endif
