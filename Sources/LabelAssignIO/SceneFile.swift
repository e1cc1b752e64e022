import LabelAssign
import Foundation

/// Reads and writes scene files: one JSON object, a JSON-lines file (one scene a line),
/// or a directory of `.json` / `.jsonl` files (read in name order).
public enum SceneFile {
    /// A scene with the keys the engine does not interpret (`expected`, `fragile`, `seed`, ...).
    public struct Entry: Sendable {
        public var scene: Scene
        public var extras: [String: JSONValue]
    }

    /// Reads every scene at `path` (file, JSON-lines file or directory) and validates each one.
    public static func read(_ path: String) throws -> [Scene] {
        try readEntries(path, keepExtras: false).map(\.scene)
    }

    /// Reads scenes together with their uninterpreted keys (e.g. a fixture's `expected`).
    public static func readEntries(_ path: String, keepExtras: Bool = true) throws -> [Entry] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LabelAssignError.io("\(path): no such file or directory")
        }
        if isDir.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
                .sorted()
            var out: [Entry] = []
            for n in names { out += try readFile((path as NSString).appendingPathComponent(n), keepExtras: keepExtras) }
            return out
        }
        return try readFile(path, keepExtras: keepExtras)
    }

    /// Reads all bytes of a file.
    public static func bytes(of path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabelAssignError.io("\(path): cannot read file")
        }
        return [UInt8](data)
    }

    static func readFile(_ path: String, keepExtras: Bool) throws -> [Entry] {
        let data = try bytes(of: path)
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            return try parse(data, name: base, keepExtras: keepExtras)
        } catch let e as LabelAssignError {
            throw LabelAssignError.io("\(path): \(e)")
        }
    }

    /// Parses one or more scene objects (concatenated or one a line) from bytes.
    public static func parse(_ data: [UInt8], name: String = "scene", keepExtras: Bool = true) throws -> [Entry] {
        try data.withUnsafeBufferPointer { buf in
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
    }

    static func parseScene(_ r: inout JSONReader, name: String, keepExtras: Bool) throws -> Entry {
        try r.expect(0x7B)
        var image: [Float]?
        var strides: [Float]?
        var numClasses: Double?
        var priors: [Float] = [], priorRows: Int?
        var gt: [Float] = [], gtRows = 0
        var labels: [Float]?
        var pred: [Float] = [], predRows: Int?
        var cls: [Float] = [], clsRows: Int?, clsWidth = 0
        var obj: [Float]?
        var ignore: [Float] = []
        var extras: [String: JSONValue] = [:]
        var sceneName = name
        if !r.consume(0x7D) {
            repeat {
                let key = try r.readString()
                try r.expect(0x3A)
                switch key {
                case "image":
                    var v: [Float] = []; try r.readNumberArray(into: &v); image = v
                case "strides":
                    var v: [Float] = []; try r.readNumberArray(into: &v); strides = v
                case "num_classes":
                    numClasses = try r.readNumber()
                case "priors":
                    priorRows = try r.readMatrix(into: &priors, width: 4, field: "priors").rows
                case "gt_bboxes":
                    gtRows = try r.readMatrix(into: &gt, width: 4, field: "gt_bboxes").rows
                case "gt_labels":
                    var v: [Float] = []; try r.readNumberArray(into: &v); labels = v
                case "pred_bboxes":
                    predRows = try r.readMatrix(into: &pred, width: 4, field: "pred_bboxes").rows
                case "cls_logits":
                    let m = try r.readMatrix(into: &cls, width: nil, field: "cls_logits")
                    clsRows = m.rows; clsWidth = m.width
                case "obj_logits":
                    if r.peek() == 0x6E { _ = try r.readValue() } else { var v: [Float] = []; try r.readNumberArray(into: &v); obj = v }
                case "gt_ignore":
                    if r.peek() == 0x6E { _ = try r.readValue() } else { _ = try r.readMatrix(into: &ignore, width: 4, field: "gt_ignore") }
                case "name":
                    if case let .string(s) = try r.readValue() { sceneName = s }
                default:
                    if keepExtras { extras[key] = try r.readValue() } else { try r.skipValue() }
                }
            } while r.consume(0x2C)
            try r.expect(0x7D)
        }
        guard let image else { throw LabelAssignError.missingField("image") }
        guard image.count == 2 else { throw LabelAssignError.shapeMismatch(field: "image", expected: 2, actual: image.count) }
        guard let strides else { throw LabelAssignError.missingField("strides") }
        guard let numClasses else { throw LabelAssignError.missingField("num_classes") }
        guard priorRows != nil else { throw LabelAssignError.missingField("priors") }
        guard let labels else { throw LabelAssignError.missingField("gt_labels") }
        guard predRows != nil else { throw LabelAssignError.missingField("pred_bboxes") }
        guard let clsRows else { throw LabelAssignError.missingField("cls_logits") }
        let intStrides = try strides.enumerated().map { i, s -> Int in
            guard s.isFinite, s == s.rounded() else { throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "\(s) is not a whole number") }
            return Int(s)
        }
        for (i, v) in image.enumerated() where !(v.isFinite && v == v.rounded()) {
            throw LabelAssignError.invalidValue(field: "image", index: i, reason: "\(v) is not a whole number")
        }
        guard numClasses.isFinite, numClasses == numClasses.rounded(), abs(numClasses) < 1e9 else {
            throw LabelAssignError.invalidValue(field: "num_classes", index: nil, reason: "\(numClasses) is not a whole number")
        }
        let c = Int(numClasses)
        let intLabels = try labels.enumerated().map { i, l -> Int32 in
            guard l.isFinite, l == l.rounded(), abs(l) < 1e9 else {
                throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "\(l) is not a class id")
            }
            return Int32(l)
        }
        if clsRows > 0 && clsWidth != c {
            throw LabelAssignError.invalidValue(field: "cls_logits", index: 0, reason: "row has \(clsWidth) values, expected num_classes = \(c)")
        }
        _ = gtRows
        let scene = Scene(name: sceneName, imageWidth: Int(image[0]), imageHeight: Int(image[1]), strides: intStrides,
                          numClasses: c, priors: priors, gtBoxes: gt, gtLabels: intLabels, predBoxes: pred,
                          clsLogits: cls, objLogits: obj, gtIgnore: ignore)
        try scene.validate()
        return Entry(scene: scene, extras: extras)
    }

    // MARK: writing

    /// The scene as one JSON object (no newlines), in the fixture format. Floats are written
    /// as the shortest decimal of their exact float64 value, so they read back bit for bit.
    public static func json(_ scene: Scene) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("name"); w.string(scene.name)
        w.key("image"); w.ints([scene.imageWidth, scene.imageHeight])
        w.key("strides"); w.ints(scene.strides)
        w.key("num_classes"); w.int(scene.numClasses)
        w.key("priors"); w.exactRows(scene.priors, width: 4)
        w.key("gt_bboxes"); w.exactRows(scene.gtBoxes, width: 4)
        w.key("gt_labels"); w.ints(scene.gtLabels.map(Int.init))
        w.key("pred_bboxes"); w.exactRows(scene.predBoxes, width: 4)
        w.key("cls_logits"); w.exactRows(scene.clsLogits, width: scene.numClasses)
        if let obj = scene.objLogits { w.key("obj_logits"); w.exactFloats(obj) }
        if !scene.gtIgnore.isEmpty { w.key("gt_ignore"); w.exactRows(scene.gtIgnore, width: 4) }
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
