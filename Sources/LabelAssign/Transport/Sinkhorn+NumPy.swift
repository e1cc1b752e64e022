import CBLAS
import Foundation

/// numpy's and scipy's arithmetic in the order POT's Sinkhorn loops run it (numpy 2.4, scipy
/// 1.17.1, float64), so that the same operations round the same way:
/// - `K.T @ u` and `K @ v` are OpenBLAS `dgemv` on a row-major `K`, or `ddot` when the result
///   has one entry (numpy's matmul does so);
/// - a sum over a contiguous run is numpy's pairwise summation; a sum over the rows of a matrix
///   with more than one column (`x.sum(axis=0)`) adds the rows in order;
/// - `np.linalg.norm(x)` is `sqrt(dot(x, x))`; `np.einsum("i,ij,j->j", u, K, v)` adds
///   `(u_i · K_ij) · v_j` over `i` in order;
/// - `scipy.special.logsumexp` takes out the maximum and every entry equal to it, then
///   `log1p(s / count) + log(count) + max`, falling back to `log(Σ exp)` when that is not finite.
enum NumPy {
    /// `np.sum` of a contiguous array (pairwise).
    static func sum(_ x: [Double]) -> Double { LinearAssignment.pairwiseSum(x) }

    /// `K.T @ x` for a row-major `m × n` `K`.
    static func transposedProduct(_ k: [Double], _ m: Int, _ n: Int, _ x: [Double], into y: inout [Double]) {
        if n == 1 { y[0] = cblas_ddot(Int32(m), k, 1, x, 1); return }
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, k, Int32(n), x, 1, 0, &y, 1)
    }

    /// `K @ x` for a row-major `m × n` `K`.
    static func product(_ k: [Double], _ m: Int, _ n: Int, _ x: [Double], into y: inout [Double]) {
        if m == 1 { y[0] = cblas_ddot(Int32(n), k, 1, x, 1); return }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, k, Int32(n), x, 1, 0, &y, 1)
    }

    /// `np.linalg.norm(x − b)`.
    static func normOfDifference(_ x: [Double], _ b: [Double]) -> Double {
        let d = zip(x, b).map { $0 - $1 }
        return cblas_ddot(Int32(d.count), d, 1, d, 1).squareRoot()
    }

    /// `x.sum(axis=0)` of a row-major `m × n` matrix.
    static func columnSums(_ x: [Double], _ m: Int, _ n: Int) -> [Double] {
        if n == 1 { return [sum(x)] }
        var s = [Double](repeating: 0, count: n)
        for i in 0..<m { for j in 0..<n { s[j] += x[i * n + j] } }
        return s
    }

    /// `scipy.special.logsumexp(x, axis=0)` of a row-major `m × n` matrix.
    static func logSumExpColumns(_ x: [Double], _ m: Int, _ n: Int) -> [Double] {
        if n == 1 { return [logSumExp(x)] }
        var top = [Double](repeating: -.infinity, count: n)
        var nan = [Bool](repeating: false, count: n)
        for i in 0..<m { for j in 0..<n { let t = x[i * n + j]; if t.isNaN { nan[j] = true } else if t > top[j] { top[j] = t } } }
        for j in 0..<n where nan[j] { top[j] = .nan }
        var count = [Double](repeating: 0, count: n), s = [Double](repeating: 0, count: n)
        for i in 0..<m {
            for j in 0..<n {
                let t = x[i * n + j]
                if t == top[j] { count[j] += 1 } else { s[j] += exp(t - top[j]) }
            }
        }
        var out = [Double](repeating: 0, count: n)
        for j in 0..<n {
            out[j] = combine(s[j], count: count[j], top: top[j])
            if !out[j].isFinite {
                var direct = 0.0
                for i in 0..<m { direct += exp(x[i * n + j]) }
                out[j] = log(direct)
            }
        }
        return out
    }

    /// `scipy.special.logsumexp(x, axis=1)` of a row-major `m × n` matrix.
    static func logSumExpRows(_ x: [Double], _ m: Int, _ n: Int) -> [Double] {
        (0..<m).map { i in logSumExp(Array(x[(i * n)..<((i + 1) * n)])) }
    }

    /// `scipy.special.logsumexp` of a contiguous vector.
    static func logSumExp(_ x: [Double]) -> Double {
        let top = x.contains(where: \.isNaN) ? Double.nan : x.max()!
        var count = 0.0
        let terms = x.map { t -> Double in
            if t == top { count += 1; return 0 }
            return exp(t - top)
        }
        let out = combine(sum(terms), count: count, top: top)
        return out.isFinite ? out : log(sum(x.map { exp($0) }))
    }

    /// `log1p(s / count) + log(count) + top` (`s` kept when 0).
    private static func combine(_ s: Double, count: Double, top: Double) -> Double {
        let scaled = s == 0 ? s : s / count
        return log1p(scaled) + log(count) + top
    }
}
