import LabelAssign
import LabelAssignIO
import Foundation

/// How dataset images are brought to the detector's input size.
public enum ImageFit: Sendable, Equatable {
    /// Scale by `r = min(width / w, height / h)` and pad equally on both sides to `width × height`
    /// (the YOLOv5/YOLOX letterbox, centred): `x' = x·r + (width − round(w·r)) / 2`, same for y.
    case letterbox(width: Int, height: Int)
    /// Keep every image at its own size (priors are built on it; sizes may differ between images).
    case keep

    /// The workloads' 640×640 input.
    public static let standard = ImageFit.letterbox(width: 640, height: 640)

    /// Maps boxes of a `w × h` image; returns the new size.
    func apply(_ boxes: inout [Float], _ ignore: inout [Float], width w: Int, height h: Int) -> (Int, Int) {
        switch self {
        case .keep:
            return (w, h)
        case let .letterbox(tw, th):
            let r = min(Double(tw) / Double(w), Double(th) / Double(h))
            let padX = (Double(tw) - (Double(w) * r).rounded()) / 2
            let padY = (Double(th) - (Double(h) * r).rounded()) / 2
            func map(_ v: inout [Float]) {
                for i in stride(from: 0, to: v.count, by: 2) {
                    v[i] = Float(Double(v[i]) * r + padX)
                    v[i + 1] = Float(Double(v[i + 1]) * r + padY)
                }
            }
            map(&boxes); map(&ignore)
            return (tw, th)
        }
    }
}

/// Ground truth read from a dataset, with predictions simulated around the objects
/// (`PredictionSimulator`, the same quality knob as the built-in workloads).
public struct GroundTruthSource: SceneSource {
    public let images: [GroundTruth]
    public let simulator: PredictionSimulator
    public let label: String

    public init(images: [GroundTruth], simulator: PredictionSimulator, label: String) {
        self.images = images
        self.simulator = simulator
        self.label = label
    }

    public var count: Int { images.count }
    public func scene(at index: Int) throws -> Scene { try simulator.scene(images[index], index: index) }
}

/// Readers of dataset annotations as scene sources.
public enum DatasetSources {
    /// COCO `instances_*.json`: images in file order; `bbox` `[x, y, w, h]` becomes `x1, y1, x2, y2`
    /// clipped to the image; `iscrowd: 1` boxes become `gt_ignore` regions; `category_id`s map to
    /// contiguous class indices in increasing id order (from `categories`, or from the annotations when
    /// that list is absent). Images are letterboxed to 640×640 by default (`fit`), or kept at their size.
    ///
    /// The file is memory-mapped and read in one streaming pass (segmentations are skipped, never
    /// materialised); only compact per-image box arrays are kept. Errors name the array and index
    /// (`annotations[i]`, `images[i]`).
    public static func coco(path: String, fit: ImageFit = .standard, maxImages: Int? = nil,
                            strides: [Int] = [8, 16, 32], quality: Double = 0.7, seed: UInt64 = 0) throws -> GroundTruthSource {
        let parsed: CocoParse
        do {
            parsed = try InputFile.withBytes(of: path) { try parseCoco($0) }
        } catch let e as LabelAssignError {
            if case let .io(message) = e, message.hasPrefix(path) { throw e }
            throw LabelAssignError.io("\(path): \(e)")
        }
        // Category ids to contiguous classes.
        var catIds = parsed.categoryIds
        if catIds.isEmpty { catIds = Array(Set(parsed.annCategory)) }
        catIds = Array(Set(catIds)).sorted()
        var classOf: [Int64: Int32] = [:]
        for (i, c) in catIds.enumerated() { classOf[c] = Int32(i) }
        var imageIndex: [Int64: Int] = [:]
        for (i, id) in parsed.imageIds.enumerated() {
            if imageIndex[id] != nil { throw LabelAssignError.invalidValue(field: "images", index: i, reason: "duplicate id \(id)") }
            imageIndex[id] = i
        }
        let limit = min(parsed.imageIds.count, maxImages ?? Int.max)
        var boxes = [[Float]](repeating: [], count: limit)
        var labels = [[Int32]](repeating: [], count: limit)
        var ignore = [[Float]](repeating: [], count: limit)
        for a in 0..<parsed.annImage.count {
            guard let im = imageIndex[parsed.annImage[a]] else {
                throw LabelAssignError.invalidValue(field: "annotations", index: a, reason: "image_id \(parsed.annImage[a]) is not in images")
            }
            guard let cls = classOf[parsed.annCategory[a]] else {
                throw LabelAssignError.invalidValue(field: "annotations", index: a, reason: "category_id \(parsed.annCategory[a]) is not in categories")
            }
            guard im < limit else { continue }
            let x = parsed.annBox[4 * a], y = parsed.annBox[4 * a + 1], w = parsed.annBox[4 * a + 2], h = parsed.annBox[4 * a + 3]
            let W = Float(parsed.imageWidth[im]), H = Float(parsed.imageHeight[im])
            let box: [Float] = [min(max(x, 0), W), min(max(y, 0), H), min(max(x + w, 0), W), min(max(y + h, 0), H)]
            if parsed.annCrowd[a] { ignore[im] += box } else { boxes[im] += box; labels[im].append(cls) }
        }
        var images: [GroundTruth] = []
        images.reserveCapacity(limit)
        for i in 0..<limit {
            var b = boxes[i], ig = ignore[i]
            let (w, h) = fit.apply(&b, &ig, width: parsed.imageWidth[i], height: parsed.imageHeight[i])
            images.append(GroundTruth(name: parsed.imageNames[i], imageWidth: w, imageHeight: h, boxes: b,
                                      labels: labels[i], ignore: ig))
        }
        let sim = try PredictionSimulator(strides: strides, numClasses: max(catIds.count, 1), quality: quality, seed: seed)
        return GroundTruthSource(images: images, simulator: sim, label: "COCO \(path), \(limit) images, \(catIds.count) classes, quality \(quality)")
    }

