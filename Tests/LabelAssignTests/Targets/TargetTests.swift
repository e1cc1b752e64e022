import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Targets against the fixtures that hold them, from the fixture's own assignment: ultralytics
/// `target_scores` (the normalised alignment target) and mmdet TOOD `assign_metrics`
/// (T = σ(cls)·IoU⁶ of the assigned pair), within 1e-4.
@Suite struct TargetConformanceTests {
    @Test(arguments: [("ultralytics_tal", "target_scores"), ("mmdet_tal", "assign_metrics")])
    func alignmentTargetsMatch(key: String, field: String) throws {
        let tood = key == "mmdet_tal"
        let cases = try Fixtures.scenes(expecting: key)
        #expect(cases.count >= 10)
        var checked = 0
        for c in cases {
            let assigned = try #require(c.expected["assigned_gt"]?.doubles).map { Int32($0) }
            let r = try TaskAlignedTargets(tood ? .tood : .ultralytics)(Assignment(assignedGT: assigned), scene: c.scene)
            let got = Assignment(assignedGT: assigned, extras: [AssignmentExtra(field, .floats(tood ? r.metrics : r.targets))])
            let out = FixtureCheck.fields(got, with: c.expected, fields: [FieldCheck(field, .absolute(1e-4))],
                                                        label: "\(c.scene.name)")
            #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
            checked += out.comparisons
            if tood {
                // TOOD target: T / (max T + 1e-7) · max IoU never exceeds the object's best IoU.
                for i in assigned.indices where assigned[i] >= 0 { #expect(r.targets[i] <= r.overlaps.max()! + 1e-6) }
            }
        }
        #expect(checked == cases.count)
    }
}

/// "Task-aligned targets" has one definition: the targets builder and the assigner compute the
/// same overlap (ultralytics 8.4 CIoU, mmdet IoU), the same `torchSigmoid`, `torchPow` and
/// `TaskAlignedTargets.normalised`, so on the assigner's own assignment they agree bit for bit.
@Suite struct TaskAlignedTargetsAreTheAssignersTests {
    /// ultralytics: `TaskAlignedTargets(.ultralytics)` targets == the assigner's `target_scores`;
    /// mmdet TOOD: `TaskAlignedTargets(.tood)` metrics == the assigner's `assign_metrics`.
    @Test(arguments: ["tal", "tood"])
    func targetsAreTheAssigners(preset: String) throws {
        let tal = preset == "tal"
        let cases = try Fixtures.scenes(expecting: tal ? "ultralytics_tal" : "mmdet_tal").map { ($0.scene, $0.expected) }
        #expect(cases.count >= 10)
        var positives = 0
        for (scene, _) in cases {
            let r = try TaskAlignedAssigner(tal ? .tal : .tood).assign(scene)
            let assigner = try #require(r.floats(tal ? "target_scores" : "assign_metrics"))
            let t = try TaskAlignedTargets(tal ? .ultralytics : .tood)(Assignment(assignedGT: r.assignedGT), scene: scene)
            let targets = tal ? t.targets : t.metrics
            for i in 0..<scene.priorCount where r.assignedGT[i] >= 0 {
                #expect(targets[i] == assigner[i], "\(scene.name) prior \(i): \(targets[i]) vs \(assigner[i])")
                positives += 1
            }
        }
        #expect(positives > 100)
    }
}

/// Hand-worked targets.
@Suite struct TargetBuilderTests {
    // Object 0: [5, 0, 15, 10] class 2; object 1: [40, 40, 50, 50] class 0.
    // Prior 1's prediction overlaps object 0 with IoU 50/150 = 1/3; prior 2's misses object 1.
    let scene = SceneBuilder.row(count: 4, stride: 8, width: 64, height: 64, classes: 3)
        .objects([5, 0, 15, 10, 40, 40, 50, 50], labels: [2, 0])
        .predictions([0, 0, 1, 1, 0, 0, 10, 10, 20, 20, 30, 30, 5, 0, 15, 10])
        .scene
    let assignment = Assignment(assignedGT: [-1, 0, 1, -2])

