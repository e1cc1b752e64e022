import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing

/// `la_layout.anchors` and the `anchors` key of `la_assign_json`, called as a C program would.
@Suite struct CABIAnchorTests {
    @Test(arguments: ["atss", "maxiou", "tood", "tal"])
    func anchorsEqualTheSwiftAPI(preset: String) throws {
        let s = try #require(AnchorConformanceTests.entries().first?.scene)
        #expect(s.anchors != nil)
        let expected = try AssignerRegistry.make(preset).assign(s)
        let handle = CABI.Handle(preset)
        let got = CABI.assign(handle.pointer, s)
        #expect(got == CABI.expected(expected, s), "\(got.error)")

        var result: UnsafeMutablePointer<CChar>? = nil
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_assign_json(preset, nil, SceneFile.json(s), &result, &err, 256) == 0, "\(CABI.message(err))")
        let text = try #require(result.map { String(cString: $0) })
        la_free(result)
        #expect(try parseJSON(Array(text.utf8))["assigned_gt"] == .array(expected.assignedGT.map { .number(Double($0)) }))
    }

    @Test func nullAnchorsAreTheDerivedSquares() throws {
        var s = try #require(AnchorConformanceTests.entries().first?.scene)
        s.anchors = nil
        let handle = CABI.Handle("atss")
        let got = CABI.assign(handle.pointer, s)
        #expect(got.rc == 0, "\(got.error)")
        #expect(got.assigned == (try AssignerRegistry.make("atss").assign(s)).assignedGT)
    }

    @Test func badAnchorsAreInvalidInput() {
        var s = SceneBuilder.tiny().scene
        var anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: 8)
        anchors[9] = .nan
        s.anchors = anchors
        let atss = CABI.Handle("atss"), maxiou = CABI.Handle("maxiou")
        let nan = CABI.assign(atss.pointer, s)
        #expect(nan.rc == CABI.invalid)
        #expect(nan.error.contains("anchors[2]"))
        let cleared = CABI.cleared(priors: s.priorCount, objects: s.gtCount)
        #expect(nan.assigned == cleared.assigned && nan.matched == cleared.floats && nan.positives == cleared.positives)
        anchors[9] = 0
        anchors[12] = anchors[14] + 1
        s.anchors = anchors
        let inverted = CABI.assign(maxiou.pointer, s)
        #expect(inverted.rc == CABI.invalid)
        #expect(inverted.error.contains("anchors[3]") && inverted.error.contains("x2 < x1"))
    }
}
