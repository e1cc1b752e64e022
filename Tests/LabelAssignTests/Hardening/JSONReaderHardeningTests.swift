import Foundation
import LabelAssign
import LabelAssignIO
import Testing

/// The JSON reader against hostile documents: nothing recurses, everything outside RFC 8259
/// (bar NaN / Infinity) is rejected with the byte offset and the key path.
@Suite struct HardeningJSONReaderTests {
    func jsonError(_ bytes: [UInt8]) -> String? {
        Hardening.error { _ = try parseJSON(bytes) }
    }

    func jsonError(_ text: String) -> String? { jsonError(Array(text.utf8)) }

    func sceneError(_ text: String) -> String? {
        Hardening.error { _ = try SceneFile.parse(Array(text.utf8)) }
    }

    var valid: String { SceneFile.json(Hardening.scene()) }

    @Test func deepNestingIsAnErrorNotAStackOverflow() throws {
        // 26,000 levels crashed the recursive reader; a million are now one error.
        for depth in [JSONReader.maxDepth + 1, 26_000, 1_000_000] {
            let doc = Hardening.nested(depth)
            #expect(try #require(jsonError(doc)).contains("nesting deeper than 64"))
            // The scene reader skips unknown keys without recursing either.
            let scene = Hardening.nested(depth, prefix: String(valid.dropLast()) + ",\"extra\":", suffix: "}")
            #expect(Hardening.error { _ = try SceneFile.parse(scene, keepExtras: false) }?.contains("nesting deeper") == true)
            #expect(Hardening.error { _ = try SceneFile.parse(scene, keepExtras: true) }?.contains("nesting deeper") == true)
        }
        // Objects too, and the limit itself is accepted.
        let objects = String(repeating: "{\"a\":", count: 30_000) + "1" + String(repeating: "}", count: 30_000)
        #expect(try #require(jsonError(objects)).contains("nesting deeper"))
        #expect(jsonError(Hardening.nested(JSONReader.maxDepth)) == nil)
        #expect(try parseJSON(Array((String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)).utf8)).object != nil)
    }

    @Test func duplicateKeysAreRejected() throws {
        // A duplicated matrix key was concatenated before.
        let scene = String(valid.dropLast()) + ",\"gt_bboxes\":[[1,1,5,5]]}"
        #expect(try #require(sceneError(scene)).contains("duplicate key 'gt_bboxes'"))
        let other = String(valid.dropLast()) + ",\"num_classes\":3}"
        #expect(try #require(sceneError(other)).contains("duplicate key 'num_classes'"))
        #expect(try #require(jsonError(#"{"a": 1, "b": {"c": 2, "c": 3}}"#)).contains("duplicate key 'c'"))
        #expect(try #require(jsonError(#"{"a": 1, "a": 1}"#)).contains("at byte 9"))
        // Inside a skipped value too.
        let skipped = String(valid.dropLast()) + ",\"extra\":{\"x\":1,\"x\":2}}"
        #expect(Hardening.error { _ = try SceneFile.parse(Array(skipped.utf8), keepExtras: false) }?.contains("duplicate key 'x'") == true)
    }

    @Test func leadingZerosAndOtherNonJSONNumbers() {
        for bad in ["01", "-01", "00", "00.5", "[1, 02]", "+1", ".5", "1.", "1e", "0x10", "1_000", "--1", "Inf", "nan", "[1,]"] {
            #expect(jsonError(bad) != nil, "\(bad)")
        }
        for good in ["0", "-0", "0.5", "-0.0e+1", "10", "1E2", "NaN", "-Infinity", "[0, 0]"] {
            #expect(jsonError(good) == nil, "\(good)")
        }
        #expect(jsonError("[1, 02]")?.contains("leading zero") == true)
        let scene = valid.replacingOccurrences(of: "\"num_classes\":3", with: "\"num_classes\":03")
        #expect(sceneError(scene)?.contains("leading zero") == true)
        #expect(sceneError(scene)?.contains("num_classes") == true)
    }

