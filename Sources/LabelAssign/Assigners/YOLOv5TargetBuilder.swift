/// Constants of YOLOv5's `ComputeLoss.build_targets` (ultralytics/yolov5 7.0 `utils/loss.py`).
public struct YOLOv5Configuration: OptionConfigurable, Equatable {
    /// Anchor sizes in pixels, one list `[w0, h0, w1, h1, ...]` per level (finest first); every level
    /// has the same number of anchors. They are divided by the level stride in float32, as the model does.
    public var anchors: [[Float]]
    /// Shape test: a (target, anchor) pair is kept iff max(w/aw, aw/w, h/ah, ah/h) < anchorThreshold (`anchor_t`).
    public var anchorThreshold: Float
    /// Neighbour offset `g`: a target also lands in the left/up/right/down cell when the fractional part
    /// of its centre (or of the distance to the far border) is below `g`.
    public var neighbourOffset: Float

    public init(anchors: [[Float]] = YOLOv5Anchors.coco, anchorThreshold: Float = 4, neighbourOffset: Float = 0.5) {
        self.anchors = anchors
        self.anchorThreshold = anchorThreshold
        self.neighbourOffset = neighbourOffset
    }

    /// yolov5 7.0 defaults: COCO anchors, `anchor_t` 4, g 0.5.
    public static let yolov5 = YOLOv5Configuration()

    public static let options: [AssignerOption<YOLOv5Configuration>] = [
        .float("anchor_t", \.anchorThreshold, .positive, doc: "shape test: max(w/aw, aw/w, h/ah, ah/h) < anchor_t",
               reference: "yolov5 7.0 hyp.scratch-low.yaml"),
        .float("g", \.neighbourOffset, .unit, doc: "neighbour-cell offset of build_targets", reference: "yolov5 7.0 utils/loss.py build_targets"),
        AssignerOption("anchors", .anchorLists, doc: "anchor sizes in pixels per level, [w0, h0, w1, h1, ...]",
                       reference: "yolov5 7.0 models/yolov5s.yaml",
                       read: { .list($0.anchors.map { .list($0.map { .number(Double($0)) }) }) },
                       write: { cfg, v in
                           if case let .list(levels) = v {
                               cfg.anchors = levels.map { level in
                                   if case let .list(l) = level { return l.map { Float($0.number ?? 0) } }
                                   return []
                               }
                           }
                       }),
    ]

    /// Throws `invalidParameter` on constants outside their domain.
    public func validate() throws {
        guard !anchors.isEmpty else { throw LabelAssignError.invalidParameter(name: "anchors", reason: "at least one level is needed") }
        let na = anchors[0].count / 2
        for (l, a) in anchors.enumerated() {
            guard a.count >= 2, a.count % 2 == 0, a.count / 2 == na else {
                throw LabelAssignError.invalidParameter(name: "anchors[\(l)]", reason: "needs \(na) (w, h) pairs like level 0, got \(a.count) values")
            }
            for (k, v) in a.enumerated() where !(v.isFinite && v > 0) {
                throw LabelAssignError.invalidParameter(name: "anchors[\(l)][\(k)]", reason: "must be finite and positive, got \(v)")
            }
        }
        guard anchorThreshold.isFinite, anchorThreshold > 0 else {
            throw LabelAssignError.invalidParameter(name: "anchor_t", reason: "must be finite and positive, got \(anchorThreshold)")
        }
        guard neighbourOffset.isFinite, neighbourOffset >= 0, neighbourOffset <= 1 else {
            throw LabelAssignError.invalidParameter(name: "g", reason: "must lie in [0, 1], got \(neighbourOffset)")
        }
    }
}

