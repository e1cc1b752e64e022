import _LabelAssignKernels

/// Constants of the DETR matcher (facebookresearch/detr `models/matcher.py`, weights of `main.py`).
public struct HungarianConfiguration: OptionConfigurable, Equatable {
    /// Weight of the class cost `-softmax(logits)[label]`.
    public var classWeight: Float
    /// Weight of the L1 distance of normalised `cxcywh` boxes.
    public var l1Weight: Float
    /// Weight of the GIoU cost `-GIoU` (torchvision convention).
    public var giouWeight: Float
    /// The priors that act as queries, in order (each at most once). `nil`: every prior of the scene.
    public var queries: [Int]?

    public init(classWeight: Float = 1, l1Weight: Float = 5, giouWeight: Float = 2, queries: [Int]? = nil) {
        self.classWeight = classWeight
        self.l1Weight = l1Weight
        self.giouWeight = giouWeight
        self.queries = queries
    }

    /// DETR as `main.py` trains it: class 1, L1 5, GIoU 2 (the `HungarianMatcher` class defaults
    /// are 1, 1, 1), every prior a query.
    public static let detr = HungarianConfiguration()

    static let reference = "DETR HungarianMatcher (main.py set_cost_*)"

    public static let options: [AssignerOption<HungarianConfiguration>] = [
        .float("cost_class", \.classWeight, .finite, doc: "weight of the class cost -softmax(logits)[label]", reference: reference),
        .float("cost_bbox", \.l1Weight, .finite, doc: "weight of the L1 distance of normalised cxcywh boxes", reference: reference),
        .float("cost_giou", \.giouWeight, .finite, doc: "weight of the GIoU cost -GIoU", reference: reference),
    ]

    /// Throws `invalidParameter` on a non-finite weight.
    public func validate() throws {
        for option in Self.options { try option.kind.check(option.value(in: self), option: option.name) }
    }
}

/// DETR's Hungarian matcher on one scene (facebookresearch/detr `models/matcher.py`; docs/ASSIGNERS.md §8),
/// with the class probabilities a softmax over the scene's `C` logits (no extra no-object class):
///
///     cost[q, j] = l1Weight · L1(cxcywh(pred_q) / (W,H,W,H), cxcywh(gt_j) / (W,H,W,H))
///                + classWeight · (−softmax(logits_q)[label_j]) + giouWeight · (−GIoU(pred_q, gt_j))
///
/// in float32 (the order of the reference), widened to float64 and solved by `LinearAssignment`
/// (scipy `linear_sum_assignment`). Outputs: `assigned_gt` (a matched query's prior gets its object,
/// every other prior −1), `rows` (positions in the query list, ascending), `cols` (objects), `total`,
/// and `queries` when a subset is configured. `min(Q, G)` pairs.
///
/// Documented handling: zero objects or zero queries match nothing (`total` 0). A query box and an
/// object that are both degenerate with zero union area have GIoU 0/0, a NaN cost as in the
/// reference; scipy rejects such a matrix, and `match` / `assign` throw `invalidValue` for it.
public struct HungarianMatcher: Assigner {
    public var configuration: HungarianConfiguration

    public init(_ configuration: HungarianConfiguration = .detr) {
        self.configuration = configuration
    }

    /// The `Q × G` float32 cost matrix (row-major) of the priors `queries` against the scene's objects.
    /// Validates the fields it reads: query indices in range, the queries' predicted boxes and logits,
    /// the ground-truth boxes and labels. An entry is NaN, as in the reference, only for a query box and
    /// an object that are both degenerate with zero union area; `match` / `assign` reject those.
    public static func cost(_ scene: Scene, queries: [Int], configuration: HungarianConfiguration = .detr) throws -> [Float] {
        try configuration.validate()
        try checkFields(scene)
        return try costMatrix(scene, queries: queries, configuration: configuration)
    }

    /// The matching of `queries` (default: the configuration's, else every prior) to the objects:
    /// `rows` are positions in `queries`, `cols` object indices, `total` the summed float64 cost.
    public func match(_ scene: Scene) throws -> (queries: [Int], rows: [Int], cols: [Int], total: Double) {
        try configuration.validate()
        try HungarianMatcher.checkFields(scene)
        return try linearSumAssignment(scene)
    }

    /// Background priors whose point lies inside a `gt_ignore` box come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// Assigns the priors of `scene` as DETR `HungarianMatcher.forward` does for one image: class
    /// cost, L1 cost, GIoU cost, their weighted sum (`costMatrix`), then `linear_sum_assignment`.
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        try configuration.validate()
        if prepared.priorCount == 0 && configuration.queries == nil {
            return Assignment(assignedGT: [], extras: [AssignmentExtra("rows", .ints([])), AssignmentExtra("cols", .ints([])),
                                                       AssignmentExtra("total", .number(0))])
        }
        let matching = try linearSumAssignment(prepared.scene)
        var assigned = [Int32](repeating: -1, count: prepared.priorCount)
        for (r, c) in zip(matching.rows, matching.cols) { assigned[matching.queries[r]] = Int32(c) }
        var result = Assignment(assignedGT: assigned)
        if configuration.queries != nil { result.extras.append(AssignmentExtra("queries", .ints(matching.queries.map(Int32.init)))) }
        result.extras.append(AssignmentExtra("rows", .ints(matching.rows.map(Int32.init))))
        result.extras.append(AssignmentExtra("cols", .ints(matching.cols.map(Int32.init))))
        result.extras.append(AssignmentExtra("total", .number(matching.total)))
        return result
    }
}

// MARK: - Stages

