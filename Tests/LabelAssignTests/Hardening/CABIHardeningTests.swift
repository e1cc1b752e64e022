import LabelAssign
import LabelAssignIO
import LabelAssignCABI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every function of `labelassign.h` called with hostile arguments: an error code and a
/// message, every out-pointer set as the header says, never a trap.
@Suite struct HardeningCABITests {
    static let argument: Int32 = 3, invalid: Int32 = 1, limit: Int32 = 4

    func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `la_assign` on `s` through a "tal" handle with the counts replaced where given.
    func assign(_ s: Scene, priors: Int64? = nil, gt: Int64? = nil, ignore: Int64? = nil, classes: Int32? = nil,
                strides: Int32? = nil, gtBoxes: [Float]? = nil) -> CABI.Outputs {
        var scene = s
        if let gtBoxes { scene.gtBoxes = gtBoxes }
        let handle = CABI.Handle("tal")
        return CABI.assign(handle.pointer, scene, priors: s.priorCount, objects: s.gtCount) { layout, image, _ in
            if let priors { layout.numPriors = priors }
            if let gt { image.numGT = gt }
            if let ignore { image.numIgnore = ignore }
            if let classes { layout.numClasses = classes }
            if let strides { layout.numStrides = strides }
        }
    }

    @Test func assignRejectsOverflowingCounts() {
        let s = Hardening.scene()
        // ×4 overflows near 2^62 trapped before; each is LA_ERROR_ARGUMENT naming the count.
        let cases: [(String, CABI.Outputs)] = [
            ("num_priors", assign(s, priors: 1 << 62)),
            ("num_gt", assign(s, gt: (1 << 62) + 1)),
            ("num_ignore", assign(s, ignore: Int64.max / 3)),
            ("num_priors", assign(s, priors: Int64.max)),
            ("num_gt", assign(s, gt: -1)),
            ("num_classes", assign(s, classes: -1)),
            ("num_strides", assign(s, strides: -3)),
        ]
        for (name, got) in cases {
            #expect(got.rc == Self.argument, "\(name)")
            #expect(got.error.contains(name), "\(got.error)")
            #expect(got.assigned.allSatisfy { $0 == 7 }, "the counts are unknown: nothing written")
        }
        // num_priors × num_classes overflowing alone.
        #expect(assign(s, priors: 1 << 40, classes: Int32.max).rc == Self.argument)
        // A copy beyond the buffer limit: LA_ERROR_LIMIT naming the variable, the outputs cleared.
        let handle = CABI.Handle("tal")
        let tight = ResourceLimits.withLimits(ResourceLimits(maxBufferBytes: 64)) { CABI.assign(handle.pointer, s) }
        #expect(tight.rc == Self.limit && tight.error.contains("LABELASSIGN_MAX_BUFFER_BYTES"), "\(tight.error)")
        #expect(tight.assigned.allSatisfy { $0 == -1 } && tight.matched.allSatisfy { $0 == 0 })
    }

    @Test func assignValidatesEveryInput() {
        let s = Hardening.scene()
        var boxes = s.gtBoxes
        boxes[2] = 1e20
        let far = assign(s, gtBoxes: boxes)
        #expect(far.rc == Self.invalid && far.error.contains("gt_bboxes[0]"))
        #expect(far.assigned.allSatisfy { $0 == -1 } && far.positives.allSatisfy { $0 == 0 } && far.quality.allSatisfy { $0 == 0 })
        boxes[2] = .infinity
        #expect(assign(s, gtBoxes: boxes).rc == Self.invalid)
        let handle = CABI.Handle("tal")
        // NULL pointers with non-zero counts, NULL structs and outputs.
        let nullBoxes = CABI.assign(handle.pointer, s) { _, image, _ in image.gtBoxes = nil }
        #expect(nullBoxes.rc == Self.argument && nullBoxes.error.contains("gt_bboxes") && nullBoxes.assigned.allSatisfy { $0 == -1 })
        #expect(CABI.assign(handle.pointer, s) { _, _, o in o.assignedGT = nil }.rc == Self.argument)
        #expect(CABI.assign(nil, s).rc == Self.argument)
        #expect(CABI.assign(handle.pointer, s) { _, image, _ in image.gtIgnore = nil; image.numIgnore = 3 }.rc == Self.argument)
        var err = [CChar](repeating: 0, count: 256)
        var out = LAOutputs(assignedGT: nil)
        var layout = LALayout(imageWidth: 1, imageHeight: 1, strides: nil, numStrides: 0, numClasses: 1, priors: nil, numPriors: 0)
        var image = LAImage(gtBoxes: nil, gtLabels: nil, numGT: 0, predBoxes: nil, clsLogits: nil)
        #expect(la_assign(handle.pointer, nil, &image, &out, &err, 256) == Self.argument && CABI.message(err).contains("layout"))
        #expect(la_assign(handle.pointer, &layout, nil, &out, &err, 256) == Self.argument && CABI.message(err).contains("image"))
        #expect(la_assign(handle.pointer, &layout, &image, nil, &err, 256) == Self.argument && CABI.message(err).contains("outputs"))
        // Hostile image sizes and strides are validation errors.
        let sizes = CABI.assign(handle.pointer, s) { layout, _, _ in layout.imageWidth = Int32.max; layout.imageHeight = -1 }
        #expect(sizes.rc == Self.invalid)
        let pin = CABI.Pinned()
        for bad: Float in [.nan, 8.5, 1e30, -.infinity] {
            let stride = CABI.assign(handle.pointer, s) { layout, _, _ in layout.strides = pin.pointer([bad, 16]) }
            #expect(stride.rc == Self.invalid && stride.error.contains("strides[0]"), "\(bad): \(stride.error)")
        }
        // A level count beyond the limit is rejected before the strides are read.
        let levels = CABI.assign(handle.pointer, s) { layout, _, _ in layout.numStrides = 1 << 30 }
        #expect(levels.rc == Self.invalid && levels.error.contains("strides") && levels.error.contains("64"), "\(levels.error)")
        // Errors into a NULL buffer or a zero / negative capacity are dropped, not written.
        #expect(la_assign(nil, &layout, &image, &out, nil, 100) == Self.argument)
        var one = [CChar](repeating: 65, count: 1)
        #expect(la_assign(nil, &layout, &image, &out, &one, 0) == Self.argument)
        #expect(la_assign(nil, &layout, &image, &out, &one, -5) == Self.argument)
        #expect(one[0] == 65)
        #expect(la_assign(nil, &layout, &image, &out, &one, 1) == Self.argument)
        #expect(one[0] == 0)
    }

