import _LabelAssignKernels

/// An object box `(x1, y1, x2, y2)`.
typealias ObjectBox = (Float, Float, Float, Float)

/// The scene's prior levels (as `Scene.levelRanges`) with, for every level that is a regular
/// `(imageWidth / s) × (imageHeight / s)` row-major grid (prior `x` depending only on the column,
/// `y` only on the row, both strictly increasing, both strides equal to `s`), the anchors' left and
/// right edges per column and top and bottom edges per row. Other levels are scanned prior by prior.
struct AnchorLevels {
    struct Level {
        let range: Range<Int>
        /// Columns and rows of a grid level, else 0.
        let columns: Int
        let rows: Int
        /// Where the level's columns start in `x1`, `x2` and its rows in `y1`, `y2`.
        let columnStart: Int
        let rowStart: Int
    }

    private(set) var levels: [Level] = []
    /// Anchor edges per grid column (`x1`, `x2`) and per grid row (`y1`, `y2`), in workspace buffers.
    private(set) var x1, x2, y1, y2: UnsafeMutableBufferPointer<Float>
    /// Priors `0..<coveredPriors` belong to a level.
    private(set) var coveredPriors = 0
    private(set) var maxColumns = 0, maxRows = 0

    init(scene s: Scene, scale: Float, workspace: Workspace) {
        var ex1: [Float] = [], ex2: [Float] = [], ey1: [Float] = [], ey2: [Float] = []
        var found: [Level] = [], covered = 0, columns = 0, rows = 0
        s.priors.withUnsafeBufferPointer { pb in
            for stride in s.strides {
                let level = Self.level(pb, from: covered, stride: stride, scene: s)
                found.append(Level(range: level.range, columns: level.columns, rows: level.rows,
                                   columnStart: ex1.count, rowStart: ey1.count))
                covered = level.range.upperBound
                guard level.columns > 0 else { continue }
                Self.appendEdges(pb, level, half: stride * scale / 2, &ex1, &ex2, &ey1, &ey2)
                columns = max(columns, level.columns)
                rows = max(rows, level.rows)
            }
        }
        levels = found; coveredPriors = covered; maxColumns = columns; maxRows = rows
        x1 = Self.copy(ex1, workspace); x2 = Self.copy(ex2, workspace)
        y1 = Self.copy(ey1, workspace); y2 = Self.copy(ey2, workspace)
    }

    private static func copy(_ a: [Float], _ workspace: Workspace) -> UnsafeMutableBufferPointer<Float> {
        let b = workspace.uninitialisedBuffer(a.count, of: Float.self)
        _ = b.initialize(from: a)
        return b
    }

    /// The level of stride `stride` starting at prior `lo`: a level is the run of priors with
    /// stride_x == s (Scene.levelRanges); a grid level ends after w · h priors that pass the grid
    /// test (which checks the strides). Edge starts are left 0 (filled by `init`).
    private static func level(_ pb: UnsafeBufferPointer<Float>, from lo: Int, stride fs: Float, scene s: Scene) -> Level {
        let p = pb.baseAddress!, n = pb.count / 4
        // A fractional stride lays no `W / s` grid: its level is scanned prior by prior.
        let whole = Scene.whole(fs) ?? 0
        let w = whole > 0 ? s.imageWidth / whole : 0, h = whole > 0 ? s.imageHeight / whole : 0
        let (count, overflow) = w.multipliedReportingOverflow(by: h)
        if w > 0, h > 0, !overflow, count <= n - lo, !(lo + count < n && p[4 * (lo + count) + 2] == fs),
           lak_priors_form_grid(p + 4 * lo, Int64(w), Int64(h), fs) != 0 {
            return Level(range: lo..<(lo + count), columns: w, rows: h, columnStart: 0, rowStart: 0)
        }
        var end = lo
        while end < n && p[4 * end + 2] == fs { end += 1 }
        return Level(range: lo..<end, columns: 0, rows: 0, columnStart: 0, rowStart: 0)
    }

    /// PriorGrid.anchorBoxes: half side = stride · scale / 2, subtracted from / added to the centre.
    private static func appendEdges(_ pb: UnsafeBufferPointer<Float>, _ level: Level, half: Float,
                                    _ x1: inout [Float], _ x2: inout [Float], _ y1: inout [Float], _ y2: inout [Float]) {
        let lo = level.range.lowerBound, w = level.columns
        for c in 0..<w {
            let cx = pb[4 * (lo + c)]
            x1.append(cx - half)
            x2.append(cx + half)
        }
        for r in 0..<level.rows {
            let cy = pb[4 * (lo + r * w) + 1]
            y1.append(cy - half)
            y2.append(cy + half)
        }
    }
}