    struct CocoParse {
        var imageIds: [Int64] = [], imageWidth: [Int] = [], imageHeight: [Int] = [], imageNames: [String] = []
        var annImage: [Int64] = [], annCategory: [Int64] = [], annBox: [Float] = [], annCrowd: [Bool] = []
        var categoryIds: [Int64] = []
    }

    /// `v` as an integer: whole, and of magnitude below 2^53 (ids) or at most `limit`.
    static func wholeNumber(_ v: Double, _ field: String, _ index: Int, _ key: String, limit: Double = 9e15) throws -> Int64 {
        guard v.isFinite, v == v.rounded() else {
            throw LabelAssignError.invalidValue(field: field, index: index, reason: "\(key) \(v) is not a whole number")
        }
        guard abs(v) <= limit else {
            let shown = abs(v) < 9.2e18 ? String(Int64(v)) : "\(v)"
            throw LabelAssignError.invalidValue(field: field, index: index, reason: "\(key) \(shown) is above the limit of \(Int64(limit))")
        }
        return Int64(v)
    }

    /// An image side: whole, within `Scene.Limits.maxImageSide`.
    static func imageSide(_ v: Double, _ index: Int, _ key: String) throws -> Int {
        Int(try wholeNumber(v, "images", index, key, limit: Double(Scene.Limits.maxImageSide)))
    }

    static func parseCoco(_ bytes: UnsafeBufferPointer<UInt8>) throws -> CocoParse {
        var r = JSONReader(bytes)
        var out = CocoParse()
        try r.expect(0x7B)
        if r.consume(0x7D) { throw LabelAssignError.missingField("images") }
        var sawImages = false, sawAnnotations = false
        var seen = Set<String>()
        repeat {
            let key = try r.readKey()
            guard seen.insert(key).inserted else { throw r.fail("duplicate key '\(key)'", at: r.keyOffset) }
            do {
                try parseCocoSection(key, &r, &out, sawImages: &sawImages, sawAnnotations: &sawAnnotations)
            } catch {
                throw r.annotate(error, .key(key))
            }
        } while r.consume(0x2C)
        guard r.consume(0x7D) else { throw r.fail("expected ',' or '}'") }
        guard sawImages else { throw LabelAssignError.missingField("images") }
        guard sawAnnotations else { throw LabelAssignError.missingField("annotations") }
        return out
    }

