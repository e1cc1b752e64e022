import _LabelAssignKernels

/// The overlap measure computed by the geometry kernels.
public enum OverlapKind: Int32, Sendable, CaseIterable {
    case iou = 0, giou = 1, diou = 2, ciou = 3
    /// Intersection over the area of the first box (mmdet `iof`).
    case iof = 4

    /// The kind's name in scene tools and the C ABI: `iou`, `giou`, `diou`, `ciou`, `iof`.
    public var name: String { "\(self)" }

    /// The kind called `name`, or nil.
    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }
}

/// Whose arithmetic an overlap reproduces (docs/ASSIGNERS.md §C6). Each (convention, kind) is one pair
/// formula of `lak_pair_geometry.h`, the same function the assigners call.
public enum OverlapConvention: Int32, Sendable, CaseIterable {
    /// torchvision 0.29 `ops` (`box_iou`, `generalized_box_iou`, `distance_box_iou`,
    /// `complete_box_iou`): no eps in IoU / GIoU, eps 1e-7 in the DIoU / CIoU denominators.
    case torchvision = 0
    /// mmdet 3.3 `bbox_overlaps`: union and enclosing area floored at 1e-6. IoU, GIoU, IoF.
    case mmdet = 1
    /// YOLOX `bboxes_iou` on xyxy boxes: strict overlap test, no eps. IoU only.
    case yolox = 2
    /// ultralytics 8.4 `bbox_iou(xywh=False)`: `h = y2 − y1 + eps`, `union + eps`, eps 1e-7 in
    /// every denominator, CIoU `α = v / (1 − iou + v + eps)`. What ultralytics' `TaskAlignedAssigner`
    /// and `BboxLoss` compute, and what `iou.json`'s element-wise fixtures were produced with.
    case ultralytics = 3
    /// yolov5 7.0 `bbox_iou(xywh=False)`: `h = (y2 − y1).clamp(eps)`, `union + eps`, eps 1e-7,
    /// CIoU `α = v / (v − iou + (1 + eps))`. What YOLOv5's `ComputeLoss` computes.
    case yolov5 = 4

    /// The convention's name in scene tools and the C ABI: `torchvision`, `mmdet`, `yolox`,
    /// `ultralytics`, `yolov5`.
    public var name: String { "\(self)" }

    /// The convention called `name`, or nil.
    public init?(name: String) {
        guard let convention = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = convention
    }

    /// Whether the kernels implement `kind` under this convention.
    public func supports(_ kind: OverlapKind) -> Bool {
        lak_overlap_supported(kind.rawValue, rawValue) != 0
    }
}

private func checkBoxes(_ boxes: [Float], _ field: String) throws {
    guard boxes.count % 4 == 0 else {
        throw LabelAssignError.invalidValue(field: field, index: nil, reason: "length \(boxes.count) is not a multiple of 4")
    }
}

/// Checks both box sets and that `convention` defines `kind`.
private func checkInputs(_ boxes1: [Float], _ boxes2: [Float], _ kind: OverlapKind, _ convention: OverlapConvention) throws {
    try checkBoxes(boxes1, "boxes1")
    try checkBoxes(boxes2, "boxes2")
    guard convention.supports(kind) else {
        throw LabelAssignError.invalidParameter(name: "kind", reason: "\(kind) is not defined under the \(convention) convention")
    }
}

/// `count` overlaps written by `kernel` from the base addresses of both box sets.
private func runKernel(_ boxes1: [Float], _ boxes2: [Float], count: Int,
                       _ kernel: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    if count == 0 { return out }
    boxes1.withUnsafeBufferPointer { a in
        boxes2.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in kernel(a.baseAddress, b.baseAddress, o.baseAddress) }
        }
    }
    return out
}

/// Pairwise overlaps of two box sets (`x1,y1,x2,y2` rows, stride 4).
/// Returns a row-major `count1 × count2` matrix: `out[i * count2 + j] = overlap(boxes1[i], boxes2[j])`.
public func pairwiseOverlap(_ boxes1: [Float], _ boxes2: [Float],
                            kind: OverlapKind = .iou,
                            convention: OverlapConvention = .torchvision) throws -> [Float] {
    try checkInputs(boxes1, boxes2, kind, convention)
    let n1 = boxes1.count / 4, n2 = boxes2.count / 4
    try ResourceLimits.checkBuffer("pairwise overlap matrix (boxes1 × boxes2)", counts: [n1, n2], of: Float.self)
    return runKernel(boxes1, boxes2, count: n1 * n2) { a, b, o in
        _ = lak_pairwise_overlap(a, Int64(n1), b, Int64(n2), kind.rawValue, convention.rawValue, o)
    }
}

/// Pairwise IoU (torchvision `box_iou` convention).
public func pairwiseIoU(_ boxes1: [Float], _ boxes2: [Float]) throws -> [Float] {
    try pairwiseOverlap(boxes1, boxes2, kind: .iou, convention: .torchvision)
}

/// Element-wise overlaps of two equally long box sets: `out[i] = overlap(boxes1[i], boxes2[i])`
/// (by default ultralytics 8.4 `bbox_iou`, the convention of element-wise box losses).
public func alignedOverlap(_ boxes1: [Float], _ boxes2: [Float],
                           kind: OverlapKind = .iou,
                           convention: OverlapConvention = .ultralytics) throws -> [Float] {
    try checkInputs(boxes1, boxes2, kind, convention)
    guard boxes1.count == boxes2.count else {
        throw LabelAssignError.shapeMismatch(field: "boxes2", expected: boxes1.count / 4, actual: boxes2.count / 4)
    }
    let n = boxes1.count / 4
    return runKernel(boxes1, boxes2, count: n) { a, b, o in
        _ = lak_aligned_overlap(a, b, Int64(n), kind.rawValue, convention.rawValue, o)
    }
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
                                        Int64(index1.count), kind.rawValue, convention.rawValue,
                                        o.baseAddress)
            }
        }
    }
    return out
}
