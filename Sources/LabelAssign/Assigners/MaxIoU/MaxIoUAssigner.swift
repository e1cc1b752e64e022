import _LabelAssignKernels

/// Max-IoU assignment: mmdet 3.3 `MaxIoUAssigner` as RetinaNet configures it, preset `maxiou`
/// (pos 0.5, neg 0.4, min_pos_iou 0, gt_max_assign_all, match_low_quality).
///
/// One anchor per prior: the scene's `anchors` when it has them, else the square of side
/// `anchorScale · stride` centred on the prior; IoU = mmdet `bbox_overlaps`.
/// Per prior, with `M` its largest IoU over the objects (first object on ties):
/// `M < negIoU` background (`-1`), `M >= posIoU` positive for that object, otherwise ignored
/// (`-2`; mmdet's `-1`). Then, if `matchLowQuality`, for every object in order whose best IoU
/// over all anchors is `>= minPosIoU`, every anchor with exactly that IoU (only the first one
/// when `gtMaxAssignAll` is false) is assigned to it, overwriting earlier decisions. With
/// `minPosIoU` 0 an object that overlaps no anchor (e.g. a zero-area object) has best IoU 0 and
/// so takes every anchor it does not overlap, i.e. all non-ignored anchors: mmdet's behaviour,
/// kept as is.
///
/// Ignore regions (`gt_ignore`), as mmdet does before assigning when `ignore_iof_thr > 0`: anchors
/// with `IoF(anchor, ignore) > ignoreIoFThreshold` get IoU -1 with every object, so they are never
/// background and never positive (`-2`), except through an object whose best IoU is itself -1 (or
/// a negative interval that reaches -1). The preset keeps mmdet's default `ignore_iof_thr = -1`
/// (RetinaNet's configs do not set it): ignore regions do not change the assignment.
///
/// Negatives are the priors whose largest IoU lies in `[negIoULower, negIoUThreshold)`: mmdet's
/// `neg_iou_thr` as a number `t` is `[0, t)`, as an interval `(lo, hi)` it is `[lo, hi)`.
///
/// Only anchor/object pairs that intersect are scored: on levels that are regular grids the
/// intersecting columns and rows are found by binary search and the block of IoUs is computed
/// and folded into the per-prior maxima by a C kernel (`lak_maxiou_grid_block`); other levels are
/// scanned prior by prior. Explicit anchors follow no grid: every object is scored against every
/// anchor (`MaxIoUAssigner+Anchors.swift`). No `G × N` matrix is built.
public struct MaxIoUAssigner: Assigner {
    public struct Configuration: OptionConfigurable, Equatable {
        public var posIoUThreshold: Float
        /// Upper end (exclusive) of the negative interval.
        public var negIoUThreshold: Float
        /// Lower end (inclusive) of the negative interval (0 for mmdet's number form).
        public var negIoULower: Float
        public var minPosIoU: Float
        public var gtMaxAssignAll: Bool
        public var matchLowQuality: Bool
        /// Anchor side in strides.
        public var anchorScale: Float
        /// IoF above which an anchor is ignored (<= 0 disables ignore regions).
        public var ignoreIoFThreshold: Float

        public init(posIoUThreshold: Float = 0.5, negIoUThreshold: Float = 0.4,
                    minPosIoU: Float = 0, gtMaxAssignAll: Bool = true, matchLowQuality: Bool = true,
                    anchorScale: Float = 4, ignoreIoFThreshold: Float = -1, negIoULower: Float = 0) {
            self.posIoUThreshold = posIoUThreshold
            self.negIoUThreshold = negIoUThreshold
            self.negIoULower = negIoULower
            self.minPosIoU = minPosIoU
            self.gtMaxAssignAll = gtMaxAssignAll
            self.matchLowQuality = matchLowQuality
            self.anchorScale = anchorScale
            self.ignoreIoFThreshold = ignoreIoFThreshold
        }

        /// RetinaNet: pos 0.5, neg 0.4, min_pos_iou 0, `ignore_iof_thr` -1 (mmdet's default), anchors
        /// of side 4 · stride.
        public static let maxiou = Configuration()

        static let reference = "mmdet 3.3 MaxIoUAssigner"

