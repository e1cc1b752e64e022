import _LabelAssignKernels
import Foundation

/// Constants of OTA (Megvii-BaseDetection/OTA, cvpods FCOS variant; ASSIGNERS.md §3).
public struct OTAConfiguration: Sendable, Equatable {
    /// In-centre radius in strides (hard-coded 2.5 in the reference), clipped to the box.
    public var centerRadius: Float = 2.5
    /// In-box: every (l, t, r, b) distance of the prior point to the box edges must exceed this.
    public var inBoxMargin: Float = 0.01
    /// Weight of `−ln(max(IoU, ε32))` in the cost.
    public var regWeight: Float = 1.5
    /// Cost added where a prior is not (in-box AND in-centre) for an object.
    public var penalty: Float = 1e6
    /// Dynamic k: supply μ_g = max(1, trunc(Σ of the top `topCandidates` IoU·valid)).
    public var topCandidates: Int = 20
    /// Sigmoid focal loss α and γ of the class cost.
    public var focalAlpha: Float = 0.25
    public var focalGamma: Float = 2
    /// Sinkhorn ε and fixed iteration count.
    public var eps: Float = 0.1
    public var iterations: Int = 50

    public init() {}

    /// The reference configuration.
    public static let ota = OTAConfiguration()

    /// Checks every constant.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ reason: String) throws {
            if !ok { throw LabelAssignError.invalidParameter(name: name, reason: reason) }
        }
        try check(centerRadius.isFinite && centerRadius > 0, "centerRadius", "must be finite and > 0")
        try check(inBoxMargin.isFinite, "inBoxMargin", "must be finite")
        try check(regWeight.isFinite && regWeight >= 0, "regWeight", "must be finite and >= 0")
        try check(penalty.isFinite && penalty > 0, "penalty", "must be finite and > 0")
        try check(topCandidates >= 1, "topCandidates", "must be >= 1")
        try check(focalAlpha.isFinite && focalAlpha >= 0 && focalAlpha <= 1, "focalAlpha", "must be in [0, 1]")
        try check(focalGamma.isFinite && focalGamma >= 0, "focalGamma", "must be finite and >= 0")
        try check(eps.isFinite && eps > 0, "eps", "must be finite and > 0")
        try check(iterations >= 0 && iterations <= Int(Int32.max), "iterations", "must be >= 0")
    }
}

/// OTA's transport problem for one image, dense: what the reference builds.
public struct OTATransportProblem: Sendable, Equatable {
    /// Objects `G`; the cost has `G + 1` rows (background last) and `priorCount` columns.
    public var gtCount: Int
    public var priorCount: Int
    /// `(G + 1) × N` row-major cost.
    public var cost: [Float]
    /// Supplies: `G` dynamic-k values, then the background `N − Σ`.
    public var mu: [Float]
    /// Demands: one per prior.
    public var nu: [Float]
    /// `G × N` IoU of the predicted and object boxes as ltrb distances.
    public var iou: [Float]
    /// `G × N`: in-box AND in-centre.
    public var valid: [Bool]
}

/// OTA assignment (Megvii-BaseDetection/OTA `fcos.py` get_ground_truth, ASSIGNERS.md §3):
/// cost = focal class cost + 1.5·(−ln IoU) + 1e6·¬(in-box AND in-centre), background row =
/// focal loss against all-zero targets, supplies from top-20 IoU sums, ε 0.1 log-domain
/// Sinkhorn for 50 iterations, plan rows rescaled by their maximum, argmax per prior.
///
/// The Sinkhorn runs on the entries that can be non-zero: for an object with at least one
/// valid prior, its penalised entries are `exp(−penalty/ε)` below the rest and underflow to
/// exactly zero in float32, so its row holds only its valid priors. An object without any
/// valid prior keeps its full row (its potential grows until penalised priors carry its
/// mass). The background row holds every prior. The kernel checks at every half-iteration
/// that the left-out entries stay at least exp(−100) below every maximum they meet (so the
/// full iteration would add exact zeros); should a configuration break that (a small
/// `penalty`), the full iteration runs instead. `transportProblem` and
/// `assignUsingDenseSinkhorn` give the full iteration for comparison.
///
/// Outputs: `assigned_gt`, `matched_iou` (IoU of the matched object, 0 for background) and
/// `mu` (supplies, background last). No objects: every prior background, `mu = [N]`.
/// Throws when the supplies exceed the number of priors (the background supply would be
/// negative) or a plan row underflows entirely (the reference would divide 0 by 0).
public struct OTAAssigner: Assigner {
    public var configuration: OTAConfiguration

