import LabelAssign

// la_overlap_matrix.

@_cdecl("la_overlap_matrix")
public func la_overlap_matrix(_ boxes1: UnsafePointer<Float>?, _ n1: Int64, _ boxes2: UnsafePointer<Float>?, _ n2: Int64,
                              _ kind: UnsafePointer<CChar>?, _ convention: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<Float>?,
                              _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    call(errorBuffer, errorCapacity) {
        let a = try elements(n1, 4, "n1"), b = try elements(n2, 4, "n2")
        let entries = try elements(n1, max(n2, 0), "n1 × n2")
        try ResourceLimits.checkBuffer("la_overlap_matrix matrix (n1 × n2)", count: entries, of: Float.self)
        let first = try copy(boxes1, a, "boxes1"), second = try copy(boxes2, b, "boxes2")
        // Every box checked as the iou command checks its files: finite, within ±2^24, x1 <= x2, y1 <= y2.
        try Scene.validateBoxes(first, field: "boxes1")
        try Scene.validateBoxes(second, field: "boxes2")
        guard let out else { throw Failure.argument("out is NULL") }
        let kindName = kind.map { String(cString: $0) } ?? "iou"
        guard let k = OverlapKind(name: kindName) else { throw Failure.argument("unknown kind '\(kindName)'; known: iou, giou, diou, ciou, iof") }
        let conventionName = convention.map { String(cString: $0) } ?? "torchvision"
        guard let c = OverlapConvention(name: conventionName) else {
            throw Failure.argument("unknown convention '\(conventionName)'; known: torchvision, mmdet, yolox, ultralytics, yolov5")
        }
        write(try pairwiseOverlap(first, second, kind: k, convention: c), to: out)
        return Code.ok
    }
}