        public static let options: [AssignerOption<Configuration>] = [
            .float("pos_iou_thr", \.posIoUThreshold, .finite, doc: "largest IoU >= it: positive", reference: reference),
            AssignerOption("neg_iou_thr", .numberOrInterval(.finite),
                           doc: "largest IoU in [0, t) (number t) or [lo, hi) (interval): background", reference: reference,
                           read: { $0.negIoULower == 0 ? .number(Double($0.negIoUThreshold))
                                   : .list([.number(Double($0.negIoULower)), .number(Double($0.negIoUThreshold))]) },
                           write: { cfg, value in
                               if case let .list(l) = value {
                                   cfg.negIoULower = Float(l[0].number ?? 0)
                                   cfg.negIoUThreshold = Float(l[1].number ?? 0)
                               } else {
                                   cfg.negIoULower = 0
                                   cfg.negIoUThreshold = Float(value.number ?? 0)
                               }
                           }),
            .float("min_pos_iou", \.minPosIoU, .finite, doc: "an object's best anchors are positive when their IoU >= it",
                   reference: reference),
            .boolean("gt_max_assign_all", \.gtMaxAssignAll, doc: "every anchor reaching an object's best IoU (false: the first)",
                     reference: reference),
            .boolean("match_low_quality", \.matchLowQuality, doc: "give every object its best anchors (low-quality matches)",
                     reference: reference),
            .float("ignore_iof_thr", \.ignoreIoFThreshold, .finite,
                   doc: "anchors with IoF above it against an ignore box are ignored (<= 0: ignore boxes unused)",
                   reference: reference),
            .float("octave_base_scale", \.anchorScale, .positive, doc: "anchor side in strides",
                   reference: "mmdet 3.3 RetinaNet config AnchorGenerator"),
        ]

        public func validate() throws {
            for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
            guard negIoUThreshold <= posIoUThreshold else {
                throw LabelAssignError.invalidParameter(name: "neg_iou_thr",
                                                        reason: "\(negIoUThreshold) is above pos_iou_thr \(posIoUThreshold)")
            }
        }
    }

    public var configuration: Configuration
    public init(_ configuration: Configuration = .maxiou) {
        self.configuration = configuration
    }

    public var ignorePolicy: IgnorePolicy {
        .beforeAssignment(.anchorIoF(scale: configuration.anchorScale, threshold: configuration.ignoreIoFThreshold))
    }

