import _LabelAssignKernels

/// ultralytics 8.4.190 `TaskAlignedAssigner.forward` (`tal.py`), as `v8DetectionLoss` calls it,
/// stage by stage: `select_candidates_in_gts` → `get_box_metrics` → `select_topk_candidates` →
/// `select_highest_overlaps` → `get_targets` (normalised `target_scores`).
extension TaskAlignedAssigner {
    /// The pairs of `select_candidates_in_gts`: object `m`'s candidates are the priors
    /// `prior[start[m]..<start[m + 1]]` (increasing), inside its enlarged box. `overlap` and
    /// `metric` are the pairs' `get_box_metrics` values (`metric[k].index` is the prior).
    struct CandidatePairs {
        var start: [Int]
        var prior: [Int32]
        var overlap: [Float] = []
        var metric: [TorchTopK.Element] = []

        func range(_ m: Int) -> Range<Int> { start[m]..<start[m + 1] }
    }

    /// Per prior, the `mask_pos` bookkeeping: `count` objects picked it, `owner` is the object it
    /// goes to (-1 none) and `pair` that object's pair with it (-1 when the owner has none: metric
    /// and overlap 0, as the dense reference has there). `touched` lists the priors picked at least once.
    struct PriorOwners {
        var count, owner, pair: [Int32]
        var touched: [Int32] = []

        init(priorCount n: Int) {
            count = [Int32](repeating: 0, count: n)
            owner = [Int32](repeating: -1, count: n)
            pair = [Int32](repeating: -1, count: n)
        }
    }

    /// `TaskAlignedAssigner.forward`; no objects → all background with zero `target_scores`.
    func assignUltralytics(_ prepared: PreparedScene) throws -> Assignment {
        let s = prepared.scene
        if s.gtCount == 0 {
            return Assignment(assignedGT: [Int32](repeating: -1, count: s.priorCount),
                              quality: QualityTarget(.targetScores, [Float](repeating: 0, count: s.priorCount)))
        }
        var pairs = try selectCandidatesInGTs(prepared)
        getBoxMetrics(&pairs, s)
        var owners = selectTopKCandidates(pairs, priorCount: s.priorCount)
        selectHighestOverlaps(&owners, pairs, priorCount: s.priorCount)
        return getTargets(owners, pairs, scene: s)
    }

    /// `select_candidates_in_gts` with the STAL enlargement: object sides below `stride_val`
    /// (`minCandidateSide`, default the scene's `strides[1]`) become `stride_val` about the centre
    /// (xyxy → xywh → xyxy, always round-tripped as the reference does); a prior point is a
    /// candidate when all four distances to the sides exceed `inBoxMargin`. Throws
    /// `resourceExhausted` when the pairs would pass the buffer limit.
    func selectCandidatesInGTs(_ prepared: PreparedScene) throws -> CandidatePairs {
        let s = prepared.scene, g = s.gtCount, margin = configuration.inBoxMargin
        let strideVal = configuration.minCandidateSide ?? (s.strides.count > 1 ? s.strides[1] : s.strides[0])
        var pairs = CandidatePairs(start: [Int](repeating: 0, count: g + 1), prior: [])
        pairs.prior.reserveCapacity(min(64 * g, 1 << 20))
        try s.priors.withUnsafeBufferPointer { p in
            for m in 0..<g {
                let x1 = s.gtBoxes[4 * m], y1 = s.gtBoxes[4 * m + 1], x2 = s.gtBoxes[4 * m + 2], y2 = s.gtBoxes[4 * m + 3]
                let cx = (x1 + x2) / 2, cy = (y1 + y2) / 2
                var w = x2 - x1, h = y2 - y1
                if w < strideVal { w = strideVal }
                if h < strideVal { h = strideVal }
                let hw = w / 2, hh = h / 2
                let ex1 = cx - hw, ey1 = cy - hh, ex2 = cx + hw, ey2 = cy + hh
                prepared.grid.select(into: &pairs.prior,
                                     xTest: { i in p[4 * i] - ex1 > margin && ex2 - p[4 * i] > margin },
                                     yTest: { i in p[4 * i + 1] - ey1 > margin && ey2 - p[4 * i + 1] > margin })
                pairs.start[m + 1] = pairs.prior.count
                try ResourceLimits.checkBuffer("task-aligned candidate pairs (objects × priors inside them)",
                                               count: pairs.prior.count, of: TorchTopK.Element.self)
            }
        }
        return pairs
    }

    /// `get_box_metrics` on the candidate pairs: overlap = CIoU (`lak_ciou_ultralytics8`, object
    /// vs prediction, each box's aspect arctangent computed once: `lak_ciou_ultralytics8_atans`)
    /// clamped at 0, alignment `sigmoid(cls[label])^α · overlap^β`. Pairs outside the candidates
    /// are 0 in the reference and are not stored.
    func getBoxMetrics(_ pairs: inout CandidatePairs, _ s: Scene) {
        let nc = s.numClasses, alpha = configuration.alpha, beta = configuration.beta
        let count = pairs.prior.count
        pairs.overlap = [Float](repeating: 0, count: count)
        pairs.metric = [TorchTopK.Element](repeating: TorchTopK.Element(value: 0, index: 0), count: count)
        // A prediction's arctangent, filled when its first pair needs it (NaN: not yet).
        var predAtan = [Float](repeating: .nan, count: s.priorCount)
        s.gtBoxes.withUnsafeBufferPointer { gt in
            s.predBoxes.withUnsafeBufferPointer { pred in
                for m in 0..<s.gtCount {
                    let label = Int(s.gtLabels[m])
                    let box = gt.baseAddress! + 4 * m, gtAtan = lak_aspect_atan_ultralytics8(box)
                    for k in pairs.range(m) {
                        let a = Int(pairs.prior[k])
                        if predAtan[a].isNaN { predAtan[a] = lak_aspect_atan_ultralytics8(pred.baseAddress! + 4 * a) }
                        let ov = max(lak_ciou_ultralytics8_atans(box, pred.baseAddress! + 4 * a, gtAtan, predAtan[a]), 0)
                        let score = classScore(s.clsLogits[a * nc + label])
                        pairs.overlap[k] = ov
                        pairs.metric[k] = TorchTopK.Element(value: torchPow(score, alpha) * torchPow(ov, beta), index: Int32(a))
                    }
                }
            }
        }
    }

