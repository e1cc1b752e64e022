import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The `labelassign` executable, run as a user would: output, error lines and exit codes.
@Suite struct CommandLineTests {
    /// The built executable next to the test bundle (`.build/<config>/labelassign`).
    static var executable: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("labelassign").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String]) throws -> Run {
        let path = try #require(Self.executable, "labelassign executable not found next to \(CommandLine.arguments[0])")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func temporaryFile(_ text: String) throws -> String { try TemporaryFiles.file(text, prefix: "la-cli") }

    @Test func malformedSceneExitsOneWithOneLine() throws {
        var bad = SceneFile.json(SceneBuilder.tiny().scene)
        bad = bad.replacingOccurrences(of: "\"gt_bboxes\":[[2.0", with: "\"gt_bboxes\":[[NaN")
        let path = try temporaryFile(bad)
        defer { TemporaryFiles.remove(path) }
        let r = try run(["assign", path, "--assigner", AssignerRegistry.names.first ?? "simota"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("gt_bboxes[0]"))
        let truncated = try temporaryFile(String(SceneFile.json(SceneBuilder.tiny().scene).prefix(100)))
        defer { TemporaryFiles.remove(truncated) }
        let t = try run(["assign", truncated, "--assigner", AssignerRegistry.names.first ?? "simota"])
        #expect(t.status == 1)
        #expect(t.stderr.split(separator: "\n").count == 1)
    }

    @Test func usageErrorsExitTwo() throws {
        let r = try run(["assign"])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try run(["no-such-command"]).status == 2)
    }

    @Test func unknownAssignerListsTheKnownOnes() throws {
        let path = try temporaryFile(SceneFile.json(SceneBuilder.tiny().scene))
        defer { TemporaryFiles.remove(path) }
        let r = try run(["assign", path, "--assigner", "nope"])
        #expect(r.status == 1)
        for name in AssignerRegistry.names { #expect(r.stderr.contains(name)) }
    }

    @Test func assignPrintsTheFixtureFieldNames() throws {
        let file = Fixtures.path(try #require(Fixtures.sceneFiles.first))
        let first = try #require(try Fixtures.scenes().first)
        for preset in AssignerRegistry.presets {
            let r = try run(["assign", file, "--assigner", preset.name])
            #expect(r.status == 0, "\(preset.name): \(r.stderr)")
            let v = try parseJSON(Array(r.stdout.utf8))
            #expect(v["assigner"]?.string == preset.name)
            #expect(v["assigned_gt"]?.array?.count == first.scene.priorCount)
            if let expected = first.extras["expected"]?[preset.fixtureKey]?.object {
                // `queries` and `cost` are the DETR fixture's inputs (its query subset), not outputs.
                for key in expected.keys where !["queries", "cost"].contains(key) {
                    #expect(v[key] != nil, "\(preset.name) lacks \(key)")
                }
            }
        }
    }

    @Test func compareSurvivesDegenerateBoxes() throws {
        // A zero-area object whose predictions are the same zero-area box: IoU 0/0 in some
        // conventions. Presets that reject it are counted as failed; the run completes.
        var s = SceneBuilder.tiny().scene
        s.gtBoxes = [10, 10, 10, 10, 2, 2, 20, 18]
        for i in 0..<s.priorCount where i % 2 == 0 { s.predBoxes.replaceSubrange((4 * i)..<(4 * i + 4), with: [10, 10, 10, 10]) }
        let path = try temporaryFile(SceneFile.json(s))
        defer { TemporaryFiles.remove(path) }
        let r = try run(["compare", path, "--threads", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try parseJSON(Array(r.stdout.utf8))
        #expect(v["assigners"]?.array?.count == AssignerRegistry.names.count)
    }

    @Test func iouTakesEveryConvention() throws {
        let a: [Float] = [0, 0, 10, 10, 5, 5, 15, 25], b: [Float] = [5, 0, 15, 10.5, 0, 0, 4, 4]
        let boxes1 = try temporaryFile("[[0, 0, 10, 10], [5, 5, 15, 25]]"), boxes2 = try temporaryFile("[[5, 0, 15, 10.5], [0, 0, 4, 4]]")
        defer { try? FileManager.default.removeItem(atPath: boxes1); try? FileManager.default.removeItem(atPath: boxes2) }
        for convention in OverlapConvention.allCases where convention.supports(.iou) {
            let r = try run(["iou", boxes1, boxes2, "--kind", "iou", "--convention", convention.name])
            #expect(r.status == 0, "\(convention): \(r.stderr)")
            let rows = try #require(parseJSON(Array(r.stdout.utf8)).matrix)
            #expect(rows.values.map(Float.init) == (try pairwiseOverlap(a, b, kind: .iou, convention: convention)), "\(convention)")
        }
        let unknown = try run(["iou", boxes1, boxes2, "--convention", "yolov8"])
        #expect(unknown.status != 0)
        for convention in OverlapConvention.allCases { #expect(unknown.stderr.contains(convention.name)) }
    }

    @Test func otSolvesLinearAssignment() throws {
        let path = try temporaryFile(#"{"method": "lsa", "M": [[4, 1, 3], [2, 0, 5], [3, 2, 2]]}"#)
        defer { TemporaryFiles.remove(path) }
        let r = try run(["ot", path])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try parseJSON(Array(r.stdout.utf8))
        #expect(v["rows"] == .array([.number(0), .number(1), .number(2)]))
        #expect(v["cols"] == .array([.number(1), .number(0), .number(2)]))
        #expect(v["total"]?.double == 5)
        let bad = try temporaryFile(#"{"method": "lsa", "M": [[1, NaN]]}"#)
        defer { TemporaryFiles.remove(bad) }
        let e = try run(["ot", bad])
        #expect(e.status == 1)
        #expect(e.stderr.contains("M"))
        let unknown = try temporaryFile(#"{"method": "simplex", "M": [[1]]}"#)
        defer { TemporaryFiles.remove(unknown) }
        let u = try run(["ot", unknown])
        #expect(u.status == 1)
        #expect(u.stderr.contains("lsa") && u.stderr.contains("sinkhorn"))
    }
}
