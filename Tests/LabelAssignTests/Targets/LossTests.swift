import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Relative 1e-4 (fixture README), no absolute floor.
private func close(_ got: Float, _ expected: Double, rel: Double = 1e-4) -> Bool {
    abs(Double(got) - expected) <= rel * abs(expected)
}

/// `losses` in every scene: torchvision focal, mmdet QFL and VFL per prior.
@Suite struct LossConformanceTests {
    static func cases() throws -> [FixtureCase] { try Fixtures.scenes(expecting: "losses") }

    @Test func everySceneHasTheLossesKey() throws {
        let cases = try Self.cases()
        #expect(cases.count == (try Fixtures.scenes()).count && cases.count >= 18)
    }

    @Test func focalQualityAndVarifocalMatchTheReferences() throws {
        var checked = 0
        for (scene, expected) in try Self.cases().map({ ($0.scene, $0.expected) }) {
            let labels = try #require(expected["label"]?.doubles).map { Int32($0) }
            let scores = try #require(expected["score"]?.floats)
            let c = scene.numClasses
            let focal = try Losses.sigmoidFocal(logits: scene.clsLogits, labels: labels, numClasses: c)
            let qfl = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels, scores: scores, numClasses: c)
            let vfl = try Losses.varifocal(logits: scene.clsLogits, labels: labels, scores: scores, numClasses: c)
            for (name, got) in [("focal", focal), ("qfl", qfl), ("vfl", vfl)] {
                let want = try #require(expected[name]?.doubles)
                #expect(got.count == want.count, "\(scene.name) \(name) count")
                var bad = 0
                for (i, (g, e)) in zip(got, want).enumerated() where !close(g, e) {
                    if bad < 3 { Issue.record("\(scene.name) \(name)[\(i)]: \(g) vs \(e)") }
                    bad += 1
                }
                #expect(bad == 0)
                checked += want.count
            }
        }
        #expect(checked > 0)
    }

    @Test func denseFormsAgreeWithLabelForms() throws {
        let first = try #require(try Self.cases().first)
        let (scene, expected) = (first.scene, first.expected)
        let labels = try #require(expected["label"]?.doubles).map { Int32($0) }
        let scores = try #require(expected["score"]?.floats)
        let c = scene.numClasses, n = scene.priorCount
        var onehot = [Float](repeating: 0, count: n * c), q = onehot
        for i in 0..<n where Int(labels[i]) < c { onehot[i * c + Int(labels[i])] = 1; q[i * c + Int(labels[i])] = scores[i] }
        let focalDense = try Losses.rowSums(Losses.sigmoidFocal(logits: scene.clsLogits, targets: onehot), width: c)
        let vflDense = try Losses.rowSums(Losses.varifocal(logits: scene.clsLogits, targets: q), width: c)
        let focal = try Losses.sigmoidFocal(logits: scene.clsLogits, labels: labels, numClasses: c)
        let vfl = try Losses.varifocal(logits: scene.clsLogits, labels: labels, scores: scores, numClasses: c)
        for i in 0..<n {
            #expect(abs(focalDense[i] - focal[i]) <= 1e-6 * max(1, focal[i]))
            #expect(abs(vflDense[i] - vfl[i]) <= 1e-6 * max(1, vfl[i]))
        }
    }
}

/// Hand-worked values and numerical safety.
@Suite struct LossFormulaTests {
    @Test func bceWithLogitsMatchesTheClosedForm() throws {
        let x: [Float] = [-3, -0.5, 0, 0.5, 3, 40, -40]
        let t: [Float] = [0, 1, 0.5, 0.25, 1, 0, 1]
        let got = try Losses.bceWithLogits(logits: x, targets: t)
        for i in x.indices {
            let xd = Double(x[i]), td = Double(t[i])
            let want = max(xd, 0) - xd * td + log(1 + exp(-abs(xd)))
            #expect(abs(Double(got[i]) - want) <= 1e-6 * max(1, want), "\(i)")
        }
        // Saturated logits stay finite: x = 40, t = 0 costs 40; x = −40, t = 1 costs 40.
        #expect(abs(got[5] - 40) < 1e-5 && abs(got[6] - 40) < 1e-5)
    }

