/// `torch.topk` on the CPU, reproduced entry for entry: the set of indices PyTorch 2.x's
/// `topk_impl_loop` (aten/src/ATen/native/TopKImpl.h) keeps, ties included.
///
/// PyTorch copies the row into (value, index) pairs and, when `64·k <= n`, runs
/// `std::partial_sort` (whose selection is libstdc++'s `__heap_select` over the first `k`
/// positions), else `std::nth_element` (`__introselect` with depth limit `2·⌊log2 n⌋`). Both
/// compare values only: largest first `(isnan(a) && !isnan(b)) || a > b` (NaN counts as the
/// largest), smallest first `(!isnan(a) && isnan(b)) || a < b` (NaN last). Which of several equal
/// values survive therefore depends on where those steps move them, and this type takes the same
/// steps. Exact float32 ties do occur in the references: zero alignment metrics in TAL, grid
/// distances in ATSS, penalised costs near 1e5 in SimOTA.
///
/// Rows are dense (`UnsafeBufferPointer<Float>`, index = position) or sparse (`Element`s sorted
/// by index; every index not listed holds 0). Selected indices are returned in the order the
/// steps leave them (unspecified for `.torch`, best first for `.lowerIndex`). Buffers are kept
/// between calls.
package struct TorchTopK {
    /// One (value, index) entry of a sparse row.
    package struct Element: Sendable {
        package var value: Float
        package var index: Int32
        package init(value: Float, index: Int32) {
            self.value = value
            self.index = index
        }
    }

    /// `largest=False` or `largest=True`.
    package enum Order: Sendable {
        case smallest, largest
    }

    /// Which of several equal values the selection keeps.
    package enum Ties: Sendable {
        /// What `torch.topk` keeps: heap selection when `64·k <= n`, else introselect.
        case torch
        /// The lower index wins.
        case lowerIndex
        /// `torch` when `64·k <= n` (PyTorch's heap selection); below that, the lower index
        /// (the introselect tie order is not followed).
        case torchHeapOrLowerIndex
    }

    private var values: [Float] = []
    private var indices: [Int32] = []

    package init() {}

    /// The `min(k, row.count)` indices selected from a dense row.
    package mutating func select(_ row: UnsafeBufferPointer<Float>, k: Int, order: Order,
                                 ties: Ties = .torch) -> ArraySlice<Int32> {
        switch order {
        case .smallest: return select(Dense(row: row), k: k, ties: ties, SmallestFirst.self)
        case .largest: return select(Dense(row: row), k: k, ties: ties, LargestFirst.self)
        }
    }

    /// The `min(k, n)` indices selected from a sparse row of `n` values: `entries` (increasing
    /// indices below `n`) and 0 everywhere else.
    package mutating func select(sparse entries: UnsafeBufferPointer<Element>, count n: Int, k: Int, order: Order,
                                 ties: Ties = .torch) -> ArraySlice<Int32> {
        switch order {
        case .smallest: return select(Sparse(entries: entries, count: n), k: k, ties: ties, SmallestFirst.self)
        case .largest: return select(Sparse(entries: entries, count: n), k: k, ties: ties, LargestFirst.self)
        }
    }

    /// One selection from a dense row, with fresh buffers.
    package static func indices(of row: UnsafeBufferPointer<Float>, k: Int, order: Order, ties: Ties = .torch) -> [Int32] {
        var selection = TorchTopK()
        return Array(selection.select(row, k: k, order: order, ties: ties))
    }

    /// One selection from a sparse row, with fresh buffers.
    package static func indices(ofSparse entries: UnsafeBufferPointer<Element>, count n: Int, k: Int, order: Order,
                                ties: Ties = .torch) -> [Int32] {
        var selection = TorchTopK()
        return Array(selection.select(sparse: entries, count: n, k: k, order: order, ties: ties))
    }

    // MARK: - Selection

    private mutating func reserve(_ count: Int) {
        if values.count < count {
            values = [Float](repeating: 0, count: count)
            indices = [Int32](repeating: 0, count: count)
        }
    }

    private mutating func select<R: TopKRow, C: TopKComparator>(_ row: R, k requested: Int, ties: Ties, _: C.Type) -> ArraySlice<Int32> {
        let n = row.count
        let k = Swift.min(requested, n)
        if k <= 0 { return indices[0..<0] }
        let heap = k * 64 <= n
        if ties == .lowerIndex || (ties == .torchHeapOrLowerIndex && !heap) {
            return lowerIndex(row, k: k, C.self)
        }
        reserve(heap ? k : n)
        values.withUnsafeMutableBufferPointer { v in
            indices.withUnsafeMutableBufferPointer { ix in
                let steps = LibstdcxxSteps<C>(v: v.baseAddress!, ix: ix.baseAddress!)
                if heap {
                    // std::partial_sort: the heap of the first k, then every later value that
                    // comes before the top replaces it.
                    row.copy(0..<k, into: steps)
                    steps.makeHeap(0, k)
                    row.heapSelect(after: k, steps)
                } else {
                    // std::nth_element(first, first + k - 1, last).
                    row.copy(0..<n, into: steps)
                    steps.introselect(0, nth: k - 1, last: n, depth: 2 * (Int.bitWidth - 1 - n.leadingZeroBitCount))
                }
            }
        }
        return indices[0..<k]
    }

    /// The `k` best values, a strictly better value displacing the worst kept one, so that the
    /// lower index wins among equals; kept best first.
    private mutating func lowerIndex<R: TopKRow, C: TopKComparator>(_ row: R, k: Int, _: C.Type) -> ArraySlice<Int32> {
        reserve(k)
        var filled = 0
        values.withUnsafeMutableBufferPointer { v in
            indices.withUnsafeMutableBufferPointer { ix in
                row.forEach { x, i in
                    if filled == k {
                        guard C.before(x, v[k - 1]) else { return }
                        filled -= 1
                    }
                    var j = filled
                    while j > 0 && C.before(x, v[j - 1]) { v[j] = v[j - 1]; ix[j] = ix[j - 1]; j -= 1 }
                    v[j] = x
                    ix[j] = Int32(i)
                    filled += 1
                }
            }
        }
        return indices[0..<filled]
    }
}

