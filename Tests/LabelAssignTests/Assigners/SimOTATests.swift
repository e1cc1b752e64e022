import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The fixtures themselves are compared in `PresetConformanceTests`; this is the case that shows
/// why torch's tie order is reproduced.
@Suite struct SimOTAFixtureTieTests {
    /// scene-crowd-21 holds an exact float32 tie: two penalised candidates of object 56 both cost
    /// 100004.17. torch.topk keeps the later one (prior 8348); the lower-index rule would keep 7776.
    @Test func fixturesHoldATieThatOnlyTorchOrderReproduces() throws {
        var lower = SimOTAAssigner.Configuration.yolox
        lower.selectionTies = .lowerIndex
        var differing = 0
        for c in try Fixtures.scenes(expecting: "yolox_simota") {
            let want = try #require(c.expected["assigned_gt"]?.doubles).map { Int32($0) }
            if try SimOTAAssigner(lower).assign(c.scene).assignedGT != want { differing += 1 }
        }
        #expect(differing >= 1)
    }
}

/// Hand-worked cases and bad input.
@Suite struct SimOTAEdgeCaseTests {
    static let configurations: [SimOTAAssigner.Configuration] = [.yolox, .mmdet, .yoloxLatest]
    /// Priors strictly inside [0, 0, 16, 16]: centres (4,4), (12,4), (4,12), (12,12).
    static let inBox = [0, 1, 4, 5]

    @Test(arguments: configurations)
    func missingObjectnessIsATypedError(configuration: SimOTAAssigner.Configuration) {
        var s = SceneBuilder.farPredictions().objects([0, 0, 16, 16], labels: [0]).scene
        s.objLogits = nil
        #expect(throws: LabelAssignError.missingField("obj_logits")) { try SimOTAAssigner(configuration).assign(s) }
    }

    /// Four in-box priors predict the object exactly (IoU 1, k = 4); everything else predicts
    /// far away. In-box and in-centre priors carry no penalty, so they are the four picks.
    @Test func perfectPredictionsTakeTheFourInBoxPriors() throws {
        let box: [Float] = [0, 0, 16, 16]
        let s = SceneBuilder.farPredictions().objects(box, labels: [0])
            .predictions { Self.inBox.contains($0.index) ? box : [100, 100, 110, 110] }.scene
        for configuration in [SimOTAAssigner.Configuration.yolox, .mmdet] {
            let r = try SimOTAAssigner(configuration).assign(s)
            #expect(r.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : -1 }, "\(configuration.arithmetic)")
            let iou = try #require(r.floats("matched_iou"))
            for i in 0..<16 { #expect(iou[i] == (Self.inBox.contains(i) ? 1 : 0)) }
        }
        // YOLOX main: the centre square (radius 1.5 · 8 = 12 around (8, 8)) holds the same four priors.
        let latest = try SimOTAAssigner(.yoloxLatest).assign(s)
        #expect(latest.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : -1 })
    }

    /// An object far outside the image has no candidate prior of its own. Alone, nothing is a
    /// candidate: all background. Next to a normal object it still takes its cheapest candidate
    /// (penalised, k = 1): prior 10 at (20, 20), where its class logit is high, which the first
    /// object (k = 4, its in-box priors) does not take.
    @Test(arguments: [SimOTAAssigner.Configuration.yolox, .mmdet])
    func objectWithoutCandidates(configuration: SimOTAAssigner.Configuration) throws {
        let far: [Float] = [200, 200, 210, 210]
        let alone = SceneBuilder.farPredictions().objects(far, labels: [1]).scene
        let r = try SimOTAAssigner(configuration).assign(alone)
        #expect(r.assignedGT == [Int32](repeating: -1, count: 16))

        let box: [Float] = [0, 0, 16, 16]
        let s = SceneBuilder.farPredictions().objects(box + far, labels: [0, 1])
            .predictions { Self.inBox.contains($0.index) ? box : [100, 100, 110, 110] }
            .logits { i, c in c == 1 && i == 10 ? 4 : -2 }
            .scene
        let both = try SimOTAAssigner(configuration).assign(s)
        #expect(both.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : ($0 == 10 ? 1 : -1) })
        #expect(both.floats("matched_iou")?[10] == 0)
    }

    /// A zero-area object has no in-box prior, so every candidate is penalised; its IoU with any
    /// prediction is 0, so k = 1: it takes its cheapest candidate (prior 5, the high logit).
    /// With zero-area predictions as well, YOLOX's 0/0 IoU counts as 0 (no NaN).
    @Test(arguments: [SimOTAAssigner.Configuration.yolox, .mmdet, .yoloxLatest])
    func zeroAreaObjectTakesOneCandidate(configuration: SimOTAAssigner.Configuration) throws {
        let point: [Float] = [12, 12, 12, 12]
        for prediction: [Float] in [[8, 8, 16, 16], [12, 12, 12, 12]] {
            let s = SceneBuilder.farPredictions().objects(point, labels: [0])
                .predictions { _ in prediction }
                .logits { i, c in c == 0 && i == 5 ? 3 : -2 }
                .scene
            let r = try SimOTAAssigner(configuration).assign(s)
            #expect(r.assignedGT == (0..<16).map { $0 == 5 ? 0 : -1 })
            let iou = try #require(r.floats("matched_iou"))
            #expect(iou.allSatisfy { $0 == 0 })
        }
    }

    @Test func badInputNamesTheField() throws {
        let base = SceneBuilder.farPredictions().objects([0, 0, 16, 16], labels: [0]).scene
        func expectError(_ field: String, index: Int?, _ mutate: (inout Scene) -> Void) {
            var s = base
            mutate(&s)
            do {
                _ = try SimOTAAssigner(.yolox).assign(s)
                Issue.record("\(field): accepted")
            } catch let LabelAssignError.invalidValue(f, i, _) {
                #expect(f == field)
                #expect(i == index)
            } catch let LabelAssignError.shapeMismatch(f, _, _) {
                #expect(f == field)
            } catch {
                Issue.record("\(field): unexpected \(error)")
            }
        }
        expectError("gt_labels", index: 0) { $0.gtLabels = [2] }
        expectError("obj_logits", index: nil) { $0.objLogits = [0, 0] }
        expectError("cls_logits", index: nil) { $0.clsLogits.removeLast() }
        expectError("cls_logits", index: 5) { $0.clsLogits[2 * 5 + 1] = .nan }
        expectError("obj_logits", index: 0) { $0.objLogits![0] = .infinity }
        expectError("pred_bboxes", index: 1) { $0.predBoxes[4 * 1 + 2] = .nan }
        expectError("gt_bboxes", index: 0) { $0.gtBoxes[2] = -1 }
    }
}

