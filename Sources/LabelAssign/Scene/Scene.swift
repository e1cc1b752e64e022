/// One image of a one-stage detector's training step: priors, ground truth and predictions.
///
/// All boxes are `x1, y1, x2, y2` pixel rows stored contiguously (stride 4). Priors are
/// `cx, cy, stride_x, stride_y` rows, level by level (finest first), row-major in a level.
/// Zero objects is a valid scene (everything is background). A zero-area object is valid:
/// no prior lies strictly inside it, so centre-based assigners give it no candidates. Zero priors
/// is valid too (for example a prior grid of an image smaller than every stride): every preset
/// returns an empty assignment.
public struct Scene: Sendable, Equatable {
    /// A name for reports (the file name, or `workload-index`).
    public var name: String
    public var imageWidth: Int
    public var imageHeight: Int
    /// FPN strides, finest first: finite, positive, at most `Limits.maxStride`. They need not be
    /// whole numbers; the presets that lay a grid of `W / s` cells (`yolov5`) require whole ones
    /// (`Scene+Strides.swift`), and the grid fast paths scan a level of a fractional stride in full.
    public var strides: [Float]
    public var numClasses: Int
    /// `N × 4`: `cx, cy, stride_x, stride_y`.
    public var priors: [Float]
    /// `G × 4` ground-truth boxes.
    public var gtBoxes: [Float]
    /// `G` class ids in `[0, numClasses)`.
    public var gtLabels: [Int32]
    /// `N × 4` decoded predicted boxes.
    public var predBoxes: [Float]
    /// `N × C` class logits.
    public var clsLogits: [Float]
    /// `N` objectness logits (YOLOX-style heads), if the head has them.
    public var objLogits: [Float]?
    /// `K × 4` ignore regions (crowd boxes).
    public var gtIgnore: [Float]
    /// `N × 4` explicit anchor boxes, one per prior (`Scene+Anchors.swift`); `nil`: the
    /// anchor-based assigners derive square anchors from the priors.
    public var anchors: [Float]?

    public init(name: String = "scene", imageWidth: Int, imageHeight: Int, strides: [Float], numClasses: Int,
                priors: [Float], gtBoxes: [Float], gtLabels: [Int32], predBoxes: [Float], clsLogits: [Float],
                objLogits: [Float]? = nil, gtIgnore: [Float] = [], anchors: [Float]? = nil) {
        self.name = name
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.strides = strides
        self.numClasses = numClasses
        self.priors = priors
        self.gtBoxes = gtBoxes
        self.gtLabels = gtLabels
        self.predBoxes = predBoxes
        self.clsLogits = clsLogits
        self.objLogits = objLogits
        self.gtIgnore = gtIgnore
        self.anchors = anchors
    }

    /// Number of priors `N`.
    public var priorCount: Int { priors.count / 4 }
    /// Number of ground-truth objects `G`.
    public var gtCount: Int { gtBoxes.count / 4 }
    /// Number of ignore regions.
    public var ignoreCount: Int { gtIgnore.count / 4 }

