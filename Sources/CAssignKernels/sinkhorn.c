#include "sinkhorn_kernels.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF

/* M_ij = ((-C_ij + u_i) + v_j) / eps, in this order (OTA). */
static inline float ota_m(float c, float u, float v, float eps) {
    return ((-c + u) + v) / eps;
}

/* Stable log-sum-exp of values[0 ..< n] as torch.logsumexp computes it:
 * max, sum of exp(x - max), log of the sum plus the max (an infinite max adds 0). */
static inline float log_sum_exp(const float *values, int64_t n) {
    float m = -INFINITY;
    for (int64_t k = 0; k < n; k++) {
        float x = values[k];
        if (x > m || x != x) m = x;
        if (m != m) break;
    }
    if (m != m) return m;
    float shift = isinf(m) ? 0.0f : m;
    if (n == 1) return logf(expf(values[0] - shift)) + shift;
    float s = 0.0f;
    for (int64_t k = 0; k < n; k++) s += expf(values[k] - shift);
    return logf(s) + shift;
}

void la_sinkhorn_fixed_dense(const float *cost, int64_t rows, int64_t cols,
                             const float *mu, const float *nu, float eps, int32_t iterations,
                             float *u, float *v, float *plan, float *scratch) {
    for (int64_t i = 0; i < rows; i++) u[i] = 1.0f;
    for (int64_t j = 0; j < cols; j++) v[j] = 1.0f;
    for (int32_t it = 0; it < iterations; it++) {
        for (int64_t j = 0; j < cols; j++) {
            for (int64_t i = 0; i < rows; i++) scratch[i] = ota_m(cost[i * cols + j], u[i], v[j], eps);
            float lse = log_sum_exp(scratch, rows);
            v[j] = eps * (logf(nu[j] + 1e-8f) - lse) + v[j];
        }
        for (int64_t i = 0; i < rows; i++) {
            const float *c = cost + i * cols;
            for (int64_t j = 0; j < cols; j++) scratch[j] = ota_m(c[j], u[i], v[j], eps);
            float lse = log_sum_exp(scratch, cols);
            u[i] = eps * (logf(mu[i] + 1e-8f) - lse) + u[i];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) plan[i * cols + j] = expf(ota_m(cost[i * cols + j], u[i], v[j], eps));
}

void la_sinkhorn_fixed_sparse(int64_t rows, int64_t cols,
                              const int64_t *row_start, const int32_t *entry_col, const float *entry_cost,
                              const int64_t *col_start, const int64_t *col_entry, const int32_t *entry_row,
                              const float *mu, const float *nu, float eps, int32_t iterations,
                              float *u, float *v, float *plan, float *scratch) {
    for (int64_t i = 0; i < rows; i++) u[i] = 1.0f;
    for (int64_t j = 0; j < cols; j++) v[j] = 1.0f;
    for (int32_t it = 0; it < iterations; it++) {
        for (int64_t j = 0; j < cols; j++) {
            int64_t a = col_start[j], b = col_start[j + 1];
            float lse;
            if (b - a == 1) {
                /* one entry: max = M, exp(M - M) = 1, log 1 = 0, so the sum is M itself. */
                int64_t e = col_entry[a];
                float m = ota_m(entry_cost[e], u[entry_row[e]], v[j], eps);
                lse = (m != m || isinf(m)) ? log_sum_exp(&m, 1) : 0.0f + m;
            } else {
                for (int64_t k = a; k < b; k++) {
                    int64_t e = col_entry[k];
                    scratch[k - a] = ota_m(entry_cost[e], u[entry_row[e]], v[j], eps);
                }
                lse = log_sum_exp(scratch, b - a);
            }
            v[j] = eps * (logf(nu[j] + 1e-8f) - lse) + v[j];
        }
        for (int64_t i = 0; i < rows; i++) {
            int64_t a = row_start[i], b = row_start[i + 1];
            float ui = u[i];
            for (int64_t k = a; k < b; k++) scratch[k - a] = ota_m(entry_cost[k], ui, v[entry_col[k]], eps);
            float lse = log_sum_exp(scratch, b - a);
            u[i] = eps * (logf(mu[i] + 1e-8f) - lse) + u[i];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t k = row_start[i]; k < row_start[i + 1]; k++)
            plan[k] = expf(ota_m(entry_cost[k], u[i], v[entry_col[k]], eps));
}

/* log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) (torch's CPU kernel). */
static inline float log_sigmoid(float x) {
    return fminf(x, 0.0f) - log1pf(expf(-fabsf(x)));
}

static inline float power(float x, float gamma) {
    return gamma == 2.0f ? x * x : powf(x, gamma);
}

/* cvpods sigmoid_focal_loss element, target 0:
 * ce = (1 - 0) * x - log_sigmoid(x); p_t = p * 0 + (1 - p) * 1; loss = ce * (1 - p_t)^gamma;
 * alpha_t = alpha * 0 + (1 - alpha) * 1. */
float la_focal_loss_target0(float x, float alpha, float gamma) {
    float p = 1.0f / (1.0f + expf(-x));
    float ce = x - log_sigmoid(x);
    float pt = (1.0f - p);
    float loss = ce * power(1.0f - pt, gamma);
    float at = (float)(1.0 - (double)alpha);
    return at * loss;
}

/* Target 1: ce = 0 * x - log_sigmoid(x); p_t = p; alpha_t = alpha. */
float la_focal_loss_target1(float x, float alpha, float gamma) {
    float p = 1.0f / (1.0f + expf(-x));
    float ce = 0.0f * x - log_sigmoid(x);
    float loss = ce * power(1.0f - p, gamma);
    return alpha * loss;
}

void la_focal_background_sum(const float *logits, int64_t n, int64_t classes,
                             float alpha, float gamma, float *out) {
    for (int64_t i = 0; i < n; i++) {
        const float *x = logits + i * classes;
        float s = 0.0f;
        for (int64_t k = 0; k < classes; k++) s += la_focal_loss_target0(x[k], alpha, gamma);
        out[i] = s;
    }
}
