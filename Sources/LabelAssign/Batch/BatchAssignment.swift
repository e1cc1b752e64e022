/// The prior layout that every image of a batch shares: image size, strides, classes, priors
/// and, optionally, explicit anchor boxes (as `Scene`).
public struct PriorLayout: Sendable, Equatable {
    public var imageWidth: Int
    public var imageHeight: Int
    /// Strides, finest first.
    public var strides: [Int]
    public var numClasses: Int
    /// `N × 4` priors `cx, cy, stride_x, stride_y`.
    public var priors: [Float]
    /// `N × 4` explicit anchor boxes, or `nil`.
    public var anchors: [Float]?

    public init(imageWidth: Int, imageHeight: Int, strides: [Int], numClasses: Int, priors: [Float], anchors: [Float]? = nil) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.strides = strides
        self.numClasses = numClasses
        self.priors = priors
        self.anchors = anchors
    }

    /// Number of priors `N`.
    public var priorCount: Int { priors.count / 4 }
}

/// The objects and predictions of one image of a batch (its own object count).
public struct BatchImage: Sendable, Equatable {
    /// `G × 4` ground-truth boxes.
    public var gtBoxes: [Float]
    /// `G` class ids.
    public var gtLabels: [Int32]
    /// `N × 4` predicted boxes.
    public var predBoxes: [Float]
    /// `N × C` class logits.
    public var clsLogits: [Float]
    /// `N` objectness logits, or `nil`.
    public var objLogits: [Float]?
    /// `K × 4` ignore regions.
    public var gtIgnore: [Float]

    public init(gtBoxes: [Float], gtLabels: [Int32], predBoxes: [Float], clsLogits: [Float],
                objLogits: [Float]? = nil, gtIgnore: [Float] = []) {
        self.gtBoxes = gtBoxes
        self.gtLabels = gtLabels
        self.predBoxes = predBoxes
        self.clsLogits = clsLogits
        self.objLogits = objLogits
        self.gtIgnore = gtIgnore
    }

    /// Image `index` of a batch as a scene on `layout` (the layout's arrays are shared, not copied).
    public func scene(on layout: PriorLayout, index: Int) -> Scene {
        Scene(name: "image \(index)", imageWidth: layout.imageWidth, imageHeight: layout.imageHeight,
              strides: layout.strides, numClasses: layout.numClasses, priors: layout.priors,
              gtBoxes: gtBoxes, gtLabels: gtLabels, predBoxes: predBoxes, clsLogits: clsLogits,
              objLogits: objLogits, gtIgnore: gtIgnore, anchors: layout.anchors)
    }
}

/// The failure of one image of a batch: its index and the error it raised.
public struct BatchError: Error, Equatable, CustomStringConvertible {
    /// The index of the failing image (the lowest one when several fail).
    public var image: Int
    public var error: LabelAssignError

    public init(image: Int, error: LabelAssignError) {
        self.image = image
        self.error = error
    }

    /// `image b: <the image's message>`.
    public var description: String { "image \(image): \(error)" }
}

/// Assigns a batch of images that share one prior layout, in parallel across images.
///
/// Every image is validated and assigned on its own (its scene is `layout` plus its objects and
/// predictions), by one worker, with OpenBLAS held at one thread (`BLASThreads.single`); an
/// assigner is deterministic per image, so the results are identical for every thread count and
/// equal to assigning the images one by one. When images fail, the one with the lowest index
/// decides the error (`BatchError`), whatever the thread count.
public enum BatchAssignment {
    /// Assigns `images` on `layout` with `threads` workers (`<= 1`: the calling thread). Throws
    /// `BatchError` for the first failing image, `resourceExhausted` for more images than
    /// `ResourceLimits.maxImages`.
    public static func assign(_ assigner: any Assigner, layout: PriorLayout, images: [BatchImage], threads: Int) throws -> [Assignment] {
        let slots = try run(assigner, layout: layout, count: images.count, threads: threads,
                            image: { images[$0] }, deliver: { _, _ in })
        return slots
    }

    /// The engine behind `assign`: `image(b)` builds image `b` (called once, on the worker that
    /// assigns it; it may throw, e.g. for a count that does not fit), `deliver(b, assignment)`
    /// receives each success on that worker (e.g. to copy it into caller buffers, each image its
    /// own region). Returns the assignments in image order. When an image fails, images after it
    /// may already have been delivered; the error of the lowest failing index is thrown.
    @discardableResult
    public static func run(_ assigner: any Assigner, layout: PriorLayout, count: Int, threads: Int,
                           image: @Sendable (Int) throws -> BatchImage,
                           deliver: @Sendable (Int, Assignment) throws -> Void) throws -> [Assignment] {
        try ResourceLimits.checkImages("batch images", count: count)
        let results: [Result<Assignment, LabelAssignError>] = try BLASThreads.single {
            try Parallel.map(count: count, threads: threads) { b in
                Result<Assignment, LabelAssignError> { () throws(LabelAssignError) -> Assignment in
                    do {
                        let a = try assigner.assign(PreparedScene(image(b).scene(on: layout, index: b)))
                        try deliver(b, a)
                        return a
                    } catch let e as LabelAssignError {
                        throw e
                    } catch {
                        throw LabelAssignError.invalidValue(field: "image", index: b, reason: "\(error)")
                    }
                }
            }
        }
        return try results.enumerated().map { b, r in
            switch r {
            case let .success(a): return a
            case let .failure(e): throw BatchError(image: b, error: e)
            }
        }
    }
}
