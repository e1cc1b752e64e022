import Foundation
import LabelAssign
import LabelAssignIO
import Testing

/// The command line against hostile input: one clear error line before any work, exit 1 for
/// bad input and 2 for usage errors, never a trap.
@Suite struct HardeningCommandLineTests {
    func file(_ scene: Scene) throws -> String { try Hardening.temporaryFile(SceneFile.json(scene)) }

    func oneErrorLine(_ r: HardeningCLI.Run, status: Int32, contains: [String], _ what: String) {
        #expect(r.status == status, "\(what): \(r.status) \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(what): \(r.stderr)")
        for c in contains { #expect(r.stderr.contains(c), "\(what): \(r.stderr)") }
    }

    /// Image sizes or strides of 1e19 trapped every command (SIGILL); 1e11 overflowed the grid.
    @Test func hugeImageSizesAndStridesAreTypedErrors() throws {
        let valid = SceneFile.json(Hardening.scene())
        for (edit, what, reason) in [("\"image\":[1e19,32]", "image", "limit"), ("\"image\":[100000000000,100000000000]", "image", "limit"),
                                     ("\"strides\":[8,1e19]", "strides", "limit"), ("\"image\":[-1e19,32]", "image", "positive")] {
            let key = edit.hasPrefix("\"image\"") ? "\"image\":[32,32]" : "\"strides\":[8,16]"
            let path = try Hardening.temporaryFile(valid.replacingOccurrences(of: key, with: edit))
            defer { try? FileManager.default.removeItem(atPath: path) }
            oneErrorLine(try HardeningCLI.run(["validate", path]), status: 1, contains: [what, reason], "validate \(edit)")
            for preset in ["tal", "atss", "yolov5"] {
                oneErrorLine(try HardeningCLI.run(["assign", path, "--assigner", preset]), status: 1, contains: [what], "assign \(preset) \(edit)")
            }
        }
    }

    /// `tal` printed `"target_scores": [null]` for a finite box from about 1e20: now every preset
    /// answers such a scene with a typed error, and a scene at the bound with finite numbers.
    @Test func coordinatesFrom1e20AreRejectedForEveryPreset() throws {
        var far = Hardening.threeLevelScene()
        far.gtBoxes = [1e20, 1e20, 1.5e20, 1.5e20]
        far.gtLabels = [0]
        let text = SceneFile.json(far)
        let path = try Hardening.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var bound = Hardening.threeLevelScene()
        let m = Scene.Limits.maxCoordinate
        bound.gtBoxes = [-m, -m, m, m, 10, 10, 40, 40]
        let boundPath = try file(bound)
        defer { try? FileManager.default.removeItem(atPath: boundPath) }
        for preset in AssignerRegistry.names {
            oneErrorLine(try HardeningCLI.run(["assign", path, "--assigner", preset]), status: 1, contains: ["gt_bboxes[0]", "beyond"], preset)
            let r = try HardeningCLI.run(["assign", boundPath, "--assigner", preset])
            if r.status == 0 {
                #expect(!r.stdout.contains("null"), "\(preset): \(r.stdout.prefix(200))")
            } else {
                oneErrorLine(r, status: 1, contains: [], "\(preset) at the bound")
            }
        }
    }

    @Test func deepNestingInEveryFileKind() throws {
        let nest = String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000)
        let scene = try Hardening.temporaryFile("{\"image\":[32,32],\"x\":" + nest + "}")
        let boxes = try Hardening.temporaryFile(nest)
        let problem = try Hardening.temporaryFile("{\"method\":\"lsa\",\"M\":" + nest + "}")
        defer { for p in [scene, boxes, problem] { try? FileManager.default.removeItem(atPath: p) } }
        oneErrorLine(try HardeningCLI.run(["validate", scene]), status: 1, contains: ["nesting deeper than 64"], "scene")
        oneErrorLine(try HardeningCLI.run(["iou", boxes, boxes]), status: 1, contains: [], "iou")
        oneErrorLine(try HardeningCLI.run(["ot", problem]), status: 1, contains: ["nesting deeper than 64"], "ot")
    }

