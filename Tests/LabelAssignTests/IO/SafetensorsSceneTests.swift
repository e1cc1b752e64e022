import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Scenes as safetensors files: the same scenes as their JSON twins, a file written by
/// `safetensors.torch.save_file`, and typed errors for hostile headers.
@Suite struct SafetensorsSceneTests {
    static func parse(_ bytes: [UInt8], name: String = "scene") throws -> Scene {
        try bytes.withUnsafeBufferPointer { try SafetensorsScene.parse($0, name: name) }
    }

    /// Every fixture scene written as safetensors reads back as the same scene.
    @Test func fixtureScenesRoundTrip() throws {
        var scenes = try Fixtures.scenes().map(\.scene)
        scenes += try Fixtures.entries("anchors.jsonl").prefix(2).map(\.scene)
        scenes += try Fixtures.entries("anchors-fractional.jsonl").map(\.scene)
        for s in scenes {
            let back = try Self.parse(SafetensorsScene.bytes(s), name: s.name)
            #expect(back == s, "\(s.name)")
        }
    }

    /// The safetensors twin of a scene gives every preset's assignment of its JSON twin.
    @Test(arguments: AssignerRegistry.names)
    func twinsAssignAlike(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        for entry in try Fixtures.scenes().prefix(4) {
            let s = entry.scene
            let twin = try Self.parse(SafetensorsScene.bytes(s), name: s.name)
            let a = try assigner.assign(s), b = try assigner.assign(twin)
            #expect(a.assignedGT == b.assignedGT && a.matchedIoU == b.matchedIoU && a.quality == b.quality, "\(preset) \(s.name)")
        }
    }

    /// A file saved by `safetensors.torch.save_file` (int32 image, int64 labels, metadata) is the
    /// scene of its JSON line, and assigns as mmdet does (its `expected`).
    @Test func readsAFileSavedByPyTorch() throws {
        let scenes = try SceneFile.read(Fixtures.path("anchors-fractional-13.safetensors"))
        let s = try #require(scenes.first)
        #expect(scenes.count == 1 && s.name == "anchors-fractional-13")
        let entry = try #require(Fixtures.entries("anchors-fractional.jsonl").first)
        var json = entry.scene
        json.name = s.name
        #expect(s == json)
        let expected = try #require(entry.extras["expected"]?["mmdet_atss"])
        let result = try ATSSAssigner(.atss).assignPriors(PreparedScene(s))
        #expect(FixtureCheck.fields(result, with: expected, fields: [.assignedGT, .matchedIoU], label: s.name).failures.isEmpty)
    }

    /// A directory may mix JSON and safetensors scenes (read in name order).
    @Test func directoriesMixFormats() throws {
        let dir = try TemporaryFiles.directory()
        defer { TemporaryFiles.remove(dir) }
        let s = SceneBuilder.tiny().scene
        try SafetensorsScene.write(s, to: dir + "/a.safetensors")
        try SceneFile.write([s], to: dir + "/b.json")
        let read = try SceneFile.read(dir)
        #expect(read.map(\.name) == ["a", "b"])
        #expect(read[0].priors == read[1].priors && read[0].clsLogits == read[1].clsLogits && read[0].strides == read[1].strides)
    }

    /// `validate --write` writes safetensors; `assign` reads them as it reads JSON.
    @Test func commandLineReadsAndWritesSafetensors() throws {
        let dir = try TemporaryFiles.directory()
        defer { TemporaryFiles.remove(dir) }
        let json = dir + "/tiny.json", binary = dir + "/out/tiny.safetensors"
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try SceneFile.write([SceneBuilder.tiny().scene], to: json)
        let cli = CommandLineTests()
        #expect(try cli.run(["validate", json, "--write", binary]).status == 0)
        for preset in ["atss", "simota", "tal"] {
            let a = try cli.run(["assign", binary, "--assigner", preset]), b = try cli.run(["assign", json, "--assigner", preset])
            #expect(a.status == 0 && !a.stdout.isEmpty && a.stdout == b.stdout, "\(preset): \(a.stderr)")
        }
        #expect(try cli.run(["validate", dir]).stdout.contains("1 scene(s) valid"))
        #expect(try cli.run(["validate", json, json, "--write", dir + "/two.safetensors"]).status != 0)
        #expect(try cli.run(["validate", json, "--write", dir + "/many"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/many/tiny.safetensors"))
    }

    // MARK: hostile files

