// Training targets built from an assignment: what each positive learns.
//
// Every builder takes `Assignment.assignedGT` (per prior: object index, −1 background,
// −2 ignored) and the scene it was made on. Priors that are not positive get target 0;
// ignored priors also get label weight 0 (`TrainingLabels.weights`).

import _LabelAssignKernels

/// Per-prior class labels in the mmdet convention: the object's class for positives,
/// `numClasses` for background and ignored priors, with weight 0 for ignored priors.
public struct TrainingLabels: Sendable, Equatable {
    /// Per prior: class id in `[0, C)` for positives, `C` otherwise.
    public var labels: [Int32]
    /// Per prior: 1, or 0 for an ignored prior (mmdet `label_weights`).
    public var weights: [Float]
    /// Number of positive priors.
    public var positiveCount: Int
    /// `max(positiveCount, 1)`: the `avg_factor` that keeps a loss finite without positives.
    public var normaliser: Float { Float(max(positiveCount, 1)) }
}

/// Builders of soft and hard training targets from an assignment (see each function's reference).
public enum TrainingTargets {

    /// Checks that `assignedGT` fits the scene (one entry per prior, values in `[-2, G)`), the labels
    /// are classes, and the boxes are finite (the overlap kernels do not propagate NaN).
    package static func check(_ assignedGT: [Int32], _ scene: Scene) throws {
        guard assignedGT.count == scene.priorCount else {
            throw LabelAssignError.shapeMismatch(field: "assigned_gt", expected: scene.priorCount, actual: assignedGT.count)
        }
        let g = scene.gtCount
        for (i, a) in assignedGT.enumerated() where a < -2 || Int(a) >= g {
            throw LabelAssignError.invalidValue(field: "assigned_gt", index: i, reason: "\(a) is not an object index in [0, \(g)), -1 or -2")
        }
        try scene.checkGTLabels()
        try scene.checkPredBoxCount()
        try scene.checkClassLogitCount()
        guard scene.gtBoxes.count == 4 * g else { throw LabelAssignError.invalidValue(field: "gt_bboxes", index: nil, reason: "rows must have 4 values") }
        try Losses.requireFinite(scene.predBoxes, field: "pred_bboxes", width: 4)
        try Losses.requireFinite(scene.gtBoxes, field: "gt_bboxes", width: 4)
    }

    /// Class labels and label weights of every prior (mmdet `labels`, `label_weights`).
    public static func labels(_ assignment: Assignment, scene: Scene) throws -> TrainingLabels {
        try check(assignment.assignedGT, scene)
        let c = Int32(scene.numClasses)
        var labels = [Int32](repeating: c, count: scene.priorCount)
        var weights = [Float](repeating: 1, count: scene.priorCount)
        var positives = 0
        for (i, a) in assignment.assignedGT.enumerated() {
            if a >= 0 { labels[i] = scene.gtLabels[Int(a)]; positives += 1 } else if a == -2 { weights[i] = 0 }
        }
        return TrainingLabels(labels: labels, weights: weights, positiveCount: positives)
    }

    /// One-hot class targets, row-major `N × C`: 1 at (positive prior, its object's class), 0 elsewhere
    /// (YOLOv5 `t[range(n), tcls] = cp`, ultralytics `one_hot`, with no label smoothing).
    public static func oneHot(_ assignment: Assignment, scene: Scene) throws -> [Float] {
        try check(assignment.assignedGT, scene)
        let c = scene.numClasses
        var out = [Float](repeating: 0, count: scene.priorCount * c)
        for (i, a) in assignment.assignedGT.enumerated() where a >= 0 { out[i * c + Int(scene.gtLabels[Int(a)])] = 1 }
        return out
    }

