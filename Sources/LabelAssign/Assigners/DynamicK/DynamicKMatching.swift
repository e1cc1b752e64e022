import _LabelAssignKernels

/// The dynamic-k selection shared by SimOTA (YOLOX `dynamic_k_matching` / `simota_matching`,
/// mmdet `SimOTAAssigner.dynamic_k_matching`) and RTMDet's `DynamicSoftLabelAssigner`
/// (ASSIGNERS.md §2a steps 5–9, §2c, §7 step 7).
///
/// It works on a compact, candidates-only layout: `cost` and `iou` are `objects × candidates`
/// row-major matrices (one row per object, one column per candidate prior).
///
/// 1. `n = min(candidateTopK, candidates)`; for every object the `n` largest IoUs of its row
///    are summed (largest first) and `k = max(1, trunc(sum))`.
/// 2. Every object marks the `k` candidates with the smallest cost. Equal costs are settled by
///    `ties` (see `SelectionTies`).
/// 3. A candidate marked by more than one object goes to the object of smallest cost in its
///    column over **all** objects (ties: lower index), even one that did not mark it.
/// 4. Marked candidates are positives; their matched IoU is the IoU of the winning pair.
public enum DynamicKMatching {
    /// Which candidates the `k`-smallest selection keeps among equal costs.
    public enum SelectionTies: Sendable, Equatable {
        /// The lower candidate index wins.
        case lowerIndex
        /// Exactly what `torch.topk(row, k, largest=False)` keeps on the CPU (`TorchTopK`): a heap
        /// selection (libstdc++ `std::partial_sort`) when `64·k <= candidates`, else
        /// `std::nth_element` (introselect), both comparing values only. Exact float32 ties do occur in the references,
        /// for example between two penalised pairs whose costs round to the same float near 1e5.
        case torchTopK
    }

    /// The result: per candidate, the matched object (`-1` for none).
    public struct Result: Sendable, Equatable {
        /// Matched object per candidate, `-1` when the candidate stays background.
        public var matchedObject: [Int32]
        /// The dynamic `k` of every object.
        public var dynamicK: [Int32]
    }

    /// Runs the selection on validated matrices (see the type's documentation).
    /// Costs must not be NaN (±∞ is fine); `candidateTopK >= 1`.
    public static func match(cost: UnsafeBufferPointer<Float>, iou: UnsafeBufferPointer<Float>,
                             objects g: Int, candidates m: Int, candidateTopK: Int,
                             ties: SelectionTies = .torchTopK) -> Result {
        precondition(cost.count >= g * m && iou.count >= g * m && candidateTopK >= 1)
        var matched = [Int32](repeating: -1, count: m)
        var ks = [Int32](repeating: 0, count: g)
        if g == 0 || m == 0 { return Result(matchedObject: matched, dynamicK: ks) }
        let n = min(candidateTopK, m)
        var marks = [Int32](repeating: 0, count: m)
        var topIoU = [Float](repeating: 0, count: n)
        var selector = TorchTopK()
        matched.withUnsafeMutableBufferPointer { owner in
            marks.withUnsafeMutableBufferPointer { marks in
                for obj in 0..<g {
                    let iouRow = UnsafeBufferPointer(rebasing: iou[(obj * m)..<(obj * m + m)])
                    let k = dynamicK(iouRow, n: n, buffer: &topIoU)
                    ks[obj] = Int32(k)
                    let costRow = UnsafeBufferPointer(rebasing: cost[(obj * m)..<(obj * m + m)])
                    let picked = selector.select(costRow, k: k, order: .smallest, ties: ties == .torchTopK ? .torch : .lowerIndex)
                    for a in picked {
                        marks[Int(a)] += 1
                        owner[Int(a)] = Int32(obj)
                    }
                }
                // Conflicts: argmin of the column over all objects, first index on ties.
                for a in 0..<m where marks[a] > 1 {
                    var best = 0
                    var bestValue = cost[a]
                    for obj in 1..<g {
                        let v = cost[obj * m + a]
                        if v < bestValue { bestValue = v; best = obj }
                    }
                    owner[a] = Int32(best)
                }
            }
        }
        return Result(matchedObject: matched, dynamicK: ks)
    }

