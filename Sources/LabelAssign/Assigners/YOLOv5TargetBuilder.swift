/// Constants of YOLOv5's `ComputeLoss.build_targets` (ultralytics/yolov5 7.0 `utils/loss.py`).
public struct YOLOv5Configuration: Sendable, Equatable {
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
            throw LabelAssignError.invalidParameter(name: "anchorThreshold", reason: "must be finite and positive, got \(anchorThreshold)")
        }
        guard neighbourOffset.isFinite, neighbourOffset >= 0, neighbourOffset <= 1 else {
            throw LabelAssignError.invalidParameter(name: "neighbourOffset", reason: "must lie in [0, 1], got \(neighbourOffset)")
        }
    }
}

/// YOLOv5 `ComputeLoss.build_targets` for one image (ultralytics/yolov5 7.0 `utils/loss.py`; ASSIGNERS.md §1).
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
public struct YOLOv5TargetBuilder: Assigner {
    public var configuration: YOLOv5Configuration

    public init(_ configuration: YOLOv5Configuration = .yolov5, name: String = "yolov5") {
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
        try configuration.validate()
        let nl = scene.strides.count
        guard configuration.anchors.count == nl else {
            throw LabelAssignError.invalidParameter(name: "anchors", reason: "\(configuration.anchors.count) levels of anchors for \(nl) strides")
        }
        try Scene.checkBoxes(scene.gtBoxes, field: "gt_bboxes")
        let g = scene.gtCount
        try scene.checkGTLabels()
        guard scene.imageWidth > 0, scene.imageHeight > 0 else {
            throw LabelAssignError.invalidValue(field: "image", index: nil, reason: "width and height must be positive")
        }
        if g == 0 { return [] }

        // Normalised cxcywh, float32: ((x1 + x2) / 2) / W, (x2 - x1) / W, ...
        let fw = Float(scene.imageWidth), fh = Float(scene.imageHeight)
        var nx = [Float](repeating: 0, count: g), ny = nx, nw = nx, nh = nx
        for k in 0..<g {
            let b = scene.gtBoxes
            let x1 = b[4 * k], y1 = b[4 * k + 1], x2 = b[4 * k + 2], y2 = b[4 * k + 3]
            nx[k] = ((x1 + x2) / 2) / fw
            ny[k] = ((y1 + y2) / 2) / fh
            nw[k] = (x2 - x1) / fw
            nh[k] = (y2 - y1) / fh
        }
        let na = configuration.anchors[0].count / 2
        let gOff = configuration.neighbourOffset
        let anchorT = configuration.anchorThreshold
        var out: [Target] = []
        var order: [Int] = []   // emission index, the last sort key
        for level in 0..<nl {
            let s = scene.strides[level]
            let cols = scene.imageWidth / s, rows = scene.imageHeight / s
            let gainX = Float(cols), gainY = Float(rows)
            let fs = Float(s)
            // Kept (anchor, object) pairs in anchor-major order with their grid-unit boxes.
            struct Kept { var a: Int; var k: Int; var x: Float; var y: Float; var w: Float; var h: Float; var flags: (Bool, Bool, Bool, Bool) }
            var kept: [Kept] = []
            for a in 0..<na {
                let aw = configuration.anchors[level][2 * a] / fs
                let ah = configuration.anchors[level][2 * a + 1] / fs
                for k in 0..<g {
                    let x = nx[k] * gainX, y = ny[k] * gainY, w = nw[k] * gainX, h = nh[k] * gainY
                    let rw = w / aw, rh = h / ah
                    let worst = Swift.max(Swift.max(rw, 1 / rw), Swift.max(rh, 1 / rh))
                    guard worst < anchorT else { continue }
                    let xi = gainX - x, yi = gainY - y
                    let flags = (YOLOv5TargetBuilder.fraction(x) < gOff && x > 1,
                                 YOLOv5TargetBuilder.fraction(y) < gOff && y > 1,
                                 YOLOv5TargetBuilder.fraction(xi) < gOff && xi > 1,
                                 YOLOv5TargetBuilder.fraction(yi) < gOff && yi > 1)
                    kept.append(Kept(a: a, k: k, x: x, y: y, w: w, h: h, flags: flags))
                }
            }
            // Offsets in order: centre, L (+g, 0), U (0, +g), R (-g, 0), D (0, -g).
            let offsets: [(Float, Float)] = [(0, 0), (gOff, 0), (0, gOff), (-gOff, 0), (0, -gOff)]
            for (o, off) in offsets.enumerated() {
                for e in kept {
                    let fire: Bool
                    switch o {
                    case 0: fire = true
                    case 1: fire = e.flags.0
                    case 2: fire = e.flags.1
                    case 3: fire = e.flags.2
                    default: fire = e.flags.3
                    }
                    guard fire else { continue }
                    let gi = YOLOv5TargetBuilder.truncClamp(e.x - off.0, upper: cols - 1)
                    let gj = YOLOv5TargetBuilder.truncClamp(e.y - off.1, upper: rows - 1)
                    let aw = configuration.anchors[level][2 * e.a] / fs
                    let ah = configuration.anchors[level][2 * e.a + 1] / fs
                    order.append(out.count)
                    out.append(Target(level: level, anchor: e.a, gj: gj, gi: gi, cls: Int(scene.gtLabels[e.k]),
                                      tx: e.x - Float(gi), ty: e.y - Float(gj), tw: e.w, th: e.h,
                                      anchorW: aw, anchorH: ah, object: e.k))
                }
            }
        }
        order.sort { p, q in
            let a = out[p], b = out[q]
            if a.level != b.level { return a.level < b.level }
            if a.anchor != b.anchor { return a.anchor < b.anchor }
            if a.gj != b.gj { return a.gj < b.gj }
            if a.gi != b.gi { return a.gi < b.gi }
            if a.cls != b.cls { return a.cls < b.cls }
            if a.tx != b.tx { return a.tx < b.tx }
            if a.ty != b.ty { return a.ty < b.ty }
            return p < q
        }
        return order.map { out[$0] }
    }

    /// Assigns the priors, then marks background priors whose point lies inside a `gt_ignore`
    /// box as ignored (`-2`); positives stay positive (the reference has no ignore regions).
    public var ignorePolicy: IgnorePolicy { .afterAssignment(.pointInside) }

    public func assignPriors(_ prepared: PreparedScene) throws -> Assignment {
        let scene = prepared.scene
        let entries = try targets(scene)
        let counts = PriorGrid.levelCounts(width: scene.imageWidth, height: scene.imageHeight, strides: scene.strides)
        let ranges = scene.levelRanges
        for (l, r) in ranges.enumerated() where r.count != counts[l] {
            throw LabelAssignError.invalidValue(field: "priors", index: r.lowerBound,
                                                reason: "level \(l) has \(r.count) priors; yolov5 needs the full \(counts[l])-cell grid")
        }
        var assigned = [Int32](repeating: -1, count: scene.priorCount)
        for e in entries {
            let cols = scene.imageWidth / scene.strides[e.level]
            let p = ranges[e.level].lowerBound + e.gj * cols + e.gi
            if assigned[p] < 0 || Int(assigned[p]) > e.object { assigned[p] = Int32(e.object) }
        }
        var result = Assignment(assignedGT: assigned)
        result.extras.append(AssignmentExtra("rows", .rows(entries.map(\.row))))
        result.extras.append(AssignmentExtra("row_gt", .ints(entries.map { Int32($0.object) })))
        return result
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
