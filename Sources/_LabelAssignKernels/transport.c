#include "lak_config.h"

#include "lak_transport.h"

#include <math.h>
#include <stdlib.h>

#include "lak_vector_math.h"

/* Every exp here is lak_exp_ftz: a term far below its row or column maximum is an
 * exact 0, so the dense and the sparse Sinkhorn agree bit for bit. */

/* M_ij = ((-C_ij + u_i) + v_j) / eps, in this order (OTA). */
static inline float ota_m(float c, float u, float v, float eps) {
    return ((-c + u) + v) / eps;
}

/* Stable log-sum-exp of values[0 ..< n] as torch.logsumexp computes it:
 * max, sum of exp(x - max), log of the sum plus the max (an infinite max adds 0). */
static inline __attribute__((always_inline)) float log_sum_exp_max(float *values, int64_t n, float *max_out) {
    float m = -INFINITY;
    int nan = 0;
    for (int64_t k = 0; k < n; k++) {
        float x = values[k];
        nan |= x != x;
        m = x > m ? x : m;
    }
    *max_out = nan ? NAN : m;
    if (nan) return NAN;
    float shift = isinf(m) ? 0.0f : m;
    if (n == 1) return logf(lak_exp_ftz(values[0] - shift)) + shift;
    for (int64_t k = 0; k < n; k++) values[k] = lak_exp_ftz(values[k] - shift);
    float s = 0.0f;
    for (int64_t k = 0; k < n; k++) s += values[k];
    return logf(s) + shift;
}

static inline __attribute__((always_inline)) float log_sum_exp(float *values, int64_t n) {
    float m;
    return log_sum_exp_max(values, n, &m);
}

/* Log-sum-exp along a row, with values[k] in column col[k] (col NULL: column k).
 * The maximum is taken in 8 lanes (a maximum does not depend on the order); the sum adds
 * each exp into lane (column mod 8) in ascending order and then adds the lanes in a fixed
 * tree. Left-out entries would add exact zeros to their lanes, so a row restricted to some
 * of its columns gives the same bits as the full row. */
static inline __attribute__((always_inline)) float row_log_sum_exp(float *values, const int32_t *col, int64_t n, float *max_out) {
    float mx[8], lane[8];
    int nan = 0;
    for (int t = 0; t < 8; t++) { mx[t] = -INFINITY; lane[t] = 0.0f; }
    int64_t n8 = n - n % 8;
    for (int64_t k = 0; k < n8; k += 8)
        for (int t = 0; t < 8; t++) { float x = values[k + t]; nan |= x != x; mx[t] = x > mx[t] ? x : mx[t]; }
    for (int64_t k = n8; k < n; k++) { float x = values[k]; nan |= x != x; mx[0] = x > mx[0] ? x : mx[0]; }
    float m = mx[0];
    for (int t = 1; t < 8; t++) m = mx[t] > m ? mx[t] : m;
    *max_out = nan ? NAN : m;
    if (nan || n == 0) return nan ? NAN : logf(0.0f);
    float shift = isinf(m) ? 0.0f : m;
    for (int64_t k = 0; k < n; k++) values[k] = lak_exp_ftz(values[k] - shift);
    if (col == NULL) {
        for (int64_t k = 0; k < n8; k += 8)
            for (int t = 0; t < 8; t++) lane[t] += values[k + t];
        for (int64_t k = n8; k < n; k++) lane[k & 7] += values[k];
    } else {
        for (int64_t k = 0; k < n; k++) lane[col[k] & 7] += values[k];
    }
    float s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    return logf(s) + shift;
}

/* Log-sum-exp of one value: max = M, exp(M - M) = 1, log 1 = 0, so the result is 0 + M. */
static inline float log_sum_exp_single(float m) {
    if (m != m || isinf(m)) return log_sum_exp(&m, 1);
    return 0.0f + m;
}

