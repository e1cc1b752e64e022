// One fuzz input through the parsers and assigners. This file is compiled twice: into the test
// target (the corpus replay, `HardeningFuzzCorpusTests`) and, with `Fuzz/FuzzMain.swift`, into the
// libFuzzer target that `make fuzz` builds. It imports only library modules.
import LabelAssign
import LabelAssignIO
import LabelAssignCABI
#if canImport(Glibc)
import Glibc
#endif

/// Feeds one input to every entry point it can reach and returns the broken properties (empty
/// when every answer was a result or a typed error). A trap or a crash inside is a finding by
/// itself; a returned violation is one too (the fuzz target aborts on it).
///
/// - A text input (anything not starting with byte 0x00) goes through the scene parser
///   (`SceneFile.parse`, with and without extras), the generic JSON parser, the transport
///   problem parser and its solvers (small problems only), and, when it is a valid scene,
///   `la_assign_json` with one preset of every family.
/// - A binary input (0x00 first) builds a scene straight from its bytes (sizes, strides, boxes
///   and logits drawn from tables of hostile values and raw float bit patterns) and runs every
///   family's preset through `Assigner.assign`, `la_assign`, `la_assign_batch` and `la_overlap_matrix`.
///
/// Properties: an assignment has one entry per prior, each in `[-2, objects)`; every float it
/// returns is finite; `la_assign_json` returns JSON without `null`; an overlap is NaN only where
/// the reference divides 0 by 0 (torchvision / yolox, both boxes of zero area).
enum HardeningFuzzEntry {
    /// One preset per family of assigners.
    static let families = ["simota", "dsl", "ota", "tal", "tood", "atss", "maxiou", "yolov5", "hungarian"]

    static func run(_ data: UnsafeBufferPointer<UInt8>) -> [String] {
        if data.first == 0 { return runBinary(UnsafeBufferPointer(rebasing: data[1...])) }
        return runText(data)
    }

    // MARK: text

    static func runText(_ data: UnsafeBufferPointer<UInt8>) -> [String] {
        var violations: [String] = []
        let entries = try? SceneFile.parse(data, name: "fuzz", keepExtras: false)
        _ = try? SceneFile.parse(data, name: "fuzz", keepExtras: true)
        if let root = try? parseJSON(data) {
            if let problem = try? TransportProblem.parse(root) { violations += solve(problem) }
            if root["M"]?.array.map({ $0.count <= 64 }) == true, let r = try? LinearAssignment.solveProblem(root) {
                // A total beyond float64 is ±Infinity, as scipy's sum; never NaN or null.
                if !finite(r, allowingInfinity: true) { violations.append("lsa returned NaN or null") }
            }
        }
        guard let entries, entries.count <= 4, entries.allSatisfy({ $0.scene.priorCount <= 4096 }) else { return violations }
        var text = Array(data)
        text.append(0)
        for name in families {
            var result: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(bitPattern: 1)
            var error = [CChar](repeating: 0, count: 256)
            let rc = text.withUnsafeBufferPointer { t in
                t.baseAddress!.withMemoryRebound(to: CChar.self, capacity: t.count) { la_assign_json(name, nil, $0, &result, &error, 256) }
            }
            if rc == 0 {
                guard let r = result else { violations.append("\(name): la_assign_json returned 0 and no text"); continue }
                let out = String(cString: r)
                la_free(r)
                for line in out.split(separator: "\n") {
                    guard let v = try? parseJSON(Array(line.utf8)) else { violations.append("\(name): unreadable result"); continue }
                    if !finite(v) { violations.append("\(name): la_assign_json result holds null (a non-finite value)") }
                }
            } else if result != nil {
                violations.append("\(name): la_assign_json failed (\(rc)) and left *result set")
            }
        }
        return violations
    }

    /// Solves small problems; checks the answers are finite.
    static func solve(_ p: TransportProblem) -> [String] {
        guard p.rows * p.columns <= 4096 else { return [] }
        var violations: [String] = []
        switch p.method {
        case "sinkhorn":
            // A long budget on a slowly converging problem is bounded work, but not within a fuzz timeout.
            guard (p.numItermax ?? 1000) <= 10_000 else { return [] }
            // Σ plan·M may overflow to infinity for costs near float64's limit; it is never NaN.
            if let r = try? p.solveSinkhorn(), !(r.plan.allSatisfy(\.isFinite) && !r.cost.isNaN) {
                violations.append("sinkhorn returned a non-finite plan or a NaN cost")
            }
        case "sinkhorn-fixed":
            guard (p.iterations ?? 0) <= 200 else { return [] }
            if let r = try? p.solveSinkhornFixed(), !(r.plan.allSatisfy(\.isFinite) && r.cost.isFinite) {
                violations.append("sinkhorn-fixed returned a non-finite plan or cost")
            }
        default:
            break
        }
        return violations
    }

