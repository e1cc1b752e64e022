/*
 * Softmax kernels for class costs.
 */
#ifndef LABELASSIGN_SOFTMAX_KERNELS_H
#define LABELASSIGN_SOFTMAX_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Class probabilities of selected rows at selected classes.
 *
 * For each k < `nrows`, with x = `logits + rows[k] * cols`, writes
 * `out[k * nlabels + j] = softmax(x)[labels[j]]` for j < `nlabels`, where
 * softmax(x)_c = exp(x_c - max x) * (1 / sum_c' exp(x_c' - max x)) in float32
 * (max first, then the exponentials, their sum in eight running partial sums, and one multiply by
 * the reciprocal, as torch's vectorised CPU softmax over the last dimension does).
 * exp is a vectorisable Cephes-style polynomial (about 1 ulp over the range used).
 * `scratch` holds `cols` floats; rows[k] and labels[j] must be in range. Returns -1, or the first k
 * whose row holds a NaN or infinite logit (rows before it are written, the rest are not).
 */
int64_t lak_softmax_gather(const float *logits, int64_t cols, const int64_t *rows, int64_t nrows,
                          const int32_t *labels, int64_t nlabels, float *scratch, float *out);

#ifdef __cplusplus
}
#endif

#endif