    /// The overlap of every positive prior's predicted box with its object (`overlap(pred_i, gt_{a_i})`),
    /// 0 for other priors. `objectFirst` puts the object box first (ultralytics TAL computes
    /// `bbox_iou(gt, pred)`).
    package static func positiveOverlaps(_ assignedGT: [Int32], scene: Scene, kind: OverlapKind, convention: OverlapConvention,
                                 objectFirst: Bool = false) -> [Float] {
        var priors: [Int32] = [], objects: [Int32] = []
        for (i, a) in assignedGT.enumerated() where a >= 0 { priors.append(Int32(i)); objects.append(a) }
        let values = scene.predBoxes.withUnsafeBufferPointer { pred in
            scene.gtBoxes.withUnsafeBufferPointer { gt in
                objectFirst ? gatheredOverlap(gt, objects, pred, priors, kind: kind, convention: convention)
                            : gatheredOverlap(pred, priors, gt, objects, kind: kind, convention: convention)
            }
        }
        var out = [Float](repeating: 0, count: assignedGT.count)
        for (k, i) in priors.enumerated() { out[Int(i)] = values[k] }
        return out
    }

    /// IoU-quality targets per prior (GFL `score`, VFNet `iou_targets`): the aligned IoU of the
    /// positive prior's decoded prediction with its object (mmdet `bbox_overlaps(is_aligned=True)`,
    /// eps 1e-6, by default), detached; 0 for other priors. `minimum` clamps the positives from
    /// below: `nil` for GFL (a positive may learn 0), `1e-6` for VFNet (`clamp(min=1e-6)`).
    /// GFL measures both boxes in stride units; IoU is scale invariant, so only the 1e-6 floor of
    /// the union differs, and only for boxes under a pixel.
    public static func iouQuality(_ assignment: Assignment, scene: Scene, minimum: Float? = nil,
                                  convention: OverlapConvention = .mmdet) throws -> [Float] {
        try check(assignment.assignedGT, scene)
        guard convention.supports(.iou) else { throw LabelAssignError.invalidParameter(name: "convention", reason: "no IoU under \(convention)") }
        var q = positiveOverlaps(assignment.assignedGT, scene: scene, kind: .iou, convention: convention)
        for (i, a) in assignment.assignedGT.enumerated() where a >= 0 {
            if q[i].isNaN { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: i, reason: "IoU with object \(a) is 0/0") }
            if let m = minimum { q[i] = max(q[i], m) }
        }
        return q
    }

    /// GFL quality targets: `iouQuality` without a floor.
    public static func gflQuality(_ assignment: Assignment, scene: Scene) throws -> [Float] {
        try iouQuality(assignment, scene: scene)
    }

    /// VFNet IoU targets: `iouQuality` clamped at 1e-6 on positives.
    public static func vflQuality(_ assignment: Assignment, scene: Scene) throws -> [Float] {
        try iouQuality(assignment, scene: scene, minimum: 1e-6)
    }

    /// Spreads a per-prior target over the classes: `N × C` with `target[i]` at (positive i, its class)
    /// (the dense VFL target `q`, or ultralytics `target_scores`).
    public static func classTargets(_ assignment: Assignment, scene: Scene, values: [Float]) throws -> [Float] {
        try check(assignment.assignedGT, scene)
        guard values.count == scene.priorCount else { throw LabelAssignError.shapeMismatch(field: "values", expected: scene.priorCount, actual: values.count) }
        let c = scene.numClasses
        var out = [Float](repeating: 0, count: scene.priorCount * c)
        for (i, a) in assignment.assignedGT.enumerated() where a >= 0 { out[i * c + Int(scene.gtLabels[Int(a)])] = values[i] }
        return out
    }
}

// MARK: - Task-aligned targets

