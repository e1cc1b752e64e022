import _LabelAssignKernels
import Foundation

/// Adaptive training sample selection: mmdet 3.3 `ATSSAssigner` (docs/ASSIGNERS.md §5), preset `atss`.
///
/// Anchors are the scene's `anchors` when it has them (e.g. RetinaNet's 9 per position; level
/// sizes are then the prior runs of each stride, as mmdet's `num_level_priors`), else squares of
/// side `anchorScale · stride` centred on the prior points. For
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
/// Stages, named as in `ATSSAssigner.assign`: `candidatesByDistance` (per-level top-k,
/// `ATSSAssigner+Candidates.swift`), `candidateIoUs`, `iouThreshold` (mean + std) and
/// `assignInGTCandidates` (in-gt test, conflict resolution).
///
/// Ignore regions (`gt_ignore`), as mmdet does before assigning when `ignore_iof_thr > 0`: anchors
/// with `IoF(anchor, ignore) > ignoreIoFThreshold` get distance 1e8 (so they are candidates only
/// when a level has too few other anchors) and end as `-2` unless they still become positive. The
/// preset keeps mmdet's default `ignore_iof_thr = -1`: ignore regions do not change the assignment.
public struct ATSSAssigner: Assigner {
    public struct Configuration: OptionConfigurable, Equatable {
        /// Candidates per level and object (>= 1).
        public var topk: Int
        /// Anchor side in strides.
        public var anchorScale: Float
        /// Anchor centre inside the object: all four distances to its sides exceed this.
        public var inBoxMargin: Float
        /// IoF above which an anchor counts as ignored (<= 0 disables ignore regions, mmdet's -1).
        public var ignoreIoFThreshold: Float

        public init(topk: Int = 9, anchorScale: Float = 8, inBoxMargin: Float = 0.01,
                    ignoreIoFThreshold: Float = -1) {
            self.topk = topk
            self.anchorScale = anchorScale
            self.inBoxMargin = inBoxMargin
            self.ignoreIoFThreshold = ignoreIoFThreshold
        }

        /// mmdet `ATSSAssigner(topk=9)` (`ignore_iof_thr=-1`) over anchors of side 8 · stride.
        public static let atss = Configuration()

        public static let options: [AssignerOption<Configuration>] = [
            .integer("topk", \.topk, .atLeast(1), doc: "candidates per level and object (nearest anchor centres)",
                     reference: "mmdet 3.3 ATSSAssigner"),
            .float("ignore_iof_thr", \.ignoreIoFThreshold, .finite,
                   doc: "anchors with IoF above it against an ignore box are ignored (<= 0: ignore boxes unused)",
                   reference: "mmdet 3.3 ATSSAssigner"),
            .float("octave_base_scale", \.anchorScale, .positive, doc: "anchor side in strides",
                   reference: "mmdet 3.3 ATSS config AnchorGenerator"),
            .float("in_gt_margin", \.inBoxMargin, .finite, doc: "anchor centre inside the object by more than this",
                   reference: "mmdet 3.3 ATSSAssigner (literal 0.01)"),
        ]

        public func validate() throws {
            for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
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

    /// Anchor centres `(x1 + x2) / 2`, `(y1 + y2) / 2` of every prior, and the ignore mask.
    struct AnchorCentres {
        let anchors: [Float]
        var x: [Float], y: [Float]
        /// `nil` when no anchor is ignored.
        let ignored: [Bool]?
    }

    /// Per prior: the object it goes to (-1 none) and the IoU of that pair.
    struct Owners {
        var owner: [Int32], iou: [Float]
    }

    /// Reused per-object arrays: the candidates (prior indices) and their IoUs with the object.
    struct CandidateScratch {
        var candidates: [Int32] = []
        var iou: [Float] = []
        var nearest: [(d: Float, i: Int32)] = []
    }

    /// `ATSSAssigner.assign`: ignored anchors are `-2` unless they become positive; no objects →
    /// everything else background with `matched_iou` 0.
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let s = prepared.scene, cfg = configuration
        try cfg.validate()
        let n = s.priorCount
        let ignored = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
        var assigned = [Int32](repeating: -1, count: n)
        var matched = [Float](repeating: 0, count: n)
        for i in 0..<n where ignored[i] { assigned[i] = -2 }
        if s.gtCount == 0 || n == 0 { return Assignment(assignedGT: assigned, matchedIoU: matched) }

        let centres = anchorCentres(s, ignored: ignored)
        let grid = prepared.anchorGrid
        var owners = Owners(owner: [Int32](repeating: -1, count: n), iou: [Float](repeating: 0, count: n))
        var scratch = CandidateScratch()
        s.gtBoxes.withUnsafeBufferPointer { gt in
            for m in 0..<s.gtCount {
                let b = gt.baseAddress! + 4 * m
                candidatesByDistance(grid, object: b, centres: centres, scratch: &scratch)
                candidateIoUs(centres.anchors, object: b, scratch: &scratch)
                let threshold = iouThreshold(scratch.iou)
                assignInGTCandidates(scratch, threshold: threshold, object: b, index: m, centres: centres, owners: &owners)
            }
        }
        for i in 0..<n where owners.owner[i] >= 0 {
            assigned[i] = owners.owner[i]
            matched[i] = owners.iou[i]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched)
    }