    @Test func stringsMustBeValidUTF8AndJSON() throws {
        func quoted(_ inner: [UInt8]) -> [UInt8] { [0x22] + inner + [0x22] }
        let invalid: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                  [0xC3], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]]
        for bytes in invalid {
            #expect(jsonError(quoted(bytes))?.contains("UTF-8") == true, "\(bytes)")
        }
        #expect(try parseJSON(quoted(Array("é😀".utf8))).string == "é😀")
        #expect(jsonError(quoted([0x61, 0x09, 0x62]))?.contains("control character") == true)
        #expect(jsonError(#""\q""#)?.contains("invalid escape") == true)
        #expect(jsonError(#""\ud800""#)?.contains("surrogate") == true)
        #expect(jsonError(#""\udc00x""#)?.contains("surrogate") == true)
        #expect(jsonError(#""\ud800\u0041""#)?.contains("surrogate") == true)
        #expect(try parseJSON(Array(#""\ud83d\ude00\/\u00e9""#.utf8)).string == "😀/é")
        // In a scene: the key path names where.
        let parts = valid.components(separatedBy: "\"name\":\"hardening\"")
        #expect(parts.count == 2)
        let name = Array((parts[0] + "\"name\":\"a").utf8) + [0xFF] + Array(("\"" + parts[1]).utf8)
        let e = try #require(Hardening.error { _ = try SceneFile.parse(name) })
        #expect(e.contains("invalid UTF-8") && e.contains("in name") && e.contains("at byte"), "\(e)")
    }

    @Test func messagesNameTheOffsetAndTheKeyPath() throws {
        let bad = valid.replacingOccurrences(of: "\"gt_bboxes\":[[2.0,2.0,20.0,18.0],[12.0", with: "\"gt_bboxes\":[[2.0,2.0,20.0,18.0],[1x2.0")
        #expect(bad != valid)
        let e = try #require(sceneError(bad))
        #expect(e.contains("gt_bboxes[1]") && e.contains("at byte"), "\(e)")
        let generic = try #require(jsonError(#"{"a": [1, 2, {"b": [true, nul]}]}"#))
        #expect(generic.contains("a[2].b[1]"), "\(generic)")
        #expect(try #require(jsonError("[1, 2")).contains("found the end of input"))
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let scenes = try SceneFile.parse(bom + Array(valid.utf8), name: "hardening")
        #expect(scenes.first?.scene == Hardening.scene())
        #expect(try parseJSON(bom + Array("[1]".utf8)) == .array([.number(1)]))
        // Only at the start.
        #expect(jsonError(Array("[1,".utf8) + bom + Array("2]".utf8)) != nil)
    }

    @Test func wholeNumbersAreRangeCheckedBeforeConversion() throws {
        func edit(_ key: String, _ value: String) -> String {
            let original = ["image": "[32,32]", "strides": "[8,16]", "num_classes": "3"][key]!
            let text = valid.replacingOccurrences(of: "\"\(key)\":\(original)", with: "\"\(key)\":\(value)")
            #expect(text != valid, "\(key)")
            return text
        }
        // |v| >= 2^63 trapped in the float-to-int conversion.
        for v in ["[1e19,32]", "[9223372036854775807,32]", "[1e300,32]"] {
            #expect(sceneError(edit("image", v))?.contains("limit") == true, "\(v)")
        }
        #expect(sceneError(edit("image", "[32,-1e19]"))?.contains("height must be positive, got -1e+19") == true)
        #expect(sceneError(edit("num_classes", "-9223372036854775808"))?.contains("must be positive") == true)
        #expect(sceneError(edit("image", "[100000000000,100000000000]"))?.contains("100000000000 is above the limit") == true)
        #expect(sceneError(edit("strides", "[8,1e19]"))?.contains("limit") == true)
        #expect(sceneError(edit("image", "[16777217,32]"))?.contains("16777217") == true)
        // The message names the value, not "2147483647.0 is not a whole number".
        let nc = try #require(sceneError(edit("num_classes", "2147483648")))
        #expect(nc.contains("2147483648") && !nc.contains(".0") && !nc.contains("not a whole number"), "\(nc)")
        let big = try #require(sceneError(edit("num_classes", "2147483647")))
        #expect(!big.contains("not a whole number"), "\(big)")
        #expect(sceneError(edit("num_classes", "2.5"))?.contains("not a whole number") == true)
        let label = valid.replacingOccurrences(of: "\"gt_labels\":[0,2]", with: "\"gt_labels\":[0,16777217]")
        #expect(sceneError(label)?.contains("16777217") == true)
    }

    @Test func nonStringNamesAndNullsAreSkippedWithoutATree() throws {
        let text = valid.replacingOccurrences(of: "\"name\":\"hardening\"", with: "\"name\":[[[1]]],\"gt_ignore\":null")
        #expect(try SceneFile.parse(Array(text.utf8), name: "x").first?.scene.name == "x")
    }

    @Test func largeFilesAreMappedAndLimited() throws {
        let scenes = (0..<50).map { i -> Scene in var s = Hardening.scene(); s.name = "s\(i)"; return s }
        let path = try Hardening.temporaryFile(scenes.map(SceneFile.json).joined(separator: "\n"), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SceneFile.read(path).count == 50)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let tight = ResourceLimits(maxInputBytes: size - 1)
        let e = try #require(ResourceLimits.withLimits(tight) { Hardening.typedError { _ = try SceneFile.read(path) } })
        #expect(e.description.contains("LABELASSIGN_MAX_INPUT_BYTES"), "\(e)")
        let empty = try Hardening.temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(Hardening.error { _ = try SceneFile.read(empty) }?.contains("no scene") == true)
    }

    @Test func directoriesWithoutScenesAreErrors() throws {
        let dir = try Hardening.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Hardening.error { _ = try SceneFile.read(dir) }?.contains("no scene files") == true)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("notes.txt"))
        #expect(Hardening.error { _ = try SceneFile.read(dir) }?.contains("no scene files") == true)
        try Data(SceneFile.json(Hardening.scene()).utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("a.json"))
        #expect(try SceneFile.read(dir).count == 1)
    }

    @Test func theTreeIsBoundedByTheBufferLimit() throws {
        let doc = Array(("[" + [String](repeating: "0", count: 10_000).joined(separator: ",") + "]").utf8)
        let tight = ResourceLimits(maxBufferBytes: 1000 * MemoryLayout<JSONValue>.stride)
        let e = ResourceLimits.withLimits(tight) { Hardening.typedError { _ = try parseJSON(doc) } }
        #expect(e?.description.contains("LABELASSIGN_MAX_BUFFER_BYTES") == true)
        #expect(try parseJSON(doc).array?.count == 10_000)
    }

    @Test func problemFilesBoundTheirWork() throws {
        let e = try #require(Hardening.error { _ = try TransportProblem.parse(Array(#"{"method": "sinkhorn-fixed", "M": [[1]], "iters": 10000000000}"#.utf8)) })
        #expect(e.contains("10000000000") && e.contains("100000"), "\(e)")
        #expect(Hardening.error { _ = try TransportProblem.parse(Hardening.nested(100_000, prefix: "{\"method\":\"lsa\",\"M\":", suffix: "}")) }?.contains("nesting") == true)
        #expect(Hardening.error { _ = try TransportProblem.parse(Array(#"{"method": "lsa", "M": [[1]], "M": [[2]]}"#.utf8)) }?.contains("duplicate") == true)
    }
}