    @Test func compareFailsEarlyOnEmptyInputs() throws {
        let empty = try Hardening.temporaryDirectory()
        let noScenes = try Hardening.temporaryDirectory()
        defer { for p in [empty, noScenes] { try? FileManager.default.removeItem(atPath: p) } }
        try Data("x".utf8).write(to: URL(fileURLWithPath: noScenes).appendingPathComponent("notes.txt"))
        oneErrorLine(try HardeningCLI.run(["compare", empty]), status: 1, contains: ["no scene files"], "empty directory")
        oneErrorLine(try HardeningCLI.run(["compare", noScenes]), status: 1, contains: ["no scene files"], "no scene files")
        oneErrorLine(try HardeningCLI.run(["compare", "--yolo-labels", empty, "--image-size", "640,640"]), status: 1, contains: ["no label files"], "yolo")
        oneErrorLine(try HardeningCLI.run(["validate"]), status: 2, contains: ["<paths>"], "validate without paths")
        let path = try file(Hardening.scene())
        defer { try? FileManager.default.removeItem(atPath: path) }
        for list in ["", ",", " , "] {
            oneErrorLine(try HardeningCLI.run(["compare", path, "--assigners", list]), status: 2, contains: ["--assigners"], "'\(list)'")
        }
    }

    @Test func negativeNumbersGetAMessageAboutTheValue() throws {
        for (args, expected) in [(["compare", "--images", "-5"], "--images must be at least 1, got -5"),
                                 (["compare", "--threads", "-2"], "--threads must be at least 1, got -2"),
                                 (["compare", "--example", "-1"], "--example must be at least 0, got -1"),
                                 (["compare", "--quality", "-0.5"], "--quality must lie in [0, 1], got -0.5"),
                                 (["bench", "--workload", "coco", "--assigner", "tal", "--repeat", "-1"], "--repeat must be at least 1, got -1"),
                                 (["compare", "--yolo-labels", "/tmp", "--image-size", "-5,640"], "-5")] {
            let r = try HardeningCLI.run(args)
            oneErrorLine(r, status: 2, contains: [expected], args.joined(separator: " "))
            #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
        }
        let r = try HardeningCLI.run(["compare", "--seed", "-1"])
        #expect(r.status == 2 && r.stderr.contains("-1") && !r.stderr.contains("Missing value"), "\(r.stderr)")
    }

