import _LabelAssignKernels
import Foundation

/// Task-aligned assignment (TOOD): alignment metric `T = score^α · overlap^β` between every
/// object and prior, the top-k priors by `T` per object, restricted to priors whose centre lies
/// inside the object, conflicts resolved by overlap. Two references, chosen by `variant`:
///
/// - `.ultralytics` (preset `tal`): ultralytics 8.4.190 `TaskAlignedAssigner` as
///   `v8DetectionLoss` calls it (ASSIGNERS.md §4b). Scores `sigmoid(cls)`, overlap = CIoU
///   (ultralytics 8.4 `bbox_iou`, xyxy, `h + eps`: `lak_ciou_ultralytics8`) clamped at 0, prior
///   points `(cx, cy)`. Object sides below `stride_val` are enlarged to it about the centre for
///   the in-object test only.
///   The top-k runs over all priors, so a zero-metric prior inside the object that the top-k
///   picks is positive; a prior claimed by several objects goes to the argmax of the overlap over
///   all objects (row 0 when all are 0); `topk2` keeps only the `topk2` best per object afterwards.
///   Output `target_scores`: `T · maxOverlap / (maxT + eps)` of the assigned pair, per object over
///   its positives; 0 for background.
/// - `.mmdet` (preset `tood`): mmdet 3.3 `TaskAlignedAssigner` (§4a) fed `sigmoid(cls)` and
///   square anchors of side `anchorScale · stride`. Overlap = plain IoU (mmdet, pred vs object),
///   positives need `T > 0` and the anchor centre inside the object by more than `inBoxMargin`;
///   conflicts go to the largest IoU among the positive objects. Output `assign_metrics`: `T` of
///   the assigned pair, 0 elsewhere.
///
/// Work is restricted to pairs that can be non-zero: ultralytics computes overlaps only for
/// priors inside the (enlarged) object, mmdet only for predictions that intersect the object.
/// The top-k selection reproduces PyTorch's CPU tie order where it runs a heap selection
/// (`64·topk <= N`); on smaller scenes the lower index wins among equal metrics (`TorchTopK`).
///
/// Ignore regions (`gt_ignore`): neither reference uses them; after assignment, background
/// priors marked by `ignoreRule` become `-2` and positives are left unchanged.
public struct TaskAlignedAssigner: Assigner {
    public struct Configuration: Sendable, Equatable {
        public enum Variant: String, Sendable, Equatable {
            /// ultralytics `TaskAlignedAssigner` (CIoU, point priors, STAL enlargement, topk2).
            case ultralytics
            /// mmdet `TaskAlignedAssigner` (IoU, anchor-box centres, `T > 0`).
            case mmdet
        }

        public var variant: Variant
        /// Candidates per object (>= 1).
        public var topk: Int
        /// ultralytics only: second per-object top-k after conflict resolution (`nil` = `topk`, no filtering).
        public var topk2: Int?
        /// Exponent of the class score (>= 0).
        public var alpha: Double
        /// Exponent of the overlap (> 0 for mmdet, >= 0 for ultralytics).
        public var beta: Double
        /// A prior is inside an object when all four distances to its sides exceed this.
        public var inBoxMargin: Float
        /// ultralytics only: object sides below this are enlarged to it for the in-object test.
        /// `nil` = the scene's `strides[1]` (or `strides[0]` with one stride), as ultralytics does;
        /// 0 disables the enlargement (ultralytics releases before it).
        public var minCandidateSide: Float?
        /// ultralytics only: eps of the target normalisation.
        public var normalizationEps: Float
        /// mmdet only: anchors are squares of side `anchorScale · stride` centred on the priors.
        public var anchorScale: Float
        /// How ignore regions mark priors (applied to background priors after assignment).
        public var ignoreRule: IgnoreRule

