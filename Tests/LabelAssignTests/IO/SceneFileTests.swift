import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

@Suite struct SceneFileTests {
    @Test func fixtureScenesParse() throws {
        let scenes = try Fixtures.scenes()
        #expect(scenes.count == Fixtures.sceneFiles.count && !scenes.isEmpty)
        for e in scenes {
            let s = e.scene
            #expect(s.priorCount * 4 == s.predBoxes.count)
            #expect(s.clsLogits.count == s.priorCount * s.numClasses)
            #expect(s.objLogits?.count == s.priorCount)
            #expect(e.extras["expected"] != nil)
        }
    }

    @Test func parsedValuesAreBitExact() throws {
        let entry = try #require(try Fixtures.scenes().first)
        let file = Fixtures.path(try #require(Fixtures.sceneFiles.first))
        // Compare against Foundation's decoder (exact Double parsing, then Float).
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pred = try #require(obj["pred_bboxes"] as? [[Double]])
        let logits = try #require(obj["cls_logits"] as? [[Double]])
        #expect(pred.flatMap { $0 }.map(Float.init) == entry.scene.predBoxes)
        #expect(logits.flatMap { $0 }.map(Float.init) == entry.scene.clsLogits)
    }

    @Test func writeThenReadIsIdentity() throws {
        var scene = SceneBuilder.tiny().scene
        scene.gtIgnore = [0, 0, 4.25, 4.125]
        scene.clsLogits[5] = 1.0e-30
        scene.clsLogits[6] = -3.4028235e38
        scene.clsLogits[7] = 0.1
        let back = try SceneFile.parse(Array(SceneFile.json(scene).utf8), name: "tiny")
        #expect(back.count == 1)
        #expect(back[0].scene == scene)
    }

    @Test func jsonLinesAndDirectoriesHoldBatches() throws {
        let dir = try TemporaryFiles.directory(prefix: "la-scenes")
        defer { TemporaryFiles.remove(dir) }
        let a = SceneBuilder.tiny().named("a").scene
        let b = SceneBuilder.tiny().named("b").objects([], labels: []).scene
        let lines = dir + "/batch.jsonl"
        try SceneFile.write([a, b], to: lines)
        let read = try SceneFile.read(lines)
        #expect(read.map(\.name) == ["a", "b"])
        #expect(read[1].gtCount == 0)
        try SceneFile.write([a], to: dir + "/c.json")
        #expect(try SceneFile.read(dir).count == 3)
    }

    @Test func zeroObjectsIsValid() throws {
        var s = SceneBuilder.tiny().scene
        s.gtBoxes = []; s.gtLabels = []
        try s.validate()
    }

    @Test func zeroAreaObjectIsValid() throws {
        var s = SceneBuilder.tiny().scene
        s.gtBoxes[2] = s.gtBoxes[0]
        try s.validate()
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: LabelAssignError.self) { try SceneFile.read("/nonexistent/scene.json") }
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

    var valid: String { SceneFile.json(SceneBuilder.tiny().scene) }

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

    /// Labels must be whole; strides need not be, but the priors' stride columns must match them.
    @Test func nonIntegralLabelsAndStrides() {
        #expect(parseError(valid.replacingOccurrences(of: "\"gt_labels\":[0,2]", with: "\"gt_labels\":[0.5,2]"))?.contains("gt_labels") == true)
        let fractional = parseError(valid.replacingOccurrences(of: "\"strides\":[8,16]", with: "\"strides\":[8.5,16]"))
        #expect(fractional?.contains("invalid priors[0]: stride 8 is not one of the scene strides in level order [8.5, 16]") == true)
        #expect(parseError(valid.replacingOccurrences(of: "\"strides\":[8,16]", with: "\"strides\":[8,NaN]"))?.contains("strides[1]") == true)
        #expect(parseError(valid.replacingOccurrences(of: "\"strides\":[8,16]", with: "\"strides\":[8,-0.5]"))?.contains("strides[1]") == true)
    }

    @Test func classRowWidthMustMatch() {
        let s = SceneBuilder.tiny().scene
        var t = SceneFile.json(s)
        t = t.replacingOccurrences(of: "\"num_classes\":3", with: "\"num_classes\":4")
        #expect(parseError(t)?.contains("cls_logits") == true)
    }
}