    /// mmdet `MaxIoUAssigner.assign_wrt_overlaps`, stage by stage:
    /// 1. overlaps (`bbox_overlaps`, ignored anchors at -1): per prior its largest IoU and first
    ///    object, per object its best IoU and the anchors reaching it (`overlaps`);
    /// 2. negatives: largest IoU in `[0, neg_iou_thr)` → background;
    /// 3. positives: largest IoU `>= pos_iou_thr` → its object (2 and 3 in `lak_maxiou_split`);
    /// 4. low-quality matches: every object whose best IoU is `>= min_pos_iou` takes the anchors
    ///    reaching it, all of them with `gt_max_assign_all` (`assignLowQualityMatches`).
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let s = prepared.scene, cfg = configuration
        try cfg.validate()
        let n = s.priorCount
        if s.gtCount == 0 || n == 0 { return .background(priorCount: n) }
        let ignored = s.ignoreCount > 0
            ? IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
            : []
        if s.hasAnchors { return assignExplicitAnchors(s, ignored: ignored) }
        return Workspace.run { workspace in
            let o = overlaps(s, ignored: ignored, workspace: workspace)
            if cfg.negIoULower == 0 {
                lak_maxiou_split(o.maxIoU.baseAddress!, o.assigned.baseAddress!, Int64(n), cfg.negIoUThreshold, cfg.posIoUThreshold)
            } else {
                for i in 0..<n {
                    let v = o.maxIoU[i]
                    let background: Int32 = v >= cfg.negIoULower && v < cfg.negIoUThreshold ? -1 : -2
                    o.assigned[i] = v >= cfg.posIoUThreshold ? o.assigned[i] : background
                }
            }
            if cfg.matchLowQuality { assignLowQualityMatches(o, s, ignored: ignored) }
            return Assignment(assignedGT: Array(o.assigned))
        }
    }

    /// What the overlap stage keeps of the `G × N` IoUs.
    struct Overlaps {
        /// Per prior: the largest IoU over the objects (-1 when ignored) and, until the
        /// thresholds are applied, its first object.
        let maxIoU: UnsafeMutableBufferPointer<Float>
        let assigned: UnsafeMutableBufferPointer<Int32>
        /// Per object: its best IoU over all anchors, and the anchors (increasing) that reach it
        /// when it is positive: `bestAnchors[bestStart[m]..<bestStart[m + 1]]`.
        var gtMax: [Float]
        var bestAnchors: [Int32] = []
        var bestStart: [Int]
        /// The anchors scored prior by prior after the scene's levels (as `Scene.levelRanges`).
        let coveredPriors: Int
    }

    /// Scores every object against the anchors that intersect it (`ObjectScan`), folding the
    /// IoUs into the per-prior maxima and keeping each object's best IoU and its anchors.
    func overlaps(_ s: Scene, ignored: [Bool], workspace: Workspace) -> Overlaps {
        let n = s.priorCount, g = s.gtCount
        let nonIgnored = ignored.isEmpty ? n : ignored.reduce(0) { $0 + ($1 ? 0 : 1) }
        let levels = AnchorLevels(scene: s, scale: configuration.anchorScale, workspace: workspace)
        var o = Overlaps(maxIoU: workspace.buffer(n, Float(0)), assigned: workspace.buffer(n, Int32(0)),
                         gtMax: [Float](repeating: 0, count: g), bestStart: [Int](repeating: 0, count: g + 1),
                         coveredPriors: levels.coveredPriors)
        for i in 0..<ignored.count where ignored[i] { o.maxIoU[i] = -1 }
        s.priors.withUnsafeBufferPointer { priors in
            ignored.withUnsafeBufferPointer { ign in
                var scan = ObjectScan(priorCount: n, levels: levels, priors: priors.baseAddress!, scale: configuration.anchorScale,
                                      ignored: ign.isEmpty ? nil : ign.baseAddress!, maxIoU: o.maxIoU.baseAddress!,
                                      argmax: o.assigned.baseAddress!, workspace: workspace)
                for m in 0..<g {
                    let box = (s.gtBoxes[4 * m], s.gtBoxes[4 * m + 1], s.gtBoxes[4 * m + 2], s.gtBoxes[4 * m + 3])
                    scan.run(object: m, box: box)
                    o.gtMax[m] = scan.objectMax(nonIgnored: nonIgnored)
                    if o.gtMax[m] > 0 { o.bestAnchors.append(contentsOf: scan.tieAnchors) }
                    o.bestStart[m + 1] = o.bestAnchors.count
                }
            }
        }
        return o
    }

    /// For every object in order whose best IoU is `>= minPosIoU`, assigns it the anchors with
    /// exactly that IoU (the first one only without `gtMaxAssignAll`), overwriting earlier decisions.
    func assignLowQualityMatches(_ o: Overlaps, _ s: Scene, ignored: [Bool]) {
        let cfg = configuration
        for m in 0..<s.gtCount where o.gtMax[m] >= cfg.minPosIoU {
            if o.gtMax[m] > 0 {
                // Only intersecting anchors can reach a positive IoU; the scan kept those that do.
                for k in o.bestStart[m]..<o.bestStart[m + 1] {
                    o.assigned[Int(o.bestAnchors[k])] = Int32(m)
                    if !cfg.gtMaxAssignAll { break }
                }
            } else {
                assignNonPositiveMatch(m, target: o.gtMax[m], o, s, ignored: ignored)
            }
        }
    }

    /// Low-quality match of an object whose best IoU `target` is 0 or -1: every anchor's IoU
    /// with it, in prior order, compared with `target`.
    func assignNonPositiveMatch(_ m: Int, target: Float, _ o: Overlaps, _ s: Scene, ignored: [Bool]) {
        let cfg = configuration, assigned = o.assigned, covered = o.coveredPriors
        let box = (s.gtBoxes[4 * m], s.gtBoxes[4 * m + 1], s.gtBoxes[4 * m + 2], s.gtBoxes[4 * m + 3])
        s.priors.withUnsafeBufferPointer { priors in
            for i in 0..<s.priorCount {
                var v: Float = !ignored.isEmpty && ignored[i] ? -1 : 0
                if i < covered && v == 0,
                   let iou = ObjectScan.iouIfIntersecting(box, prior: priors.baseAddress! + 4 * i, scale: cfg.anchorScale) {
                    v = iou
                }
                if v == target {
                    assigned[i] = Int32(m)
                    if !cfg.gtMaxAssignAll { break }
                }
            }
        }
    }
}
