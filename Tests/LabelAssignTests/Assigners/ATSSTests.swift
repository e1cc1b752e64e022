import LabelAssign
import LabelAssignTestSupport
import Testing

/// mmdet ATSS by hand (the fixtures, the distance-tie and ignore scenes are compared in
/// `PresetConformanceTests`).
@Suite struct ATSSTests {
    /// Hand-worked: one level of 8 px cells on 32 × 32 (16 priors), anchors of side 64, topk 9.
    /// The object [0, 0, 16, 16] has its centre (8, 8) on a cell corner; the 9 nearest anchor
    /// centres are the 4 at distance √32 and then 4 at √160 and one more at √160 with the lowest index.
    /// Only the 4 nearest lie inside the object, and only they reach mean + std.
    @Test func handWorkedSingleObject() throws {
        let s = SceneBuilder.wideBoxes(width: 32, height: 32).objects([0, 0, 16, 16], labels: [0]).scene
        let r = try ATSSAssigner(.atss).assign(s)
        let positives = (0..<s.priorCount).filter { r.assignedGT[$0] == 0 }
        #expect(positives == [0, 1, 4, 5])
        let iou = try #require(r.floats("matched_iou"))
        // anchor [-28, -28, 36, 36] (area 4096) contains the object (area 256): IoU 1/16.
        #expect(positives.allSatisfy { abs(iou[$0] - 0.0625) < 1e-7 })
    }

    /// A level with a single prior gives one candidate: the unbiased std is NaN, so no positive.
    @Test func singleCandidateGivesNoPositive() throws {
        let s = SceneBuilder.wideBoxes(width: 8, height: 8).objects([0, 0, 8, 8], labels: [0]).scene
        #expect(s.priorCount == 1)
        let r = try ATSSAssigner(.atss).assign(s)
        #expect(r.assignedGT == [-1])
    }

    /// A zero-area object has threshold 0 but no anchor centre strictly inside: no positive.
    @Test func zeroAreaObjectHasNoPositive() throws {
        let s = SceneBuilder.wideBoxes().objects([20, 20, 20, 20, 4, 4, 60, 60], labels: [0, 1]).scene
        let r = try ATSSAssigner(.atss).assign(s)
        #expect(!r.assignedGT.contains(0))
        #expect(r.assignedGT.contains(1))
    }
}