    /// Array form with checks: `cost` and `iou` are `objects × candidates` row-major.
    /// Throws `shapeMismatch` for wrong lengths, `invalidValue` for a NaN cost or an IoU that
    /// is NaN, negative or infinite, and `invalidParameter` for `candidateTopK < 1`.
    public static func match(cost: [Float], iou: [Float], objects g: Int, candidates m: Int,
                             candidateTopK: Int, ties: SelectionTies = .torchTopK) throws -> Result {
        guard g >= 0, m >= 0 else { throw LabelAssignError.invalidParameter(name: "objects/candidates", reason: "must be >= 0") }
        guard candidateTopK >= 1 else { throw LabelAssignError.invalidParameter(name: "candidateTopK", reason: "must be >= 1, got \(candidateTopK)") }
        guard cost.count == g * m else { throw LabelAssignError.shapeMismatch(field: "cost", expected: g * m, actual: cost.count) }
        guard iou.count == g * m else { throw LabelAssignError.shapeMismatch(field: "iou", expected: g * m, actual: iou.count) }
        if let i = cost.firstIndex(where: { $0.isNaN }) {
            throw LabelAssignError.invalidValue(field: "cost", index: i, reason: "NaN")
        }
        if let i = iou.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw LabelAssignError.invalidValue(field: "iou", index: i, reason: "\(iou[i]) is not a finite value >= 0")
        }
        return cost.withUnsafeBufferPointer { c in
            iou.withUnsafeBufferPointer { u in
                match(cost: c, iou: u, objects: g, candidates: m, candidateTopK: candidateTopK, ties: ties)
            }
        }
    }

    /// `max(1, trunc(sum of the n largest values))`, summed largest first.
    @inline(__always)
    static func dynamicK(_ row: UnsafeBufferPointer<Float>, n: Int, buffer top: inout [Float]) -> Int {
        top.withUnsafeMutableBufferPointer { top in
            // `top` holds the n largest so far, descending; slots start below any IoU.
            for i in 0..<n { top[i] = -1 }
            var floor: Float = -1
            for v in row where v > floor {
                var j = n - 1
                while j > 0 && top[j - 1] < v { top[j] = top[j - 1]; j -= 1 }
                top[j] = v
                floor = top[n - 1]
            }
        }
        var sum: Float = 0
        for i in 0..<n { sum += Swift.max(top[i], 0) }
        return Swift.max(1, Int(sum.rounded(.towardZero)))
    }
}

/// Shared plumbing of the dynamic-k assigners: input checks, candidate search, candidate
/// columns, label slots and the final matching.
enum DynamicCostInput {
    static func background(_ n: Int) -> Assignment {
        Assignment(assignedGT: [Int32](repeating: -1, count: n),
                   matchedIoU: [Float](repeating: 0, count: n))
    }

    /// Object geometry straight from the corner boxes (mmdet): region edges are the box edges,
    /// centre `(x1 + x2) / 2`, area `(x2 - x1) · (y2 - y1)`.
    static func cornerGeometry(_ scene: Scene) -> [lak_object_geometry] {
        let b = scene.gtBoxes
        return (0..<scene.gtCount).map { j in
            let x1 = b[4 * j], y1 = b[4 * j + 1], x2 = b[4 * j + 2], y2 = b[4 * j + 3]
            return lak_object_geometry(left: x1, right: x2, top: y1, bottom: y2, cx: (x1 + x2) / 2, cy: (y1 + y2) / 2,
                                      box: (x1, y1, x2, y2), area: (x2 - x1) * (y2 - y1))
        }
    }

    /// Throws the error naming the non-finite input of `prior`.
    static func reportNonFinite(_ scene: Scene, prior: Int, objectness: Bool) throws {
        if objectness, let obj = scene.objLogits, !obj[prior].isFinite {
            throw LabelAssignError.invalidValue(field: "obj_logits", index: prior, reason: "\(obj[prior]) is not finite")
        }
        throw LabelAssignError.invalidValue(field: "cls_logits", index: prior, reason: "a logit is not finite")
    }

    /// Per-prior centre columns for the region tests.
    struct PriorCentres {
        var x, y, rx, ry, stride: [Float]
        init(count n: Int) {
            x = [Float](repeating: 0, count: n); y = x; rx = x; ry = x; stride = x
        }
    }

    /// Indices (ascending) of the priors inside at least one object's candidate region.
    static func candidates(_ scene: Scene, objects: [lak_object_geometry], region: lak_region,
                           centres c: PriorCentres) -> [Int32] {
        let n = scene.priorCount
        var mask = [UInt8](repeating: 0, count: n)
        objects.withUnsafeBufferPointer { o in
            lak_region_mask(c.x, c.y, c.rx, c.ry, Int64(n), o.baseAddress, Int64(o.count), Int32(region.rawValue), &mask)
        }
        var out: [Int32] = []
        out.reserveCapacity(n / 4)
        for i in 0..<n where mask[i] != 0 { out.append(Int32(i)) }
        return out
    }

