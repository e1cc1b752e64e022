import LabelAssign

// The structs of labelassign.h (la_layout, la_image, la_outputs, la_batch), their layout the C
// one (fields in order, each at its natural alignment; CABILayoutTests checks the offsets), and
// how they become a `PriorLayout`, a `BatchImage` and written outputs.

/// `la_layout`.
public struct LALayout {
    public var imageWidth: Int32
    public var imageHeight: Int32
    public var strides: UnsafePointer<Float>?
    public var numStrides: Int32
    public var numClasses: Int32
    public var priors: UnsafePointer<Float>?
    public var numPriors: Int64
    public var anchors: UnsafePointer<Float>?

    public init(imageWidth: Int32, imageHeight: Int32, strides: UnsafePointer<Float>?, numStrides: Int32, numClasses: Int32,
                priors: UnsafePointer<Float>?, numPriors: Int64, anchors: UnsafePointer<Float>? = nil) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.strides = strides
        self.numStrides = numStrides
        self.numClasses = numClasses
        self.priors = priors
        self.numPriors = numPriors
        self.anchors = anchors
    }
}

/// `la_image`.
public struct LAImage {
    public var gtBoxes: UnsafePointer<Float>?
    public var gtLabels: UnsafePointer<Int32>?
    public var numGT: Int64
    public var predBoxes: UnsafePointer<Float>?
    public var clsLogits: UnsafePointer<Float>?
    public var objLogits: UnsafePointer<Float>?
    public var gtIgnore: UnsafePointer<Float>?
    public var numIgnore: Int64

    public init(gtBoxes: UnsafePointer<Float>?, gtLabels: UnsafePointer<Int32>?, numGT: Int64, predBoxes: UnsafePointer<Float>?,
                clsLogits: UnsafePointer<Float>?, objLogits: UnsafePointer<Float>? = nil, gtIgnore: UnsafePointer<Float>? = nil,
                numIgnore: Int64 = 0) {
        self.gtBoxes = gtBoxes
        self.gtLabels = gtLabels
        self.numGT = numGT
        self.predBoxes = predBoxes
        self.clsLogits = clsLogits
        self.objLogits = objLogits
        self.gtIgnore = gtIgnore
        self.numIgnore = numIgnore
    }
}

/// `la_outputs`.
public struct LAOutputs {
    public var assignedGT: UnsafeMutablePointer<Int32>?
    public var matchedIoU: UnsafeMutablePointer<Float>?
    public var quality: UnsafeMutablePointer<Float>?
    public var positivesPerGT: UnsafeMutablePointer<Int32>?

    public init(assignedGT: UnsafeMutablePointer<Int32>?, matchedIoU: UnsafeMutablePointer<Float>? = nil,
                quality: UnsafeMutablePointer<Float>? = nil, positivesPerGT: UnsafeMutablePointer<Int32>? = nil) {
        self.assignedGT = assignedGT
        self.matchedIoU = matchedIoU
        self.quality = quality
        self.positivesPerGT = positivesPerGT
    }
}

/// `la_batch`.
public struct LABatch {
    public var batchSize: Int64
    public var gtOffsets: UnsafePointer<Int64>?
    public var gtBoxes: UnsafePointer<Float>?
    public var gtLabels: UnsafePointer<Int32>?
    public var predBoxes: UnsafePointer<Float>?
    public var clsLogits: UnsafePointer<Float>?
    public var objLogits: UnsafePointer<Float>?
    public var ignoreOffsets: UnsafePointer<Int64>?
    public var gtIgnore: UnsafePointer<Float>?

    public init(batchSize: Int64, gtOffsets: UnsafePointer<Int64>?, gtBoxes: UnsafePointer<Float>?, gtLabels: UnsafePointer<Int32>?,
                predBoxes: UnsafePointer<Float>?, clsLogits: UnsafePointer<Float>?, objLogits: UnsafePointer<Float>? = nil,
                ignoreOffsets: UnsafePointer<Int64>? = nil, gtIgnore: UnsafePointer<Float>? = nil) {
        self.batchSize = batchSize
        self.gtOffsets = gtOffsets
        self.gtBoxes = gtBoxes
        self.gtLabels = gtLabels
        self.predBoxes = predBoxes
        self.clsLogits = clsLogits
        self.objLogits = objLogits
        self.ignoreOffsets = ignoreOffsets
        self.gtIgnore = gtIgnore
    }
}

/// The struct at `pointer`; `LA_ERROR_ARGUMENT` naming `name` for NULL.
func load<T>(_ pointer: UnsafeRawPointer?, as type: T.Type, _ name: String) throws -> T {
    guard let pointer else { throw Failure.argument("\(name) is NULL") }
    return pointer.load(as: T.self)
}

/// The strides as `Scene` holds them (whole numbers): `LA_ERROR_INVALID_INPUT` naming
/// `strides[i]` for a value that is not a whole number.
func wholeStrides(_ strides: [Float]) throws -> [Int] {
    try strides.enumerated().map { i, s in
        guard let whole = Int(exactly: Double(s)) else {
            throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride \(s) is not a whole number")
        }
        return whole
    }
}

