import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import Testing

/// The dataset readers against hostile annotations: typed errors naming the record, limits
/// checked before anything is built.
@Suite struct HardeningDatasetTests {
    func coco(_ images: String, _ annotations: String = #"[{"image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 20]}]"#,
              extra: String = "") throws -> String? {
        let text = #"{"images": \#(images), "annotations": \#(annotations), "categories": [{"id": 3}]\#(extra)}"#
        let path = try Hardening.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return Hardening.error { _ = try DatasetSources.coco(path: path, fit: .keep) }
    }

    @Test func cocoImageSizesAreRangeChecked() throws {
        #expect(try coco(#"[{"id": 1, "width": 640, "height": 480}]"#) == nil)
        for (size, reason) in [("1e19", "limit"), ("9223372036854775807", "limit"), ("16777217", "16777217"), ("640.5", "whole")] {
            let e = try #require(try coco(#"[{"id": 1, "width": \#(size), "height": 480}]"#), "\(size)")
            #expect(e.contains("images[0]") && e.contains(reason), "\(e)")
        }
    }

    @Test func cocoDuplicateKeysAndPaths() throws {
        let dup = try #require(try coco(#"[{"id": 1, "width": 640, "width": 480, "height": 480}]"#))
        #expect(dup.contains("duplicate key 'width'") && dup.contains("images[0]"), "\(dup)")
        let top = try #require(try coco(#"[{"id": 1, "width": 640, "height": 480}]"#, extra: #", "images": []"#))
        #expect(top.contains("duplicate key 'images'"), "\(top)")
        let syntax = try #require(try coco(#"[{"id": 1, "width": 640, "height": 480}]"#,
                                           #"[{"image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 0x20]}]"#))
        #expect(syntax.contains("annotations[0].bbox[3]"), "\(syntax)")
        let deep = try #require(try coco(#"[{"id": 1, "width": 640, "height": 480, "x": "# + String(repeating: "[", count: 10_000)
                                         + String(repeating: "]", count: 10_000) + "}]"))
        #expect(deep.contains("nesting deeper"), "\(deep)")
    }

    @Test func yoloArgumentsAreBounded() throws {
        let dir = try Hardening.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Hardening.error { _ = try DatasetSources.yolo(directory: dir, width: 640, height: 640) }?.contains("no label files") == true)
        try Data("0 0.5 0.5 0.2 0.2\n".utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent("a.txt"))
        for (w, h) in [(Int.max, 640), (640, 0), (1 << 24 + 1, 8)] {
            #expect(Hardening.error { _ = try DatasetSources.yolo(directory: dir, width: w, height: h) }?.contains("image-size") == true)
        }
        #expect(Hardening.error { _ = try DatasetSources.yolo(directory: dir, width: 640, height: 640, numClasses: Int.max) }?.contains("num-classes") == true)
        // A kept size whose grid passes the buffer limit fails when the scene is built, typed.
        let src = try DatasetSources.yolo(directory: dir, width: 1 << 24, height: 1 << 24, fit: .keep)
        let e = Hardening.typedError { _ = try src.scene(at: 0) }
        guard case .resourceExhausted? = e else { Issue.record("expected resourceExhausted, got \(String(describing: e))"); return }
    }

    @Test func simulatedLogitsAreBounded() throws {
        let gt = GroundTruth(name: "g", imageWidth: 64, imageHeight: 64, boxes: [1, 1, 9, 9], labels: [0])
        let sim = try PredictionSimulator(numClasses: 1 << 30, quality: 0.5, seed: 0)
        let e = Hardening.typedError { _ = try sim.scene(gt, index: 0) }
        guard case .resourceExhausted? = e else { Issue.record("expected resourceExhausted, got \(String(describing: e))"); return }
        #expect(Hardening.typedError { _ = try PredictionSimulator(numClasses: Int.max, quality: 0.5, seed: 0) } != nil)
    }

    @Test func comparisonsBoundTheirImages() throws {
        let huge = try WorkloadSource(.coco, images: Int.max)
        let e = Hardening.typedError { _ = try Comparison.run(source: huge, assigners: []) }
        guard case .resourceExhausted(_, _, _, let setting)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(setting == ResourceLimits.imagesVariable)
        let none = try WorkloadSource(.coco, images: 0)
        #expect(Hardening.typedError { _ = try Comparison.run(source: none, assigners: []) } != nil)
    }
}
