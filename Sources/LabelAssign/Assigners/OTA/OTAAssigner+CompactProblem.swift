import _LabelAssignKernels

/// OTA's candidate-only transport problem and its Sinkhorn, with the proof that the entries it
/// leaves out are exact zeros of the reference's `(G + 1) × N` plan.
extension OTAAssigner {
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

    /// Scratch reused across the objects of one compact problem.
    struct ObjectScratch {
        var candidates: [Int32] = []
        var ious: [Float] = []
    }

    /// Candidates, costs and supplies: one row per object (its valid priors, or every prior when
    /// it has none), then the background row over every prior with supply `N − Σ μ_g`.
    func compactProblem(_ scene: Scene) throws -> CompactProblem {
        let n = scene.priorCount, g = scene.gtCount
        let bg = backgroundCost(scene)
        var p = CompactProblem()
        let expected = min(n + 80 * g, 1 << 22)
        p.entryCol.reserveCapacity(expected)
        p.entryCost.reserveCapacity(expected)
        p.entryIoU.reserveCapacity(expected)
        var scratch = ObjectScratch()
        try Self.withBuffers(scene) { buffers in
            for o in 0..<g {
                try appendObjectRow(o, label: Int(scene.gtLabels[o]), buffers, background: bg, to: &p, scratch: &scratch)
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

    /// The priors in box AND in centre for object `geo`, in prior order.
    func candidatePriors(_ geo: ObjectGeometry, _ b: SceneBuffers, into candidates: inout [Int32]) {
        let pr = b.priors, cfg = configuration
        candidates.removeAll(keepingCapacity: true)
        for j in 0..<(pr.count / 4) where Self.isValid(geo, pr[4 * j], pr[4 * j + 1], pr[4 * j + 2], cfg) {
            candidates.append(Int32(j))
        }
    }

    /// Appends object `o`'s row: cost and IoU per candidate (per prior, penalised, when it has
    /// no candidate), its left-out floor and its dynamic-k supply. Throws `resourceExhausted`
    /// when the entries (with the background row's `N`) would pass the buffer limit.
    func appendObjectRow(_ o: Int, label: Int, _ b: SceneBuffers, background bg: [Float],
                         to p: inout CompactProblem, scratch: inout ObjectScratch) throws {
        let cfg = configuration, n = b.priors.count / 4, c = b.numClasses
        let geo = ObjectGeometry(b.gtBoxes, o)
        candidatePriors(geo, b, into: &scratch.candidates)
        let full = scratch.candidates.isEmpty
        if full { p.fullRows += 1 }
        // Left-out costs are fl(cls + w·lreg + penalty) with cls, lreg >= 0 up to rounding.
        p.leftOutFloor.append(full ? .infinity : cfg.penalty - 1)
        scratch.ious.removeAll(keepingCapacity: true)
        let count = full ? n : scratch.candidates.count
        // An entry costs 28 bytes: column, cost and IoU here, then its column index, row and plan value.
        try ResourceLimits.checkBuffer("OTA transport problem entries (candidate pairs and the background row)",
                                       counts: [p.entryCol.count + count + n], bytesPerElement: 28)
        for k in 0..<count {
            let j = full ? k : Int(scratch.candidates[k])
            let q = Self.iou(geo, b.priors[4 * j], b.priors[4 * j + 1], b.predBoxes, j)
            let cls = Self.classCost(background: bg[j], logit: b.logits[j * c + label], cfg)
            p.entryCol.append(Int32(j))
            p.entryCost.append(Self.pairCost(cls: cls, iou: q, valid: !full, cfg))
            p.entryIoU.append(q)
            if !full && q > 0 { scratch.ious.append(q) }
        }
        p.rowStart.append(Int64(p.entryCol.count))
        p.mu.append(supply(&scratch.ious, priorCount: n))
    }

    /// The problem's entries by column, for the kernel's column half-iterations.
    struct ColumnIndex {
        /// Column lists in ascending row order: `colEntry[colStart[j]..<colStart[j + 1]]`.
        var colStart: [Int64]
        var colEntry: [Int64]
        var entryRow: [Int32]
        /// The longest row or column (kernel scratch size).
        var longest = 0

        init(_ p: CompactProblem, priorCount n: Int) {
            let rows = p.mu.count, entries = p.entryCol.count
            colStart = [Int64](repeating: 0, count: n + 1)
            for j in p.entryCol { colStart[Int(j) + 1] += 1 }
            for j in 0..<n { colStart[j + 1] += colStart[j] }
            var fill = Array(colStart[0..<n])
            colEntry = [Int64](repeating: 0, count: entries)
            entryRow = [Int32](repeating: 0, count: entries)
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
        }
    }

    /// Runs the compact Sinkhorn; returns the plan entries (by row) before rescaling, or nil
    /// when the kernel cannot prove that every left-out entry underflows to zero (then the
    /// full iteration must run; with the reference constants this does not happen).
    func compactPlan(_ p: CompactProblem, priorCount n: Int) throws -> [Float]? {
        let rows = p.mu.count
        let index = ColumnIndex(p, priorCount: n)
        var u = [Float](repeating: 0, count: rows), v = [Float](repeating: 0, count: n)
        var plan = [Float](repeating: 0, count: p.entryCol.count)
        var scratch = [Float](repeating: 0, count: index.longest)
        let nu = [Float](repeating: 1, count: n)
        let status = lak_sinkhorn_fixed_sparse(Int64(rows), Int64(n), p.rowStart, p.entryCol, p.entryCost,
                                              index.colStart, index.colEntry, index.entryRow, p.leftOutFloor, p.mu, nu,
                                              configuration.eps, Int32(configuration.iterations), &u, &v, &plan, &scratch)
        guard status >= 0 else {
            throw LabelAssignError.invalidValue(field: "priors", index: nil,
                                                reason: "cannot allocate the Sinkhorn's working memory for \(n) priors (3 floats and 1 index per prior)")
        }
        return status == 0 ? plan : nil
    }

    /// Divides each plan row by its maximum (entries left out are zero and cannot be the
    /// maximum); throws when a row is all zero.
    func rescaleRows(_ plan: inout [Float], _ p: CompactProblem) throws {
        let g = p.mu.count - 1
        for r in 0...g {
            let a = Int(p.rowStart[r]), b = Int(p.rowStart[r + 1])
            var rowMax: Float = 0
            for e in a..<b where !(plan[e] <= rowMax) { rowMax = plan[e] }
            guard rowMax > 0, rowMax.isFinite else { throw underflow(row: r, gtCount: g) }
            for e in a..<b { plan[e] = plan[e] / rowMax }
        }
    }

    /// Per prior: the row of its largest rescaled plan value and that entry (-1 when every
    /// entry of its column is zero, the reference's argmax then picking row 0).
    struct BestRows {
        var row: [Int32]
        var entry: [Int]
    }

    /// Argmax over rows per prior, first row on ties; rows are visited in ascending order.
    func argmaxPerPrior(_ plan: [Float], _ p: CompactProblem, priorCount n: Int) -> BestRows {
        var best = BestRows(row: [Int32](repeating: 0, count: n), entry: [Int](repeating: -1, count: n))
        var bestValue = [Float](repeating: 0, count: n)
        for r in 0..<p.mu.count {
            for e in Int(p.rowStart[r])..<Int(p.rowStart[r + 1]) {
                let j = Int(p.entryCol[e])
                if plan[e] > bestValue[j] { bestValue[j] = plan[e]; best.row[j] = Int32(r); best.entry[j] = e }
            }
        }
        return best
    }

    /// `assigned_gt`, `matched_iou` and `mu` from the argmax rows (the last row is background).
    func assignment(_ best: BestRows, _ p: CompactProblem, _ scene: Scene) -> Assignment {
        let n = scene.priorCount, background = Int32(p.mu.count - 1)
        var assigned = [Int32](repeating: -1, count: n), matched = [Float](repeating: 0, count: n)
        Self.withBuffers(scene) { b in
            for j in 0..<n where best.row[j] != background {
                assigned[j] = best.row[j]
                matched[j] = best.entry[j] >= 0 ? p.entryIoU[best.entry[j]]
                    : Self.iou(ObjectGeometry(b.gtBoxes, 0), b.priors[4 * j], b.priors[4 * j + 1], b.predBoxes, j)
            }
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched, extras: [AssignmentExtra("mu", .floats(p.mu))])
    }
}
