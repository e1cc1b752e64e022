import _LabelAssignKernels
import CBLAS
import Foundation

/// A transport plan found by `Sinkhorn.solve`.
public struct TransportPlan: Sendable, Equatable {
    /// Number of sources (rows) and targets (columns).
    public var rows: Int
    public var columns: Int
    /// `rows × columns`, row-major.
    public var plan: [Double]
    /// `Σ plan · cost`.
    public var cost: Double
    /// Sinkhorn iterations run (one iteration updates both scalings).
    public var iterations: Int
    /// `Σ_j |Σ_i plan_ij − b_j|` after the last iteration (rows are exact after each iteration).
    public var marginalError: Double
    /// Whether `marginalError` reached the tolerance within the iteration budget.
    public var converged: Bool
    /// The path that produced the plan (`.logDomain` also when the kernel path fell back to it).
    public var method: Sinkhorn.Method
    /// Times the kernel path absorbed its scalings into the potentials (0 for `.logDomain`).
    public var absorptions: Int
}

/// The fixed-iteration plan of OTA's solver, with its final potentials.
public struct FixedIterationPlan: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// `rows × columns`, row-major: `exp(((−C_ij + u_i) + v_j) / eps)`.
    public var plan: [Float]
    public var u: [Float]
    public var v: [Float]
}

