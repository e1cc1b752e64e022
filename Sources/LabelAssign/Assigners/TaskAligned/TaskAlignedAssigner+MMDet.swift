import _LabelAssignKernels
import Foundation

/// mmdet 3.3 `TaskAlignedAssigner.assign` (`task_aligned_assigner.py`), stage by stage, one
/// object at a time: `bbox_overlaps` (non-zero entries only) → alignment metric → top-k
/// candidates (`topKByAlignment`) → in-gt test and `T > 0` → highest-IoU conflict resolution →
/// `assign_metrics`.
extension TaskAlignedAssigner {
    /// Scratch of the per-object stages, in `Workspace` buffers: the predicted box columns and
    /// one object's overlap row restricted to the `count` predictions that intersect it
    /// (`hits`, increasing, with their IoUs in `iou`).
    struct OverlapRow {
        let x1, y1, x2, y2: UnsafeMutableBufferPointer<Float>
        let hits: UnsafeMutableBufferPointer<Int32>
        let iou, scratch: UnsafeMutableBufferPointer<Float>
        var count = 0

        init(_ s: Scene, workspace: Workspace) {
            let n = s.priorCount
            x1 = workspace.uninitialisedBuffer(n, of: Float.self); y1 = workspace.uninitialisedBuffer(n, of: Float.self)
            x2 = workspace.uninitialisedBuffer(n, of: Float.self); y2 = workspace.uninitialisedBuffer(n, of: Float.self)
            for i in 0..<n {
                x1[i] = s.predBoxes[4 * i]; y1[i] = s.predBoxes[4 * i + 1]
                x2[i] = s.predBoxes[4 * i + 2]; y2[i] = s.predBoxes[4 * i + 3]
            }
            hits = workspace.buffer(n, Int32(0))
            iou = workspace.buffer(n, Float(0))
            scratch = workspace.buffer(n, Float(0))
        }

        /// `bbox_overlaps(pred, gt)` (plain IoU, mmdet arithmetic) of one object, non-zero entries.
        mutating func overlaps(_ b: UnsafePointer<Float>) {
            count = Int(lak_scan_mmdet_iou(x1.baseAddress, y1.baseAddress, x2.baseAddress, y2.baseAddress, Int64(x1.count),
                                           b[0], b[1], b[2], b[3], hits.baseAddress, iou.baseAddress))
        }
    }

    /// The alignment metric `sigmoid(cls[label])^α · IoU^β` of one object's overlap row.
    struct Alignment {
        let cls: UnsafeBufferPointer<Float>
        let classes, label: Int
        let alpha, beta: Double
        /// `cls` holds probabilities (`scores_are_probabilities`): no sigmoid.
        var probabilities = false

        /// The metric of the row's `j`-th hit.
        @inline(__always) func callAsFunction(_ j: Int, _ row: OverlapRow) -> Float {
            let value = cls[Int(row.hits[j]) * classes + label]
            let score = probabilities ? value : torchSigmoid(value)
            return torchPow(score, alpha) * torchPow(row.iou[j], beta)
        }
    }

    /// Per prior: the object it goes to (-1 none), the IoU of that pair and its `assign_metrics`.
    struct MMDetOwners {
        var owner: [Int32], iou: [Float], metric: [Float]
    }

    /// `TaskAlignedAssigner.assign`; no objects → all background with zero `assign_metrics`.
    func assignMMDet(_ prepared: PreparedScene) -> Assignment {
        let s = prepared.scene, n = s.priorCount
        var owners = MMDetOwners(owner: [Int32](repeating: -1, count: n), iou: [Float](repeating: 0, count: n),
                                 metric: [Float](repeating: 0, count: n))
        if s.gtCount == 0 { return Assignment(assignedGT: owners.owner, quality: QualityTarget(.assignMetrics, owners.metric)) }
        let anchors = s.anchorBoxes(scale: configuration.anchorScale)
        Workspace.run { workspace in
            var row = OverlapRow(s, workspace: workspace)
            var topK = TopKScratch()
            s.clsLogits.withUnsafeBufferPointer { cls in
                s.gtBoxes.withUnsafeBufferPointer { gt in
                    for m in 0..<s.gtCount {
                        let b = gt.baseAddress! + 4 * m
                        row.overlaps(b)
                        let alignment = Alignment(cls: cls, classes: s.numClasses, label: Int(s.gtLabels[m]),
                                                  alpha: configuration.alpha, beta: configuration.beta,
                                                  probabilities: configuration.scoresAreProbabilities)
                        topKByAlignment(row, alignment, priorCount: n, scratch: &topK)
                        assignInGTCandidates(topK.chosen, object: b, index: m, row: row, anchors: anchors, owners: &owners)
                    }
                }
            }
        }
        return Assignment(assignedGT: owners.owner, quality: QualityTarget(.assignMetrics, owners.metric))
    }

    /// Reused arrays of `topKByAlignment`; `chosen` is its result: the picked hits (position in
    /// the overlap row) with their metrics.
    struct TopKScratch {
        var entries: [TorchTopK.Element] = []
        var probe: [Float] = []
        var chosen: [(j: Int, t: Float)] = []
    }

