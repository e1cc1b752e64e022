/*
 * Vectorisable sigmoid / log-sigmoid for the classification losses.
 *
 * exp and log are evaluated with branch-free Cephes-style float32 polynomials
 * (about 1 ulp), so the compiler can vectorise the loop; libm calls would keep
 * it scalar.
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

#ifdef __cplusplus
}
#endif

#endif
