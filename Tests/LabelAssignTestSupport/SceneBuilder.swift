import Foundation
import LabelAssign

/// One prior as the builder's closures see it.
public struct BuilderPrior: Sendable {
    /// Index of the prior in the scene.
    public let index: Int
    /// Centre and stride.
    public let cx: Float, cy: Float, stride: Float

    /// The square box `[cx − h, cy − h, cx + h, cy + h]`.
    public func square(halfSide h: Float) -> [Float] { [cx - h, cy - h, cx + h, cy + h] }
}

/// Builds the hand-made scenes of the tests: priors first, then objects, predictions and logits.
///
///     SceneBuilder.grid(width: 32, height: 32, strides: [8], classes: 2)
///         .objects([0, 0, 16, 16], labels: [0])
///         .predictions { $0.square(halfSide: 6) }
///         .logits { prior, cls in cls == 0 ? 2 : -2 }
///         .scene
///
/// Until told otherwise every prior predicts its own cell (`square(halfSide: stride / 2)`), every
/// class logit is 0, there is no objectness and there are no objects or ignore boxes. The builder
/// does not validate: bad-input tests change the scene afterwards.
public struct SceneBuilder: Sendable {
    /// The scene built so far.
    public private(set) var scene: Scene

    /// Explicit priors (`cx, cy, stride_x, stride_y` per prior) on a `width × height` image.
    public init(width: Int, height: Int, strides: [Int], classes: Int, priors: [Float]) {
        let n = priors.count / 4
        var pred: [Float] = []
        pred.reserveCapacity(4 * n)
        for i in 0..<n {
            let cx = priors[4 * i], cy = priors[4 * i + 1], h = priors[4 * i + 2] / 2
            pred += [cx - h, cy - h, cx + h, cy + h]
        }
        scene = Scene(name: "hand", imageWidth: width, imageHeight: height, strides: strides, numClasses: classes,
                      priors: priors, gtBoxes: [], gtLabels: [], predBoxes: pred,
                      clsLogits: [Float](repeating: 0, count: n * classes))
    }

    /// Starts from an existing scene (a fixture scene with other objects, for example).
    public init(_ scene: Scene) {
        self.scene = scene
    }

    /// The point priors of `PriorGrid.points(width:height:strides:)`: every level a full grid,
    /// row-major, finest first.
    public static func grid(width: Int, height: Int, strides: [Int], classes: Int) -> SceneBuilder {
        let priors = try! PriorGrid.points(width: width, height: height, strides: strides)
        return SceneBuilder(width: width, height: height, strides: strides, classes: classes, priors: priors)
    }

    /// `count` priors of one stride in a row, at `((j + 0.5) · stride, stride / 2)`: not a full
    /// grid of the image.
    public static func row(count: Int, stride: Int, width: Int, height: Int, classes: Int) -> SceneBuilder {
        let s = Float(stride)
        let priors = (0..<count).flatMap { j in [(Float(j) + 0.5) * s, s / 2, s, s] }
        return SceneBuilder(width: width, height: height, strides: [stride], classes: classes, priors: priors)
    }

    // MARK: - Starting points shared by several test files

    /// A `width × height` grid of `strides` (default 64 × 64, one stride-8 level: 8 × 8 priors),
    /// 2 classes, every logit 1, every prior predicting the square of side 4 strides around it.
    /// The hand scenes of the task-aligned, ATSS, max-IoU and ignore-region tests.
    public static func wideBoxes(width: Int = 64, height: Int = 64, strides: [Int] = [8]) -> SceneBuilder {
        grid(width: width, height: height, strides: strides, classes: 2)
            .predictions { $0.square(halfSide: 2 * $0.stride) }
            .logits(1)
    }

    /// A 32 × 32 image with one level of stride 8: 16 priors at 4, 12, 20, 28 on each axis,
    /// index `4 · row + column`; 2 classes, logits −2, objectness logits 0, every prediction the
    /// far-away box `[100, 100, 110, 110]`. The hand scenes of the dynamic-k tests.
    public static func farPredictions(classes: Int = 2) -> SceneBuilder {
        grid(width: 32, height: 32, strides: [8], classes: classes)
            .predictions { _ in [100, 100, 110, 110] }
            .logits(-2)
            .objectness(0)
    }