    @Test func labelsAndOneHot() throws {
        let t = try TrainingTargets.labels(assignment, scene: scene)
        #expect(t.labels == [3, 2, 0, 3])
        #expect(t.weights == [1, 1, 1, 0])
        #expect(t.positiveCount == 2 && t.normaliser == 2)
        let oh = try TrainingTargets.oneHot(assignment, scene: scene)
        #expect(oh == [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    }

    @Test func iouQualityForGFLAndVFL() throws {
        let gfl = try TrainingTargets.gflQuality(assignment, scene: scene)
        #expect(abs(gfl[1] - 1.0 / 3.0) < 1e-6)
        #expect(gfl[0] == 0 && gfl[2] == 0 && gfl[3] == 0)   // prior 3 is ignored: no target
        let vfl = try TrainingTargets.vflQuality(assignment, scene: scene)
        #expect(abs(vfl[1] - 1.0 / 3.0) < 1e-6)
        #expect(vfl[2] == 1e-6)                              // a positive with IoU 0 is floored
        #expect(vfl[0] == 0 && vfl[3] == 0)
        let dense = try TrainingTargets.classTargets(assignment, scene: scene, values: vfl)
        #expect(dense[1 * 3 + 2] == vfl[1] && dense[2 * 3 + 0] == 1e-6 && dense.reduce(0, +) == vfl[1] + 1e-6)
    }

    @Test func zeroPositivesGiveZeroTargetsAndNoNaN() throws {
        let none = Assignment.background(priorCount: 4)
        let t = try TrainingTargets.labels(none, scene: scene)
        #expect(t.positiveCount == 0 && t.normaliser == 1)
        #expect(try TrainingTargets.oneHot(none, scene: scene).allSatisfy { $0 == 0 })
        #expect(try TrainingTargets.vflQuality(none, scene: scene).allSatisfy { $0 == 0 })
        let tal = try TaskAlignedTargets(.ultralytics)(none, scene: scene)
        #expect(tal.targets.allSatisfy { $0 == 0 } && tal.metrics.allSatisfy { $0 == 0 })
        let qfl = try Losses.qualityFocal(logits: scene.clsLogits, labels: t.labels, scores: [0, 0, 0, 0], numClasses: 3)
        let mean = Losses.normalisedSum(qfl, by: t.normaliser)
        #expect(mean.isFinite && mean > 0)
        // A scene without objects: everything background, targets zero.
        let empty = SceneBuilder(scene).objects([], labels: []).scene
        #expect(try TaskAlignedTargets(.tood)(none, scene: empty).targets == [0, 0, 0, 0])
        #expect(try YOLOv5Objectness().targets(none, scene: empty) == [0, 0, 0, 0])
    }

    @Test func taskAlignedNormalisationByHand() throws {
        // Object 0: positives 0, 1 (max T 0.4, max o 0.8); object 1: positive 2.
        let assigned: [Int32] = [0, 0, 1, -1]
        let t = try TaskAlignedTargets.normalise(assignedGT: assigned, metrics: [0.2, 0.4, 0.1, 0.9],
                                                 overlaps: [0.5, 0.8, 0.3, 0.99], gtCount: 2)
        #expect(abs(t[0] - 0.4) < 1e-6 && abs(t[1] - 0.8) < 1e-6 && abs(t[2] - 0.3) < 1e-6 && t[3] == 0)
        let u = try TaskAlignedTargets.normalise(assignedGT: assigned, metrics: [0.2, 0.4, 0.1, 0.9],
                                                 overlaps: [0.5, 0.8, 0.3, 0.99], gtCount: 2, eps: 1e-9, multiplyFirst: true)
        for i in 0..<4 { #expect(abs(t[i] - u[i]) < 1e-6) }
        // All-zero metrics of an object: 0 / (0 + eps) = 0, not NaN.
        let z = try TaskAlignedTargets.normalise(assignedGT: [0], metrics: [0], overlaps: [0.5], gtCount: 1)
        #expect(z == [0])
        #expect(throws: LabelAssignError.self) {
            try TaskAlignedTargets.normalise(assignedGT: [0], metrics: [-1], overlaps: [0.5], gtCount: 1)
        }
        #expect(throws: LabelAssignError.self) {
            try TaskAlignedTargets.normalise(assignedGT: [2], metrics: [1], overlaps: [0.5], gtCount: 1)
        }
    }

    @Test func taskAlignedMetricFromTheScene() throws {
        // Prior 1: σ(logit 0) = 0.5 at class 2, IoU 1/3: TOOD T = 0.5 · (1/3)^6.
        let a = Assignment(assignedGT: [-1, 0, -1, -1])
        let r = try TaskAlignedTargets(.tood)(a, scene: scene)
        #expect(abs(Double(r.metrics[1]) - 0.5 * pow(1.0 / 3.0, 6)) < 1e-8)
        // Sole positive: t = T / (T + 1e-7) · IoU, a little under the IoU because of the eps.
        let tm = 0.5 * pow(1.0 / 3.0, 6)
        #expect(abs(Double(r.targets[1]) - tm / (tm + 1e-7) / 3) < 1e-6)
        var bad = TaskAlignedTargets.Configuration.tood
        bad.overlap = .ciou
        #expect(throws: LabelAssignError.self) { try TaskAlignedTargets(bad)(a, scene: scene) }
    }