    @Test func bceStaysAccurateAcrossTheLogitRange() throws {
        // Sweep −30…30. Relative precision everywhere (e.g. x = 20, t = 1 costs 2.06e-9) except where
        // PyTorch's own form `(1 − t)·x − logσ(x)` cancels, t = 0 and x < 0: there the error is
        // absolute, about ulp(x), as in the reference (the fixtures depend on that rounding).
        let x = stride(from: -30.0, through: 30.0, by: 0.37).map { Float($0) }
        for t: Float in [0, 1] {
            let got = try Losses.bceWithLogits(logits: x, targets: [Float](repeating: t, count: x.count))
            for i in x.indices {
                let xd = Double(x[i])
                let want = t == 1 ? log1p(exp(-xd)) : log1p(exp(xd))
                let floor = t == 0 && x[i] < 0 ? Double(x[i].ulp) : 0
                #expect(abs(Double(got[i]) - want) <= 2e-6 * want + floor, "x \(x[i]) t \(t): \(got[i]) vs \(want)")
            }
        }
    }

    @Test func posWeightScalesThePositiveTerm() throws {
        // t = 1: loss = −w·ln σ(x); t = 0: unchanged.
        let x: [Float] = [0.3, 0.3]
        let plain = try Losses.bceWithLogits(logits: x, targets: [1, 0])
        let weighted = try Losses.bceWithLogits(logits: x, targets: [1, 0], posWeight: 3)
        #expect(abs(weighted[0] - 3 * plain[0]) < 1e-6)
        #expect(weighted[1] == plain[1])
    }

    @Test func probabilityBCEClampsLogsAtMinus100() throws {
        let got = try Losses.binaryCrossEntropy(probabilities: [0, 1, 0.5, 1], targets: [1, 0, 1, 1])
        #expect(got[0] == 100 && got[1] == 100)
        #expect(abs(got[2] - Float(log(2.0))) < 1e-6)
        #expect(got[3] == 0)
        #expect(throws: LabelAssignError.self) { try Losses.binaryCrossEntropy(probabilities: [1.5], targets: [1]) }
    }

    @Test func focalOfAConfidentCorrectPredictionIsSmall() throws {
        // p = σ(2) = 0.8808; positive: 0.25·(1−p)²·(−ln p).
        let p = 1 / (1 + exp(-2.0))
        let want = 0.25 * pow(1 - p, 2) * -log(p)
        let got = try Losses.sigmoidFocal(logits: [2], targets: [1])
        #expect(abs(Double(got[0]) - want) <= 1e-6)
        // negative: 0.75·p²·(−ln(1−p)).
        let neg = try Losses.sigmoidFocal(logits: [2], targets: [0])
        #expect(abs(Double(neg[0]) - 0.75 * p * p * -log(1 - p)) <= 1e-5)
    }

    @Test func qualityFocalWithTargetOneIsFocalWithoutAlpha() throws {
        let x: [Float] = [1.5, -2, 0.25]   // one prior, 3 classes, label 0, y = 1
        let qfl = try Losses.qualityFocal(logits: x, labels: [0], scores: [1], numClasses: 3)
        let focal = try Losses.sigmoidFocal(logits: x, targets: [1, 0, 0], alpha: -1, gamma: 2)
        #expect(abs(qfl[0] - focal.reduce(0, +)) <= 1e-6)
        // Background label: every class is a negative.
        let bg = try Losses.qualityFocal(logits: x, labels: [3], scores: [0.7], numClasses: 3)
        let bgFocal = try Losses.sigmoidFocal(logits: x, targets: [0, 0, 0], alpha: -1, gamma: 2)
        #expect(abs(bg[0] - bgFocal.reduce(0, +)) <= 1e-6)
    }