    @Test func assignJSONSetsTheResultOnEveryPath() {
        let json = SceneFile.json(Hardening.scene())
        var error = [CChar](repeating: 0, count: 256)
        let stale = UnsafeMutablePointer<CChar>(bitPattern: 0x1)
        var result: UnsafeMutablePointer<CChar>? = stale
        #expect(la_assign_json(nil, nil, json, &result, &error, 256) == Self.argument)
        #expect(result == nil, "NULL assigner: *result set to NULL")
        result = stale
        #expect(la_assign_json("tal", nil, nil, &result, &error, 256) == Self.argument)
        #expect(result == nil, "NULL scene: *result set to NULL")
        #expect(la_assign_json("tal", nil, json, nil, &error, 256) == Self.argument)
        result = stale
        #expect(la_assign_json("no-such", nil, json, &result, &error, 256) == 2)
        #expect(result == nil)
        result = stale
        #expect(la_assign_json("tal", nil, "{\"image\": [1e19, 32]}", &result, &error, 256) == Self.invalid)
        #expect(result == nil)
        result = stale
        let tight = ResourceLimits(maxInputBytes: 100)
        #expect(ResourceLimits.withLimits(tight) { la_assign_json("tal", nil, json, &result, &error, 256) } == Self.limit)
        #expect(result == nil)
        #expect(message(error).contains("LABELASSIGN_MAX_INPUT_BYTES"))
        #expect(la_assign_json("tal", nil, json, &result, &error, 256) == 0)
        #expect(result != nil)
        la_free(result)
        la_free(nil)
    }

    /// 500+ levels on a 64 KiB thread stack overflowed it; the reader no longer recurses.
    @Test func deepNestingOnASmallThreadStack() throws {
        final class Job: @unchecked Sendable {
            var text: [CChar] = []
            var codes: [Int32] = []
            var messages: [String] = []
        }
        let job = Job()
        let valid = SceneFile.json(Hardening.scene())
        var docs: [String] = []
        for depth in [500, 5_000, 200_000] {
            let nest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            docs.append(String(valid.dropLast()) + ",\"extra\":" + nest + "}")    // skipped key
            docs.append("{\"image\":" + nest + "}")                              // a scene field
            docs.append(nest)                                                     // not an object
        }
        docs.append(valid)
        // The smallest stack from 64 KiB up that this process can start a thread on (its static
        // TLS must fit; the C program of `make lib` runs the same check on exactly 64 KiB).
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        var stack = 64 * 1024
        while stack <= 1 << 20 {
            #expect(pthread_attr_setstacksize(&attributes, stack) == 0)
            var probe = pthread_t()
            if pthread_create(&probe, &attributes, { _ in nil }, nil) == 0 { pthread_join(probe, nil); break }
            stack *= 2
        }
        #expect(stack <= 256 * 1024, "no thread with a small stack could be created")
        for doc in docs {
            job.text = Array(doc.utf8CString)
            let box = Unmanaged.passRetained(job)
            var thread = pthread_t()
            let created = pthread_create(&thread, &attributes, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                var error = [CChar](repeating: 0, count: 512)
                var result: UnsafeMutablePointer<CChar>? = nil
                let rc = job.text.withUnsafeBufferPointer { la_assign_json("simota", nil, $0.baseAddress, &result, &error, 512) }
                la_free(result)
                job.codes.append(rc)
                job.messages.append(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                return nil
            }, box.toOpaque())
            #expect(created == 0)
            if created == 0 { pthread_join(thread, nil) } else { box.release() }
        }
        #expect(job.codes.count == docs.count)
        #expect(job.codes.dropLast().allSatisfy { $0 == Self.invalid }, "\(job.codes)")
        #expect(job.codes.last == 0, "\(job.messages.last ?? "")")
        #expect(job.messages.dropLast().allSatisfy { $0.contains("nesting deeper") || $0.contains("expected") }, "\(job.messages)")
    }