    @Test func yolov5ObjectnessTargetsAndBalance() throws {
        let ciou = try alignedOverlap([0, 0, 10, 10], [5, 0, 15, 10], kind: .ciou, convention: .ultralytics)[0]
        let t = try YOLOv5Objectness().targets(assignment, scene: scene)
        #expect(t[1] == max(ciou, 0) && ciou > 0)
        #expect(t[2] == 0)   // disjoint boxes: CIoU < 0 clamps to 0
        #expect(t[0] == 0 && t[3] == 0)
        let half = try YOLOv5Objectness(.init(gr: 0.5)).targets(assignment, scene: scene)
        #expect(abs(half[1] - (0.5 + 0.5 * ciou)) < 1e-7 && half[2] == 0.5 && half[0] == 0)
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness(.init(gr: 1.5)).targets(assignment, scene: scene) }
    }

    @Test func yolov5ObjectnessLossPerLevel() throws {
        // Logit 0 costs ln 2 whatever the target: each level mean is ln 2, total ln 2 · Σ balance.
        let ranges = [0..<2, 2..<3, 3..<4]
        let l = try YOLOv5Objectness().loss(objLogits: [0, 0, 0, 0], targets: [0.3, 1, 0, 0.7], levelRanges: ranges)
        for m in l.levelMeans { #expect(abs(m - Float(log(2.0))) < 1e-6) }
        #expect(abs(l.total - 5.4 * Float(log(2.0))) < 1e-5)
        // Level 0 mean of two different values.
        let x: [Float] = [2, -1, 0.5, 3]
        let tg: [Float] = [1, 0, 0.25, 0.5]
        let bce = try Losses.bceWithLogits(logits: x, targets: tg)
        let l2 = try YOLOv5Objectness(.init(balance: [1, 2, 3])).loss(objLogits: x, targets: tg, levelRanges: ranges)
        #expect(abs(l2.levelMeans[0] - (bce[0] + bce[1]) / 2) < 1e-6)
        #expect(abs(l2.total - ((bce[0] + bce[1]) / 2 + 2 * bce[2] + 3 * bce[3])) < 1e-5)
        #expect(throws: LabelAssignError.self) {
            try YOLOv5Objectness(.init(balance: [1, 2])).loss(objLogits: x, targets: tg, levelRanges: ranges)
        }
        #expect(throws: LabelAssignError.missingField("obj_logits")) { try YOLOv5Objectness().loss(assignment, scene: scene) }
    }

    @Test func badAssignmentIsATypedError() {
        #expect(throws: LabelAssignError.shapeMismatch(field: "assigned_gt", expected: 4, actual: 3)) {
            try TrainingTargets.labels(Assignment(assignedGT: [0, 0, 0]), scene: scene)
        }
        #expect(throws: LabelAssignError.self) { try TrainingTargets.oneHot(Assignment(assignedGT: [0, 2, -1, -1]), scene: scene) }
        #expect(throws: LabelAssignError.self) { try TrainingTargets.vflQuality(Assignment(assignedGT: [0, -3, -1, -1]), scene: scene) }
        var nanScene = scene
        nanScene.predBoxes[4] = .nan   // prior 1's x1
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness().targets(assignment, scene: nanScene) }
        #expect(throws: LabelAssignError.self) { try TrainingTargets.gflQuality(assignment, scene: nanScene) }
        #expect(throws: LabelAssignError.self) { try TaskAlignedTargets(.tood)(assignment, scene: nanScene) }
    }
}

/// Per-level means and the progressive focal loss.
@Suite struct LevelBalanceTests {
    @Test func levelMeansAndAverage() throws {
        let v: [Float] = [1, 3, 10, 0, 0, 0]
        let ranges = [0..<2, 2..<3, 3..<3, 3..<6]
        #expect(try LevelBalance.levelMeans(v, levelRanges: ranges) == [2, 10, 0, 0])
        // Average over the three non-empty levels.
        #expect(abs(try LevelBalance.levelAveraged(v, levelRanges: ranges) - 4) < 1e-6)
        #expect(try LevelBalance.levelSums(v, levelRanges: ranges) == [4, 10, 0, 0])
        // Width 2 (two classes per prior).
        #expect(try LevelBalance.levelMeans([1, 3, 5, 7], levelRanges: [0..<1, 1..<2], width: 2) == [2, 6])
        #expect(try LevelBalance.balanced([1, 2], weights: [4, 0.5]) == 5)
        #expect(throws: LabelAssignError.self) { try LevelBalance.levelMeans(v, levelRanges: [0..<7]) }
    }

