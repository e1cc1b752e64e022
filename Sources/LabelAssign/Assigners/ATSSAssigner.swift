import _LabelAssignKernels
import Foundation

/// Adaptive training sample selection: mmdet 3.3 `ATSSAssigner` (ASSIGNERS.md §5), preset `atss`.
///
/// Priors are square anchors of side `anchorScale · stride` centred on the prior points. For
/// every object: on each level the `topk` anchors whose centres are nearest to the object centre
/// (Euclidean, float32), their IoUs with the object (mmdet `bbox_overlaps`), the threshold
/// `mean + std` (unbiased; one candidate gives NaN and so no positive), positives are the
/// candidates with IoU >= threshold whose anchor centre lies inside the object by more than
/// `inBoxMargin`; a prior claimed by several objects goes to the largest IoU (lower index on ties).
/// Outputs `assigned_gt` and `matched_iou` (the IoU of the assigned pair, 0 elsewhere).
///
/// Level sizes are the scene's level ranges (`(W / s)·(H / s)` for grid priors, as the reference
/// was fed). On grid levels the nearest anchors are found in a window around the object centre
/// that grows until no anchor outside it can be nearer; elsewhere the level is scanned. A tie at
/// the k-th distance is broken as PyTorch's CPU top-k breaks it when the level has at least
/// `64 · topk` anchors (partial sort, reproduced exactly); on smaller levels the lower index wins.
///
/// Ignore regions (`gt_ignore`), as mmdet does before assigning: anchors with
/// `IoF(anchor, ignore) > ignoreIoFThreshold` get distance 1e8 (so they are candidates only when a
/// level has too few other anchors) and end as `-2` unless they still become positive.
public struct ATSSAssigner: Assigner {
    public struct Configuration: Sendable, Equatable {
        /// Candidates per level and object (>= 1).
        public var topk: Int
        /// Anchor side in strides.
        public var anchorScale: Float
        /// Anchor centre inside the object: all four distances to its sides exceed this.
        public var inBoxMargin: Float
        /// IoF above which an anchor counts as ignored (<= 0 disables ignore regions).
        public var ignoreIoFThreshold: Float

        public init(topk: Int = 9, anchorScale: Float = 8, inBoxMargin: Float = 0.01,
                    ignoreIoFThreshold: Float = 0.5) {
            self.topk = topk
            self.anchorScale = anchorScale
            self.inBoxMargin = inBoxMargin
            self.ignoreIoFThreshold = ignoreIoFThreshold
        }

        /// mmdet `ATSSAssigner(topk=9)` over anchors of side 8 · stride.
        public static let atss = Configuration()

        public func validate() throws {
            guard topk >= 1 else { throw LabelAssignError.invalidParameter(name: "topk", reason: "must be at least 1, got \(topk)") }
            guard anchorScale.isFinite, anchorScale > 0 else {
                throw LabelAssignError.invalidParameter(name: "anchorScale", reason: "must be finite and > 0, got \(anchorScale)")
            }
            guard inBoxMargin.isFinite else { throw LabelAssignError.invalidParameter(name: "inBoxMargin", reason: "must be finite") }
            guard ignoreIoFThreshold.isFinite else {
                throw LabelAssignError.invalidParameter(name: "ignoreIoFThreshold", reason: "must be finite")
            }
        }
    }

    public var configuration: Configuration
    public init(_ configuration: Configuration = .atss) {
        self.configuration = configuration
    }

    /// Distance given to ignored anchors (mmdet `INF`).
    static let ignoredDistance: Float = 100_000_000

    public var ignorePolicy: IgnorePolicy {
        .beforeAssignment(.anchorIoF(scale: configuration.anchorScale, threshold: configuration.ignoreIoFThreshold))
    }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let s = prepared.scene, cfg = configuration
        try cfg.validate()
        let n = s.priorCount, g = s.gtCount
        let ignored = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
        var assigned = [Int32](repeating: -1, count: n)
        var matched = [Float](repeating: 0, count: n)
        for i in 0..<n where ignored[i] { assigned[i] = -2 }
        if g == 0 { return Assignment(assignedGT: assigned, matchedIoU: matched) }