/// YOLOv5 `ComputeLoss.build_targets` for one image (ultralytics/yolov5 7.0 `utils/loss.py`; docs/ASSIGNERS.md §1).
///
/// Ground truth goes to normalised centre format (`cxcywh / (W, H, W, H)`, float32), then per level:
/// scale by the grid size, keep (target, anchor) pairs that pass the shape test, emit each kept pair for
/// its own cell and for the left / up / right / down neighbours whose flags fire, truncate the cell,
/// clamp it into the grid (in place, so the box offset uses the clamped cell), and record
/// `tbox = (xy - cell, wh)` and the anchor in grid units. All arithmetic is float32 in the reference order.
///
/// `rows` (output `rows`, fixture `yolov5_build_targets`) are
/// `[level, anchor, gj, gi, class, tx, ty, tw, th, anchor_w, anchor_h]`, sorted by
/// `(level, anchor, gj, gi, class, tx, ty)` and then by emission order; `row_gt` gives each row's object.
///
/// `assigned_gt` over the scene's point priors: the prior of cell `(level, gj, gi)` gets the **lowest
/// object index** among all entries (any anchor, any offset) that land in that cell; other priors are
/// `-1`. (The reference writes objectness per anchor with "last write wins" on duplicates; the point
/// prior merges the anchors, and the lowest index makes the choice independent of write order.)
/// The scene's priors must be the full point grid (`(W / s)·(H / s)` per level).
///
/// Documented handling: no objects → no rows and every prior background; an object that fails the
/// shape test at every anchor of a level has no row on that level; a level whose priors are not the
/// full point grid → `invalidValue` on `priors`; a fractional stride (no `W / s` grid) →
/// `invalidValue` on `strides[i]`.
public struct YOLOv5TargetBuilder: Assigner {
    public var configuration: YOLOv5Configuration

    public init(_ configuration: YOLOv5Configuration = .yolov5) {
        self.configuration = configuration
    }

    /// One target entry of `build_targets`.
    public struct Target: Sendable, Equatable {
        public var level: Int
        public var anchor: Int
        public var gj: Int
        public var gi: Int
        public var cls: Int
        /// Box target in grid units: centre offset from the cell's corner, width, height.
        public var tx: Float, ty: Float, tw: Float, th: Float
        /// The anchor in grid units (pixels / stride).
        public var anchorW: Float, anchorH: Float
        /// Index of the ground-truth object.
        public var object: Int

        /// The fixture row `[level, anchor, gj, gi, class, tx, ty, tw, th, anchor_w, anchor_h]`.
        public var row: [Double] {
            [Double(level), Double(anchor), Double(gj), Double(gi), Double(cls),
             Double(tx), Double(ty), Double(tw), Double(th), Double(anchorW), Double(anchorH)]
        }
    }

    /// All target entries of the scene's ground truth, sorted as the fixtures are.
    /// Needs one anchor list per scene stride. Zero objects give no entries.
    public func targets(_ scene: Scene) throws -> [Target] {
        try scene.checkImageAndStrides()
        let strides = try checkConfiguration(scene)
        try Scene.checkBoxes(scene.gtBoxes, field: "gt_bboxes")
        try scene.checkGTLabels()
        return try buildTargets(scene, strides: strides)
    }

    /// Background priors whose point lies inside a `gt_ignore` box come out ignored (`-2`);
    /// positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    /// Assigns the priors of `scene`: `build_targets` (`buildTargets`), then its rows to the point
    /// priors of their cells (`rowsToPriors`). Throws `invalidParameter` for a bad configuration
    /// and `invalidValue` when a level is not the full point grid.
    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        if prepared.priorCount == 0 {
            try configuration.validate()
            return Assignment(assignedGT: [], extras: [AssignmentExtra("rows", .rows([])), AssignmentExtra("row_gt", .ints([]))])
        }
        let strides = try checkConfiguration(prepared.scene)
        try checkFullGrid(prepared, strides: strides)
        let entries = try buildTargets(prepared.scene, strides: strides)
        var result = Assignment(assignedGT: rowsToPriors(entries, prepared, strides: strides))
        result.extras.append(AssignmentExtra("rows", .rows(entries.map(\.row))))
        result.extras.append(AssignmentExtra("row_gt", .ints(entries.map { Int32($0.object) })))
        return result
    }
}

// MARK: - Stages of build_targets

extension YOLOv5TargetBuilder {
    /// One level as `build_targets` sees it: the grid size (`gain[2:4]`) and the anchors divided
    /// by the stride in float32 (`anchors[i]`).
    struct GridLevel {
        let index: Int
        let columns, rows: Int
        let anchors: [(w: Float, h: Float)]
        var gainX: Float { Float(columns) }
        var gainY: Float { Float(rows) }
    }

    /// A (target, anchor) pair that passes the shape test, with its box in grid units (`t[j]`).
    struct AnchorMatch {
        let anchor, object: Int
        let x, y, w, h: Float
    }

