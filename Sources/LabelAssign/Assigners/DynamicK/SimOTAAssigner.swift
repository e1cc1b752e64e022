import _LabelAssignKernels

/// SimOTA (YOLOX) label assignment in three reference flavours (ASSIGNERS.md §2a, §2b, §2c):
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
    public struct Configuration: Sendable, Equatable {
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

        /// Throws `invalidParameter` for a constant outside its domain.
        public func validate() throws {
            func check(_ ok: Bool, _ name: String, _ value: Any, _ rule: String) throws {
                if !ok { throw LabelAssignError.invalidParameter(name: name, reason: "must be \(rule), got \(value)") }
            }
            try check(centreRadius.isFinite && centreRadius >= 0, "centreRadius", centreRadius, "finite and >= 0")
            try check(candidateTopK >= 1, "candidateTopK", candidateTopK, ">= 1")
            try check(classWeight.isFinite && classWeight >= 0, "classWeight", classWeight, "finite and >= 0")
            try check(iouWeight.isFinite && iouWeight >= 0, "iouWeight", iouWeight, "finite and >= 0")
            try check(iouEpsilon.isFinite && iouEpsilon > 0, "iouEpsilon", iouEpsilon, "finite and > 0")
            try check(penalty.isFinite && penalty >= 0, "penalty", penalty, "finite and >= 0")
        }
    }

    public let configuration: Configuration

    /// An assigner with `configuration`.
    public init(_ configuration: Configuration = .yolox) {
        self.configuration = configuration
    }

    /// Assigns the priors of `scene`. Throws `missingField("obj_logits")` without objectness,
    /// `invalidParameter` for a bad configuration, and a typed error for inconsistent arrays,
    /// out-of-range labels or non-finite values on the priors it reads.
    /// Background priors whose point lies inside a `gt_ignore` box then come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        try configuration.validate()
        let n = scene.priorCount, g = scene.gtCount, classes = scene.numClasses
        guard let obj = scene.objLogits else { throw LabelAssignError.missingField("obj_logits") }
        guard obj.count == n else { throw LabelAssignError.shapeMismatch(field: "obj_logits", expected: n, actual: obj.count) }
        let config = configuration
        if g == 0 { return DynamicCostInput.background(n) }

        let yolox = config.arithmetic != .mmdet
        let objects = objectGeometry(scene, yolox: yolox)
        let region = config.candidateRegion == .centre ? LAK_REGION_CENTRE : LAK_REGION_BOX_OR_CENTRE
        let centres = priorCentres(scene)
        let candidates = DynamicCostInput.candidates(scene, objects: objects, region: region, centres: centres)
        let m = candidates.count
        if m == 0 { return DynamicCostInput.background(n) }

        // Candidate columns.
        var cols = try DynamicCostInput.Columns(scene: scene, index: candidates, centres: centres, yoloxBoxes: yolox)
        let slots = DynamicCostInput.LabelSlots(scene.gtLabels, classes: classes)

        // Class terms per candidate and per label slot.
        var negSum = [Float](repeating: 0, count: m)
        var negAt = [Float](repeating: 0, count: slots.count * m)
        var posAt = [Float](repeating: 0, count: slots.count * m)
        var scratch = [Float](repeating: 0, count: 2 * classes)
        let bad = scene.clsLogits.withUnsafeBufferPointer { cls in
            obj.withUnsafeBufferPointer { o in
                lak_simota_class_terms(cls.baseAddress, o.baseAddress, Int64(classes), candidates, Int64(m),
                                      slots.classes, Int64(slots.count), &negSum, &negAt, &posAt, &scratch)
            }
        }
        if bad >= 0 { try DynamicCostInput.reportNonFinite(scene, prior: Int(candidates[Int(bad)]), objectness: true) }

        // Cost and IoU rows, one per object.
        // Every entry is written by the row kernels.
        var cost = [Float](unsafeUninitializedCapacity: g * m) { _, count in count = g * m }
        var iou = [Float](unsafeUninitializedCapacity: g * m) { _, count in count = g * m }
        let iouKind = yolox ? LAK_PAIR_IOU_YOLOX : LAK_PAIR_IOU_MMDET
        cols.withCandidates { cand in
            cost.withUnsafeMutableBufferPointer { c in
                iou.withUnsafeMutableBufferPointer { u in
                    negSum.withUnsafeBufferPointer { ns in
                        negAt.withUnsafeBufferPointer { na in
                            posAt.withUnsafeBufferPointer { pa in
                                for j in 0..<g {
                                    var geometry = objects[j]
                                    let slot = slots.slotOfObject[j] * m
                                    lak_simota_cost_row(&geometry, cand, Int64(m), ns.baseAddress, na.baseAddress! + slot,
                                                       pa.baseAddress! + slot, Int32(region.rawValue), Int32(iouKind.rawValue),
                                                       config.classWeight, config.iouWeight, config.iouEpsilon,
                                                       config.penalty, c.baseAddress! + j * m, u.baseAddress! + j * m)
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

    /// Prior centres and centre-square half sides as the configured reference computes them.
    func priorCentres(_ scene: Scene) -> DynamicCostInput.PriorCentres {
        let n = scene.priorCount
        let r = configuration.centreRadius
        var c = DynamicCostInput.PriorCentres(count: n)
        scene.priors.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let cx = p[4 * i], cy = p[4 * i + 1], sx = p[4 * i + 2], sy = p[4 * i + 3]
                switch configuration.arithmetic {
                case .yolox030, .yoloxMain:
                    // The grid shifts YOLOX sees, back to pixels (its stride is the x stride).
                    let xs = (cx - 0.5 * sx) / sx, ys = (cy - 0.5 * sx) / sx
                    if configuration.arithmetic == .yolox030 {
                        c.x[i] = xs * sx + 0.5 * sx
                        c.y[i] = ys * sx + 0.5 * sx
                    } else {
                        c.x[i] = (xs + 0.5) * sx
                        c.y[i] = (ys + 0.5) * sx
                    }
                    c.rx[i] = r * sx
                    c.ry[i] = r * sx
                case .mmdet:
                    c.x[i] = cx
                    c.y[i] = cy
                    c.rx[i] = r * sx
                    c.ry[i] = r * sy
                }
                c.stride[i] = sx
            }
        }
        return c
    }

    /// Object edges, centres and IoU boxes in the configured arithmetic.
    func objectGeometry(_ scene: Scene, yolox: Bool) -> [lak_object_geometry] {
        guard yolox else { return DynamicCostInput.cornerGeometry(scene) }
        let b = scene.gtBoxes
        return (0..<scene.gtCount).map { j in
            let x1 = b[4 * j], y1 = b[4 * j + 1], x2 = b[4 * j + 2], y2 = b[4 * j + 3]
            let cx = (x1 + x2) / 2, cy = (y1 + y2) / 2
            let w = x2 - x1, h = y2 - y1
            let l = cx - 0.5 * w, r = cx + 0.5 * w, t = cy - 0.5 * h, bt = cy + 0.5 * h
            return lak_object_geometry(left: l, right: r, top: t, bottom: bt, cx: cx, cy: cy,
                                      box: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), area: w * h)
        }
    }
}