    @Test func qualityFocalOnProbabilitiesMatchesLogitForm() throws {
        let x: [Float] = [0.4, -1.2, 2.5, -0.3]
        let p = x.map { 1 / (1 + exp(-$0)) }
        let a = try Losses.qualityFocal(logits: x, labels: [1, 2], scores: [0.6, 0.9], numClasses: 2)
        let b = try Losses.qualityFocal(probabilities: p, labels: [1, 2], scores: [0.6, 0.9], numClasses: 2)
        for i in 0..<2 { #expect(abs(a[i] - b[i]) <= 1e-5 * max(1, a[i])) }
        // p = 0 at a positive with y = 1: the −100 clamp bounds the loss at 100.
        let sat = try Losses.qualityFocal(probabilities: [0], labels: [0], scores: [1], numClasses: 1)
        #expect(sat[0] == 100)
    }

    @Test func varifocalWeightsPositivesByTheirIoU() throws {
        // q = 0.6 at a positive: loss = 0.6·BCE(x, 0.6); not IoU-weighted: BCE(x, 0.6).
        let x: [Float] = [0.8]
        let bce = try Losses.bceWithLogits(logits: x, targets: [0.6])[0]
        #expect(abs(try Losses.varifocal(logits: x, targets: [0.6])[0] - 0.6 * bce) < 1e-7)
        #expect(abs(try Losses.varifocal(logits: x, targets: [0.6], iouWeighted: false)[0] - bce) < 1e-7)
        // Negative: 0.75·σ(x)²·BCE(x, 0).
        let p = 1 / (1 + exp(-0.8))
        let want = 0.75 * p * p * (0.8 + log(1 + exp(-0.8)))
        #expect(abs(Double(try Losses.varifocal(logits: x, targets: [0])[0]) - want) < 1e-6)
    }

    @Test func boxLossesAreOneMinusTheOverlap() throws {
        let pred: [Float] = [0, 0, 10, 10, 0, 0, 10, 10]
        let gt: [Float] = [5, 0, 15, 10, 0, 0, 10, 10]
        let iou = try Losses.box(predicted: pred, targets: gt, kind: .iou)
        #expect(abs(iou[0] - 2.0 / 3.0) < 1e-5 && abs(iou[1]) < 1e-5)
        let log = try Losses.box(predicted: pred, targets: gt, kind: .logIoU, convention: .mmdet)
        #expect(abs(Double(log[0]) - Foundation.log(3.0)) < 1e-5 && abs(log[1]) < 1e-5)
        for kind in [BoxLossKind.giou, .diou, .ciou] {
            let v = try Losses.box(predicted: pred, targets: gt, kind: kind)
            let o = try alignedOverlap(pred, gt, kind: kind == .giou ? .giou : kind == .diou ? .diou : .ciou)
            for i in 0..<2 { #expect(v[i] == 1 - o[i]) }
        }
        // Disjoint boxes: −ln IoU is capped at −ln 1e-6.
        let far = try Losses.box(predicted: [0, 0, 1, 1], targets: [5, 5, 6, 6], kind: .logIoU)
        #expect(abs(Double(far[0]) + Foundation.log(1e-6)) < 1e-4)
    }

    @Test func reductionsAreSafeOnEmptyInput() throws {
        #expect(Losses.sum([]) == 0 && Losses.mean([]) == 0)
        #expect(Losses.mean([1, 2, 3]) == 2)
        #expect(Losses.normalisedSum([2, 4], by: 0) == 6)
        #expect(Losses.normalisedSum([2, 4], by: 3) == 2)
        #expect(try Losses.rowSums([1, 2, 3, 4, 5, 6], width: 3) == [6, 15])
        #expect(throws: LabelAssignError.self) { try Losses.rowSums([1, 2, 3], width: 2) }
    }

    @Test func badInputIsATypedError() {
        #expect(throws: LabelAssignError.invalidValue(field: "logits", index: 1, reason: "nan is not finite")) {
            try Losses.sigmoidFocal(logits: [0, 0, .nan, 0], labels: [0, 1], numClasses: 2)
        }
        #expect(throws: LabelAssignError.self) { try Losses.sigmoidFocal(logits: [0, 0], labels: [3], numClasses: 2) }
        #expect(throws: LabelAssignError.self) { try Losses.sigmoidFocal(logits: [0, 0], labels: [-1], numClasses: 2) }
        #expect(throws: LabelAssignError.self) { try Losses.qualityFocal(logits: [0, 0], labels: [0], scores: [], numClasses: 2) }
        #expect(throws: LabelAssignError.self) { try Losses.bceWithLogits(logits: [0, 1], targets: [0]) }
        #expect(throws: LabelAssignError.self) { try Losses.bceWithLogits(logits: [.infinity], targets: [0]) }
        #expect(throws: LabelAssignError.self) { try Losses.sigmoidFocal(logits: [0], targets: [1], gamma: -1) }
        #expect(throws: LabelAssignError.self) { try Losses.box(predicted: [0, 0, 1, 1], targets: [0, 0, 1], kind: .iou) }
    }
}