LAK_CLONES
void lak_sinkhorn_fixed_dense(const float *cost, int64_t rows, int64_t cols,
                             const float *mu, const float *nu, float eps, int32_t iterations,
                             float *u, float *v, float *plan, float *scratch) {
    for (int64_t i = 0; i < rows; i++) u[i] = 1.0f;
    for (int64_t j = 0; j < cols; j++) v[j] = 1.0f;
    for (int32_t it = 0; it < iterations; it++) {
        for (int64_t j = 0; j < cols; j++) {
            for (int64_t i = 0; i < rows; i++) scratch[i] = ota_m(cost[i * cols + j], u[i], v[j], eps);
            float lse = rows == 1 ? log_sum_exp_single(scratch[0]) : log_sum_exp(scratch, rows);
            v[j] = eps * (logf(nu[j] + 1e-8f) - lse) + v[j];
        }
        for (int64_t i = 0; i < rows; i++) {
            const float *c = cost + i * cols;
            for (int64_t j = 0; j < cols; j++) scratch[j] = ota_m(c[j], u[i], v[j], eps);
            float row_max;
            float lse = row_log_sum_exp(scratch, NULL, cols, &row_max);
            u[i] = eps * (logf(mu[i] + 1e-8f) - lse) + u[i];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) plan[i * cols + j] = lak_exp_ftz(ota_m(cost[i * cols + j], u[i], v[j], eps));
}

LAK_CLONES
int lak_sinkhorn_fixed_sparse(int64_t rows, int64_t cols,
                              const int64_t *row_start, const int32_t *entry_col, const float *entry_cost,
                              const int64_t *col_start, const int64_t *col_entry, const int32_t *entry_row,
                              const float *left_out_floor, const float *mu, const float *nu, float eps, int32_t iterations,
                              float *u, float *v, float *plan, float *scratch) {
    for (int64_t i = 0; i < rows; i++) u[i] = 1.0f;
    for (int64_t j = 0; j < cols; j++) v[j] = 1.0f;
    if (rows == 0 || cols == 0) return 0;
    /* When the last row holds every column in order (OTA's background row), its M values
     * are computed by contiguous, vectorised loops; the float operations are the same. */
    const int64_t last = rows - 1;
    int dense_last = row_start[rows] - row_start[last] == cols;
    for (int64_t j = 0; dense_last && j < cols; j++) dense_last = entry_col[row_start[last] + j] == j;
    float *lognu = malloc(sizeof(float) * (size_t)cols * 3);
    int64_t *multi = malloc(sizeof(int64_t) * (size_t)cols);
    if (!lognu || !multi) { free(lognu); free(multi); return -1; }
    float *mlast = lognu + cols, *vnext = mlast + cols;
    int64_t multi_count = 0;
    for (int64_t j = 0; j < cols; j++) {
        lognu[j] = logf(nu[j] + 1e-8f);
        if (!dense_last || col_start[j + 1] - col_start[j] != 1) multi[multi_count++] = j;
    }
    const float *cost_last = entry_cost + row_start[last];
    /* Left-out entries (row i, cost >= left_out_floor[i]) must stay exp(-100) below every
     * maximum they would meet: M_ij <= ((-floor_i + u_i) + v_j) / eps. Columns: compared with
     * the last row's entry, whose cost is at most max_last. Rows: compared with the row max. */
    int checked = left_out_floor != NULL;
    if (checked && !dense_last) { free(lognu); free(multi); return 1; }
    float max_last = -INFINITY;
    for (int64_t j = 0; checked && j < cols; j++) max_last = cost_last[j] > max_last ? cost_last[j] : max_last;
#define LAK_BELOW(b) ((b) < -100.0f - 1e-5f * fabsf(b))
    int exact = 1;
    for (int32_t it = 0; it < iterations; it++) {
        if (checked) {
            float worst = -INFINITY;
            for (int64_t i = 0; i < rows; i++)
                if (left_out_floor[i] < INFINITY) { float w = -left_out_floor[i] + u[i]; worst = w > worst ? w : worst; }
            if (worst > -INFINITY) {
                float bound = ((worst + max_last) - u[last]) / eps;
                exact &= LAK_BELOW(bound);
            }
        }
        /* v update: columns whose only entry is in the last row first (vectorised). */
        if (dense_last) {
            float ul = u[last];
            for (int64_t j = 0; j < cols; j++) mlast[j] = ota_m(cost_last[j], ul, v[j], eps);
            for (int64_t j = 0; j < cols; j++) vnext[j] = eps * (lognu[j] - (0.0f + mlast[j])) + v[j];
        }
        for (int64_t q = 0; q < multi_count; q++) {
            int64_t j = multi[q];
            int64_t a = col_start[j], b = col_start[j + 1];
            for (int64_t k = a; k < b; k++) {
                int64_t e = col_entry[k];
                scratch[k - a] = ota_m(entry_cost[e], u[entry_row[e]], v[j], eps);
            }
            float lse = (b - a == 1) ? log_sum_exp_single(scratch[0]) : log_sum_exp(scratch, b - a);
            vnext[j] = eps * (lognu[j] - lse) + v[j];
        }
        float vmax = -INFINITY;
        for (int64_t j = 0; j < cols; j++) { v[j] = vnext[j]; vmax = v[j] > vmax ? v[j] : vmax; }
        /* u update. */
        for (int64_t i = 0; i < rows; i++) {
            int64_t a = row_start[i], b = row_start[i + 1];
            float ui = u[i];
            if (i == last && dense_last) {
                for (int64_t j = 0; j < cols; j++) scratch[j] = ota_m(cost_last[j], ui, v[j], eps);
            } else {
                for (int64_t k = a; k < b; k++) scratch[k - a] = ota_m(entry_cost[k], ui, v[entry_col[k]], eps);
            }
            float row_max;
            float lse = row_log_sum_exp(scratch, (i == last && dense_last) ? NULL : entry_col + a, b - a, &row_max);
            if (checked && left_out_floor[i] < INFINITY) {
                float bound = ((-left_out_floor[i] + ui) + vmax) / eps - row_max;
                exact &= LAK_BELOW(bound);
            }
            u[i] = eps * (logf(mu[i] + 1e-8f) - lse) + u[i];
        }
    }
    float vmax = -INFINITY;
    for (int64_t j = 0; j < cols; j++) vmax = v[j] > vmax ? v[j] : vmax;
    for (int64_t i = 0; i < rows; i++) {
        /* The plan itself is exp(M): left-out entries must underflow to exactly 0. */
        if (checked && left_out_floor[i] < INFINITY) {
            float bound = ((-left_out_floor[i] + u[i]) + vmax) / eps;
            exact &= LAK_BELOW(bound);
        }
        for (int64_t k = row_start[i]; k < row_start[i + 1]; k++)
            plan[k] = lak_exp_ftz(ota_m(entry_cost[k], u[i], v[entry_col[k]], eps));
    }
#undef LAK_BELOW
    free(lognu);
    free(multi);
    return exact ? 0 : 1;
}