extension HungarianMatcher {
    /// The scene fields the cost reads, as `PreparedScene` checks them: class logits and
    /// predicted boxes of every prior, a positive image size, the ground-truth boxes and labels.
    static func checkFields(_ scene: Scene) throws {
        let n = scene.priorCount, c = scene.numClasses
        guard c > 0, scene.clsLogits.count == n * c else {
            throw LabelAssignError.shapeMismatch(field: "cls_logits", expected: n * max(c, 0), actual: scene.clsLogits.count)
        }
        guard scene.predBoxes.count == 4 * n else { throw LabelAssignError.shapeMismatch(field: "pred_bboxes", expected: n, actual: scene.predBoxes.count / 4) }
        guard scene.imageWidth > 0, scene.imageHeight > 0 else {
            throw LabelAssignError.invalidValue(field: "image", index: nil, reason: "width and height must be positive")
        }
        try Scene.checkBoxes(scene.gtBoxes, field: "gt_bboxes")
        try scene.checkGTLabels()
    }

    /// `linear_sum_assignment` on the cost of the configured queries (every prior by default),
    /// built in the solver's layout as one float32 matrix (`solvingLayout`) and widened to float64
    /// as the solver reads it: the pairs and total of scipy on the float64 copy, without the copy.
    func linearSumAssignment(_ scene: Scene) throws -> (queries: [Int], rows: [Int], cols: [Int], total: Double) {
        let queries = configuration.queries ?? Array(0..<scene.priorCount)
        let inputs = try CostInputs(scene, queries: queries)
        let g = scene.gtCount
        if queries.isEmpty || g == 0 { return (queries, [], [], 0) }
        let (cost, firstNaN) = try HungarianMatcher.solvingLayout(scene, inputs, configuration: configuration)
        // The float32 cost is NaN only when a query box and an object are both degenerate with zero
        // union (GIoU 0/0, as torchvision gives it); scipy rejects such a matrix, and so does this.
        if let (k, j) = firstNaN {
            throw LabelAssignError.invalidValue(field: "pred_bboxes", index: queries[k],
                                                reason: "cost against object \(j) is NaN (zero union area: GIoU is 0/0)")
        }
        let r = try cost.withUnsafeBufferPointer { try LinearAssignment.solve(float32: $0, rows: queries.count, cols: g) }
        return (queries, r.rows, r.cols, r.total)
    }

    /// The cost matrix `C` of `matcher.py` on a scene whose fields are checked (empty without
    /// queries or objects), `Q × G` row-major: GIoU cost, class cost, L1 cost, then their weighted
    /// sum (`forEachCostBlock`).
    static func costMatrix(_ scene: Scene, queries: [Int], configuration: HungarianConfiguration) throws -> [Float] {
        let inputs = try CostInputs(scene, queries: queries)
        let g = scene.gtCount
        if queries.isEmpty || g == 0 { return [] }
        try ResourceLimits.checkBuffer("DETR matching cost (queries × objects, float32)", counts: [queries.count, g], of: Float.self)
        var cost = [Float](repeating: 0, count: queries.count * g)
        try cost.withUnsafeMutableBufferPointer { out in
            try forEachCostBlock(scene, inputs, configuration: configuration) { first, count, rows in
                (out.baseAddress! + first * g).update(from: rows, count: count * g)
            }
        }
        return cost
    }

    /// Query indices in `[0, n)`, each at most once.
    static func checkQueries(_ queries: [Int], priorCount n: Int) throws {
        var seen = [Bool](repeating: false, count: n)
        for (k, p) in queries.enumerated() {
            guard p >= 0, p < n else { throw LabelAssignError.invalidValue(field: "queries", index: k, reason: "prior \(p) outside [0, \(n))") }
            guard !seen[p] else { throw LabelAssignError.invalidValue(field: "queries", index: k, reason: "prior \(p) repeated") }
            seen[p] = true
        }
    }

    /// The queries' predicted boxes (`out_bbox`), checked finite and ordered.
    static func queryBoxes(_ scene: Scene, queries: [Int]) throws -> [Float] {
        var pred = [Float](repeating: 0, count: 4 * queries.count)
        for (k, p) in queries.enumerated() {
            for t in 0..<4 { pred[4 * k + t] = scene.predBoxes[4 * p + t] }
            for t in 0..<4 where !pred[4 * k + t].isFinite {
                throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "\(pred[4 * k + t]) is not finite")
            }
            if pred[4 * k + 2] < pred[4 * k] { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "x2 < x1") }
            if pred[4 * k + 3] < pred[4 * k + 1] { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "y2 < y1") }
        }
        return pred
    }

    /// `C = bbox_weight · cost_bbox + class_weight · cost_class + giou_weight · cost_giou`, left to
    /// right as the reference, written over the GIoU matrix `cost`; the L1 distance sums the four
    /// coordinate differences in order (`torch.cdist(p=1)`).
    static func weightedSum(overGIoU cost: UnsafeMutablePointer<Float>, probability: UnsafePointer<Float>,
                            predicted a: UnsafePointer<Float>, objects b: UnsafePointer<Float>,
                            queries q: Int, objectCount g: Int, configuration: HungarianConfiguration) {
        let wCls = configuration.classWeight, wL1 = configuration.l1Weight, wGIoU = configuration.giouWeight
        for k in 0..<q {
            let ax = a[4 * k], ay = a[4 * k + 1], aw = a[4 * k + 2], ah = a[4 * k + 3]
            for j in 0..<g {
                let l1 = abs(ax - b[4 * j]) + abs(ay - b[4 * j + 1]) + abs(aw - b[4 * j + 2]) + abs(ah - b[4 * j + 3])
                let e = k * g + j
                cost[e] = wL1 * l1 + wCls * (-probability[e]) + wGIoU * (-cost[e])
            }
        }
    }
}
