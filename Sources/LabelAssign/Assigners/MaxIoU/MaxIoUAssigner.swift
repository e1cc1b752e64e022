import _LabelAssignKernels

/// Max-IoU assignment: mmdet 3.3 `MaxIoUAssigner` as RetinaNet configures it, preset `maxiou`
/// (pos 0.5, neg 0.4, min_pos_iou 0, gt_max_assign_all, match_low_quality).
///
/// One square anchor of side `anchorScale · stride` per prior; IoU = mmdet `bbox_overlaps`.
/// Per prior, with `M` its largest IoU over the objects (first object on ties):
/// `M < negIoU` background (`-1`), `M >= posIoU` positive for that object, otherwise ignored
/// (`-2`; mmdet's `-1`). Then, if `matchLowQuality`, for every object in order whose best IoU
/// over all anchors is `>= minPosIoU`, every anchor with exactly that IoU (only the first one
/// when `gtMaxAssignAll` is false) is assigned to it, overwriting earlier decisions. With
/// `minPosIoU` 0 an object that overlaps no anchor (e.g. a zero-area object) has best IoU 0 and
/// so takes every anchor it does not overlap, i.e. all non-ignored anchors: mmdet's behaviour,
/// kept as is.
///
/// Ignore regions (`gt_ignore`), as mmdet does before assigning: anchors with
/// `IoF(anchor, ignore) > ignoreIoFThreshold` get IoU -1 with every object, so they are never
/// background and never positive (`-2`), except through an object whose best IoU is itself -1.
///
/// Only anchor/object pairs that intersect are scored: on levels that are regular grids the
/// intersecting columns and rows are found by binary search and the block of IoUs is computed
/// and folded into the per-prior maxima by a C kernel (`lak_maxiou_grid_block`); other levels are
/// scanned prior by prior. No `G × N` matrix is built.
public struct MaxIoUAssigner: Assigner {
    public struct Configuration: Sendable, Equatable {
        public var posIoUThreshold: Float
        public var negIoUThreshold: Float
        public var minPosIoU: Float
        public var gtMaxAssignAll: Bool
        public var matchLowQuality: Bool
        /// Anchor side in strides.
        public var anchorScale: Float
        /// IoF above which an anchor is ignored (<= 0 disables ignore regions).
        public var ignoreIoFThreshold: Float

        public init(posIoUThreshold: Float = 0.5, negIoUThreshold: Float = 0.4,
                    minPosIoU: Float = 0, gtMaxAssignAll: Bool = true, matchLowQuality: Bool = true,
                    anchorScale: Float = 4, ignoreIoFThreshold: Float = 0.5) {
            self.posIoUThreshold = posIoUThreshold
            self.negIoUThreshold = negIoUThreshold
            self.minPosIoU = minPosIoU
            self.gtMaxAssignAll = gtMaxAssignAll
            self.matchLowQuality = matchLowQuality
            self.anchorScale = anchorScale
            self.ignoreIoFThreshold = ignoreIoFThreshold
        }

        /// RetinaNet: pos 0.5, neg 0.4, min_pos_iou 0, anchors of side 4 · stride.
        public static let maxiou = Configuration()

        public func validate() throws {
            for (name, v) in [("posIoUThreshold", posIoUThreshold), ("negIoUThreshold", negIoUThreshold),
                              ("minPosIoU", minPosIoU), ("ignoreIoFThreshold", ignoreIoFThreshold)] where !v.isFinite {
                throw LabelAssignError.invalidParameter(name: name, reason: "must be finite, got \(v)")
            }
            guard negIoUThreshold <= posIoUThreshold else {
                throw LabelAssignError.invalidParameter(name: "negIoUThreshold",
                                                        reason: "\(negIoUThreshold) is above posIoUThreshold \(posIoUThreshold)")
            }
            guard anchorScale.isFinite, anchorScale > 0 else {
                throw LabelAssignError.invalidParameter(name: "anchorScale", reason: "must be finite and > 0, got \(anchorScale)")
            }
        }
    }

    public var configuration: Configuration
    public init(_ configuration: Configuration = .maxiou) {
        self.configuration = configuration
    }

    public var ignorePolicy: IgnorePolicy {
        .beforeAssignment(.anchorIoF(scale: configuration.anchorScale, threshold: configuration.ignoreIoFThreshold))
    }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let s = prepared.scene, cfg = configuration
        try cfg.validate()
        let n = s.priorCount, g = s.gtCount
        if g == 0 { return .background(priorCount: n) }
        let ignored = s.ignoreCount > 0
            ? IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
            : []
        let nonIgnored = ignored.isEmpty ? n : ignored.reduce(0) { $0 + ($1 ? 0 : 1) }
        let levels = AnchorLevels(scene: s, scale: cfg.anchorScale)

