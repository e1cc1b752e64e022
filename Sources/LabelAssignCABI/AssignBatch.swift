import LabelAssign
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// la_assign_batch: B images on one layout, through `BatchAssignment`.

/// The checked counts of an `la_batch`: images, object and ignore offsets, stacked sizes.
struct BatchCounts {
    let images: Int
    /// `B + 1` object offsets (all zero for B = 0 with no offsets).
    let gtOffsets: [Int]
    /// `B + 1` ignore offsets (all zero without `ignore_offsets`).
    let ignoreOffsets: [Int]

    init(_ batch: LABatch, layout: LayoutCounts) throws {
        guard batch.batchSize >= 0 else { throw Failure.argument("batch_size is negative (\(batch.batchSize))") }
        try ResourceLimits.checkImages("la_assign_batch batch_size", count: Int(batch.batchSize))
        images = Int(batch.batchSize)
        gtOffsets = try BatchCounts.offsets(batch.gtOffsets, images, "gt_offsets", optional: images == 0)
        ignoreOffsets = try BatchCounts.offsets(batch.ignoreOffsets, images, "ignore_offsets", optional: true)
        _ = try elements(Int64(gtOffsets[images]), 4, "gt_offsets[B]")
        _ = try elements(Int64(ignoreOffsets[images]), 4, "ignore_offsets[B]")
        _ = try elements(batch.batchSize, Int64(layout.logitValues), "batch_size × num_priors × num_classes")
        _ = try elements(batch.batchSize, Int64(layout.boxValues), "batch_size × num_priors × 4")
    }

    /// `B + 1` offsets from 0, non-decreasing; zeros when NULL and `optional`.
    static func offsets(_ pointer: UnsafePointer<Int64>?, _ b: Int, _ name: String, optional: Bool) throws -> [Int] {
        guard let pointer else {
            if optional { return [Int](repeating: 0, count: b + 1) }
            throw Failure.argument("\(name) is NULL")
        }
        var out = [Int](repeating: 0, count: b + 1)
        guard pointer[0] == 0 else { throw Failure.argument("\(name)[0] must be 0, got \(pointer[0])") }
        for k in stride(from: 1, through: b, by: 1) {
            guard pointer[k] >= pointer[k - 1] else {
                throw Failure.argument("\(name) must not decrease: \(name)[\(k)] = \(pointer[k]) < \(name)[\(k - 1)] = \(pointer[k - 1])")
            }
            guard pointer[k] - pointer[k - 1] <= Int64(Scene.Limits.maxCount) else {
                throw Failure.argument("\(name)[\(k)] = \(pointer[k]): image \(k - 1) has more than 2^31 - 1 entries")
            }
            out[k] = Int(pointer[k])
        }
        return out
    }
}

/// The worker count of `threads` (`<= 0`: one per online core).
private func workers(_ threads: Int32) -> Int {
    if threads > 0 { return Int(threads) }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

@_cdecl("la_assign_batch")
public func la_assign_batch(_ assigner: OpaquePointer?, _ layout: UnsafeRawPointer?, _ batch: UnsafeRawPointer?,
                            _ threads: Int32, _ outputs: UnsafeRawPointer?,
                            _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    call(errorBuffer, errorCapacity) {
        let handle = try AssignerHandle.from(assigner)
        let counts = try LayoutCounts(load(layout, as: LALayout.self, "layout"))
        let batch = try load(batch, as: LABatch.self, "batch")
        let buffers = OutputBuffers(outputs: try load(outputs, as: LAOutputs.self, "outputs"))
        let sizes = try BatchCounts(batch, layout: counts)
        let n = counts.priors, total = sizes.images * n
        guard buffers.outputs.assignedGT != nil || total == 0 else { throw Failure.argument("outputs->assigned_gt is NULL") }
        do {
            try assignBatch(handle, counts, batch, sizes, buffers, threads: workers(threads))
            return Code.ok
        } catch {
            buffers.clear(priors: total, objects: sizes.gtOffsets[sizes.images])
            throw error
        }
    }
}

/// Reads the layout once, then every image on the worker that assigns it, writing into `buffers`.
private func assignBatch(_ handle: AssignerHandle, _ counts: LayoutCounts, _ batch: LABatch, _ sizes: BatchCounts,
                         _ buffers: OutputBuffers, threads: Int) throws {
    let layout = try counts.read("la_assign_batch")
    let n = counts.priors, g = sizes.gtOffsets, k = sizes.ignoreOffsets
    // A NULL array with entries fails before any image runs.
    let objects = g[sizes.images], regions = k[sizes.images], stacked = sizes.images * n
    for (pointer, count, name) in [(UnsafeRawPointer(batch.gtBoxes), objects, "gt_bboxes"), (UnsafeRawPointer(batch.gtLabels), objects, "gt_labels"),
                                   (UnsafeRawPointer(batch.predBoxes), stacked, "pred_bboxes"),
                                   (UnsafeRawPointer(batch.clsLogits), stacked * counts.classes, "cls_logits"),
                                   (UnsafeRawPointer(batch.gtIgnore), regions, "gt_ignore")] where pointer == nil && count > 0 {
        throw Failure.argument("batch \(name) is NULL")
    }
    let input = Shared(pointer: batch)
    try BatchAssignment.run(handle.assigner, layout: layout, count: sizes.images, threads: threads, image: { b in
        let p = input.pointer
        return try counts.image(gtBoxes: p.gtBoxes.map { $0 + 4 * g[b] }, gtLabels: p.gtLabels.map { $0 + g[b] }, gt: g[b + 1] - g[b],
                                predBoxes: p.predBoxes.map { $0 + b * counts.boxValues },
                                clsLogits: p.clsLogits.map { $0 + b * counts.logitValues },
                                objLogits: p.objLogits.map { $0 + b * n },
                                gtIgnore: p.gtIgnore.map { $0 + 4 * k[b] }, ignore: k[b + 1] - k[b], "la_assign_batch")
    }, deliver: { b, a in
        buffers.write(a, prior: b * n, n: n, object: g[b], g: g[b + 1] - g[b])
    })
}
