/// Max-IoU assignment: mmdet 3.3 `MaxIoUAssigner` as RetinaNet configures it, preset `maxiou`
/// (pos 0.5, neg 0.4, min_pos_iou 0, gt_max_assign_all, match_low_quality).
///
/// One square anchor of side `anchorScale · stride` per prior; IoU = mmdet `bbox_overlaps`.
/// Per prior, with `M` its largest IoU over the objects (first object on ties):
/// `M < negIoU` background (`-1`), `M >= posIoU` positive for that object, otherwise ignored
/// (`-2`; mmdet's `-1`). Then, if `matchLowQuality`, for every object in order whose best IoU
/// over all anchors is `>= minPosIoU`, every anchor with exactly that IoU (only the first one
/// when `gtMaxAssignAll` is false) is assigned to it, overwriting earlier decisions. With
/// `minPosIoU` 0 an object that overlaps no anchor (e.g. a zero-area object) has best IoU 0 and
/// so takes every anchor it does not overlap, i.e. all non-ignored anchors: mmdet's behaviour,
/// kept as is.
///
/// Ignore regions (`gt_ignore`), as mmdet does before assigning: anchors with
/// `IoF(anchor, ignore) > ignoreIoFThreshold` get IoU -1 with every object, so they are never
/// background and never positive (`-2`), except through an object whose best IoU is itself -1.
///
/// Only anchor/object pairs that intersect are scored (grid levels are searched by row and column).
public struct MaxIoUAssigner: Assigner {
    public struct Configuration: Sendable, Equatable {
        public var name: String
        public var posIoUThreshold: Float
        public var negIoUThreshold: Float
        public var minPosIoU: Float
        public var gtMaxAssignAll: Bool
        public var matchLowQuality: Bool
        /// Anchor side in strides.
        public var anchorScale: Float
        /// IoF above which an anchor is ignored (<= 0 disables ignore regions).
        public var ignoreIoFThreshold: Float

        public init(name: String = "maxiou", posIoUThreshold: Float = 0.5, negIoUThreshold: Float = 0.4,
                    minPosIoU: Float = 0, gtMaxAssignAll: Bool = true, matchLowQuality: Bool = true,
                    anchorScale: Float = 4, ignoreIoFThreshold: Float = 0.5) {
            self.name = name
            self.posIoUThreshold = posIoUThreshold
            self.negIoUThreshold = negIoUThreshold
            self.minPosIoU = minPosIoU
            self.gtMaxAssignAll = gtMaxAssignAll
            self.matchLowQuality = matchLowQuality
            self.anchorScale = anchorScale
            self.ignoreIoFThreshold = ignoreIoFThreshold
        }

        /// RetinaNet: pos 0.5, neg 0.4, min_pos_iou 0, anchors of side 4 · stride.
        public static let maxiou = Configuration()

        public func validate() throws {
            for (name, v) in [("posIoUThreshold", posIoUThreshold), ("negIoUThreshold", negIoUThreshold),
                              ("minPosIoU", minPosIoU), ("ignoreIoFThreshold", ignoreIoFThreshold)] where !v.isFinite {
                throw LabelAssignError.invalidParameter(name: name, reason: "must be finite, got \(v)")
            }
            guard negIoUThreshold <= posIoUThreshold else {
                throw LabelAssignError.invalidParameter(name: "negIoUThreshold",
                                                        reason: "\(negIoUThreshold) is above posIoUThreshold \(posIoUThreshold)")
            }
            guard anchorScale.isFinite, anchorScale > 0 else {
                throw LabelAssignError.invalidParameter(name: "anchorScale", reason: "must be finite and > 0, got \(anchorScale)")
            }
        }
    }

    public var configuration: Configuration
    public var name: String { configuration.name }

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    public func assign(_ s: Scene) throws -> Assignment {
        let cfg = configuration
        try cfg.validate()
        try AssignerInputGuard.check(s)
        let n = s.priorCount, g = s.gtCount
        if g == 0 { return .background(priorCount: n) }
        let ignored = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
        let anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: cfg.anchorScale)
        let grid = PriorLevelGrid(scene: s)

        // Sparse IoU rows: anchors intersecting each object, increasing.
        var rowStart = [Int](repeating: 0, count: g + 1)
        var rowPrior: [Int32] = []
        var rowIoU: [Float] = []
        // Per prior: the largest IoU over objects and its first object.
        var maxIoU = [Float](repeating: 0, count: n)
        var argmax = [Int32](repeating: 0, count: n)
        for i in 0..<n where ignored[i] { maxIoU[i] = -1 }
        var gtMax = [Float](repeating: 0, count: g)
        let nonIgnored = ignored.reduce(0) { $0 + ($1 ? 0 : 1) }
        anchors.withUnsafeBufferPointer { anc in
            s.gtBoxes.withUnsafeBufferPointer { gt in
                for m in 0..<g {
                    let b = gt.baseAddress! + 4 * m
                    let start = rowPrior.count
                    grid.select(into: &rowPrior,
                                xTest: { i in min(anc[4 * i + 2], b[2]) - max(anc[4 * i], b[0]) > 0 },
                                yTest: { i in min(anc[4 * i + 3], b[3]) - max(anc[4 * i + 1], b[1]) > 0 })
                    var best: Float = -.infinity
                    var scored = 0
                    for k in start..<rowPrior.count {
                        let i = Int(rowPrior[k])
                        // mmdet computes bbox_overlaps(gt, anchors): the object is the first box.
                        let iou: Float = ignored[i] ? -1 : TaskAlignedAssigner.mmdetIoU(b, anc.baseAddress! + 4 * i)
                        rowIoU.append(iou)
                        best = max(best, iou)
                        if !ignored[i] {
                            scored += 1
                            if iou > maxIoU[i] { maxIoU[i] = iou; argmax[i] = Int32(m) }
                        }
                    }
                    // Anchors not intersecting the object have IoU 0 (or -1 when ignored).
                    if nonIgnored > scored { best = max(best, 0) }
                    if best == -.infinity { best = -1 }
                    gtMax[m] = best
                    rowStart[m + 1] = rowPrior.count
                }
            }
        }

        var assigned = [Int32](repeating: -2, count: n)
        for i in 0..<n {
            let v = maxIoU[i]
            if v >= 0 && v < cfg.negIoUThreshold { assigned[i] = -1 }
            if v >= cfg.posIoUThreshold { assigned[i] = argmax[i] }
        }
        if cfg.matchLowQuality {
            for m in 0..<g where gtMax[m] >= cfg.minPosIoU {
                let target = gtMax[m]
                let lo = rowStart[m], hi = rowStart[m + 1]
                if target > 0 {
                    // Only intersecting anchors can reach a positive IoU.
                    for k in lo..<hi where rowIoU[k] == target {
                        assigned[Int(rowPrior[k])] = Int32(m)
                        if !cfg.gtMaxAssignAll { break }
                    }
                } else {
                    // Every anchor's IoU with this object, in prior order.
                    var k = lo
                    for i in 0..<n {
                        var v: Float = ignored[i] ? -1 : 0
                        if k < hi && Int(rowPrior[k]) == i { v = rowIoU[k]; k += 1 }
                        if v == target {
                            assigned[i] = Int32(m)
                            if !cfg.gtMaxAssignAll { break }
                        }
                    }
                }
            }
        }
        return Assignment(assignedGT: assigned)
    }
}
