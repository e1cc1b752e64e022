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
