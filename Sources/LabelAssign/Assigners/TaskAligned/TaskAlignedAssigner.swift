import _LabelAssignKernels

/// Task-aligned assignment (TOOD): alignment metric `T = score^α · overlap^β` between every
/// object and prior, the top-k priors by `T` per object, restricted to priors whose centre lies
/// inside the object, conflicts resolved by overlap. Two references, chosen by `variant`:
///
/// - `.ultralytics` (preset `tal`): ultralytics 8.4.190 `TaskAlignedAssigner` as
///   `v8DetectionLoss` calls it (docs/ASSIGNERS.md §4b). Scores `sigmoid(cls)`, overlap = CIoU
///   (ultralytics 8.4 `bbox_iou`, xyxy, `h + eps`: `lak_ciou_ultralytics8`) clamped at 0, prior
///   points `(cx, cy)` (a scene's `anchors` are not read). Object sides below `stride_val` are enlarged to it about the centre for
///   the in-object test only.
///   The top-k runs over all priors, so a zero-metric prior inside the object that the top-k
///   picks is positive; a prior claimed by several objects goes to the argmax of the overlap over
///   all objects (row 0 when all are 0); `topk2` keeps only the `topk2` best per object afterwards.
///   Output `target_scores`: `T · maxOverlap / (maxT + eps)` of the assigned pair, per object over
///   its positives; 0 for background.
/// - `.mmdet` (preset `tood`): mmdet 3.3 `TaskAlignedAssigner` (§4a) fed `sigmoid(cls)` and
///   the scene's `anchors`, else square anchors of side `anchorScale · stride`. Overlap = plain IoU (mmdet, pred vs object),
///   positives need `T > 0` and the anchor centre inside the object by more than `inBoxMargin`;
///   conflicts go to the largest IoU among the positive objects. Output `assign_metrics`: `T` of
///   the assigned pair, 0 elsewhere.
///
/// Stages, named as in the references: `TaskAlignedAssigner+Ultralytics.swift` (`tal.py`) and
/// `TaskAlignedAssigner+MMDet.swift` (`task_aligned_assigner.py`).
///
/// Work is restricted to pairs that can be non-zero: ultralytics computes overlaps only for
/// priors inside the (enlarged) object, mmdet only for predictions that intersect the object.
/// The top-k selection reproduces PyTorch's CPU tie order (`TorchTopK`): ultralytics at every
/// size (heap selection where `64·topk <= N`, introselect below); mmdet where it runs the heap
/// selection, the lower index winning among equal metrics on smaller scenes.
///
/// Ignore regions (`gt_ignore`): neither reference uses them; after assignment, background
/// priors marked by `ignoreRule` become `-2` and positives are left unchanged.
public struct TaskAlignedAssigner: Assigner {
    public struct Configuration: OptionConfigurable, Equatable {
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
        /// `cls_logits` hold probabilities, used as they are (no sigmoid): `TaskAlignedAssigner+Scores.swift`.
        public var scoresAreProbabilities = false

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

        /// ultralytics 8.4.190 as `v8DetectionLoss` builds it for training: topk 10, α 0.5, β 6, margin
        /// 1e-9, eps 1e-9 (the class defaults are topk 13, α 1: options `topk`, `alpha`).
        public static let tal = Configuration(variant: .ultralytics, topk: 10, alpha: 0.5, beta: 6,
                                              inBoxMargin: 1e-9, normalizationEps: 1e-9, ignoreRule: .pointInside)
        /// mmdet 3.3 TOOD: topk 13, α 1, β 6, margin 0.01, anchors of side 8 · stride.
        public static let tood = Configuration(variant: .mmdet, topk: 13, alpha: 1, beta: 6,
                                               inBoxMargin: 0.01, anchorScale: 8,
                                               ignoreRule: .anchorIoF(scale: 8, threshold: 0.5))

        static let reference = "ultralytics 8.4.190 TaskAlignedAssigner; mmdet 3.3 TaskAlignedAssigner"

