/// Exact linear sum assignment (minimum-cost matching of the rows of a cost matrix to its columns).
///
/// A port of scipy's `linear_sum_assignment` (`scipy/optimize/rectangular_lsap/rectangular_lsap.cpp`,
/// the shortest augmenting path algorithm of Crouse 2016, IEEE TAES 52(4)), in float64 with the same
/// scan order and tie rules, so it returns the same pairs as scipy, ties included:
/// - a matrix with more rows than columns is transposed first; the pairs are then reported sorted by the
///   original row index;
/// - rows are augmented in order; each search scans the remaining columns in the list that starts as
///   `[nc-1, ..., 1, 0]` (so a constant matrix gives the identity) and loses its chosen column by a swap
///   with the last element;
/// - a column is chosen on a strictly lower reduced cost, or on an equal one when it is unassigned.
///
/// `+infinity` entries are forbidden pairs. NaN and `-infinity` entries are rejected (scipy: "matrix contains
/// invalid numeric entries"), and a matrix whose finite entries admit no complete matching of the shorter side
/// throws (scipy: "cost matrix is infeasible"). An empty matrix (no rows or no columns) has the empty matching,
/// total 0.
///
/// `maximize` is scipy's `linear_sum_assignment(C, maximize=True)`: the solver runs on `−C` (negated after the
/// transpose, as scipy does), so `-infinity` entries are the forbidden pairs and NaN and `+infinity` entries are
/// rejected; the total is still summed on `C`. A total that overflows is `±infinity`, as numpy's sum.
public enum LinearAssignment {
    /// A matching: `rows[k]` is matched with `cols[k]`; `rows` ascending; `total` is the sum of the
    /// matched costs (numpy's pairwise summation order, as `cost[rows, cols].sum()`).
    public typealias Result = (rows: [Int], cols: [Int], total: Double)

    /// Solves the minimum-cost (with `maximize`, maximum-weight) assignment of a row-major
    /// `rows × cols` float64 cost matrix. Returns `min(rows, cols)` pairs. Throws
    /// `LabelAssignError.invalidValue(field: "cost", ...)` naming the flat index of the first invalid
    /// entry (NaN or `-infinity`; NaN or `+infinity` with `maximize`), or with index `nil` when infeasible.
    public static func solve(cost: [Double], rows: Int, cols: Int, maximize: Bool = false) throws -> Result {
        try cost.withUnsafeBufferPointer { try solve($0, rows: rows, cols: cols, maximize: maximize) }
    }

    /// The same solver on a float32 cost matrix, widened to float64 first (as scipy does).
    public static func solve(widening cost: [Float], rows: Int, cols: Int, maximize: Bool = false) throws -> Result {
        try cost.withUnsafeBufferPointer { try solve($0, rows: rows, cols: cols, maximize: maximize) }
    }

