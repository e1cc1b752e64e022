import LabelAssign
import LabelAssignTestSupport
import Testing

/// The row/column search on grid levels equals a full scan: with the image size changed, the
/// levels no longer match the priors and are scanned prior by prior.
@Suite struct GridSearchTests {
    @Test(arguments: ["tal", "atss", "maxiou"])
    func gridSearchEqualsFullScan(preset name: String) throws {
        let preset = try AssignerRegistry.preset(name)
        let assigner = preset.make()
        let cases = try Fixtures.scenes(expecting: preset.fixtureKey).prefix(4)
        #expect(cases.count == 4)
        for c in cases {
            let grid = try assigner.assign(c.scene)
            #expect(grid.positiveCount > 0, "\(name) \(c.scene.name)")
            for (w, h) in [(2, 1), (2, 2)] {
                var s = c.scene
                s.imageWidth *= w
                s.imageHeight *= h
                #expect(try assigner.assign(s) == grid, "\(name) \(c.scene.name), image × (\(w), \(h))")
            }
        }
    }
}