    /// A valid configuration with one anchor list per scene stride; returns the strides, which
    /// must be whole numbers (the grid is the feature map of `W / s` cells): a fractional one is
    /// `invalidValue` on `strides[i]`.
    @discardableResult
    func checkConfiguration(_ scene: Scene) throws -> [Int] {
        try configuration.validate()
        let nl = scene.strides.count
        guard configuration.anchors.count == nl else {
            throw LabelAssignError.invalidParameter(name: "anchors", reason: "\(configuration.anchors.count) levels of anchors for \(nl) strides")
        }
        return try scene.wholeStrides(for: "YOLOv5 build_targets")
    }

    /// `build_targets` on a scene whose fields are checked: per level the anchor-ratio filter,
    /// then the neighbour cells; sorted as the fixtures are. Throws `resourceExhausted` before a
    /// level whose entries (at most three cells per match) could pass the buffer limit as rows.
    func buildTargets(_ scene: Scene, strides: [Int]) throws -> [Target] {
        if scene.gtCount == 0 { return [] }
        let targets = normalisedCentreSize(scene.gtBoxes, imageWidth: scene.imageWidth, imageHeight: scene.imageHeight)
        var emitted: [Target] = []
        for level in gridLevels(scene, strides: strides) {
            let matches = anchorRatioFilter(targets, level: level)
            // An entry holds about 192 bytes: the target itself and its output row of 11 float64.
            try ResourceLimits.checkBuffer("YOLOv5 target entries (targets with their rows)",
                                           counts: [emitted.count + 3 * matches.count], bytesPerElement: 192)
            neighbourCells(matches, level: level, labels: scene.gtLabels, into: &emitted)
        }
        return sortedAsFixtures(emitted)
    }

    func gridLevels(_ scene: Scene, strides: [Int]) -> [GridLevel] {
        strides.enumerated().map { l, s in
            let fs = Float(s), a = configuration.anchors[l]
            return GridLevel(index: l, columns: scene.imageWidth / s, rows: scene.imageHeight / s,
                             anchors: (0..<(a.count / 2)).map { (a[2 * $0] / fs, a[2 * $0 + 1] / fs) })
        }
    }

    /// "Matches": `t = targets · gain`, `r = t[..., 4:6] / anchors`, a pair kept iff
    /// `max(r, 1/r).max(2) < anchor_t`; anchor-major, as `targets.repeat(na, 1, 1)[j]`.
    func anchorRatioFilter(_ targets: [Float], level: GridLevel) -> [AnchorMatch] {
        let anchorT = configuration.anchorThreshold
        var kept: [AnchorMatch] = []
        for (a, anchor) in level.anchors.enumerated() {
            for k in 0..<(targets.count / 4) {
                let x = targets[4 * k] * level.gainX, y = targets[4 * k + 1] * level.gainY
                let w = targets[4 * k + 2] * level.gainX, h = targets[4 * k + 3] * level.gainY
                let rw = w / anchor.w, rh = h / anchor.h
                let worst = Swift.max(Swift.max(rw, 1 / rw), Swift.max(rh, 1 / rh))
                guard worst < anchorT else { continue }
                kept.append(AnchorMatch(anchor: a, object: k, x: x, y: y, w: w, h: h))
            }
        }
        return kept
    }

    /// "Offsets" and "Define": every match lands in its own cell and in the left / up / right /
    /// down neighbours whose flags fire, emitted offset-major (`t.repeat((5, 1, 1))[j]`). The
    /// cell `gij = (gxy − offsets).long()` is clamped into the grid in place (`clamp_`), so
    /// `tbox = (gxy − gij, gwh)` uses the clamped cell.
    func neighbourCells(_ matches: [AnchorMatch], level: GridLevel, labels: [Int32], into out: inout [Target]) {
        let g = configuration.neighbourOffset
        let fired = matches.map { neighbourFlags($0, level: level) }
        // Offsets in order: centre, L (+g, 0), U (0, +g), R (-g, 0), D (0, -g).
        let offsets: [(Float, Float)] = [(0, 0), (g, 0), (0, g), (-g, 0), (0, -g)]
        for (o, off) in offsets.enumerated() {
            for (e, flags) in zip(matches, fired) where flags & (1 << o) != 0 {
                let gi = YOLOv5TargetBuilder.truncClamp(e.x - off.0, upper: level.columns - 1)
                let gj = YOLOv5TargetBuilder.truncClamp(e.y - off.1, upper: level.rows - 1)
                let anchor = level.anchors[e.anchor]
                out.append(Target(level: level.index, anchor: e.anchor, gj: gj, gi: gi, cls: Int(labels[e.object]),
                                  tx: e.x - Float(gi), ty: e.y - Float(gj), tw: e.w, th: e.h,
                                  anchorW: anchor.w, anchorH: anchor.h, object: e.object))
            }
        }
    }

