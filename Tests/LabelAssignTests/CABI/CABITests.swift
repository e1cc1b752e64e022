import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing

/// The C ABI (`labelassign.h`) called as a C program would call it.
@Suite struct CABITests {
    func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func versionAndNames() {
        #expect(String(cString: la_version()) == "0.1.0")
        var buffer = [CChar](repeating: 0, count: 4096)
        let needed = la_assigner_names(&buffer, Int64(buffer.count))
        #expect(Int(needed) == AssignerRegistry.names.joined(separator: ",").utf8.count)
        #expect(message(buffer) == AssignerRegistry.names.joined(separator: ","))
    }

    @Test func overlapMatrixMatchesTheSwiftAPI() throws {
        let a: [Float] = [0, 0, 10, 10, 5, 5, 15, 25]
        let b: [Float] = [5, 0, 15, 10, 0, 0, 4, 4, 2, 2, 30, 30]
        var out = [Float](repeating: -1, count: 6)
        var err = [CChar](repeating: 0, count: 256)
        let rc = la_overlap_matrix(a, 2, b, 3, "ciou", "ultralytics", &out, &err, 256)
        #expect(rc == 0)
        #expect(out == (try pairwiseOverlap(a, b, kind: .ciou, convention: .ultralytics)))
        #expect(la_overlap_matrix(a, 2, b, 3, "ciou", "yolov5", &out, &err, 256) == 0)
        #expect(out == (try pairwiseOverlap(a, b, kind: .ciou, convention: .yolov5)))
        #expect(la_overlap_matrix(a, 2, b, 3, "ciou", "mmdet", &out, &err, 256) == 1)
        #expect(message(err).contains("ciou"))
        #expect(la_overlap_matrix(a, 2, b, 3, "nope", "mmdet", &out, &err, 256) == 3)
        #expect(la_overlap_matrix(nil, 2, b, 3, "iou", "mmdet", &out, &err, 256) == 3)
    }

    @Test func assignRejectsUnknownPresetsAndBadInput() {
        let s = SceneBuilder.tiny().scene
        var assigned = [Int32](repeating: 7, count: s.priorCount)
        var err = [CChar](repeating: 0, count: 256)
        let strides = s.strides.map(Int32.init)
        let rc = la_assign("no-such-assigner", Int32(s.imageWidth), Int32(s.imageHeight), strides, Int32(strides.count),
                           Int32(s.numClasses), s.priors, Int64(s.priorCount), s.gtBoxes, s.gtLabels, Int64(s.gtCount),
                           s.predBoxes, s.clsLogits, s.objLogits, nil, 0, &assigned, nil, &err, 256)
        #expect(rc == 2)
        #expect(message(err).contains("no-such-assigner"))
        var badBoxes = s.gtBoxes
        badBoxes[0] = .nan
        let name = AssignerRegistry.names.first ?? "no-such-assigner"
        let rc2 = la_assign(name, Int32(s.imageWidth), Int32(s.imageHeight), strides, Int32(strides.count),
                            Int32(s.numClasses), s.priors, Int64(s.priorCount), badBoxes, s.gtLabels, Int64(s.gtCount),
                            s.predBoxes, s.clsLogits, s.objLogits, nil, 0, &assigned, nil, &err, 256)
        #expect(rc2 == 1)
        #expect(message(err).contains("gt_bboxes[0]"))
        #expect(la_assign(name, 1, 1, strides, 2, 3, s.priors, -1, nil, nil, 0, nil, nil, nil, nil, 0, &assigned, nil, &err, 256) == 3)
        #expect(la_assign(name, 1, 1, strides, 2, 3, nil, 4, nil, nil, 0, nil, nil, nil, nil, 0, &assigned, nil, &err, 256) == 3)
    }

    @Test(arguments: AssignerRegistry.names)
    func assignEqualsTheSwiftAPI(preset: String) throws {
        let s = try Fixtures.firstScene { $0.gtCount > 3 }
        let expected = try AssignerRegistry.make(preset).assign(s)
        var assigned = [Int32](repeating: 7, count: s.priorCount)
        var quality = [Float](repeating: -1, count: s.priorCount)
        var err = [CChar](repeating: 0, count: 256)
        let strides = s.strides.map(Int32.init)
        let rc = la_assign(preset, Int32(s.imageWidth), Int32(s.imageHeight), strides, Int32(strides.count),
                           Int32(s.numClasses), s.priors, Int64(s.priorCount), s.gtBoxes, s.gtLabels, Int64(s.gtCount),
                           s.predBoxes, s.clsLogits, s.objLogits, nil, 0, &assigned, &quality, &err, 256)
        #expect(rc == 0, "\(message(err))")
        #expect(assigned == expected.assignedGT)
        let soft = expected.quality?.values ?? expected.matchedIoU ?? [Float](repeating: 0, count: s.priorCount)
        #expect(quality == soft)

        var result: UnsafeMutablePointer<CChar>? = nil
        let json = SceneFile.json(s)
        #expect(la_assign_json(preset, json, &result, &err, 256) == 0)
        let text = try #require(result.map { String(cString: $0) })
        la_free(result)
        #expect(try parseJSON(Array(text.utf8))["assigned_gt"] == .array(expected.assignedGT.map { .number(Double($0)) }))
    }

    @Test func assignJSONReportsMalformedInput() {
        var result: UnsafeMutablePointer<CChar>? = nil
        var err = [CChar](repeating: 0, count: 256)
        let name = AssignerRegistry.names.first ?? "no-such-assigner"
        let rc = la_assign_json(name, "{\"image\": [", &result, &err, 256)
        #expect(rc != 0)
        #expect(result == nil)
        #expect(!message(err).isEmpty)
    }

    @Test func errorMessagesAreTruncatedSafely() {
        var err = [CChar](repeating: 1, count: 8)
        var out = [Float](repeating: 0, count: 1)
        _ = la_overlap_matrix([0, 0, 1, 1], 1, [0, 0, 1, 1], 1, "iof", "yolox", &out, &err, 8)
        #expect(err[7] == 0)
        #expect(message(err).count == 7)
    }
}
