import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing

/// The C ABI (`labelassign.h`) called as a C program would call it: version, names, handles,
/// `la_assign` against the Swift API.
@Suite struct CABITests {
    /// A few fixture scenes: the first scene files plus the options scenes (with ignore regions).
    static func scenes() throws -> [Scene] {
        try Array(Fixtures.scenes().prefix(3).map(\.scene)) + Fixtures.entries("options.jsonl").map(\.scene)
    }

    @Test func versionAndNames() {
        #expect(String(cString: la_version()) == "0.2.0")
        var buffer = [CChar](repeating: 0, count: 4096)
        let needed = la_assigner_names(&buffer, Int64(buffer.count))
        #expect(Int(needed) == AssignerRegistry.names.joined(separator: ",").utf8.count)
        #expect(CABI.message(buffer) == AssignerRegistry.names.joined(separator: ","))
    }

    /// Every preset through a handle: every output buffer equals the Swift API's assignment.
    @Test(arguments: AssignerRegistry.names)
    func assignEqualsTheSwiftAPI(preset: String) throws {
        let handle = CABI.Handle(preset)
        #expect(handle.code == 0, "\(handle.error)")
        for s in try Self.scenes() {
            let expected = try AssignerRegistry.make(preset).assign(s)
            let got = CABI.assign(handle.pointer, s)
            #expect(got == CABI.expected(expected, s), "\(preset) on \(s.name): \(got.error)")
        }
    }

    /// The flags of a handle are its assigner's declaration and what its assignments hold.
    @Test(arguments: AssignerRegistry.names)
    func outputsAreDeclared(preset: String) throws {
        let s = try Fixtures.firstScene { $0.gtCount > 3 }
        let handle = CABI.Handle(preset)
        let made = try AssignerRegistry.make(preset)
        #expect(la_assigner_outputs(handle.pointer) == made.outputs.rawValue)
        #expect(AssignmentOutputs(of: try made.assign(s)) == made.outputs)
    }

    @Test func outputsFollowTheOptions() throws {
        let s = try Fixtures.firstScene { $0.gtCount > 3 }
        let handle = CABI.Handle("tal", options: "{\"variant\": \"mmdet\"}")
        #expect(handle.code == 0, "\(handle.error)")
        #expect(la_assigner_outputs(handle.pointer) == AssignmentOutputs([.assignedGT, .assignMetrics]).rawValue)
        let made = try AssignerRegistry.make("tal", options: [("variant", .string("mmdet"))])
        #expect(AssignmentOutputs(of: try made.assign(s)) == made.outputs)
        #expect(la_assigner_outputs(nil) == 0)
    }

    /// Options change the results as `AssignerRegistry.make(_:options:)` does.
    @Test func optionsChangeTheResults() throws {
        let scenes = try Self.scenes()
        let cases: [(String, String, [(String, OptionValue)])] = [
            ("tal", "{\"topk\": 13}", [("topk", .number(13))]),
            ("atss", "{\"topk\": 5}", [("topk", .number(5))]),
            ("maxiou", "{\"neg_iou_thr\": [0.1, 0.4], \"pos_iou_thr\": 0.45}", [("neg_iou_thr", .list([.number(0.1), .number(0.4)])), ("pos_iou_thr", .number(0.45))]),
        ]
        for (preset, json, options) in cases {
            let handle = CABI.Handle(preset, options: json)
            #expect(handle.code == 0, "\(handle.error)")
            var differs = false
            for s in scenes {
                let expected = try AssignerRegistry.make(preset, options: options).assign(s)
                #expect(CABI.assign(handle.pointer, s) == CABI.expected(expected, s), "\(preset) \(json)")
                let defaults = try AssignerRegistry.make(preset).assign(s)
                differs = differs || expected != defaults
            }
            #expect(differs, "\(preset) \(json) changes no result on the fixture scenes")
        }
    }

    /// `la_assigner_describe`: the CLI's object plus the configured values and outputs; a
    /// handle made from its values is configured the same.
    @Test(arguments: AssignerRegistry.names)
    func describeRoundTrips(preset: String) throws {
        let p = try AssignerRegistry.preset(preset)
        let options = p.options.first.map { o -> String in
            if case let .number(d) = o.defaultValue { return "{\"\(o.name)\": \(d + 1)}" }
            return "{}"
        } ?? "{}"
        // The first option's default + 1 where that is in its domain, else the defaults.
        let first = CABI.Handle(preset, options: options)
        let handle = first.code == 0 ? first : CABI.Handle(preset, options: "{}")
        #expect(handle.code == 0, "\(handle.error)")
        let used = first.code == 0 ? options : "{}"
        var json: UnsafeMutablePointer<CChar>? = nil
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_assigner_describe(handle.pointer, &json, &err, 256) == 0)
        let text = try #require(json.map { String(cString: $0) })
        la_free(json)
        let root = try parseJSON(Array(text.utf8))
        #expect(root["name"] == .string(preset))
        #expect(root["outputs"] == .array(try AssignerRegistry.make(preset, optionsJSON: used).outputs.names.map(JSONValue.string)))
        // The CLI's object is this one without "name", "value" and "outputs".
        let cli = try parseJSON(Array(PresetDescription.json(p).utf8)).object ?? [:]
        for (k, v) in cli where k != "options" { #expect(root[k] == v, "\(k)") }
        let described = root["options"]?.array ?? []
        #expect(described.count == p.options.count)
        var w = JSONWriter()
        w.beginObject()
        for o in described {
            if let name = o["name"]?.string, let value = o["value"] { w.key(name); w.value(value) }
        }
        w.endObject()
        let again = w.text
        let rebuilt = CABI.Handle(preset, options: again)
        #expect(rebuilt.code == 0, "\(rebuilt.error)")
        var json2: UnsafeMutablePointer<CChar>? = nil
        #expect(la_assigner_describe(rebuilt.pointer, &json2, &err, 256) == 0)
        #expect(json2.map { String(cString: $0) } == text)
        la_free(json2)
    }

