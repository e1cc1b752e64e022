import Foundation
import LabelAssign
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

private let cocoText = """
{"info": {"year": 2017}, "licenses": [],
 "images": [{"id": 42, "file_name": "a.jpg", "width": 1280, "height": 960},
            {"id": 7, "file_name": "b.jpg", "width": 320, "height": 640},
            {"id": 9, "file_name": "c.jpg", "width": 640, "height": 640}],
 "annotations": [
   {"id": 1, "image_id": 42, "category_id": 3, "bbox": [100, 200, 300, 100], "area": 30000, "iscrowd": 0,
    "segmentation": [[100, 200, 400, 200, 400, 300]]},
   {"id": 2, "image_id": 7, "category_id": 90, "bbox": [10, 20, 30, 40], "iscrowd": 0, "segmentation": []},
   {"id": 3, "image_id": 42, "category_id": 1, "bbox": [1200, 900, 200, 200], "iscrowd": 1,
    "segmentation": {"counts": [1, 2, 3], "size": [960, 1280]}},
   {"id": 4, "image_id": 42, "category_id": 1, "bbox": [0, 0, 64, 32], "iscrowd": 0}
 ],
 "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}, {"id": 90, "name": "toothbrush"}]}
"""

@Suite struct DatasetSourceTests {
    @Test func cocoIsLetterboxedAndMapped() throws {
        let path = try TemporaryFiles.file(cocoText, prefix: "la-coco")
        defer { TemporaryFiles.remove(path) }
        let src = try DatasetSources.coco(path: path)
        #expect(src.count == 3)
        #expect(src.simulator.numClasses == 3)
        // Image 42: 1280×960 scaled by 0.5 to 640×480, padded 80 above and below.
        let a = src.images[0]
        #expect(a.name == "a.jpg" && a.imageWidth == 640 && a.imageHeight == 640)
        #expect(a.boxes == [50, 180, 200, 230, 0, 80, 32, 96])
        #expect(a.labels == [1, 0])
        // The crowd box, clipped to the image (1200..1280, 900..960), becomes an ignore region.
        #expect(a.ignore == [600, 530, 640, 560])
        // Image 7: 320×640 scaled by 1, padded 160 left and right; category 90 is class 2.
        let b = src.images[1]
        #expect(b.boxes == [170, 20, 200, 60] && b.labels == [2])
        #expect(src.images[2].count == 0)
        let s = try src.scene(at: 0)
        try s.validate()
        #expect(s.priorCount == 8400 && s.gtIgnore.count == 4 && s.objLogits != nil)
    }

    @Test func cocoCanKeepImageSizesAndLimitImages() throws {
        let path = try TemporaryFiles.file(cocoText, prefix: "la-coco")
        defer { TemporaryFiles.remove(path) }
        let src = try DatasetSources.coco(path: path, fit: .keep, maxImages: 2)
        #expect(src.count == 2)
        #expect(src.images[0].imageWidth == 1280 && src.images[0].boxes == [100, 200, 400, 300, 0, 0, 64, 32])
        let s = try src.scene(at: 1)
        #expect(s.imageWidth == 320 && s.imageHeight == 640 && s.priorCount == 40 * 80 + 20 * 40 + 10 * 20)
        let r = try compare(src, [CentreInsideAssigner()], options: .init(threads: 2))
        #expect(r.objects == 3 && r.images == 2)
    }

