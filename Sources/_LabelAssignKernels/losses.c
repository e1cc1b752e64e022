#include "lak_config.h"

#include "lak_losses.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lak_torch_math.h"
#include "lak_vector_math.h"

/* sigmoid(x) from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below (the value of
 * 1 / (1 + exp(-x)) without overflowing exp). */
LAK_INLINE float sigmoid_from(float x, float e) { return (x >= 0.0f ? 1.0f : e) / (1.0f + e); }

/* log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) (torch's CPU kernel), from e = exp(-|x|). */
LAK_INLINE float log_sigmoid_from(float x, float e) { return (x < 0.0f ? x : 0.0f) - lak_log1p_unit(e); }

/* Compiled per instruction set (LAK_CLONES); every clone performs the same IEEE operations. */
LAK_CLONES
int lak_sigmoid_log_sigmoid(const float *x, int64_t n, float *sig, float *logsig) {
    uint32_t flagged = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        flagged |= (bits & 0x7f800000u) == 0x7f800000u;   /* NaN or infinity */
        float av = v < 0.0f ? -v : v;
        float z = lak_exp(-av);
        sig[i] = sigmoid_from(v, z);
        logsig[i] = log_sigmoid_from(v, z);
    }
    return flagged != 0;
}

/* ------------------------------------------------------- OTA focal-loss terms */

/* cvpods sigmoid_focal_loss element, target 0:
 * ce = (1 - 0) * x - log_sigmoid(x); p_t = p * 0 + (1 - p) * 1; loss = ce * (1 - p_t)^gamma
 * (torch.pow, lak_torch_pow); alpha_t = alpha * 0 + (1 - alpha) * 1. */
LAK_INLINE float focal_target0(float x, float at, float gamma) {
    float e = lak_exp_ftz(-fabsf(x));
    float p = sigmoid_from(x, e);
    float ce = x - log_sigmoid_from(x, e);
    float pt = (1.0f - p);
    float loss = ce * lak_torch_pow(1.0f - pt, (double)gamma);
    return at * loss;
}

float lak_focal_loss_target0(float x, float alpha, float gamma) {
    return focal_target0(x, (float)(1.0 - (double)alpha), gamma);
}

/* Target 1: ce = 0 * x - log_sigmoid(x); p_t = p; alpha_t = alpha. */
float lak_focal_loss_target1(float x, float alpha, float gamma) {
    float e = lak_exp_ftz(-fabsf(x));
    float p = sigmoid_from(x, e);
    float ce = 0.0f * x - log_sigmoid_from(x, e);
    float loss = ce * lak_torch_pow(1.0f - p, (double)gamma);
    return alpha * loss;
}

LAK_CLONES
void lak_focal_background_sum(const float *logits, int64_t n, int64_t classes,
                             float alpha, float gamma, float *out) {
    float at = (float)(1.0 - (double)alpha);
    float buffer[256];
    for (int64_t i = 0; i < n; i++) {
        const float *x = logits + i * classes;
        float s = 0.0f;
        for (int64_t k0 = 0; k0 < classes; k0 += 256) {
            int64_t len = classes - k0 < 256 ? classes - k0 : 256;
            if (gamma == 2.0f) {
                for (int64_t k = 0; k < len; k++) buffer[k] = focal_target0(x[k0 + k], at, 2.0f);
            } else {
                for (int64_t k = 0; k < len; k++) buffer[k] = focal_target0(x[k0 + k], at, gamma);
            }
            for (int64_t k = 0; k < len; k++) s += buffer[k];
        }
        out[i] = s;
    }
}
