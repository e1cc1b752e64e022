import LabelAssign
import LabelAssignIO
import _LabelAssignKernels

/// `AssignmentDiagnostics.measure` for several assignments of one scene (e.g. one per assigner).
///
/// The scene-wide work is done once in `init`: the scene checks, the IoU of every object with every
/// predicted box (G × N, kept only where it is positive: a missed prior must beat an IoU ≥ 0), and each
/// prior's quality focal loss summed over the classes with the background label (N × C logits).
/// `measure` then costs O(N + |P|·C + overlapping pairs) per assignment: the loss of a
/// negative prior is its precomputed row, the loss of a positive is computed on its own row under
/// both targets. Every QFL row sum depends on that row only and the rows are added in the same order
/// as in `AssignmentDiagnostics.measure`, so the two give identical values.
public struct SceneDiagnostics: Sendable {
    public let scene: Scene
    public let configuration: AssignmentDiagnostics.Configuration
    /// The predicted boxes overlapping object o (IoU > 0) are `overlapPrior[overlapStart[o]..<overlapStart[o + 1]]`
    /// with IoU `overlapIoU[...]`, in prior order.
    let overlapStart: [Int]
    let overlapPrior: [Int32]
    let overlapIoU: [Float]
    /// Per prior: QFL summed over the classes when the prior is background.
    let backgroundLoss: [Float]

    /// Checks the scene and precomputes its shared terms. Throws what `AssignmentDiagnostics.measure`
    /// throws for a scene problem (shapes, class labels, non-finite boxes or logits, convention).
    public init(scene: Scene, configuration: AssignmentDiagnostics.Configuration = .init()) throws {
        let n = scene.priorCount, c = scene.numClasses
        try TrainingTargets.check([Int32](repeating: -1, count: n), scene)
        guard configuration.convention.supports(.iou) else {
            throw LabelAssignError.invalidParameter(name: "convention", reason: "no IoU under \(configuration.convention)")
        }
        if let obj = scene.objLogits {
            guard obj.count == n else { throw LabelAssignError.shapeMismatch(field: "obj_logits", expected: n, actual: obj.count) }
            try Losses.requireFinite(obj, field: "obj_logits")
        }
        try Losses.requireNonNegative(configuration.qflBeta, name: "beta")
        guard c > 0 else { throw LabelAssignError.invalidParameter(name: "numClasses", reason: "must be positive, got \(c)") }
        guard let background = Self.backgroundRowSums(scene.clsLogits, rows: n, classes: c, beta: configuration.qflBeta) else {
            try Losses.requireFinite(scene.clsLogits, field: "cls_logits", width: c)
            throw LabelAssignError.invalidValue(field: "cls_logits", index: nil, reason: "not finite")
        }
        self.scene = scene
        self.configuration = configuration
        let iou = try pairwiseOverlap(scene.gtBoxes, scene.predBoxes, kind: .iou, convention: configuration.convention)
        var start = [0], prior: [Int32] = [], value: [Float] = []
        iou.withUnsafeBufferPointer { m in
            for o in 0..<scene.gtCount {
                for i in 0..<n where m[o * n + i] > 0 { prior.append(Int32(i)); value.append(m[o * n + i]) }
                start.append(prior.count)
            }
        }
        overlapStart = start; overlapPrior = prior; overlapIoU = value
        backgroundLoss = background
    }

    /// Per row, `Losses.qualityFocal` of a background row, `Σ_c (x − ln σ(x))·σ(x)^β`, with the same
    /// kernel, element formula (`Losses.qualityFocalNegative`) and row summation, but block by block in a small scratch buffer (no
    /// N × C temporaries). `nil` when a logit is not finite.
    static func backgroundRowSums(_ logits: [Float], rows n: Int, classes c: Int, beta: Float) -> [Float]? {
        let block = max(1, 4096 / c)
        var flagged: Int32 = 0
        var p = [Float](repeating: 0, count: block * c), l = [Float](repeating: 0, count: block * c)
        let out = [Float](unsafeUninitializedCapacity: n) { o, count in
            logits.withUnsafeBufferPointer { x in
                p.withUnsafeMutableBufferPointer { p in
                    l.withUnsafeMutableBufferPointer { l in
                        var start = 0
                        while start < n {
                            let rows = min(block, n - start), m = rows * c, base = start * c
                            flagged |= lak_sigmoid_log_sigmoid(x.baseAddress! + base, Int64(m), p.baseAddress, l.baseAddress)
                            if beta == 2 {
                                for j in 0..<m { l[j] = Losses.qualityFocalNegative(x[base + j], p: p[j], logSigmoid: l[j], beta: 2) }
                            } else {
                                for j in 0..<m { l[j] = Losses.qualityFocalNegative(x[base + j], p: p[j], logSigmoid: l[j], beta: beta) }
                            }
                            for r in 0..<rows {
                                o[start + r] = Losses.rowSum(UnsafeBufferPointer(rebasing: l[(r * c)..<(r * c + c)]))
                            }
                            start += rows
                        }
                    }
                }
            }
            count = n
        }
        return flagged == 0 ? out : nil
    }