    /// Two classes; level 0 holds one positive with −ln p = 1 (γ clamps up to 1.5), level 1 one
    /// positive with −ln p = 2.2 (inside the range), level 2 no positive (fallback 2).
    @Test func progressiveFocalByHand() throws {
        func logit(forNegLogP s: Double) -> Float { let p = exp(-s); return Float(log(p / (1 - p))) }
        let x0 = logit(forNegLogP: 1.0), x1 = logit(forNegLogP: 2.2)
        let logits: [Float] = [x0, -1, 0.5, -2, -3, x1, 0.2, 0.1]
        let labels: [Int32] = [0, 2, 1, 2]
        let ranges = [0..<2, 2..<3, 3..<4]
        let r = try ProgressiveFocalLoss()(logits: logits, labels: labels, numClasses: 2, levelRanges: ranges)
        #expect(r.normaliser == 2)
        #expect(abs(r.levels[0].statistic - 1) < 1e-5 && r.levels[0].gamma == 1.5 && abs(r.levels[0].alpha - 0.5 / 1.5) < 1e-7)
        #expect(abs(r.levels[1].statistic - 2.2) < 1e-5 && abs(r.levels[1].gamma - 2.2) < 1e-5)
        #expect(r.levels[2].usedFallback && r.levels[2].statistic == 2 && r.levels[2].gamma == 2 && r.levels[2].alpha == 0.25)
        #expect(r.levels[0].positiveEntries == 1 && r.levels[2].positiveEntries == 0)
        // Level losses from the mmcv focal formula in Double.
        func fl(_ x: Float, positive: Bool, gamma: Double, alpha: Double) -> Double {
            let p = 1 / (1 + exp(-Double(x)))
            return positive ? -alpha * pow(1 - p, gamma) * log(p) : -(1 - alpha) * pow(p, gamma) * log(1 - p)
        }
        for (l, rows) in [(0, [(0, 0), (1, 2)]), (1, [(2, 1)]), (2, [(3, 2)])] {
            let g = Double(r.levels[l].gamma), a = Double(r.levels[l].alpha)
            var want = 0.0
            for (i, label) in rows { for k in 0..<2 { want += fl(logits[i * 2 + k], positive: k == label, gamma: g, alpha: a) } }
            #expect(abs(Double(r.levels[l].loss) - want / 2) <= 1e-5 * max(1, want), "level \(l)")
        }
        #expect(abs(r.total - r.levels.map(\.loss).reduce(0, +)) < 1e-6)
    }

    @Test func progressiveFocalWithoutPositivesOrWithIgnoredPriors() throws {
        let r = try ProgressiveFocalLoss()(logits: [0.3, -0.2], labels: [2], numClasses: 2, levelRanges: [0..<1])
        #expect(r.normaliser == 1 && r.levels[0].usedFallback && r.total.isFinite && r.total > 0)
        // An ignored prior (weight 0) neither enters the statistic nor the loss.
        let w = try ProgressiveFocalLoss()(logits: [0.3, -0.2], labels: [0], weights: [0], numClasses: 2, levelRanges: [0..<1])
        #expect(w.levels[0].usedFallback && w.total == 0)
        let cfg = ProgressiveFocalLoss.Configuration(gammaCentre: 3, delta: 1, weight: 1)
        let c = try ProgressiveFocalLoss(cfg)(logits: [0.3, -0.2], labels: [2], numClasses: 2, levelRanges: [0..<1])
        #expect(c.levels[0].gamma == 2 && c.levels[0].alpha == 0.5)
        #expect(throws: LabelAssignError.self) {
            try ProgressiveFocalLoss(.init(gammaCentre: 0.5, delta: 0.5))(logits: [0, 0], labels: [0], numClasses: 2, levelRanges: [0..<1])
        }
    }

    @Test func progressiveFocalOnAFixtureAssignment() throws {
        // Runs on a real scene with the TAL fixture's assignment: finite, one level per stride, γ in range.
        let c = try #require(try Fixtures.scenes(expecting: "ultralytics_tal").first)
        let scene = c.scene
        let assigned = try #require(c.expected["assigned_gt"]?.doubles).map { Int32($0) }
        let r = try ProgressiveFocalLoss()(Assignment(assignedGT: assigned), scene: scene)
        #expect(r.levels.count == scene.strides.count && r.total.isFinite)
        for l in r.levels { #expect(l.gamma >= 1.5 && l.gamma <= 2.5 && abs(l.alpha * l.gamma - 0.5) < 1e-6) }
        #expect(r.levels.map(\.positiveEntries).reduce(0, +) == assigned.filter { $0 >= 0 }.count)
    }
}
