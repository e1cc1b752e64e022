import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing
import Dispatch

/// `la_assign_batch` and `BatchAssignment`: B images on one layout equal the images one by one,
/// at every thread count; hostile counts and offsets are typed errors.
@Suite struct CABIBatchTests {
    /// Five images on the layout of an options scene (ignore regions): the scene, no objects,
    /// half the objects with moved predictions, the objects reversed, the objects rotated.
    static func images() throws -> [Scene] {
        let s = try #require(Fixtures.entries("options.jsonl").first?.scene)
        var empty = s, half = s, reversed = s, rotated = s
        empty.gtBoxes = []; empty.gtLabels = []; empty.gtIgnore = []
        let h = s.gtCount / 2
        half.gtBoxes = Array(s.gtBoxes.prefix(4 * h)); half.gtLabels = Array(s.gtLabels.prefix(h))
        half.predBoxes = s.predBoxes.map { $0 + 1.5 }
        half.clsLogits = s.clsLogits.map { -$0 * 0.5 }
        let rows = (0..<s.gtCount).map { Array(s.gtBoxes[(4 * $0)..<(4 * $0 + 4)]) }
        reversed.gtBoxes = rows.reversed().flatMap { $0 }; reversed.gtLabels = s.gtLabels.reversed()
        rotated.gtBoxes = (rows.dropFirst() + rows.prefix(1)).flatMap { $0 }
        rotated.gtLabels = Array(s.gtLabels.dropFirst() + s.gtLabels.prefix(1))
        rotated.gtIgnore = Array(s.gtBoxes.prefix(4))
        return [s, empty, half, reversed, rotated]
    }

    /// The stacked arrays of `images` and what one `la_assign_batch` call wrote.
    struct Run: Equatable {
        var rc: Int32
        var assigned: [Int32], matched: [Float], quality: [Float], positives: [Int32]
        var error: String
    }

    static func batch(_ handle: OpaquePointer?, _ images: [Scene], threads: Int32,
                      edit: (inout LALayout, inout LABatch) -> Void = { _, _ in }) -> Run {
        let pin = CABI.Pinned()
        let first = images.first ?? SceneBuilder.tiny().scene
        var layout = CABI.layout(first, pin)
        var gtOffsets: [Int64] = [0], ignoreOffsets: [Int64] = [0]
        for s in images {
            gtOffsets.append(gtOffsets.last! + Int64(s.gtCount))
            ignoreOffsets.append(ignoreOffsets.last! + Int64(s.ignoreCount))
        }
        let obj: [Float]? = images.allSatisfy { $0.objLogits != nil } ? images.flatMap { $0.objLogits! } : nil
        var batch = LABatch(batchSize: Int64(images.count), gtOffsets: pin.pointer(gtOffsets),
                            gtBoxes: pin.pointer(images.flatMap(\.gtBoxes)), gtLabels: pin.pointer(images.flatMap(\.gtLabels)),
                            predBoxes: pin.pointer(images.flatMap(\.predBoxes)), clsLogits: pin.pointer(images.flatMap(\.clsLogits)),
                            objLogits: pin.pointer(obj), ignoreOffsets: pin.pointer(ignoreOffsets),
                            gtIgnore: pin.pointer(images.flatMap(\.gtIgnore)))
        edit(&layout, &batch)
        let n = images.count * first.priorCount, g = Int(gtOffsets.last!)
        var run = Run(rc: -1, assigned: .init(repeating: 7, count: n), matched: .init(repeating: -7, count: n),
                      quality: .init(repeating: -7, count: n), positives: .init(repeating: 7, count: g), error: "")
        var err = [CChar](repeating: 0, count: 512)
        run.rc = run.assigned.withUnsafeMutableBufferPointer { a in
            run.matched.withUnsafeMutableBufferPointer { m in
                run.quality.withUnsafeMutableBufferPointer { q in
                    run.positives.withUnsafeMutableBufferPointer { p in
                        var o = LAOutputs(assignedGT: a.baseAddress, matchedIoU: m.baseAddress, quality: q.baseAddress, positivesPerGT: p.baseAddress)
                        return la_assign_batch(handle, &layout, &batch, threads, &o, &err, 512)
                    }
                }
            }
        }
        run.error = CABI.message(err)
        return run
    }

    @Test(arguments: AssignerRegistry.names)
    func batchEqualsImageByImage(preset: String) throws {
        let images = try Self.images()
        let handle = CABI.Handle(preset)
        var expected = Run(rc: 0, assigned: [], matched: [], quality: [], positives: [], error: "")
        for s in images {
            let one = CABI.assign(handle.pointer, s)
            #expect(one.rc == 0, "\(one.error)")
            expected.assigned += one.assigned; expected.matched += one.matched
            expected.quality += one.quality; expected.positives += one.positives
        }
        for threads: Int32 in [1, 2, 8, 0] {
            #expect(Self.batch(handle.pointer, images, threads: threads) == expected, "\(preset), \(threads) threads")
        }
    }

