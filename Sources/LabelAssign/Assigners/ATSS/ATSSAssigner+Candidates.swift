/// The candidate stage of mmdet 3.3 `ATSSAssigner.assign`: centre distances and, on every level,
/// the `topk` anchors nearest to the object centre (`distances[start_idx:end_idx].topk(...,
/// largest=False)`).
extension ATSSAssigner {
    /// mmdet's centre distance `sqrt((px - gx)^2 + (py - gy)^2)` in float32.
    @inline(__always) static func distance(_ px: Float, _ py: Float, _ gx: Float, _ gy: Float) -> Float {
        let dx = px - gx, dy = py - gy
        return (dx * dx + dy * dy).squareRoot()
    }

    /// The distance of anchor `i` to `(gx, gy)`: `ignoredDistance` for an ignored anchor.
    @inline(__always) static func distance(_ i: Int, _ c: AnchorCentres, _ gx: Float, _ gy: Float) -> Float {
        if let ignored = c.ignored, ignored[i] { return ignoredDistance }
        return distance(c.x[i], c.y[i], gx, gy)
    }

    /// `candidate_idxs`: per level, the `min(topk, level size)` anchors nearest to the object
    /// centre, levels in order, into `scratch.candidates`.
    func candidatesByDistance(_ grid: PriorLevelGrid, object b: UnsafePointer<Float>, centres: AnchorCentres,
                              scratch: inout CandidateScratch) {
        let gx = (b[0] + b[2]) / 2, gy = (b[1] + b[3]) / 2
        scratch.candidates.removeAll(keepingCapacity: true)
        for level in grid.levels {
            let k = min(configuration.topk, level.range.count)
            if k <= 0 { continue }
            scratch.nearest.removeAll(keepingCapacity: true)
            if level.isGrid {
                Self.nearestInWindow(level: level, k: k, gx: gx, gy: gy, centres: centres, into: &scratch.nearest)
            } else {
                for i in level.range { scratch.nearest.append((Self.distance(i, centres, gx, gy), Int32(i))) }
                scratch.nearest.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
            }
            let count = scratch.nearest.count
            if count > k && scratch.nearest[k].d == scratch.nearest[k - 1].d && k * 64 <= level.range.count {
                Self.torchTieOrder(level: level, k: k, gx: gx, gy: gy, centres: centres, into: &scratch.candidates)
            } else {
                for j in 0..<min(k, count) { scratch.candidates.append(scratch.nearest[j].i) }
            }
        }
    }

    /// Grid levels: the anchors of a window around the column and row nearest to the centre,
    /// sorted (distance, then lower index); the window doubles until it holds `k` anchors and
    /// the `k`-th is nearer than any anchor outside it (`outsideBound`), or covers the level.
    static func nearestInWindow(level: PriorLevelGrid.Level, k: Int, gx: Float, gy: Float, centres c: AnchorCentres,
                                into out: inout [(d: Float, i: Int32)]) {
        let cols = level.columns, rows = level.rows
        var c0 = 0, r0 = 0
        var bestX = Float.infinity, bestY = Float.infinity
        for col in 0..<cols {
            let d = abs(c.x[level.index(column: col, row: 0)] - gx)
            if d < bestX { bestX = d; c0 = col }
        }
        for r in 0..<rows {
            let d = abs(c.y[level.index(column: 0, row: r)] - gy)
            if d < bestY { bestY = d; r0 = r }
        }
        var radius = 2
        while true {
            let cl = max(c0 - radius, 0), ch = min(c0 + radius, cols - 1)
            let rl = max(r0 - radius, 0), rh = min(r0 + radius, rows - 1)
            out.removeAll(keepingCapacity: true)
            for r in rl...rh {
                for col in cl...ch {
                    let i = level.index(column: col, row: r)
                    out.append((distance(i, c, gx, gy), Int32(i)))
                }
            }
            let whole = cl == 0 && rl == 0 && ch == cols - 1 && rh == rows - 1
            if out.count >= k {
                out.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
                if whole { return }
                let bound = outsideBound(level: level, columns: cl...ch, rows: rl...rh, gx: gx, gy: gy, centres: c)
                if out[k - 1].d < bound { return }
            } else if whole {
                return
            }
            radius *= 2
        }
    }

    /// A lower bound of the distance of any anchor outside the window `columns × rows`: the
    /// nearest outside column or row offset (or `ignoredDistance`).
    static func outsideBound(level: PriorLevelGrid.Level, columns: ClosedRange<Int>, rows: ClosedRange<Int>,
                             gx: Float, gy: Float, centres c: AnchorCentres) -> Float {
        var lowX = Float.infinity, lowY = Float.infinity
        for col in 0..<level.columns where !columns.contains(col) {
            let dx = c.x[level.index(column: col, row: 0)] - gx
            lowX = min(lowX, (dx * dx).squareRoot())
        }
        for r in 0..<level.rows where !rows.contains(r) {
            let dy = c.y[level.index(column: 0, row: r)] - gy
            lowY = min(lowY, (dy * dy).squareRoot())
        }
        return min(lowX, lowY, ignoredDistance)
    }

    /// A tie at the `k`-th distance on a level of at least `64 · topk` anchors: PyTorch's CPU
    /// top-k (partial sort over the level) decides which tied anchors are kept; reproduced over
    /// the whole level with `TorchTopK`, appended sorted (distance, then lower index).
    static func torchTieOrder(level: PriorLevelGrid.Level, k: Int, gx: Float, gy: Float, centres: AnchorCentres,
                              into out: inout [Int32]) {
        var distances = [Float]()
        distances.reserveCapacity(level.range.count)
        for i in level.range { distances.append(distance(i, centres, gx, gy)) }
        let picked = distances.withUnsafeBufferPointer { TorchTopK.indices(of: $0, k: k, order: .smallest) }
        var chosen = picked.map { (d: distances[Int($0)], i: Int32(level.range.lowerBound) + $0) }
        chosen.sort { $0.d != $1.d ? $0.d < $1.d : $0.i < $1.i }
        for c in chosen { out.append(c.i) }
    }
}
