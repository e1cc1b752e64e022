import Foundation

extension Sinkhorn {
    /// POT 0.9.7 `ot.bregman.sinkhorn_log`, step by step: `Mr = −M / reg`, log-scalings
    /// `u = 0`, `v = 0` (or `warmstart`); then per iteration
    /// `v = log b − logsumexp(Mr + u[:, None], 0)`, `u = log a − logsumexp(Mr + v[None, :], 1)`.
    /// At iterations 0, 10, 20, ... the error `‖Σ_i exp(Mr + u_i + v_j) − b‖₂` is checked. The
    /// plan is `exp((Mr_ij + u_i) + v_j)`. Zero masses give `−∞` log-scalings and zero plan
    /// entries; no step divides, so there is no numerical-error stop.
    func logDomain(a: [Double], b: [Double], cost: [Double], warmstart: Warmstart?) -> Run {
        let m = a.count, n = b.count
        let mr = cost.map { -$0 / reg }
        var u = warmstart?.u ?? [Double](repeating: 0, count: m)
        var v = warmstart?.v ?? [Double](repeating: 0, count: n)
        let loga = a.map { log($0) }, logb = b.map { log($0) }
        var shifted = mr
        func logPlan() -> [Double] {
            var t = mr
            for i in 0..<m { for j in 0..<n { t[i * n + j] = (mr[i * n + j] + u[i]) + v[j] } }
            return t
        }
        var monitor = monitor()
        var status = Status.maxIterReached, iterations = 0
        for ii in 0..<numItermax {
            for i in 0..<m { for j in 0..<n { shifted[i * n + j] = mr[i * n + j] + u[i] } }
            let columns = NumPy.logSumExpColumns(shifted, m, n)
            for j in 0..<n { v[j] = logb[j] - columns[j] }
            for i in 0..<m { for j in 0..<n { shifted[i * n + j] = mr[i * n + j] + v[j] } }
            let rows = NumPy.logSumExpRows(shifted, m, n)
            for i in 0..<m { u[i] = loga[i] - rows[i] }
            iterations = ii + 1
            if ii % 10 == 0 {
                let marginal = NumPy.columnSums(logPlan().map { exp($0) }, m, n)
                if let s = monitor.check(NumPy.normOfDifference(marginal, b)) { status = s; break }
            }
        }
        return Run(plan: logPlan().map { exp($0) }, u: u, v: v, iterations: iterations, status: status, monitor: monitor)
    }
}