    /// A safetensors file of `header` (padded to 8 bytes) and `data`.
    static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
    }

    static func error(_ bytes: [UInt8]) -> LabelAssignError? {
        do { _ = try parse(bytes); return nil } catch let e as LabelAssignError { return e } catch { return nil }
    }

    static func reason(_ bytes: [UInt8]) -> String { error(bytes)?.description ?? "no error" }

    @Test func hostileHeadersAreTypedErrors() {
        var long = Self.file("{}")
        long.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64.max.littleEndian) { Array($0) })
        #expect(Self.reason(long).contains("header length 18446744073709551615 runs past the end"))
        #expect(Self.reason([1, 2, 3]).contains("fewer than the 8"))
        #expect(Self.reason(Self.file("{\"priors\": ")).contains("safetensors header"))
        #expect(Self.reason(Self.file("{\"a\": {}, \"a\": {}}")).contains("duplicate key"))
        #expect(Self.reason(Self.file("[1]")).contains("not a JSON object"))
        let eight = [UInt8](repeating: 0, count: 16)
        #expect(Self.reason(Self.file(#"{"priors": {"dtype": "F31", "shape": [1, 4], "data_offsets": [0, 16]}}"#, data: eight))
            == "invalid priors: unknown dtype 'F31'")
        #expect(Self.reason(Self.file(#"{"priors": {"dtype": "F32", "shape": [1, 4], "data_offsets": [0, 17]}}"#, data: eight))
            .contains("within the 16 data bytes"))
        #expect(Self.reason(Self.file(#"{"priors": {"dtype": "F32", "shape": [2, 4], "data_offsets": [0, 16]}}"#, data: eight))
            == "invalid priors: shape [2, 4] of F32 needs 32 bytes, data_offsets give 16")
        #expect(Self.reason(Self.file(#"{"priors": {"dtype": "F32", "shape": [4294967296, 4294967296, 4], "data_offsets": [0, 16]}}"#, data: eight))
            == "invalid priors: shape [4294967296, 4294967296, 4] overflows")
        #expect(Self.reason(Self.file(#"{"priors": {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 16]}}"#, data: eight))
            .contains("not a list of whole numbers"))
        let overlap = #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#
        #expect(Self.reason(Self.file(overlap, data: eight)) == "invalid b: data_offsets 8..<16 overlap those of a (0..<12)")
        #expect(Self.reason(Self.file(#"{"__metadata__": {"n": 3}}"#)).contains("not a string"))
    }

    /// Each tensor of a valid scene, spoiled in turn: the error names it.
    @Test func badTensorsNameTheirField() throws {
        let s = SceneBuilder.tiny().scene
        let good = SafetensorsScene.bytes(s)
        let header = try #require(String(bytes: good[8..<(8 + Int(good[0]) + 256 * Int(good[1]))], encoding: .utf8))
        let data = Array(good[(8 + header.utf8.count)...])
        func spoiled(_ from: String, _ to: String) -> String {
            Self.reason(Self.file(header.replacingOccurrences(of: from, with: to).trimmingCharacters(in: .whitespaces), data: data))
        }
        #expect(spoiled(#""gt_labels":{"dtype":"I64""#, #""gt_labels":{"dtype":"F64""#) == "invalid gt_labels: dtype F64; expected I32 or I64")
        #expect(spoiled(#""priors":{"dtype":"F32""#, #""priors":{"dtype":"I32""#) == "invalid priors: dtype I32; expected F32")
        #expect(spoiled(#""image":"#, #""size":"#) == "missing field 'image'")
        #expect(spoiled(#""num_classes":"3""#, #""num_classes":"4""#).contains("cls_logits has 3 columns"))
        var labels = good
        let at = try #require(Self.offset(of: "gt_labels", in: header)) + 8 + header.utf8.count
        labels.replaceSubrange(at..<(at + 8), with: withUnsafeBytes(of: Int64(1 << 40).littleEndian) { Array($0) })
        #expect(Self.reason(labels) == "invalid gt_labels[0]: class 1099511627776 outside [0, 3)")
        var nan = good
        let p = try #require(Self.offset(of: "priors", in: header)) + 8 + header.utf8.count
        nan.replaceSubrange(p..<(p + 4), with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Array($0) })
        #expect(Self.reason(nan).hasPrefix("invalid priors[0]"))
    }

    /// The data offset of tensor `name` in a header written by `SafetensorsScene.bytes`.
    static func offset(of name: String, in header: String) -> Int? {
        guard case let .object(o)? = try? parseJSON(Array(header.utf8)), let t = o[name],
              let begin = t["data_offsets"]?.array?.first?.double else { return nil }
        return Int(begin)
    }
}
