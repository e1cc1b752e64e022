import Foundation

extension Sinkhorn {
    /// POT 0.9.7 `ot.bregman.sinkhorn_stabilized`, step by step: potentials `alpha = 0`,
    /// `beta = 0` (or `warmstart`), scalings `u = 1/m`, `v = 1/n`, and the kernel
    /// `K = exp(−(M − alpha_i − beta_j)/reg)`; then per iteration
    /// `v = b / (Kᵀ u)`, `u = a / (K v)`, and when `max|u|` or `max|v|` exceeds `tau` the scalings
    /// are absorbed (`alpha += reg · log u`, `beta += reg · log v`, `u = 1/m`, `v = 1/n`, `K`
    /// rebuilt). At iterations 0, `print_period`, ... the error `‖Σ_i Γ_ij − b_j‖₂` of the plan
    /// `Γ = exp(−(M − alpha_i − beta_j)/reg + log u_i + log v_j)` is checked, and the loop stops once it is
    /// `<= stopThr`. A NaN scaling restores the previous scalings and ends the loop.
    func stabilized(a: [Double], b: [Double], cost: [Double], warmstart: Warmstart?) -> Run {
        let m = a.count, n = b.count
        var alpha = warmstart?.u ?? [Double](repeating: 0, count: m)
        var beta = warmstart?.v ?? [Double](repeating: 0, count: n)
        var u = [Double](repeating: 1 / Double(m), count: m), v = [Double](repeating: 1 / Double(n), count: n)
        func kernel() -> [Double] {
            var k = cost
            for i in 0..<m { for j in 0..<n { k[i * n + j] = exp(-((cost[i * n + j] - alpha[i]) - beta[j]) / reg) } }
            return k
        }
        func gamma() -> [Double] {
            var g = cost
            let lu = u.map { log($0) }, lv = v.map { log($0) }
            for i in 0..<m {
                for j in 0..<n { g[i * n + j] = exp((-((cost[i * n + j] - alpha[i]) - beta[j]) / reg + lu[i]) + lv[j]) }
            }
            return g
        }
        var k = kernel()
        var ktu = [Double](repeating: 0, count: n), kv = [Double](repeating: 0, count: m)
        var monitor = monitor()
        var status = Status.maxIterReached, iterations = 0, absorptions = 0
        for ii in 0..<numItermax {
            let uPrevious = u, vPrevious = v
            NumPy.transposedProduct(k, m, n, u, into: &ktu)
            for j in 0..<n { v[j] = b[j] / ktu[j] }
            NumPy.product(k, m, n, v, into: &kv)
            for i in 0..<m { u[i] = a[i] / kv[i] }
            if Self.maxAbsExceeds(u, tau) || Self.maxAbsExceeds(v, tau) {
                for i in 0..<m { alpha[i] = alpha[i] + reg * log(u[i]) }
                for j in 0..<n { beta[j] = beta[j] + reg * log(v[j]) }
                u = [Double](repeating: 1 / Double(m), count: m)
                v = [Double](repeating: 1 / Double(n), count: n)
                k = kernel()
                absorptions += 1
            }
            var ending: Status?
            if ii % printPeriod == 0 {
                ending = monitor.check(NumPy.normOfDifference(NumPy.columnSums(gamma(), m, n), b))
            }
            if ending == .converged { iterations = ii + 1; status = .converged; break }
            if u.contains(where: \.isNaN) || v.contains(where: \.isNaN) {
                u = uPrevious; v = vPrevious
                iterations = ii
                status = .numericalError
                break
            }
            iterations = ii + 1
            if let ending { status = ending; break }
        }
        let plan = gamma()
        let logU = (0..<m).map { alpha[$0] + reg * log(u[$0]) }, logV = (0..<n).map { beta[$0] + reg * log(v[$0]) }
        return Run(plan: plan, u: logU, v: logV, iterations: iterations, status: status, monitor: monitor, absorptions: absorptions)
    }

    /// numpy's `max(abs(x)) > tau`: false when `x` holds a NaN (the maximum is then NaN).
    static func maxAbsExceeds(_ x: [Double], _ tau: Double) -> Bool {
        var exceeds = false
        for t in x {
            if t.isNaN { return false }
            if abs(t) > tau { exceeds = true }
        }
        return exceeds
    }
}
