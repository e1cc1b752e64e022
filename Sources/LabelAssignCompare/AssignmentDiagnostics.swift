import LabelAssign
import LabelAssignIO
import Foundation

/// How well an assignment's positives agree with the predictions' localisation quality, and what
/// the class-score target choice (IoU as in GFL / VFNet, or 1) costs. This is the experiment the
/// design notes propose for judging an assigner (docs/DESIGN-NOTES.md, Class target): when the assigner hands objects only high-quality
/// priors, an IoU target and a target of 1 differ little; when it hands over poor priors, a
/// target of 1 teaches high confidence on badly localised boxes, and NMS keeps the worse box.
///
/// Measures, over the positive priors P (assignedGT ≥ 0) with IoU_i = IoU(pred_i, gt_{a_i}):
/// - `scoreIoUCorrelation`: Pearson r between the predicted score and IoU_i over P. The score is
///   σ(class logit of the object's class), times σ(obj logit) when the scene has `obj_logits`
///   (YOLOX-style heads rank boxes by that product at inference, so it is the score NMS sees).
///   `nil` with fewer than 2 positives or a constant score or IoU.
/// - `misrankedObjects`: objects whose best-IoU positive has a strictly lower score than the
///   best-scored positive of the same object (NMS would keep the worse box). `misrankedShare`
///   divides by `objectsWithPositives` (an object with one positive is never misranked).
/// - `missedHighQualityPriors`: priors outside P whose predicted box has, with some object that has
///   positives, a strictly higher IoU than that object's worst positive (each prior counted once;
///   `missedPerObject` counts per object). Objects without positives have no worst positive and
///   are skipped.
/// - `meanLossIoUTarget` / `meanLossOneTarget`: quality focal loss (β 2, mmdet) on the class logits,
///   summed over every non-ignored prior and class, divided by max(|P|, 1), with the positive's
///   class target set to IoU_i or to 1 (QFL with target 1 is the focal loss without α).
public struct AssignmentDiagnostics: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        /// IoU convention of IoU_i and of the missed-prior test (mmdet `bbox_overlaps` by default).
        public var convention: OverlapConvention
        /// β of the quality focal loss.
        public var qflBeta: Float

        public init(convention: OverlapConvention = .mmdet, qflBeta: Float = 2) {
            self.convention = convention; self.qflBeta = qflBeta
        }
    }

    public var positiveCount: Int
    public var objectCount: Int
    /// Objects with at least one positive.
    public var objectsWithPositives: Int
    /// Mean IoU_i over P (`nil` without positives).
    public var meanPositiveIoU: Double?
    /// Whether the score includes σ(obj logit).
    public var scoreIncludesObjectness: Bool
    /// (a) Pearson correlation of score and IoU over P.
    public var scoreIoUCorrelation: Double?
    /// (b) Objects whose best-IoU positive is not their best-scored positive.
    public var misrankedObjects: Int
    /// (b) `misrankedObjects / objectsWithPositives` (`nil` when no object has a positive).
    public var misrankedShare: Double?
    /// (c) Non-positive priors that beat some object's worst positive IoU.
    public var missedHighQualityPriors: Int
    /// (c) Per object: non-positive priors whose IoU with it beats its worst positive.
    public var missedPerObject: [Int]
    /// QFL with the positive target IoU_i, per max(|P|, 1).
    public var meanLossIoUTarget: Double
    /// QFL with the positive target 1, per max(|P|, 1).
    public var meanLossOneTarget: Double

    /// The measures as named report columns (`nil` where undefined).
    public var columns: [(name: String, value: Double?)] {
        [("positives", Double(positiveCount)),
         ("objects_with_positives", Double(objectsWithPositives)),
         ("mean_pos_iou", meanPositiveIoU),
         ("score_iou_corr", scoreIoUCorrelation),
         ("misranked_share", misrankedShare),
         ("missed_hq_priors", Double(missedHighQualityPriors)),
         ("loss_iou_target", meanLossIoUTarget),
         ("loss_one_target", meanLossOneTarget)]
    }

    public static func == (a: AssignmentDiagnostics, b: AssignmentDiagnostics) -> Bool {
        a.positiveCount == b.positiveCount && a.objectCount == b.objectCount && a.objectsWithPositives == b.objectsWithPositives
            && a.meanPositiveIoU == b.meanPositiveIoU && a.scoreIncludesObjectness == b.scoreIncludesObjectness
            && a.scoreIoUCorrelation == b.scoreIoUCorrelation && a.misrankedObjects == b.misrankedObjects
            && a.misrankedShare == b.misrankedShare && a.missedHighQualityPriors == b.missedHighQualityPriors
            && a.missedPerObject == b.missedPerObject && a.meanLossIoUTarget == b.meanLossIoUTarget
            && a.meanLossOneTarget == b.meanLossOneTarget
    }

    /// Pearson correlation in Double; `nil` for fewer than 2 points or zero variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = min(x.count, y.count)
        guard n >= 2 else { return nil }
        let mx = x.prefix(n).reduce(0, +) / Double(n), my = y.prefix(n).reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }

    /// Measures one assignment on its scene. Throws on an assignment that does not fit the scene
    /// or on non-finite logits.
    public static func measure(_ assignment: Assignment, scene: Scene,
                               configuration: Configuration = Configuration()) throws -> AssignmentDiagnostics {
        let assigned = assignment.assignedGT
        try TrainingTargets.check(assigned, scene)
        guard configuration.convention.supports(.iou) else {
            throw LabelAssignError.invalidParameter(name: "convention", reason: "no IoU under \(configuration.convention)")
        }
        let n = scene.priorCount, g = scene.gtCount, c = scene.numClasses
        if let obj = scene.objLogits {
            guard obj.count == n else { throw LabelAssignError.shapeMismatch(field: "obj_logits", expected: n, actual: obj.count) }
            try Losses.requireFinite(obj, field: "obj_logits")
        }
        try Losses.requireFinite(scene.clsLogits, field: "cls_logits", width: c)

        let ranked = try AssignmentDiagnostics.rankPositives(assigned, scene: scene, convention: configuration.convention)
        let iou = ranked.iou
        let (bestIoUPrior, worstIoU) = (ranked.bestIoUPrior, ranked.worstIoU)

        // Missed high-quality priors: one object row of IoUs at a time (memory O(N), not O(G·N)).
        var missedPerObject = [Int](repeating: 0, count: g)
        var missed = [Bool](repeating: false, count: n)
        for o in 0..<g where bestIoUPrior[o] >= 0 {
            let row = try pairwiseOverlap(Array(scene.gtBoxes[(4 * o)..<(4 * o + 4)]), scene.predBoxes,
                                          kind: .iou, convention: configuration.convention)
            let worst = worstIoU[o]
            row.withUnsafeBufferPointer { r in
                for i in 0..<n where assigned[i] < 0 && r[i] > worst {
                    missedPerObject[o] += 1
                    missed[i] = true
                }
            }
        }
        let missedCount = missed.reduce(0) { $0 + ($1 ? 1 : 0) }

        // Mean QFL with the positive target IoU vs 1.
        let labels = try TrainingTargets.labels(assignment, scene: scene)
        let iouTarget = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels.labels, scores: iou,
                                                numClasses: c, beta: configuration.qflBeta)
        let oneTarget = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels.labels,
                                                scores: [Float](repeating: 1, count: n), numClasses: c, beta: configuration.qflBeta)
        var sumIoU = 0.0, sumOne = 0.0
        for i in 0..<n where labels.weights[i] != 0 { sumIoU += Double(iouTarget[i]); sumOne += Double(oneTarget[i]) }
        let norm = Double(labels.normaliser)

        return ranked.diagnostics(scene: scene, missed: missedCount, missedPerObject: missedPerObject,
                                  lossIoUTarget: sumIoU / norm, lossOneTarget: sumOne / norm)
    }

    /// The per-positive and per-object terms both `measure`s share: IoU_i and score of every
    /// positive, their correlation and mean IoU, and per object its best-IoU positive (lowest
    /// index on ties), best score and worst IoU, with the misranked count.
    struct RankedPositives {
        var iou: [Float]
        var positives: [Int]
        var correlation: Double?
        var meanIoU: Double?
        var bestIoUPrior: [Int]
        var worstIoU: [Float]
        var objectsWithPositives: Int
        var misranked: Int

        /// The diagnostics from these terms plus the missed priors and the two mean losses.
        func diagnostics(scene: Scene, missed: Int, missedPerObject: [Int],
                         lossIoUTarget: Double, lossOneTarget: Double) -> AssignmentDiagnostics {
            AssignmentDiagnostics(
                positiveCount: positives.count, objectCount: scene.gtCount, objectsWithPositives: objectsWithPositives,
                meanPositiveIoU: meanIoU, scoreIncludesObjectness: scene.objLogits != nil,
                scoreIoUCorrelation: correlation, misrankedObjects: misranked,
                misrankedShare: objectsWithPositives == 0 ? nil : Double(misranked) / Double(objectsWithPositives),
                missedHighQualityPriors: missed, missedPerObject: missedPerObject,
                meanLossIoUTarget: lossIoUTarget, meanLossOneTarget: lossOneTarget)
        }
    }

    static func rankPositives(_ assigned: [Int32], scene: Scene, convention: OverlapConvention) throws -> RankedPositives {
        let n = scene.priorCount, g = scene.gtCount, c = scene.numClasses
        let iou = TrainingTargets.positiveOverlaps(assigned, scene: scene, kind: .iou, convention: convention)
        var positives: [Int] = []
        var score = [Float](repeating: 0, count: n)
        for i in 0..<n where assigned[i] >= 0 {
            positives.append(i)
            guard !iou[i].isNaN else { throw LabelAssignError.invalidValue(field: "pred_bboxes", index: i, reason: "IoU with object \(assigned[i]) is 0/0") }
            var s = torchSigmoid(scene.clsLogits[i * c + Int(scene.gtLabels[Int(assigned[i])])])
            if let obj = scene.objLogits { s *= torchSigmoid(obj[i]) }
            score[i] = s
        }
        let corr = pearson(positives.map { Double(score[$0]) }, positives.map { Double(iou[$0]) })
        let meanIoU = positives.isEmpty ? nil : positives.reduce(0.0) { $0 + Double(iou[$1]) } / Double(positives.count)
        var bestIoUPrior = [Int](repeating: -1, count: g)
        var bestScore = [Float](repeating: -.infinity, count: g)
        var worstIoU = [Float](repeating: .infinity, count: g)
        for i in positives {
            let o = Int(assigned[i])
            if bestIoUPrior[o] < 0 || iou[i] > iou[bestIoUPrior[o]] { bestIoUPrior[o] = i }
            bestScore[o] = max(bestScore[o], score[i])
            worstIoU[o] = min(worstIoU[o], iou[i])
        }
        var withPositives = 0, misranked = 0
        for o in 0..<g where bestIoUPrior[o] >= 0 {
            withPositives += 1
            if score[bestIoUPrior[o]] < bestScore[o] { misranked += 1 }
        }
        return RankedPositives(iou: iou, positives: positives, correlation: corr, meanIoU: meanIoU, bestIoUPrior: bestIoUPrior,
                               worstIoU: worstIoU, objectsWithPositives: withPositives, misranked: misranked)
    }
}
