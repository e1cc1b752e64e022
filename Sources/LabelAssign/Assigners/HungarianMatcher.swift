import _LabelAssignKernels

/// Constants of the DETR matcher (facebookresearch/detr `models/matcher.py`, weights of `main.py`).
public struct HungarianConfiguration: Sendable, Equatable {
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

    /// DETR: class 1, L1 5, GIoU 2, every prior a query.
    public static let detr = HungarianConfiguration()

    /// Throws `invalidParameter` on a non-finite weight.
    public func validate() throws {
        for (name, w) in [("classWeight", classWeight), ("l1Weight", l1Weight), ("giouWeight", giouWeight)] where !w.isFinite {
            throw LabelAssignError.invalidParameter(name: name, reason: "must be finite, got \(w)")
        }
    }
}

/// DETR's Hungarian matcher on one scene (facebookresearch/detr `models/matcher.py`; ASSIGNERS.md §8),
/// with the class probabilities a softmax over the scene's `C` logits (no extra no-object class):
///
///     cost[q, j] = l1Weight · L1(cxcywh(pred_q) / (W,H,W,H), cxcywh(gt_j) / (W,H,W,H))
///                + classWeight · (−softmax(logits_q)[label_j]) + giouWeight · (−GIoU(pred_q, gt_j))
///
/// in float32 (the order of the reference), widened to float64 and solved by `LinearAssignment`
/// (scipy `linear_sum_assignment`). Outputs: `assigned_gt` (a matched query's prior gets its object,
/// every other prior −1), `rows` (positions in the query list, ascending), `cols` (objects), `total`,
/// and `queries` when a subset is configured. `min(Q, G)` pairs; zero objects match nothing.
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
        let n = scene.priorCount, c = scene.numClasses, g = scene.gtCount
        guard c > 0, scene.clsLogits.count == n * c else {
            throw LabelAssignError.shapeMismatch(field: "cls_logits", expected: n * max(c, 0), actual: scene.clsLogits.count)
        }
        guard scene.predBoxes.count == 4 * n else { throw LabelAssignError.shapeMismatch(field: "pred_bboxes", expected: n, actual: scene.predBoxes.count / 4) }
        guard scene.imageWidth > 0, scene.imageHeight > 0 else {
            throw LabelAssignError.invalidValue(field: "image", index: nil, reason: "width and height must be positive")
        }
        try Scene.checkBoxes(scene.gtBoxes, field: "gt_bboxes")
        try scene.checkGTLabels()
        var seen = [Bool](repeating: false, count: n)
        for (k, p) in queries.enumerated() {
            guard p >= 0, p < n else { throw LabelAssignError.invalidValue(field: "queries", index: k, reason: "prior \(p) outside [0, \(n))") }
            guard !seen[p] else { throw LabelAssignError.invalidValue(field: "queries", index: k, reason: "prior \(p) repeated") }
            seen[p] = true
        }
        let q = queries.count
        // Gather the queries' boxes; check them and their logits.
        var pred = [Float](repeating: 0, count: 4 * q)
        for (k, p) in queries.enumerated() {
            for t in 0..<4 { pred[4 * k + t] = scene.predBoxes[4 * p + t] }
            for t in 0..<4 where !pred[4 * k + t].isFinite {
                throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "\(pred[4 * k + t]) is not finite")
            }
            if pred[4 * k + 2] < pred[4 * k] { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "x2 < x1") }
            if pred[4 * k + 3] < pred[4 * k + 1] { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "y2 < y1") }
        }
        if q == 0 || g == 0 { return [] }
        // -GIoU (torchvision), then the class probabilities at the objects' labels.
        var out = try pairwiseOverlap(pred, scene.gtBoxes, kind: .giou, convention: .torchvision)
        var prob = [Float](repeating: 0, count: q * g)
        var scratch = [Float](repeating: 0, count: c)
        let rows = queries.map(Int64.init)
        let badRow = scene.clsLogits.withUnsafeBufferPointer { logits in
            scene.gtLabels.withUnsafeBufferPointer { labels in
                lak_softmax_gather(logits.baseAddress, Int64(c), rows, Int64(q), labels.baseAddress, Int64(g),
                                  &scratch, &prob)
            }
        }
        if badRow >= 0 {
            let p = queries[Int(badRow)]
            let v = scene.clsLogits[(p * c)..<(p * c + c)].first { !$0.isFinite } ?? .nan
            throw LabelAssignError.invalidValue(field: "cls_logits", index: p, reason: "\(v) is not finite")
        }
        // Normalised cxcywh: ((x1 + x2) / 2) / W, ((y1 + y2) / 2) / H, (x2 - x1) / W, (y2 - y1) / H.
        let fw = Float(scene.imageWidth), fh = Float(scene.imageHeight)
        func normalise(_ boxes: [Float]) -> [Float] {
            var n = [Float](repeating: 0, count: boxes.count)
            for i in 0..<(boxes.count / 4) {
                let x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3]
                n[4 * i] = ((x1 + x2) / 2) / fw
                n[4 * i + 1] = ((y1 + y2) / 2) / fh
                n[4 * i + 2] = (x2 - x1) / fw
                n[4 * i + 3] = (y2 - y1) / fh
            }
            return n
        }
        let pn = normalise(pred), gn = normalise(scene.gtBoxes)
        let wCls = configuration.classWeight, wL1 = configuration.l1Weight, wGIoU = configuration.giouWeight
        // cost = wL1 · L1 + wCls · (-prob) + wGIoU · (-GIoU), left to right as the reference.
        out.withUnsafeMutableBufferPointer { o in
            prob.withUnsafeBufferPointer { pr in
                pn.withUnsafeBufferPointer { a in
                    gn.withUnsafeBufferPointer { b in
                        for k in 0..<q {
                            let ax = a[4 * k], ay = a[4 * k + 1], aw = a[4 * k + 2], ah = a[4 * k + 3]
                            for j in 0..<g {
                                let l1 = abs(ax - b[4 * j]) + abs(ay - b[4 * j + 1]) + abs(aw - b[4 * j + 2]) + abs(ah - b[4 * j + 3])
                                let e = k * g + j
                                o[e] = wL1 * l1 + wCls * (-pr[e]) + wGIoU * (-o[e])
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The matching of `queries` (default: the configuration's, else every prior) to the objects:
    /// `rows` are positions in `queries`, `cols` object indices, `total` the summed float64 cost.
    public func match(_ scene: Scene) throws -> (queries: [Int], rows: [Int], cols: [Int], total: Double) {
        let queries = configuration.queries ?? Array(0..<scene.priorCount)
        let cost = try HungarianMatcher.cost(scene, queries: queries, configuration: configuration)
        if cost.isEmpty { return (queries, [], [], 0) }
        let g = scene.gtCount
        // The float32 cost is NaN only when a query box and an object are both degenerate with zero
        // union (GIoU 0/0, as torchvision gives it); scipy rejects such a matrix, and so does this.
        if let k = cost.firstIndex(where: { $0.isNaN }) {
            throw LabelAssignError.invalidValue(field: "pred_bboxes", index: queries[k / g],
                                                reason: "cost against object \(k % g) is NaN (zero union area: GIoU is 0/0)")
        }
        let r = try LinearAssignment.solve(widening: cost, rows: queries.count, cols: g)
        return (queries, r.rows, r.cols, r.total)
    }

    /// Assigns the priors, then marks background priors whose point lies inside a `gt_ignore`
    /// box as ignored (`-2`); positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        let m = try match(scene)
        var assigned = [Int32](repeating: -1, count: scene.priorCount)
        for (r, c) in zip(m.rows, m.cols) { assigned[m.queries[r]] = Int32(c) }
        var result = Assignment(assignedGT: assigned)
        if configuration.queries != nil { result.extras.append(AssignmentExtra("queries", .ints(m.queries.map(Int32.init)))) }
        result.extras.append(AssignmentExtra("rows", .ints(m.rows.map(Int32.init))))
        result.extras.append(AssignmentExtra("cols", .ints(m.cols.map(Int32.init))))
        result.extras.append(AssignmentExtra("total", .number(m.total)))
        return result
    }
}
