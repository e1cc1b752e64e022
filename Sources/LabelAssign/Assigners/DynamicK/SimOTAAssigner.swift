/// SimOTA (YOLOX) label assignment in three reference flavours (docs/ASSIGNERS.md §2a, §2b, §2c):
///
/// - `.yolox` (`simota`): YOLOX 0.3.0 `get_assignments`: candidates in-box OR in-centre
///   (radius 2.5 strides), cost `BCE(sqrt(σ(cls)·σ(obj))) + 3·(−ln(IoU + 1e-8)) + 1e5·¬(in-box AND in-centre)`.
/// - `.mmdet` (`simota-mmdet`): mmdet 3.3 `SimOTAAssigner`: the same rule on xyxy boxes with mmdet's
///   IoU (union floored at 1e-6), `−ln(IoU + 1e-7)`, INF 1e5.
/// - `.yoloxLatest` (`simota-yolox-latest`): YOLOX main: candidates and finite cost only within
///   1.5 strides of the object centre (no in-box test), penalty 1e6.
///
/// Then dynamic-k matching (`DynamicKMatching`, top-10 IoU sum); equal costs in an object's
/// k-smallest selection are settled as `torch.topk` settles them (`selectionTies`). The class cost is never built
/// over objects × priors × classes: one sum of `BCE(q_c, 0)` per candidate prior, plus per pair the
/// correction `BCE(q_l, 1) − BCE(q_l, 0)` at the object's class. Only candidate priors (in some
/// object's candidate region) enter the cost matrix.
///
/// Outputs: `assigned_gt` (object index, `-1` background) and `matched_iou` (IoU of the assigned
/// pair, 0 for background). Needs `obj_logits`.
///
/// Documented handling: no objects, or no prior in any candidate region → everything background
/// (the YOLOX reference raises in the latter case; mmdet returns background). A zero-area object
/// has no in-box prior; in-centre priors can still make it candidates. A 0/0 IoU (zero-area object
/// and zero-area prediction under the YOLOX convention) counts as 0.
public struct SimOTAAssigner: Assigner {
    /// Which priors form an object's candidate region.
    public enum CandidateRegion: Sendable, Equatable {
        /// In the box or in the centre square; no penalty only when in both (YOLOX 0.3.0, mmdet).
        case boxOrCentre
        /// In the centre square only; no penalty when in it (YOLOX main).
        case centre
    }

    /// Whose float arithmetic the geometry follows.
    public enum Arithmetic: Sendable, Equatable {
        /// YOLOX 0.3.0: boxes as cx,cy,w,h (`cx = (x1+x2)/2`, `w = x2−x1`), YOLOX IoU, prior centre
        /// `shift·s + 0.5·s` with `shift = (cx − 0.5·s)/s`, `s` = the prior's x stride on both axes.
        case yolox030
        /// YOLOX main: as `yolox030` but prior centre `(shift + 0.5)·s`.
        case yoloxMain
        /// mmdet: xyxy boxes, mmdet IoU, prior centre as given, x and y strides separately.
        case mmdet
    }

    /// Every constant of the assigner.
    public struct Configuration: OptionConfigurable, Equatable {
        public var candidateRegion: CandidateRegion
        public var arithmetic: Arithmetic
        /// Half side of the centre square, in strides.
        public var centreRadius: Float
        /// How many of the largest IoUs are summed into the dynamic k.
        public var candidateTopK: Int
        /// Weight of the class cost.
        public var classWeight: Float
        /// Weight of the IoU cost `−ln(IoU + iouEpsilon)`.
        public var iouWeight: Float
        public var iouEpsilon: Float
        /// Cost added to pairs outside the geometry constraint.
        public var penalty: Float
        /// Which candidates an object keeps among equal costs.
        public var selectionTies: DynamicKMatching.SelectionTies

        public init(candidateRegion: CandidateRegion, arithmetic: Arithmetic, centreRadius: Float,
                    candidateTopK: Int = 10, classWeight: Float = 1, iouWeight: Float = 3,
                    iouEpsilon: Float, penalty: Float, selectionTies: DynamicKMatching.SelectionTies = .torchTopK) {
            self.candidateRegion = candidateRegion
            self.arithmetic = arithmetic
            self.centreRadius = centreRadius
            self.candidateTopK = candidateTopK
            self.classWeight = classWeight
            self.iouWeight = iouWeight
            self.iouEpsilon = iouEpsilon
            self.penalty = penalty
            self.selectionTies = selectionTies
        }

