import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// A small valid scene to mutate in the bad-input tests.
func tinyScene() -> Scene {
    let priors = try! PriorGrid.points(width: 32, height: 32, strides: [8, 16])
    let n = priors.count / 4
    return Scene(name: "tiny", imageWidth: 32, imageHeight: 32, strides: [8, 16], numClasses: 3,
                 priors: priors, gtBoxes: [2, 2, 20, 18, 10, 12, 30, 30], gtLabels: [0, 2],
                 predBoxes: (0..<n).flatMap { i -> [Float] in
                     let cx = priors[4 * i], cy = priors[4 * i + 1]
                     return [cx - 6, cy - 6, cx + 6, cy + 6]
                 },
                 clsLogits: (0..<(n * 3)).map { Float($0 % 7) - 3 }, objLogits: [Float](repeating: 0.5, count: n))
}

@Suite struct PriorTests {
    @Test func pointPriorsMatchTheFixtureLayout() throws {
        for entry in Fixtures.scenes {
            let s = entry.scene
            let made = try PriorGrid.points(width: s.imageWidth, height: s.imageHeight, strides: s.strides)
            #expect(made == s.priors, "\(s.name)")
            let counts = PriorGrid.levelCounts(width: s.imageWidth, height: s.imageHeight, strides: s.strides)
            #expect(s.levelRanges.map(\.count) == counts)
        }
    }

    @Test func levelsAreRowMajorFinestFirst() throws {
        let p = try PriorGrid.points(width: 32, height: 16, strides: [8, 16])
        // level 0: 4 x 2 cells, level 1: 2 x 1 cells
        #expect(p.count == (8 + 2) * 4)
        #expect(Array(p[0..<4]) == [4, 4, 8, 8])
        #expect(Array(p[4..<8]) == [12, 4, 8, 8])      // next column first
        #expect(Array(p[16..<20]) == [4, 12, 8, 8])    // then the next row
        #expect(Array(p[32..<36]) == [8, 8, 16, 16])   // then level 1
        let corners = try PriorGrid.points(width: 16, height: 16, strides: [8], offset: 0)
        #expect(Array(corners[4..<8]) == [8, 0, 8, 8])
    }

    @Test func anchorBoxesAreSquaresAroundPriors() {
        let a = PriorGrid.anchorBoxes(priors: [12, 20, 8, 8], scale: 8)
        #expect(a == [-20, -12, 44, 52])
    }

    @Test func badGridsAreRejected() {
        #expect(throws: LabelAssignError.self) { try PriorGrid.points(width: 0, height: 10, strides: [8]) }
        #expect(throws: LabelAssignError.self) { try PriorGrid.points(width: 10, height: 10, strides: [0]) }
    }

    @Test func yolov5AnchorsAreTheDefaultCOCOSet() {
        #expect(YOLOv5Anchors.coco.count == 3)
        #expect(YOLOv5Anchors.coco[2] == [116, 90, 156, 198, 373, 326])
    }
}

@Suite struct SceneFileTests {
    @Test func fixtureScenesParse() {
        #expect(Fixtures.scenes.count == Fixtures.sceneFiles.count && !Fixtures.scenes.isEmpty)
        for e in Fixtures.scenes {
            let s = e.scene
            #expect(s.priorCount * 4 == s.predBoxes.count)
            #expect(s.clsLogits.count == s.priorCount * s.numClasses)
            #expect(s.objLogits?.count == s.priorCount)
            #expect(e.extras["expected"] != nil)
        }
    }

    @Test func parsedValuesAreBitExact() throws {
        let entry = try #require(Fixtures.scenes.first)
        let file = try #require(Fixtures.sceneFiles.first)
        // Compare against Foundation's decoder (exact Double parsing, then Float).
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pred = try #require(obj["pred_bboxes"] as? [[Double]])
        let logits = try #require(obj["cls_logits"] as? [[Double]])
        #expect(pred.flatMap { $0 }.map(Float.init) == entry.scene.predBoxes)
        #expect(logits.flatMap { $0 }.map(Float.init) == entry.scene.clsLogits)
    }

    @Test func writeThenReadIsIdentity() throws {
        var scene = tinyScene()
        scene.gtIgnore = [0, 0, 4.25, 4.125]
        scene.clsLogits[5] = 1.0e-30
        scene.clsLogits[6] = -3.4028235e38
        scene.clsLogits[7] = 0.1
        let back = try SceneFile.parse(Array(SceneFile.json(scene).utf8), name: "tiny")
        #expect(back.count == 1)
        #expect(back[0].scene == scene)
    }