    /// The contiguous prior index range of each level (one per stride, in order).
    /// Requires a validated scene.
    public var levelRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        let n = priorCount
        for s in strides {
            var end = start
            while end < n && priors[4 * end + 2] == s { end += 1 }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// Level index of every prior. Requires a validated scene.
    public var priorLevels: [Int32] {
        var out = [Int32](repeating: 0, count: priorCount)
        for (l, r) in levelRanges.enumerated() { for i in r { out[i] = Int32(l) } }
        return out
    }

    /// Checks every rule of the scene format, the bounds of `Scene.Limits` included; throws a
    /// typed error naming the field and index. One pass over every array: cheap next to any
    /// assignment.
    public func validate() throws {
        try checkImageAndStrides()
        guard numClasses > 0 else { throw LabelAssignError.invalidValue(field: "num_classes", index: nil, reason: "must be positive, got \(numClasses)") }
        guard numClasses <= Limits.maxCount else {
            throw LabelAssignError.invalidValue(field: "num_classes", index: nil, reason: "\(numClasses) is above the limit of \(Limits.maxCount)")
        }
        guard priors.count % 4 == 0 else { throw LabelAssignError.invalidValue(field: "priors", index: nil, reason: "rows must have 4 values") }
        let n = priorCount
        try Scene.checkCount(n, field: "priors")
        try Scene.checkCoordinates(priors, field: "priors")
        try checkPriorStrides()
        try Scene.checkBoxes(gtBoxes, field: "gt_bboxes")
        try Scene.checkCount(gtCount, field: "gt_bboxes")
        try checkGTLabels()
        try checkPredBoxCount()
        try Scene.checkBoxes(predBoxes, field: "pred_bboxes")
        try checkClassLogitCount()
        try Scene.checkFinite(clsLogits, field: "cls_logits", width: numClasses)
        if let obj = objLogits {
            guard obj.count == n else { throw LabelAssignError.shapeMismatch(field: "obj_logits", expected: n, actual: obj.count) }
            try Scene.checkFinite(obj, field: "obj_logits", width: 1)
        }
        try Scene.checkBoxes(gtIgnore, field: "gt_ignore")
        try Scene.checkCount(ignoreCount, field: "gt_ignore")
        try checkAnchors()
    }

    /// `image` sides and `strides` within `Limits`.
    func checkImageAndStrides() throws {
        for (i, side) in [imageWidth, imageHeight].enumerated() {
            let name = i == 0 ? "width" : "height"
            guard side > 0 else { throw LabelAssignError.invalidValue(field: "image", index: i, reason: "\(name) must be positive, got \(side)") }
            guard side <= Limits.maxImageSide else {
                throw LabelAssignError.invalidValue(field: "image", index: i, reason: "\(name) \(side) is above the limit of \(Limits.maxImageSide) (2^24)")
            }
        }
        guard !strides.isEmpty else { throw LabelAssignError.invalidValue(field: "strides", index: nil, reason: "at least one stride is needed") }
        guard strides.count <= Limits.maxLevels else {
            throw LabelAssignError.invalidValue(field: "strides", index: nil, reason: "\(strides.count) levels; at most \(Limits.maxLevels)")
        }
        for (i, s) in strides.enumerated() {
            guard s.isFinite else { throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride \(s) is not finite") }
            guard s > 0 else { throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride must be positive, got \(Scene.describe(s))") }
            guard s <= Float(Limits.maxStride) else {
                throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride \(Scene.describe(s)) is above the limit of \(Limits.maxStride) (2^24)")
            }
        }
    }

    /// Prior strides must follow the levels in order.
    func checkPriorStrides() throws {
        var level = 0
        try priors.withUnsafeBufferPointer { p in
            for i in 0..<(p.count / 4) {
                let sx = p[4 * i + 2], sy = p[4 * i + 3]
                guard sx > 0, sy > 0 else { throw LabelAssignError.invalidValue(field: "priors", index: i, reason: "stride must be positive") }
                while level < strides.count && strides[level] != sx { level += 1 }
                guard level < strides.count else {
                    throw LabelAssignError.invalidValue(field: "priors", index: i,
                                                        reason: "stride \(Scene.describe(sx)) is not one of the scene strides in level order \(Scene.describe(strides))")
                }
            }
        }
    }

    /// A count of rows (priors, objects, ignore regions) within `Limits.maxCount`.
    static func checkCount(_ count: Int, field: String) throws {
        guard count <= Limits.maxCount else {
            throw LabelAssignError.invalidValue(field: field, index: nil, reason: "\(count) rows; at most \(Limits.maxCount)")
        }
    }

    /// `gt_labels`: one per object, each a class in `[0, numClasses)`.
    func checkGTLabels() throws {
        guard gtLabels.count == gtCount else { throw LabelAssignError.shapeMismatch(field: "gt_labels", expected: gtCount, actual: gtLabels.count) }
        for (i, l) in gtLabels.enumerated() where l < 0 || Int(l) >= numClasses {
            throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "class \(l) outside [0, \(numClasses))")
        }
    }

    /// `pred_bboxes`: one row of 4 values per prior.
    func checkPredBoxCount() throws {
        guard predBoxes.count == 4 * priorCount else {
            throw LabelAssignError.shapeMismatch(field: "pred_bboxes", expected: priorCount, actual: predBoxes.count / 4)
        }
    }

    /// `cls_logits`: `numClasses` values per prior.
    func checkClassLogitCount() throws {
        let (expected, overflow) = priorCount.multipliedReportingOverflow(by: numClasses)
        guard !overflow, clsLogits.count == expected else {
            throw LabelAssignError.shapeMismatch(field: "cls_logits", expected: overflow ? Int.max : expected, actual: clsLogits.count)
        }
    }

    static func checkFinite(_ values: [Float], field: String, width: Int) throws {
        let bad = values.withUnsafeBufferPointer { b -> Int? in
            // Blocks of 1024 by their largest exponent field (a loop the compiler vectorises);
            // only a block holding an all-ones exponent (NaN or infinity) is searched.
            var start = 0
            while start < b.count {
                let end = min(start + 1024, b.count)
                var exponent: UInt32 = 0
                for i in start..<end { exponent = max(exponent, b[i].bitPattern & 0x7F80_0000) }
                if exponent == 0x7F80_0000 {
                    for i in start..<end where !b[i].isFinite { return i }
                }
                start = end
            }
            return nil
        }
        if let i = bad {
            throw LabelAssignError.invalidValue(field: field, index: i / max(width, 1), reason: "\(values[i]) is not finite")
        }
    }

    /// Every value finite and within `±Limits.maxCoordinate`.
    static func checkCoordinates(_ values: [Float], field: String) throws {
        let bound = Limits.maxCoordinate
        let bad = values.withUnsafeBufferPointer { b -> Int? in
            for i in 0..<b.count where !(abs(b[i]) <= bound) { return i }
            return nil
        }
        if let i = bad {
            let v = values[i]
            let reason = v.isFinite ? "coordinate \(v) is beyond ±\(Int(bound)) (2^24, the largest magnitude a scene may hold)" : "\(v) is not finite"
            throw LabelAssignError.invalidValue(field: field, index: i / 4, reason: reason)
        }
    }

    static func checkBoxes(_ boxes: [Float], field: String) throws {
        guard boxes.count % 4 == 0 else { throw LabelAssignError.invalidValue(field: field, index: nil, reason: "rows must have 4 values") }
        try checkCoordinates(boxes, field: field)
        let bad = boxes.withUnsafeBufferPointer { b -> (Int, Bool)? in
            for i in 0..<(b.count / 4) {
                if b[4 * i + 2] < b[4 * i] { return (i, true) }
                if b[4 * i + 3] < b[4 * i + 1] { return (i, false) }
            }
            return nil
        }
        if let (i, x) = bad { throw LabelAssignError.invalidValue(field: field, index: i, reason: x ? "x2 < x1" : "y2 < y1") }
    }

    /// Checks boxes given outside a scene (`x1, y1, x2, y2` rows, as `Scene.validate()` checks
    /// `gt_bboxes`): rows of 4, every coordinate finite and within `±Limits.maxCoordinate`,
    /// `x1 <= x2`, `y1 <= y2`. Errors name `field` and the row.
    public static func validateBoxes(_ boxes: [Float], field: String) throws {
        try checkBoxes(boxes, field: field)
    }
}

extension Scene {
    /// The bounds of the scene format. They keep every computation of every preset finite in
    /// float32 and in `Int`: with sides, strides and coordinates within 2^24, every coordinate is
    /// a float32 that still resolves whole pixels, `(W / s) · (H / s) <= 2^48`, an anchor box
    /// (at most 8 strides) stays within 2^28, and the largest term of any overlap (a squared
    /// enclosing diagonal, `2 · (2^25)^2 = 2^51`, or an area product) is far below float32's
    /// 3.4e38. Past them `Scene.validate()` throws `invalidValue` naming the field and index.
    public enum Limits {
        /// Largest image width or height, in pixels: 2^24 (16,777,216).
        public static let maxImageSide = 1 << 24
        /// Largest stride: 2^24 (a whole or fractional stride at most this).
        public static let maxStride = 1 << 24
        /// Most FPN levels (strides) of a scene.
        public static let maxLevels = 64
        /// Largest magnitude of a prior centre or box coordinate: 2^24 (16,777,216).
        public static let maxCoordinate: Float = 16_777_216
        /// Most priors, objects, ignore regions or classes: `Int32.max` (indices are int32).
        public static let maxCount = Int(Int32.max)
    }
}