    /// A small valid scene to change in bad-input tests: 32 × 32, strides 8 and 16 (20 priors),
    /// 3 classes, objects `[2, 2, 20, 18]` (class 0) and `[10, 12, 30, 30]` (class 2), predictions
    /// 12 px squares around the priors, logits `k mod 7 − 3` (`k` the flat index), objectness 0.5.
    public static func tiny() -> SceneBuilder {
        grid(width: 32, height: 32, strides: [8, 16], classes: 3)
            .named("tiny")
            .objects([2, 2, 20, 18, 10, 12, 30, 30], labels: [0, 2])
            .predictions { $0.square(halfSide: 6) }
            .logits { prior, cls in Float((3 * prior + cls) % 7) - 3 }
            .objectness(0.5)
    }

    /// One object `[0, 0, 20, 20]` of class 1 (2 classes), six priors of stride 8 in a row on a
    /// 64 × 64 image. Predictions 0–3 shrink from the object's own box (IoU 1, 0.81, 0.64, 0.25);
    /// prediction 4 equals the object (IoU 1); prediction 5 is far away (IoU 0). `scores` are the
    /// class-1 probabilities of the six priors (class 0 has logit −4). The scenes of the
    /// diagnostics and comparison-quality tests.
    public static func scoredPredictions(_ scores: [Double]) -> SceneBuilder {
        var logits: [Float] = []
        for s in scores { logits += [-4, Float(log(s / (1 - s)))] }
        return row(count: 6, stride: 8, width: 64, height: 64, classes: 2)
            .objects([0, 0, 20, 20], labels: [1])
            .predictions([0, 0, 20, 20, 0, 0, 18, 18, 0, 0, 16, 16, 0, 0, 10, 10, 0, 0, 20, 20, 40, 40, 50, 50])
            .logits(logits)
    }

    // MARK: - Changes

    public func named(_ name: String) -> SceneBuilder {
        changing { $0.name = name }
    }

    /// The objects, `x1, y1, x2, y2` each, flat.
    public func objects(_ boxes: [Float], labels: [Int32]) -> SceneBuilder {
        changing { $0.gtBoxes = boxes; $0.gtLabels = labels }
    }

    /// The ignore regions (`gt_ignore`), flat.
    public func ignore(_ boxes: [Float]) -> SceneBuilder {
        changing { $0.gtIgnore = boxes }
    }

    /// The predicted box of every prior.
    public func predictions(_ box: (BuilderPrior) -> [Float]) -> SceneBuilder {
        changing { s in s.predBoxes = (0..<s.priorCount).flatMap { box(Self.prior($0, of: s)) } }
    }

    /// The predicted boxes, flat.
    public func predictions(_ boxes: [Float]) -> SceneBuilder {
        changing { $0.predBoxes = boxes }
    }

    /// Every class logit of every prior.
    public func logits(_ value: Float) -> SceneBuilder {
        logits { _, _ in value }
    }

    /// The class logit of every (prior, class).
    public func logits(_ logit: (_ prior: Int, _ cls: Int) -> Float) -> SceneBuilder {
        changing { s in
            let c = s.numClasses
            s.clsLogits = (0..<(s.priorCount * c)).map { logit($0 / c, $0 % c) }
        }
    }

    /// The class logits, flat (`N × C`).
    public func logits(_ values: [Float]) -> SceneBuilder {
        changing { $0.clsLogits = values }
    }

    /// Every objectness logit.
    public func objectness(_ value: Float) -> SceneBuilder {
        changing { $0.objLogits = [Float](repeating: value, count: $0.priorCount) }
    }

    /// The objectness logits (`nil`: none).
    public func objectness(_ values: [Float]?) -> SceneBuilder {
        changing { $0.objLogits = values }
    }

    private func changing(_ change: (inout Scene) -> Void) -> SceneBuilder {
        var b = self
        change(&b.scene)
        return b
    }

    private static func prior(_ i: Int, of s: Scene) -> BuilderPrior {
        BuilderPrior(index: i, cx: s.priors[4 * i], cy: s.priors[4 * i + 1], stride: s.priors[4 * i + 2])
    }
}