    public init(_ configuration: OTAConfiguration = .ota) {
        self.configuration = configuration
    }

    // MARK: cost terms

    /// Per-object geometry of the reference, in float32 and its operation order.
    struct ObjectGeometry {
        let x1, y1, x2, y2, cx, cy: Float
        init(_ b: UnsafeBufferPointer<Float>, _ g: Int) {
            x1 = b[4 * g]; y1 = b[4 * g + 1]; x2 = b[4 * g + 2]; y2 = b[4 * g + 3]
            cx = (x1 + x2) / 2; cy = (y1 + y2) / 2
        }
    }

    /// In-box AND in-centre for prior point (px, py) with stride `s`.
    @inline(__always)
    static func isValid(_ o: ObjectGeometry, _ px: Float, _ py: Float, _ s: Float, _ c: OTAConfiguration) -> Bool {
        let d0 = px - o.x1, d1 = py - o.y1, d2 = o.x2 - px, d3 = o.y2 - py
        guard min(min(d0, d1), min(d2, d3)) > c.inBoxMargin else { return false }
        let r = s * c.centerRadius
        let lx = max(o.cx - r, o.x1), ly = max(o.cy - r, o.y1)
        let hx = min(o.cx + r, o.x2), hy = min(o.cy + r, o.y2)
        return min(min(px - lx, py - ly), min(hx - px, hy - py)) > 0
    }

    /// IoU of the predicted box and the object box, both as ltrb distances from the point (§C6 K-O,
    /// `lak_iou_ota_ltrb`).
    @inline(__always)
    static func iou(_ o: ObjectGeometry, _ px: Float, _ py: Float, _ pb: UnsafeBufferPointer<Float>, _ j: Int) -> Float {
        let d0 = px - o.x1, d1 = py - o.y1, d2 = o.x2 - px, d3 = o.y2 - py
        let p0 = px - pb[4 * j], p1 = py - pb[4 * j + 1], p2 = pb[4 * j + 2] - px, p3 = pb[4 * j + 3] - py
        return lak_iou_ota_ltrb(p0, p1, p2, p3, d0, d1, d2, d3)
    }

    /// cls + w·(−ln max(IoU, ε32)) + penalty·(1 − valid), in the reference's order.
    @inline(__always)
    static func pairCost(cls: Float, iou: Float, valid: Bool, _ c: OTAConfiguration) -> Float {
        let lreg = -logf(iou < Float.ulpOfOne ? Float.ulpOfOne : iou)
        return (cls + c.regWeight * lreg) + c.penalty * (valid ? 0 : 1)
    }

    /// Σ_c FL(x_c, onehot(label)) as the background sum plus the correction at the label.
    @inline(__always)
    static func classCost(background: Float, logit: Float, _ c: OTAConfiguration) -> Float {
        background + (lak_focal_loss_target1(logit, c.focalAlpha, c.focalGamma) - lak_focal_loss_target0(logit, c.focalAlpha, c.focalGamma))
    }

    func backgroundCost(_ scene: Scene) -> [Float] {
        var bg = [Float](repeating: 0, count: scene.priorCount)
        lak_focal_background_sum(scene.clsLogits, Int64(scene.priorCount), Int64(scene.numClasses),
                                configuration.focalAlpha, configuration.focalGamma, &bg)
        return bg
    }

    /// μ_g = max(1, trunc(Σ top-k IoU·valid)) from the positive IoU·valid values of one object.
    func supply(_ validIoUs: inout [Float], priorCount: Int) -> Float {
        let k = min(configuration.topCandidates, priorCount)
        validIoUs.sort(by: >)
        var s: Float = 0
        for t in validIoUs.prefix(k) { s += t }
        let t = s.rounded(.towardZero)
        return max(1, t)
    }