        public init(variant: Variant, topk: Int, topk2: Int? = nil, alpha: Double, beta: Double,
                    inBoxMargin: Float, minCandidateSide: Float? = nil, normalizationEps: Float = 1e-9,
                    anchorScale: Float = 8, ignoreRule: IgnoreRule) {
            self.variant = variant
            self.topk = topk
            self.topk2 = topk2
            self.alpha = alpha
            self.beta = beta
            self.inBoxMargin = inBoxMargin
            self.minCandidateSide = minCandidateSide
            self.normalizationEps = normalizationEps
            self.anchorScale = anchorScale
            self.ignoreRule = ignoreRule
        }

        /// ultralytics 8.4.190 as `v8DetectionLoss` trains: topk 10, α 0.5, β 6, margin 1e-9, eps 1e-9.
        public static let tal = Configuration(variant: .ultralytics, topk: 10, alpha: 0.5, beta: 6,
                                              inBoxMargin: 1e-9, normalizationEps: 1e-9, ignoreRule: .pointInside)
        /// mmdet 3.3 TOOD: topk 13, α 1, β 6, margin 0.01, anchors of side 8 · stride.
        public static let tood = Configuration(variant: .mmdet, topk: 13, alpha: 1, beta: 6,
                                               inBoxMargin: 0.01, anchorScale: 8,
                                               ignoreRule: .anchorIoF(scale: 8, threshold: 0.5))

        /// Throws `invalidParameter` for a constant outside its domain.
        public func validate() throws {
            guard topk >= 1 else { throw LabelAssignError.invalidParameter(name: "topk", reason: "must be at least 1, got \(topk)") }
            if let k2 = topk2, k2 < 1 { throw LabelAssignError.invalidParameter(name: "topk2", reason: "must be at least 1, got \(k2)") }
            guard alpha.isFinite, alpha >= 0 else { throw LabelAssignError.invalidParameter(name: "alpha", reason: "must be finite and >= 0, got \(alpha)") }
            guard beta.isFinite, variant == .mmdet ? beta > 0 : beta >= 0 else {
                throw LabelAssignError.invalidParameter(name: "beta", reason: "must be finite and \(variant == .mmdet ? "> 0" : ">= 0"), got \(beta)")
            }
            guard inBoxMargin.isFinite else { throw LabelAssignError.invalidParameter(name: "inBoxMargin", reason: "must be finite") }
            if let side = minCandidateSide, !(side.isFinite && side >= 0) {
                throw LabelAssignError.invalidParameter(name: "minCandidateSide", reason: "must be finite and >= 0, got \(side)")
            }
            guard normalizationEps.isFinite, normalizationEps > 0 else {
                throw LabelAssignError.invalidParameter(name: "normalizationEps", reason: "must be finite and > 0, got \(normalizationEps)")
            }
            guard anchorScale.isFinite, anchorScale > 0 else {
                throw LabelAssignError.invalidParameter(name: "anchorScale", reason: "must be finite and > 0, got \(anchorScale)")
            }
            if case let .anchorIoF(scale, threshold) = ignoreRule, !(scale.isFinite && scale > 0 && threshold.isFinite) {
                throw LabelAssignError.invalidParameter(name: "ignoreRule", reason: "anchor scale must be > 0 and the threshold finite")
            }
        }
    }

    public var configuration: Configuration
    public init(_ configuration: Configuration = .tal) {
        self.configuration = configuration
    }

    public var ignorePolicy: IgnorePolicy { .afterAssignment(configuration.ignoreRule) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        try configuration.validate()
        switch configuration.variant {
        case .ultralytics: return assignUltralytics(prepared)
        case .mmdet: return assignMMDet(prepared)
        }
    }

    // MARK: - ultralytics