    /// One top-level section of a COCO file (`images`, `annotations`, `categories`; others skipped).
    static func parseCocoSection(_ key: String, _ r: inout JSONReader, _ out: inout CocoParse,
                                 sawImages: inout Bool, sawAnnotations: inout Bool) throws {
        switch key {
        case "images":
            sawImages = true
            try eachObject(&r) { r, i in
                var id: Int64?, w: Int?, h: Int?, name: String?
                try eachKey(&r) { r, k in
                    switch k {
                    case "id": id = try wholeNumber(r.readNumber(), "images", i, "id")
                    case "width": w = try imageSide(r.readNumber(), i, "width")
                    case "height": h = try imageSide(r.readNumber(), i, "height")
                    case "file_name": name = try r.readString()
                    default: try r.skipValue()
                    }
                }
                guard let id else { throw LabelAssignError.invalidValue(field: "images", index: i, reason: "missing id") }
                guard let w, let h, w > 0, h > 0 else {
                    throw LabelAssignError.invalidValue(field: "images", index: i, reason: "width and height must be positive")
                }
                out.imageIds.append(id); out.imageWidth.append(w); out.imageHeight.append(h)
                out.imageNames.append(name ?? "image-\(id)")
            }
        case "annotations":
            sawAnnotations = true
            try eachObject(&r) { r, i in
                var image: Int64?, cat: Int64?, crowd = false
                var box: [Float] = []
                try eachKey(&r) { r, k in
                    switch k {
                    case "image_id": image = try wholeNumber(r.readNumber(), "annotations", i, "image_id")
                    case "category_id": cat = try wholeNumber(r.readNumber(), "annotations", i, "category_id")
                    case "bbox": try r.readNumberArray(into: &box)
                    case "iscrowd": crowd = try r.readNumber() != 0
                    default: try r.skipValue()
                    }
                }
                guard let image else { throw LabelAssignError.invalidValue(field: "annotations", index: i, reason: "missing image_id") }
                guard let cat else { throw LabelAssignError.invalidValue(field: "annotations", index: i, reason: "missing category_id") }
                guard box.count == 4 else { throw LabelAssignError.invalidValue(field: "annotations", index: i, reason: "bbox needs 4 values, got \(box.count)") }
                guard box.allSatisfy(\.isFinite) else { throw LabelAssignError.invalidValue(field: "annotations", index: i, reason: "bbox is not finite") }
                guard box[2] >= 0, box[3] >= 0 else { throw LabelAssignError.invalidValue(field: "annotations", index: i, reason: "bbox width and height must not be negative") }
                out.annImage.append(image); out.annCategory.append(cat); out.annBox += box; out.annCrowd.append(crowd)
            }
        case "categories":
            try eachObject(&r) { r, i in
                var id: Int64?
                try eachKey(&r) { r, k in
                    if k == "id" { id = try wholeNumber(r.readNumber(), "categories", i, "id") } else { try r.skipValue() }
                }
                guard let id else { throw LabelAssignError.invalidValue(field: "categories", index: i, reason: "missing id") }
                out.categoryIds.append(id)
            }
        default:
            try r.skipValue()
        }
    }

    /// Calls `body` for each element of an array of objects (the reader sits on the element).
    static func eachObject(_ r: inout JSONReader, _ body: (inout JSONReader, Int) throws -> Void) throws {
        try r.expect(0x5B)
        if r.consume(0x5D) { return }
        var i = 0
        do {
            repeat { try body(&r, i); i += 1 } while r.consume(0x2C)
        } catch {
            throw r.annotate(error, .index(i))
        }
        guard r.consume(0x5D) else { throw r.annotate(r.fail("expected ',' or ']'"), .index(i - 1)) }
    }

    /// Calls `body` with each key of an object; `body` must consume the value. A repeated key
    /// is an error.
    static func eachKey(_ r: inout JSONReader, _ body: (inout JSONReader, String) throws -> Void) throws {
        try r.expect(0x7B)
        if r.consume(0x7D) { return }
        var keys: [String] = []
        repeat {
            let k = try r.readKey()
            guard !keys.contains(k) else { throw r.fail("duplicate key '\(k)'", at: r.keyOffset) }
            keys.append(k)
            do { try body(&r, k) } catch { throw r.annotate(error, .key(k)) }
        } while r.consume(0x2C)
        guard r.consume(0x7D) else { throw r.fail("expected ',' or '}'") }
    }