        let anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: cfg.anchorScale)
        var centerX = [Float](repeating: 0, count: n), centerY = centerX
        for i in 0..<n {
            centerX[i] = (anchors[4 * i] + anchors[4 * i + 2]) / 2
            centerY[i] = (anchors[4 * i + 1] + anchors[4 * i + 3]) / 2
        }
        let grid = prepared.grid
        let anyIgnored = ignored.contains(true)
        var bestIoU = [Float](repeating: 0, count: n)
        var owner = [Int32](repeating: -1, count: n)
        var candidates: [Int32] = []
        var candidateIoU: [Float] = []
        var scratch: [(d: Float, i: Int32)] = []

        anchors.withUnsafeBufferPointer { anc in
            s.gtBoxes.withUnsafeBufferPointer { gt in
                for m in 0..<g {
                    let b = gt.baseAddress! + 4 * m
                    let gx = (b[0] + b[2]) / 2, gy = (b[1] + b[3]) / 2
                    candidates.removeAll(keepingCapacity: true)
                    for level in grid.levels {
                        nearest(level: level, k: min(cfg.topk, level.range.count), gx: gx, gy: gy,
                                centerX: centerX, centerY: centerY, ignored: anyIgnored ? ignored : nil,
                                scratch: &scratch, into: &candidates)
                    }
                    candidateIoU.removeAll(keepingCapacity: true)
                    var sum: Float = 0
                    for a in candidates {
                        let iou = lak_iou_mmdet(anc.baseAddress! + 4 * Int(a), b)
                        candidateIoU.append(iou)
                        sum += iou
                    }
                    let count = candidates.count
                    let mean = sum / Float(count)
                    // Unbiased standard deviation (accumulated in double, as PyTorch's CPU kernel does).
                    var std = Float.nan
                    if count > 1 {
                        var dm = 0.0
                        for v in candidateIoU { dm += Double(v) }
                        dm /= Double(count)
                        var ss = 0.0
                        for v in candidateIoU { ss += (Double(v) - dm) * (Double(v) - dm) }
                        std = Float((ss / Double(count - 1)).squareRoot())
                    }
                    let threshold = mean + std
                    for (j, a) in candidates.enumerated() {
                        let iou = candidateIoU[j]
                        guard iou >= threshold else { continue }
                        let i = Int(a)
                        let cx = centerX[i], cy = centerY[i]
                        let margin = cfg.inBoxMargin
                        guard cx - b[0] > margin, cy - b[1] > margin, b[2] - cx > margin, b[3] - cy > margin else { continue }
                        if owner[i] < 0 || iou > bestIoU[i] {
                            owner[i] = Int32(m)
                            bestIoU[i] = iou
                        }
                    }
                }
            }
        }
        for i in 0..<n where owner[i] >= 0 {
            assigned[i] = owner[i]
            matched[i] = bestIoU[i]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched)
    }

    /// mmdet's centre distance `sqrt((px - gx)^2 + (py - gy)^2)` in float32.
    @inline(__always) static func distance(_ px: Float, _ py: Float, _ gx: Float, _ gy: Float) -> Float {
        let dx = px - gx, dy = py - gy
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Appends the `k` anchors of `level` nearest to `(gx, gy)` (distance, then lower index).
    private func nearest(level: PriorLevelGrid.Level, k: Int, gx: Float, gy: Float,
                         centerX: [Float], centerY: [Float], ignored: [Bool]?,
                         scratch: inout [(d: Float, i: Int32)], into out: inout [Int32]) {
        if k <= 0 { return }
        @inline(__always) func dist(_ i: Int) -> Float {
            if let ignored, ignored[i] { return Self.ignoredDistance }
            return Self.distance(centerX[i], centerY[i], gx, gy)
        }
        scratch.removeAll(keepingCapacity: true)
        if level.isGrid {
            let cols = level.columns, rows = level.rows
            // Nearest column and row to the centre.
            var c0 = 0, r0 = 0
            var bestX = Float.infinity, bestY = Float.infinity
            for c in 0..<cols {
                let d = abs(centerX[level.index(column: c, row: 0)] - gx)
                if d < bestX { bestX = d; c0 = c }
            }
            for r in 0..<rows {
                let d = abs(centerY[level.index(column: 0, row: r)] - gy)
                if d < bestY { bestY = d; r0 = r }
            }
            var radius = 2
            while true {
                let cl = max(c0 - radius, 0), ch = min(c0 + radius, cols - 1)
                let rl = max(r0 - radius, 0), rh = min(r0 + radius, rows - 1)
                scratch.removeAll(keepingCapacity: true)
                for r in rl...rh {
                    for c in cl...ch {
                        let i = level.index(column: c, row: r)
                        scratch.append((dist(i), Int32(i)))
                    }
                }
                let whole = cl == 0 && rl == 0 && ch == cols - 1 && rh == rows - 1
                if scratch.count >= k {
                    scratch.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
                    if whole { break }
                    // Any anchor outside the window is at least this far away.
                    var lowX = Float.infinity, lowY = Float.infinity
                    for c in 0..<cols where c < cl || c > ch {
                        let dx = centerX[level.index(column: c, row: 0)] - gx
                        lowX = min(lowX, (dx * dx).squareRoot())
                    }
                    for r in 0..<rows where r < rl || r > rh {
                        let dy = centerY[level.index(column: 0, row: r)] - gy
                        lowY = min(lowY, (dy * dy).squareRoot())
                    }
                    let bound = min(lowX, lowY, Self.ignoredDistance)
                    if scratch[k - 1].d < bound { break }
                } else if whole {
                    break
                }
                radius *= 2
            }
        } else {
            for i in level.range { scratch.append((dist(i), Int32(i))) }
            scratch.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
        }
        if scratch.count > k && scratch[k].d == scratch[k - 1].d && k * 64 <= level.range.count {
            // A tie at the k-th distance: PyTorch's CPU top-k (partial_sort over the level) decides
            // which of the tied anchors are kept; reproduce it over the whole level.
            var distances = [Float]()
            distances.reserveCapacity(level.range.count)
            for i in level.range { distances.append(dist(i)) }
            let picked = distances.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: k, order: .smallest) }
            var chosen = picked.map { (d: distances[Int($0)], i: Int32(level.range.lowerBound) + $0) }
            chosen.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
            for c in chosen { out.append(c.i) }
            return
        }
        for j in 0..<min(k, scratch.count) { out.append(scratch[j].i) }
    }
}