        // Per prior: the largest IoU over the objects (-1 when ignored) and, in `assigned`
        // until the thresholds are applied, its first object.
        var maxIoU = [Float](repeating: 0, count: n)
        for i in 0..<ignored.count where ignored[i] { maxIoU[i] = -1 }
        var assigned = [Int32](repeating: 0, count: n)
        // Per object: its best IoU over all anchors, and the anchors (increasing) that reach it.
        var gtMax = [Float](repeating: 0, count: g)
        var bestAnchors: [Int32] = []
        var bestStart = [Int](repeating: 0, count: g + 1)

        var scan = ObjectScan(priorCount: n, maxColumns: levels.maxColumns, maxRows: levels.maxRows)
        defer { scan.deallocate() }
        s.priors.withUnsafeBufferPointer { priors in
            s.gtBoxes.withUnsafeBufferPointer { gt in
                ignored.withUnsafeBufferPointer { ign in
                    maxIoU.withUnsafeMutableBufferPointer { maxIoU in
                        assigned.withUnsafeMutableBufferPointer { argmax in
                            for m in 0..<g {
                                scan.run(object: m, box: gt.baseAddress! + 4 * m, levels: levels, priors: priors.baseAddress!,
                                         scale: cfg.anchorScale, ignored: ign.isEmpty ? nil : ign.baseAddress!,
                                         maxIoU: maxIoU.baseAddress!, argmax: argmax.baseAddress!)
                                // Anchors not intersecting the object have IoU 0 (or -1 when ignored).
                                var best = scan.best
                                if scan.ignoredCandidates > 0 { best = max(best, -1) }
                                if nonIgnored > scan.candidates - Int(scan.ignoredCandidates) { best = max(best, 0) }
                                if best == -.infinity { best = -1 }
                                gtMax[m] = best
                                if best > 0 { bestAnchors.append(contentsOf: UnsafeBufferPointer(start: scan.ties, count: Int(scan.tieCount))) }
                                bestStart[m + 1] = bestAnchors.count
                            }
                        }
                    }
                }
            }
        }