    /// YOLO label files: a directory of `.txt` files (name order; `classes.txt` is skipped), one object
    /// a line as `class cx cy w h` normalised to `[0, 1]` by the image size `width × height` (the same
    /// for every file). Blank lines are skipped; boxes are clipped to the image. `numClasses` defaults
    /// to the largest class id + 1. Images are letterboxed to 640×640 by default (`fit`).
    /// Errors name the file and line (`file.txt`, line index from 0).
    public static func yolo(directory: String, width: Int, height: Int, numClasses: Int? = nil, fit: ImageFit = .standard,
                            maxImages: Int? = nil, strides: [Int] = [8, 16, 32], quality: Double = 0.7,
                            seed: UInt64 = 0) throws -> GroundTruthSource {
        let side = Scene.Limits.maxImageSide
        guard width > 0, height > 0, width <= side, height <= side else {
            throw LabelAssignError.invalidParameter(name: "image-size", reason: "width and height must lie in [1, \(side)], got \(width),\(height)")
        }
        if let n = numClasses, n < 1 || n > Scene.Limits.maxCount {
            throw LabelAssignError.invalidParameter(name: "num-classes", reason: "must lie in [1, \(Scene.Limits.maxCount)], got \(n)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw LabelAssignError.io("\(directory): not a directory")
        }
        var names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".txt") && $0 != "classes.txt" }.sorted()
        } catch {
            throw LabelAssignError.io("\(directory): cannot list the directory")
        }
        guard !names.isEmpty else { throw LabelAssignError.io("\(directory): no label files (.txt) in the directory") }
        if let m = maxImages { names = Array(names.prefix(max(m, 0))) }
        var images: [GroundTruth] = []
        var maxClass: Int32 = -1
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            let text = try InputFile.withBytes(of: path) { String(decoding: $0, as: UTF8.self) }
            var boxes: [Float] = [], labels: [Int32] = []
            for (lineNo, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if fields.isEmpty { continue }
                guard fields.count == 5 else {
                    throw LabelAssignError.invalidValue(field: name, index: lineNo, reason: "expected 5 values (class cx cy w h), got \(fields.count)")
                }
                let v = fields.map { Double($0) }
                guard v.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                    throw LabelAssignError.invalidValue(field: name, index: lineNo, reason: "not a number")
                }
                let c = v[0]!, cx = v[1]!, cy = v[2]!, w = v[3]!, h = v[4]!
                guard c >= 0, c == c.rounded(), c < 1e6 else { throw LabelAssignError.invalidValue(field: name, index: lineNo, reason: "class \(c) is not a class id") }
                if let n = numClasses, Int(c) >= n {
                    throw LabelAssignError.invalidValue(field: name, index: lineNo, reason: "class \(Int(c)) outside [0, \(n))")
                }
                guard w >= 0, h >= 0 else { throw LabelAssignError.invalidValue(field: name, index: lineNo, reason: "negative width or height") }
                let W = Double(width), H = Double(height)
                let x1 = min(max((cx - w / 2) * W, 0), W), x2 = min(max((cx + w / 2) * W, 0), W)
                let y1 = min(max((cy - h / 2) * H, 0), H), y2 = min(max((cy + h / 2) * H, 0), H)
                boxes += [Float(x1), Float(y1), Float(x2), Float(y2)]
                labels.append(Int32(c))
                maxClass = max(maxClass, Int32(c))
            }
            var ignore: [Float] = []
            let (w, h) = fit.apply(&boxes, &ignore, width: width, height: height)
            images.append(GroundTruth(name: (name as NSString).deletingPathExtension, imageWidth: w, imageHeight: h,
                                      boxes: boxes, labels: labels))
        }
        let classes = numClasses ?? Int(maxClass + 1)
        let sim = try PredictionSimulator(strides: strides, numClasses: max(classes, 1), quality: quality, seed: seed)
        return GroundTruthSource(images: images, simulator: sim, label: "YOLO labels \(directory), \(images.count) images, \(max(classes, 1)) classes, quality \(quality)")
    }
}
