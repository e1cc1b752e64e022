import LabelAssign
import LabelAssignTestSupport
import Testing

@Suite struct IgnoreRegionTests {
    /// 4 × 4 priors of 8 px (centres 4, 12, 20, 28); ignore box [8, 8, 24, 24] strictly contains
    /// the centres 12 and 20 in both axes.
    @Test func pointRuleMarksPriorCentresInside() {
        let s = SceneBuilder.wideBoxes(width: 32, height: 32).objects([], labels: []).ignore([8, 8, 24, 24]).scene
        let m = IgnoreRegions.mask(scene: s, rule: .pointInside)
        #expect((0..<16).filter { m[$0] } == [5, 6, 9, 10])
        // A centre on the border is not inside.
        let t = SceneBuilder.wideBoxes(width: 32, height: 32).objects([], labels: []).ignore([12, 12, 20, 20]).scene
        #expect(!IgnoreRegions.mask(scene: t, rule: .pointInside).contains(true))
    }

    /// Anchors of side 2 · 8 = 16 around the centres; the ignore box [0, 0, 16, 32] covers the
    /// anchor at x = 4 ([-4, 12]) by 12/16 = 0.75 of its width and the anchor at x = 12 ([4, 20])
    /// by exactly 0.75 too; the anchor at x = 20 ([12, 28]) by 0.25. Threshold 0.5 (strict).
    @Test func iofRuleFollowsMMDet() {
        let s = SceneBuilder.wideBoxes(width: 32, height: 32).objects([], labels: []).ignore([0, 0, 16, 32]).scene
        let m = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: 2, threshold: 0.5))
        // Rows: y-anchors at 4 and 28 stick out of [0, 32] by 4 of 16: IoF 0.75 · 0.75 = 0.5625.
        for y in 0..<4 {
            #expect(m[4 * y] && m[4 * y + 1] && !m[4 * y + 2] && !m[4 * y + 3], "row \(y)")
        }
        // Exactly at the threshold is not ignored (mmdet compares with >).
        let atThreshold = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: 2, threshold: 0.75))
        #expect(!atThreshold.contains(true))
        // A non-positive threshold disables the rule, as mmdet's ignore_iof_thr = -1.
        #expect(!IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: 2, threshold: -1)).contains(true))
    }

    /// Fixture scenes with `gt_ignore` boxes run through mmdet's own ATSSAssigner and MaxIoUAssigner
    /// with `ignore_iof_thr = 0.5` (compared with the reference in `PresetConformanceTests`): the
    /// ignore boxes matter, without them the answer differs. The presets keep mmdet's default
    /// `ignore_iof_thr = -1`, under which the ignore boxes change nothing.
    @Test(arguments: [("atss", "mmdet_atss_ignore"), ("maxiou", "mmdet_maxiou_ignore")])
    func mmdetIgnoreScenesDependOnTheirIgnoreBoxes(preset: String, key: String) throws {
        let cases = try Fixtures.scenes(expecting: key, in: "mmdet-ignore.jsonl")
        #expect(cases.count == 3 && cases.allSatisfy { $0.scene.ignoreCount > 0 })
        let assigner = try AssignerRegistry.make(preset, options: [("ignore_iof_thr", .number(0.5))])
        let byDefault = try AssignerRegistry.make(preset)
        for c in cases {
            let plain = SceneBuilder(c.scene).ignore([]).scene
            #expect(try assigner.assign(plain).assignedGT != assigner.assign(c.scene).assignedGT, "\(c.scene.name)")
            #expect(try byDefault.assign(plain) == byDefault.assign(c.scene), "\(c.scene.name)")
        }
    }

    @Test func applyMarksOnlyBackground() throws {
        var a = Assignment(assignedGT: [-1, 0, -1, 1])
        try IgnoreRegions.apply([true, true, false, false], to: &a)
        #expect(a.assignedGT == [-2, 0, -1, 1])
        #expect(throws: LabelAssignError.self) { try IgnoreRegions.apply([true], to: &a) }
    }

    /// No ignore boxes: every assigner gives the same answer with and without the rule.
    @Test func noIgnoreBoxesChangeNothing() throws {
        let s = SceneBuilder.wideBoxes().objects([8, 8, 40, 40], labels: [0]).scene
        for name in ["tal", "tood", "atss", "maxiou"] {
            let r = try AssignerRegistry.make(name).assign(s)
            #expect(!r.assignedGT.contains(-2) || name == "maxiou")
        }
    }

    /// TAL / TOOD: ignore regions act after assignment; positives stay, background becomes -2.
    @Test func taskAlignedMarksBackgroundAfterAssignment() throws {
        let gt: [Float] = [8, 8, 40, 40]
        let plain = SceneBuilder.wideBoxes().objects(gt, labels: [0]).scene
        let ignoring = SceneBuilder.wideBoxes().objects(gt, labels: [0]).ignore([0, 0, 64, 64]).scene
        for cfg in [TaskAlignedAssigner.Configuration.tal, .tood] {
            let a = try TaskAlignedAssigner(cfg).assign(plain)
            let b = try TaskAlignedAssigner(cfg).assign(ignoring)
            let mask = IgnoreRegions.mask(scene: ignoring, rule: cfg.ignoreRule)
            #expect(a.positiveCount > 0 && mask.contains(true))
            for i in 0..<plain.priorCount {
                #expect(b.assignedGT[i] == (a.assignedGT[i] >= 0 ? a.assignedGT[i] : mask[i] ? -2 : -1))
            }
            #expect(a.namedOutputs.map(\.name) == b.namedOutputs.map(\.name))
        }
    }

    /// ATSS: ignored anchors are kept out of the candidates (distance 1e8), so another anchor
    /// takes their place, and they end as -2.
    @Test func atssIgnoresBeforeAssignment() throws {
        let gt: [Float] = [8, 8, 40, 40]
        // Anchors of side 64 around centres 4..60: IoF with the band x < 40 is above 0.5 for
        // centres x <= 36 (36 / 64 at x = 36) and below it from x = 44 (28 / 64).
        let ignore: [Float] = [-100, -100, 40, 200]
        let plain = SceneBuilder.wideBoxes().objects(gt, labels: [0]).scene
        let ignoring = SceneBuilder.wideBoxes().objects(gt, labels: [0]).ignore(ignore).scene
        let mask = IgnoreRegions.mask(scene: ignoring, rule: .anchorIoF(scale: 8, threshold: 0.5))
        #expect((0..<8).map { mask[$0] } == [true, true, true, true, true, false, false, false])
        let atss = ATSSAssigner(ATSSAssigner.Configuration(ignoreIoFThreshold: 0.5))
        let a = try atss.assign(plain)
        let b = try atss.assign(ignoring)
        #expect(a.positiveCount > 0)
        for i in 0..<plain.priorCount where mask[i] { #expect(b.assignedGT[i] == -2) }
        for i in 0..<plain.priorCount where !mask[i] { #expect(b.assignedGT[i] != -2) }
        #expect(a != b)
    }

    /// Max-IoU: ignored anchors get IoU -1: never background, never positive.
    @Test func maxIoUIgnoresBeforeAssignment() throws {
        let gt: [Float] = [4, 4, 36, 36]
        let ignoring = SceneBuilder.wideBoxes().objects(gt, labels: [0]).ignore([0, 0, 30, 64]).scene
        let mask = IgnoreRegions.mask(scene: ignoring, rule: .anchorIoF(scale: 4, threshold: 0.5))
        let r = try MaxIoUAssigner(MaxIoUAssigner.Configuration(ignoreIoFThreshold: 0.5)).assign(ignoring)
        #expect(mask.contains(true))
        for i in 0..<ignoring.priorCount where mask[i] { #expect(r.assignedGT[i] == -2) }
        // The object's best anchor (centre 20, 20) is ignored, so its best IoU comes from the rest.
        #expect(mask[2 * 8 + 2])
        #expect(r.assignedGT.contains(0))
    }
}