    /// The pruning bound of `topKByAlignment`: a metric `τ` that at least `k` hits reach, as an
    /// IoU floor `τ^(1/β) · (1 − 1e-3)`; -1 (no pruning) when the row has at most `k` hits or
    /// `τ` is 0. `τ` is the `k`-th largest metric among the `4k` hits of largest IoU (all hits
    /// reaching the `4k`-th largest IoU).
    func alignmentBound(_ row: OverlapRow, _ alignment: Alignment, k: Int, probe: inout [Float]) -> Float {
        guard row.count > k else { return -1 }
        let size = min(4 * k, row.count)
        let floor = lak_kth_largest(row.iou.baseAddress, Int64(row.count), Int64(size), row.scratch.baseAddress)
        probe.removeAll(keepingCapacity: true)
        for j in 0..<row.count where row.iou[j] >= floor { probe.append(alignment(j, row)) }
        probe.sort(by: >)
        let tau = probe[k - 1]
        return tau > 0 ? Float(Foundation.pow(Double(tau), 1 / configuration.beta)) * (1 - 1e-3) : -1
    }

    /// mmdet's `alignment_metrics.topk(self.topk, dim=0)` over all priors (non-hits have IoU 0
    /// and so metric 0), returned as the picked hits in `scratch.chosen`.
    ///
    /// Why scoring only the hits with IoU >= `alignmentBound` returns what full scoring would:
    /// sigmoid scores are at most 1 and α >= 0, so `T = s^α · IoU^β <= IoU^β`. At least `k` hits
    /// have `T >= τ`, so the `k`-th largest metric of the row is `>= τ`. A hit with
    /// `IoU < τ^(1/β)` has `T <= IoU^β < τ` and ranks strictly below `k` others: it is never
    /// picked. The factor `1 − 1e-3` keeps hits whose bound is within float rounding of `pow`
    /// and the root. Among the scored hits the picks are the `k` largest (metric, then lower
    /// prior), which is PyTorch's choice unless the `k`-th and `k+1`-th metrics tie; then every
    /// hit is scored and `TorchTopK` reproduces the reference's tie order. The order of the picks
    /// does not matter: `assignInGTCandidates` sees each prior once per object.
    func topKByAlignment(_ row: OverlapRow, _ alignment: Alignment, priorCount n: Int, scratch: inout TopKScratch) {
        let k = min(configuration.topk, n), hitCount = row.count
        let threshold = alignmentBound(row, alignment, k: k, probe: &scratch.probe)
        scratch.entries.removeAll(keepingCapacity: true)
        scratch.chosen.removeAll(keepingCapacity: true)
        for j in 0..<hitCount where row.iou[j] >= threshold {
            scratch.entries.append(TorchTopK.Element(value: alignment(j, row), index: Int32(j)))
        }
        if scratch.entries.count < hitCount {
            scratch.entries.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
            if scratch.entries.count > k && scratch.entries[k].value == scratch.entries[k - 1].value {
                // A tie at the boundary: score every hit and reproduce the reference's tie order.
                scratch.entries.removeAll(keepingCapacity: true)
                for j in 0..<hitCount { scratch.entries.append(TorchTopK.Element(value: alignment(j, row), index: Int32(j))) }
            } else {
                for e in scratch.entries.prefix(k) { scratch.chosen.append((Int(e.index), e.value)) }
            }
        }
        guard scratch.entries.count == hitCount else { return }
        for j in 0..<hitCount { scratch.entries[j].index = row.hits[j] }
        let picks = scratch.entries.withUnsafeBufferPointer {
            TorchTopK.indices(ofSparse: $0, count: n, k: configuration.topk, order: .largest, ties: .torchHeapOrLowerIndex)
        }
        let hits = UnsafeBufferPointer(row.hits)
        for a in picks {
            if let j = Self.find(a, in: hits, 0, hitCount) { scratch.chosen.append((j, scratch.entries[j].value)) }
        }
    }

    /// The positives of one object among its top-k candidates: `T > 0` and the anchor centre
    /// inside the object by more than `inBoxMargin` (`is_in_gts`); a prior already claimed goes
    /// to the larger IoU (the earlier object on ties, as `max_overlaps` argmax does), with
    /// `assign_metrics` the metric of the kept pair.
    func assignInGTCandidates(_ chosen: [(j: Int, t: Float)], object b: UnsafePointer<Float>, index m: Int,
                              row: OverlapRow, anchors: [Float], owners: inout MMDetOwners) {
        let margin = configuration.inBoxMargin
        for (j, t) in chosen where t > 0 {
            let i = Int(row.hits[j])
            let cx = (anchors[4 * i] + anchors[4 * i + 2]) / 2
            let cy = (anchors[4 * i + 1] + anchors[4 * i + 3]) / 2
            guard cx - b[0] > margin, cy - b[1] > margin, b[2] - cx > margin, b[3] - cy > margin else { continue }
            if owners.owner[i] < 0 || row.iou[j] > owners.iou[i] {
                owners.owner[i] = Int32(m)
                owners.iou[i] = row.iou[j]
                owners.metric[i] = t
            }
        }
    }
}
