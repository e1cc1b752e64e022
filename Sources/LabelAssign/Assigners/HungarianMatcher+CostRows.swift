import _LabelAssignKernels

extension HungarianMatcher {
    /// What every block of cost rows reads: the queries' prior indices, predicted boxes and
    /// normalised centres, and the objects' normalised centres.
    struct CostInputs {
        let queries: [Int64]
        let predicted, predictedCentres, objectCentres: [Float]

        /// Checks the queries and their predicted boxes (as `checkQueries` and `queryBoxes`).
        init(_ scene: Scene, queries: [Int]) throws {
            try checkQueries(queries, priorCount: scene.priorCount)
            predicted = try queryBoxes(scene, queries: queries)
            self.queries = queries.map(Int64.init)
            let w = scene.imageWidth, h = scene.imageHeight
            predictedCentres = normalisedCentreSize(predicted, imageWidth: w, imageHeight: h)
            objectCentres = normalisedCentreSize(scene.gtBoxes, imageWidth: w, imageHeight: h)
        }
    }

    /// How many query rows one block holds: about 64K entries of scratch, at least one row.
    static func blockRows(objects g: Int) -> Int { max(1, min(256, (1 << 16) / max(g, 1))) }

    /// Visits the `Q × G` cost block by block of queries, in query order: `body(first, count, rows)`
    /// gets `count` rows of `G` entries (row-major, valid only during the call). Each entry is
    /// `matcher.py`'s `C`: torchvision GIoU, `out_prob[:, tgt_ids]`, the `cdist(p=1)` L1 distance and
    /// their weighted sum (`weightedSum`). Throws `invalidValue` for a query with a non-finite logit.
    static func forEachCostBlock(_ scene: Scene, _ inputs: CostInputs, configuration: HungarianConfiguration,
                                 _ body: (Int, Int, UnsafeMutablePointer<Float>) -> Void) throws {
        let q = inputs.queries.count, g = scene.gtCount, c = scene.numClasses, b = blockRows(objects: g)
        var rows = [Float](repeating: 0, count: b * g), probability = rows
        var scratch = [Float](repeating: 0, count: c)
        for first in stride(from: 0, to: q, by: b) {
            let count = min(b, q - first)
            // cost_giou = −generalized_box_iou(out_bbox, tgt_bbox) (negated in weightedSum).
            _ = inputs.predicted.withUnsafeBufferPointer { p in
                lak_pairwise_overlap(p.baseAddress! + 4 * first, Int64(count), scene.gtBoxes, Int64(g),
                                     OverlapKind.giou.rawValue, OverlapConvention.torchvision.rawValue, &rows)
            }
            // cost_class = −out_prob[:, tgt_ids].
            let bad = inputs.queries.withUnsafeBufferPointer { r in
                lak_softmax_gather(scene.clsLogits, Int64(c), r.baseAddress! + first, Int64(count), scene.gtLabels, Int64(g),
                                   &scratch, &probability)
            }
            if bad >= 0 {
                let p = Int(inputs.queries[first + Int(bad)])
                let v = scene.clsLogits[(p * c)..<(p * c + c)].first { !$0.isFinite } ?? .nan
                throw LabelAssignError.invalidValue(field: "cls_logits", index: p, reason: "\(v) is not finite")
            }
            inputs.predictedCentres.withUnsafeBufferPointer { a in
                weightedSum(overGIoU: &rows, probability: probability, predicted: a.baseAddress! + 4 * first,
                            objects: inputs.objectCentres, queries: count, objectCount: g, configuration: configuration)
            }
            body(first, count, &rows)
        }
    }

    /// The cost as `LinearAssignment.solve(float32:)` takes it, one float32 buffer and no other
    /// of its size: `Q × G` row-major, or its transpose `G × Q` when `G < Q` (scipy transposes a
    /// tall matrix). Also the first NaN entry in `Q × G` order, as (query position, object).
    static func solvingLayout(_ scene: Scene, _ inputs: CostInputs,
                              configuration: HungarianConfiguration) throws -> (cost: [Float], firstNaN: (Int, Int)?) {
        let q = inputs.queries.count, g = scene.gtCount, transpose = g < q
        try ResourceLimits.checkBuffer("DETR matching cost (queries × objects, float32)", counts: [q, g], of: Float.self)
        var cost = [Float](repeating: 0, count: q * g)
        var firstNaN: (Int, Int)?
        try cost.withUnsafeMutableBufferPointer { out in
            try forEachCostBlock(scene, inputs, configuration: configuration) { first, count, rows in
                if firstNaN == nil, let k = UnsafeBufferPointer(start: rows, count: count * g).firstIndex(where: { $0.isNaN }) {
                    firstNaN = (first + k / g, k % g)
                }
                if transpose {
                    for j in 0..<g {
                        for r in 0..<count { out[j * q + first + r] = rows[r * g + j] }
                    }
                } else {
                    (out.baseAddress! + first * g).update(from: rows, count: count * g)
                }
            }
        }
        return (cost, firstNaN)
    }
}
