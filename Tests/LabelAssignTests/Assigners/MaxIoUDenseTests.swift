import LabelAssign
import LabelAssignTestSupport
import Testing

/// mmdet `MaxIoUAssigner.assign_wrt_overlaps` on the full `G × N` IoU matrix, written as directly
/// as possible, to check the sparse assigner on scenes the fixtures do not cover (ties, objects
/// outside the image, zero-area objects, ignore regions, levels that are not regular grids).
private func denseMaxIoU(_ s: Scene, _ cfg: MaxIoUAssigner.Configuration) -> [Int32] {
    let n = s.priorCount, g = s.gtCount
    if g == 0 { return [Int32](repeating: -1, count: n) }
    let anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: cfg.anchorScale)
    let ignored = IgnoreRegions.mask(scene: s, rule: .anchorIoF(scale: cfg.anchorScale, threshold: cfg.ignoreIoFThreshold))
    var iou = [[Float]](repeating: [Float](repeating: 0, count: n), count: g)
    for m in 0..<g {
        let b = Array(s.gtBoxes[(4 * m)..<(4 * m + 4)])
        for i in 0..<n {
            if ignored[i] { iou[m][i] = -1; continue }
            let a = Array(anchors[(4 * i)..<(4 * i + 4)])
            let area1 = (b[2] - b[0]) * (b[3] - b[1])
            let area2 = (a[2] - a[0]) * (a[3] - a[1])
            let w = max(min(b[2], a[2]) - max(b[0], a[0]), 0)
            let h = max(min(b[3], a[3]) - max(b[1], a[1]), 0)
            let overlap = w * h
            iou[m][i] = overlap / max(area1 + area2 - overlap, 1e-6)
        }
    }
    var assigned = [Int32](repeating: -2, count: n)
    for i in 0..<n {
        var best = iou[0][i], arg = 0
        for m in 1..<g where iou[m][i] > best { best = iou[m][i]; arg = m }
        if best >= cfg.negIoULower && best < cfg.negIoUThreshold { assigned[i] = -1 }
        if best >= cfg.posIoUThreshold { assigned[i] = Int32(arg) }
    }
    if cfg.matchLowQuality {
        for m in 0..<g {
            let top = iou[m].max()!
            guard top >= cfg.minPosIoU else { continue }
            for i in 0..<n where iou[m][i] == top {
                assigned[i] = Int32(m)
                if !cfg.gtMaxAssignAll { break }
            }
        }
    }
    return assigned
}

/// A random box on a half-pixel lattice (so that many IoUs tie), possibly partly outside the
/// image; `degenerate` gives it zero width or height.
private func randomBox(_ r: inout SplitMix64, width: Int, height: Int, degenerate: Bool = false) -> [Float] {
    let x1 = Float(r.below(2 * width + 40) - 40) / 2, y1 = Float(r.below(2 * height + 40) - 40) / 2
    let w = Float(1 + r.below(2 * width)) / 2, h = Float(1 + r.below(2 * height)) / 2
    if degenerate { return r.below(2) == 0 ? [x1, y1, x1, y1 + h] : [x1, y1, x1 + w, y1] }
    return [x1, y1, x1 + w, y1 + h]
}

@Suite struct MaxIoUDenseTests {
    @Test func randomScenesMatchTheDenseAlgorithm() throws {
        var r = SplitMix64(state: 20_240_611)
        let configs: [MaxIoUAssigner.Configuration] = [
            .maxiou,
            changed(.maxiou) { $0.ignoreIoFThreshold = 0.5 },
            changed(.maxiou) { $0.negIoULower = 0.1; $0.ignoreIoFThreshold = 0.5 },
            changed(.maxiou) { $0.negIoULower = -1; $0.ignoreIoFThreshold = 0.3 },
            changed(.maxiou) { $0.gtMaxAssignAll = false },
            changed(.maxiou) { $0.minPosIoU = 0.3 },
            changed(.maxiou) { $0.matchLowQuality = false },
            changed(.maxiou) { $0.anchorScale = 8; $0.posIoUThreshold = 0.4; $0.negIoUThreshold = 0.4 },
        ]
        for trial in 0..<120 {
            let width = 32 * (1 + r.below(4)) + (trial % 3 == 0 ? 8 : 0)
            let height = 32 * (1 + r.below(4))
            let strides = trial % 5 == 0 ? [8] : [8, 16, 32]
            let g = r.below(trial % 4 == 0 ? 3 : 12)
            var gt: [Float] = []
            for _ in 0..<g { gt += randomBox(&r, width: width, height: height) }
            // Now and then a zero-area object (it overlaps no anchor, so its best IoU is 0).
            if g >= 1 && r.below(8) == 0 {
                gt.replaceSubrange(0..<4, with: randomBox(&r, width: width, height: height, degenerate: true))
            }
            // Copies of one box: equal IoUs across objects.
            if g >= 2 && r.below(3) == 0 { gt.replaceSubrange(4..<8, with: gt[0..<4]) }
            var ignore: [Float] = []
            if r.below(3) == 0 { for _ in 0..<(1 + r.below(2)) { ignore += randomBox(&r, width: width, height: height) } }
            var scene = SceneBuilder.wideBoxes(width: width, height: height, strides: strides)
                .objects(gt, labels: [Int32](repeating: 0, count: g))
                .ignore(ignore)
                .scene
            // Every fourth scene: an image size that does not match the priors (no regular grid).
            if trial % 4 == 1 { scene.imageWidth += 16 }
            let cfg = configs[trial % configs.count]
            let got = try MaxIoUAssigner(cfg).assign(scene).assignedGT
            let want = denseMaxIoU(scene, cfg)
            let diff = (0..<want.count).first { got[$0] != want[$0] }
            #expect(diff == nil, "trial \(trial): prior \(diff ?? -1): \(diff.map { got[$0] } ?? 0) != \(diff.map { want[$0] } ?? 0)")
        }
    }

    /// The benchmark-sized scene shape (640 × 640, three levels) with many objects.
    @Test func largeSceneMatchesTheDenseAlgorithm() throws {
        var r = SplitMix64(state: 7)
        var gt: [Float] = []
        for _ in 0..<40 { gt += randomBox(&r, width: 320, height: 320) }
        let scene = SceneBuilder.wideBoxes(width: 320, height: 320, strides: [8, 16, 32])
            .objects(gt, labels: [Int32](repeating: 1, count: 40))
            .ignore([100, 100, 180, 160])
            .scene
        for cfg in [MaxIoUAssigner.Configuration.maxiou, changed(.maxiou) { $0.ignoreIoFThreshold = 0.5 }] {
            #expect(try MaxIoUAssigner(cfg).assign(scene).assignedGT == denseMaxIoU(scene, cfg))
        }
    }
}
