import LabelAssign
import LabelAssignCABI

/// Calls into the C ABI as a C program would: pinned copies of Swift arrays, handles, outputs.
enum CABI {
    static let ok: Int32 = 0, invalid: Int32 = 1, unknown: Int32 = 2, argument: Int32 = 3, limit: Int32 = 4, option: Int32 = 6

    /// The NUL-terminated message in `buffer`.
    static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Arrays copied to memory that stays put until the value is released.
    final class Pinned {
        private var blocks: [UnsafeMutableRawPointer] = []
        func pointer<T>(_ values: [T]?) -> UnsafePointer<T>? {
            guard let values else { return nil }
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            blocks.append(UnsafeMutableRawPointer(p))
            return UnsafePointer(p)
        }
        deinit { for b in blocks { b.deallocate() } }
    }

    /// An `la_assigner` handle, freed with the value.
    final class Handle {
        let pointer: OpaquePointer?
        let code: Int32
        let error: String
        init(_ name: String?, options: String? = nil) {
            var out: OpaquePointer? = OpaquePointer(bitPattern: 0x1)
            var err = [CChar](repeating: 0, count: 512)
            code = la_assigner_create(name, options, &out, &err, 512)
            pointer = out
            error = CABI.message(err)
        }
        deinit { la_assigner_free(pointer) }
    }

    /// `s`'s layout (strides as floats).
    static func layout(_ s: Scene, _ pin: Pinned) -> LALayout {
        LALayout(imageWidth: Int32(truncatingIfNeeded: s.imageWidth), imageHeight: Int32(truncatingIfNeeded: s.imageHeight),
                 strides: pin.pointer(s.strides.map(Float.init)), numStrides: Int32(s.strides.count),
                 numClasses: Int32(truncatingIfNeeded: s.numClasses), priors: pin.pointer(s.priors), numPriors: Int64(s.priorCount),
                 anchors: pin.pointer(s.anchors))
    }

    /// `s`'s objects and predictions.
    static func image(_ s: Scene, _ pin: Pinned) -> LAImage {
        LAImage(gtBoxes: pin.pointer(s.gtBoxes), gtLabels: pin.pointer(s.gtLabels), numGT: Int64(s.gtCount),
                predBoxes: pin.pointer(s.predBoxes), clsLogits: pin.pointer(s.clsLogits), objLogits: pin.pointer(s.objLogits),
                gtIgnore: pin.pointer(s.gtIgnore), numIgnore: Int64(s.ignoreCount))
    }

    /// What one call wrote.
    struct Outputs: Equatable {
        var rc: Int32
        var assigned: [Int32]
        var matched: [Float]
        var quality: [Float]
        var positives: [Int32]
        var error: String
    }

    /// `la_assign` on `s` through `handle`; `edit` may change the structs first. Buffers start
    /// at 7 (ints) and -7 (floats), sized `priors` / `objects` (default: the scene's).
    static func assign(_ handle: OpaquePointer?, _ s: Scene, priors: Int? = nil, objects: Int? = nil,
                       edit: (inout LALayout, inout LAImage, inout LAOutputs) -> Void = { _, _, _ in }) -> Outputs {
        let pin = Pinned()
        var layout = layout(s, pin), image = image(s, pin)
        let n = priors ?? s.priorCount, g = objects ?? s.gtCount
        var out = Outputs(rc: -1, assigned: .init(repeating: 7, count: n), matched: .init(repeating: -7, count: n),
                          quality: .init(repeating: -7, count: n), positives: .init(repeating: 7, count: g), error: "")
        var err = [CChar](repeating: 0, count: 512)
        out.rc = out.assigned.withUnsafeMutableBufferPointer { a in
            out.matched.withUnsafeMutableBufferPointer { m in
                out.quality.withUnsafeMutableBufferPointer { q in
                    out.positives.withUnsafeMutableBufferPointer { p in
                        var o = LAOutputs(assignedGT: a.baseAddress, matchedIoU: m.baseAddress, quality: q.baseAddress,
                                          positivesPerGT: p.baseAddress)
                        edit(&layout, &image, &o)
                        return la_assign(handle, &layout, &image, &o, &err, 512)
                    }
                }
            }
        }
        out.error = message(err)
        return out
    }

    /// What `la_assign` should write for `a` on `s`: every buffer, zeros where the preset has none.
    static func expected(_ a: Assignment, _ s: Scene) -> Outputs {
        let zeros = [Float](repeating: 0, count: s.priorCount)
        return Outputs(rc: 0, assigned: a.assignedGT, matched: a.matchedIoU ?? zeros, quality: a.quality?.values ?? zeros,
                       positives: a.positivesPerObject(gtCount: s.gtCount).map(Int32.init), error: "")
    }

    /// The error fill: -1 and zeros.
    static func cleared(priors n: Int, objects g: Int) -> (assigned: [Int32], floats: [Float], positives: [Int32]) {
        (.init(repeating: -1, count: n), .init(repeating: 0, count: n), .init(repeating: 0, count: g))
    }
}
