import Foundation
import LabelAssign
import LabelAssignTestSupport
import Testing

/// DETR matching by hand (the fixtures are compared in `PresetConformanceTests`).
@Suite struct HungarianMatcherTests {
    /// Priors on a 4 × 4 grid (stride 8, 32 × 32 image), 3 classes.
    static let grid = SceneBuilder.grid(width: 32, height: 32, strides: [8], classes: 3)

    @Test func perfectPredictionsAreMatched() throws {
        // Objects 0 and 1 are predicted exactly, with their class, by priors 5 and 10.
        let gt: [Float] = [4, 4, 20, 20, 12, 16, 30, 28]
        let scene = Self.grid.objects(gt, labels: [2, 0])
            .predictions { p in p.index == 5 ? Array(gt[0..<4]) : p.index == 10 ? Array(gt[4..<8]) : [0, 0, 2, 2] }
            .logits { i, c in i == 5 ? [0, 0, 9][c] : i == 10 ? [9, 0, 0][c] : 0 }
            .scene
        let r = try HungarianMatcher().assign(scene)
        var expected = [Int32](repeating: -1, count: 16)
        expected[5] = 0; expected[10] = 1
        #expect(r.assignedGT == expected)
        #expect(r["rows"] == .ints([5, 10]) && r["cols"] == .ints([0, 1]))
        #expect(r["queries"] == nil)
        let cost = try HungarianMatcher.cost(scene, queries: [5])
        // L1 0, GIoU 1: cost = -softmax([0, 0, 9])[2] - 2.
        let p = exp(Float(9)) / (2 + exp(Float(9)))
        #expect(abs(cost[0] - (-p - 2)) < 1e-6)
    }

    @Test func extremeLogitsGiveFiniteProbabilities() throws {
        // Class probabilities that underflow (logit 200 below the maximum) or saturate stay finite.
        let gt: [Float] = [4, 4, 20, 20]
        let scene = Self.grid.objects(gt, labels: [2])
            .predictions { _ in gt }
            .logits { i, c in i == 0 ? [50, 0, -150][c] : [0, 0, 80][c] }
            .scene
        let cost = try HungarianMatcher.cost(scene, queries: [0, 1])
        #expect(cost == [-2, -3])   // L1 0, GIoU 1; probability 0 (underflow) and 1
        #expect(try HungarianMatcher().match(scene).rows == [1])
    }

    @Test func fewerQueriesThanObjectsMatchesEveryQuery() throws {
        let scene = SceneBuilder.tiny().scene  // 2 objects
        let r = try HungarianMatcher(HungarianConfiguration(queries: [7])).match(scene)
        #expect(r.rows == [0] && r.cols.count == 1)
        let cost = try HungarianMatcher.cost(scene, queries: [7])
        #expect(r.cols[0] == (cost[0] <= cost[1] ? 0 : 1))
        #expect(r.total == Double(cost[r.cols[0]]))
    }

    @Test func zeroObjectsOrQueriesMatchNothing() throws {
        var scene = SceneBuilder.tiny().scene
        scene.gtBoxes = []; scene.gtLabels = []
        let r = try HungarianMatcher().assign(scene)
        #expect(r.assignedGT.allSatisfy { $0 == -1 } && r["rows"] == .ints([]) && r["total"] == .number(0))
        let none = try HungarianMatcher(HungarianConfiguration(queries: [])).assign(SceneBuilder.tiny().scene)
        #expect(none.positiveCount == 0)
    }

    @Test func badInputIsNamed() {
        let scene = SceneBuilder.tiny().scene
        let n = scene.priorCount
        #expect(throws: LabelAssignError.invalidValue(field: "queries", index: 1, reason: "prior \(n) outside [0, \(n))")) {
            try HungarianMatcher.cost(scene, queries: [0, n])
        }
        #expect(throws: LabelAssignError.invalidValue(field: "queries", index: 2, reason: "prior 3 repeated")) {
            try HungarianMatcher.cost(scene, queries: [3, 1, 3])
        }
        var nanLogit = scene
        nanLogit.clsLogits[3 * 4 + 1] = .nan
        #expect(throws: LabelAssignError.invalidValue(field: "cls_logits", index: 4, reason: "nan is not finite")) {
            try HungarianMatcher.cost(nanLogit, queries: [4])
        }
        var badBox = scene
        badBox.predBoxes[4 * 2 + 2] = badBox.predBoxes[4 * 2] - 1
        #expect(throws: LabelAssignError.invalidValue(field: "pred_bboxes", index: 2, reason: "x2 < x1")) {
            try HungarianMatcher().assign(badBox)
        }
        var badLabel = scene
        badLabel.gtLabels[1] = 3
        #expect(throws: LabelAssignError.invalidValue(field: "gt_labels", index: 1, reason: "class 3 outside [0, 3)")) {
            try HungarianMatcher().assign(badLabel)
        }
        #expect(throws: LabelAssignError.self) { try HungarianMatcher(HungarianConfiguration(l1Weight: .nan)).assign(scene) }
        // A zero-area object against a zero-area prediction on the same line: zero union, GIoU 0/0.
        var degenerate = scene
        degenerate.gtBoxes[0...3] = [5, 5, 5, 10]
        degenerate.predBoxes[4 * 6..<4 * 6 + 4] = [5, 0, 5, 3]
        #expect(throws: LabelAssignError.invalidValue(field: "pred_bboxes", index: 6,
                                                      reason: "cost against object 0 is NaN (zero union area: GIoU is 0/0)")) {
            try HungarianMatcher().assign(degenerate)
        }
    }
}
