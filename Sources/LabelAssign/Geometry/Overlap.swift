import _LabelAssignKernels

/// The overlap measure computed by the geometry kernels.
public enum OverlapKind: Int32, Sendable, CaseIterable {
    case iou = 0, giou = 1, diou = 2, ciou = 3
    /// Intersection over the area of the first box (mmdet `iof`).
    case iof = 4
}

/// Whose arithmetic an overlap reproduces (ASSIGNERS.md §C6).
public enum OverlapConvention: Int32, Sendable, CaseIterable {
    /// torchvision.ops (`box_iou`, `generalized_box_iou`, `distance_box_iou`, `complete_box_iou`).
    case torchvision = 0
    /// mmdet `bbox_overlaps`: union and enclosing area floored at 1e-6. IoU, GIoU, IoF.
    case mmdet = 1
    /// YOLOX `bboxes_iou` on xyxy boxes: strict overlap test, no eps. IoU only.
    case yolox = 2
    /// ultralytics / yolov5 `bbox_iou` (xyxy): eps 1e-7, `h + eps`.
    case ultralytics = 3

    /// Whether the kernels implement `kind` under this convention.
    public func supports(_ kind: OverlapKind) -> Bool {
        switch self {
        case .torchvision, .ultralytics: return kind != .iof
        case .mmdet: return kind == .iou || kind == .giou || kind == .iof
        case .yolox: return kind == .iou
        }
    }
}

private func checkBoxes(_ boxes: [Float], _ field: String) throws {
    guard boxes.count % 4 == 0 else {
        throw LabelAssignError.invalidValue(field: field, index: nil, reason: "length \(boxes.count) is not a multiple of 4")
    }
}

private func checkSupport(_ kind: OverlapKind, _ convention: OverlapConvention) throws {
    guard convention.supports(kind) else {
        throw LabelAssignError.invalidParameter(name: "kind", reason: "\(kind) is not defined under the \(convention) convention")
    }
}

/// Pairwise overlaps of two box sets (`x1,y1,x2,y2` rows, stride 4).
/// Returns a row-major `count1 × count2` matrix: `out[i * count2 + j] = overlap(boxes1[i], boxes2[j])`.
public func pairwiseOverlap(_ boxes1: [Float], _ boxes2: [Float],
                            kind: OverlapKind = .iou,
                            convention: OverlapConvention = .torchvision) throws -> [Float] {
    try checkBoxes(boxes1, "boxes1")
    try checkBoxes(boxes2, "boxes2")
    try checkSupport(kind, convention)
    let n1 = boxes1.count / 4, n2 = boxes2.count / 4
    var out = [Float](repeating: 0, count: n1 * n2)
    if n1 == 0 || n2 == 0 { return out }
    boxes1.withUnsafeBufferPointer { a in
        boxes2.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                _ = lak_pairwise_overlap(a.baseAddress, Int64(n1), b.baseAddress, Int64(n2),
                                        Int32(kind.rawValue), Int32(convention.rawValue), o.baseAddress)
            }
        }
    }
    return out
}

/// Pairwise IoU (torchvision `box_iou` convention).
public func pairwiseIoU(_ boxes1: [Float], _ boxes2: [Float]) throws -> [Float] {
    try pairwiseOverlap(boxes1, boxes2, kind: .iou, convention: .torchvision)
}

/// Element-wise overlaps of two equally long box sets: `out[i] = overlap(boxes1[i], boxes2[i])`.
public func alignedOverlap(_ boxes1: [Float], _ boxes2: [Float],
                           kind: OverlapKind = .iou,
                           convention: OverlapConvention = .ultralytics) throws -> [Float] {
    try checkBoxes(boxes1, "boxes1")
    try checkBoxes(boxes2, "boxes2")
    try checkSupport(kind, convention)
    guard boxes1.count == boxes2.count else {
        throw LabelAssignError.shapeMismatch(field: "boxes2", expected: boxes1.count / 4, actual: boxes2.count / 4)
    }
    let n = boxes1.count / 4
    var out = [Float](repeating: 0, count: n)
    if n == 0 { return out }
    boxes1.withUnsafeBufferPointer { a in
        boxes2.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                _ = lak_aligned_overlap(a.baseAddress, b.baseAddress, Int64(n),
                                       Int32(kind.rawValue), Int32(convention.rawValue), o.baseAddress)
            }
        }
    }
    return out
}

/// Overlaps of selected pairs: `out[k] = overlap(boxes1[index1[k]], boxes2[index2[k]])`.
/// Indices must be valid box indices; used by assigners that score candidate pairs only.
public func gatheredOverlap(_ boxes1: UnsafeBufferPointer<Float>, _ index1: [Int32],
                            _ boxes2: UnsafeBufferPointer<Float>, _ index2: [Int32],
                            kind: OverlapKind, convention: OverlapConvention) -> [Float] {
    precondition(index1.count == index2.count && convention.supports(kind))
    var out = [Float](repeating: 0, count: index1.count)
    if index1.isEmpty { return out }
    index1.withUnsafeBufferPointer { i1 in
        index2.withUnsafeBufferPointer { i2 in
            out.withUnsafeMutableBufferPointer { o in
                _ = lak_gathered_overlap(boxes1.baseAddress, i1.baseAddress, boxes2.baseAddress, i2.baseAddress,
                                        Int64(index1.count), Int32(kind.rawValue), Int32(convention.rawValue),
                                        o.baseAddress)
            }
        }
    }
    return out
}