    /// Bit `o` set when offset `o` fires: the centre always; L, U when `(gxy % 1 < g) & (gxy > 1)`;
    /// R, D when `(gxi % 1 < g) & (gxi > 1)` with `gxi = gain − gxy`.
    func neighbourFlags(_ e: AnchorMatch, level: GridLevel) -> UInt8 {
        let g = configuration.neighbourOffset
        func fires(_ v: Float) -> Bool { YOLOv5TargetBuilder.fraction(v) < g && v > 1 }
        let xi = level.gainX - e.x, yi = level.gainY - e.y
        var flags: UInt8 = 1
        if fires(e.x) { flags |= 1 << 1 }
        if fires(e.y) { flags |= 1 << 2 }
        if fires(xi) { flags |= 1 << 3 }
        if fires(yi) { flags |= 1 << 4 }
        return flags
    }

    /// The fixtures' order: `(level, anchor, gj, gi, class, tx, ty)`, then emission order.
    func sortedAsFixtures(_ emitted: [Target]) -> [Target] {
        var order = Array(emitted.indices)
        order.sort { p, q in
            let a = emitted[p], b = emitted[q]
            if a.level != b.level { return a.level < b.level }
            if a.anchor != b.anchor { return a.anchor < b.anchor }
            if a.gj != b.gj { return a.gj < b.gj }
            if a.gi != b.gi { return a.gi < b.gi }
            if a.cls != b.cls { return a.cls < b.cls }
            if a.tx != b.tx { return a.tx < b.tx }
            if a.ty != b.ty { return a.ty < b.ty }
            return p < q
        }
        return order.map { emitted[$0] }
    }

    /// `x mod 1` as torch's `remainder` (result in [0, 1)).
    static func fraction(_ x: Float) -> Float {
        var m = x.truncatingRemainder(dividingBy: 1)
        if m != 0 && m < 0 { m += 1 }
        return m
    }

    /// `.long()` (truncation toward zero) followed by `clamp_(0, upper)`.
    static func truncClamp(_ v: Float, upper: Int) -> Int {
        let t = v.rounded(.towardZero)
        if !(t >= 0) { return 0 }
        if t >= Float(upper) { return upper }
        return Int(t)
    }
}

// MARK: - Rows to priors

extension YOLOv5TargetBuilder {
    /// Every level holds the full `(W / s) · (H / s)` point grid.
    func checkFullGrid(_ prepared: PreparedScene, strides: [Int]) throws {
        let scene = prepared.scene
        let counts = PriorGrid.levelCounts(width: scene.imageWidth, height: scene.imageHeight, strides: strides)
        for (l, r) in prepared.levelRanges.enumerated() where r.count != counts[l] {
            throw LabelAssignError.invalidValue(field: "priors", index: r.lowerBound,
                                                reason: "level \(l) has \(r.count) priors; yolov5 needs the full \(counts[l])-cell grid")
        }
    }

    /// `assigned_gt`: the prior of cell `(level, gj, gi)` gets the lowest object among the rows in
    /// that cell, every other prior `-1`.
    func rowsToPriors(_ entries: [Target], _ prepared: PreparedScene, strides: [Int]) -> [Int32] {
        let scene = prepared.scene
        var assigned = [Int32](repeating: -1, count: scene.priorCount)
        for e in entries {
            let columns = scene.imageWidth / strides[e.level]
            let p = prepared.levelRanges[e.level].lowerBound + e.gj * columns + e.gi
            if assigned[p] < 0 || Int(assigned[p]) > e.object { assigned[p] = Int32(e.object) }
        }
        return assigned
    }
}
