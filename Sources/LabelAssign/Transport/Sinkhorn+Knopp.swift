import Foundation

extension Sinkhorn {
    /// POT 0.9.7 `ot.bregman.sinkhorn_knopp`, step by step: `u = 1/m`, `v = 1/n` (or
    /// `exp(warmstart)`), `K = exp(M / (−reg))`, `Kp = (1/a) · K`; then per iteration
    /// `v = b / (Kᵀ u)`, `u = 1 / (Kp v)`. A zero in `Kᵀ u` or a NaN or infinite scaling restores
    /// the previous scalings and ends the loop (`.numericalError`). At iterations 0, 10, 20, ...
    /// the error `‖einsum("i,ij,j->j", u, K, v) − b‖₂` is checked. The plan is `(u_i K_ij) v_j`.
    func knopp(a: [Double], b: [Double], cost: [Double], warmstart: Warmstart?) -> Run {
        let m = a.count, n = b.count
        var u = warmstart.map { $0.u.map { exp($0) } } ?? [Double](repeating: 1 / Double(m), count: m)
        var v = warmstart.map { $0.v.map { exp($0) } } ?? [Double](repeating: 1 / Double(n), count: n)
        let k = cost.map { exp($0 / -reg) }
        var kp = k
        for i in 0..<m {
            let r = 1 / a[i]
            for j in 0..<n { kp[i * n + j] = r * k[i * n + j] }
        }
        var ktu = [Double](repeating: 0, count: n), kpv = [Double](repeating: 0, count: m)
        var monitor = monitor()
        var status = Status.maxIterReached, iterations = 0
        for ii in 0..<numItermax {
            let uPrevious = u, vPrevious = v
            NumPy.transposedProduct(k, m, n, u, into: &ktu)
            for j in 0..<n { v[j] = b[j] / ktu[j] }
            NumPy.product(kp, m, n, v, into: &kpv)
            for i in 0..<m { u[i] = 1.0 / kpv[i] }
            if ktu.contains(0) || u.contains(where: { !$0.isFinite }) || v.contains(where: { !$0.isFinite }) {
                u = uPrevious; v = vPrevious
                status = .numericalError
                break
            }
            iterations = ii + 1
            if ii % 10 == 0 {
                var marginal = [Double](repeating: 0, count: n)
                for i in 0..<m { for j in 0..<n { marginal[j] = marginal[j] + (u[i] * k[i * n + j]) * v[j] } }
                if let s = monitor.check(NumPy.normOfDifference(marginal, b)) { status = s; break }
            }
        }
        var plan = k
        for i in 0..<m { for j in 0..<n { plan[i * n + j] = (u[i] * k[i * n + j]) * v[j] } }
        return Run(plan: plan, u: u, v: v, iterations: iterations, status: status, monitor: monitor)
    }
}