    @Test func overlapMatrixRejectsOverflowsAndBadBoxes() {
        let a: [Float] = [0, 0, 10, 10, 5, 5, 15, 25]
        let b: [Float] = [5, 0, 15, 10]
        var out = [Float](repeating: -7, count: 2)
        var error = [CChar](repeating: 0, count: 256)
        func call(_ a: [Float]?, _ n1: Int64, _ b: [Float]?, _ n2: Int64, kind: String = "iou", convention: String = "torchvision",
                  out o: UnsafeMutablePointer<Float>?) -> Int32 {
            la_overlap_matrix(a, n1, b, n2, kind, convention, o, &error, 256)
        }
        let o = out.withUnsafeMutableBufferPointer { $0.baseAddress }
        #expect(call(a, 1 << 62, b, 1, out: o) == Self.argument)
        #expect(message(error).contains("n1"))
        #expect(call(a, 2, b, (1 << 62) + 3, out: o) == Self.argument)
        #expect(call(a, 1 << 31, b, 1 << 33, out: o) == Self.argument, "n1 × n2 × 4 bytes overflows")
        #expect(call(a, 1 << 20, b, 1 << 20, out: o) == Self.limit, "a 4 TiB matrix")
        #expect(call(a, -1, b, 1, out: o) == Self.argument)
        #expect(call(a, 2, b, 1, out: nil) == Self.argument)
        #expect(call(nil, 2, b, 1, out: o) == Self.argument)
        // NaN boxes gave IoUs of 1e8 before; every box is validated as the CLI validates it.
        for bad: [Float] in [[0, 0, .nan, 10], [0, 0, 10, .infinity], [10, 0, 0, 10], [0, 0, 1e20, 10]] {
            #expect(out.withUnsafeMutableBufferPointer { call(bad + a[4...], 2, b, 1, out: $0.baseAddress) } == Self.invalid, "\(bad)")
            #expect(message(error).contains("boxes1[0]"), "\(message(error))")
        }
        #expect(out == [-7, -7], "no output on error")
        #expect(out.withUnsafeMutableBufferPointer { call(a, 2, b, 1, out: $0.baseAddress) } == 0)
        #expect(out.allSatisfy { $0.isFinite })
    }

    /// The documented NaN by reference: two zero-area boxes under torchvision and yolox.
    @Test func overlapNaNOnlyByReference() {
        let point: [Float] = [5, 5, 5, 5], line: [Float] = [1, 1, 1, 3], box: [Float] = [0, 0, 10, 10]
        var out = [Float](repeating: 0, count: 2)
        var error = [CChar](repeating: 0, count: 256)
        for (convention, kinds) in [("torchvision", ["iou", "giou", "diou", "ciou"]), ("yolox", ["iou"]),
                                    ("mmdet", ["iou", "giou", "iof"]), ("ultralytics", ["iou", "giou", "diou", "ciou"])] {
            let byReference = convention == "torchvision" || convention == "yolox"
            for kind in kinds {
                #expect(la_overlap_matrix(point + line, 2, point, 1, kind, convention, &out, &error, 256) == 0)
                #expect(out.allSatisfy { $0.isNaN } == byReference && (byReference || out.allSatisfy { $0.isFinite }), "\(kind)/\(convention): \(out)")
                #expect(la_overlap_matrix(box + line, 2, box, 1, kind, convention, &out, &error, 256) == 0)
                #expect(out.allSatisfy { $0.isFinite }, "\(kind)/\(convention): \(out)")
                #expect(la_overlap_matrix(point, 1, box, 1, kind, convention, &out, &error, 256) == 0)
                let pointNaN = convention == "torchvision" && kind == "ciou"
                #expect(out[0].isNaN == pointNaN, "\(kind)/\(convention) point vs box: \(out[0])")
            }
        }
    }

    @Test func namesAndVersionWithHostileBuffers() {
        let full = AssignerRegistry.names.joined(separator: ",")
        #expect(la_assigner_names(nil, 100) == Int64(full.utf8.count))
        #expect(la_assigner_names(nil, -1) == Int64(full.utf8.count))
        var small = [CChar](repeating: 65, count: 4)
        #expect(la_assigner_names(&small, 4) == Int64(full.utf8.count))
        #expect(small[3] == 0 && message(small) == String(full.prefix(3)))
        var zero = [CChar](repeating: 65, count: 1)
        _ = la_assigner_names(&zero, 0)
        #expect(zero[0] == 65)
        #expect(String(cString: la_version()).isEmpty == false)
    }
}