        public static let options: [AssignerOption<Configuration>] = [
            .integer("topk", \.topk, .atLeast(1), doc: "candidates per object by alignment metric", reference: reference),
            .double("alpha", \.alpha, .nonNegative, doc: "exponent of the class score", reference: reference + " (mmdet: assign())"),
            .double("beta", \.beta, .nonNegative, doc: "exponent of the overlap (> 0 for mmdet)", reference: reference + " (mmdet: assign())"),
            .optionalInteger("topk2", \.topk2, .atLeast(1), doc: "ultralytics: keep the topk2 best per object after conflicts (null: all)",
                             reference: "ultralytics 8.4.190 TaskAlignedAssigner"),
            .float("eps", \.normalizationEps, .positive, doc: "ultralytics: eps of the target normalisation",
                   reference: "ultralytics 8.4.190 TaskAlignedAssigner"),
            .float("in_gt_margin", \.inBoxMargin, .finite,
                   doc: "prior inside an object by more than this (ultralytics select_candidates_in_gts eps; mmdet literal 0.01)",
                   reference: reference),
            .optionalFloat("stride_val", \.minCandidateSide, .nonNegative,
                           doc: "ultralytics: object sides below it are enlarged to it for the in-object test (null: strides[1]; 0: off)",
                           reference: "ultralytics 8.4.190 TaskAlignedAssigner"),
            AssignerOption("octave_base_scale", .number(.positive), doc: "anchor side in strides of the ignore rule (mmdet reads only the anchor centres)",
                           reference: "mmdet 3.3 TOOD config AnchorGenerator",
                           read: { .number(Double($0.anchorScale)) },
                           write: { cfg, v in
                               cfg.anchorScale = Float(v.number ?? 0)
                               if case let .anchorIoF(_, t) = cfg.ignoreRule { cfg.ignoreRule = .anchorIoF(scale: cfg.anchorScale, threshold: t) }
                           }),
            AssignerOption("ignore_iof_thr", .optionalNumber(.finite),
                           doc: "after assignment, background priors become -2 when their anchor's IoF with an ignore box is above it (null: when their point lies inside one)",
                           reference: "LabelAssign (neither reference reads ignore boxes)",
                           read: { if case let .anchorIoF(_, t) = $0.ignoreRule { return .number(Double(t)) }; return .null },
                           write: { cfg, v in
                               cfg.ignoreRule = v.number.map { .anchorIoF(scale: cfg.anchorScale, threshold: Float($0)) } ?? .pointInside
                           }),
            .choice("variant", \.variant, [("ultralytics", .ultralytics), ("mmdet", .mmdet)],
                    doc: "which reference's stages (CIoU and point priors, or IoU and anchor centres)", reference: reference),
            .boolean("scores_are_probabilities", \.scoresAreProbabilities,
                     doc: "cls_logits hold class probabilities in [0, 1], used without the sigmoid (what both references receive)",
                     reference: reference),
        ]

        /// Throws `invalidParameter` for a constant outside its domain.
        public func validate() throws {
            for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
            guard variant == .ultralytics || beta > 0 else {
                throw LabelAssignError.invalidParameter(name: "beta", reason: "must be > 0 for the mmdet variant, got \(beta)")
            }
            if case let .anchorIoF(scale, _) = ignoreRule, !(scale.isFinite && scale > 0) {
                throw LabelAssignError.invalidParameter(name: "octave_base_scale", reason: "the ignore rule's anchor scale must be > 0, got \(scale)")
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
        try checkClassScores(prepared.scene)
        if prepared.priorCount == 0 {
            let quality = QualityTarget(configuration.variant == .ultralytics ? .targetScores : .assignMetrics, [])
            return Assignment(assignedGT: [], quality: quality)
        }
        switch configuration.variant {
        case .ultralytics: return try assignUltralytics(prepared)
        case .mmdet: return assignMMDet(prepared)
        }
    }

    /// Position of `value` in the increasing slice `list[lo..<hi]`.
    @inline(__always) static func find<List: RandomAccessCollection>(_ value: Int32, in list: List, _ lo: Int, _ hi: Int) -> Int?
        where List.Element == Int32, List.Index == Int {
        var l = lo, h = hi
        while l < h {
            let mid = (l + h) >> 1
            if list[mid] < value { l = mid + 1 } else { h = mid }
        }
        return l < hi && list[l] == value ? l : nil
    }
}
