import LabelAssign
import LabelAssignTestSupport
import Testing

/// RTMDet's dynamic soft-label assigner (mmdet 3.3; the fixtures are compared in
/// `PresetConformanceTests`): hand-worked cases and bad input, on the 4 × 4 grid of
/// `SceneBuilder.farPredictions` (priors at 4, 12, 20, 28).
@Suite struct DynamicSoftLabelEdgeCaseTests {
    let box: [Float] = [0, 0, 16, 16]   // priors 0, 1, 4, 5 strictly inside
    let far: [Float] = [100, 100, 110, 110]

    /// Objects with no prior strictly inside (between prior centres, or zero-area): no candidate,
    /// all background.
    @Test func objectsWithoutCandidatesAreAllBackground() throws {
        for object: [Float] in [[5, 5, 11, 11], [12, 12, 12, 12]] {
            let r = try DynamicSoftLabelAssigner().assign(SceneBuilder.farPredictions().objects(object, labels: [0]).scene)
            #expect(r.assignedGT == [Int32](repeating: -1, count: 16))
            #expect(r.floats("matched_iou") == [Float](repeating: 0, count: 16))
        }
    }

    /// Only prior 0 predicts the box (IoU 1), so its IoU sum is 1 and k = 1: it takes prior 0.
    /// The second object [20, 20, 22, 22] holds no prior, yet it gets a cost row over the
    /// candidates (there is no in-box penalty per object): all its IoUs are 0, so its costs differ
    /// only by the centre prior 10^(d/8 − 3), smallest at prior 5 (12, 12), nearest to (21, 21).
    @Test func priorInsideOneObjectCanMatchAnother() throws {
        let s = SceneBuilder.farPredictions().objects(box + [20, 20, 22, 22], labels: [0, 1])
            .predictions { $0.index == 0 ? self.box : self.far }.scene
        let r = try DynamicSoftLabelAssigner().assign(s)
        #expect(r.assignedGT == (0..<16).map { $0 == 0 ? 0 : ($0 == 5 ? 1 : -1) })
        let iou = try #require(r.floats("matched_iou"))
        #expect(iou[0] == 1)
        #expect(iou.enumerated().allSatisfy { $0.offset == 0 || $0.element == 0 })
    }

    /// When every inside prior predicts the box, k = 4 and the object takes all four; the
    /// neighbour's pick (prior 5) is contested and goes to the cheaper object, the first one.
    @Test func contestedPriorGoesToTheCheaperObject() throws {
        let s = SceneBuilder.farPredictions().objects(box + [20, 20, 22, 22], labels: [0, 1])
            .predictions { [0, 1, 4, 5].contains($0.index) ? self.box : self.far }.scene
        let r = try DynamicSoftLabelAssigner().assign(s)
        #expect(r.assignedGT == (0..<16).map { [0, 1, 4, 5].contains($0) ? 0 : -1 })
    }

    @Test func objectnessIsNotNeeded() throws {
        var s = SceneBuilder.farPredictions().objects(box, labels: [0]).predictions { $0.index == 0 ? self.box : self.far }.scene
        s.objLogits = nil
        let r = try DynamicSoftLabelAssigner().assign(s)
        #expect(r.assignedGT == (0..<16).map { $0 == 0 ? 0 : -1 })
    }

    @Test func badInputNamesTheField() {
        let base = SceneBuilder.farPredictions().objects(box, labels: [0]).scene
        func expectInvalid(_ field: String, index: Int, _ mutate: (inout Scene) -> Void) {
            var s = base
            mutate(&s)
            #expect(throws: LabelAssignError.self) { try DynamicSoftLabelAssigner().assign(s) }
            do { _ = try DynamicSoftLabelAssigner().assign(s) } catch let LabelAssignError.invalidValue(f, i, _) {
                #expect(f == field && i == index, "\(f)[\(String(describing: i))]")
            } catch { Issue.record("\(field): unexpected \(error)") }
        }
        expectInvalid("gt_labels", index: 0) { $0.gtLabels = [-1] }
        expectInvalid("cls_logits", index: 4) { $0.clsLogits[2 * 4] = -.infinity }
        expectInvalid("pred_bboxes", index: 5) { $0.predBoxes[4 * 5] = .nan }
        expectInvalid("gt_bboxes", index: 0) { $0.gtBoxes[0] = .nan }
    }
}
