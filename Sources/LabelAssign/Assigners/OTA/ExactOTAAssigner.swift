/// OTA's transport problem solved exactly: this engine's own variant of OTA (there is no
/// reference implementation to match; docs/ASSIGNERS.md, `ota-exact`).
///
/// The problem is `OTAAssigner`'s, built by the same code (`OTAAssigner.transportProblem`):
/// `(G + 1) × N` costs (focal class cost + 1.5·IoU loss + 1e6 off the in-box AND in-centre
/// priors; the background row the focal loss against all-zero targets), the dynamic-k supplies
/// `μ_g` from the top-20 IoUs, the background supply `N − Σ μ_g` and one unit of demand per prior.
/// Instead of 50 Sinkhorn iterations at ε 0.1 the unregularised problem `min ⟨P, C⟩` is solved
/// exactly by `ExactTransport` (POT's network simplex, float64 on the float32 costs). With
/// integer supplies and unit demands the optimal plan is integral, so every prior's unit lies in
/// one row: that row is its object (`assigned_gt`), the background row makes it negative. Every
/// object then gets exactly `μ_g` positives.
///
/// The full problem is solved (no restriction to candidate priors): an object whose candidates
/// are shared may have to take a penalised prior, so leaving those entries out could change the
/// optimum. Where several plans are optimal (ties in the costs) the network simplex's vertex is
/// taken; it does not depend on threads or call path.
///
/// Outputs, as `ota`'s: `assigned_gt`, `matched_iou` (IoU of the matched object, 0 for
/// background) and `mu` (supplies, background last). No objects: every prior background,
/// `mu = [N]`. Throws when the supplies exceed the priors (as `ota`), when the problem's buffers
/// exceed `ResourceLimits` (41 bytes per entry of the `(G + 1) × N` problem) or, which
/// integral masses rule out, when the plan found is not integral.
public struct ExactOTAAssigner: Assigner {
    /// OTA's constants; `eps` and `iterations` (the Sinkhorn's) are not used.
    public var configuration: OTAAssigner.Configuration

    public init(_ configuration: OTAAssigner.Configuration = .ota) {
        self.configuration = configuration
    }

    /// As `ota`: background priors whose point lies inside a `gt_ignore` box become `-2`.
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// Bytes per entry of the `(G + 1) × N` problem: float32 cost and IoU, validity, the float64
    /// cost, the simplex's arc costs and flows and the plan.
    static let bytesPerEntry = 4 + 4 + 1 + 8 + 8 + 8 + 8

    /// 1. OTA's dense problem (`OTAAssigner.transportProblem`'s terms);
    /// 2. the exact plan (`solve`);
    /// 3. each prior's row read off the integral plan (`assignment`).
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        try configuration.validate()
        let ota = OTAAssigner(configuration)
        if scene.priorCount == 0 { return OTAAssigner.noPriorAssignment }
        if scene.gtCount == 0 { return ota.backgroundAssignment(scene.priorCount) }
        try Self.checkSize(scene)
        let problem = try ota.denseProblem(scene)
        let plan = try Self.solve(problem)
        return try Self.assignment(plan, problem)
    }

    /// The exact plan of `problem`: `ExactTransport` on its costs widened to float64.
    public static func solve(_ problem: OTATransportProblem) throws -> ExactTransportPlan {
        let rows = problem.gtCount + 1, n = problem.priorCount
        try ResourceLimits.checkBuffer("OTA transport problem (objects + 1) × priors", counts: [rows, n], bytesPerElement: bytesPerEntry)
        // The simplex needs a few pivots per node (about 3 on OTA's problems); the bound only
        // keeps the work finite.
        let solver = ExactTransport(numItermax: max(100_000, 100 * (rows + n)))
        let plan = try solver.solve(a: problem.mu.map(Double.init), b: problem.nu.map(Double.init),
                                    cost: problem.cost.map(Double.init), rows: rows, columns: n)
        guard plan.status == .optimal else {
            throw LabelAssignError.invalidValue(field: "plan", index: nil,
                                                reason: "the network simplex stopped after \(plan.iterations) pivots before optimality")
        }
        return plan
    }

    /// Per prior, the row that holds its unit in an integral plan (`gtCount` for background).
    /// Throws when a column is not a single unit.
    public static func rows(of plan: [Double], rows: Int, columns n: Int) throws -> [Int32] {
        guard plan.count == rows * n else { throw LabelAssignError.shapeMismatch(field: "plan", expected: rows * n, actual: plan.count) }
        var row = [Int32](repeating: -1, count: n)
        for r in 0..<rows {
            for j in 0..<n where plan[r * n + j] != 0 {
                guard plan[r * n + j] == 1, row[j] < 0 else {
                    throw LabelAssignError.invalidValue(field: "plan", index: j,
                                                        reason: "the exact plan is not integral at prior \(j) (row \(r) holds \(plan[r * n + j]))")
                }
                row[j] = Int32(r)
            }
        }
        if let j = row.firstIndex(of: -1) {
            throw LabelAssignError.invalidValue(field: "plan", index: j, reason: "the exact plan carries no unit at prior \(j)")
        }
        return row
    }

    /// `assigned_gt`, `matched_iou` and `mu` from the rows of the integral plan.
    static func assignment(_ plan: ExactTransportPlan, _ problem: OTATransportProblem) throws -> Assignment {
        let n = problem.priorCount, g = problem.gtCount
        let row = try rows(of: plan.plan, rows: plan.rows, columns: n)
        var assigned = [Int32](repeating: -1, count: n), matched = [Float](repeating: 0, count: n)
        for j in 0..<n where Int(row[j]) < g {
            assigned[j] = row[j]
            matched[j] = problem.iou[Int(row[j]) * n + j]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched, extras: [AssignmentExtra("mu", .floats(problem.mu))])
    }

    /// The problem's buffers against `ResourceLimits`, before any is allocated.
    static func checkSize(_ scene: Scene) throws {
        let (rows, overflow) = scene.gtCount.addingReportingOverflow(1)
        guard !overflow else { throw LabelAssignError.invalidParameter(name: "gt_bboxes", reason: "too many objects") }
        try ResourceLimits.checkBuffer("OTA transport problem (objects + 1) × priors", counts: [rows, scene.priorCount],
                                       bytesPerElement: bytesPerEntry)
    }
}