    private static func solve<T: BinaryFloatingPoint>(_ cost: UnsafeBufferPointer<T>, rows: Int, cols: Int, maximize: Bool) throws -> Result {
        guard rows >= 0, cols >= 0 else {
            throw LabelAssignError.invalidParameter(name: "rows/cols", reason: "dimensions must be non-negative, got \(rows) × \(cols)")
        }
        let (entries, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow, cost.count == entries else {
            throw LabelAssignError.shapeMismatch(field: "cost", expected: overflow ? Int.max : entries, actual: cost.count)
        }
        // The solver's entries are `C` (or `−C` with maximize); NaN and -infinity fail `x > -infinity`.
        let sign: Double = maximize ? -1 : 1
        func firstInvalid() -> LabelAssignError? {
            for k in 0..<cost.count where !(sign * Double(cost[k]) > -.infinity) {
                let rule = maximize ? "NaN and +infinity are not allowed with maximize" : "NaN and -infinity are not allowed"
                return .invalidValue(field: "cost", index: k, reason: "\(Double(cost[k])) at row \(k / cols), column \(k % cols) (\(rule))")
            }
            return nil
        }
        if rows == 0 || cols == 0 {
            if let e = firstInvalid() { throw e }
            return ([], [], 0)
        }

        let transpose = cols < rows
        let nr = transpose ? cols : rows
        let nc = transpose ? rows : cols
        var colForRow = [Int](repeating: -1, count: nr)
        let feasible: Bool
        if !transpose, !maximize, T.self == Double.self {
            if let e = firstInvalid() { throw e }
            feasible = cost.withMemoryRebound(to: Double.self) { shortestAugmentingPath($0.baseAddress!, nr: nr, nc: nc, colForRow: &colForRow) }
        } else {
            // float64 copy in solving layout: transposed (in cache-sized tiles) when tall, negated with maximize.
            let work = UnsafeMutablePointer<Double>.allocate(capacity: rows * cols)
            defer { work.deallocate() }
            var valid = true   // checked while copying; the error is built only when needed
            if transpose {
                let tile = 32
                for ib in stride(from: 0, to: rows, by: tile) {
                    for jb in stride(from: 0, to: cols, by: tile) {
                        for i in ib..<min(ib + tile, rows) {
                            for j in jb..<min(jb + tile, cols) {
                                let x = sign * Double(cost[i * cols + j])
                                valid = valid && x > -.infinity
                                work[j * rows + i] = x
                            }
                        }
                    }
                }
            } else {
                for k in 0..<(rows * cols) {
                    let x = sign * Double(cost[k])
                    valid = valid && x > -.infinity
                    work[k] = x
                }
            }
            if !valid, let e = firstInvalid() { throw e }
            feasible = shortestAugmentingPath(work, nr: nr, nc: nc, colForRow: &colForRow)
        }
        guard feasible else { throw infeasible(nr: nr, transposed: transpose, maximize: maximize) }
        return matching(colForRow, transposed: transpose) { Double(cost[$0 * cols + $1]) }
    }

    /// The same solver on a float32 matrix already in the solver's layout, so that no float64 copy
    /// is made: the `rows × cols` cost row-major when `rows <= cols`, else its transpose (`cols ×
    /// rows` row-major, as scipy transposes a tall matrix). The entries are widened to float64 as
    /// they are read, so the pairs and the total are those of `solve(widening:)` on the
    /// `rows × cols` matrix, errors included (the index named is the flat `rows × cols` one).
    package static func solve(float32 layout: UnsafeBufferPointer<Float>, rows: Int, cols: Int) throws -> Result {
        guard rows >= 0, cols >= 0, layout.count == rows * cols else {
            throw LabelAssignError.shapeMismatch(field: "cost", expected: max(rows, 0) * max(cols, 0), actual: layout.count)
        }
        let transpose = cols < rows
        let nr = transpose ? cols : rows, nc = transpose ? rows : cols
        func entry(_ i: Int, _ j: Int) -> Double { Double(transpose ? layout[j * rows + i] : layout[i * cols + j]) }
        var valid = true
        for x in layout { valid = valid && Double(x) > -.infinity }
        if !valid {
            for k in 0..<(rows * cols) where !(entry(k / cols, k % cols) > -.infinity) {
                let x = entry(k / cols, k % cols)
                throw LabelAssignError.invalidValue(field: "cost", index: k,
                                                    reason: "\(x) at row \(k / cols), column \(k % cols) (NaN and -infinity are not allowed)")
            }
        }
        if rows == 0 || cols == 0 { return ([], [], 0) }
        var colForRow = [Int](repeating: -1, count: nr)
        guard shortestAugmentingPath(layout.baseAddress!, nr: nr, nc: nc, colForRow: &colForRow) else {
            throw infeasible(nr: nr, transposed: transpose, maximize: false)
        }
        return matching(colForRow, transposed: transpose, entry)
    }

    private static func infeasible(nr: Int, transposed: Bool, maximize: Bool) -> LabelAssignError {
        .invalidValue(field: "cost", index: nil,
                      reason: "cost matrix is infeasible: no complete matching of \(nr) \(transposed ? "columns" : "rows") avoids \(maximize ? "-" : "+")infinity entries")
    }

    /// The pairs of the solver's `colForRow`, by ascending original row, and their total summed
    /// as numpy sums `cost[rows, cols]`; `entry(i, j)` is the original `(row, column)` cost.
    private static func matching(_ colForRow: [Int], transposed: Bool, _ entry: (Int, Int) -> Double) -> Result {
        let nr = colForRow.count
        var outRows = [Int](repeating: 0, count: nr)
        var outCols = [Int](repeating: 0, count: nr)
        if transposed {
            // colForRow maps each original column to its original row: report by ascending original row.
            let order = (0..<nr).sorted { colForRow[$0] < colForRow[$1] }
            for (k, j) in order.enumerated() { outRows[k] = colForRow[j]; outCols[k] = j }
        } else {
            for i in 0..<nr { outRows[i] = i; outCols[i] = colForRow[i] }
        }
        var picked = [Double](repeating: 0, count: nr)
        for k in 0..<nr { picked[k] = entry(outRows[k], outCols[k]) }
        return (outRows, outCols, pairwiseSum(picked))
    }

    /// Crouse's shortest augmenting path on a `nr × nc` matrix with `nr <= nc`. Fills `colForRow`;
    /// returns false when some row cannot be matched at finite cost.
    ///
    /// The columns still to scan are kept packed in scan order (`remCol`), together with their running
    /// shortest-path cost, dual, "unassigned" flag and improving step, so the hot loop reads memory sequentially;
    /// removing a column moves the last packed entry into its place, exactly as scipy's
    /// `remaining[index] = remaining[--num_remaining]`, so the scan order and the choices are scipy's.
    /// The predecessor of a column is kept as the step of the search that last improved it (a
    /// branch-free masked store), and turned into scipy's `path[j]` row when the column is removed.
    private static func shortestAugmentingPath<T: BinaryFloatingPoint>(_ cp: UnsafePointer<T>, nr: Int, nc: Int,
                                                                    colForRow: inout [Int]) -> Bool {
        func buffer<E>(_ count: Int, _ value: E) -> UnsafeMutablePointer<E> {
            let p = UnsafeMutablePointer<E>.allocate(capacity: max(count, 1))
            p.initialize(repeating: value, count: max(count, 1))
            return p
        }
        let u = buffer(nr, 0.0), v = buffer(nc, 0.0)
        let spc = buffer(nc, Double.infinity)          // shortest-path cost of removed columns
        let path = buffer(nc, -1)                       // predecessor row of removed columns
        let rowForCol = buffer(nc, -1)
        let remCol = buffer(nc, 0), remSpc = buffer(nc, Double.infinity), remV = buffer(nc, 0.0)
        let remFree = buffer(nc, false)
        let remStep = buffer(nc, Int64(0))
        // The row of each step of the current search (the rows of one search are distinct).
        let stepRow = buffer(nr, 0)
        let visitedCols = buffer(nc, 0)
        defer {
            for p in [u, v, spc, remSpc, remV] as [UnsafeMutablePointer<Double>] { p.deallocate() }
            for p in [path, rowForCol, remCol, stepRow, visitedCols] as [UnsafeMutablePointer<Int>] { p.deallocate() }
            remFree.deallocate(); remStep.deallocate()
        }
        return colForRow.withUnsafeMutableBufferPointer { colForRow in
            for curRow in 0..<nr {
                // One search: shortest path from curRow to an unassigned column.
                // Scan order starts as [nc-1, ..., 0].
                for it in 0..<nc {
                    let j = nc - 1 - it
                    remCol[it] = j
                    remSpc[it] = .infinity
                    remV[it] = v[j]
                    remFree[it] = rowForCol[j] == -1
                }
                var numRemaining = nc
                var nSteps = 0, nCols = 0
                var minVal = 0.0
                var i = curRow
                var sink = -1
                while sink == -1 {
                    let ui = u[i]
                    stepRow[nSteps] = i
                    nSteps += 1
                    var index = -1
                    var lowest = Double.infinity
                    let rowCost = cp + i * nc
                    // Relax two packed columns at a time (vector selects, no data-dependent branches),
                    // then pick the lowest in scan order with scipy's tie rule.
                    let step = Int64(nSteps - 1)
                    let minVal2 = SIMD2<Double>(repeating: minVal), ui2 = SIMD2<Double>(repeating: ui)
                    let step2 = SIMD2<Int64>(repeating: step)
                    let spRaw = UnsafeMutableRawPointer(remSpc), vRaw = UnsafeRawPointer(remV)
                    let stRaw = UnsafeMutableRawPointer(remStep)
                    var it = 0
                    while it + 2 <= numRemaining {
                        let c = SIMD2<Double>(Double(rowCost[remCol[it]]), Double(rowCost[remCol[it + 1]]))
                        let r = minVal2 + c - ui2 - vRaw.loadUnaligned(fromByteOffset: it * 8, as: SIMD2<Double>.self)
                        let old = spRaw.loadUnaligned(fromByteOffset: it * 8, as: SIMD2<Double>.self)
                        let better = r .< old
                        let s2 = old.replacing(with: r, where: better)
                        spRaw.storeBytes(of: s2, toByteOffset: it * 8, as: SIMD2<Double>.self)
                        let st = stRaw.loadUnaligned(fromByteOffset: it * 8, as: SIMD2<Int64>.self)
                        stRaw.storeBytes(of: st.replacing(with: step2, where: better), toByteOffset: it * 8, as: SIMD2<Int64>.self)
                        if s2[0] < lowest || (s2[0] == lowest && remFree[it]) { lowest = s2[0]; index = it }
                        if s2[1] < lowest || (s2[1] == lowest && remFree[it + 1]) { lowest = s2[1]; index = it + 1 }
                        it += 2
                    }
                    if it < numRemaining {
                        let r = minVal + Double(rowCost[remCol[it]]) - ui - remV[it]
                        if r < remSpc[it] { remSpc[it] = r; remStep[it] = step }
                        let s = remSpc[it]
                        if s < lowest || (s == lowest && remFree[it]) { lowest = s; index = it }
                    }
                    minVal = lowest
                    if minVal == .infinity { return false }
                    let j = remCol[index]
                    spc[j] = remSpc[index]
                    path[j] = stepRow[Int(remStep[index])]
                    if rowForCol[j] == -1 { sink = j } else { i = rowForCol[j] }
                    visitedCols[nCols] = j
                    nCols += 1
                    numRemaining -= 1
                    remCol[index] = remCol[numRemaining]
                    remSpc[index] = remSpc[numRemaining]
                    remV[index] = remV[numRemaining]
                    remFree[index] = remFree[numRemaining]
                    remStep[index] = remStep[numRemaining]
                }
                // Dual update (each visited row / column once; the order does not matter).
                u[curRow] += minVal
                for t in 1..<nSteps {
                    let r = stepRow[t]
                    u[r] += minVal - spc[colForRow[r]]
                }
                for k in 0..<nCols {
                    let j = visitedCols[k]
                    v[j] -= minVal - spc[j]
                }
                // Augment along the path.
                var j = sink
                while true {
                    let r = path[j]
                    rowForCol[j] = r
                    swap(&colForRow[r], &j)
                    if r == curRow { break }
                }
            }
            return true
        }
    }

    /// numpy's pairwise summation of a contiguous float64 array (`np.add.reduce`), for totals
    /// that match `cost[rows, cols].sum()` to the last bit.
    static func pairwiseSum(_ a: [Double]) -> Double {
        a.withUnsafeBufferPointer { b in b.isEmpty ? 0 : 0 + pairwise(b.baseAddress!, b.count) }
    }

    private static func pairwise(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        if n < 8 {
            var res = -0.0
            for i in 0..<n { res += a[i] }
            return res
        } else if n <= 128 {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            while i < n - n % 8 {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n { res += a[i]; i += 1 }
            return res
        } else {
            var n2 = n / 2
            n2 -= n2 % 8
            return pairwise(a, n2) + pairwise(a + n2, n - n2)
        }
    }
}
