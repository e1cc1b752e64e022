/// Prior (anchor point / anchor box) layouts on a feature pyramid.
///
/// Priors are stored as rows `cx, cy, stride_x, stride_y` (stride 4), level by
/// level (finest stride first), row-major inside a level: index = y·W + x.
public enum PriorGrid {
    /// Point priors at `((j + offset)·s, (i + offset)·s)` for every level `s` in `strides`.
    /// A level has `width / s` columns and `height / s` rows (integer division), as the
    /// references build them. `offset` 0.5 gives cell centres, 0 the top-left corners.
    /// Sides and strides must lie within `Scene.Limits` (`invalidValue` otherwise), and the
    /// grid within `ResourceLimits.maxBufferBytes` (`resourceExhausted`), checked before anything
    /// is allocated.
    public static func points(width: Int, height: Int, strides: [Int], offset: Float = 0.5) throws -> [Float] {
        guard width > 0, height > 0 else {
            throw LabelAssignError.invalidValue(field: "image", index: nil, reason: "width and height must be positive")
        }
        guard width <= Scene.Limits.maxImageSide, height <= Scene.Limits.maxImageSide else {
            throw LabelAssignError.invalidValue(field: "image", index: nil,
                                                reason: "\(width)x\(height) is above the limit of \(Scene.Limits.maxImageSide) (2^24) a side")
        }
        guard offset.isFinite, abs(offset) <= 1 else {
            throw LabelAssignError.invalidParameter(name: "offset", reason: "must lie in [-1, 1], got \(offset)")
        }
        for (i, s) in strides.enumerated() where s <= 0 || s > Scene.Limits.maxStride {
            throw LabelAssignError.invalidValue(field: "strides", index: i, reason: s <= 0 ? "stride must be positive" : "stride \(s) is above the limit of \(Scene.Limits.maxStride)")
        }
        // Each level holds at most 2^48 cells; the sum over at most `strides.count` levels is checked.
        var cells = 0
        for s in strides {
            let (sum, overflow) = cells.addingReportingOverflow((width / s) * (height / s))
            cells = overflow ? Int.max : sum
        }
        try ResourceLimits.checkBuffer("prior grid of a \(width)x\(height) image (priors × 4)", counts: [cells, 4], of: Float.self)
        var out: [Float] = []
        out.reserveCapacity(cells * 4)
        for s in strides {
            let fs = Float(s)
            for y in 0..<(height / s) {
                for x in 0..<(width / s) {
                    out.append((Float(x) + offset) * fs)
                    out.append((Float(y) + offset) * fs)
                    out.append(fs)
                    out.append(fs)
                }
            }
        }
        return out
    }

    /// Number of priors per level for a `width × height` image: `(width / s)·(height / s)`
    /// (0 for a non-positive stride, `Int.max` where the product overflows).
    public static func levelCounts(width: Int, height: Int, strides: [Int]) -> [Int] {
        strides.map { s in
            guard s > 0 else { return 0 }
            let (p, overflow) = (width / s).multipliedReportingOverflow(by: height / s)
            return overflow ? Int.max : p
        }
    }

    /// Square anchor boxes centred on the priors, side `scale · stride_x` (width) and
    /// `scale · stride_y` (height), as mmdet's TOOD/ATSS (scale 8) and RetinaNet (scale 4)
    /// heads use them. The half side is computed first and subtracted/added, as the
    /// fixtures' harness does.
    public static func anchorBoxes(priors: [Float], scale: Float) -> [Float] {
        let n = priors.count / 4
        var out = [Float](repeating: 0, count: n * 4)
        for i in 0..<n {
            let cx = priors[4 * i], cy = priors[4 * i + 1]
            let halfX = priors[4 * i + 2] * scale / 2
            let halfY = priors[4 * i + 3] * scale / 2
            out[4 * i] = cx - halfX
            out[4 * i + 1] = cy - halfY
            out[4 * i + 2] = cx + halfX
            out[4 * i + 3] = cy + halfY
        }
        return out
    }
}

/// YOLOv5 anchor sets, in pixels, per level: `[w0, h0, w1, h1, w2, h2]`.
public enum YOLOv5Anchors {
    /// The default COCO anchors of yolov5s/m/l/x (P3/8, P4/16, P5/32).
    public static let coco: [[Float]] = [
        [10, 13, 16, 30, 33, 23],
        [30, 61, 62, 45, 59, 119],
        [116, 90, 156, 198, 373, 326],
    ]
}
