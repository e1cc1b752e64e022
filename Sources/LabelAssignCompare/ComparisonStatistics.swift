import LabelAssign

/// One image's assignments, kept for drawing (class logits dropped).
public struct ExampleAssignment: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var imageWidth: Int
    public var imageHeight: Int
    public var priors: [Float]
    public var gtBoxes: [Float]
    public var gtLabels: [Int32]
    public var gtIgnore: [Float]
    /// Per assigner (in comparison order): its `assignedGT`, or `nil` when it failed on this image.
    public var assignedGT: [[Int32]?]

    init(index: Int, scene: Scene, assignedGT: [[Int32]?]) {
        self.index = index
        name = scene.name
        imageWidth = scene.imageWidth
        imageHeight = scene.imageHeight
        priors = scene.priors
        gtBoxes = scene.gtBoxes
        gtLabels = scene.gtLabels
        gtIgnore = scene.gtIgnore
        self.assignedGT = assignedGT
    }
}

/// The statistics of one assigner over a batch (everything but timings: identical on any thread count).
public struct AssignerStatistics: Sendable, Equatable {
    public var assigner: String
    /// Images it assigned without error.
    public var images: Int
    /// Images where it threw or returned a malformed assignment.
    public var failedImages: Int
    /// The first failure message, if any.
    public var firstError: String?
    /// Objects over the images it assigned.
    public var objects: Int
    /// Positive priors (assigned to an object).
    public var positives: Int
    /// Mean positives per object (`positives / objects`); `nil` without objects.
    public var positivesPerObjectMean: Double?
    /// The fewest positives any object got; `nil` without objects.
    public var positivesPerObjectMin: Int?
    /// Objects that got no positive prior.
    public var objectsWithoutPositive: Int
    /// Positives per FPN level (finest first).
    public var levelCounts: [Int]
    /// Mean IoU of each positive prior's predicted box with its object (mmdet IoU: a degenerate pair counts 0); `nil` without positives.
    public var meanIoU: Double?
    /// Histogram of those IoUs over `[0, 1]` in `Comparison.iouBins` bins.
    public var iouHistogram: [Int]
    /// Quality of the positives against the predictions, over the images it assigned.
    public var quality: PositiveQuality

    /// Share of positives per level (0 when there are no positives).
    public var levelShares: [Double] {
        levelCounts.map { positives > 0 ? Double($0) / Double(positives) : 0 }
    }
}

/// One assigner's `AssignmentDiagnostics` aggregated over a batch, image by image in image order
/// (identical on any thread count). Scores are σ(class logit of the object's class), times σ(obj logit)
/// when the scene has objectness logits; IoU is mmdet's (`AssignmentDiagnostics.Configuration`).
public struct PositiveQuality: Sendable, Equatable {
    /// Images measured.
    public var images: Int = 0
    /// Images the diagnostics rejected (e.g. non-finite logits); the first message in `firstError`.
    public var failedImages: Int = 0
    public var firstError: String? = nil
    /// Positives over the measured images.
    public var positives: Int = 0
    /// Mean over images of the Pearson correlation of score and IoU over the image's positives, over
    /// the `correlationImages` images where it is defined (≥ 2 positives, neither constant).
    public var meanScoreIoUCorrelation: Double? = nil
    public var correlationImages: Int = 0
    /// Objects with at least one positive.
    public var objectsWithPositives: Int = 0
    /// Objects whose best-IoU positive has a lower score than their best-scored positive.
    public var misrankedObjects: Int = 0
    /// Non-positive priors whose predicted box beats an object's worst positive IoU, summed over
    /// the objects (a prior counts once per object it beats).
    public var missedPriors: Int = 0
    /// Quality focal loss (summed over priors and classes, ignored priors left out) with the positive's
    /// class target IoU, per positive over the batch: Σ loss / max(Σ positives, 1).
    public var meanLossIoUTarget: Double? = nil
    /// The same with the class target 1.
    public var meanLossOneTarget: Double? = nil

    /// `misrankedObjects / objectsWithPositives`.
    public var misrankedShare: Double? {
        objectsWithPositives > 0 ? Double(misrankedObjects) / Double(objectsWithPositives) : nil
    }

    /// `missedPriors / objectsWithPositives`.
    public var missedPerObject: Double? {
        objectsWithPositives > 0 ? Double(missedPriors) / Double(objectsWithPositives) : nil
    }

    /// Aggregates per-image diagnostics, in the given order.
    public init(_ perImage: [AssignmentDiagnostics]) {
        var corrSum = 0.0, iouLoss = 0.0, oneLoss = 0.0
        for d in perImage {
            images += 1
            positives += d.positiveCount
            if let r = d.scoreIoUCorrelation { corrSum += r; correlationImages += 1 }
            objectsWithPositives += d.objectsWithPositives
            misrankedObjects += d.misrankedObjects
            missedPriors += d.missedPerObject.reduce(0, +)
            // Back to the image's sum: its mean was taken over max(positives, 1).
            let norm = Double(Float(max(d.positiveCount, 1)))
            iouLoss += d.meanLossIoUTarget * norm
            oneLoss += d.meanLossOneTarget * norm
        }
        if correlationImages > 0 { meanScoreIoUCorrelation = corrSum / Double(correlationImages) }
        if images > 0 {
            meanLossIoUTarget = iouLoss / Double(max(positives, 1))
            meanLossOneTarget = oneLoss / Double(max(positives, 1))
        }
    }
}

/// Wall-clock times of one assigner (vary from run to run).
public struct AssignerTiming: Sendable, Equatable {
    public var assigner: String
    /// Mean milliseconds per image.
    public var meanMs: Double
    /// Median milliseconds per image.
    public var medianMs: Double
    /// Slowest image.
    public var maxMs: Double
}

/// Mean Jaccard similarity of two assigners' positive (prior, object) sets.
public struct Agreement: Sendable, Equatable {
    public var a: String
    public var b: String
    /// Mean over the images where it is defined (at least one of the two has a positive and both succeeded).
    public var jaccard: Double?
    /// Images it was averaged over.
    public var images: Int
}