    private func assignUltralytics(_ prepared: PreparedScene) -> Assignment {
        let s = prepared.scene, cfg = configuration
        let n = s.priorCount, g = s.gtCount, nc = s.numClasses
        if g == 0 {
            return Assignment(assignedGT: [Int32](repeating: -1, count: n),
                              quality: QualityTarget(.targetScores, [Float](repeating: 0, count: n)))
        }
        let grid = prepared.grid
        let strideVal = cfg.minCandidateSide ?? Float(s.strides.count > 1 ? s.strides[1] : s.strides[0])
        let margin = cfg.inBoxMargin

        // Candidate pairs (object m, prior inside its enlarged box), grouped by object, priors increasing.
        var pairStart = [Int](repeating: 0, count: g + 1)
        var pairPrior: [Int32] = []
        pairPrior.reserveCapacity(64 * g)
        s.priors.withUnsafeBufferPointer { p in
            for m in 0..<g {
                let x1 = s.gtBoxes[4 * m], y1 = s.gtBoxes[4 * m + 1], x2 = s.gtBoxes[4 * m + 2], y2 = s.gtBoxes[4 * m + 3]
                // xyxy -> xywh, enlarge small sides, xywh -> xyxy (always round-tripped, as the reference does).
                let cx = (x1 + x2) / 2, cy = (y1 + y2) / 2
                var w = x2 - x1, h = y2 - y1
                if w < strideVal { w = strideVal }
                if h < strideVal { h = strideVal }
                let hw = w / 2, hh = h / 2
                let ex1 = cx - hw, ey1 = cy - hh, ex2 = cx + hw, ey2 = cy + hh
                grid.select(into: &pairPrior,
                            xTest: { i in p[4 * i] - ex1 > margin && ex2 - p[4 * i] > margin },
                            yTest: { i in p[4 * i + 1] - ey1 > margin && ey2 - p[4 * i + 1] > margin })
                pairStart[m + 1] = pairPrior.count
            }
        }
        let pairCount = pairPrior.count
        var pairOverlap = [Float](repeating: 0, count: pairCount)
        var pairs = [TorchTopK.Element](repeating: TorchTopK.Element(value: 0, index: 0), count: pairCount)
        s.gtBoxes.withUnsafeBufferPointer { gt in
            s.predBoxes.withUnsafeBufferPointer { pred in
                s.clsLogits.withUnsafeBufferPointer { cls in
                    for m in 0..<g {
                        let label = Int(s.gtLabels[m])
                        for k in pairStart[m]..<pairStart[m + 1] {
                            let a = Int(pairPrior[k])
                            let ov = max(lak_ciou_ultralytics8(gt.baseAddress! + 4 * m, pred.baseAddress! + 4 * a), 0)
                            let score = torchSigmoid(cls[a * nc + label])
                            pairOverlap[k] = ov
                            pairs[k] = TorchTopK.Element(value: torchPow(score, cfg.alpha) * torchPow(ov, cfg.beta),
                                                         index: Int32(a))
                        }
                    }
                }
            }
        }

        // Top-k over all priors per object; positives are the picks inside the object.
        var count = [Int32](repeating: 0, count: n)
        var owner = [Int32](repeating: -1, count: n)
        var ownerPair = [Int32](repeating: -1, count: n)
        var touched: [Int32] = []
        pairs.withUnsafeBufferPointer { all in
            for m in 0..<g {
                let lo = pairStart[m], hi = pairStart[m + 1]
                let picks = TorchTopK.indices(ofSparse: UnsafeBufferPointer(rebasing: all[lo..<hi]), count: n, k: cfg.topk,
                                              order: .largest, ties: .torchHeapOrLowerIndex)
                for a in picks {
                    guard let k = Self.find(a, in: pairPrior, lo, hi) else { continue }
                    if count[Int(a)] == 0 { touched.append(a) }
                    count[Int(a)] += 1
                    owner[Int(a)] = Int32(m)
                    ownerPair[Int(a)] = Int32(k)
                }
            }
        }
        // Conflicts: argmax over all objects of the overlap (objects without the pair count 0).
        var conflicts = false
        for a in touched where count[Int(a)] > 1 {
            conflicts = true
            owner[Int(a)] = 0
            ownerPair[Int(a)] = -1
        }
        if conflicts {
            var best = [Float](repeating: 0, count: n)
            for m in 0..<g {
                for k in pairStart[m]..<pairStart[m + 1] {
                    let a = Int(pairPrior[k])
                    guard count[a] > 1 else { continue }
                    if m == 0 || pairOverlap[k] > best[a] {
                        best[a] = pairOverlap[k]
                        owner[a] = Int32(m)
                        ownerPair[a] = Int32(k)
                    }
                }
            }
        }
        touched.sort()
        // Optional second top-k per object over its remaining positives.
        if let k2 = cfg.topk2, k2 != cfg.topk {
            var owned = [[TorchTopK.Element]](repeating: [], count: g)
            for a in touched {
                let k = ownerPair[Int(a)]
                owned[Int(owner[Int(a)])].append(TorchTopK.Element(value: k >= 0 ? pairs[Int(k)].value : 0, index: a))
            }
            for m in 0..<g where !owned[m].isEmpty {
                let keep = Set(owned[m].withUnsafeBufferPointer {
                    TorchTopK.indices(ofSparse: $0, count: n, k: k2, order: .largest, ties: .torchHeapOrLowerIndex)
                })
                for e in owned[m] where !keep.contains(e.index) { owner[Int(e.index)] = -1 }
            }
        }
        // Normalised targets: per object, the maxima over its positives (TaskAlignedTargets.normalised).
        var assigned = [Int32](repeating: -1, count: n)
        var metric = [Float](repeating: 0, count: n), overlap = [Float](repeating: 0, count: n)
        let positives = touched.filter { owner[Int($0)] >= 0 }
        for a in positives {
            let k = Int(ownerPair[Int(a)])
            assigned[Int(a)] = owner[Int(a)]
            if k >= 0 { metric[Int(a)] = pairs[k].value; overlap[Int(a)] = pairOverlap[k] }
        }
        let target = TaskAlignedTargets.normalised(assignedGT: assigned, metrics: metric, overlaps: overlap, gtCount: g,
                                                   eps: cfg.normalizationEps, multiplyFirst: true, positives: positives)
        return Assignment(assignedGT: assigned, quality: QualityTarget(.targetScores, target))
    }

