/// An exact optimal transport plan found by `ExactTransport.solve`, under POT's names.
public struct ExactTransportPlan: Sendable, Equatable {
    /// Number of sources (rows) and targets (columns).
    public var rows: Int
    public var columns: Int
    /// `rows × columns`, row-major: POT's `ot.emd(a, b, M)`.
    public var plan: [Double]
    /// `Σ plan · M` summed as POT's `EMD_wrap` sums it: POT's `ot.emd2(a, b, M)` (`log["cost"]`).
    public var cost: Double
    /// Dual potentials with `u_i + v_j ≤ M_ij` (equality on the plan's support), centred so
    /// that `Σ a·u = Σ b·v`: POT's `log["u"]`, `log["v"]` (with `center_dual=True`). They are
    /// computed through POT's artificial cost `(max M + 1)·(rows + columns)`, so they hold to
    /// rounding at that scale (about 1e-7 absolute on OTA's problems, whose costs reach 1e6).
    public var u: [Double]
    public var v: [Double]
    /// `.maxIterReached` when `numItermax` stopped the search: the plan is then the current
    /// basic solution, possibly not optimal and with marginals not yet met (POT warns).
    public var status: ExactTransport.Status
    /// Pivots of the network simplex after its initial pivots.
    public var iterations: Int

    /// POT's `log["warning"]`: nil when optimal.
    public var warning: String? {
        status == .optimal ? nil : "numItermax reached before optimality. Try to increase numItermax."
    }
}