    /// `select_topk_candidates`: per object the `topk` largest metrics over all priors (the
    /// non-candidates count as 0; PyTorch's CPU tie order, `TorchTopK`), masked by the in-object
    /// test, so a zero-metric candidate the top-k picks is positive.
    func selectTopKCandidates(_ pairs: CandidatePairs, priorCount n: Int) -> PriorOwners {
        var owners = PriorOwners(priorCount: n)
        pairs.metric.withUnsafeBufferPointer { all in
            for m in 0..<(pairs.start.count - 1) {
                let lo = pairs.start[m], hi = pairs.start[m + 1]
                let picks = TorchTopK.indices(ofSparse: UnsafeBufferPointer(rebasing: all[lo..<hi]), count: n,
                                              k: configuration.topk, order: .largest, ties: .torch)
                for a in picks {
                    guard let k = Self.find(a, in: pairs.prior, lo, hi) else { continue }
                    let i = Int(a)
                    if owners.count[i] == 0 { owners.touched.append(a) }
                    owners.count[i] += 1
                    owners.owner[i] = Int32(m)
                    owners.pair[i] = Int32(k)
                }
            }
        }
        return owners
    }

    /// `select_highest_overlaps`: a prior picked by several objects goes to the argmax over all
    /// objects of the overlap (objects without the pair count 0, so row 0 when all are 0); then,
    /// with `topk2` set and different from `topk`, each object keeps only its `topk2` best.
    /// Leaves `touched` sorted.
    func selectHighestOverlaps(_ owners: inout PriorOwners, _ pairs: CandidatePairs, priorCount n: Int) {
        var conflicts = false
        for a in owners.touched where owners.count[Int(a)] > 1 {
            conflicts = true
            owners.owner[Int(a)] = 0
            owners.pair[Int(a)] = -1
        }
        if conflicts {
            var best = [Float](repeating: 0, count: n)
            for m in 0..<(pairs.start.count - 1) {
                for k in pairs.range(m) {
                    let a = Int(pairs.prior[k])
                    guard owners.count[a] > 1 else { continue }
                    if m == 0 || pairs.overlap[k] > best[a] {
                        best[a] = pairs.overlap[k]
                        owners.owner[a] = Int32(m)
                        owners.pair[a] = Int32(k)
                    }
                }
            }
        }
        owners.touched.sort()
        if let k2 = configuration.topk2, k2 != configuration.topk {
            keepTopK2(&owners, pairs, k2: k2, priorCount: n)
        }
    }

    /// The `topk2` filter of `select_highest_overlaps`: per object, the `topk2` largest metrics
    /// among its positives (PyTorch's tie order); the others become background.
    func keepTopK2(_ owners: inout PriorOwners, _ pairs: CandidatePairs, k2: Int, priorCount n: Int) {
        var owned = [[TorchTopK.Element]](repeating: [], count: pairs.start.count - 1)
        for a in owners.touched {
            let k = owners.pair[Int(a)]
            owned[Int(owners.owner[Int(a)])].append(TorchTopK.Element(value: k >= 0 ? pairs.metric[Int(k)].value : 0, index: a))
        }
        for m in owned.indices where !owned[m].isEmpty {
            let keep = Set(owned[m].withUnsafeBufferPointer {
                TorchTopK.indices(ofSparse: $0, count: n, k: k2, order: .largest, ties: .torch)
            })
            for e in owned[m] where !keep.contains(e.index) { owners.owner[Int(e.index)] = -1 }
        }
    }

    /// `get_targets` and the normalisation of `forward`: `assigned_gt`, and `target_scores` =
    /// `T · maxOverlap / (maxT + eps)` of the assigned pair, the maxima per object over its
    /// positives (`TaskAlignedTargets.normalised`); 0 for background.
    func getTargets(_ owners: PriorOwners, _ pairs: CandidatePairs, scene s: Scene) -> Assignment {
        let n = s.priorCount
        var assigned = [Int32](repeating: -1, count: n)
        var metric = [Float](repeating: 0, count: n), overlap = [Float](repeating: 0, count: n)
        let positives = owners.touched.filter { owners.owner[Int($0)] >= 0 }
        for a in positives {
            let i = Int(a), k = Int(owners.pair[i])
            assigned[i] = owners.owner[i]
            if k >= 0 { metric[i] = pairs.metric[k].value; overlap[i] = pairs.overlap[k] }
        }
        let target = TaskAlignedTargets.normalised(assignedGT: assigned, metrics: metric, overlaps: overlap, gtCount: s.gtCount,
                                                   eps: configuration.normalizationEps, multiplyFirst: true,
                                                   positives: positives)
        return Assignment(assignedGT: assigned, quality: QualityTarget(.targetScores, target))
    }
}