// MARK: - Comparators

/// torch's value comparator of one `topk` direction.
private protocol TopKComparator {
    static func before(_ a: Float, _ b: Float) -> Bool
}

/// `largest=False`: `(!isnan(a) && isnan(b)) || a < b`, evaluated as the equivalent
/// `!(a >= b) && a == a` (one comparison of a with b, one of a with itself).
private enum SmallestFirst: TopKComparator {
    @inline(__always) static func before(_ a: Float, _ b: Float) -> Bool { !(a >= b) && a == a }
}

/// `largest=True`: `(isnan(a) && !isnan(b)) || a > b`, evaluated as the equivalent
/// `!(a <= b) && b == b`.
private enum LargestFirst: TopKComparator {
    @inline(__always) static func before(_ a: Float, _ b: Float) -> Bool { !(a <= b) && b == b }
}

// MARK: - Rows

/// A row of `count` values read in index order.
private protocol TopKRow {
    var count: Int { get }
    /// Copies the values at `range` (with their indices) to the same positions of the buffers.
    func copy<C: TopKComparator>(_ range: Range<Int>, into steps: LibstdcxxSteps<C>)
    /// Calls `body(value, index)` for every index in order.
    func forEach(_ body: (Float, Int) -> Void)
    /// The rest of `std::__heap_select` once the heap holds positions `0..<k`: in index order,
    /// every value from `k` on that comes before the heap's top takes its place.
    func heapSelect<C: TopKComparator>(after k: Int, _ steps: LibstdcxxSteps<C>)
}

private struct Dense: TopKRow {
    let row: UnsafeBufferPointer<Float>
    var count: Int { row.count }

    func copy<C: TopKComparator>(_ range: Range<Int>, into steps: LibstdcxxSteps<C>) {
        for i in range { steps.v[i] = row[i]; steps.ix[i] = Int32(i) }
    }

    func forEach(_ body: (Float, Int) -> Void) {
        for i in 0..<row.count { body(row[i], i) }
    }