    /// The anchors (the scene's `anchors`, else squares of side `anchorScale · stride`) and their
    /// centres, as mmdet computes them (`(priors[:, 0] + priors[:, 2]) / 2.0`).
    func anchorCentres(_ s: Scene, ignored: [Bool]) -> AnchorCentres {
        let n = s.priorCount
        let anchors = s.anchorBoxes(scale: configuration.anchorScale)
        var c = AnchorCentres(anchors: anchors, x: [Float](repeating: 0, count: n), y: [Float](repeating: 0, count: n),
                              ignored: ignored.contains(true) ? ignored : nil)
        for i in 0..<n {
            c.x[i] = (anchors[4 * i] + anchors[4 * i + 2]) / 2
            c.y[i] = (anchors[4 * i + 1] + anchors[4 * i + 3]) / 2
        }
        return c
    }

    /// `bbox_overlaps(candidate anchors, gt)` (mmdet IoU, `lak_iou_mmdet`).
    func candidateIoUs(_ anchors: [Float], object b: UnsafePointer<Float>, scratch: inout CandidateScratch) {
        scratch.iou.removeAll(keepingCapacity: true)
        anchors.withUnsafeBufferPointer { anc in
            for a in scratch.candidates { scratch.iou.append(lak_iou_mmdet(anc.baseAddress! + 4 * Int(a), b)) }
        }
    }

    /// `iou_mean_per_gt + iou_std_per_gt`: the float32 mean, and the unbiased standard deviation
    /// accumulated in double as PyTorch's CPU kernel does; one candidate gives NaN (no positive).
    func iouThreshold(_ iou: [Float]) -> Float {
        let count = iou.count
        var sum: Float = 0
        for v in iou { sum += v }
        let mean = sum / Float(count)
        var std = Float.nan
        if count > 1 {
            var dm = 0.0
            for v in iou { dm += Double(v) }
            dm /= Double(count)
            var ss = 0.0
            for v in iou { ss += (Double(v) - dm) * (Double(v) - dm) }
            std = Float((ss / Double(count - 1)).squareRoot())
        }
        return mean + std
    }

    /// Positives among one object's candidates: IoU >= threshold and the anchor centre inside
    /// the object by more than `inBoxMargin` (`is_in_gts`); a prior claimed by several objects
    /// goes to the largest IoU (the earlier object on ties, as the `max(dim=1)` argmax does).
    func assignInGTCandidates(_ scratch: CandidateScratch, threshold: Float, object b: UnsafePointer<Float>, index m: Int,
                              centres: AnchorCentres, owners: inout Owners) {
        let margin = configuration.inBoxMargin
        for (j, a) in scratch.candidates.enumerated() {
            let iou = scratch.iou[j]
            guard iou >= threshold else { continue }
            let i = Int(a)
            let cx = centres.x[i], cy = centres.y[i]
            guard cx - b[0] > margin, cy - b[1] > margin, b[2] - cx > margin, b[3] - cy > margin else { continue }
            if owners.owner[i] < 0 || iou > owners.iou[i] {
                owners.owner[i] = Int32(m)
                owners.iou[i] = iou
            }
        }
    }
}
