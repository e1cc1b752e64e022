/*
 * Kernels for entropic optimal transport (OTA's Sinkhorn; its focal cost terms are in lak_losses.h).
 *
 * The fixed-iteration log-domain Sinkhorn reproduces Megvii OTA's solver in
 * float32: potentials u, v start at 1, v is updated first, and
 * M_ij = ((-C_ij + u_i) + v_j) / eps, with a stable log-sum-exp
 * (max, sum of exp(M - max), log, add the max back).
 * The dense and the sparse kernel share every float operation, so a sparse
 * problem whose left-out entries underflow to zero gives bit-identical results.
 */
#ifndef LABELASSIGN_SINKHORN_KERNELS_H
#define LABELASSIGN_SINKHORN_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Dense fixed-iteration log-domain Sinkhorn (float32, OTA's solver).
 * cost is rows x cols row-major. u (rows) and v (cols) receive the potentials,
 * plan (rows x cols) receives exp(M(u, v)). scratch needs max(rows, cols) floats.
 */
void lak_sinkhorn_fixed_dense(const float *cost, int64_t rows, int64_t cols,
                             const float *mu, const float *nu, float eps, int32_t iterations,
                             float *u, float *v, float *plan, float *scratch);

/**
 * Sparse fixed-iteration log-domain Sinkhorn: the same iteration restricted to
 * the listed entries (all others are taken as exp(-inf) = 0).
 * Entries are stored by row: row i owns entries row_start[i] ..< row_start[i+1],
 * entry e sits in column entry_col[e] with cost entry_cost[e].
 * col_start / col_entry list, per column, the entry ids in ascending row order;
 * entry_row[e] is the row of entry e.
 * plan receives exp(M) per entry. scratch needs max(longest row, longest column) floats.
 * When the last row holds every column in order (OTA's background row), it and the
 * columns it alone covers run as contiguous vector loops, with the same float operations.
 *
 * left_out_floor (optional, rows floats) proves the restriction exact: row i's left-out
 * entries have costs >= left_out_floor[i] (INFINITY: none left out), and the kernel checks
 * at every half-iteration, and for the final plan, that they would be at least exp(-100)
 * below every maximum they meet (so exp underflows them to exactly 0 in the full iteration),
 * using the last row as each column's reference entry (it must hold every column).
 *
 * Returns 0; 1 when left_out_floor was given and a check failed (the result may differ from
 * the full iteration; run that instead); -1 when its working memory (3 floats + 1 index per
 * column) cannot be allocated.
 */
int lak_sinkhorn_fixed_sparse(int64_t rows, int64_t cols,
                              const int64_t *row_start, const int32_t *entry_col, const float *entry_cost,
                              const int64_t *col_start, const int64_t *col_entry, const int32_t *entry_row,
                              const float *left_out_floor, const float *mu, const float *nu, float eps, int32_t iterations,
                              float *u, float *v, float *plan, float *scratch);

#ifdef __cplusplus
}
#endif

#endif