/// TOOD / ultralytics TAL soft class targets: the alignment metric `T = s^α · o^β` of each positive
/// (s the predicted probability of the object's class, o the overlap of prediction and object),
/// normalised per object over its positives P_g:
/// `t_n = T_n / (max_{P_g} T + eps) · max_{P_g} o` (docs/ASSIGNERS.md §4a step 6, §4b step 9).
public struct TaskAlignedTargets: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Exponent of the class score.
        public var alpha: Float
        /// Exponent of the overlap.
        public var beta: Float
        /// Overlap between prediction and object.
        public var overlap: OverlapKind
        public var convention: OverlapConvention
        /// Clamp the overlap at 0 (ultralytics clamps its CIoU).
        public var clampOverlapAtZero: Bool
        /// Added to the largest metric of an object.
        public var eps: Float
        /// `(T · max o) / (max T + eps)` (ultralytics) instead of `T / (max T + eps) · max o` (TOOD).
        public var multiplyFirst: Bool

        public init(alpha: Float, beta: Float, overlap: OverlapKind, convention: OverlapConvention,
                    clampOverlapAtZero: Bool, eps: Float, multiplyFirst: Bool) {
            self.alpha = alpha; self.beta = beta; self.overlap = overlap; self.convention = convention
            self.clampOverlapAtZero = clampOverlapAtZero; self.eps = eps; self.multiplyFirst = multiplyFirst
        }

        /// mmdet TOOD: α 1, β 6, plain IoU (eps 1e-6), `T / (max T + 1e-7) · max IoU` (`10e-8` in tood_head).
        public static let tood = Configuration(alpha: 1, beta: 6, overlap: .iou, convention: .mmdet,
                                               clampOverlapAtZero: false, eps: 1e-7, multiplyFirst: false)
        /// ultralytics 8.4 as `v8DetectionLoss` trains it: α 0.5, β 6, CIoU(gt, pred) clamped ≥ 0
        /// (8.4 `bbox_iou`, the CIoU of `TaskAlignedAssigner(.tal)`), `(T · max o) / (max T + 1e-9)`.
        public static let ultralytics = Configuration(alpha: 0.5, beta: 6, overlap: .ciou, convention: .ultralytics,
                                                      clampOverlapAtZero: true, eps: 1e-9, multiplyFirst: true)

        func validate() throws {
            guard alpha.isFinite, alpha >= 0 else { throw LabelAssignError.invalidParameter(name: "alpha", reason: "must be >= 0, got \(alpha)") }
            guard beta.isFinite, beta >= 0 else { throw LabelAssignError.invalidParameter(name: "beta", reason: "must be >= 0, got \(beta)") }
            guard eps.isFinite, eps > 0 else { throw LabelAssignError.invalidParameter(name: "eps", reason: "must be > 0, got \(eps)") }
            guard convention.supports(overlap) else { throw LabelAssignError.invalidParameter(name: "overlap", reason: "\(overlap) is not defined under \(convention)") }
        }
    }

    /// Per-prior outputs (0 for priors that are not positive).
    public struct Result: Sendable, Equatable {
        /// Alignment metric `T` of each positive with its object.
        public var metrics: [Float]
        /// Overlap `o` of each positive with its object.
        public var overlaps: [Float]
        /// Normalised target `t` (the class-score target at the object's class).
        public var targets: [Float]
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = .tood) { self.configuration = configuration }

    /// Metrics, overlaps and normalised targets for an assignment. The class score is
    /// σ(class logit) (what the fixtures' references were fed; TOOD proper feeds
    /// √(σ(cls)·σ(prob)), which a caller can pass through `normalise`).
    public func callAsFunction(_ assignment: Assignment, scene: Scene) throws -> Result {
        try configuration.validate()
        try TrainingTargets.check(assignment.assignedGT, scene)
        let cfg = configuration
        var overlaps = TrainingTargets.positiveOverlaps(assignment.assignedGT, scene: scene, kind: cfg.overlap,
                                                        convention: cfg.convention, objectFirst: cfg.convention == .ultralytics)
        var metrics = [Float](repeating: 0, count: scene.priorCount)
        let c = scene.numClasses
        for (i, a) in assignment.assignedGT.enumerated() where a >= 0 {
            guard !overlaps[i].isNaN else { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: i, reason: "overlap with object \(a) is 0/0") }
            if cfg.clampOverlapAtZero { overlaps[i] = max(overlaps[i], 0) }
            let logit = scene.clsLogits[i * c + Int(scene.gtLabels[Int(a)])]
            guard logit.isFinite else { throw LabelAssignError.invalidValue(field: "cls_logits", index: i, reason: "\(logit) is not finite") }
            let s = torchSigmoid(logit)
            metrics[i] = torchPow(s, Double(cfg.alpha)) * torchPow(overlaps[i], Double(cfg.beta))
        }
        let targets = try Self.normalise(assignedGT: assignment.assignedGT, metrics: metrics, overlaps: overlaps,
                                         gtCount: scene.gtCount, eps: cfg.eps, multiplyFirst: cfg.multiplyFirst)
        return Result(metrics: metrics, overlaps: overlaps, targets: targets)
    }

    /// The per-object normalisation alone, for metrics and overlaps computed elsewhere:
    /// `t_n = T_n / (max_{P_g} T + eps) · max_{P_g} o` for every positive n of object g
    /// (or `(T_n · max o) / (max T + eps)` with `multiplyFirst`); 0 elsewhere. An object
    /// without positives contributes nothing; no division by zero can occur (eps > 0).
    public static func normalise(assignedGT: [Int32], metrics: [Float], overlaps: [Float], gtCount: Int,
                                 eps: Float = 1e-7, multiplyFirst: Bool = false) throws -> [Float] {
        let n = assignedGT.count
        guard metrics.count == n else { throw LabelAssignError.shapeMismatch(field: "metrics", expected: n, actual: metrics.count) }
        guard overlaps.count == n else { throw LabelAssignError.shapeMismatch(field: "overlaps", expected: n, actual: overlaps.count) }
        guard eps.isFinite, eps > 0 else { throw LabelAssignError.invalidParameter(name: "eps", reason: "must be > 0, got \(eps)") }
        for i in 0..<n where assignedGT[i] >= 0 {
            let g = Int(assignedGT[i])
            guard g < gtCount else { throw LabelAssignError.invalidValue(field: "assigned_gt", index: i, reason: "\(g) >= object count \(gtCount)") }
            guard metrics[i].isFinite, metrics[i] >= 0 else { throw LabelAssignError.invalidValue(field: "metrics", index: i, reason: "\(metrics[i]) must be finite and >= 0") }
            guard overlaps[i].isFinite else { throw LabelAssignError.invalidValue(field: "overlaps", index: i, reason: "\(overlaps[i]) is not finite") }
        }
        return normalised(assignedGT: assignedGT, metrics: metrics, overlaps: overlaps, gtCount: gtCount,
                          eps: eps, multiplyFirst: multiplyFirst)
    }

    /// `normalise` on checked inputs (objects in `[0, gtCount)`, metrics finite and >= 0, overlaps
    /// finite): the one definition of the task-aligned normalisation, also run by
    /// `TaskAlignedAssigner` for its `target_scores`. Per object g, the maxima over its positives
    /// `max T` and `max o` (from 0), then for each positive n either
    /// `(T_n · max o) / (max T + eps)` (`multiplyFirst`, ultralytics 8.4 `get_targets`:
    /// `align_metric * pos_overlaps / (pos_align_metrics + eps)`) or
    /// `T_n / (max T + eps) · max o` (mmdet TOOD); 0 for the other priors. `positives`, when
    /// given, lists exactly the priors with `assignedGT >= 0` (in any order), so that only they
    /// are visited.
    package static func normalised(assignedGT: [Int32], metrics: [Float], overlaps: [Float], gtCount: Int,
                                   eps: Float, multiplyFirst: Bool, positives: [Int32]? = nil) -> [Float] {
        let n = assignedGT.count
        let listed = positives ?? (0..<n).compactMap { assignedGT[$0] >= 0 ? Int32($0) : nil }
        var maxMetric = [Float](repeating: 0, count: gtCount), maxOverlap = [Float](repeating: 0, count: gtCount)
        for p in listed {
            let i = Int(p), g = Int(assignedGT[i])
            maxMetric[g] = max(maxMetric[g], metrics[i])
            maxOverlap[g] = max(maxOverlap[g], overlaps[i])
        }
        var out = [Float](repeating: 0, count: n)
        for p in listed {
            let i = Int(p), g = Int(assignedGT[i])
            out[i] = multiplyFirst ? metrics[i] * maxOverlap[g] / (maxMetric[g] + eps)
                                   : metrics[i] / (maxMetric[g] + eps) * maxOverlap[g]
        }
        return out
    }
}