/// Entropic optimal transport (Sinkhorn).
///
/// Two solvers:
/// - `solve(a:b:cost:)`: Float64, iterates until the column-marginal error is below
///   `tolerance` (the converged plan of POT's `ot.sinkhorn(..., method="sinkhorn_log")`).
///   The main path is log-stabilised Sinkhorn (Schmitzer 2019): scaling iterations whose
///   matrix-vector products go through OpenBLAS `cblas_dgemv` on the kernel
///   `K_ij = exp(−(C_ij − f_i − g_j)/ε)`, absorbing the scalings into the log-potentials
///   `f, g` whenever they leave `[1/absorbThreshold, absorbThreshold]`. Pure log-sum-exp
///   iterations are the fallback (used when a kernel product underflows), or on request.
/// - `fixedIterations(...)`: Megvii OTA's float32 log-domain Sinkhorn with a fixed number of
///   iterations and no convergence test (potentials start at 1, `v` first).
public struct Sinkhorn: Sendable, Equatable {
    /// Which iteration `solve` runs.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Scaling iterations on a stabilised kernel through BLAS, with absorption.
        case stabilizedKernel
        /// Log-sum-exp iterations on the potentials.
        case logDomain
    }

    /// Entropic regularisation ε (> 0).
    public var reg: Double
    /// Stop when `Σ_j |Σ_i plan_ij − b_j|` is at most this.
    public var tolerance: Double = 1e-12
    /// Iteration budget.
    public var maxIterations: Int = 100_000
    /// Absorb the scalings into the potentials once any leaves `[1/t, t]` (t > 1).
    public var absorbThreshold: Double = 1e3
    /// Check the marginal error every this many iterations.
    public var checkEvery: Int = 10
    /// The preferred path.
    public var method: Method = .stabilizedKernel

    public init(reg: Double, tolerance: Double = 1e-12, maxIterations: Int = 100_000, method: Method = .stabilizedKernel) {
        self.reg = reg
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.method = method
    }

    /// Checks the configuration.
    public func validate() throws {
        guard reg.isFinite, reg > 0 else { throw LabelAssignError.invalidParameter(name: "reg", reason: "must be finite and > 0, got \(reg)") }
        guard tolerance.isFinite, tolerance >= 0 else { throw LabelAssignError.invalidParameter(name: "tolerance", reason: "must be finite and >= 0") }
        guard maxIterations >= 1 else { throw LabelAssignError.invalidParameter(name: "maxIterations", reason: "must be >= 1") }
        guard absorbThreshold.isFinite, absorbThreshold > 1 else { throw LabelAssignError.invalidParameter(name: "absorbThreshold", reason: "must be finite and > 1") }
        guard checkEvery >= 1 else { throw LabelAssignError.invalidParameter(name: "checkEvery", reason: "must be >= 1") }
    }

    /// Checks a transport problem: `a` (rows), `b` (columns) non-negative and finite, `cost`
    /// `rows × columns` finite. With `balanced`, `Σa` must equal `Σb` (relative 1e-8) and be > 0.
    public static func validateProblem<T: BinaryFloatingPoint>(a: [T], b: [T], cost: [T], balanced: Bool,
                                                               names: (a: String, b: String, cost: String) = ("a", "b", "M")) throws {
        guard !a.isEmpty else { throw LabelAssignError.invalidValue(field: names.a, index: nil, reason: "needs at least one entry") }
        guard !b.isEmpty else { throw LabelAssignError.invalidValue(field: names.b, index: nil, reason: "needs at least one entry") }
        guard cost.count == a.count * b.count else {
            throw LabelAssignError.shapeMismatch(field: names.cost, expected: a.count * b.count, actual: cost.count)
        }
        for (i, x) in a.enumerated() where !x.isFinite || x < 0 {
            throw LabelAssignError.invalidValue(field: names.a, index: i, reason: "\(x) is not a finite non-negative mass")
        }
        for (j, x) in b.enumerated() where !x.isFinite || x < 0 {
            throw LabelAssignError.invalidValue(field: names.b, index: j, reason: "\(x) is not a finite non-negative mass")
        }
        for (k, x) in cost.enumerated() where !x.isFinite {
            throw LabelAssignError.invalidValue(field: names.cost, index: k / b.count, reason: "entry \(k % b.count) is \(x), not finite")
        }
        if balanced {
            let sa = a.reduce(0.0) { $0 + Double($1) }, sb = b.reduce(0.0) { $0 + Double($1) }
            guard sa > 0 else { throw LabelAssignError.invalidValue(field: names.a, index: nil, reason: "total mass must be > 0") }
            guard abs(sa - sb) <= 1e-8 * max(sa, sb) else {
                throw LabelAssignError.invalidValue(field: names.b, index: nil,
                                                    reason: "marginals do not balance: sum(\(names.a)) = \(sa), sum(\(names.b)) = \(sb)")
            }
        }
    }

    /// Solves `min ⟨P, C⟩ − ε H(P)` subject to `P 1 = a`, `Pᵀ 1 = b` (balanced entropic OT).
    /// `cost` is `a.count × b.count` row-major. Zero-mass rows and columns get zero plan entries.
    public func solve(a: [Double], b: [Double], cost: [Double]) throws -> TransportPlan {
        try validate()
        try Sinkhorn.validateProblem(a: a, b: b, cost: cost, balanced: true)
        let m = a.count, n = b.count
        // Solve on the rows and columns that carry mass; embed the result.
        let rowsKept = (0..<m).filter { a[$0] > 0 }, colsKept = (0..<n).filter { b[$0] > 0 }
        let mk = rowsKept.count, nk = colsKept.count
        var sub = [Double](repeating: 0, count: mk * nk)
        for (r, i) in rowsKept.enumerated() { for (c, j) in colsKept.enumerated() { sub[r * nk + c] = cost[i * n + j] } }
        let sa = rowsKept.map { a[$0] }, sb = colsKept.map { b[$0] }
        var result: (plan: [Double], iterations: Int, error: Double, method: Method, absorptions: Int)
        if method == .stabilizedKernel, let r = stabilizedKernel(a: sa, b: sb, cost: sub) {
            result = r
        } else {
            result = logDomain(a: sa, b: sb, cost: sub)
        }
        var plan = [Double](repeating: 0, count: m * n)
        var total = 0.0
        for (r, i) in rowsKept.enumerated() {
            for (c, j) in colsKept.enumerated() {
                let p = result.plan[r * nk + c]
                plan[i * n + j] = p
                total += p * cost[i * n + j]
            }
        }
        guard plan.allSatisfy(\.isFinite) else {
            throw LabelAssignError.invalidValue(field: "plan", index: nil, reason: "Sinkhorn produced a non-finite plan (reg \(reg) too small for this cost range?)")
        }
        return TransportPlan(rows: m, columns: n, plan: plan, cost: total, iterations: result.iterations,
                             marginalError: result.error, converged: result.error <= tolerance, method: result.method,
                             absorptions: result.absorptions)
    }

    /// Log-stabilised scaling iterations through BLAS. Returns nil when a product underflows
    /// or overflows even right after an absorption (the caller then runs `logDomain`).
    func stabilizedKernel(a: [Double], b: [Double], cost: [Double]) -> (plan: [Double], iterations: Int, error: Double, method: Method, absorptions: Int)? {
        let m = a.count, n = b.count, eps = reg
        // Potentials start at the row minima, then the column minima of what is left, so every
        // row and every column of the first kernel holds an entry equal to 1.
        var f = [Double](repeating: 0, count: m), g = [Double](repeating: .infinity, count: n)
        for i in 0..<m { f[i] = cost[(i * n)..<((i + 1) * n)].min()! }
        for i in 0..<m { for j in 0..<n { g[j] = min(g[j], cost[i * n + j] - f[i]) } }
        var kernel = [Double](repeating: 0, count: m * n)
        func rebuildKernel() {
            kernel.withUnsafeMutableBufferPointer { k in
                cost.withUnsafeBufferPointer { c in
                    for i in 0..<m {
                        let fi = f[i]
                        for j in 0..<n { k[i * n + j] = exp(-(c[i * n + j] - fi - g[j]) / eps) }
                    }
                }
            }
        }
        rebuildKernel()
        var u = [Double](repeating: 1, count: m), v = [Double](repeating: 1, count: n)
        var ktu = [Double](repeating: 0, count: n), kv = [Double](repeating: 0, count: m)
        let tau = absorbThreshold
        var error = Double.infinity
        var iterations = 0, absorptions = 0
        func absorb() {
            absorptions += 1
            for i in 0..<m { f[i] += eps * log(u[i]); u[i] = 1 }
            for j in 0..<n { g[j] += eps * log(v[j]); v[j] = 1 }
            rebuildKernel()
        }
        while iterations < maxIterations {
            iterations += 1
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, kernel, Int32(n), u, 1, 0, &ktu, 1)
            for j in 0..<n { v[j] = b[j] / ktu[j] }
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, kernel, Int32(n), v, 1, 0, &kv, 1)
            for i in 0..<m { u[i] = a[i] / kv[i] }
            // A product that under- or overflowed: the log-domain iteration takes over.
            let healthy = u.allSatisfy { $0.isFinite && $0 > 0 } && v.allSatisfy { $0.isFinite && $0 > 0 }
            if !healthy { return nil }
            let outside = u.contains { $0 > tau || $0 < 1 / tau } || v.contains { $0 > tau || $0 < 1 / tau }
            if outside { absorb() }
            if iterations % checkEvery == 0 || iterations == maxIterations {
                cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, kernel, Int32(n), u, 1, 0, &ktu, 1)
                error = 0
                for j in 0..<n { error += abs(v[j] * ktu[j] - b[j]) }
                if error <= tolerance { break }
            }
        }
        var plan = kernel
        for i in 0..<m { for j in 0..<n { plan[i * n + j] = u[i] * kernel[i * n + j] * v[j] } }
        if error.isInfinite {
            error = 0
            for j in 0..<n { var s = 0.0; for i in 0..<m { s += plan[i * n + j] }; error += abs(s - b[j]) }
        }
        return (plan, iterations, error, .stabilizedKernel, absorptions)
    }

    /// Log-sum-exp iterations on the potentials `f, g` (POT `sinkhorn_log` with potentials scaled by ε).
    func logDomain(a: [Double], b: [Double], cost: [Double]) -> (plan: [Double], iterations: Int, error: Double, method: Method, absorptions: Int) {
        let m = a.count, n = b.count, eps = reg
        let loga = a.map { log($0) }, logb = b.map { log($0) }
        var f = [Double](repeating: 0, count: m), g = [Double](repeating: 0, count: n)
        var column = [Double](repeating: 0, count: m), row = [Double](repeating: 0, count: n)
        func lse(_ x: [Double]) -> Double {
            let mx = x.max()!
            if !mx.isFinite { return mx }
            var s = 0.0
            for t in x { s += exp(t - mx) }
            return log(s) + mx
        }
        var error = Double.infinity
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            for j in 0..<n {
                for i in 0..<m { column[i] = (f[i] - cost[i * n + j]) / eps }
                g[j] = eps * (logb[j] - lse(column))
            }
            for i in 0..<m {
                for j in 0..<n { row[j] = (g[j] - cost[i * n + j]) / eps }
                f[i] = eps * (loga[i] - lse(row))
            }
            if iterations % checkEvery == 0 || iterations == maxIterations {
                error = 0
                for j in 0..<n {
                    var s = 0.0
                    for i in 0..<m { s += exp((f[i] + g[j] - cost[i * n + j]) / eps) }
                    error += abs(s - b[j])
                }
                if error <= tolerance { break }
            }
        }
        var plan = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { plan[i * n + j] = exp((f[i] + g[j] - cost[i * n + j]) / eps) } }
        return (plan, iterations, error, .logDomain, 0)
    }

    /// Megvii OTA's log-domain Sinkhorn, float32, exactly as written there: `u = 1`, `v = 1`,
    /// `M_ij = ((−C_ij + u_i) + v_j)/eps`, then `iterations` times
    /// `v ← eps·(ln(ν + 1e-8) − LSE_i M) + v` followed by `u ← eps·(ln(μ + 1e-8) − LSE_j M) + u`;
    /// the plan is `exp(M)`. `cost` is `mu.count × nu.count` row-major.
    /// Throws on bad shapes, non-finite or negative input, `eps ≤ 0`, or a non-finite plan.
    public static func fixedIterations(cost: [Float], mu: [Float], nu: [Float], eps: Float = 0.1, iterations: Int = 50) throws -> FixedIterationPlan {
        guard eps.isFinite, eps > 0 else { throw LabelAssignError.invalidParameter(name: "eps", reason: "must be finite and > 0, got \(eps)") }
        guard iterations >= 0, iterations <= Int(Int32.max) else { throw LabelAssignError.invalidParameter(name: "iterations", reason: "must be >= 0, got \(iterations)") }
        try validateProblem(a: mu, b: nu, cost: cost, balanced: false, names: ("mu", "nu", "cost"))
        let rows = mu.count, cols = nu.count
        var u = [Float](repeating: 0, count: rows), v = [Float](repeating: 0, count: cols)
        var plan = [Float](repeating: 0, count: rows * cols)
        var scratch = [Float](repeating: 0, count: max(rows, cols))
        lak_sinkhorn_fixed_dense(cost, Int64(rows), Int64(cols), mu, nu, eps, Int32(iterations), &u, &v, &plan, &scratch)
        if let bad = plan.firstIndex(where: { !$0.isFinite }) {
            throw LabelAssignError.invalidValue(field: "plan", index: bad / cols,
                                                reason: "entry \(bad % cols) is \(plan[bad]): the iteration over- or underflowed")
        }
        return FixedIterationPlan(rows: rows, columns: cols, plan: plan, u: u, v: v)
    }
}