    /// Candidate columns (structure of arrays) for the cost kernels.
    struct Columns {
        var x, y, rx, ry, stride, x1, y1, x2, y2, area: [Float]

        /// `yoloxBoxes`: predicted boxes as YOLOX sees them (cx,cy,w,h from xyxy, corners
        /// `c ∓ w/2`, area `w·h`); otherwise xyxy with area `(x2−x1)·(y2−y1)`.
        /// Throws `invalidValue` for a candidate whose predicted box is not finite.
        init(scene: Scene, index: [Int32], centres: PriorCentres, yoloxBoxes: Bool) throws {
            let m = index.count
            x = [Float](repeating: 0, count: m); y = x; rx = x; ry = x; stride = x; x1 = x; y1 = x; x2 = x; y2 = x; area = x
            let b = scene.predBoxes
            for (k, p32) in index.enumerated() {
                let p = Int(p32)
                x[k] = centres.x[p]; y[k] = centres.y[p]; rx[k] = centres.rx[p]; ry[k] = centres.ry[p]
                stride[k] = centres.stride[p]
                let a1 = b[4 * p], b1 = b[4 * p + 1], a2 = b[4 * p + 2], b2 = b[4 * p + 3]
                guard a1.isFinite, b1.isFinite, a2.isFinite, b2.isFinite else {
                    throw LabelAssignError.invalidValue(field: "pred_bboxes", index: p, reason: "a coordinate is not finite")
                }
                if yoloxBoxes {
                    let cx = (a1 + a2) / 2, cy = (b1 + b2) / 2, w = a2 - a1, h = b2 - b1
                    x1[k] = cx - w / 2; y1[k] = cy - h / 2; x2[k] = cx + w / 2; y2[k] = cy + h / 2
                    area[k] = w * h
                } else {
                    x1[k] = a1; y1[k] = b1; x2[k] = a2; y2[k] = b2
                    area[k] = (a2 - a1) * (b2 - b1)
                }
            }
        }

        mutating func withCandidates<R>(_ body: (UnsafePointer<lak_candidates>) -> R) -> R {
            x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in
                rx.withUnsafeBufferPointer { rx in ry.withUnsafeBufferPointer { ry in
                    stride.withUnsafeBufferPointer { s in
                        x1.withUnsafeBufferPointer { x1 in y1.withUnsafeBufferPointer { y1 in
                            x2.withUnsafeBufferPointer { x2 in y2.withUnsafeBufferPointer { y2 in
                                area.withUnsafeBufferPointer { a in
                                    var cand = lak_candidates(x: x.baseAddress, y: y.baseAddress, rx: rx.baseAddress,
                                                             ry: ry.baseAddress, stride: s.baseAddress,
                                                             x1: x1.baseAddress, y1: y1.baseAddress, x2: x2.baseAddress,
                                                             y2: y2.baseAddress, area: a.baseAddress)
                                    return body(&cand)
                                }
                            } }
                        } }
                    }
                } }
            } }
        }
    }

    /// The distinct classes among the objects ("slots") and each object's slot.
    struct LabelSlots {
        var classes: [Int32] = []
        var slotOfObject: [Int] = []
        var count: Int { classes.count }

        init(_ labels: [Int32], classes numClasses: Int) {
            var slotOfClass = [Int](repeating: -1, count: numClasses)
            for l in labels {
                if slotOfClass[Int(l)] < 0 { slotOfClass[Int(l)] = classes.count; classes.append(l) }
                slotOfObject.append(slotOfClass[Int(l)])
            }
        }
    }

    /// Dynamic-k matching on the compact matrices, scattered back to all priors.
    static func finish(_ scene: Scene, candidates: [Int32], cost: [Float], iou: [Float], objects g: Int,
                       candidateTopK: Int, ties: DynamicKMatching.SelectionTies) -> Assignment {
        let n = scene.priorCount, m = candidates.count
        let result = cost.withUnsafeBufferPointer { c in
            iou.withUnsafeBufferPointer { u in
                DynamicKMatching.match(cost: c, iou: u, objects: g, candidates: m, candidateTopK: candidateTopK, ties: ties)
            }
        }
        var assigned = [Int32](repeating: -1, count: n)
        var matched = [Float](repeating: 0, count: n)
        for (k, obj) in result.matchedObject.enumerated() where obj >= 0 {
            let p = Int(candidates[k])
            assigned[p] = obj
            matched[p] = iou[Int(obj) * m + k]
        }
        return Assignment(assignedGT: assigned, matchedIoU: matched)
    }
}
