import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing

/// `la_assign_anchors` and the `anchors` key of `la_assign_json`, called as a C program would.
@Suite struct CABIAnchorTests {
    func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `la_assign_anchors` on `s` (its `anchors`, or NULL); the return code, outputs and message.
    func assign(_ preset: String, _ s: Scene, anchors: [Float]?) -> (rc: Int32, assigned: [Int32], quality: [Float], error: String) {
        var assigned = [Int32](repeating: 7, count: s.priorCount)
        var quality = [Float](repeating: -1, count: s.priorCount)
        var err = [CChar](repeating: 0, count: 256)
        let strides = s.strides.map(Int32.init)
        let rc = anchors.withOptionalBuffer { a in
            la_assign_anchors(preset, Int32(s.imageWidth), Int32(s.imageHeight), strides, Int32(strides.count),
                              Int32(s.numClasses), s.priors, Int64(s.priorCount), a, s.gtBoxes, s.gtLabels, Int64(s.gtCount),
                              s.predBoxes, s.clsLogits, s.objLogits, s.gtIgnore, Int64(s.ignoreCount),
                              &assigned, &quality, &err, 256)
        }
        return (rc, assigned, quality, message(err))
    }

    @Test(arguments: ["atss", "maxiou", "tood", "tal"])
    func anchorsEqualTheSwiftAPI(preset: String) throws {
        let s = try #require(AnchorConformanceTests.entries().first?.scene)
        let expected = try AssignerRegistry.make(preset).assign(s)
        let got = assign(preset, s, anchors: s.anchors)
        #expect(got.rc == 0, "\(got.error)")
        #expect(got.assigned == expected.assignedGT)
        #expect(got.quality == expected.quality?.values ?? expected.matchedIoU ?? [Float](repeating: 0, count: s.priorCount))

        var result: UnsafeMutablePointer<CChar>? = nil
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_assign_json(preset, SceneFile.json(s), &result, &err, 256) == 0, "\(message(err))")
        let text = try #require(result.map { String(cString: $0) })
        la_free(result)
        #expect(try parseJSON(Array(text.utf8))["assigned_gt"] == .array(expected.assignedGT.map { .number(Double($0)) }))
    }

    @Test func nullAnchorsAreTheDerivedSquares() throws {
        var s = try #require(AnchorConformanceTests.entries().first?.scene)
        s.anchors = nil
        let got = assign("atss", s, anchors: nil)
        #expect(got.rc == 0, "\(got.error)")
        #expect(got.assigned == (try AssignerRegistry.make("atss").assign(s)).assignedGT)
    }

    @Test func badAnchorsAreInvalidInput() {
        let s = SceneBuilder.tiny().scene
        var anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: 8)
        anchors[9] = .nan
        let nan = assign("atss", s, anchors: anchors)
        #expect(nan.rc == 1)
        #expect(nan.error.contains("anchors[2]"))
        #expect(nan.assigned.allSatisfy { $0 == 7 })
        anchors[9] = 0
        anchors[12] = anchors[14] + 1
        let inverted = assign("maxiou", s, anchors: anchors)
        #expect(inverted.rc == 1)
        #expect(inverted.error.contains("anchors[3]") && inverted.error.contains("x2 < x1"))
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with a pointer to the array's elements, or NULL.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
