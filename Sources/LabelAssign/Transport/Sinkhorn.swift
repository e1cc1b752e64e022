import _LabelAssignKernels
import CBLAS
import Foundation

/// A transport plan found by `Sinkhorn.solve`, with what POT's `log=True` returns.
public struct TransportPlan: Sendable, Equatable {
    /// Number of sources (rows) and targets (columns).
    public var rows: Int
    public var columns: Int
    /// `rows × columns`, row-major: what POT's `ot.sinkhorn` returns.
    public var plan: [Double]
    /// `Σ M · plan`, summed as numpy's `(M * plan).sum()` (pairwise): POT's `ot.sinkhorn2`.
    public var cost: Double
    /// Iterations whose updates the plan carries (an iteration updates `v`, then `u`).
    public var iterations: Int
    /// POT's `log["niter"]` (`log["n_iter"]` for `sinkhorn_stabilized`): the index of the last
    /// loop pass, `iterations − 1`, or `iterations` after a numerical-error stop.
    public var niter: Int
    /// POT's `log["err"]`: `‖Σ_i plan_ij − b_j‖₂` at every check, in order.
    public var errors: [Double]
    /// How the iteration ended.
    public var status: Sinkhorn.Status
    /// The method that produced the plan.
    public var method: Sinkhorn.Method
    /// Absorptions of the scalings into the potentials (`sinkhorn_stabilized`; 0 otherwise).
    public var absorptions: Int
    /// POT's final dual variables: `sinkhorn`: the scalings `log["u"]`, `log["v"]`;
    /// `sinkhorn_log`: `log["log_u"]`, `log["log_v"]`; `sinkhorn_stabilized`: `log["alpha"]`,
    /// `log["beta"]` (ε-scaled potentials, POT's `log["warmstart"]`).
    public var u: [Double]
    public var v: [Double]

    /// The last checked error (POT's `log["err"][-1]`; infinity before any check).
    public var marginalError: Double { errors.last ?? .infinity }
    /// Whether the error went below `stopThr`.
    public var converged: Bool { status == .converged }
    /// The warm start that continues this solve with the same method: `(log u, log v)` for
    /// `sinkhorn`, `(u, v)` as returned for the others.
    public var warmstart: Sinkhorn.Warmstart {
        method == .sinkhorn ? Sinkhorn.Warmstart(u: u.map { log($0) }, v: v.map { log($0) }) : Sinkhorn.Warmstart(u: u, v: v)
    }
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

/// Entropic optimal transport (Sinkhorn), `min ⟨P, M⟩ + reg · Σ P log P` subject to `P 1 = a`,
/// `Pᵀ 1 = b`.
///
/// Two solvers:
/// - `solve(a:b:cost:rows:columns:warmstart:)`: POT 0.9.7's `ot.sinkhorn(a, b, M, reg, method,
///   numItermax, stopThr, warmstart, tau, print_period)` in float64, one method per file
///   (`Sinkhorn+Knopp.swift`, `Sinkhorn+Log.swift`, `Sinkhorn+Stabilized.swift`), each with POT's
///   initialisation, update order, check period, stopping test and numerical-error rule. The
///   matrix-vector products are OpenBLAS `dgemv` (`ddot` when one side has length 1) on one
///   thread, as numpy's `@`; sums follow numpy's order (`Sinkhorn+NumPy.swift`). Plus one stop
///   POT does not have: `stallChecks` (see `Status.stalled`).
/// - `fixedIterations(...)`: Megvii OTA's float32 log-domain Sinkhorn with a fixed number of
///   iterations and no convergence test (potentials start at 1, `v` first).
public struct Sinkhorn: Sendable, Equatable {
    /// POT's `method` of `ot.sinkhorn`, by its name.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// `ot.bregman.sinkhorn_knopp`: scaling iterations on `K = exp(−M/reg)`.
        case sinkhorn
        /// `ot.bregman.sinkhorn_log`: log-sum-exp iterations on the log-scalings.
        case sinkhornLog = "sinkhorn_log"
        /// `ot.bregman.sinkhorn_stabilized`: scalings absorbed into potentials once above `tau`.
        case sinkhornStabilized = "sinkhorn_stabilized"
    }

