import _LabelAssignKernels

/// The dynamic-k selection shared by SimOTA (YOLOX `dynamic_k_matching` / `simota_matching`,
/// mmdet `SimOTAAssigner.dynamic_k_matching`) and RTMDet's `DynamicSoftLabelAssigner`
/// (docs/ASSIGNERS.md §2a steps 5–9, §2c, §7 step 7).
///
/// It works on a compact, candidates-only layout: `cost` and `iou` are `objects × candidates`
/// row-major matrices (one row per object, one column per candidate prior), or the same rows fed
/// one object at a time (`Stream`, which the assigners use: memory in candidates only).
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
        var stream = Stream(candidates: m, candidateTopK: candidateTopK, ties: ties)
        for obj in 0..<g {
            let row = (obj * m)..<(obj * m + m)
            stream.add(cost: UnsafeBufferPointer(rebasing: cost[row]), iou: UnsafeBufferPointer(rebasing: iou[row]))
        }
        return stream.finish().result
    }

    /// The selection fed one object's cost and IoU rows at a time, in object order, so that only
    /// per-candidate state is kept (memory in candidates, never objects × candidates). Steps 1–2
    /// run per row; step 3's column argmin is kept as a running minimum (the first object wins
    /// on equal costs), so `finish()` gives what `match` gives on the whole matrices.
    struct Stream {
        let candidates: Int
        let n: Int
        let ties: TorchTopK.Ties
        private var objects = 0
        private var marks: [Int32]
        /// The last object that marked each candidate, and the IoU of that pair.
        private var owner: [Int32]
        private var ownerIoU: [Float]
        /// The smallest cost of each candidate's column so far, its object and that pair's IoU.
        private var bestCost: [Float]
        private var bestObject: [Int32]
        private var bestIoU: [Float]
        private var ks: [Int32] = []
        private var topIoU: [Float]
        private var selector = TorchTopK()

        init(candidates m: Int, candidateTopK: Int, ties: SelectionTies) {
            candidates = m
            n = min(candidateTopK, m)
            self.ties = ties == .torchTopK ? .torch : .lowerIndex
            marks = [Int32](repeating: 0, count: m)
            owner = [Int32](repeating: -1, count: m)
            ownerIoU = [Float](repeating: 0, count: m)
            bestCost = [Float](repeating: .infinity, count: m)
            bestObject = [Int32](repeating: 0, count: m)
            bestIoU = [Float](repeating: 0, count: m)
            topIoU = [Float](repeating: 0, count: max(n, 1))
        }

        /// Steps 1 and 2 for the next object (rows of `candidates` entries, costs not NaN).
        mutating func add(cost: UnsafeBufferPointer<Float>, iou: UnsafeBufferPointer<Float>) {
            let obj = Int32(objects)
            objects += 1
            if candidates == 0 { ks.append(0); return }
            // dynamic_ks: the n largest IoUs summed, truncated, at least 1.
            let k = DynamicKMatching.dynamicK(iou, n: n, buffer: &topIoU)
            ks.append(Int32(k))
            // torch.topk(cost, k, largest=False): the k cheapest candidates of the object.
            for a in selector.select(cost, k: k, order: .smallest, ties: ties).lazy.map(Int.init) {
                marks[a] += 1
                owner[a] = obj
                ownerIoU[a] = iou[a]
            }
            bestCost.withUnsafeMutableBufferPointer { best in
                bestObject.withUnsafeMutableBufferPointer { bestObject in
                    bestIoU.withUnsafeMutableBufferPointer { bestIoU in
                        lak_column_min_update(cost.baseAddress, iou.baseAddress, Int64(candidates), obj, best.baseAddress,
                                              bestObject.baseAddress, bestIoU.baseAddress)
                    }
                }
            }
        }

        /// Step 3 (`anchor_matching_gt > 1`: a candidate marked by more than one object goes to
        /// the argmin of its cost column over all objects, the first on ties) and the result, with
        /// the matched IoU per candidate (0 for an unmatched one).
        func finish() -> (result: Result, matchedIoU: [Float]) {
            var owner = owner, matched = ownerIoU
            for a in 0..<candidates where marks[a] > 1 {
                owner[a] = bestObject[a]
                matched[a] = bestIoU[a]
            }
            return (Result(matchedObject: owner, dynamicK: ks), matched)
        }
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