/// A checked `la_layout`: its counts and the element counts derived from them.
struct LayoutCounts: @unchecked Sendable {
    let layout: LALayout
    /// Priors `N` and classes `C`.
    let priors: Int, classes: Int
    /// `N · 4` and `N · C`.
    let boxValues: Int, logitValues: Int

    init(_ layout: LALayout) throws {
        guard layout.numStrides >= 0 else { throw Failure.argument("num_strides is negative (\(layout.numStrides))") }
        guard layout.numClasses >= 0 else { throw Failure.argument("num_classes is negative (\(layout.numClasses))") }
        guard layout.numStrides <= Scene.Limits.maxLevels else {
            throw LabelAssignError.invalidValue(field: "strides", index: nil, reason: "\(layout.numStrides) levels; at most \(Scene.Limits.maxLevels)")
        }
        self.layout = layout
        boxValues = try elements(layout.numPriors, 4, "num_priors")
        logitValues = try elements(layout.numPriors, Int64(layout.numClasses), "num_priors × num_classes")
        priors = Int(layout.numPriors)
        classes = Int(layout.numClasses)
    }

    /// The layout's arrays, copied once after a check against the buffer limit.
    func read(_ what: String) throws -> PriorLayout {
        try ResourceLimits.checkBuffer("\(what) priors (num_priors × 4)", count: boxValues, of: Float.self)
        let strides = try wholeStrides(copy(layout.strides, Int(layout.numStrides), "layout strides"))
        let anchors = try layout.anchors.map { try copy($0, boxValues, "layout anchors") }
        return PriorLayout(imageWidth: Int(layout.imageWidth), imageHeight: Int(layout.imageHeight), strides: strides,
                           numClasses: classes, priors: try copy(layout.priors, boxValues, "layout priors"), anchors: anchors)
    }

    /// One image's arrays (objects `gt`, ignore regions `ignore`), checked against the buffer limit.
    func image(gtBoxes: UnsafePointer<Float>?, gtLabels: UnsafePointer<Int32>?, gt: Int,
               predBoxes: UnsafePointer<Float>?, clsLogits: UnsafePointer<Float>?, objLogits: UnsafePointer<Float>?,
               gtIgnore: UnsafePointer<Float>?, ignore: Int, _ what: String) throws -> BatchImage {
        try ResourceLimits.checkBuffer("\(what) cls_logits (num_priors × num_classes)", count: logitValues, of: Float.self)
        try ResourceLimits.checkBuffer("\(what) pred_bboxes (num_priors × 4)", count: boxValues, of: Float.self)
        try ResourceLimits.checkBuffer("\(what) gt_bboxes (num_gt × 4)", count: gt * 4, of: Float.self)
        try ResourceLimits.checkBuffer("\(what) gt_ignore (num_ignore × 4)", count: ignore * 4, of: Float.self)
        return BatchImage(gtBoxes: try copy(gtBoxes, gt * 4, "gt_bboxes"), gtLabels: try copy(gtLabels, gt, "gt_labels"),
                          predBoxes: try copy(predBoxes, boxValues, "pred_bboxes"),
                          clsLogits: try copy(clsLogits, logitValues, "cls_logits"),
                          objLogits: try objLogits.map { try copy($0, priors, "obj_logits") },
                          gtIgnore: try copy(gtIgnore, ignore * 4, "gt_ignore"))
    }
}

/// The caller's output buffers (`la_outputs`), written image by image.
struct OutputBuffers: @unchecked Sendable {
    let outputs: LAOutputs

    /// Writes `a` for the image whose priors start at `prior` (`n` of them) and objects at `object` (`g`).
    func write(_ a: Assignment, prior: Int, n: Int, object: Int, g: Int) {
        if let p = outputs.assignedGT {
            for i in 0..<n { p[prior + i] = i < a.assignedGT.count ? a.assignedGT[i] : -1 }
        }
        write(a.matchedIoU, to: outputs.matchedIoU.map { $0 + prior }, n)
        write(a.quality?.values, to: outputs.quality.map { $0 + prior }, n)
        if let p = outputs.positivesPerGT {
            let counts = a.positivesPerObject(gtCount: g)
            for k in 0..<g { p[object + k] = Int32(counts[k]) }
        }
    }

    private func write(_ values: [Float]?, to p: UnsafeMutablePointer<Float>?, _ n: Int) {
        guard let p else { return }
        for i in 0..<n { p[i] = values.map { i < $0.count ? $0[i] : 0 } ?? 0 }
    }

    /// The error fill: -1 in `assigned_gt`, 0 in the rest (`objects` nil: positives left alone).
    func clear(priors: Int, objects: Int?) {
        fill(outputs.assignedGT, priors, -1)
        fill(outputs.matchedIoU, priors, 0)
        fill(outputs.quality, priors, 0)
        if let objects { fill(outputs.positivesPerGT, objects, 0) }
    }
}
