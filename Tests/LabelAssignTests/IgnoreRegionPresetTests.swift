import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// `gt_ignore` reaches every preset: background priors in an ignore region come out `-2`.
@Suite struct IgnoreRegionPresetTests {
    /// The one-object fixture scene with a large ignore box far from its object (top right).
    func sceneWithIgnore() throws -> (plain: Scene, ignored: Scene) {
        let entry = try #require(Fixtures.scenes.first { $0.scene.gtCount == 1 && $0.scene.gtBoxes[0] < 100 })
        var s = entry.scene
        s.gtIgnore = [160, 0, 320, 160]
        try s.validate()
        return (entry.scene, s)
    }

    @Test(arguments: AssignerRegistry.names)
    func ignoredBackgroundBecomesMinusTwo(preset: String) throws {
        let (plain, ignored) = try sceneWithIgnore()
        let assigner = try AssignerRegistry.make(preset)
        let before = try assigner.assign(plain)
        let after = try assigner.assign(ignored)
        let pointInside = IgnoreRegions.mask(scene: ignored, rule: .pointInside)
        var marked = 0
        for i in 0..<ignored.priorCount {
            if after.assignedGT[i] == -2 { marked += 1 }
            // A prior outside the region is untouched, except where mmdet's own rule (ATSS,
            // max-IoU) changes the assignment itself.
            if !pointInside[i] && before.assignedGT[i] != -2 && !["atss", "maxiou", "tood"].contains(preset) {
                #expect(after.assignedGT[i] == before.assignedGT[i], "\(preset) prior \(i)")
            }
            // A prior well inside the region (its 8-stride anchor too) never stays plain background.
            let cx = ignored.priors[4 * i], cy = ignored.priors[4 * i + 1], half = ignored.priors[4 * i + 2] * 4
            if cx - half >= 160 && cx + half <= 320 && cy - half >= 0 && cy + half <= 160 {
                #expect(after.assignedGT[i] != -1, "\(preset) prior \(i) in the ignore region stayed background")
            }
        }
        #expect(marked > 0, "\(preset) marked no prior as ignored")
        // Positives of the far-away object are not affected by the point rule.
        if !["atss", "maxiou"].contains(preset) {
            #expect(after.positiveCount == before.positiveCount, "\(preset)")
        }
    }
}