    @Test func swiftBatchEqualsImageByImage() throws {
        let images = try Self.images()
        let s = images[0]
        let layout = PriorLayout(imageWidth: s.imageWidth, imageHeight: s.imageHeight, strides: s.strides,
                                 numClasses: s.numClasses, priors: s.priors)
        let batch = images.map { BatchImage(gtBoxes: $0.gtBoxes, gtLabels: $0.gtLabels, predBoxes: $0.predBoxes,
                                            clsLogits: $0.clsLogits, objLogits: $0.objLogits, gtIgnore: $0.gtIgnore) }
        for name in ["simota", "tal", "ota"] {
            let assigner = try AssignerRegistry.make(name)
            let serial = try images.map { try assigner.assign($0) }
            for threads in [1, 2, 8] {
                #expect(try BatchAssignment.assign(assigner, layout: layout, images: batch, threads: threads) == serial, "\(name) \(threads)")
            }
        }
        var bad = batch
        bad[3].gtLabels[0] = 99
        bad[1].gtBoxes = [0, 0, .nan, 1]; bad[1].gtLabels = [0]
        for threads in [1, 2, 8] {
            #expect(throws: BatchError.self) { try BatchAssignment.assign(TaskAlignedAssigner(), layout: layout, images: bad, threads: threads) }
            do { _ = try BatchAssignment.assign(TaskAlignedAssigner(), layout: layout, images: bad, threads: threads) } catch let e as BatchError {
                #expect(e.image == 1 && e.description.hasPrefix("image 1: ") && e.description.contains("gt_bboxes[0]"), "\(e)")
            } catch { Issue.record("\(error)") }
        }
    }

    /// Overlapping `BLASThreads.single` calls on two threads: the one that returns first does not
    /// give OpenBLAS its threads back while the other still runs.
    @Test func blasStaysSingleWhileAnyCallRuns() {
        let entered = DispatchSemaphore(value: 0), left = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        final class Seen: @unchecked Sendable { var threads = -1 }
        let seen = Seen()
        DispatchQueue.global().async {
            BLASThreads.single {
                entered.signal()
                left.wait()
                seen.threads = BLASThreads.current
            }
            done.signal()
        }
        entered.wait()
        BLASThreads.single { _ = BLASThreads.current }
        left.signal()
        done.wait()
        #expect(seen.threads == 1)
    }

    /// The lowest failing image decides, at every thread count; every buffer is cleared.
    @Test func firstFailingImageDecides() throws {
        var images = try Self.images()
        images[4].gtLabels[0] = 99
        images[2].gtBoxes[1] = .nan
        let handle = CABI.Handle("tal")
        let n = images.count * images[0].priorCount, g = images.reduce(0) { $0 + $1.gtCount }
        let cleared = CABI.cleared(priors: n, objects: g)
        for threads: Int32 in [1, 2, 8] {
            let run = Self.batch(handle.pointer, images, threads: threads)
            #expect(run.rc == CABI.invalid)
            #expect(run.error.hasPrefix("image 2: ") && run.error.contains("gt_bboxes[0]"), "\(run.error)")
            #expect(run.assigned == cleared.assigned && run.matched == cleared.floats && run.quality == cleared.floats)
            #expect(run.positives == cleared.positives)
        }
    }

    @Test func hostileCountsAndOffsetsAreArgumentErrors() throws {
        let images = try Self.images()
        let handle = CABI.Handle("atss")
        let pin = CABI.Pinned()
        let cases: [(String, (inout LALayout, inout LABatch) -> Void)] = [
            ("batch_size", { $1.batchSize = -1 }),
            ("gt_offsets[0]", { $1.gtOffsets = pin.pointer([1, 2, 3, 4, 5, 6]) }),
            ("gt_offsets", { $1.gtOffsets = pin.pointer([0, 5, 3, 8, 9, 10]) }),
            ("gt_offsets", { $1.gtOffsets = nil }),
            ("gt_offsets", { $1.gtOffsets = pin.pointer([0, -3, -3, -3, -3, -3]) }),
            ("gt_offsets", { $1.gtOffsets = pin.pointer([0, 1, 2, 3, 4, Int64.max / 2]) }),
            ("ignore_offsets", { $1.ignoreOffsets = pin.pointer([0, 2, 1, 1, 1, 1]) }),
            ("num_priors", { l, _ in l.numPriors = Int64.max / 2 }),
            ("num_priors", { l, _ in l.numPriors = -4 }),
            ("batch_size × num_priors × num_classes", { l, b in l.numPriors = 1 << 40; l.numClasses = 1 << 20 }),
            ("cls_logits", { $1.clsLogits = nil }),
            ("gt_bboxes", { $1.gtBoxes = nil }),
            ("assigner", { _, _ in }),
        ]
        for (name, edit) in cases {
            let run = Self.batch(name == "assigner" ? nil : handle.pointer, images, threads: 2, edit: edit)
            #expect(run.rc == CABI.argument, "\(name): \(run.rc) \(run.error)")
            #expect(run.error.contains(name), "\(name): \(run.error)")
        }
        #expect(Self.batch(handle.pointer, images, threads: 2) { $1.batchSize = 1 << 40 }.rc == CABI.limit)
        // An empty batch, with or without offsets.
        #expect(Self.batch(handle.pointer, [], threads: 3).rc == 0)
        #expect(Self.batch(handle.pointer, [], threads: 3) { $1.gtOffsets = nil; $1.ignoreOffsets = nil }.rc == 0)
        // A stride that is not a whole number names it.
        let strided = Self.batch(handle.pointer, images, threads: 1) { l, _ in l.strides = pin.pointer([8, 16.5, 32]) }
        #expect(strided.rc == CABI.invalid && strided.error.contains("strides[1]"), "\(strided.error)")
        #expect(strided.assigned.allSatisfy { $0 == -1 })
    }
}
