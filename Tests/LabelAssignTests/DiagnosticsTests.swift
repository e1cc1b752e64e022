import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

private func logit(_ p: Double) -> Float { Float(log(p / (1 - p))) }

/// One object [0, 0, 20, 20] of class 1 (2 classes), six priors of stride 8.
/// Predictions 0–3 shrink from the object's own box (IoU 1, 0.81, 0.64, 0.25); prediction 4 equals
/// the object (IoU 1); prediction 5 is far away (IoU 0).
private func diagnosticScene(scores: [Double], obj: [Float]? = nil) -> Scene {
    let pred: [Float] = [0, 0, 20, 20, 0, 0, 18, 18, 0, 0, 16, 16, 0, 0, 10, 10, 0, 0, 20, 20, 40, 40, 50, 50]
    var logits: [Float] = []
    for s in scores { logits += [-4, logit(s)] }
    var priors: [Float] = []
    for j in 0..<6 { priors += [(Float(j) + 0.5) * 8, 4, 8, 8] }
    return Scene(name: "diag", imageWidth: 64, imageHeight: 64, strides: [8], numClasses: 2, priors: priors,
                 gtBoxes: [0, 0, 20, 20], gtLabels: [1], predBoxes: pred, clsLogits: logits, objLogits: obj)
}

@Suite struct DiagnosticsTests {
    let ious: [Double] = [1, 0.81, 0.64, 0.25]

    @Test func perfectlyCorrelatedScoresGiveCorrelationOneAndNoMisranking() throws {
        // Scores equal to 0.9·IoU (linear in IoU); priors 4, 5 are background.
        let scene = diagnosticScene(scores: ious.map { 0.9 * $0 } + [0.3, 0.3])
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
        let scene = diagnosticScene(scores: [0.2, 0.4, 0.6, 0.8, 0.5, 0.5])
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: scene)
        #expect(try #require(d.scoreIoUCorrelation) < -0.9)
        #expect(d.misrankedObjects == 1 && d.misrankedShare == 1)
    }

    @Test func objectnessEntersTheScore() throws {
        // Class scores alone rank the boxes by IoU; an objectness that favours prior 3 reverses it.
        let base = ious.map { 0.9 * $0 } + [0.3, 0.3]
        let plain = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: diagnosticScene(scores: base))
        #expect(plain.misrankedObjects == 0)
        let obj: [Float] = [-6, 0, 0, 6, 0, 0]
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]),
                                                  scene: diagnosticScene(scores: base, obj: obj))
        #expect(d.scoreIncludesObjectness)
        #expect(d.misrankedObjects == 1)
    }

    @Test func assigningTheExactBoxRemovesTheMissedPrior() throws {
        // Positives 0 and 4 both have IoU 1: no background prior beats the worst positive.
        let scene = diagnosticScene(scores: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
        let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, -1, -1, -1, 0, -1]), scene: scene)
        #expect(d.missedHighQualityPriors == 0)
        // Equal scores: correlation undefined, and a tie is not a misranking.
        #expect(d.scoreIoUCorrelation == nil && d.misrankedObjects == 0)
        // IoU 1 everywhere: the IoU target and the target 1 give the same loss.
        #expect(abs(d.meanLossIoUTarget - d.meanLossOneTarget) < 1e-6)
    }

    @Test func lossUnderEachTargetChoice() throws {
        // One positive (prior 3, IoU 0.25, score 0.8): QFL with y = 0.25 vs y = 1, per positive.
        let scene = diagnosticScene(scores: [0.5, 0.5, 0.5, 0.8, 0.5, 0.5])
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
        let scene = diagnosticScene(scores: [0.5, 0.5, 0.5, 0.8, 0.5, 0.5])
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
        for (scene, expected) in Fixtures.scenes(expecting: "ultralytics_tal").prefix(4) {
            let assigned = try #require(expected["assigned_gt"]?.doubles).map { Int32($0) }
            let d = try AssignmentDiagnostics.measure(Assignment(assignedGT: assigned), scene: scene)
            #expect(d.positiveCount == assigned.filter { $0 >= 0 }.count)
            #expect(d.meanLossIoUTarget.isFinite && d.meanLossOneTarget.isFinite)
            if let r = d.scoreIoUCorrelation { #expect(r >= -1 && r <= 1) }
            #expect(d.missedPerObject.reduce(0, +) >= d.missedHighQualityPriors)
        }
    }

    @Test func badInputIsATypedError() {
        let scene = diagnosticScene(scores: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
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
