/// RTMDet's dynamic soft-label assignment: mmdet 3.3 `DynamicSoftLabelAssigner`
/// (docs/ASSIGNERS.md §7), preset `dsl`.
///
/// Candidates are the priors strictly inside at least one object box. For every candidate and
/// object: IoU `P` (mmdet `bbox_overlaps`), cost
/// `Σ_c BCEWithLogits(x_c, soft_c)·|soft_c − σ(x_c)|² + 3·(−ln(P + 1e-7)) + 10^(d/stride − 3)`,
/// where `soft` is `P` at the object's class and 0 elsewhere and `d` the distance from the prior
/// point to the object centre. There is no hard in-box penalty per object. Then dynamic-k matching
/// with the top 13 IoUs (`DynamicKMatching`); equal costs in an object's k-smallest selection are
/// settled as `torch.topk` settles them (`selectionTies`).
///
/// The class cost is one per-prior sum of the zero-target terms plus, per pair, the correction at
/// the object's class; only candidate priors enter the cost matrix.
///
/// Outputs: `assigned_gt` (`-1` background) and `matched_iou` (IoU of the assigned pair, 0 for
/// background). Documented handling: no objects, or no prior inside any object box (for example
/// only zero-area objects) → everything background.
public struct DynamicSoftLabelAssigner: Assigner {
    /// Every constant of the assigner.
    public struct Configuration: OptionConfigurable, Equatable {
        /// The soft centre prior is `10^(distance in strides − softCentreRadius)`.
        public var softCentreRadius: Float
        /// How many of the largest IoUs are summed into the dynamic k.
        public var candidateTopK: Int
        /// Weight of the IoU cost `−ln(IoU + iouEpsilon)`.
        public var iouWeight: Float
        public var iouEpsilon: Float
        /// Which candidates an object keeps among equal costs.
        public var selectionTies: DynamicKMatching.SelectionTies

        public init(softCentreRadius: Float = 3, candidateTopK: Int = 13, iouWeight: Float = 3, iouEpsilon: Float = 1e-7,
                    selectionTies: DynamicKMatching.SelectionTies = .torchTopK) {
            self.softCentreRadius = softCentreRadius
            self.candidateTopK = candidateTopK
            self.iouWeight = iouWeight
            self.iouEpsilon = iouEpsilon
            self.selectionTies = selectionTies
        }

        /// RTMDet (mmdet 3.3 defaults).
        public static let rtmdet = Configuration()

        static let reference = "mmdet 3.3 DynamicSoftLabelAssigner"

        public static let options: [AssignerOption<Configuration>] = [
            .float("soft_center_radius", \.softCentreRadius, .finite, doc: "soft centre prior 10^(distance in strides - radius)",
                   reference: reference),
            .integer("topk", \.candidateTopK, .atLeast(1), doc: "largest IoUs summed into the dynamic k", reference: reference),
            .float("iou_weight", \.iouWeight, .nonNegative, doc: "weight of the IoU cost -ln(IoU + eps)", reference: reference),
            .float("eps", \.iouEpsilon, .positive, doc: "eps of -ln(IoU + eps)", reference: "mmdet 3.3 dynamic_soft_label_assigner EPS"),
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
    public init(_ configuration: Configuration = .rtmdet) {
        self.configuration = configuration
    }

    /// Background priors whose point lies inside a `gt_ignore` box come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// Assigns the priors of `scene` (class logits, priors as given) as mmdet
    /// `DynamicSoftLabelAssigner.assign` does: candidates (`is_in_gts`), cost, `dynamic_k_matching`
    /// (`DynamicKDriver`), with the soft-label class terms and cost rows
    /// (`DynamicSoftLabelAssigner.CostModel`). Throws `invalidParameter` for a bad configuration
    /// and `invalidValue` for a candidate whose class cost is not finite.
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        try configuration.validate()
        if prepared.priorCount == 0 { return Assignment(assignedGT: [], matchedIoU: []) }
        return try DynamicKDriver(CostModel(configuration)).assign(prepared)
    }
}
