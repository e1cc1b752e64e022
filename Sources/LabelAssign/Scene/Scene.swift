/// One image of a one-stage detector's training step: priors, ground truth and predictions.
///
/// All boxes are `x1, y1, x2, y2` pixel rows stored contiguously (stride 4). Priors are
/// `cx, cy, stride_x, stride_y` rows, level by level (finest first), row-major in a level.
/// Zero objects is a valid scene (everything is background). A zero-area object is valid:
/// no prior lies strictly inside it, so centre-based assigners give it no candidates.
public struct Scene: Sendable, Equatable {
    /// A name for reports (the file name, or `workload-index`).
    public var name: String
    public var imageWidth: Int
    public var imageHeight: Int
    /// FPN strides, finest first.
    public var strides: [Int]
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

    public init(name: String = "scene", imageWidth: Int, imageHeight: Int, strides: [Int], numClasses: Int,
                priors: [Float], gtBoxes: [Float], gtLabels: [Int32], predBoxes: [Float], clsLogits: [Float],
                objLogits: [Float]? = nil, gtIgnore: [Float] = []) {
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
            let fs = Float(s)
            var end = start
            while end < n && priors[4 * end + 2] == fs { end += 1 }
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

    /// Checks every rule of the scene format; throws a typed error naming the field and index.
    public func validate() throws {
        guard imageWidth > 0 else { throw LabelAssignError.invalidValue(field: "image", index: 0, reason: "width must be positive, got \(imageWidth)") }
        guard imageHeight > 0 else { throw LabelAssignError.invalidValue(field: "image", index: 1, reason: "height must be positive, got \(imageHeight)") }
        guard !strides.isEmpty else { throw LabelAssignError.invalidValue(field: "strides", index: nil, reason: "at least one stride is needed") }
        for (i, s) in strides.enumerated() where s <= 0 {
            throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride must be positive, got \(s)")
        }
        guard numClasses > 0 else { throw LabelAssignError.invalidValue(field: "num_classes", index: nil, reason: "must be positive, got \(numClasses)") }
        guard priors.count % 4 == 0 else { throw LabelAssignError.invalidValue(field: "priors", index: nil, reason: "rows must have 4 values") }
        let n = priorCount
        guard n > 0 else { throw LabelAssignError.invalidValue(field: "priors", index: nil, reason: "a scene needs at least one prior") }
        try Scene.checkFinite(priors, field: "priors", width: 4)
        // Prior strides must follow the levels in order.
        var level = 0
        for i in 0..<n {
            let sx = priors[4 * i + 2], sy = priors[4 * i + 3]
            guard sx > 0, sy > 0 else { throw LabelAssignError.invalidValue(field: "priors", index: i, reason: "stride must be positive") }
            while level < strides.count && Float(strides[level]) != sx { level += 1 }
            guard level < strides.count else {
                throw LabelAssignError.invalidValue(field: "priors", index: i, reason: "stride \(sx) is not one of the scene strides in level order \(strides)")
            }
        }
        try Scene.checkBoxes(gtBoxes, field: "gt_bboxes")
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
        guard clsLogits.count == priorCount * numClasses else {
            throw LabelAssignError.shapeMismatch(field: "cls_logits", expected: priorCount * numClasses, actual: clsLogits.count)
        }
    }

    static func checkFinite(_ values: [Float], field: String, width: Int) throws {
        let bad = values.withUnsafeBufferPointer { b -> Int? in
            for i in 0..<b.count where !b[i].isFinite { return i }
            return nil
        }
        if let i = bad {
            throw LabelAssignError.invalidValue(field: field, index: i / max(width, 1), reason: "\(values[i]) is not finite")
        }
    }

    static func checkBoxes(_ boxes: [Float], field: String) throws {
        guard boxes.count % 4 == 0 else { throw LabelAssignError.invalidValue(field: field, index: nil, reason: "rows must have 4 values") }
        try checkFinite(boxes, field: field, width: 4)
        for i in 0..<(boxes.count / 4) {
            if boxes[4 * i + 2] < boxes[4 * i] { throw LabelAssignError.invalidValue(field: field, index: i, reason: "x2 < x1") }
            if boxes[4 * i + 3] < boxes[4 * i + 1] { throw LabelAssignError.invalidValue(field: field, index: i, reason: "y2 < y1") }
        }
    }
}
