import LabelAssign
import LabelAssignTestSupport
import Testing

/// mmdet max-IoU by hand (the fixtures are compared in `PresetConformanceTests`).
@Suite struct MaxIoUTests {
    /// Hand-worked on 8 px cells (anchors of side 32): the object [4, 4, 36, 36] equals the anchor
    /// of prior (20, 20) (IoU 1, positive); anchors one cell away have IoU 24·32 / (2·1024 − 768) = 0.6
    /// (positive), two cells away 16·32 / (2048 − 512) = 1/3 (background), diagonal one cell
    /// 576 / (2048 − 576) ≈ 0.391 (background), and so on.
    @Test func handWorkedThresholds() throws {
        let s = SceneBuilder.wideBoxes().objects([4, 4, 36, 36], labels: [0]).scene
        let r = try MaxIoUAssigner(.maxiou).assign(s)
        func at(_ x: Int, _ y: Int) -> Int32 { r.assignedGT[y * 8 + x] }   // prior (8x + 4, 8y + 4)
        #expect(at(2, 2) == 0)
        #expect(at(1, 2) == 0 && at(3, 2) == 0 && at(2, 1) == 0 && at(2, 3) == 0)
        #expect(at(0, 2) == -1 && at(1, 1) == -1)
        #expect(at(7, 7) == -1)
        // Between the thresholds: object [4, 4, 40, 36] vs the anchor at (20, 20): 1024 / 1152 ≈ 0.889;
        // the anchor at (28, 20): 28·32 / (1152 + 1024 − 896) = 0.7; at (12, 20): 0.7; at (20, 28): 24·36/(2176 − 768)=0.614.
        let t = SceneBuilder.wideBoxes().objects([4, 4, 40, 36], labels: [0]).scene
        let q = try MaxIoUAssigner(.maxiou).assign(t)
        #expect(q.assignedGT[2 * 8 + 2] == 0)
        // Diagonal neighbour (28, 28): 28·24 / (1152 + 1024 − 672) ≈ 0.447: ignored (-2).
        #expect(q.assignedGT[3 * 8 + 3] == -2)
    }

    /// match_low_quality: an object whose best IoU is below 0.5 still gets its best anchors.
    @Test func lowQualityMatch() throws {
        let s = SceneBuilder.wideBoxes().objects([0, 0, 6, 6], labels: [1]).scene
        let r = try MaxIoUAssigner(.maxiou).assign(s)
        #expect(r.assignedGT[0] == 0)
        var off = MaxIoUAssigner.Configuration.maxiou
        off.matchLowQuality = false
        #expect(try MaxIoUAssigner(off).assign(s).assignedGT[0] != 0)
    }

    /// mmdet quirk kept: a zero-area object overlaps no anchor, its best IoU is 0 >= min_pos_iou,
    /// so it takes every anchor whose IoU with it is 0 (all of them).
    @Test func zeroAreaObjectTakesEveryAnchor() throws {
        let s = SceneBuilder.wideBoxes().objects([4, 4, 36, 36, 50, 50, 50, 50], labels: [0, 1]).scene
        let r = try MaxIoUAssigner(.maxiou).assign(s)
        #expect(r.assignedGT.allSatisfy { $0 == 1 })
        var strict = MaxIoUAssigner.Configuration.maxiou
        strict.minPosIoU = 0.1
        let q = try MaxIoUAssigner(strict).assign(s)
        #expect(!q.assignedGT.contains(1) && q.assignedGT.contains(0))
    }
}