    /// No `null` and no NaN in `v`; no infinity either unless `allowingInfinity`.
    static func finite(_ v: JSONValue, allowingInfinity: Bool = false) -> Bool {
        var stack = [v]
        while let x = stack.popLast() {
            switch x {
            case .null: return false
            case let .number(d): if d.isNaN || (!allowingInfinity && d.isInfinite) { return false }
            case let .array(a): stack += a
            case let .object(o): stack += o.values
            default: break
            }
        }
        return true
    }

    // MARK: binary

    /// Reads values from the input bytes (zeros past the end).
    struct Bytes {
        let data: UnsafeBufferPointer<UInt8>
        var pos = 0
        mutating func byte() -> UInt8 {
            defer { pos += 1 }
            return pos < data.count ? data[pos] : 0
        }
        mutating func u32() -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(byte()) << (8 * k) }
            return v
        }
        /// A value from `table` (by one byte), or, for the byte 255, a raw 32-bit pattern.
        mutating func int(_ table: [Int]) -> Int {
            let b = Int(byte())
            if b == 255 { return Int(Int32(bitPattern: u32())) }
            return table[b % table.count]
        }
        /// A float: mostly `base + offset` from small steps, sometimes a hostile value or raw bits.
        mutating func float(around base: Float, scale: Float) -> Float {
            let b = byte()
            switch b {
            case 0..<200: return base + (Float(Int(b) - 100) / 25) * scale
            case 200..<240:
                let hostile: [Float] = [0, -0.0, .nan, .infinity, -.infinity, 1e20, -1e20, 16_777_216, -16_777_216,
                                        16_777_218, 3.4e38, -3.4e38, .leastNonzeroMagnitude, 1e-30, 1, -1, 0.5, 8, 640, 1e8]
                return hostile[Int(b - 200) % hostile.count]
            default:
                return Float(bitPattern: u32())
            }
        }
    }

    static func runBinary(_ data: UnsafeBufferPointer<UInt8>) -> [String] {
        var b = Bytes(data: data)
        let sides = [64, 32, 16, 8, 1, 0, -1, 640, 33, 100, 16_777_216, 16_777_217, Int(Int32.max)]
        let width = b.int(sides), height = b.int(sides)
        let levels = 1 + Int(b.byte() % 3)
        let strideTable = [8, 16, 32, 4, 2, 1, 64, 0, -8, 16_777_216, 33]
        let strides = (0..<levels).map { _ in b.int(strideTable) }
        let classes = b.int([3, 1, 2, 80, 0, -1])
        let gridPriors = (try? PriorGrid.points(width: max(1, min(width, 128)), height: max(1, min(height, 128)),
                                                strides: strides.map { max(1, $0) })) ?? []
        var priors = gridPriors.count <= 4 * 2048 ? gridPriors : Array(gridPriors.prefix(4 * 2048))
        if priors.isEmpty || b.byte() % 8 == 0 {
            priors = (0..<(1 + Int(b.byte() % 6))).flatMap { _ -> [Float] in
                let s = Float(strides[Int(b.byte()) % strides.count])
                return [b.float(around: 20, scale: 10), b.float(around: 20, scale: 10), s, s]
            }
        }
        // Occasionally corrupt one prior value.
        if b.byte() % 16 == 0, !priors.isEmpty { priors[Int(b.byte()) % priors.count] = b.float(around: 0, scale: 100) }
        let n = priors.count / 4
        let g = Int(b.byte() % 7)
        var gt: [Float] = [], labels: [Int32] = []
        for _ in 0..<g {
            let x = b.float(around: 30, scale: 15), y = b.float(around: 30, scale: 15)
            let w = b.float(around: 10, scale: 8), h = b.float(around: 10, scale: 8)
            gt += [x, y, x + abs(w), y + abs(h)]
            labels.append(Int32(b.int([0, 1, 2, 0, 1, -1, 3, 80])))
        }
        var pred: [Float] = []
        for i in 0..<n {
            let cx = priors[4 * i], cy = priors[4 * i + 1]
            let w = b.float(around: 8, scale: 4), h = b.float(around: 8, scale: 4)
            pred += [cx - abs(w) / 2, cy - abs(h) / 2, cx + abs(w) / 2, cy + abs(h) / 2]
        }
        let c = max(0, min(classes, 80))
        var cls = [Float](repeating: 0, count: n * c)
        for k in 0..<cls.count { cls[k] = b.float(around: -3, scale: 2) }
        let obj: [Float]? = b.byte() % 4 == 0 ? nil : (0..<n).map { _ in b.float(around: -2, scale: 2) }
        var ignore: [Float] = []
        for _ in 0..<Int(b.byte() % 3) {
            let x = b.float(around: 20, scale: 10), y = b.float(around: 20, scale: 10)
            ignore += [x, y, x + 12, y + 12]
        }
        let scene = Scene(name: "fuzz", imageWidth: width, imageHeight: height, strides: strides, numClasses: classes,
                          priors: priors, gtBoxes: gt, gtLabels: labels, predBoxes: pred, clsLogits: cls,
                          objLogits: obj, gtIgnore: ignore)
        var violations = overlaps(gt, pred)
        // Invalid scenes too: the C ABI's error paths clear the outputs.
        let prepared = try? PreparedScene(scene)
        for name in families {
            guard let assigner = try? AssignerRegistry.make(name) else { continue }
            if let prepared, let a = try? assigner.assign(prepared) { violations += check(a, scene, name) }
            var handle: OpaquePointer? = nil
            guard la_assigner_create(name, nil, &handle, nil, 0) == 0 else { violations.append("\(name): la_assigner_create failed"); continue }
            violations += viaCABI(scene, name, handle)
            la_assigner_free(handle)
        }
        return violations
    }

    /// The properties of a successful assignment.
    static func check(_ a: Assignment, _ scene: Scene, _ name: String) -> [String] {
        var out: [String] = []
        if a.assignedGT.count != scene.priorCount { out.append("\(name): \(a.assignedGT.count) assignments for \(scene.priorCount) priors") }
        if let bad = a.assignedGT.first(where: { $0 < -2 || Int($0) >= scene.gtCount }) { out.append("\(name): assigned_gt \(bad) out of range") }
        for o in a.namedOutputs {
            let ok: Bool
            switch o.value {
            case let .floats(v): ok = v.allSatisfy(\.isFinite)
            case let .rows(r): ok = r.allSatisfy { $0.allSatisfy(\.isFinite) }
            case let .number(d): ok = d.isFinite
            case .ints: ok = true
            }
            if !ok { out.append("\(name): output \(o.name) is not finite") }
        }
        return out
    }

    /// Copies of arrays at fixed addresses, freed by `release`.
    final class Pins {
        private var blocks: [UnsafeMutableRawPointer] = []
        func pin<T>(_ values: [T]?) -> UnsafeMutablePointer<T>? {
            guard let values else { return nil }
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            blocks.append(UnsafeMutableRawPointer(p))
            return p
        }
        func release() { for b in blocks { b.deallocate() }; blocks = [] }
    }

    /// The same scene through `la_assign` and, twice stacked, `la_assign_batch` (2 threads): the
    /// answers are in range, finite, and the batch's halves equal the one-image call.
    static func viaCABI(_ s: Scene, _ name: String, _ assigner: OpaquePointer?) -> [String] {
        let pins = Pins()
        defer { pins.release() }
        let n = s.priorCount, g = s.gtCount
        // The C contract: every array holds what its counts say. The generated logits stop at 80
        // classes, so a larger class count gets zero-padded logits (up to 2^22 values; beyond that
        // the scene is not passed: the library would read what the caller promised).
        let classes = Int(Int32(truncatingIfNeeded: s.numClasses))
        var logits = s.clsLogits
        if classes >= 0, n * classes != logits.count {
            guard n * classes <= 1 << 22 else { return [] }
            let width = s.clsLogits.count / n  // the generated row width
            logits = (0..<(n * classes)).map { k in k % classes < width ? s.clsLogits[(k / classes) * width + k % classes] : 0 }
        }
        var layout = LALayout(imageWidth: Int32(truncatingIfNeeded: s.imageWidth), imageHeight: Int32(truncatingIfNeeded: s.imageHeight),
                              strides: pins.pin(s.strides), numStrides: Int32(s.strides.count),
                              numClasses: Int32(truncatingIfNeeded: s.numClasses), priors: pins.pin(s.priors), numPriors: Int64(n),
                              anchors: pins.pin(s.anchors))
        var image = LAImage(gtBoxes: pins.pin(s.gtBoxes), gtLabels: pins.pin(s.gtLabels), numGT: Int64(g), predBoxes: pins.pin(s.predBoxes),
                            clsLogits: pins.pin(logits), objLogits: pins.pin(s.objLogits), gtIgnore: pins.pin(s.gtIgnore),
                            numIgnore: Int64(s.ignoreCount))
        let assigned = pins.pin([Int32](repeating: 7, count: 3 * n))!, quality = pins.pin([Float](repeating: 7, count: 3 * n))!
        let matched = pins.pin([Float](repeating: 7, count: 3 * n))!, positives = pins.pin([Int32](repeating: 7, count: 3 * g))!
        var outputs = LAOutputs(assignedGT: assigned, matchedIoU: matched, quality: quality, positivesPerGT: positives)
        var error = [CChar](repeating: 0, count: 256)
        let rc = la_assign(assigner, &layout, &image, &outputs, &error, 256)
        var out: [String] = []
        // On an error: cleared (-1), or untouched (7) when the counts themselves were rejected.
        let untouched = rc == 3 && (0..<n).allSatisfy { assigned[$0] == 7 }
        if !untouched, (0..<n).contains(where: { rc == 0 ? assigned[$0] < -2 || Int(assigned[$0]) >= g : assigned[$0] != -1 }) {
            out.append("\(name): la_assign assigned_gt out of range or not cleared (\(rc))")
        }
        if !untouched, !(0..<n).allSatisfy({ quality[$0].isFinite && matched[$0].isFinite }) { out.append("\(name): la_assign quality is not finite") }
        var batch = LABatch(batchSize: 2, gtOffsets: pins.pin([0, Int64(g), Int64(2 * g)]), gtBoxes: pins.pin(s.gtBoxes + s.gtBoxes),
                            gtLabels: pins.pin(s.gtLabels + s.gtLabels), predBoxes: pins.pin(s.predBoxes + s.predBoxes),
                            clsLogits: pins.pin(logits + logits), objLogits: pins.pin(s.objLogits.map { $0 + $0 }),
                            ignoreOffsets: pins.pin([0, Int64(s.ignoreCount), Int64(2 * s.ignoreCount)]), gtIgnore: pins.pin(s.gtIgnore + s.gtIgnore))
        var stacked = LAOutputs(assignedGT: assigned + n, matchedIoU: matched + n, quality: quality + n, positivesPerGT: positives + g)
        let brc = la_assign_batch(assigner, &layout, &batch, 2, &stacked, &error, 256)
        if brc != rc { out.append("\(name): la_assign_batch returned \(brc), la_assign \(rc)") }
        for k in 0..<n where assigned[k] != assigned[n + k] || assigned[k] != assigned[2 * n + k]
            || quality[k].bitPattern != quality[n + k].bitPattern || matched[k].bitPattern != matched[2 * n + k].bitPattern {
            out.append("\(name): la_assign_batch differs from la_assign at prior \(k)")
            break
        }
        return out
    }

    /// Whether the reference itself returns NaN for the pair: under torchvision and yolox when
    /// both boxes have zero area (IoU 0 / 0, and every measure built on it); under torchvision's
    /// CIoU also when either box is a point (`atan(0 / 0)` in its aspect term).
    static func nanByReference(_ a: [Float], _ b: [Float], kind: String, convention: String) -> Bool {
        guard convention == "torchvision" || convention == "yolox" else { return false }
        let wa = a[2] - a[0], ha = a[3] - a[1], wb = b[2] - b[0], hb = b[3] - b[1]
        if wa * ha == 0 && wb * hb == 0 { return true }
        return convention == "torchvision" && kind == "ciou" && ((wa == 0 && ha == 0) || (wb == 0 && hb == 0))
    }

    /// Every kind and convention of `la_overlap_matrix` on the boxes; NaN only by reference.
    static func overlaps(_ a: [Float], _ b: [Float]) -> [String] {
        let n1 = a.count / 4, n2 = min(b.count / 4, 64)
        let bb = Array(b.prefix(4 * n2))
        var out: [String] = []
        var m = [Float](repeating: 0, count: max(n1 * n2, 1))
        var error = [CChar](repeating: 0, count: 256)
        for convention in ["torchvision", "mmdet", "yolox", "ultralytics"] {
            for kind in ["iou", "giou", "diou", "ciou", "iof"] {
                guard la_overlap_matrix(a, Int64(n1), bb, Int64(n2), kind, convention, &m, &error, 256) == 0 else { continue }
                for i in 0..<n1 {
                    for j in 0..<n2 where !m[i * n2 + j].isFinite {
                        let byReference = nanByReference(Array(a[(4 * i)..<(4 * i + 4)]), Array(bb[(4 * j)..<(4 * j + 4)]),
                                                         kind: kind, convention: convention)
                        if !(m[i * n2 + j].isNaN && byReference) {
                            out.append("la_overlap_matrix \(kind)/\(convention) gave \(m[i * n2 + j]) for boxes \(i), \(j)")
                        }
                    }
                }
            }
        }
        return out
    }
}