    /// Position of `value` in the increasing slice `list[lo..<hi]`.
    @inline(__always) static func find(_ value: Int32, in list: [Int32], _ lo: Int, _ hi: Int) -> Int? {
        var l = lo, h = hi
        while l < h {
            let mid = (l + h) >> 1
            if list[mid] < value { l = mid + 1 } else { h = mid }
        }
        return l < hi && list[l] == value ? l : nil
    }

    // MARK: - mmdet

    private func assignMMDet(_ prepared: PreparedScene) -> Assignment {
        let s = prepared.scene, cfg = configuration
        let n = s.priorCount, g = s.gtCount, nc = s.numClasses
        if g == 0 {
            return Assignment(assignedGT: [Int32](repeating: -1, count: n),
                              quality: QualityTarget(.assignMetrics, [Float](repeating: 0, count: n)))
        }
        let anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: cfg.anchorScale)
        var px1 = [Float](repeating: 0, count: n), py1 = px1, px2 = px1, py2 = px1
        for i in 0..<n {
            px1[i] = s.predBoxes[4 * i]; py1[i] = s.predBoxes[4 * i + 1]
            px2[i] = s.predBoxes[4 * i + 2]; py2[i] = s.predBoxes[4 * i + 3]
        }
        var owner = [Int32](repeating: -1, count: n)
        var ownerIoU = [Float](repeating: 0, count: n)
        var metric = [Float](repeating: 0, count: n)
        var hits = [Int32](repeating: 0, count: n)
        var entries: [TorchTopK.Element] = []
        var overlaps = [Float](repeating: 0, count: n)
        var bestIoU: [(v: Float, j: Int)] = []
        var chosen: [(j: Int, t: Float)] = []
        var probeMetric: [Float] = []
        var scratchIoU = [Float](repeating: 0, count: n)
        let margin = cfg.inBoxMargin
        s.gtBoxes.withUnsafeBufferPointer { gt in
            s.predBoxes.withUnsafeBufferPointer { pred in
                s.clsLogits.withUnsafeBufferPointer { cls in
                    for m in 0..<g {
                        let b = gt.baseAddress! + 4 * m
                        let hitCount = Int(hits.withUnsafeMutableBufferPointer { h in
                            overlaps.withUnsafeMutableBufferPointer { o in
                                lak_scan_mmdet_iou(px1, py1, px2, py2, Int64(n), b[0], b[1], b[2], b[3], h.baseAddress, o.baseAddress)
                            }
                        })
                        let label = Int(s.gtLabels[m])
                        @inline(__always) func alignment(_ j: Int) -> Float {
                            let score = torchSigmoid(cls[Int(hits[j]) * nc + label])
                            return torchPow(score, cfg.alpha) * torchPow(overlaps[j], cfg.beta)
                        }
                        let k = min(cfg.topk, n)
                        // T <= IoU^β (scores are at most 1): once k hits reach T >= τ, hits whose IoU
                        // is clearly below τ^(1/β) cannot enter the top-k and are not scored. τ is the
                        // k-th largest T among the 4k hits of largest IoU.
                        var threshold: Float = -1
                        if hitCount > k {
                            let probe = min(4 * k, hitCount)
                            // The `probe`-th largest IoU, then every hit reaching it.
                            let floor = overlaps.withUnsafeBufferPointer { o in
                                scratchIoU.withUnsafeMutableBufferPointer { t in
                                    t.baseAddress!.update(from: o.baseAddress!, count: hitCount)
                                    return lak_kth_largest(t.baseAddress, Int64(hitCount), Int64(probe))
                                }
                            }
                            bestIoU.removeAll(keepingCapacity: true)
                            overlaps.withUnsafeBufferPointer { o in
                                for j in 0..<hitCount where o[j] >= floor { bestIoU.append((o[j], j)) }
                            }
                            probeMetric.removeAll(keepingCapacity: true)
                            for e in bestIoU { probeMetric.append(alignment(e.j)) }
                            probeMetric.sort(by: >)
                            let tau = probeMetric[k - 1]
                            if tau > 0 { threshold = Float(Foundation.pow(Double(tau), 1 / cfg.beta)) * (1 - 1e-3) }
                        }
                        entries.removeAll(keepingCapacity: true)
                        overlaps.withUnsafeBufferPointer { o in
                            for j in 0..<hitCount where o[j] >= threshold {
                                entries.append(TorchTopK.Element(value: alignment(j), index: Int32(j)))
                            }
                        }
                        // The picked hits (position in `hits`) with their metrics.
                        chosen.removeAll(keepingCapacity: true)
                        if entries.count < hitCount {
                            entries.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
                            if entries.count > k && entries[k].value == entries[k - 1].value {
                                // A tie at the boundary: score every hit and reproduce the reference's tie order.
                                entries.removeAll(keepingCapacity: true)
                                for j in 0..<hitCount { entries.append(TorchTopK.Element(value: alignment(j), index: Int32(j))) }
                            } else {
                                for e in entries.prefix(k) { chosen.append((Int(e.index), e.value)) }
                            }
                        }
                        if entries.count == hitCount {
                            for j in 0..<hitCount { entries[j].index = hits[j] }
                            let picks = entries.withUnsafeBufferPointer {
                                TorchTopK.indices(ofSparse: $0, count: n, k: cfg.topk, order: .largest, ties: .torchHeapOrLowerIndex)
                            }
                            for a in picks {
                                if let j = Self.find(a, in: hits, 0, hitCount) { chosen.append((j, entries[j].value)) }
                            }
                        }
                        for (j, t) in chosen where t > 0 {
                            let a = hits[j]
                            let i = Int(a)
                            let cx = (anchors[4 * i] + anchors[4 * i + 2]) / 2
                            let cy = (anchors[4 * i + 1] + anchors[4 * i + 3]) / 2
                            guard cx - b[0] > margin, cy - b[1] > margin, b[2] - cx > margin, b[3] - cy > margin else { continue }
                            if owner[i] < 0 || overlaps[j] > ownerIoU[i] {
                                owner[i] = Int32(m)
                                ownerIoU[i] = overlaps[j]
                                metric[i] = t
                            }
                        }
                    }
                }
            }
        }
        return Assignment(assignedGT: owner, quality: QualityTarget(.assignMetrics, metric))
    }
}