    @Test func imageCountsAndSizesAreBounded() throws {
        // --images 100000000 aborted allocating 13.6 GB; 2^63 - 1 trapped.
        for n in ["100000000", "9223372036854775807"] {
            let r = try HardeningCLI.run(["compare", "--images", n])
            oneErrorLine(r, status: 1, contains: ["LABELASSIGN_MAX_IMAGES"], n)
            #expect(r.stdout.isEmpty)
        }
        let r = try HardeningCLI.run(["compare", "--images", "3", "--assigners", "tal", "--no-quality"], environment: ["LABELASSIGN_MAX_IMAGES": "2"])
        oneErrorLine(r, status: 1, contains: ["LABELASSIGN_MAX_IMAGES", "2 images"], "env limit")
        let bad = try HardeningCLI.run(["compare", "--images", "3"], environment: ["LABELASSIGN_MAX_IMAGES": "lots"])
        oneErrorLine(bad, status: 1, contains: ["LABELASSIGN_MAX_IMAGES", "lots"], "bad env value")
        // --image-size near 2^63 overflowed the grid with --keep-size.
        let labels = try Hardening.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: labels) }
        try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: labels).appendingPathComponent("a.txt"))
        for size in ["9223372036854775807,640", "99999999999999999999,640", "16777217,640", "0,640"] {
            oneErrorLine(try HardeningCLI.run(["compare", "--yolo-labels", labels, "--image-size", size, "--keep-size"]), status: 2,
                         contains: ["--image-size"], size)
        }
        let grid = try HardeningCLI.run(["compare", "--yolo-labels", labels, "--image-size", "100000,100000", "--keep-size"])
        oneErrorLine(grid, status: 1, contains: ["LABELASSIGN_MAX_BUFFER_BYTES"], "100000x100000 grid")
    }

    @Test func anUnwritableReportFailsBeforeTheRun() throws {
        let blocker = try Hardening.temporaryFile("not a directory")
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        for report in ["\(blocker)/report", "/proc/labelassign-report", ""] {
            let r = try HardeningCLI.run(["compare", "--workload", "coco", "--images", "2", "--report", report])
            oneErrorLine(r, status: 1, contains: [], "report '\(report)'")
            #expect(r.stdout.isEmpty, "the run did not happen: \(r.stdout.prefix(80))")
            #expect(!r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
        }
        let dir = try Hardening.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ok = try HardeningCLI.run(["compare", "--workload", "coco", "--images", "2", "--assigners", "tal", "--no-quality",
                                       "--report", dir + "/nested/report"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/nested/report/index.html"))
    }

    @Test func aDashReadsStandardInput() throws {
        let text = SceneFile.json(Hardening.scene())
        let r = try HardeningCLI.run(["assign", "-", "--assigner", "tal"], stdin: Array(text.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try AssignerRegistry.make("tal").assign(Hardening.scene()).json(assigner: "tal")
        #expect(r.stdout == expected + "\n")
        let v = try HardeningCLI.run(["validate", "-"], stdin: Array(text.utf8))
        #expect(v.status == 0 && v.stdout.contains("1 scene(s) valid"), "\(v.stderr)")
        oneErrorLine(try HardeningCLI.run(["validate", "-"], stdin: []), status: 1, contains: ["standard input"], "empty stdin")
        let limited = try HardeningCLI.run(["validate", "-"], stdin: Array(text.utf8), environment: ["LABELASSIGN_MAX_INPUT_BYTES": "1K"])
        oneErrorLine(limited, status: 1, contains: ["LABELASSIGN_MAX_INPUT_BYTES"], "stdin limit")
    }

    @Test func iouReportsNaNByReferenceAndBoundsTheMatrix() throws {
        let a = try Hardening.temporaryFile("[[5, 5, 5, 5], [0, 0, 10, 10]]")
        let b = try Hardening.temporaryFile("[[5, 5, 5, 5], [1, 1, 1, 3], [2, 2, 8, 8]]")
        let nan = try Hardening.temporaryFile("[[0, 0, NaN, 10]]")
        defer { for p in [a, b, nan] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try HardeningCLI.run(["iou", a, b])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("[[null,null,0.0],"), "\(r.stdout)")
        #expect(r.stderr.contains("2 of 6 iou values are NaN"), "\(r.stderr)")
        let m = try HardeningCLI.run(["iou", a, b, "--convention", "mmdet"])
        #expect(m.status == 0 && m.stderr.isEmpty && !m.stdout.contains("null"), "\(m.stderr)")
        oneErrorLine(try HardeningCLI.run(["iou", nan, b]), status: 1, contains: ["not finite"], "NaN box")
        let limited = try HardeningCLI.run(["iou", a, b], environment: ["LABELASSIGN_MAX_BUFFER_BYTES": "16"])
        oneErrorLine(limited, status: 1, contains: ["LABELASSIGN_MAX_BUFFER_BYTES", "2 × 3"], "matrix limit")
        let help = try HardeningCLI.run(["iou", "--help"])
        #expect(help.stdout.contains("NaN by reference"))
    }

    @Test func problemFilesWithHostileIterations() throws {
        let p = try Hardening.temporaryFile(#"{"method": "sinkhorn-fixed", "a": [1], "b": [1], "M": [[1]], "reg": 0.1, "iters": 1e12}"#)
        defer { try? FileManager.default.removeItem(atPath: p) }
        oneErrorLine(try HardeningCLI.run(["ot", p]), status: 1, contains: ["iters", "100000"], "iters")
    }
}
