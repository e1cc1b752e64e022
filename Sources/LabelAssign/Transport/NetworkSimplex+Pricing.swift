/// The pricing of `NetworkSimplex`: POT's block search, with tiles that provably hold no
/// improving arc skipped.
///
/// A tile is 32 consecutive columns of one row. Its bound `(tileMin + π_s) − columnMax` is at
/// most every reduced cost `(C + π_s) − π_t` in it, also in floating point: rounded addition is
/// monotone in each operand, `tileMin` is at most every cost in the tile and `columnMax` at least
/// every `π_t`. When the bound is not below the block's current best, no arc of the tile would
/// replace it in POT's sequential scan, so skipping the tile picks the same arc.
extension NetworkSimplex {
    /// POT's `BlockSearchPivotRule::findEnteringArc()`: blocks of `blockSize` arcs from
    /// `nextArc`, wrapping around; after each block, the best arc so far enters if its reduced
    /// cost is below `−epsilon · max(|π_s|, |π_t|, |C|)`; the search resumes at the arc that
    /// ended that block.
    func findEnteringArc() -> Bool {
        var best = 0.0
        var count = blockSize
        for (low, high) in [(nextArc, arcCount), (0, nextArc)] {
            var e = low
            while e < high {
                let rowEnd = (e / m + 1) * m
                let length = min(count, high - e, rowEnd - e)
                scanChunk(from: e, length: length, best: &best)
                e += length
                count -= length
                if count == 0 {
                    if best < -Self.epsilon * magnitude(inArc) { nextArc = e - 1; return true }
                    count = blockSize
                }
            }
        }
        return best < -Self.epsilon * magnitude(inArc)
    }

    /// `max(|π_source|, |π_target|, |cost|)` of an arc, as POT compares them.
    @inline(__always) private func magnitude(_ e: Int) -> Double {
        let ps = abs(pi[source(e)]), pt = abs(pi[target(e)]), c = abs(cost(e))
        let a = ps > pt ? ps : pt
        return a > c ? a : c
    }

    /// Arcs `from ..< from + length` of one row: runs of tiles that may improve are evaluated
    /// together, in order. (A tile checked against a `best` that its run has not yet lowered is
    /// only skipped more rarely, never wrongly.)
    @inline(__always) private func scanChunk(from e0: Int, length: Int, best: inout Double) {
        let r = e0 / m
        let ps = pi[m + r]
        let tiles = tileMin + r * tilesPerRow
        var c = e0 - r * m
        let end = c + length
        var run = -1
        while c < end {
            let k = c >> Self.tileShift
            if (tiles[k] + ps) - columnMaximum(k) >= best {
                if run >= 0 { scanRange(row: r, from: run, to: c, ps: ps, best: &best); run = -1 }
            } else if run < 0 {
                run = c
            }
            c = min((k + 1) << Self.tileShift, end)
        }
        if run >= 0 { scanRange(row: r, from: run, to: end, ps: ps, best: &best) }
    }

    /// The largest potential of demand-node tile `k`.
    @inline(__always) private func columnMaximum(_ k: Int) -> Double {
        if columnDirty[k] {
            let low = k << Self.tileShift, high = min(low + (1 << Self.tileShift), m)
            var x = pi[low]
            for c in (low + 1)..<max(high, low + 1) where pi[c] > x { x = pi[c] }
            columnMax[k] = x
            columnDirty[k] = false
        }
        return columnMax[k]
    }

    /// Reduced costs of columns `c0 ..< c1` of row `r`: when their minimum is below `best`, it
    /// becomes `best` and its first arc `inArc`.
    @inline(__always) private func scanRange(row r: Int, from c0: Int, to c1: Int, ps: Double, best: inout Double) {
        let e0 = r * m + c0, length = c1 - c0
        let costs = UnsafeRawPointer(scan + e0), pt = UnsafeRawPointer(pi + c0)
        let stride = MemoryLayout<Double>.stride
        var low = SIMD4<Double>(repeating: .infinity)
        var k = 0
        while k + 4 <= length {
            let x = (costs.loadUnaligned(fromByteOffset: k * stride, as: SIMD4<Double>.self) + ps)
                - pt.loadUnaligned(fromByteOffset: k * stride, as: SIMD4<Double>.self)
            low.replace(with: x, where: x .< low)
            k += 4
        }
        var chunkMin = low.min()
        while k < length {
            let x = (scan[e0 + k] + ps) - pi[c0 + k]
            if x < chunkMin { chunkMin = x }
            k += 1
        }
        guard chunkMin < best else { return }
        for j in 0..<length where (scan[e0 + j] + ps) - pi[c0 + j] == chunkMin {
            best = chunkMin
            inArc = e0 + j
            return
        }
    }

    /// Keeps `tileMin` a lower bound after `scan[e]` changed: exact again when it rose (an arc
    /// entered the tree), lowered when it fell (an arc left it).
    func scanChanged(_ e: Int) {
        let r = e / m, k = (e - r * m) >> Self.tileShift
        let t = r * tilesPerRow + k
        if scan[e] < tileMin[t] { tileMin[t] = scan[e]; return }
        let low = r * m + (k << Self.tileShift), high = r * m + min((k + 1) << Self.tileShift, m)
        var x = Double.infinity
        for f in low..<high where scan[f] < x { x = scan[f] }
        tileMin[t] = x
    }
}