    func heapSelect<C: TopKComparator>(after k: Int, _ steps: LibstdcxxSteps<C>) {
        var top = steps.v[0]
        for i in k..<row.count where C.before(row[i], top) {
            steps.adjustHeap(0, hole: 0, length: k, value: row[i], index: Int32(i))
            top = steps.v[0]
        }
    }
}

private struct Sparse: TopKRow {
    let entries: UnsafeBufferPointer<TorchTopK.Element>
    let count: Int

    /// The first entry whose index is at least `index`.
    private func firstEntry(from index: Int) -> Int {
        var e = 0
        while e < entries.count && Int(entries[e].index) < index { e += 1 }
        return e
    }

    func copy<C: TopKComparator>(_ range: Range<Int>, into steps: LibstdcxxSteps<C>) {
        var e = firstEntry(from: range.lowerBound)
        for i in range {
            let listed = e < entries.count && Int(entries[e].index) == i
            steps.v[i] = listed ? entries[e].value : 0
            steps.ix[i] = Int32(i)
            if listed { e += 1 }
        }
    }

    func forEach(_ body: (Float, Int) -> Void) {
        var e = 0
        for i in 0..<count {
            let listed = e < entries.count && Int(entries[e].index) == i
            body(listed ? entries[e].value : 0, i)
            if listed { e += 1 }
        }
    }

    /// The zeros between entries are visited one by one only while a zero comes before the top
    /// (never, for a row of non-negative values selected largest first). The top changes only
    /// when a value enters, so `zeroEnters` can only become true there, and `i` (the first
    /// position after the entries handled so far) is only needed from then on.
    func heapSelect<C: TopKComparator>(after k: Int, _ steps: LibstdcxxSteps<C>) {
        var top = steps.v[0]
        var zeroEnters = C.before(0, top)
        var i = k
        @inline(__always) func enter(_ x: Float, _ position: Int) {
            steps.adjustHeap(0, hole: 0, length: k, value: x, index: Int32(position))
            top = steps.v[0]
            zeroEnters = C.before(0, top)
        }
        for e in firstEntry(from: k)..<entries.count {
            let next = Int(entries[e].index)
            if zeroEnters {
                while zeroEnters && i < next { enter(0, i); i += 1 }
                i = next + 1
            }
            let x = entries[e].value
            if C.before(x, top) {
                enter(x, next)
                i = next + 1
            }
        }
        while zeroEnters && i < count { enter(0, i); i += 1 }
    }
}

// MARK: - libstdc++ steps

/// libstdc++'s heap and introselect steps (`bits/stl_heap.h`, `bits/stl_algo.h`) over
/// (value, index) pairs held in two buffers, comparing values with `C`. Positions are absolute.
private struct LibstdcxxSteps<C: TopKComparator> {
    let v: UnsafeMutablePointer<Float>
    let ix: UnsafeMutablePointer<Int32>

    @inline(__always) func less(_ a: Int, _ b: Int) -> Bool { C.before(v[a], v[b]) }
    @inline(__always) func move(_ from: Int, to: Int) { v[to] = v[from]; ix[to] = ix[from] }
    @inline(__always) func swapAt(_ a: Int, _ b: Int) {
        let tv = v[a], ti = ix[a]
        v[a] = v[b]; ix[a] = ix[b]; v[b] = tv; ix[b] = ti
    }

    /// `std::__adjust_heap` on the heap at `first` followed by `std::__push_heap` (inlined into the
    /// selection loops, the hot path of a heap selection).
    @inline(__always) func adjustHeap(_ first: Int, hole start: Int, length: Int, value: Float, index: Int32) {
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
        while hole > top && C.before(v[first + parent], value) {
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

    /// `std::__move_median_to_first`.
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

    /// `std::__unguarded_partition`.
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

    /// `std::__insertion_sort`.
    func insertionSort(_ first: Int, _ last: Int) {
        if first == last { return }
        var i = first + 1
        while i < last {
            let value = v[i], index = ix[i]
            if C.before(value, v[first]) {
                var j = i
                while j > first { move(j - 1, to: j); j -= 1 }
                v[first] = value; ix[first] = index
            } else {
                var hole = i, next = i - 1
                while C.before(value, v[next]) { move(next, to: hole); hole = next; next -= 1 }
                v[hole] = value; ix[hole] = index
            }
            i += 1
        }
    }
}