    @Test func jsonLinesAndDirectoriesHoldBatches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("la-scenes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var a = tinyScene(); a.name = "a"
        var b = tinyScene(); b.name = "b"; b.gtBoxes = []; b.gtLabels = []
        let lines = dir.appendingPathComponent("batch.jsonl").path
        try SceneFile.write([a, b], to: lines)
        let read = try SceneFile.read(lines)
        #expect(read.map(\.name) == ["a", "b"])
        #expect(read[1].gtCount == 0)
        try SceneFile.write([a], to: dir.appendingPathComponent("c.json").path)
        #expect(try SceneFile.read(dir.path).count == 3)
    }

    @Test func zeroObjectsIsValid() throws {
        var s = tinyScene()
        s.gtBoxes = []; s.gtLabels = []
        try s.validate()
    }

    @Test func zeroAreaObjectIsValid() throws {
        var s = tinyScene()
        s.gtBoxes[2] = s.gtBoxes[0]
        try s.validate()
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: LabelAssignError.self) { try SceneFile.read("/nonexistent/scene.json") }
    }
}

/// Every validation rule gives a typed error that names the field (and index).
@Suite struct SceneValidationTests {
    func expectInvalid(_ field: String, index: Int? = nil, _ mutate: (inout Scene) -> Void) {
        var s = tinyScene()
        mutate(&s)
        do {
            try s.validate()
            Issue.record("\(field): accepted")
        } catch let e as LabelAssignError {
            switch e {
            case let .invalidValue(f, i, _):
                #expect(f == field, "\(e)")
                if let index { #expect(i == index, "\(e)") }
            case let .shapeMismatch(f, _, _):
                #expect(f == field, "\(e)")
            default:
                Issue.record("unexpected \(e)")
            }
        } catch {
            Issue.record("untyped \(error)")
        }
    }

    @Test func nanAndInfinity() {
        expectInvalid("gt_bboxes", index: 1) { $0.gtBoxes[5] = .nan }
        expectInvalid("gt_bboxes", index: 0) { $0.gtBoxes[2] = .infinity }
        expectInvalid("pred_bboxes", index: 3) { $0.predBoxes[13] = -.infinity }
        expectInvalid("cls_logits", index: 2) { $0.clsLogits[7] = .nan }
        expectInvalid("obj_logits", index: 4) { $0.objLogits![4] = .nan }
        expectInvalid("priors", index: 1) { $0.priors[4] = .nan }
        expectInvalid("gt_ignore", index: 0) { $0.gtIgnore = [0, 0, .nan, 1] }
    }

    @Test func invertedBoxes() {
        expectInvalid("gt_bboxes", index: 1) { $0.gtBoxes[6] = 5 }        // x2 < x1
        expectInvalid("gt_bboxes", index: 0) { $0.gtBoxes[3] = 1 }        // y2 < y1
        expectInvalid("pred_bboxes", index: 0) { $0.predBoxes[2] = -100 }
        expectInvalid("gt_ignore", index: 0) { $0.gtIgnore = [5, 5, 4, 6] }
    }

    @Test func countMismatches() {
        expectInvalid("gt_labels") { $0.gtLabels.append(1) }
        expectInvalid("pred_bboxes") { $0.predBoxes.removeLast(4) }
        expectInvalid("cls_logits") { $0.clsLogits.removeLast() }
        expectInvalid("obj_logits") { $0.objLogits!.append(0) }
        expectInvalid("gt_bboxes") { $0.gtBoxes.removeLast() }
        expectInvalid("priors") { $0.priors.removeLast() }
    }

    @Test func labelsOutsideClassRange() {
        expectInvalid("gt_labels", index: 1) { $0.gtLabels[1] = 3 }
        expectInvalid("gt_labels", index: 0) { $0.gtLabels[0] = -1 }
    }

    @Test func strideAndClassCount() {
        expectInvalid("strides", index: 1) { $0.strides[1] = 0 }
        expectInvalid("strides", index: 0) { $0.strides[0] = -8 }
        expectInvalid("strides") { $0.strides = [] }
        expectInvalid("num_classes") { $0.numClasses = 0 }
        expectInvalid("priors", index: 0) { $0.priors[2] = 0 }
        expectInvalid("priors", index: 0) { $0.priors[2] = 12 }           // not a scene stride
        expectInvalid("image", index: 0) { $0.imageWidth = 0 }
    }
}

/// The file reader reports malformed input as one typed error, never a crash.
@Suite struct SceneParseErrorTests {
    func parseError(_ text: String) -> String? {
        do {
            _ = try SceneFile.parse(Array(text.utf8))
            return nil
        } catch let e as LabelAssignError {
            return e.description
        } catch {
            return "untyped: \(error)"
        }
    }