// MARK: - YOLOv5 objectness

/// YOLOv5 `ComputeLoss` objectness: each positive learns its detached CIoU clamped at 0,
/// blended `(1 − gr) + gr·iou` when `gr < 1`; the loss is the mean BCE with logits over every
/// prior of a level, weighted by the level's balance and summed (docs/ASSIGNERS.md §1).
public struct YOLOv5Objectness: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// IoU ratio of the target (`model.gr`, 1.0 by default: the target is the clamped CIoU).
        public var gr: Float
        /// Per-level loss weights; `nil` takes YOLOv5's default for the scene's level count.
        public var balance: [Float]?
        /// BCE `pos_weight` (`obj_pw`, 1.0).
        public var posWeight: Float

        public init(gr: Float = 1, balance: [Float]? = nil, posWeight: Float = 1) {
            self.gr = gr; self.balance = balance; self.posWeight = posWeight
        }
    }

    /// Per-level and total objectness loss.
    public struct Loss: Sendable, Equatable {
        /// Mean BCE with logits over every prior of each level.
        public var levelMeans: [Float]
        /// The balance weights used.
        public var balance: [Float]
        /// `Σ_l balance[l] · levelMeans[l]` (YOLOv5 `lobj` before the `hyp['obj']` gain).
        public var total: Float
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// YOLOv5's objectness balance (`ComputeLoss`, ultralytics/yolov5 7.0 `utils/loss.py`): `[4, 1, 0.4]`
    /// for 3 levels, else the first `levels` of `[4, 1, 0.25, 0.06, 0.02]`. Fewer than 1 or more than 5
    /// levels have no default (YOLOv5 would index past its list): an error.
    public static func defaultBalance(levels: Int) throws -> [Float] {
        if levels == 3 { return [4, 1, 0.4] }
        let five: [Float] = [4, 1, 0.25, 0.06, 0.02]
        guard levels >= 1, levels <= five.count else {
            throw LabelAssignError.invalidParameter(name: "balance", reason: "no default for \(levels) levels; give one weight per level")
        }
        return Array(five.prefix(levels))
    }

    /// Objectness target per prior: `max(CIoU(pred_i, gt), 0)` for positives (yolov5 7.0
    /// `bbox_iou` on the scene's xyxy pixel boxes, `OverlapConvention.yolov5`; YOLOv5 itself works
    /// on xywh grid units, which changes only the rounding of the corners and the unit the 1e-7
    /// eps is added in), blended with gr; 0 for background and ignored priors.
    public func targets(_ assignment: Assignment, scene: Scene) throws -> [Float] {
        let gr = configuration.gr
        try Self.checkGR(gr)
        try TrainingTargets.check(assignment.assignedGT, scene)
        var t = TrainingTargets.positiveOverlaps(assignment.assignedGT, scene: scene, kind: .ciou, convention: .yolov5)
        for (i, a) in assignment.assignedGT.enumerated() where a >= 0 {
            guard !t[i].isNaN else { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: i, reason: "CIoU with object \(a) is not a number") }
            t[i] = Self.blend(ciou: t[i], gr: gr)
        }
        return t
    }

    /// Objectness target of one positive entry (YOLOv5 `ComputeLoss.__call__`): the (detached) CIoU
    /// clamped at 0, blended as `(1 - gr) + gr · iou` when `gr < 1` (default `gr` = 1: the clamped
    /// CIoU itself). Throws on a NaN / infinite CIoU or `gr` outside [0, 1].
    public static func target(ciou: Float, gr: Float = 1) throws -> Float {
        guard ciou.isFinite else { throw LabelAssignError.invalidValue(field: "ciou", index: nil, reason: "\(ciou) is not finite") }
        try checkGR(gr)
        return blend(ciou: ciou, gr: gr)
    }

    static func checkGR(_ gr: Float) throws {
        guard gr.isFinite, gr >= 0, gr <= 1 else { throw LabelAssignError.invalidParameter(name: "gr", reason: "must be in [0, 1], got \(gr)") }
    }

    static func blend(ciou: Float, gr: Float) -> Float {
        let iou = max(ciou, 0)
        return gr < 1 ? (1 - gr) + gr * iou : iou
    }

    /// Element-wise CIoU of `xywh` boxes (stride 4, centre format): yolov5 7.0
    /// `bbox_iou(box1, box2, CIoU=True)` in its xywh form (`lak_ciou_yolov5_xywh`: eps 1e-7, no eps
    /// on w or h, α = v / (v − iou + (1 + eps))). Heights must be positive and widths non-negative.
    public static func ciou(_ boxes1: [Float], _ boxes2: [Float]) throws -> [Float] {
        guard boxes1.count % 4 == 0 else { throw LabelAssignError.invalidValue(field: "boxes1", index: nil, reason: "rows must have 4 values") }
        guard boxes1.count == boxes2.count else {
            throw LabelAssignError.shapeMismatch(field: "boxes2", expected: boxes1.count / 4, actual: boxes2.count / 4)
        }
        for (field, b) in [("boxes1", boxes1), ("boxes2", boxes2)] {
            for i in 0..<(b.count / 4) {
                let row = [b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]
                guard row.allSatisfy(\.isFinite), b[4 * i + 2] >= 0, b[4 * i + 3] > 0 else {
                    throw LabelAssignError.invalidValue(field: field, index: i, reason: "needs finite values, w >= 0 and h > 0")
                }
            }
        }
        return boxes1.withUnsafeBufferPointer { p in
            boxes2.withUnsafeBufferPointer { q in
                (0..<(p.count / 4)).map { i in lak_ciou_yolov5_xywh(p.baseAddress! + 4 * i, q.baseAddress! + 4 * i) }
            }
        }
    }

    /// The balanced objectness loss of one image: per level, the mean of
    /// `BCEWithLogits(obj_logit, target)` over that level's priors, times `balance[level]`, summed.
    public func loss(objLogits: [Float], targets: [Float], levelRanges: [Range<Int>]) throws -> Loss {
        guard targets.count == objLogits.count else { throw LabelAssignError.shapeMismatch(field: "targets", expected: objLogits.count, actual: targets.count) }
        let balance = try configuration.balance ?? Self.defaultBalance(levels: levelRanges.count)
        guard balance.count == levelRanges.count else {
            throw LabelAssignError.invalidParameter(name: "balance", reason: "\(balance.count) weights for \(levelRanges.count) levels")
        }
        for (l, w) in balance.enumerated() where !(w.isFinite && w >= 0) {
            throw LabelAssignError.invalidParameter(name: "balance[\(l)]", reason: "must be finite and >= 0, got \(w)")
        }
        for r in levelRanges where r.lowerBound < 0 || r.upperBound > objLogits.count {
            throw LabelAssignError.invalidParameter(name: "levelRanges", reason: "\(r) outside 0..<\(objLogits.count)")
        }
        let bce = try Losses.bceWithLogits(logits: objLogits, targets: targets, posWeight: configuration.posWeight)
        let means = levelRanges.map { Losses.mean(Array(bce[$0])) }
        return Loss(levelMeans: means, balance: balance, total: try LevelBalance.balanced(means, weights: balance))
    }

    /// Targets and loss for a scene with `obj_logits`.
    public func loss(_ assignment: Assignment, scene: Scene) throws -> Loss {
        guard let obj = scene.objLogits else { throw LabelAssignError.missingField("obj_logits") }
        return try loss(objLogits: obj, targets: targets(assignment, scene: scene), levelRanges: scene.levelRanges)
    }
}
