import _LabelAssignKernels

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

/// The reference's full `(G + 1) × N` path, for comparison with the compact one.
extension OTAAssigner {
    /// The full transport problem exactly as the reference builds it (`(G + 1) × N`).
    public func transportProblem(_ scene: Scene) throws -> OTATransportProblem {
        try configuration.validate()
        try scene.validate()
        return try denseProblem(scene)
    }

    /// The full transport problem of a validated scene.
    func denseProblem(_ scene: Scene) throws -> OTATransportProblem {
        let n = scene.priorCount, g = scene.gtCount
        try ResourceLimits.checkBuffer("OTA dense transport cost ((objects + 1) × priors)", counts: [g + 1, n], of: Float.self)
        let bg = backgroundCost(scene)
        var problem = OTATransportProblem(gtCount: g, priorCount: n, cost: [Float](repeating: 0, count: (g + 1) * n),
                                          mu: [Float](repeating: 1, count: g + 1), nu: [Float](repeating: 1, count: n),
                                          iou: [Float](repeating: 0, count: g * n), valid: [Bool](repeating: false, count: g * n))
        Self.withBuffers(scene) { b in
            for o in 0..<g { fillDenseRow(o, label: Int(scene.gtLabels[o]), b, background: bg, into: &problem) }
        }
        for j in 0..<n { problem.cost[g * n + j] = bg[j] }
        problem.mu[g] = try backgroundSupply(Array(problem.mu[0..<g]), priorCount: n)
        return problem
    }

    /// Object `o`'s cost, IoU and validity over every prior, and its supply.
    func fillDenseRow(_ o: Int, label: Int, _ b: SceneBuffers, background bg: [Float], into p: inout OTATransportProblem) {
        let n = p.priorCount, c = b.numClasses, cfg = configuration
        let geo = ObjectGeometry(b.gtBoxes, o)
        var ious: [Float] = []
        for j in 0..<n {
            let px = b.priors[4 * j], py = b.priors[4 * j + 1], s = b.priors[4 * j + 2]
            let ok = Self.isValid(geo, px, py, s, cfg)
            let q = Self.iou(geo, px, py, b.predBoxes, j)
            p.iou[o * n + j] = q
            p.valid[o * n + j] = ok
            if ok && q > 0 { ious.append(q) }
            let cls = Self.classCost(background: bg[j], logit: b.logits[j * c + label], cfg)
            p.cost[o * n + j] = Self.pairCost(cls: cls, iou: q, valid: ok, cfg)
        }
        p.mu[o] = supply(&ious, priorCount: n)
    }

    /// The assignment through the full `(G + 1) × N` Sinkhorn iteration (the reference's path).
    public func assignUsingDenseSinkhorn(_ scene: Scene) throws -> Assignment {
        let problem = try transportProblem(scene)
        let n = problem.priorCount, g = problem.gtCount
        if g == 0 { return backgroundAssignment(n) }
        let plan = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu,
                                                eps: configuration.eps, iterations: configuration.iterations).plan
        let rows = try decision(plan, problem)
        var assigned = [Int32](repeating: -1, count: n), matched = [Float](repeating: 0, count: n)
        for j in 0..<n where Int(rows[j]) != g {
            assigned[j] = rows[j]
            matched[j] = problem.iou[Int(rows[j]) * n + j]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched, extras: [AssignmentExtra("mu", .floats(problem.mu))])
    }

    /// OTA's decision on a dense `(G + 1) × N` plan: rows rescaled by their maximum, then per
    /// prior the argmax row (first on ties; `G` is background). Throws when a row is all zero.
    package func decision(_ plan: [Float], _ problem: OTATransportProblem) throws -> [Int32] {
        let n = problem.priorCount, g = problem.gtCount
        var plan = plan
        try rescaleDenseRows(&plan, rows: g + 1, priorCount: n)
        var rows = [Int32](repeating: 0, count: n)
        for j in 0..<n {
            var best = 0
            for r in stride(from: 1, through: g, by: 1) where plan[r * n + j] > plan[best * n + j] { best = r }
            rows[j] = Int32(best)
        }
        return rows
    }

    /// Divides each row of the dense plan by its maximum; throws when a row is all zero.
    func rescaleDenseRows(_ plan: inout [Float], rows: Int, priorCount n: Int) throws {
        for r in 0..<rows {
            let rowMax = plan[(r * n)..<((r + 1) * n)].max()!
            guard rowMax > 0, rowMax.isFinite else { throw underflow(row: r, gtCount: rows - 1) }
            for j in 0..<n { plan[r * n + j] = plan[r * n + j] / rowMax }
        }
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
        try ResourceLimits.checkBuffer("OTA dense plan ((objects + 1) × priors)", counts: [p.mu.count, n], of: Float.self)
        var dense = [Float](repeating: 0, count: p.mu.count * n)
        for r in 0..<p.mu.count {
            for e in Int(p.rowStart[r])..<Int(p.rowStart[r + 1]) { dense[r * n + Int(p.entryCol[e])] = entries[e] }
        }
        return dense
    }
}
