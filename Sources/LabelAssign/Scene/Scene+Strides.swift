/// Strides as numbers: a stride names a level (its priors carry it in their stride columns) and
/// need not be a whole number where nothing lays a grid of `W / s` cells. Explicit anchors, point
/// priors and the anchor-based assigners take any stride; the regular-grid fast paths
/// (`PriorLevelGrid`, max-IoU's grid scan) scan a level of a fractional stride prior by prior,
/// which gives the same priors; YOLOv5's `build_targets`, whose grid is the feature map itself,
/// requires whole strides (`wholeStrides(for:)`).
extension Scene {
    /// A scene of whole strides (for example those of `PriorGrid.points`).
    public init(name: String = "scene", imageWidth: Int, imageHeight: Int, strides: [Int], numClasses: Int,
                priors: [Float], gtBoxes: [Float], gtLabels: [Int32], predBoxes: [Float], clsLogits: [Float],
                objLogits: [Float]? = nil, gtIgnore: [Float] = [], anchors: [Float]? = nil) {
        self.init(name: name, imageWidth: imageWidth, imageHeight: imageHeight, strides: strides.map(Float.init),
                  numClasses: numClasses, priors: priors, gtBoxes: gtBoxes, gtLabels: gtLabels, predBoxes: predBoxes,
                  clsLogits: clsLogits, objLogits: objLogits, gtIgnore: gtIgnore, anchors: anchors)
    }

    /// The stride of level `level` as an `Int` when it is a whole number, else nil. Requires a
    /// validated scene (strides within `Limits.maxStride`).
    public func wholeStride(level: Int) -> Int? {
        Scene.whole(strides[level])
    }

    /// Every stride as an `Int`, for a computation that needs the grid of `W / s` cells; a
    /// fractional stride is `invalidValue` on `strides[i]` naming `user` (e.g. "YOLOv5
    /// build_targets"). Requires a validated scene.
    public func wholeStrides(for user: String) throws -> [Int] {
        try strides.enumerated().map { i, s in
            guard let w = Scene.whole(s) else {
                throw LabelAssignError.invalidValue(field: "strides", index: i,
                                                    reason: "\(user) needs whole strides (its grid has width / stride cells), got \(s)")
            }
            return w
        }
    }

    /// `s` as an `Int` when it is a finite whole number within `Limits.maxStride`.
    static func whole(_ s: Float) -> Int? {
        guard s.isFinite, s == s.rounded(), abs(s) <= Float(Limits.maxStride) else { return nil }
        return Int(s)
    }

    /// A stride as written in messages: whole ones without a fraction ("8", "5.5").
    static func describe(_ s: Float) -> String {
        whole(s).map(String.init) ?? "\(s)"
    }

    /// Strides as written in messages: "[8, 16, 5.5]".
    static func describe(_ strides: [Float]) -> String {
        "[" + strides.map { describe($0) }.joined(separator: ", ") + "]"
    }
}
