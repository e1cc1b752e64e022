/// The levels of a scene's priors, with the regular-grid structure detected where present so
/// that separable geometric tests (point inside a box, anchor overlapping a box) and nearest-prior
/// searches visit only the rows and columns that can pass. Every query gives exactly the
/// priors a full scan would give, in increasing index order; levels that are not a regular
/// `(imageWidth / s) × (imageHeight / s)` row-major grid, those of a fractional stride included,
/// are scanned in full.
package struct PriorLevelGrid: Sendable {
    package struct Level: Sendable {
        /// Prior indices of the level.
        let range: Range<Int>
        /// Columns and rows when the level is a regular grid, else 0.
        let columns: Int
        let rows: Int
        var isGrid: Bool { columns > 0 }
        /// Index of the prior at column `c`, row `r` of a grid level.
        @inline(__always) func index(column c: Int, row r: Int) -> Int { range.lowerBound + r * columns + c }
    }

    let levels: [Level]

    /// A grid level has `cx` depending only on the column, `cy` only on the row (both strictly
    /// increasing) and both prior strides equal to the level stride, so that any per-prior value
    /// computed from `(cx, stride_x)` depends only on the column, and likewise for `y`.
    init(scene: Scene, levelRanges: [Range<Int>]) {
        let p = scene.priors
        var levels: [Level] = []
        for (l, range) in levelRanges.enumerated() {
            // A fractional stride lays no `W / s` grid: the level is scanned in full.
            let s = scene.wholeStride(level: l) ?? 0
            let w = s > 0 ? scene.imageWidth / s : 0, h = s > 0 ? scene.imageHeight / s : 0
            let (cells, overflow) = w.multipliedReportingOverflow(by: h)
            var grid = w > 0 && h > 0 && !overflow && range.count == cells
            if grid {
                let fs = Float(s), lo = range.lowerBound
                for c in 1..<max(w, 1) where !(p[4 * (lo + c)] > p[4 * (lo + c - 1)]) { grid = false; break }
                if grid { for r in 1..<max(h, 1) where !(p[4 * (lo + r * w) + 1] > p[4 * (lo + (r - 1) * w) + 1]) { grid = false; break } }
                if grid {
                    outer: for r in 0..<h {
                        let y = p[4 * (lo + r * w) + 1]
                        for c in 0..<w {
                            let i = lo + r * w + c
                            if p[4 * i] != p[4 * (lo + c)] || p[4 * i + 1] != y || p[4 * i + 2] != fs || p[4 * i + 3] != fs {
                                grid = false
                                break outer
                            }
                        }
                    }
                }
            }
            levels.append(Level(range: range, columns: grid ? w : 0, rows: grid ? h : 0))
        }
        self.levels = levels
    }

    /// The levels of `levelRanges` with none marked as a grid: every query scans the level.
    /// For scenes with explicit anchors, whose boxes need not follow the prior grid.
    init(scanning levelRanges: [Range<Int>]) {
        levels = levelRanges.map { Level(range: $0, columns: 0, rows: 0) }
    }

    /// Appends to `out`, in increasing order, every prior `i` of every level with
    /// `xTest(i) && yTest(i)`, where `xTest` may only depend on the prior's `cx, stride_x`
    /// and `yTest` only on `cy, stride_y`.
    func select(into out: inout [Int32], xTest: (Int) -> Bool, yTest: (Int) -> Bool) {
        for level in levels { select(level: level, into: &out, xTest: xTest, yTest: yTest) }
    }

    func select(level: Level, into out: inout [Int32], xTest: (Int) -> Bool, yTest: (Int) -> Bool) {
        if level.isGrid {
            var c0 = -1, c1 = -1
            var cols: [Int] = []
            for c in 0..<level.columns where xTest(level.index(column: c, row: 0)) {
                if c0 < 0 { c0 = c }
                c1 = c
                cols.append(c)
            }
            if cols.isEmpty { return }
            let contiguous = cols.count == c1 - c0 + 1
            for r in 0..<level.rows where yTest(level.index(column: 0, row: r)) {
                let base = level.index(column: 0, row: r)
                if contiguous {
                    for c in c0...c1 { out.append(Int32(base + c)) }
                } else {
                    for c in cols { out.append(Int32(base + c)) }
                }
            }
        } else {
            for i in level.range where xTest(i) && yTest(i) { out.append(Int32(i)) }
        }
    }
}