    func backgroundSupply(_ mu: [Float], priorCount: Int) throws -> Float {
        var total: Float = 0
        for m in mu { total += m }
        let bg = Float(priorCount) - total
        guard bg >= 0 else {
            throw LabelAssignError.invalidValue(field: "mu", index: mu.count,
                                                reason: "the objects' supplies sum to \(total), more than the \(priorCount) priors: the background supply would be negative")
        }
        return bg
    }

    // MARK: dense (reference) path

    /// The full transport problem exactly as the reference builds it (`(G + 1) × N`).
    public func transportProblem(_ scene: Scene) throws -> OTATransportProblem {
        try configuration.validate()
        try scene.validate()
        let n = scene.priorCount, g = scene.gtCount, c = scene.numClasses, cfg = configuration
        let bg = backgroundCost(scene)
        var cost = [Float](repeating: 0, count: (g + 1) * n)
        var iou = [Float](repeating: 0, count: g * n)
        var valid = [Bool](repeating: false, count: g * n)
        var mu = [Float](repeating: 1, count: g + 1)
        scene.priors.withUnsafeBufferPointer { pr in
            scene.gtBoxes.withUnsafeBufferPointer { gb in
                scene.predBoxes.withUnsafeBufferPointer { pb in
                    scene.clsLogits.withUnsafeBufferPointer { lg in
                        for o in 0..<g {
                            let geo = ObjectGeometry(gb, o)
                            let label = Int(scene.gtLabels[o])
                            var ious: [Float] = []
                            for j in 0..<n {
                                let px = pr[4 * j], py = pr[4 * j + 1], s = pr[4 * j + 2]
                                let ok = Self.isValid(geo, px, py, s, cfg)
                                let q = Self.iou(geo, px, py, pb, j)
                                iou[o * n + j] = q
                                valid[o * n + j] = ok
                                if ok && q > 0 { ious.append(q) }
                                let cls = Self.classCost(background: bg[j], logit: lg[j * c + label], cfg)
                                cost[o * n + j] = Self.pairCost(cls: cls, iou: q, valid: ok, cfg)
                            }
                            mu[o] = supply(&ious, priorCount: n)
                        }
                    }
                }
            }
        }
        for j in 0..<n { cost[g * n + j] = bg[j] }
        mu[g] = try backgroundSupply(Array(mu[0..<g]), priorCount: n)
        return OTATransportProblem(gtCount: g, priorCount: n, cost: cost, mu: mu,
                                   nu: [Float](repeating: 1, count: n), iou: iou, valid: valid)
    }

