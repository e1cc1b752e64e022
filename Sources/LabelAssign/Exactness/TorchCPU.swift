import Foundation

/// Float32 operations and selections written the way PyTorch's CPU kernels perform them, so
/// that ports of PyTorch references take the same discrete decisions.
enum TorchCPU {
    /// `torch.sigmoid` on one float32 value.
    @inline(__always) package static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

    /// `tensor.pow(e)` / `tensor ** e` for a scalar exponent: 0 and 1 short-cut, 0.5 is `sqrt`,
    /// -0.5 `rsqrt`, -1 the reciprocal, 2 / 3 / -2 products, anything else `pow` in double.
    @inline(__always) static func pow(_ x: Float, _ e: Double) -> Float {
        if e == 0 { return 1 }
        if e == 1 { return x }
        if e == 0.5 { return x.squareRoot() }
        if e == -0.5 { return 1 / x.squareRoot() }
        if e == -1 { return 1 / x }
        if e == 2 { return x * x }
        if e == 3 { return x * x * x }
        if e == -2 { return 1 / (x * x) }
        if e == 6 {
            // pow in double, as exact as the library pow after rounding to float32.
            let d = Double(x), d2 = d * d
            return Float(d2 * d2 * d2)
        }
        return Float(Foundation.pow(Double(x), e))
    }

    /// One (value, index) element of a top-k queue.
    struct Element { var value: Float; var index: Int32 }

    /// The indices `torch.topk(row, k, largest=True)` selects on the CPU for a row of `n` values
    /// that are all non-negative and zero except at `entries` (sorted by index; entries may
    /// hold zeros too). The order of the returned indices is unspecified.
    ///
    /// When `k · 64 <= n` PyTorch runs `std::partial_sort` (libstdc++ heap selection); that
    /// procedure is reproduced here step by step, so ties (in particular among the many zeros)
    /// are broken exactly as the reference breaks them. Otherwise PyTorch uses `nth_element`,
    /// whose tie order is not reproduced: ties then go to the lower index. `k` is clamped to `n`.
    /// With `dense`, `entries` holds every value of the row in index order (any sign) and the
    /// zero-padding assumption is not used.
    static func topkLargest(k requested: Int, n: Int, entries: UnsafeBufferPointer<Element>, dense: Bool = false) -> [Int32] {
        let k = min(requested, n)
        if k <= 0 { return [] }
        if k * 64 <= n {
            var heap = [Element](repeating: Element(value: 0, index: 0), count: k)
            var e = 0
            for j in 0..<k {
                while e < entries.count && Int(entries[e].index) < j { e += 1 }
                let v: Float = (e < entries.count && Int(entries[e].index) == j) ? entries[e].value : 0
                heap[j] = Element(value: v, index: Int32(j))
            }
            heap.withUnsafeMutableBufferPointer { h in
                makeHeap(h)
                // Values absent from a sparse row are 0 and never exceed the top (all values >= 0).
                for x in entries where Int(x.index) >= k {
                    if x.value > h[0].value { adjustHeap(h, hole: 0, length: k, value: x) }
                }
            }
            return heap.map(\.index)
        }
        // Lower index first among equal values.
        if dense {
            var all = Array(entries)
            all.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
            return all.prefix(k).map(\.index)
        }
        var positive = entries.filter { $0.value > 0 }
        positive.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
        var out = positive.prefix(k).map(\.index)
        if out.count < k {
            let taken = Set(positive.map(\.index))
            var i: Int32 = 0
            while out.count < k {
                if !taken.contains(i) { out.append(i) }
                i += 1
            }
        }
        return out
    }

    /// libstdc++ `__make_heap` with the comparator `a.value > b.value` (the top is the smallest).
    private static func makeHeap(_ h: UnsafeMutableBufferPointer<Element>) {
        let len = h.count
        if len < 2 { return }
        var parent = (len - 2) / 2
        while true {
            adjustHeap(h, hole: parent, length: len, value: h[parent])
            if parent == 0 { return }
            parent -= 1
        }
    }

    /// libstdc++ `__adjust_heap` followed by `__push_heap`.
    private static func adjustHeap(_ h: UnsafeMutableBufferPointer<Element>, hole start: Int, length len: Int, value: Element) {
        let top = start
        var hole = start
        var second = start
        while second < (len - 1) / 2 {
            second = 2 * (second + 1)
            if h[second].value > h[second - 1].value { second -= 1 }
            h[hole] = h[second]
            hole = second
        }
        if len & 1 == 0 && second == (len - 2) / 2 {
            second = 2 * (second + 1)
            h[hole] = h[second - 1]
            hole = second - 1
        }
        var parent = (hole - 1) / 2
        while hole > top && h[parent].value > value.value {
            h[hole] = h[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        h[hole] = value
    }
}