    /// How an iteration ended.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// The error went below `stopThr` (`err < stopThr`; `<=` for `sinkhorn_stabilized`, as POT).
        case converged
        /// `stallChecks` consecutive checks without a new smallest error: the error has reached
        /// the floor that rounding allows (above `stopThr`), so more iterations would not lower it.
        case stalled
        /// `numItermax` iterations ran without either (POT warns "Sinkhorn did not converge").
        case maxIterReached = "max_iter_reached"
        /// A scaling became 0, NaN or infinite: the previous scalings are kept and the loop ends
        /// (POT warns "numerical errors at iteration").
        case numericalError = "numerical_error"
    }

    /// POT's `warmstart`: initial dual potentials, `rows` and `columns` values. POT reads them per
    /// method: `sinkhorn`: `u = exp(warmstart.u)` (log-scalings); `sinkhorn_log`: the log-scalings
    /// themselves; `sinkhorn_stabilized`: `alpha, beta` (the log-scalings times `reg`).
    public struct Warmstart: Sendable, Equatable {
        public var u: [Double]
        public var v: [Double]
        public init(u: [Double], v: [Double]) { self.u = u; self.v = v }
    }

    /// Entropic regularisation (POT's `reg`, > 0).
    public var reg: Double
    /// POT's `method`.
    public var method: Method
    /// POT's `numItermax`: at most this many iterations (1 ... `maxNumItermax`).
    public var numItermax: Int
    /// POT's `stopThr`: stop when the error is below it.
    public var stopThr: Double
    /// POT's `tau` (`sinkhorn_stabilized`): absorb once a scaling exceeds it.
    public var tau: Double
    /// POT's `print_period` (`sinkhorn_stabilized`): its error is checked every this many
    /// iterations (`sinkhorn` and `sinkhorn_log` check every 10, as POT).
    public var printPeriod: Int
    /// Stop as `.stalled` after this many consecutive checks without a new smallest error
    /// (0: never, exactly POT's loop).
    public var stallChecks: Int

    /// The largest `numItermax` (bounds the work of one solve).
    public static let maxNumItermax = 10_000_000

    /// POT's defaults: `method="sinkhorn"`, `numItermax=1000`, `stopThr=1e-9`, `tau=1e3`,
    /// `print_period=20`; the stall stop after 20 checks.
    public init(reg: Double, method: Method = .sinkhorn, numItermax: Int = 1000, stopThr: Double = 1e-9,
                tau: Double = 1e3, printPeriod: Int = 20, stallChecks: Int = 20) {
        self.reg = reg
        self.method = method
        self.numItermax = numItermax
        self.stopThr = stopThr
        self.tau = tau
        self.printPeriod = printPeriod
        self.stallChecks = stallChecks
    }

    /// Iterations between error checks.
    var checkPeriod: Int { method == .sinkhornStabilized ? printPeriod : 10 }

    /// Checks the configuration.
    public func validate() throws {
        guard reg.isFinite, reg > 0 else { throw LabelAssignError.invalidParameter(name: "reg", reason: "must be finite and > 0, got \(reg)") }
        guard numItermax >= 1, numItermax <= Self.maxNumItermax else {
            throw LabelAssignError.invalidParameter(name: "numItermax", reason: "must be in [1, \(Self.maxNumItermax)], got \(numItermax)")
        }
        guard stopThr.isFinite, stopThr >= 0 else { throw LabelAssignError.invalidParameter(name: "stopThr", reason: "must be finite and >= 0, got \(stopThr)") }
        guard tau.isFinite, tau > 0 else { throw LabelAssignError.invalidParameter(name: "tau", reason: "must be finite and > 0, got \(tau)") }
        guard printPeriod >= 1 else { throw LabelAssignError.invalidParameter(name: "print_period", reason: "must be >= 1, got \(printPeriod)") }
        guard stallChecks >= 0 else { throw LabelAssignError.invalidParameter(name: "stall_checks", reason: "must be >= 0 (0: off), got \(stallChecks)") }
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

    /// Solves the problem with `a.count` rows and `b.count` columns (`cost` row-major).
    public func solve(a: [Double], b: [Double], cost: [Double], warmstart: Warmstart? = nil) throws -> TransportPlan {
        try solve(a: a, b: b, cost: cost, rows: a.count, columns: b.count, warmstart: warmstart)
    }

    /// Solves a `rows × columns` problem (`cost` row-major) as POT's `ot.sinkhorn` with this
    /// configuration. An empty `a` or `b` means uniform weights `1 / count`, as in POT. Throws
    /// `LabelAssignError` on bad shapes, negative or non-finite masses, non-finite costs,
    /// unbalanced or zero total mass, a warm start of the wrong length or with NaN or `+∞`, and
    /// a plan that is not finite.
    public func solve(a: [Double], b: [Double], cost: [Double], rows: Int, columns: Int, warmstart: Warmstart? = nil) throws -> TransportPlan {
        try validate()
        guard rows >= 1, columns >= 1 else {
            throw LabelAssignError.invalidParameter(name: "rows/columns", reason: "need at least one row and one column, got \(rows) × \(columns)")
        }
        let a = a.isEmpty ? [Double](repeating: 1 / Double(rows), count: rows) : a
        let b = b.isEmpty ? [Double](repeating: 1 / Double(columns), count: columns) : b
        guard a.count == rows else { throw LabelAssignError.shapeMismatch(field: "a", expected: rows, actual: a.count) }
        guard b.count == columns else { throw LabelAssignError.shapeMismatch(field: "b", expected: columns, actual: b.count) }
        try Sinkhorn.validateProblem(a: a, b: b, cost: cost, balanced: true)
        if let w = warmstart { try Self.validate(w, rows: rows, columns: columns) }
        let run: Run = BLASThreads.single {
            switch method {
            case .sinkhorn: knopp(a: a, b: b, cost: cost, warmstart: warmstart)
            case .sinkhornLog: logDomain(a: a, b: b, cost: cost, warmstart: warmstart)
            case .sinkhornStabilized: stabilized(a: a, b: b, cost: cost, warmstart: warmstart)
            }
        }
        if let bad = run.plan.firstIndex(where: { !$0.isFinite }) {
            throw LabelAssignError.invalidValue(field: "plan", index: bad / columns, reason: """
                entry \(bad % columns) is \(run.plan[bad]) after \(run.iterations) iterations of \(method.rawValue) \
                (\(run.status.rawValue)): reg \(reg) is too small for this cost range; try sinkhorn_log
                """)
        }
        let cost = NumPy.sum(zip(cost, run.plan).map { $0 * $1 })
        return TransportPlan(rows: rows, columns: columns, plan: run.plan, cost: cost, iterations: run.iterations,
                             niter: run.status == .numericalError ? run.iterations : run.iterations - 1,
                             errors: run.monitor.errors, status: run.status, method: method,
                             absorptions: run.absorptions, u: run.u, v: run.v)
    }

    private static func validate(_ w: Warmstart, rows: Int, columns: Int) throws {
        guard w.u.count == rows else { throw LabelAssignError.shapeMismatch(field: "warmstart[0]", expected: rows, actual: w.u.count) }
        guard w.v.count == columns else { throw LabelAssignError.shapeMismatch(field: "warmstart[1]", expected: columns, actual: w.v.count) }
        for (name, x) in [("warmstart[0]", w.u), ("warmstart[1]", w.v)] {
            if let k = x.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
                throw LabelAssignError.invalidValue(field: name, index: k, reason: "\(x[k]) is not a potential (finite or -infinity)")
            }
        }
    }

    // MARK: one run

    /// What one method's loop produced.
    struct Run {
        var plan: [Double]
        var u: [Double]
        var v: [Double]
        var iterations: Int
        var status: Status
        var monitor: ErrorMonitor
        var absorptions = 0
    }

    /// POT's error checks, and the stall stop.
    ///
    /// A check records the error; it converges when the error is below `stopThr` (`<` for
    /// `sinkhorn` and `sinkhorn_log`, `<=` for `sinkhorn_stabilized`, as POT), and stalls when
    /// `stallChecks` consecutive checks (`stallChecks · checkPeriod` iterations) have not set a
    /// new smallest error. While Sinkhorn converges its error falls at every check, slowly at
    /// small `reg` but always to a new minimum; only at the floor that float64 rounding allows
    /// does it stop falling and repeat or wander, and only then does the stall stop end the loop.
    struct ErrorMonitor {
        let stopThr: Double
        let inclusive: Bool
        let stallChecks: Int
        private(set) var errors: [Double] = []
        private var best = Double.infinity
        private var sinceBest = 0

        init(stopThr: Double, inclusive: Bool, stallChecks: Int) {
            self.stopThr = stopThr
            self.inclusive = inclusive
            self.stallChecks = stallChecks
        }

        /// Records the error of a check; returns how the loop ends, or nil to go on.
        mutating func check(_ err: Double) -> Status? {
            errors.append(err)
            if inclusive ? err <= stopThr : err < stopThr { return .converged }
            if err < best { best = err; sinceBest = 0 } else { sinceBest += 1 }
            return stallChecks > 0 && sinceBest >= stallChecks ? .stalled : nil
        }
    }

    func monitor() -> ErrorMonitor {
        ErrorMonitor(stopThr: stopThr, inclusive: method == .sinkhornStabilized, stallChecks: stallChecks)
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
