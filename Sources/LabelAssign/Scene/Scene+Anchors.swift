/// Explicit anchor boxes (`anchors`, `N × 4`, `x1, y1, x2, y2`): one box per prior, aligned with
/// `priors` (several anchors per location are several priors at the same point, as mmdet's
/// `AnchorGenerator` lays out RetinaNet's 9 anchors per position: level by level, location by
/// location, the anchors of a location in order). The anchor-based assigners (ATSS, max-IoU,
/// mmdet's task-aligned) use them instead of squares of side `anchorScale · stride` around the
/// priors, for their overlaps, centres, level sizes and ignore regions; the point-based assigners
/// use the prior points and strides and leave them unread.
extension Scene {
    /// The anchor box of every prior: `anchors` when the scene has them, else the square of side
    /// `scale · stride` centred on each prior (`PriorGrid.anchorBoxes`).
    public func anchorBoxes(scale: Float) -> [Float] {
        anchors ?? PriorGrid.anchorBoxes(priors: priors, scale: scale)
    }

    /// Whether the scene carries explicit anchor boxes.
    public var hasAnchors: Bool { anchors != nil }

    /// `anchors`, when present: one row of 4 per prior, every coordinate finite and within
    /// `±Limits.maxCoordinate`, `x1 <= x2`, `y1 <= y2`.
    func checkAnchors() throws {
        guard let anchors else { return }
        guard anchors.count % 4 == 0 else {
            throw LabelAssignError.invalidValue(field: "anchors", index: nil, reason: "rows must have 4 values")
        }
        guard anchors.count == priors.count else {
            throw LabelAssignError.shapeMismatch(field: "anchors", expected: priorCount, actual: anchors.count / 4)
        }
        try Scene.checkBoxes(anchors, field: "anchors")
    }
}