    /// The assignment through the full `(G + 1) × N` Sinkhorn iteration (the reference's path).
    public func assignUsingDenseSinkhorn(_ scene: Scene) throws -> Assignment {
        let problem = try transportProblem(scene)
        let n = problem.priorCount, g = problem.gtCount
        if g == 0 { return backgroundAssignment(n) }
        let solved = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu,
                                                  eps: configuration.eps, iterations: configuration.iterations)
        var plan = solved.plan
        for r in 0...g {
            let rowMax = plan[(r * n)..<((r + 1) * n)].max()!
            guard rowMax > 0, rowMax.isFinite else { throw underflow(row: r, gtCount: g) }
            for j in 0..<n { plan[r * n + j] = plan[r * n + j] / rowMax }
        }
        var assigned = [Int32](repeating: -1, count: n), matched = [Float](repeating: 0, count: n)
        for j in 0..<n {
            var best = 0
            for r in 1...g where plan[r * n + j] > plan[best * n + j] { best = r }
            if best != g { assigned[j] = Int32(best); matched[j] = problem.iou[best * n + j] }
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched, extras: [AssignmentExtra("mu", .floats(problem.mu))])
    }

    func backgroundAssignment(_ n: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: n),
                   matchedIoU: [Float](repeating: 0, count: n), extras: [AssignmentExtra("mu", .floats([Float(n)]))])
    }

    func underflow(row: Int, gtCount: Int) -> LabelAssignError {
        .invalidValue(field: "plan", index: row,
                      reason: row == gtCount ? "the background row of the transport plan underflowed to zero"
                          : "the plan row of object \(row) underflowed to zero (cannot rescale by its maximum)")
    }

    // MARK: compact path

    /// The sparse problem: rows `0..<G` (objects) and `G` (background), entries by row.
    struct CompactProblem {
        var rowStart: [Int64] = [0]
        var entryCol: [Int32] = []
        var entryCost: [Float] = []
        var entryIoU: [Float] = []
        var mu: [Float] = []
        /// Objects with no valid prior (full rows).
        var fullRows = 0
        /// Per row: a lower bound of the costs left out (`.infinity` for full rows).
        var leftOutFloor: [Float] = []
    }

    func compactProblem(_ scene: Scene) throws -> CompactProblem {
        let n = scene.priorCount, g = scene.gtCount, c = scene.numClasses, cfg = configuration
        let bg = backgroundCost(scene)
        var p = CompactProblem()
        p.entryCol.reserveCapacity(n + 80 * g)
        p.entryCost.reserveCapacity(n + 80 * g)
        p.entryIoU.reserveCapacity(n + 80 * g)
        var candidates: [Int32] = []
        var ious: [Float] = []
        scene.priors.withUnsafeBufferPointer { pr in
            scene.gtBoxes.withUnsafeBufferPointer { gb in
                scene.predBoxes.withUnsafeBufferPointer { pb in
                    scene.clsLogits.withUnsafeBufferPointer { lg in
                        for o in 0..<g {
                            let geo = ObjectGeometry(gb, o)
                            let label = Int(scene.gtLabels[o])
                            candidates.removeAll(keepingCapacity: true)
                            for j in 0..<n where Self.isValid(geo, pr[4 * j], pr[4 * j + 1], pr[4 * j + 2], cfg) {
                                candidates.append(Int32(j))
                            }
                            let full = candidates.isEmpty
                            if full { p.fullRows += 1 }
                            // Left-out costs are fl(cls + w·lreg + penalty) with cls, lreg >= 0 up to rounding.
                            p.leftOutFloor.append(full ? .infinity : cfg.penalty - 1)
                            ious.removeAll(keepingCapacity: true)
                            let count = full ? n : candidates.count
                            for k in 0..<count {
                                let j = full ? k : Int(candidates[k])
                                let q = Self.iou(geo, pr[4 * j], pr[4 * j + 1], pb, j)
                                let cls = Self.classCost(background: bg[j], logit: lg[j * c + label], cfg)
                                p.entryCol.append(Int32(j))
                                p.entryCost.append(Self.pairCost(cls: cls, iou: q, valid: !full, cfg))
                                p.entryIoU.append(q)
                                if !full && q > 0 { ious.append(q) }
                            }
                            p.rowStart.append(Int64(p.entryCol.count))
                            p.mu.append(supply(&ious, priorCount: n))
                        }
                    }
                }
            }
        }
        for j in 0..<n {
            p.entryCol.append(Int32(j))
            p.entryCost.append(bg[j])
            p.entryIoU.append(0)
        }
        p.rowStart.append(Int64(p.entryCol.count))
        p.leftOutFloor.append(.infinity)
        p.mu.append(try backgroundSupply(p.mu, priorCount: n))
        return p
    }

    /// Runs the compact Sinkhorn; returns the plan entries (by row) before rescaling, or nil
    /// when the kernel cannot prove that every left-out entry underflows to zero (then the
    /// full iteration must run; with the reference constants this does not happen).
    func compactPlan(_ p: CompactProblem, priorCount n: Int) throws -> [Float]? {
        let rows = p.mu.count, entries = p.entryCol.count
        // Column lists in ascending row order.
        var colStart = [Int64](repeating: 0, count: n + 1)
        for j in p.entryCol { colStart[Int(j) + 1] += 1 }
        for j in 0..<n { colStart[j + 1] += colStart[j] }
        var fill = Array(colStart[0..<n])
        var colEntry = [Int64](repeating: 0, count: entries)
        var entryRow = [Int32](repeating: 0, count: entries)
        var longest = 0
        for r in 0..<rows {
            longest = max(longest, Int(p.rowStart[r + 1] - p.rowStart[r]))
            for e in Int(p.rowStart[r])..<Int(p.rowStart[r + 1]) {
                let j = Int(p.entryCol[e])
                colEntry[Int(fill[j])] = Int64(e)
                fill[j] += 1
                entryRow[e] = Int32(r)
            }
        }
        for j in 0..<n { longest = max(longest, Int(colStart[j + 1] - colStart[j])) }
        var u = [Float](repeating: 0, count: rows), v = [Float](repeating: 0, count: n)
        var plan = [Float](repeating: 0, count: entries)
        var scratch = [Float](repeating: 0, count: longest)
        let nu = [Float](repeating: 1, count: n)
        let status = lak_sinkhorn_fixed_sparse(Int64(rows), Int64(n), p.rowStart, p.entryCol, p.entryCost, colStart, colEntry, entryRow,
                                              p.leftOutFloor, p.mu, nu, configuration.eps, Int32(configuration.iterations), &u, &v, &plan, &scratch)
        guard status >= 0 else { throw LabelAssignError.io("out of memory for the Sinkhorn iteration (\(n) priors)") }
        return status == 0 ? plan : nil
    }

    /// The unscaled `(G + 1) × N` plan of the compact iteration, zeros outside its entries
    /// (for comparison with `Sinkhorn.fixedIterations` on `transportProblem`); the full
    /// iteration's plan when the compact one cannot be proven equal.
    public func plan(_ scene: Scene) throws -> [Float] {
        try configuration.validate()
        try scene.validate()
        let n = scene.priorCount
        let p = try compactProblem(scene)
        guard let entries = try compactPlan(p, priorCount: n) else {
            let problem = try transportProblem(scene)
            return try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu,
                                                eps: configuration.eps, iterations: configuration.iterations).plan
        }
        var dense = [Float](repeating: 0, count: p.mu.count * n)
        for r in 0..<p.mu.count {
            for e in Int(p.rowStart[r])..<Int(p.rowStart[r + 1]) { dense[r * n + Int(p.entryCol[e])] = entries[e] }
        }
        return dense
    }

    /// Assigns the priors, then marks background priors whose point lies inside a `gt_ignore`
    /// box as ignored (`-2`); positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        try configuration.validate()
        let n = scene.priorCount, g = scene.gtCount
        if g == 0 { return backgroundAssignment(n) }
        let p = try compactProblem(scene)
        guard var plan = try compactPlan(p, priorCount: n) else { return try assignUsingDenseSinkhorn(scene) }
        // Rescale each row by its maximum (entries left out are zero and cannot be the maximum).
        for r in 0...g {
            let a = Int(p.rowStart[r]), b = Int(p.rowStart[r + 1])
            var rowMax: Float = 0
            for e in a..<b where !(plan[e] <= rowMax) { rowMax = plan[e] }
            guard rowMax > 0, rowMax.isFinite else { throw underflow(row: r, gtCount: g) }
            for e in a..<b { plan[e] = plan[e] / rowMax }
        }
        // Argmax over rows per prior, first row on ties; rows are visited in ascending order.
        var bestRow = [Int32](repeating: 0, count: n), bestValue = [Float](repeating: 0, count: n)
        var bestEntry = [Int](repeating: -1, count: n)
        for r in 0...g {
            for e in Int(p.rowStart[r])..<Int(p.rowStart[r + 1]) {
                let j = Int(p.entryCol[e])
                if plan[e] > bestValue[j] { bestValue[j] = plan[e]; bestRow[j] = Int32(r); bestEntry[j] = e }
            }
        }
        var assigned = [Int32](repeating: -1, count: n), matched = [Float](repeating: 0, count: n)
        scene.priors.withUnsafeBufferPointer { pr in
            scene.gtBoxes.withUnsafeBufferPointer { gb in
                scene.predBoxes.withUnsafeBufferPointer { pb in
                    for j in 0..<n where bestRow[j] != Int32(g) {
                        assigned[j] = bestRow[j]
                        // bestEntry < 0: every entry of this column is zero, and the reference's
                        // argmax then picks row 0.
                        matched[j] = bestEntry[j] >= 0 ? p.entryIoU[bestEntry[j]]
                            : Self.iou(ObjectGeometry(gb, 0), pr[4 * j], pr[4 * j + 1], pb, j)
                    }
                }
            }
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched, extras: [AssignmentExtra("mu", .floats(p.mu))])
    }
}