    @Test func badCocoInputNamesTheAnnotation() throws {
        let dir = try TemporaryFiles.directory(prefix: "la-data")
        defer { TemporaryFiles.remove(dir) }
        let cases: [(String, String)] = [
            (cocoText.replacingOccurrences(of: "[10, 20, 30, 40]", with: "[10, 20, -30, 40]"), "annotations[1]"),
            (cocoText.replacingOccurrences(of: "\"category_id\": 90", with: "\"category_id\": 91"), "annotations[1]"),
            (cocoText.replacingOccurrences(of: "\"image_id\": 7", with: "\"image_id\": 8"), "annotations[1]"),
            (cocoText.replacingOccurrences(of: "[10, 20, 30, 40]", with: "[10, 20, 30]"), "annotations[1]"),
            (cocoText.replacingOccurrences(of: "\"width\": 320", with: "\"width\": 0"), "images[1]"),
            ("{\"images\": []}", "annotations"),
            ("{\"images\": [", "malformed"),
        ]
        for (i, (text, needle)) in cases.enumerated() {
            let path = dir + "/bad\(i).json"
            try TemporaryFiles.write(text, to: path)
            do {
                _ = try DatasetSources.coco(path: path)
                Issue.record("case \(i) was accepted")
            } catch let e as LabelAssignError {
                #expect("\(e)".contains(needle), "case \(i): \(e)")
            }
        }
        #expect(throws: LabelAssignError.self) { try DatasetSources.coco(path: dir + "/missing.json") }
    }

    @Test func yoloLabelsAreDenormalised() throws {
        let dir = try TemporaryFiles.directory(prefix: "la-data")
        defer { TemporaryFiles.remove(dir) }
        try TemporaryFiles.write("0 0.5 0.5 0.25 0.5\n\n3 0.1 0.2 0.1 0.2\n", to: dir + "/img1.txt")
        try TemporaryFiles.write("", to: dir + "/img0.txt")
        try TemporaryFiles.write("person\ncar\n", to: dir + "/classes.txt")
        try TemporaryFiles.write("not a label file", to: dir + "/notes.md")
        let src = try DatasetSources.yolo(directory: dir, width: 800, height: 400, fit: .keep)
        #expect(src.count == 2)
        #expect(src.images[0].name == "img0" && src.images[0].count == 0)
        #expect(src.images[1].boxes == [300, 100, 500, 300, 40, 40, 120, 120])
        #expect(src.images[1].labels == [0, 3])
        #expect(src.simulator.numClasses == 4)
        // Letterboxed: 800×400 scaled by 0.8 to 640×320, padded 160 above.
        let boxed = try DatasetSources.yolo(directory: dir, width: 800, height: 400, numClasses: 80)
        #expect(boxed.images[1].boxes == [240, 240, 400, 400, 32, 192, 96, 256])
        #expect(boxed.simulator.numClasses == 80)
        try (try boxed.scene(at: 1)).validate()
    }

    @Test func badYoloLabelsNameFileAndLine() throws {
        let dir = try TemporaryFiles.directory(prefix: "la-data")
        defer { TemporaryFiles.remove(dir) }
        try TemporaryFiles.write("0 0.5 0.5 0.25 0.5\n1 0.5 0.5 0.25\n", to: dir + "/a.txt")
        #expect(throws: LabelAssignError.invalidValue(field: "a.txt", index: 1, reason: "expected 5 values (class cx cy w h), got 4")) {
            try DatasetSources.yolo(directory: dir, width: 64, height: 64)
        }
        try TemporaryFiles.write("0 0.5 0.5 -0.25 0.5\n", to: dir + "/a.txt")
        #expect(throws: LabelAssignError.self) { try DatasetSources.yolo(directory: dir, width: 64, height: 64) }
        try TemporaryFiles.write("5 0.5 0.5 0.25 0.5\n", to: dir + "/a.txt")
        #expect(throws: LabelAssignError.invalidValue(field: "a.txt", index: 0, reason: "class 5 outside [0, 3)")) {
            try DatasetSources.yolo(directory: dir, width: 64, height: 64, numClasses: 3)
        }
        try TemporaryFiles.write("x 0.5 0.5 0.25 0.5\n", to: dir + "/a.txt")
        #expect(throws: LabelAssignError.self) { try DatasetSources.yolo(directory: dir, width: 64, height: 64) }
        #expect(throws: LabelAssignError.self) { try DatasetSources.yolo(directory: dir, width: 0, height: 64) }
        #expect(throws: LabelAssignError.self) { try DatasetSources.yolo(directory: dir + "/nope", width: 64, height: 64) }
    }
}
