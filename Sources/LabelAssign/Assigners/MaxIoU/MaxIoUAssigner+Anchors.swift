import _LabelAssignKernels

/// `MaxIoUAssigner.assign_wrt_overlaps` over a scene's explicit `anchors`, which follow no grid
/// (several boxes per location, any shapes): every object is scored against every anchor, one
/// object at a time, so the memory is `O(N)` and no `G × N` matrix is built.
extension MaxIoUAssigner {
    /// The IoU of object `m` with anchor `i` as mmdet's overlap matrix holds it: -1 for an
    /// ignored anchor, else `bbox_overlaps(gt, anchor)` (0 when they do not intersect).
    @inline(__always) static func anchorIoU(_ anchors: UnsafePointer<Float>, _ i: Int, object b: UnsafePointer<Float>,
                                            ignored: [Bool]) -> Float {
        if !ignored.isEmpty && ignored[i] { return -1 }
        return lak_iou_mmdet(b, anchors + 4 * i)
    }

    /// Stages 1 to 4 of `assignPriors` on explicit anchors: per anchor its largest IoU and first
    /// object (strict `>` in object order, as `max(dim=0)`), the thresholds (`lak_maxiou_split`),
    /// then the low-quality matches: every object in order whose best IoU is `>= minPosIoU`
    /// takes every anchor of exactly that IoU (the first one only without `gtMaxAssignAll`).
    func assignExplicitAnchors(_ s: Scene, ignored: [Bool]) -> Assignment {
        let cfg = configuration, n = s.priorCount, g = s.gtCount
        let anchors = s.anchorBoxes(scale: cfg.anchorScale)
        var maxIoU = [Float](repeating: -.infinity, count: n)
        var assigned = [Int32](repeating: 0, count: n)
        var gtMax = [Float](repeating: -.infinity, count: g)
        anchors.withUnsafeBufferPointer { a in
            s.gtBoxes.withUnsafeBufferPointer { gt in
                for m in 0..<g {
                    let b = gt.baseAddress! + 4 * m
                    for i in 0..<n {
                        let v = Self.anchorIoU(a.baseAddress!, i, object: b, ignored: ignored)
                        if v > maxIoU[i] { maxIoU[i] = v; assigned[i] = Int32(m) }
                        gtMax[m] = max(gtMax[m], v)
                    }
                }
                lak_maxiou_split(maxIoU, &assigned, Int64(n), cfg.negIoUThreshold, cfg.posIoUThreshold)
                guard cfg.matchLowQuality else { return }
                for m in 0..<g where gtMax[m] >= cfg.minPosIoU {
                    let b = gt.baseAddress! + 4 * m
                    for i in 0..<n where Self.anchorIoU(a.baseAddress!, i, object: b, ignored: ignored) == gtMax[m] {
                        assigned[i] = Int32(m)
                        if !cfg.gtMaxAssignAll { break }
                    }
                }
            }
        }
        return Assignment(assignedGT: assigned)
    }
}