    var valid: String { SceneFile.json(tinyScene()) }

    @Test func wrongRowLength() throws {
        let bad = valid.replacingOccurrences(of: "\"gt_bboxes\":[[2.0,2.0,20.0,18.0]", with: "\"gt_bboxes\":[[2.0,2.0,20.0]")
        #expect(bad != valid)
        let e = try #require(parseError(bad))
        #expect(e.contains("gt_bboxes[0]"), "\(e)")
    }

    @Test func nanLiteralIsNamed() throws {
        let bad = valid.replacingOccurrences(of: "\"gt_bboxes\":[[2.0", with: "\"gt_bboxes\":[[NaN")
        let e = try #require(parseError(bad))
        #expect(e.contains("gt_bboxes[0]") && e.contains("not finite"), "\(e)")
    }

    @Test func missingFieldIsNamed() throws {
        let bad = valid.replacingOccurrences(of: "\"num_classes\":3,", with: "")
        #expect(try #require(parseError(bad)).contains("num_classes"))
    }

    @Test func truncatedAndGarbageInput() {
        #expect(parseError(String(valid.prefix(valid.count / 2))) != nil)
        #expect(parseError("{\"image\": [1, 2") != nil)
        #expect(parseError("not json") != nil)
        #expect(parseError("") != nil)
        #expect(parseError("[1, 2, 3]") != nil)
    }

    @Test func nonIntegralLabelsAndStrides() {
        #expect(parseError(valid.replacingOccurrences(of: "\"gt_labels\":[0,2]", with: "\"gt_labels\":[0.5,2]"))?.contains("gt_labels") == true)
        #expect(parseError(valid.replacingOccurrences(of: "\"strides\":[8,16]", with: "\"strides\":[8.5,16]"))?.contains("strides") == true)
    }

    @Test func classRowWidthMustMatch() {
        let s = tinyScene()
        var t = SceneFile.json(s)
        t = t.replacingOccurrences(of: "\"num_classes\":3", with: "\"num_classes\":4")
        #expect(parseError(t)?.contains("cls_logits") == true)
    }
}

@Suite struct JSONReaderTests {
    @Test func numbersReadExactly() throws {
        let texts = ["0", "-0.0", "1e-45", "3.4028234663852886e38", "59.66227340698242", "0.1", "-2.5e-3",
                     "123456789012345678901234", "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "1E2"]
        for t in texts {
            let v = try parseJSON(Array(t.utf8))
            #expect(v.double == Double(t), "\(t)")
        }
    }

    func readFloat(_ text: String) throws -> Float {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buf in
            var r = JSONReader(buf)
            return try r.readFloat()
        }
    }

    @Test func floatsAreCorrectlyRounded() throws {
        // Float(String) is correctly rounded (strtof); the fast path must agree everywhere,
        // including decimals within a hair of a float32 rounding boundary.
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { state &+= 0x9E3779B97F4A7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) }
        var texts: [String] = []
        for _ in 0..<20000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0x7F7F_FFFF)
            texts.append("\(Double(f))")                     // float32 written as its float64 repr
            texts.append("\(f)")                             // shortest float repr
            let mid = (Double(f) + Double(f.nextUp)) / 2     // exact midpoint: ties to even
            texts.append("\(mid)")
            texts.append("\(mid.nextUp)")
            texts.append("\(mid.nextDown)")
            texts.append(String(format: "%.12e", Double(f) * (1 + Double(next() % 1000) * 1e-9)))
        }
        for t in texts {
            let expected = try #require(Float(t), "\(t)")
            let got = try readFloat(t)
            #expect(got.bitPattern == expected.bitPattern, "\(t): \(got) vs \(expected)")
        }
    }

    @Test func nonFiniteLiterals() throws {
        #expect(try parseJSON(Array("NaN".utf8)).double?.isNaN == true)
        #expect(try parseJSON(Array("-Infinity".utf8)).double == -.infinity)
    }

    @Test func stringsAndNesting() throws {
        let v = try parseJSON(Array(#"{"a": [1, {"b": "x\"y\u0041"}], "c": null, "d": true}"#.utf8))
        #expect(v["a"]?.array?[1]["b"]?.string == "x\"yA")
        #expect(v["c"] == .null)
        #expect(v["d"] == .bool(true))
    }

    @Test func malformed() {
        for t in ["{", "[1,]", "{\"a\" 1}", "1 2", "-", "1e", "tru"] {
            #expect(throws: LabelAssignError.self, "\(t)") { try parseJSON(Array(t.utf8)) }
        }
    }
}
