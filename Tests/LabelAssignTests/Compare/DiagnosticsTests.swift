import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// The scenes are `SceneBuilder.scoredPredictions`: one object, predictions 0–3 with IoU 1, 0.81,
/// 0.64, 0.25 with it, prediction 4 equal to it, prediction 5 far away.
@Suite struct DiagnosticsTests {
    let ious: [Double] = [1, 0.81, 0.64, 0.25]

    @Test func perfectlyCorrelatedScoresGiveCorrelationOneAndNoMisranking() throws {
        // Scores equal to 0.9·IoU (linear in IoU); priors 4, 5 are background.
        let scene = SceneBuilder.scoredPredictions(ious.map { 0.9 * $0 } + [0.3, 0.3]).scene
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: scene)
        #expect(d.positiveCount == 4 && d.objectsWithPositives == 1 && d.objectCount == 1)
        #expect(abs(try #require(d.scoreIoUCorrelation) - 1) < 1e-5)
        #expect(d.misrankedObjects == 0 && d.misrankedShare == 0)
        #expect(abs(try #require(d.meanPositiveIoU) - ious.reduce(0, +) / 4) < 1e-5)
        // Prior 4 predicts the object exactly (IoU 1 > worst positive 0.25): one missed prior; prior 5 is not.
        #expect(d.missedHighQualityPriors == 1 && d.missedPerObject == [1])
        #expect(!d.scoreIncludesObjectness)
    }

    @Test func reversedScoresAreMisranked() throws {
        // Score decreasing in IoU order reversed: the best box (IoU 1) has the lowest score.
        let scene = SceneBuilder.scoredPredictions([0.2, 0.4, 0.6, 0.8, 0.5, 0.5]).scene
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: scene)
        #expect(try #require(d.scoreIoUCorrelation) < -0.9)
        #expect(d.misrankedObjects == 1 && d.misrankedShare == 1)
    }

    @Test func objectnessEntersTheScore() throws {
        // Class scores alone rank the boxes by IoU; an objectness that favours prior 3 reverses it.
        let base = ious.map { 0.9 * $0 } + [0.3, 0.3]
        let plain = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: SceneBuilder.scoredPredictions(base).scene)
        #expect(plain.misrankedObjects == 0)
        let obj: [Float] = [-6, 0, 0, 6, 0, 0]
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]),
                                                  scene: SceneBuilder.scoredPredictions(base).objectness(obj).scene)
        #expect(d.scoreIncludesObjectness)
        #expect(d.misrankedObjects == 1)
    }

    @Test func assigningTheExactBoxRemovesTheMissedPrior() throws {
        // Positives 0 and 4 both have IoU 1: no background prior beats the worst positive.
        let scene = SceneBuilder.scoredPredictions([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]).scene
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, -1, -1, -1, 0, -1]), scene: scene)
        #expect(d.missedHighQualityPriors == 0)
        // Equal scores: correlation undefined, and a tie is not a misranking.
        #expect(d.scoreIoUCorrelation == nil && d.misrankedObjects == 0)
        // IoU 1 everywhere: the IoU target and the target 1 give the same loss.
        #expect(abs(d.meanLossIoUTarget - d.meanLossOneTarget) < 1e-6)
    }

    @Test func lossUnderEachTargetChoice() throws {
        // One positive (prior 3, IoU 0.25, score 0.8): QFL with y = 0.25 vs y = 1, per positive.
        let scene = SceneBuilder.scoredPredictions([0.5, 0.5, 0.5, 0.8, 0.5, 0.5]).scene
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [-1, -1, -1, 0, -1, -1]), scene: scene)
        let labels: [Int32] = [2, 2, 2, 1, 2, 2]
        let iouT = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels, scores: [0, 0, 0, 0.25, 0, 0], numClasses: 2)
        let oneT = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels, scores: [1, 1, 1, 1, 1, 1], numClasses: 2)
        #expect(abs(d.meanLossIoUTarget - Double(Losses.sum(iouT))) < 1e-5)
        #expect(abs(d.meanLossOneTarget - Double(Losses.sum(oneT))) < 1e-5)
        // A confident score on a poor box costs more under the IoU target.
        #expect(d.meanLossIoUTarget > d.meanLossOneTarget)
        #expect(d.columns.count == 8 && d.columns.first { $0.name == "loss_iou_target" }?.value == d.meanLossIoUTarget)
    }

    @Test func zeroPositivesAreDefinedEverywhere() throws {
        let scene = SceneBuilder.scoredPredictions([0.5, 0.5, 0.5, 0.8, 0.5, 0.5]).scene
        let d = try AssignmentDiagnostics.measure(Assignment.background(priorCount: 6), scene: scene)
        #expect(d.positiveCount == 0 && d.objectsWithPositives == 0)
        #expect(d.scoreIoUCorrelation == nil && d.misrankedShare == nil && d.meanPositiveIoU == nil)
        #expect(d.missedHighQualityPriors == 0)
        #expect(d.meanLossIoUTarget.isFinite && d.meanLossIoUTarget == d.meanLossOneTarget)
    }

    @Test func pearsonByHand() {
        #expect(abs(AssignmentDiagnostics.pearson([1, 2, 3], [2, 4, 6])! - 1) < 1e-12)
        #expect(abs(AssignmentDiagnostics.pearson([1, 2, 3], [3, 2, 1])! + 1) < 1e-12)
        // x = [1, 2, 3, 4], y = [1, 3, 2, 4]: r = 4 / 5.
        #expect(abs(AssignmentDiagnostics.pearson([1, 2, 3, 4], [1, 3, 2, 4])! - 0.8) < 1e-12)
        #expect(AssignmentDiagnostics.pearson([1], [1]) == nil)
        #expect(AssignmentDiagnostics.pearson([1, 1], [0, 2]) == nil)
    }

    @Test func runsOnFixtureAssignments() throws {
        for c in try Fixtures.scenes(expecting: "ultralytics_tal").prefix(4) {
            let scene = c.scene
            let assigned = try #require(c.expected["assigned_gt"]?.doubles).map { Int32($0) }
            let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: assigned), scene: scene)
            #expect(d.positiveCount == assigned.filter { $0 >= 0 }.count)
            #expect(d.meanLossIoUTarget.isFinite && d.meanLossOneTarget.isFinite)
            if let r = d.scoreIoUCorrelation { #expect(r >= -1 && r <= 1) }
            #expect(d.missedPerObject.reduce(0, +) >= d.missedHighQualityPriors)
        }
    }

    @Test func badInputIsATypedError() {
        let scene = SceneBuilder.scoredPredictions([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]).scene
        #expect(throws: LabelAssignError.self) { try AssignmentDiagnostics.measure(Assignment(assignedGT: [0]), scene: scene) }
        #expect(throws: LabelAssignError.self) {
            try AssignmentDiagnostics.measure(Assignment(assignedGT: [1, -1, -1, -1, -1, -1]), scene: scene)
        }
        var short = scene
        short.clsLogits.removeLast()
        #expect(throws: LabelAssignError.self) { try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, -1, -1, -1, -1, -1]), scene: short) }
        var nan = scene
        nan.clsLogits[3] = .nan
        #expect(throws: LabelAssignError.self) { try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, -1, -1, -1, -1, -1]), scene: nan) }
    }
}
