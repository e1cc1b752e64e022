/*
 * Vectorisable sigmoid / log-sigmoid for the classification losses, and the
 * sigmoid focal-loss terms of OTA's class cost.
 *
 * exp and log are evaluated with branch-free Cephes-style float32 polynomials
 * (about 1 ulp), so the compiler can vectorise the loops; libm calls would keep
 * them scalar.
 */
#ifndef LABELASSIGN_LOSS_KERNELS_H
#define LABELASSIGN_LOSS_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * For i < n: sig[i] = 1 / (1 + exp(-x[i])) and logsig[i] = min(x[i], 0) - log1p(exp(-|x[i]|)).
 * Finite inputs give finite outputs (exp(-|x|) is floored at FLT_MIN instead of underflowing).
 * Returns 1 if some x[i] is NaN or infinite (its outputs are then meaningless), else 0.
 */
int lak_sigmoid_log_sigmoid(const float *x, int64_t n, float *sig, float *logsig);

/**
 * Per-prior sum over classes of the sigmoid focal loss against an all-zero target
 * (cvpods sigmoid_focal_loss with alpha, gamma): out[i] = sum_k FL(logits[i*classes + k], 0).
 */
void lak_focal_background_sum(const float *logits, int64_t n, int64_t classes,
                             float alpha, float gamma, float *out);

/** Sigmoid focal loss of one logit against target 0 (t0) or 1 (t1). */
float lak_focal_loss_target0(float x, float alpha, float gamma);
float lak_focal_loss_target1(float x, float alpha, float gamma);

#ifdef __cplusplus
}
#endif

#endif