/// The IoUs of one object with the anchors that intersect it, folded into the per-prior maxima
/// as they are computed. Scratch buffers come from the assignment's workspace.
struct ObjectScan {
    /// Largest IoU over the non-ignored intersecting anchors (-inf if none).
    private(set) var best: Float = -.infinity
    /// The anchors (increasing) whose IoU equals `best`: `ties[0..<tieCount]`.
    private let ties: UnsafeMutablePointer<Int32>
    private var tieCount: Int64 = 0
    private(set) var candidates = 0
    private(set) var ignoredCandidates: Int64 = 0
    private let levels: AnchorLevels
    private let priors: UnsafePointer<Float>, scale: Float, ignored: UnsafePointer<Bool>?
    private let maxIoU: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    // Intersecting columns / rows of one grid level: index, clamped overlap, anchor side.
    private let colIndex: UnsafeMutablePointer<Int32>, colOverlap: UnsafeMutablePointer<Float>, colSide: UnsafeMutablePointer<Float>
    private let rowIndex: UnsafeMutablePointer<Int32>, rowOverlap: UnsafeMutablePointer<Float>, rowSide: UnsafeMutablePointer<Float>
    /// One row of IoUs (kernel scratch).
    private let rowIoU: UnsafeMutablePointer<Float>

    init(priorCount: Int, levels: AnchorLevels, priors: UnsafePointer<Float>, scale: Float, ignored: UnsafePointer<Bool>?,
         maxIoU: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, workspace: Workspace) {
        self.levels = levels
        self.priors = priors; self.scale = scale; self.ignored = ignored
        self.maxIoU = maxIoU; self.argmax = argmax
        let columns = max(levels.maxColumns, 1), rows = max(levels.maxRows, 1)
        ties = workspace.uninitialisedBuffer(priorCount, of: Int32.self).baseAddress!
        colIndex = workspace.uninitialisedBuffer(columns, of: Int32.self).baseAddress!
        colOverlap = workspace.uninitialisedBuffer(columns, of: Float.self).baseAddress!
        colSide = workspace.uninitialisedBuffer(columns, of: Float.self).baseAddress!
        rowIoU = workspace.uninitialisedBuffer(columns, of: Float.self).baseAddress!
        rowIndex = workspace.uninitialisedBuffer(rows, of: Int32.self).baseAddress!
        rowOverlap = workspace.uninitialisedBuffer(rows, of: Float.self).baseAddress!
        rowSide = workspace.uninitialisedBuffer(rows, of: Float.self).baseAddress!
    }

