import LabelAssign
import Foundation

/// A scene as a safetensors file (`.safetensors`): the scene format's fields as tensors under
/// their JSON names, so a PyTorch trainer saves one with `safetensors.torch.save_file`.
///
/// | tensor | dtype | shape |
/// |---|---|---|
/// | `image` | I32 or I64 | [2]: width, height |
/// | `strides` | F32, I32 or I64 | [L] |
/// | `priors`, `pred_bboxes` | F32 | [N, 4] |
/// | `cls_logits` | F32 | [N, C]: C is `num_classes` |
/// | `gt_bboxes` | F32 | [G, 4] |
/// | `gt_labels` | I32 or I64 | [G] |
/// | `obj_logits` (optional) | F32 | [N] |
/// | `gt_ignore`, `anchors` (optional) | F32 | [K, 4], [N, 4] |
///
/// `__metadata__` may hold `num_classes` (a decimal string, which must equal C). Other tensors and
/// metadata are checked as the container requires and otherwise ignored. The scene is then
/// validated as a JSON scene is (`Scene.validate()`); its name is the file's base name.
public enum SafetensorsScene {
    /// The file name extension of safetensors scenes.
    public static let fileExtension = ".safetensors"

    /// The scene of a safetensors file's bytes.
    public static func parse(_ buf: UnsafeBufferPointer<UInt8>, name: String = "scene") throws -> Scene {
        let file = try SafetensorsFile(buf)
        func required(_ field: String, rank: Int, columns: Int? = nil) throws -> SafetensorsFile.Tensor {
            guard let t = try file.tensor(field, rank: rank, columns: columns) else { throw LabelAssignError.missingField(field) }
            return t
        }
        let sides = try imageSides(file.integers(required("image", rank: 1)))
        let strides = try strideValues(required("strides", rank: 1), file)
        let cls = try required("cls_logits", rank: 2)
        let c = cls.shape[1]
        if let given = file.metadata["num_classes"], Int(given) != c {
            throw LabelAssignError.invalidValue(field: "num_classes", index: nil,
                                                reason: "__metadata__ says \(given), cls_logits has \(c) columns")
        }
        let labels = try file.integers(required("gt_labels", rank: 1)).enumerated().map { i, l -> Int32 in
            guard l >= 0, l < Int64(c) else { throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "class \(l) outside [0, \(c))") }
            return Int32(l)
        }
        let optional = { (field: String, rank: Int, columns: Int?) throws -> [Float]? in
            try file.tensor(field, rank: rank, columns: columns).map { try file.floats($0) }
        }
        let scene = Scene(name: name, imageWidth: sides.0, imageHeight: sides.1, strides: strides, numClasses: c,
                          priors: try file.floats(required("priors", rank: 2, columns: 4)),
                          gtBoxes: try file.floats(required("gt_bboxes", rank: 2, columns: 4)), gtLabels: labels,
                          predBoxes: try file.floats(required("pred_bboxes", rank: 2, columns: 4)),
                          clsLogits: try file.floats(cls), objLogits: try optional("obj_logits", 1, nil),
                          gtIgnore: try optional("gt_ignore", 2, 4) ?? [], anchors: try optional("anchors", 2, 4))
        try scene.validate()
        return scene
    }

    /// `image`: width and height within `Scene.Limits.maxImageSide`, checked before conversion.
    static func imageSides(_ v: [Int64]) throws -> (Int, Int) {
        guard v.count == 2 else { throw LabelAssignError.shapeMismatch(field: "image", expected: 2, actual: v.count) }
        for (i, side) in v.enumerated() where side < 1 || side > Int64(Scene.Limits.maxImageSide) {
            throw LabelAssignError.invalidValue(field: "image", index: i,
                                                reason: "\(i == 0 ? "width" : "height") \(side) outside [1, \(Scene.Limits.maxImageSide)]")
        }
        return (Int(v[0]), Int(v[1]))
    }

    /// `strides`: F32 as they are; whole numbers range-checked before conversion.
    static func strideValues(_ t: SafetensorsFile.Tensor, _ file: SafetensorsFile) throws -> [Float] {
        if t.dtype == "F32" { return try file.floats(t) }
        return try file.integers(t).enumerated().map { i, s in
            guard s >= 1, s <= Int64(Scene.Limits.maxStride) else {
                throw LabelAssignError.invalidValue(field: "strides", index: i, reason: "stride \(s) outside [1, \(Scene.Limits.maxStride)]")
            }
            return Float(s)
        }
    }

    // MARK: writing

    /// The scene as safetensors bytes: `image` and `gt_labels` I64, everything else F32 (strides
    /// included), `num_classes` in `__metadata__`; tensors laid out contiguously in the order of
    /// the table, the header padded with spaces to a multiple of 8 bytes (as safetensors does).
    public static func bytes(_ scene: Scene) -> [UInt8] {
        var tensors: [(String, String, [Int], [UInt8])] = [
            ("image", "I64", [2], raw([Int64(scene.imageWidth), Int64(scene.imageHeight)])),
            ("strides", "F32", [scene.strides.count], raw(scene.strides)),
            ("priors", "F32", [scene.priorCount, 4], raw(scene.priors)),
            ("gt_bboxes", "F32", [scene.gtCount, 4], raw(scene.gtBoxes)),
            ("gt_labels", "I64", [scene.gtLabels.count], raw(scene.gtLabels.map(Int64.init))),
            ("pred_bboxes", "F32", [scene.predBoxes.count / 4, 4], raw(scene.predBoxes)),
            ("cls_logits", "F32", [scene.clsLogits.count / max(scene.numClasses, 1), scene.numClasses], raw(scene.clsLogits)),
        ]
        if let obj = scene.objLogits { tensors.append(("obj_logits", "F32", [obj.count], raw(obj))) }
        if !scene.gtIgnore.isEmpty { tensors.append(("gt_ignore", "F32", [scene.ignoreCount, 4], raw(scene.gtIgnore))) }
        if let anchors = scene.anchors { tensors.append(("anchors", "F32", [anchors.count / 4, 4], raw(anchors))) }
        var w = JSONWriter()
        w.beginObject()
        w.key("__metadata__"); w.beginObject(); w.key("num_classes"); w.string(String(scene.numClasses)); w.endObject()
        var offset = 0
        for (name, dtype, shape, bytes) in tensors {
            w.key(name); w.beginObject()
            w.key("dtype"); w.string(dtype)
            w.key("shape"); w.ints(shape)
            w.key("data_offsets"); w.ints([offset, offset + bytes.count])
            w.endObject()
            offset += bytes.count
        }
        w.endObject()
        var header = Array(w.text.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        out.reserveCapacity(8 + header.count + offset)
        out += header
        for t in tensors { out += t.3 }
        return out
    }

    /// Little-endian bytes of `values`.
    static func raw<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.map(\.littleEndian).withUnsafeBytes { Array($0) }
    }

    static func raw(_ values: [Float]) -> [UInt8] {
        raw(values.map(\.bitPattern))
    }

    /// Writes `scene` to `path` as a safetensors file.
    public static func write(_ scene: Scene, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes(scene))) else {
            throw LabelAssignError.io("\(path): cannot write file")
        }
    }
}