/// Exact (unregularised) optimal transport in float64: `min ⟨P, M⟩` subject to `P 1 = a`,
/// `Pᵀ 1 = b`, `P ≥ 0`: the Earth Mover's distance.
///
/// Reproduces POT 0.9.7's `ot.emd(a, b, M, numItermax)` / `ot.emd2` (dense input,
/// `center_dual=True`, `check_marginals=True`) step by step, so the plan, the cost and the duals
/// are POT's to the last bit, degenerate problems included (ties, zero masses, many optimal
/// plans: the same pivots pick the same vertex):
/// - an empty `a` or `b` means uniform weights `1 / count`;
/// - `|Σa − Σb|` must be below 1.5e-6 (POT's `assert_almost_equal(..., decimal=6)`), then `b`
///   is rescaled to `b · Σa / Σb` (numpy's pairwise sums);
/// - rows and columns of zero mass are left out of the solve (their plan entries are 0);
/// - the network simplex (`NetworkSimplex`: LEMON's, block search pricing, big-M artificial
///   start) runs on the rest;
/// - the duals are centred (`ot.lp.center_ot_dual`) and, when masses are zero, the potentials
///   of the zero-mass rows and columns are lowered until no dual constraint is violated, then
///   centred again (`ot.lp.estimate_dual_null_weights`).
///
/// Degenerate input: a basic solution has at most `rows + columns − 1` non-zero entries.
/// Integer masses give an integral plan (every entry an exact integer: the simplex only adds and
/// subtracts flows), so OTA's problem (integer supplies, unit demands) is a hard assignment.
/// Where POT fails this solver answers or throws a typed error instead of returning a zero plan:
/// - costs so negative that POT's artificial cost `(max M + 1) · N` is too small (POT: "Problem
///   infeasible", zero plan): solved again on `M − min M`, which has the same optimal plans; the
///   cost is then summed on `M`;
/// - supplies that, after rescaling, still differ by more than the simplex's 1e-8 (POT:
///   "Problem infeasible"): `invalidValue(field: "b")`; large masses with fractional parts can
///   do this, scaled-down masses do not.
///
/// Complexity: each pivot prices at least one block of `√(rows·columns)` arcs (tiles of 32
/// that provably hold no entering arc are skipped, as OTA's 1e6-penalised entries mostly are)
/// and walks the tree (`O(rows + columns)`); the number of pivots grows roughly linearly with
/// `rows + columns` (about 17,000 for 300 × 3000, 25,000 for OTA's 101 × 8400). Memory: about
/// 24 bytes per entry of `M`, the plan included. One thread.
public struct ExactTransport: Sendable, Equatable {
    /// How the solve ended.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// An optimal plan (POT's `OPTIMAL`).
        case optimal
        /// `numItermax` reached first (POT's `MAX_ITER_REACHED`, which POT reports by a warning).
        case maxIterReached
    }

    /// POT's `numItermax`: stop when this many entering arcs have been found (the last is not
    /// pivoted on). 0 means no limit, as in POT.
    public var numItermax: Int

    /// POT's tolerance on `|Σa − Σb|` (absolute).
    public static let massTolerance = 1.5e-6

    public init(numItermax: Int = 100_000) {
        self.numItermax = numItermax
    }

    /// Checks the configuration.
    public func validate() throws {
        guard numItermax >= 0 else {
            throw LabelAssignError.invalidParameter(name: "numItermax", reason: "must be >= 0 (0: no limit), got \(numItermax)")
        }
    }

    /// Solves the problem with `a.count` rows and `b.count` columns (`cost` row-major).
    public func solve(a: [Double], b: [Double], cost: [Double]) throws -> ExactTransportPlan {
        try solve(a: a, b: b, cost: cost, rows: a.count, columns: b.count)
    }

    /// Solves the problem on a `rows × columns` row-major `cost`; `a` and `b` hold `rows` and
    /// `columns` masses, or are empty (uniform). Throws `LabelAssignError` on a bad shape,
    /// negative or non-finite masses, non-finite costs or costs so large that POT's artificial
    /// cost overflows (beyond about 1e300), zero total mass or unequal totals.
    public func solve(a: [Double], b: [Double], cost: [Double], rows: Int, columns: Int) throws -> ExactTransportPlan {
        try validate()
        let (a, b) = try Self.marginals(a: a, b: b, cost: cost, rows: rows, columns: columns)
        let keptRows = (0..<rows).filter { a[$0] != 0 }, keptCols = (0..<columns).filter { b[$0] != 0 }
        guard !keptCols.isEmpty else {
            throw LabelAssignError.invalidValue(field: "b", index: nil, reason: "every mass is zero after rescaling to sum(a)")
        }
        var result = try cost.withUnsafeBufferPointer { m in
            try solveKept(m, columns: columns, keptRows: keptRows, keptCols: keptCols, a: a, b: b)
        }
        Self.centreDuals(&result.u, &result.v, a: a, b: b)
        if keptRows.count < rows || keptCols.count < columns {
            Self.estimateNullWeightDuals(&result.u, &result.v, a: a, b: b, cost: cost)
        }
        return result
    }

    // MARK: input

    /// The masses POT solves with: uniform when empty, checked, `b` rescaled to `Σa`.
    static func marginals(a: [Double], b: [Double], cost: [Double], rows: Int, columns: Int) throws -> (a: [Double], b: [Double]) {
        guard rows >= 1, columns >= 1 else {
            throw LabelAssignError.invalidParameter(name: "rows/columns", reason: "need at least one row and one column, got \(rows) × \(columns)")
        }
        let (entries, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else { throw LabelAssignError.shapeMismatch(field: "M", expected: Int.max, actual: cost.count) }
        guard cost.count == entries else { throw LabelAssignError.shapeMismatch(field: "M", expected: entries, actual: cost.count) }
        let a = a.isEmpty ? [Double](repeating: 1 / Double(rows), count: rows) : a
        let b = b.isEmpty ? [Double](repeating: 1 / Double(columns), count: columns) : b
        guard a.count == rows else { throw LabelAssignError.shapeMismatch(field: "a", expected: rows, actual: a.count) }
        guard b.count == columns else { throw LabelAssignError.shapeMismatch(field: "b", expected: columns, actual: b.count) }
        try Sinkhorn.validateProblem(a: a, b: b, cost: cost, balanced: false)
        // Potentials reach POT's artificial cost (max M + 1)·(rows + columns); a shift by min M
        // may double the range: both must stay finite.
        let largest = cost.reduce(0) { max($0, abs($1)) }
        guard (4 * (largest + 1) * Double(rows + columns)).isFinite else {
            throw LabelAssignError.invalidValue(field: "M", index: nil,
                                                reason: "costs up to \(largest) in magnitude overflow the network simplex's artificial cost (max M + 1)·(rows + columns)")
        }
        let sa = LinearAssignment.pairwiseSum(a), sb = LinearAssignment.pairwiseSum(b)
        guard sa > 0 else { throw LabelAssignError.invalidValue(field: "a", index: nil, reason: "total mass must be > 0") }
        guard abs(sb - sa) < massTolerance else {
            throw LabelAssignError.invalidValue(field: "b", index: nil,
                                                reason: "a and b must have the same total mass (to \(massTolerance), as POT's ot.emd): sum(a) = \(sa), sum(b) = \(sb)")
        }
        return (a, b.map { $0 * sa / sb })
    }

    // MARK: solve

    /// The network simplex on the kept rows and columns, read back into the full shape
    /// (duals not yet centred).
    private func solveKept(_ m: UnsafeBufferPointer<Double>, columns: Int, keptRows: [Int], keptCols: [Int],
                           a: [Double], b: [Double]) throws -> ExactTransportPlan {
        let simplex = NetworkSimplex(matrix: m.baseAddress!, columns: columns, rows: keptRows, cols: keptCols,
                                     a: keptRows.map { a[$0] }, b: keptCols.map { b[$0] }, maxIterations: numItermax)
        switch simplex.run() {
        case .optimal:
            return Self.readBack(simplex, original: m, rows: a.count, status: .optimal)
        case .maxIterReached:
            return Self.readBack(simplex, original: m, rows: a.count, status: .maxIterReached)
        case let .unbalanced(imbalance):
            throw LabelAssignError.invalidValue(field: "b", index: nil, reason: """
                after rescaling b to sum(a) the supplies and demands still differ by \(imbalance), more than the \
                network simplex's 1e-8 (POT's ot.emd answers "Problem infeasible" with a zero plan): scale both marginals down
                """)
        case let .infeasible(remainder):
            if let low = m.min(), low < 0 { return try solveShifted(m, by: low, columns: columns, keptRows: keptRows, keptCols: keptCols, a: a, b: b) }
            throw LabelAssignError.invalidValue(field: "b", index: nil, reason: """
                the network simplex ended with \(remainder) left on an artificial arc (more than 1e-8; POT's ot.emd answers \
                "Problem infeasible"): rounding of large masses; scale both marginals down
                """)
        case .unbounded:
            throw LabelAssignError.invalidValue(field: "M", index: nil, reason: "the network simplex found no blocking arc (unbounded cycle): costs out of range")
        }
    }

    /// POT's big-M start fails on costs below `−1`-ish: solve `M − low` (same optimal plans),
    /// then report the cost on `M` and potentials for `M`.
    private func solveShifted(_ m: UnsafeBufferPointer<Double>, by low: Double, columns: Int, keptRows: [Int], keptCols: [Int],
                              a: [Double], b: [Double]) throws -> ExactTransportPlan {
        let shifted = m.map { $0 - low }
        var result = try shifted.withUnsafeBufferPointer { s in
            try solveKept(s, columns: columns, keptRows: keptRows, keptCols: keptCols, a: a, b: b)
        }
        var total = 0.0
        for k in stride(from: result.plan.count - 1, through: 0, by: -1) where result.plan[k] != 0 { total += result.plan[k] * m[k] }
        result.cost = total
        for i in keptRows { result.u[i] += low }
        return result
    }

    /// The plan, cost and duals of a finished simplex, in POT's order: arcs in the simplex's
    /// order (the cost matrix backwards), `u = −π(row)`, `v = π(column)`.
    private static func readBack(_ s: NetworkSimplex, original m: UnsafeBufferPointer<Double>, rows: Int,
                                 status: Status) -> ExactTransportPlan {
        let columns = s.columns
        var plan = [Double](repeating: 0, count: rows * columns)
        var total = 0.0
        for e in 0..<s.arcCount where s.flow[e] != 0 {
            let r = e / s.m
            let k = s.rowOf[r] * columns + s.colOf[e - r * s.m]
            total += s.flow[e] * m[k]
            plan[k] = s.flow[e]
        }
        var u = [Double](repeating: 0, count: rows), v = [Double](repeating: 0, count: columns)
        for r in 0..<s.n { u[s.rowOf[r]] = -s.pi[s.m + r] }
        for c in 0..<s.m { v[s.colOf[c]] = s.pi[c] }
        return ExactTransportPlan(rows: rows, columns: columns, plan: plan, cost: total, u: u, v: v,
                                  status: status, iterations: s.pivots)
    }

    // MARK: duals

    /// `ot.lp.center_ot_dual`: `c = (Σ b·v − Σ a·u) / (Σa + Σb)`, `u + c`, `v − c`.
    static func centreDuals(_ u: inout [Double], _ v: inout [Double], a: [Double], b: [Double]) {
        let ips = LinearAssignment.pairwiseSum(zip(b, v).map { $0 * $1 }) - LinearAssignment.pairwiseSum(zip(a, u).map { $0 * $1 })
        let c = ips / (LinearAssignment.pairwiseSum(a) + LinearAssignment.pairwiseSum(b))
        for i in u.indices { u[i] += c }
        for j in v.indices { v[j] -= c }
    }

    /// `ot.lp.estimate_dual_null_weights`: a zero-mass row (column) is lowered by its largest
    /// violation `max_j (u_i + v_j − M_ij)` when positive; then the duals are centred again.
    static func estimateNullWeightDuals(_ u: inout [Double], _ v: inout [Double], a: [Double], b: [Double], cost: [Double]) {
        let rows = u.count, columns = v.count
        var rowViolation = [Double](repeating: -.infinity, count: rows)
        var columnViolation = [Double](repeating: -.infinity, count: columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let x = u[i] + v[j] - cost[i * columns + j]
                if x > rowViolation[i] { rowViolation[i] = x }
                if x > columnViolation[j] { columnViolation[j] = x }
            }
        }
        for i in 0..<rows where a[i] == 0 { u[i] += -max(rowViolation[i], 0) }
        for j in 0..<columns where b[j] == 0 { v[j] += -max(columnViolation[j], 0) }
        centreDuals(&u, &v, a: a, b: b)
    }
}