    /// The anchors (increasing) reaching the last object's best IoU.
    var tieAnchors: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: ties, count: Int(tieCount)) }

    /// The last object's best IoU over all anchors: anchors not intersecting it have IoU 0
    /// (or -1 when ignored); `nonIgnored` counts the scene's non-ignored anchors.
    func objectMax(nonIgnored: Int) -> Float {
        var best = best
        if ignoredCandidates > 0 { best = max(best, -1) }
        if nonIgnored > candidates - Int(ignoredCandidates) { best = max(best, 0) }
        if best == -.infinity { best = -1 }
        return best
    }

    /// mmdet IoU of the object `b` with the anchor of the prior at `prior`
    /// (`cx, cy, stride_x, stride_y`, anchor as `PriorGrid.anchorBoxes`) when they intersect
    /// (`min(x2) - max(x1) > 0` in both axes, anchor first as the grid search tests it), else nil.
    @inline(__always) static func iouIfIntersecting(_ b: ObjectBox, prior: UnsafePointer<Float>, scale: Float) -> Float? {
        let halfX = prior[2] * scale / 2, halfY = prior[3] * scale / 2
        let ax1 = prior[0] - halfX, ay1 = prior[1] - halfY, ax2 = prior[0] + halfX, ay2 = prior[1] + halfY
        guard min(ax2, b.2) - max(ax1, b.0) > 0, min(ay2, b.3) - max(ay1, b.1) > 0 else { return nil }
        return lak_iou_mmdet_coords(b.0, b.1, b.2, b.3, ax1, ay1, ax2, ay2)
    }

    /// First index in `0..<count` where `pred` holds, `pred` being false then true.
    @inline(__always) private static func partition(_ count: Int, _ pred: (Int) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pred(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Folds the IoU of a non-ignored intersecting anchor `i` into the maxima.
    @inline(__always) private mutating func add(_ i: Int, _ iou: Float, object m: Int32) {
        if iou >= best {
            if iou > best { best = iou; tieCount = 0 }
            ties[Int(tieCount)] = Int32(i)
            tieCount += 1
        }
        if iou > maxIoU[i] { maxIoU[i] = iou; argmax[i] = m }
    }

    /// Scores object `m` (box `b`) against every anchor that intersects it, in prior order.
    mutating func run(object m: Int, box b: ObjectBox) {
        best = -.infinity
        tieCount = 0
        candidates = 0
        ignoredCandidates = 0
        for level in levels.levels {
            if level.columns > 0 { scanGrid(level, object: Int32(m), box: b) } else { scanPriors(level, object: Int32(m), box: b) }
        }
    }

    /// A level that is not a grid: prior by prior.
    private mutating func scanPriors(_ level: AnchorLevels.Level, object m: Int32, box b: ObjectBox) {
        for i in level.range {
            guard let iou = Self.iouIfIntersecting(b, prior: priors + 4 * i, scale: scale) else { continue }
            candidates += 1
            if let ignored, ignored[i] { ignoredCandidates += 1; continue }
            add(i, iou, object: m)
        }
    }

    /// A grid level: the intersecting columns and rows, then their blocks of IoUs.
    private mutating func scanGrid(_ level: AnchorLevels.Level, object m: Int32, box b: ObjectBox) {
        let cols = intersectingColumns(level, box: b)
        if cols == 0 { return }
        let rows = intersectingRows(level, box: b)
        if rows == 0 { return }
        candidates += cols * rows
        scoreBlocks(level, columns: cols, rows: rows, gtArea: (b.2 - b.0) * (b.3 - b.1), object: m)
    }

    /// Without NaN, anchors left of `bx1` or right of `bx2` cannot intersect, and the edges grow with the column.
    private static func ordered(_ b: ObjectBox) -> Bool { !(b.0.isNaN || b.1.isNaN || b.2.isNaN || b.3.isNaN) }

    /// Writes the level's columns intersecting the box into `colIndex`, `colOverlap`, `colSide`; returns their count.
    private func intersectingColumns(_ level: AnchorLevels.Level, box b: ObjectBox) -> Int {
        Self.intersecting(start: levels.x1.baseAddress! + level.columnStart, end: levels.x2.baseAddress! + level.columnStart,
                          count: level.columns, low: b.0, high: b.2, ordered: Self.ordered(b),
                          index: colIndex, overlap: colOverlap, side: colSide)
    }

    /// Writes the level's rows intersecting the box into `rowIndex`, `rowOverlap`, `rowSide`; returns their count.
    private func intersectingRows(_ level: AnchorLevels.Level, box b: ObjectBox) -> Int {
        Self.intersecting(start: levels.y1.baseAddress! + level.rowStart, end: levels.y2.baseAddress! + level.rowStart,
                          count: level.rows, low: b.1, high: b.3, ordered: Self.ordered(b),
                          index: rowIndex, overlap: rowOverlap, side: rowSide)
    }

    /// One axis of the scan: the anchor intervals `[start[k], end[k]]` (both growing with `k`
    /// when `ordered`) that overlap `[low, high]`, with their 1-D overlap and side; returns their count.
    private static func intersecting(start: UnsafePointer<Float>, end: UnsafePointer<Float>, count: Int,
                                     low: Float, high: Float, ordered: Bool, index: UnsafeMutablePointer<Int32>,
                                     overlap: UnsafeMutablePointer<Float>, side: UnsafeMutablePointer<Float>) -> Int {
        var k0 = 0, k1 = count
        if ordered {
            k0 = partition(count) { end[$0] > low }
            k1 = partition(count) { !(start[$0] < high) }
        }
        var found = 0
        for k in k0..<max(k0, k1) {
            let a1 = start[k], a2 = end[k]
            guard min(a2, high) - max(a1, low) > 0 else { continue }
            index[found] = Int32(k)
            overlap[found] = lak_overlap_1d(low, high, a1, a2)
            side[found] = a2 - a1
            found += 1
        }
        return found
    }

    /// Runs of consecutive columns (one run unless edges are degenerate), scored in prior order
    /// by `lak_maxiou_grid_block`.
    private mutating func scoreBlocks(_ level: AnchorLevels.Level, columns cols: Int, rows: Int, gtArea: Float, object m: Int32) {
        var runStart = 0
        while runStart < cols {
            var runEnd = runStart + 1
            while runEnd < cols && colIndex[runEnd] == colIndex[runEnd - 1] + 1 { runEnd += 1 }
            let whole = runStart == 0 && runEnd == cols
            for k in stride(from: 0, to: whole ? 1 : rows, by: 1) {
                lak_maxiou_grid_block(Int64(level.range.lowerBound), Int64(level.columns), Int64(colIndex[runStart]),
                                     Int64(runEnd - runStart), colOverlap + runStart, colSide + runStart,
                                     Int64(whole ? rows : 1), rowIndex + k, rowOverlap + k, rowSide + k,
                                     gtArea, m, ignored, maxIoU, argmax, rowIoU, &best, ties, &tieCount, &ignoredCandidates)
            }
            runStart = runEnd
        }
    }
}