        lak_maxiou_split(maxIoU, &assigned, Int64(n), cfg.negIoUThreshold, cfg.posIoUThreshold)
        if cfg.matchLowQuality {
            for m in 0..<g where gtMax[m] >= cfg.minPosIoU {
                let target = gtMax[m]
                if target > 0 {
                    // Only intersecting anchors can reach a positive IoU; the scan kept those that do.
                    for k in bestStart[m]..<bestStart[m + 1] {
                        assigned[Int(bestAnchors[k])] = Int32(m)
                        if !cfg.gtMaxAssignAll { break }
                    }
                } else {
                    // Every anchor's IoU with this object, in prior order.
                    s.priors.withUnsafeBufferPointer { priors in
                        s.gtBoxes.withUnsafeBufferPointer { gt in
                            let b = gt.baseAddress! + 4 * m
                            for i in 0..<n {
                                var v: Float = !ignored.isEmpty && ignored[i] ? -1 : 0
                                if i < levels.coveredPriors && v == 0,
                                   let iou = ObjectScan.iouIfIntersecting(b, prior: priors.baseAddress! + 4 * i, scale: cfg.anchorScale) {
                                    v = iou
                                }
                                if v == target {
                                    assigned[i] = Int32(m)
                                    if !cfg.gtMaxAssignAll { break }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Assignment(assignedGT: assigned)
    }
}

/// The scene's prior levels (as `Scene.levelRanges`) with, for every level that is a regular
/// `(imageWidth / s) × (imageHeight / s)` row-major grid (prior `x` depending only on the column,
/// `y` only on the row, both strictly increasing, both strides equal to `s`), the anchors' left and
/// right edges per column and top and bottom edges per row. Other levels are scanned prior by prior.
private struct AnchorLevels {
    struct Level {
        let range: Range<Int>
        /// Columns and rows of a grid level, else 0.
        let columns: Int
        let rows: Int
        /// Where the level's columns start in `x1`, `x2` and its rows in `y1`, `y2`.
        let columnStart: Int
        let rowStart: Int
    }

    var levels: [Level] = []
    var x1: [Float] = [], x2: [Float] = [], y1: [Float] = [], y2: [Float] = []
    /// Priors `0..<coveredPriors` belong to a level.
    var coveredPriors = 0
    var maxColumns = 0, maxRows = 0

    init(scene s: Scene, scale: Float) {
        s.priors.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!, n = pb.count / 4
            var start = 0
            for stride in s.strides {
                let fs = Float(stride)
                let lo = start
                let w = s.imageWidth / stride, h = s.imageHeight / stride
                // A level is the run of priors with stride_x == s (Scene.levelRanges); a grid level
                // ends after w · h priors that pass the grid test (which checks the strides).
                var end = lo
                var grid = false
                let (count, overflow) = w.multipliedReportingOverflow(by: h)
                if w > 0, h > 0, !overflow, count <= n - lo, !(lo + count < n && p[4 * (lo + count) + 2] == fs),
                   lak_priors_form_grid(p + 4 * lo, Int64(w), Int64(h), fs) != 0 {
                    end = lo + count
                    grid = true
                } else {
                    while end < n && p[4 * end + 2] == fs { end += 1 }
                }
                start = end
                guard grid else {
                    levels.append(Level(range: lo..<end, columns: 0, rows: 0, columnStart: 0, rowStart: 0))
                    continue
                }
                levels.append(Level(range: lo..<end, columns: w, rows: h, columnStart: x1.count, rowStart: y1.count))
                // PriorGrid.anchorBoxes: half side = stride · scale / 2, subtracted from / added to the centre.
                let half = fs * scale / 2
                for c in 0..<w {
                    let cx = p[4 * (lo + c)]
                    x1.append(cx - half)
                    x2.append(cx + half)
                }
                for r in 0..<h {
                    let cy = p[4 * (lo + r * w) + 1]
                    y1.append(cy - half)
                    y2.append(cy + half)
                }
                maxColumns = max(maxColumns, w)
                maxRows = max(maxRows, h)
            }
            coveredPriors = start
        }
    }
}

/// The IoUs of one object with the anchors that intersect it, folded into the per-prior maxima
/// as they are computed. Scratch buffers are allocated once per assignment.
private struct ObjectScan {
    /// Largest IoU over the non-ignored intersecting anchors (-inf if none).
    var best: Float = -.infinity
    /// The anchors (increasing) whose IoU equals `best`: `ties[0..<tieCount]`.
    let ties: UnsafeMutablePointer<Int32>
    var tieCount: Int64 = 0
    var candidates = 0
    var ignoredCandidates: Int64 = 0
    // Intersecting columns / rows of one grid level: index, clamped overlap, anchor side.
    private let colIndex: UnsafeMutablePointer<Int32>, colOverlap: UnsafeMutablePointer<Float>, colSide: UnsafeMutablePointer<Float>
    private let rowIndex: UnsafeMutablePointer<Int32>, rowOverlap: UnsafeMutablePointer<Float>, rowSide: UnsafeMutablePointer<Float>
    /// One row of IoUs (kernel scratch).
    private let rowIoU: UnsafeMutablePointer<Float>

    init(priorCount: Int, maxColumns: Int, maxRows: Int) {
        ties = .allocate(capacity: priorCount)
        colIndex = .allocate(capacity: max(maxColumns, 1))
        colOverlap = .allocate(capacity: max(maxColumns, 1))
        colSide = .allocate(capacity: max(maxColumns, 1))
        rowIoU = .allocate(capacity: max(maxColumns, 1))
        rowIndex = .allocate(capacity: max(maxRows, 1))
        rowOverlap = .allocate(capacity: max(maxRows, 1))
        rowSide = .allocate(capacity: max(maxRows, 1))
    }

    func deallocate() {
        ties.deallocate()
        colIndex.deallocate(); colOverlap.deallocate(); colSide.deallocate(); rowIoU.deallocate()
        rowIndex.deallocate(); rowOverlap.deallocate(); rowSide.deallocate()
    }

    /// mmdet IoU of the object `b` (first box) with the anchor of the prior at `prior`
    /// (`cx, cy, stride_x, stride_y`, anchor as `PriorGrid.anchorBoxes`) when they intersect
    /// (`min(x2) - max(x1) > 0` in both axes, anchor first as the grid search tests it), else nil.
    @inline(__always) static func iouIfIntersecting(_ b: UnsafePointer<Float>, prior: UnsafePointer<Float>, scale: Float) -> Float? {
        let halfX = prior[2] * scale / 2, halfY = prior[3] * scale / 2
        let ax1 = prior[0] - halfX, ay1 = prior[1] - halfY, ax2 = prior[0] + halfX, ay2 = prior[1] + halfY
        guard min(ax2, b[2]) - max(ax1, b[0]) > 0, min(ay2, b[3]) - max(ay1, b[1]) > 0 else { return nil }
        return lak_iou_mmdet_coords(b[0], b[1], b[2], b[3], ax1, ay1, ax2, ay2)
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
    @inline(__always) private mutating func add(_ i: Int, _ iou: Float, object m: Int32,
                                                maxIoU: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        if iou >= best {
            if iou > best { best = iou; tieCount = 0 }
            ties[Int(tieCount)] = Int32(i)
            tieCount += 1
        }
        if iou > maxIoU[i] { maxIoU[i] = iou; argmax[i] = m }
    }

    /// Scores object `m` (box `b`) against every anchor that intersects it, in prior order.
    mutating func run(object m: Int, box b: UnsafePointer<Float>, levels: AnchorLevels, priors: UnsafePointer<Float>,
                      scale: Float, ignored: UnsafePointer<Bool>?, maxIoU: UnsafeMutablePointer<Float>,
                      argmax: UnsafeMutablePointer<Int32>) {
        best = -.infinity
        tieCount = 0
        candidates = 0
        ignoredCandidates = 0
        let bx1 = b[0], by1 = b[1], bx2 = b[2], by2 = b[3]
        let gtArea = (bx2 - bx1) * (by2 - by1)
        // Without NaN, anchors left of `bx1` or right of `bx2` cannot intersect, and the edges grow with the column.
        let ordered = !(bx1.isNaN || by1.isNaN || bx2.isNaN || by2.isNaN)
        let m32 = Int32(m)
        levels.x1.withUnsafeBufferPointer { x1 in levels.x2.withUnsafeBufferPointer { x2 in
        levels.y1.withUnsafeBufferPointer { y1 in levels.y2.withUnsafeBufferPointer { y2 in
            for level in levels.levels {
                guard level.columns > 0 else {
                    for i in level.range {
                        guard let iou = Self.iouIfIntersecting(b, prior: priors + 4 * i, scale: scale) else { continue }
                        candidates += 1
                        if let ignored, ignored[i] { ignoredCandidates += 1; continue }
                        add(i, iou, object: m32, maxIoU: maxIoU, argmax: argmax)
                    }
                    continue
                }
                let cx1 = x1.baseAddress! + level.columnStart, cx2 = x2.baseAddress! + level.columnStart
                let ry1 = y1.baseAddress! + level.rowStart, ry2 = y2.baseAddress! + level.rowStart
                var c0 = 0, c1 = level.columns, r0 = 0, r1 = level.rows
                if ordered {
                    c0 = Self.partition(c1) { cx2[$0] > bx1 }
                    c1 = Self.partition(c1) { !(cx1[$0] < bx2) }
                    r0 = Self.partition(r1) { ry2[$0] > by1 }
                    r1 = Self.partition(r1) { !(ry1[$0] < by2) }
                }
                var cols = 0
                for c in c0..<max(c0, c1) {
                    let ax1 = cx1[c], ax2 = cx2[c]
                    guard min(ax2, bx2) - max(ax1, bx1) > 0 else { continue }
                    colIndex[cols] = Int32(c)
                    colOverlap[cols] = lak_overlap_1d(bx1, bx2, ax1, ax2)
                    colSide[cols] = ax2 - ax1
                    cols += 1
                }
                if cols == 0 { continue }
                var rows = 0
                for r in r0..<max(r0, r1) {
                    let ay1 = ry1[r], ay2 = ry2[r]
                    guard min(ay2, by2) - max(ay1, by1) > 0 else { continue }
                    rowIndex[rows] = Int32(r)
                    rowOverlap[rows] = lak_overlap_1d(by1, by2, ay1, ay2)
                    rowSide[rows] = ay2 - ay1
                    rows += 1
                }
                if rows == 0 { continue }
                candidates += cols * rows
                // Runs of consecutive columns (one run unless edges are degenerate), scored in prior order.
                var runStart = 0
                while runStart < cols {
                    var runEnd = runStart + 1
                    while runEnd < cols && colIndex[runEnd] == colIndex[runEnd - 1] + 1 { runEnd += 1 }
                    let whole = runStart == 0 && runEnd == cols
                    for k in stride(from: 0, to: whole ? 1 : rows, by: 1) {
                        lak_maxiou_grid_block(Int64(level.range.lowerBound), Int64(level.columns), Int64(colIndex[runStart]),
                                             Int64(runEnd - runStart), colOverlap + runStart, colSide + runStart,
                                             Int64(whole ? rows : 1), rowIndex + k, rowOverlap + k, rowSide + k,
                                             gtArea, m32, ignored, maxIoU, argmax, rowIoU, &best, ties, &tieCount, &ignoredCandidates)
                    }
                    runStart = runEnd
                }
            }
        }}}}
    }
}