    /// The diagnostics of one assignment of `scene` (equal to `AssignmentDiagnostics.measure`).
    public func measure(_ assignment: Assignment) throws -> AssignmentDiagnostics {
        let assigned = assignment.assignedGT
        let n = scene.priorCount, g = scene.gtCount, c = scene.numClasses
        guard assigned.count == n else {
            throw LabelAssignError.shapeMismatch(field: "assigned_gt", expected: n, actual: assigned.count)
        }
        for (i, a) in assigned.enumerated() where a < -2 || Int(a) >= g {
            throw LabelAssignError.invalidValue(field: "assigned_gt", index: i, reason: "\(a) is not an object index in [0, \(g)), -1 or -2")
        }

        let ranked = try AssignmentDiagnostics.rankPositives(assigned, scene: scene, convention: configuration.convention)
        let (iou, positives) = (ranked.iou, ranked.positives)
        let (bestIoUPrior, worstIoU) = (ranked.bestIoUPrior, ranked.worstIoU)

        // Missed high-quality priors, among the boxes overlapping each object (IoU > worst ≥ 0).
        var missedPerObject = [Int](repeating: 0, count: g)
        var missed = [UInt8](repeating: 0, count: n)
        var missedCount = 0
        overlapPrior.withUnsafeBufferPointer { prior in
            overlapIoU.withUnsafeBufferPointer { value in
                assigned.withUnsafeBufferPointer { ag in
                    missed.withUnsafeMutableBufferPointer { missed in
                        for o in 0..<g where bestIoUPrior[o] >= 0 {
                            let worst = worstIoU[o]
                            var count = 0
                            for k in overlapStart[o]..<overlapStart[o + 1] {
                                let i = Int(prior[k])
                                let hit: UInt8 = ag[i] < 0 && value[k] > worst ? 1 : 0
                                count += Int(hit)
                                missedCount += Int(hit & ~missed[i])
                                missed[i] |= hit
                            }
                            missedPerObject[o] = count
                        }
                    }
                }
            }
        }

        // QFL of the positive rows under both targets; negatives take their background row.
        var rows: [Float] = []
        rows.reserveCapacity(positives.count * c)
        var labels: [Int32] = [], targets: [Float] = []
        for i in positives {
            rows += scene.clsLogits[(i * c)..<(i * c + c)]
            labels.append(scene.gtLabels[Int(assigned[i])])
            targets.append(iou[i])
        }
        let iouTarget = try Losses.qualityFocal(logits: rows, labels: labels, scores: targets, numClasses: c,
                                                beta: configuration.qflBeta)
        let oneTarget = try Losses.qualityFocal(logits: rows, labels: labels, scores: [Float](repeating: 1, count: positives.count),
                                                numClasses: c, beta: configuration.qflBeta)
        var sumIoU = 0.0, sumOne = 0.0, k = 0
        assigned.withUnsafeBufferPointer { ag in
            backgroundLoss.withUnsafeBufferPointer { bg in
                for i in 0..<n where ag[i] != -2 {
                    if ag[i] >= 0 {
                        sumIoU += Double(iouTarget[k]); sumOne += Double(oneTarget[k]); k += 1
                    } else {
                        let v = Double(bg[i])
                        sumIoU += v; sumOne += v
                    }
                }
            }
        }
        let norm = Double(Float(max(positives.count, 1)))

        return ranked.diagnostics(scene: scene, missed: missedCount, missedPerObject: missedPerObject,
                                  lossIoUTarget: sumIoU / norm, lossOneTarget: sumOne / norm)
    }
}
