import _LabelAssignKernels

/// How a prior is tested against a scene's ignore regions (`gt_ignore`, e.g. crowd boxes).
public enum IgnoreRule: Sendable, Equatable {
    /// The prior point `(cx, cy)` lies strictly inside an ignore box (`x1 < cx < x2`, `y1 < cy < y2`).
    /// For point-prior assigners (ultralytics TAL).
    case pointInside
    /// mmdet's rule for anchor boxes: the prior's anchor (the scene's `anchors` row, else the
    /// square of side `scale · stride` centred on the prior: `Scene.anchorBoxes`) has `max over ignore boxes of IoF(anchor, ignore) > threshold` (IoF = intersection
    /// over the anchor's area, floored at 1e-6: `bbox_overlaps(mode='iof')`, `lak_iof_mmdet`; the
    /// comparison is strict as in mmdet's `ignore_max_overlaps > ignore_iof_thr`). A threshold
    /// <= 0 disables the rule, as mmdet's `ignore_iof_thr = -1` does.
    case anchorIoF(scale: Float, threshold: Float)
}

/// Marks priors covered by ignore regions. Assigners call `mask` and then either keep those
/// priors out of the assignment (mmdet ATSS / MaxIoU apply it before assigning) or `apply` it
/// afterwards (background priors become `-2`, ignored).
public enum IgnoreRegions {
    /// Per prior: whether `rule` marks it as ignored. All `false` when the scene has no ignore boxes.
    public static func mask(scene: Scene, rule: IgnoreRule) -> [Bool] {
        let n = scene.priorCount, k = scene.ignoreCount
        var out = [Bool](repeating: false, count: n)
        if k == 0 || n == 0 { return out }
        let p = scene.priors, ig = scene.gtIgnore
        switch rule {
        case .pointInside:
            for i in 0..<n {
                let cx = p[4 * i], cy = p[4 * i + 1]
                for j in 0..<k where cx > ig[4 * j] && cx < ig[4 * j + 2] && cy > ig[4 * j + 1] && cy < ig[4 * j + 3] {
                    out[i] = true
                    break
                }
            }
        case let .anchorIoF(scale, threshold):
            if !(threshold > 0) { return out }
            let anchors = scene.anchorBoxes(scale: scale)
            anchors.withUnsafeBufferPointer { a in
                ig.withUnsafeBufferPointer { ig in
                    for i in 0..<n {
                        var best: Float = -.infinity
                        for j in 0..<k { best = max(best, lak_iof_mmdet(a.baseAddress! + 4 * i, ig.baseAddress! + 4 * j)) }
                        out[i] = best > threshold
                    }
                }
            }
        }
        return out
    }

    /// Marks every background prior (`-1`) of `assignment` that `ignored` flags as `-2`.
    /// Positives keep their object and targets.
    public static func apply(_ ignored: [Bool], to assignment: inout Assignment) throws {
        guard ignored.count == assignment.assignedGT.count else {
            throw LabelAssignError.shapeMismatch(field: "ignored", expected: assignment.assignedGT.count, actual: ignored.count)
        }
        for i in 0..<ignored.count where ignored[i] && assignment.assignedGT[i] == -1 {
            assignment.assignedGT[i] = -2
        }
    }

    /// Runs `assign` on `scene`, then marks its background priors that `rule` flags as ignored
    /// (`-2`). For strategies whose reference has no ignore regions: positives stay positive.
    public static func afterAssignment(_ scene: Scene, rule: IgnoreRule,
                                       _ assign: (Scene) throws -> Assignment) throws -> Assignment {
        var result = try assign(scene)
        try apply(scene: scene, rule: rule, to: &result)
        return result
    }

    /// `mask` then `apply`.
    public static func apply(scene: Scene, rule: IgnoreRule, to assignment: inout Assignment) throws {
        if scene.ignoreCount == 0 { return }
        try apply(mask(scene: scene, rule: rule), to: &assignment)
    }
}
