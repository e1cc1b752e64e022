import _LabelAssignKernels

/// RTMDet's dynamic soft-label assignment: mmdet 3.3 `DynamicSoftLabelAssigner`
/// (ASSIGNERS.md §7), preset `dsl`.
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
    public struct Configuration: Sendable, Equatable {
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

        /// Throws `invalidParameter` for a constant outside its domain.
        public func validate() throws {
            if !softCentreRadius.isFinite {
                throw LabelAssignError.invalidParameter(name: "softCentreRadius", reason: "must be finite, got \(softCentreRadius)")
            }
            if candidateTopK < 1 {
                throw LabelAssignError.invalidParameter(name: "candidateTopK", reason: "must be >= 1, got \(candidateTopK)")
            }
            if !(iouWeight.isFinite && iouWeight >= 0) {
                throw LabelAssignError.invalidParameter(name: "iouWeight", reason: "must be finite and >= 0, got \(iouWeight)")
            }
            if !(iouEpsilon.isFinite && iouEpsilon > 0) {
                throw LabelAssignError.invalidParameter(name: "iouEpsilon", reason: "must be finite and > 0, got \(iouEpsilon)")
            }
        }
    }

    public let configuration: Configuration

    /// An assigner with `configuration`.
    public init(_ configuration: Configuration = .rtmdet) {
        self.configuration = configuration
    }

    /// Assigns the priors of `scene` (class logits, priors as given). Throws `invalidParameter`
    /// for a bad configuration and a typed error for inconsistent arrays, out-of-range labels or
    /// non-finite values on the priors it reads.
    /// Background priors whose point lies inside a `gt_ignore` box then come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        let config = configuration
        try config.validate()
        let n = scene.priorCount, g = scene.gtCount, classes = scene.numClasses
        if g == 0 { return DynamicCostInput.background(n) }

        let objects = DynamicCostInput.cornerGeometry(scene)
        var centres = DynamicCostInput.PriorCentres(count: n)
        scene.priors.withUnsafeBufferPointer { p in
            for i in 0..<n {
                centres.x[i] = p[4 * i]
                centres.y[i] = p[4 * i + 1]
                centres.stride[i] = p[4 * i + 2]
            }
        }
        let candidates = DynamicCostInput.candidates(scene, objects: objects, region: LAK_REGION_BOX, centres: centres)
        let m = candidates.count
        if m == 0 { return DynamicCostInput.background(n) }
        var cols = try DynamicCostInput.Columns(scene: scene, index: candidates, centres: centres, yoloxBoxes: false)
        let slots = DynamicCostInput.LabelSlots(scene.gtLabels, classes: classes)

        // Class terms per candidate and per label slot.
        var negSum = [Float](repeating: 0, count: m)
        var xAt = [Float](repeating: 0, count: slots.count * m)
        var sigAt = xAt, logSigAt = xAt
        var scratch = [Float](repeating: 0, count: 3 * classes)
        let bad = scene.clsLogits.withUnsafeBufferPointer { cls in
            lak_dsl_class_terms(cls.baseAddress, Int64(classes), candidates, Int64(m), slots.classes, Int64(slots.count),
                               &negSum, &xAt, &sigAt, &logSigAt, &scratch)
        }
        if bad >= 0 { try DynamicCostInput.reportNonFinite(scene, prior: Int(candidates[Int(bad)]), objectness: false) }

        // Cost and IoU rows, one per object.
        // Every entry is written by the row kernels.
        var cost = [Float](unsafeUninitializedCapacity: g * m) { _, count in count = g * m }
        var iou = [Float](unsafeUninitializedCapacity: g * m) { _, count in count = g * m }
        cols.withCandidates { cand in
            cost.withUnsafeMutableBufferPointer { c in
                iou.withUnsafeMutableBufferPointer { u in
                    negSum.withUnsafeBufferPointer { ns in
                        xAt.withUnsafeBufferPointer { xa in
                            sigAt.withUnsafeBufferPointer { sa in
                                logSigAt.withUnsafeBufferPointer { la in
                                    for j in 0..<g {
                                        var geometry = objects[j]
                                        let slot = slots.slotOfObject[j] * m
                                        lak_dsl_cost_row(&geometry, cand, Int64(m), ns.baseAddress, xa.baseAddress! + slot,
                                                        sa.baseAddress! + slot, la.baseAddress! + slot,
                                                        config.softCentreRadius, config.iouWeight, config.iouEpsilon,
                                                        c.baseAddress! + j * m, u.baseAddress! + j * m)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DynamicCostInput.finish(scene, candidates: candidates, cost: cost, iou: iou, objects: g,
                                       candidateTopK: config.candidateTopK, ties: config.selectionTies)
    }
}