    @Test func createReportsUnknownNamesAndOptions() {
        let unknown = CABI.Handle("no-such-assigner")
        #expect(unknown.code == CABI.unknown && unknown.pointer == nil)
        #expect(unknown.error.contains("no-such-assigner") && unknown.error.contains("simota"))
        let option = CABI.Handle("tal", options: "{\"top_k\": 13}")
        #expect(option.code == CABI.option && option.pointer == nil)
        #expect(option.error.contains("top_k") && option.error.contains("topk"), "\(option.error)")
        let value = CABI.Handle("tal", options: "{\"topk\": -2}")
        #expect(value.code == CABI.option && value.error.contains("topk"), "\(value.error)")
        let text = CABI.Handle("tal", options: "[1, 2]")
        #expect(text.code == CABI.option && text.pointer == nil, "\(text.error)")
        let malformed = CABI.Handle("tal", options: "{\"topk\": ")
        #expect(malformed.code == CABI.option && malformed.pointer == nil, "\(malformed.error)")
        let null = CABI.Handle(nil)
        #expect(null.code == CABI.argument && null.pointer == nil)
        for empty in [nil, "", "  ", "{}"] { #expect(CABI.Handle("atss", options: empty).code == 0) }
        var err = [CChar](repeating: 0, count: 64)
        #expect(la_assigner_create("tal", nil, nil, &err, 64) == CABI.argument)
        var json: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(bitPattern: 0x1)
        #expect(la_assigner_describe(nil, &json, &err, 64) == CABI.argument)
        #expect(json == nil)
        la_assigner_free(nil)
    }

    @Test func assignJSONTakesOptions() throws {
        let s = try Fixtures.firstScene { $0.gtCount > 3 }
        var result: UnsafeMutablePointer<CChar>? = nil
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_assign_json("tal", "{\"topk\": 13}", SceneFile.json(s), &result, &err, 256) == 0, "\(CABI.message(err))")
        let text = try #require(result.map { String(cString: $0) })
        la_free(result)
        let expected = try AssignerRegistry.make("tal", options: [("topk", .number(13))]).assign(s)
        #expect(try parseJSON(Array(text.utf8))["assigned_gt"] == .array(expected.assignedGT.map { .number(Double($0)) }))
        result = UnsafeMutablePointer(bitPattern: 0x1)
        #expect(la_assign_json("tal", "{\"nope\": 1}", SceneFile.json(s), &result, &err, 256) == CABI.option)
        #expect(result == nil && CABI.message(err).contains("nope"))
        #expect(la_assign_json("tal", nil, "{\"image\": [", &result, &err, 256) == CABI.invalid)
        #expect(result == nil)
    }

    @Test func overlapMatrixMatchesTheSwiftAPI() throws {
        let a: [Float] = [0, 0, 10, 10, 5, 5, 15, 25]
        let b: [Float] = [5, 0, 15, 10, 0, 0, 4, 4, 2, 2, 30, 30]
        var out = [Float](repeating: -1, count: 6)
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_overlap_matrix(a, 2, b, 3, "ciou", "ultralytics", &out, &err, 256) == 0)
        #expect(out == (try pairwiseOverlap(a, b, kind: .ciou, convention: .ultralytics)))
        #expect(la_overlap_matrix(a, 2, b, 3, "ciou", "yolov5", &out, &err, 256) == 0)
        #expect(out == (try pairwiseOverlap(a, b, kind: .ciou, convention: .yolov5)))
        #expect(la_overlap_matrix(a, 2, b, 3, "ciou", "mmdet", &out, &err, 256) == CABI.invalid)
        #expect(CABI.message(err).contains("ciou"))
        #expect(la_overlap_matrix(a, 2, b, 3, "nope", "mmdet", &out, &err, 256) == CABI.argument)
        #expect(CABI.message(err).contains("nope"))
        #expect(la_overlap_matrix(nil, 2, b, 3, "iou", "mmdet", &out, &err, 256) == CABI.argument)
    }

    @Test func errorMessagesAreTruncatedSafely() {
        var err = [CChar](repeating: 1, count: 8)
        var out = [Float](repeating: 0, count: 1)
        _ = la_overlap_matrix([0, 0, 1, 1], 1, [0, 0, 1, 1], 1, "iof", "yolox", &out, &err, 8)
        #expect(err[7] == 0)
        #expect(CABI.message(err).count == 7)
    }
}
