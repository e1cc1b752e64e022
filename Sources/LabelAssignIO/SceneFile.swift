import LabelAssign
import Foundation

/// Reads and writes scene files: one JSON object, a JSON-lines file (one scene a line), a
/// safetensors file (`.safetensors`, one scene: `SafetensorsScene`), or a directory of `.json` /
/// `.jsonl` / `.safetensors` files (read in name order). `-` is standard input (JSON).
///
/// Files are memory-mapped (`InputFile`), never copied whole, and must fit
/// `ResourceLimits.maxInputBytes`. The reader is strict JSON (`JSONReader`): syntax errors,
/// duplicate keys and values nested too deep are `malformedJSON` naming the byte offset and
/// the key path; a value of the wrong range is `invalidValue` naming the field and index.
public enum SceneFile {
    /// A scene with the keys the engine does not interpret (`expected`, `fragile`, `seed`, ...).
    public struct Entry: Sendable {
        public var scene: Scene
        public var extras: [String: JSONValue]
    }

    /// Reads every scene at `path` (file, JSON-lines file, directory, or `-` for standard input)
    /// and validates each one.
    public static func read(_ path: String) throws -> [Scene] {
        try readEntries(path, keepExtras: false).map(\.scene)
    }

    /// Reads scenes together with their uninterpreted keys (e.g. a fixture's `expected`).
    /// A directory without `.json` / `.jsonl` files is an error, as is a file without a scene.
    public static func readEntries(_ path: String, keepExtras: Bool = true) throws -> [Entry] {
        if path == InputFile.standardInput { return try readFile(path, keepExtras: keepExtras) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LabelAssignError.io("\(path): no such file or directory")
        }
        if isDir.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") || $0.hasSuffix(SafetensorsScene.fileExtension) }
                    .sorted()
            } catch {
                throw LabelAssignError.io("\(path): cannot list the directory")
            }
            guard !names.isEmpty else { throw LabelAssignError.io("\(path): no scene files (.json, .jsonl, .safetensors) in the directory") }
            var out: [Entry] = []
            for n in names { out += try readFile((path as NSString).appendingPathComponent(n), keepExtras: keepExtras) }
            return out
        }
        return try readFile(path, keepExtras: keepExtras)
    }

    /// Reads all bytes of a file (`-` = standard input), within `ResourceLimits.maxInputBytes`.
    public static func bytes(of path: String) throws -> [UInt8] {
        try InputFile.bytes(of: path)
    }

    static func readFile(_ path: String, keepExtras: Bool) throws -> [Entry] {
        let base = path == InputFile.standardInput ? "stdin" : ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            if path.hasSuffix(SafetensorsScene.fileExtension) {
                return try InputFile.withBytes(of: path) { [Entry(scene: try SafetensorsScene.parse($0, name: base), extras: [:])] }
            }
            return try InputFile.withBytes(of: path) { try parse($0, name: base, keepExtras: keepExtras) }
        } catch let e as LabelAssignError {
            if case let .io(message) = e, message.hasPrefix(path) { throw e }
            throw LabelAssignError.io("\(path == InputFile.standardInput ? "standard input" : path): \(e)")
        }
    }

    /// Parses one or more scene objects (concatenated or one a line) from bytes.
    public static func parse(_ data: [UInt8], name: String = "scene", keepExtras: Bool = true) throws -> [Entry] {
        try data.withUnsafeBufferPointer { try parse($0, name: name, keepExtras: keepExtras) }
    }

    /// Parses one or more scene objects (concatenated or one a line) from bytes.
    public static func parse(_ buf: UnsafeBufferPointer<UInt8>, name: String = "scene", keepExtras: Bool = true) throws -> [Entry] {
        var reader = JSONReader(buf)
        var out: [Entry] = []
        while !reader.atEnd {
            let label = out.isEmpty ? name : "\(name)#\(out.count)"
            do {
                out.append(try parseScene(&reader, name: label, keepExtras: keepExtras))
            } catch let e as LabelAssignError where out.count > 0 || !reader.atEnd {
                throw LabelAssignError.io("scene \(out.count) (\(label)): \(e)")
            }
        }
        if out.count == 1 { out[0].scene.name = name }
        if out.isEmpty { throw LabelAssignError.malformedJSON("no scene object found") }
        return out
    }

    /// The fields of one scene object as read, before conversion.
    struct RawScene {
        var image: [Double]?
        var strides: [Double]?
        /// `strides` correctly rounded to float32, as the prior stride columns are read.
        var stridesFloat: [Float] = []
        var numClasses: Double?
        var priors: [Float] = [], priorRows: Int?
        var gt: [Float] = []
        var labels: [Double]?
        var pred: [Float] = [], predRows: Int?
        var cls: [Float] = [], clsRows: Int?, clsWidth = 0
        var obj: [Float]?
        var ignore: [Float] = []
        var anchors: [Float]?
        var extras: [String: JSONValue] = [:]
        var name: String
    }

    static func parseScene(_ r: inout JSONReader, name: String, keepExtras: Bool) throws -> Entry {
        try r.expect(0x7B)
        var raw = RawScene(name: name)
        if !r.consume(0x7D) {
            var seen = Set<String>()
            repeat {
                let key = try r.readKey()
                guard seen.insert(key).inserted else { throw r.fail("duplicate key '\(key)'", at: r.keyOffset) }
                do {
                    try readField(key, &r, &raw, keepExtras: keepExtras)
                } catch {
                    throw r.annotate(error, .key(key))
                }
            } while r.consume(0x2C)
            guard r.consume(0x7D) else { throw r.fail("expected ',' or '}'\(r.found())") }
        }
        let scene = try convert(raw)
        try scene.validate()
        return Entry(scene: scene, extras: raw.extras)
    }

    /// Reads the value of one scene key into `raw`.
    static func readField(_ key: String, _ r: inout JSONReader, _ raw: inout RawScene, keepExtras: Bool) throws {
        switch key {
        case "image":
            raw.image = try r.readDoubleArray()
        case "strides":
            let start = r.pos
            raw.strides = try r.readDoubleArray()
            r.pos = start
            try r.readNumberArray(into: &raw.stridesFloat)
        case "num_classes":
            raw.numClasses = try r.readNumber()
        case "priors":
            raw.priorRows = try r.readMatrix(into: &raw.priors, width: 4, field: "priors").rows
        case "gt_bboxes":
            _ = try r.readMatrix(into: &raw.gt, width: 4, field: "gt_bboxes")
        case "gt_labels":
            raw.labels = try r.readDoubleArray()
        case "pred_bboxes":
            raw.predRows = try r.readMatrix(into: &raw.pred, width: 4, field: "pred_bboxes").rows
        case "cls_logits":
            let m = try r.readMatrix(into: &raw.cls, width: nil, field: "cls_logits")
            raw.clsRows = m.rows; raw.clsWidth = m.width
        case "obj_logits":
            if r.peek() == 0x6E { try r.skipValue() } else { var v: [Float] = []; try r.readNumberArray(into: &v); raw.obj = v }
        case "gt_ignore":
            if r.peek() == 0x6E { try r.skipValue() } else { _ = try r.readMatrix(into: &raw.ignore, width: 4, field: "gt_ignore") }
        case "anchors":
            if r.peek() == 0x6E { try r.skipValue() } else {
                var v: [Float] = []
                _ = try r.readMatrix(into: &v, width: 4, field: "anchors")
                raw.anchors = v
            }
        case "name":
            if r.peek() == 0x22 { raw.name = try r.readString() } else { try r.skipValue() }
        default:
            if keepExtras { raw.extras[key] = try r.readValue() } else { try r.skipValue() }
        }
    }

    /// The scene of the fields read: counts and whole numbers checked, ranges checked before any
    /// conversion to an integer.
    static func convert(_ raw: RawScene) throws -> Scene {
        guard let image = raw.image else { throw LabelAssignError.missingField("image") }
        guard image.count == 2 else { throw LabelAssignError.shapeMismatch(field: "image", expected: 2, actual: image.count) }
        guard let strides = raw.strides else { throw LabelAssignError.missingField("strides") }
        guard let numClasses = raw.numClasses else { throw LabelAssignError.missingField("num_classes") }
        guard raw.priorRows != nil else { throw LabelAssignError.missingField("priors") }
        guard let labels = raw.labels else { throw LabelAssignError.missingField("gt_labels") }
        guard raw.predRows != nil else { throw LabelAssignError.missingField("pred_bboxes") }
        guard let clsRows = raw.clsRows else { throw LabelAssignError.missingField("cls_logits") }
        let sides = try image.enumerated().map { i, v in
            try wholeNumber(v, field: "image", index: i, limit: Scene.Limits.maxImageSide, what: i == 0 ? "width" : "height")
        }
        let floatStrides = try strides.enumerated().map { i, s in
            try stride(s, rounded: raw.stridesFloat[i], index: i)
        }
        let c = try wholeNumber(numClasses, field: "num_classes", index: nil, limit: Scene.Limits.maxCount, what: "class count")
        guard c > 0 else { throw LabelAssignError.invalidValue(field: "num_classes", index: nil, reason: "must be positive, got \(c)") }
        let intLabels = try labels.enumerated().map { i, l -> Int32 in
            guard l.isFinite, l == l.rounded() else {
                throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "\(l) is not a whole number")
            }
            guard l >= 0, l < Double(c) else {
                throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "class \(describeWhole(l)) outside [0, \(c))")
            }
            return Int32(l)
        }
        if clsRows > 0 && raw.clsWidth != c {
            throw LabelAssignError.invalidValue(field: "cls_logits", index: 0, reason: "row has \(raw.clsWidth) values, expected num_classes = \(c)")
        }
        return Scene(name: raw.name, imageWidth: sides[0], imageHeight: sides[1], strides: floatStrides,
                     numClasses: c, priors: raw.priors, gtBoxes: raw.gt, gtLabels: intLabels, predBoxes: raw.pred,
                     clsLogits: raw.cls, objLogits: raw.obj, gtIgnore: raw.ignore, anchors: raw.anchors)
    }

    /// `v` as an `Int` when it is a whole number in `[1, limit]` (image sides, strides, the class
    /// count), checked before the conversion.
    static func wholeNumber(_ v: Double, field: String, index: Int?, limit: Int, what: String) throws -> Int {
        guard v.isFinite, v == v.rounded() else {
            throw LabelAssignError.invalidValue(field: field, index: index, reason: "\(what) \(v) is not a whole number")
        }
        guard v >= 1 else {
            throw LabelAssignError.invalidValue(field: field, index: index, reason: "\(what) must be positive, got \(describeWhole(v))")
        }
        guard v <= Double(limit) else {
            throw LabelAssignError.invalidValue(field: field, index: index, reason: "\(what) \(describeWhole(v)) is above the limit of \(limit)")
        }
        return Int(v)
    }

    /// A stride: a positive number at most `Scene.Limits.maxStride`, range-checked in float64 (so
    /// 16777217 is not rounded to a valid value); its value is `rounded`, the number read correctly
    /// rounded to float32 as the prior stride columns are. It need not be whole.
    static func stride(_ v: Double, rounded: Float, index: Int) throws -> Float {
        guard v.isFinite else { throw LabelAssignError.invalidValue(field: "strides", index: index, reason: "stride \(v) is not finite") }
        guard v > 0 else {
            throw LabelAssignError.invalidValue(field: "strides", index: index, reason: "stride must be positive, got \(describeWhole(v))")
        }
        guard v <= Double(Scene.Limits.maxStride) else {
            throw LabelAssignError.invalidValue(field: "strides", index: index,
                                                reason: "stride \(describeWhole(v)) is above the limit of \(Scene.Limits.maxStride)")
        }
        return rounded
    }

    /// A whole number as digits when it fits an `Int64` ("2147483647", not "2147483647.0").
    static func describeWhole(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 9.2e18 { return String(Int64(v)) }
        return "\(v)"
    }

    // MARK: writing

    /// The scene as one JSON object (no newlines), in the fixture format. Floats are written
    /// as the shortest decimal of their exact float64 value, so they read back bit for bit.
    public static func json(_ scene: Scene) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("name"); w.string(scene.name)
        w.key("image"); w.ints([scene.imageWidth, scene.imageHeight])
        w.key("strides"); w.wholeAsIntegers(scene.strides)
        w.key("num_classes"); w.int(scene.numClasses)
        w.key("priors"); w.exactRows(scene.priors, width: 4)
        w.key("gt_bboxes"); w.exactRows(scene.gtBoxes, width: 4)
        w.key("gt_labels"); w.ints(scene.gtLabels.map(Int.init))
        w.key("pred_bboxes"); w.exactRows(scene.predBoxes, width: 4)
        w.key("cls_logits"); w.exactRows(scene.clsLogits, width: scene.numClasses)
        if let obj = scene.objLogits { w.key("obj_logits"); w.exactFloats(obj) }
        if !scene.gtIgnore.isEmpty { w.key("gt_ignore"); w.exactRows(scene.gtIgnore, width: 4) }
        if let anchors = scene.anchors { w.key("anchors"); w.exactRows(anchors, width: 4) }
        w.endObject()
        return w.text
    }

    /// Writes scenes to `path`: one scene as a JSON file, several as JSON lines.
    public static func write(_ scenes: [Scene], to path: String) throws {
        var text = scenes.map(json).joined(separator: "\n")
        text += "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw LabelAssignError.io("\(path): cannot write file")
        }
    }
}