        /// YOLOX 0.3.0 (`simota`).
        public static let yolox = Configuration(candidateRegion: .boxOrCentre, arithmetic: .yolox030,
                                                centreRadius: 2.5, iouEpsilon: 1e-8, penalty: 1e5)
        /// mmdet 3.3 `SimOTAAssigner` (`simota-mmdet`).
        public static let mmdet = Configuration(candidateRegion: .boxOrCentre, arithmetic: .mmdet,
                                                centreRadius: 2.5, iouEpsilon: 1e-7, penalty: 1e5)
        /// YOLOX main (`simota-yolox-latest`).
        public static let yoloxLatest = Configuration(candidateRegion: .centre, arithmetic: .yoloxMain,
                                                      centreRadius: 1.5, iouEpsilon: 1e-8, penalty: 1e6)

        static let reference = "mmdet 3.3 SimOTAAssigner; YOLOX 0.3.0 / main get_assignments"

        public static let options: [AssignerOption<Configuration>] = [
            .float("center_radius", \.centreRadius, .nonNegative, doc: "half side of the centre square, in strides",
                   reference: reference),
            .integer("candidate_topk", \.candidateTopK, .atLeast(1), doc: "largest IoUs summed into the dynamic k",
                     reference: reference),
            .float("iou_weight", \.iouWeight, .nonNegative, doc: "weight of the IoU cost -ln(IoU + eps)", reference: reference),
            .float("cls_weight", \.classWeight, .nonNegative, doc: "weight of the class cost", reference: reference),
            .float("eps", \.iouEpsilon, .positive, doc: "eps of -ln(IoU + eps) (mmdet EPS 1e-7, YOLOX 1e-8)", reference: reference),
            .float("inf", \.penalty, .nonNegative,
                   doc: "cost added outside the geometry constraint (mmdet INF 1e5, YOLOX 0.3.0 1e5, YOLOX main 1e6)",
                   reference: reference),
            .choice("candidate_region", \.candidateRegion, [("box_or_center", .boxOrCentre), ("center", .centre)],
                    doc: "candidates in the box or the centre square (finite cost in both), or in the centre square only",
                    reference: reference),
            .choice("arithmetic", \.arithmetic, [("yolox", .yolox030), ("yolox_main", .yoloxMain), ("mmdet", .mmdet)],
                    doc: "whose box and prior-centre float arithmetic the geometry follows", reference: reference),
            .choice("selection_ties", \.selectionTies, [("torch_topk", .torchTopK), ("lower_index", .lowerIndex)],
                    doc: "which candidates the k-smallest selection keeps among equal costs", reference: "PyTorch CPU topk"),
        ]

        /// Throws `invalidParameter` for a constant outside its domain.
        public func validate() throws {
            for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
        }
    }

    public let configuration: Configuration

    /// An assigner with `configuration`.
    public init(_ configuration: Configuration = .yolox) {
        self.configuration = configuration
    }

    /// Background priors whose point lies inside a `gt_ignore` box come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// Assigns the priors of `scene` as YOLOX `get_assignments` / mmdet `SimOTAAssigner.assign`
    /// do: candidates (`get_in_boxes_info`), cost, `dynamic_k_matching` (`DynamicKDriver`), with
    /// SimOTA's prior centres, geometry, class terms and cost rows (`SimOTAAssigner.CostModel`).
    /// Throws `missingField("obj_logits")` without objectness, `invalidParameter` for a bad
    /// configuration and `invalidValue` for a candidate whose class cost is not finite.
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        try configuration.validate()
        if prepared.priorCount == 0 { return Assignment(assignedGT: [], matchedIoU: []) }
        guard let objectness = prepared.scene.objLogits else { throw LabelAssignError.missingField("obj_logits") }
        return try DynamicKDriver(CostModel(configuration, objectness: objectness)).assign(prepared)
    }
}
