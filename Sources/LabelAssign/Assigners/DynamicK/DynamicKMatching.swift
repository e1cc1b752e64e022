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
        /// Exactly what `torch.topk(row, k, largest=False)` keeps on the CPU: a heap selection
        /// (libstdc++ `std::partial_sort`) when `64·k <= candidates`, else `std::nth_element`
        /// (introselect), both comparing values only. Exact float32 ties do occur in the references,
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
        var owner = [Int32](repeating: -1, count: m)
        var ks = [Int32](repeating: 0, count: g)
        if g == 0 || m == 0 { return Result(matchedObject: owner, dynamicK: ks) }
        let n = min(candidateTopK, m)
        var marks = [Int32](repeating: 0, count: m)
        var topIoU = [Float](repeating: 0, count: n)
        var selector = SmallestK()
        for obj in 0..<g {
            let row = (obj * m)..<(obj * m + m)
            // dynamic_ks: the n largest IoUs summed, truncated, at least 1.
            let k = dynamicK(UnsafeBufferPointer(rebasing: iou[row]), n: n, buffer: &topIoU)
            ks[obj] = Int32(k)
            // torch.topk(cost, k, largest=False): the k cheapest candidates of the object.
            let costRow = UnsafeBufferPointer(rebasing: cost[row])
            let picked: ArraySlice<Int32>
            switch ties {
            case .torchTopK: picked = selector.torchTopK(costRow, k: k)
            case .lowerIndex: picked = selector.lowerIndex(costRow, k: k)
            }
            for a in picked.lazy.map(Int.init) {
                marks[a] += 1
                owner[a] = Int32(obj)
            }
        }
        resolveConflicts(cost: cost, objects: g, marks: marks, owner: &owner)
        return Result(matchedObject: owner, dynamicK: ks)
    }

    /// Step 3 (`anchor_matching_gt > 1`): a candidate marked by more than one object goes to the
    /// argmin of its cost column over all objects, the first index on ties.
    static func resolveConflicts(cost: UnsafeBufferPointer<Float>, objects g: Int, marks: [Int32], owner: inout [Int32]) {
        let m = marks.count
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

/// The `k` smallest entries of a row, with reusable buffers.
struct SmallestK {
    private var values: [Float] = []
    private var indices: [Int32] = []

    private mutating func reserve(_ count: Int) {
        if values.count < count {
            values = [Float](repeating: 0, count: count)
            indices = [Int32](repeating: 0, count: count)
        }
    }

    /// Indices of the `min(k, count)` smallest values, lower index first among equals.
    mutating func lowerIndex(_ row: UnsafeBufferPointer<Float>, k: Int) -> ArraySlice<Int32> {
        let k = Swift.min(k, row.count)
        reserve(k)
        var filled = 0
        values.withUnsafeMutableBufferPointer { vals in
            indices.withUnsafeMutableBufferPointer { idx in
                for (i, v) in row.enumerated() {
                    if filled == k {
                        // Strictly smaller than the worst kept value: an equal later index loses.
                        guard v < vals[k - 1] else { continue }
                        filled -= 1
                    }
                    var j = filled
                    while j > 0 && vals[j - 1] > v { vals[j] = vals[j - 1]; idx[j] = idx[j - 1]; j -= 1 }
                    vals[j] = v
                    idx[j] = Int32(i)
                    filled += 1
                }
            }
        }
        return indices[0..<filled]
    }

    /// Indices (in no particular order) of the `min(k, count)` entries that
    /// `torch.topk(row, k, largest=False)` returns on the CPU (see `SelectionTies.torchTopK`).
    mutating func torchTopK(_ row: UnsafeBufferPointer<Float>, k: Int) -> ArraySlice<Int32> {
        let n = row.count
        let k = Swift.min(k, n)
        if k == 0 { return indices[0..<0] }
        if k * 64 <= n {
            reserve(k)
            values.withUnsafeMutableBufferPointer { v in
                indices.withUnsafeMutableBufferPointer { ix in
                    let q = TorchQueue(v: v.baseAddress!, ix: ix.baseAddress!)
                    for i in 0..<k { q.v[i] = row[i]; q.ix[i] = Int32(i) }
                    q.makeHeap(0, k)
                    var top = q.v[0]
                    for i in k..<n {
                        let x = row[i]
                        guard TorchQueue.less(x, top) else { continue }
                        q.adjustHeap(0, hole: 0, length: k, value: x, index: Int32(i))
                        top = q.v[0]
                    }
                }
            }
        } else {
            reserve(n)
            values.withUnsafeMutableBufferPointer { v in
                indices.withUnsafeMutableBufferPointer { ix in
                    let q = TorchQueue(v: v.baseAddress!, ix: ix.baseAddress!)
                    for i in 0..<n { q.v[i] = row[i]; q.ix[i] = Int32(i) }
                    let depth = 2 * (Int.bitWidth - 1 - n.leadingZeroBitCount)
                    q.introselect(0, nth: k - 1, last: n, depth: depth)
                }
            }
        }
        return indices[0..<k]
    }
}

/// libstdc++'s heap and introselect steps over (value, index) pairs, comparing values with
/// torch's smallest-first comparator (NaN last). Positions are absolute offsets.
private struct TorchQueue {
    let v: UnsafeMutablePointer<Float>
    let ix: UnsafeMutablePointer<Int32>

    @inline(__always) static func less(_ a: Float, _ b: Float) -> Bool { (!a.isNaN && b.isNaN) || a < b }
    @inline(__always) func less(_ a: Int, _ b: Int) -> Bool { TorchQueue.less(v[a], v[b]) }
    @inline(__always) func move(_ from: Int, to: Int) { v[to] = v[from]; ix[to] = ix[from] }
    @inline(__always) func swapAt(_ a: Int, _ b: Int) {
        let tv = v[a], ti = ix[a]
        v[a] = v[b]; ix[a] = ix[b]; v[b] = tv; ix[b] = ti
    }

    /// `std::__adjust_heap` on the heap at `first` followed by `std::__push_heap`.
    func adjustHeap(_ first: Int, hole start: Int, length: Int, value: Float, index: Int32) {
        let top = start
        var hole = start, second = start
        while second < (length - 1) / 2 {
            second = 2 * (second + 1)
            if less(first + second, first + second - 1) { second -= 1 }
            move(first + second, to: first + hole)
            hole = second
        }
        if length & 1 == 0 && second == (length - 2) / 2 {
            second = 2 * (second + 1)
            move(first + second - 1, to: first + hole)
            hole = second - 1
        }
        var parent = (hole - 1) / 2
        while hole > top && TorchQueue.less(v[first + parent], value) {
            move(first + parent, to: first + hole)
            hole = parent
            parent = (hole - 1) / 2
        }
        v[first + hole] = value
        ix[first + hole] = index
    }

    /// `std::__make_heap` on `[first, last)`.
    func makeHeap(_ first: Int, _ last: Int) {
        let length = last - first
        if length < 2 { return }
        var parent = (length - 2) / 2
        while true {
            adjustHeap(first, hole: parent, length: length, value: v[first + parent], index: ix[first + parent])
            if parent == 0 { return }
            parent -= 1
        }
    }

    /// `std::__heap_select(first, middle, last)`.
    func heapSelect(_ first: Int, _ middle: Int, _ last: Int) {
        makeHeap(first, middle)
        var i = middle
        while i < last {
            if less(i, first) {
                let value = v[i], index = ix[i]
                move(first, to: i)
                adjustHeap(first, hole: 0, length: middle - first, value: value, index: index)
            }
            i += 1
        }
    }

    /// `std::__introselect(first, nth, last, depth)`.
    func introselect(_ start: Int, nth: Int, last end: Int, depth limit: Int) {
        var first = start, last = end, depth = limit
        while last - first > 3 {
            if depth == 0 {
                heapSelect(first, nth + 1, last)
                swapAt(first, nth)
                return
            }
            depth -= 1
            let mid = first + (last - first) / 2
            moveMedianToFirst(first, first + 1, mid, last - 1)
            let cut = unguardedPartition(first + 1, last, pivot: first)
            if cut <= nth { first = cut } else { last = cut }
        }
        insertionSort(first, last)
    }

    func moveMedianToFirst(_ result: Int, _ a: Int, _ b: Int, _ c: Int) {
        if less(a, b) {
            if less(b, c) { swapAt(result, b) } else if less(a, c) { swapAt(result, c) } else { swapAt(result, a) }
        } else if less(a, c) {
            swapAt(result, a)
        } else if less(b, c) {
            swapAt(result, c)
        } else {
            swapAt(result, b)
        }
    }

    func unguardedPartition(_ start: Int, _ end: Int, pivot: Int) -> Int {
        var first = start, last = end
        while true {
            while less(first, pivot) { first += 1 }
            last -= 1
            while less(pivot, last) { last -= 1 }
            if !(first < last) { return first }
            swapAt(first, last)
            first += 1
        }
    }

    func insertionSort(_ first: Int, _ last: Int) {
        if first == last { return }
        var i = first + 1
        while i < last {
            let value = v[i], index = ix[i]
            if TorchQueue.less(value, v[first]) {
                var j = i
                while j > first { move(j - 1, to: j); j -= 1 }
                v[first] = value; ix[first] = index
            } else {
                var hole = i, next = i - 1
                while TorchQueue.less(value, v[next]) { move(next, to: hole); hole = next; next -= 1 }
                v[hole] = value; ix[hole] = index
            }
            i += 1
        }
    }
}
