import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// The same seed gives the same sequence on every machine and thread count; the system RNG is
/// never used by the workloads.
public struct Xoshiro256: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator seeded from `seed` (any value, including 0) via SplitMix64.
    public init(seed: UInt64) {
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    /// A generator for stream `stream` of item `index` under `seed` (independent streams).
    public init(seed: UInt64, index: Int, stream: UInt64) {
        self.init(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03) ^ (stream &* 0x8CB9_2BA7_2F3D_8DD7))
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always) public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256.rotl(s3, 45)
        return result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    @inline(__always) public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `[a, b)`.
    @inline(__always) public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// Uniform integer in `0..<n` (`n > 0`).
    @inline(__always) public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A standard normal deviate (Box-Muller, one value per call).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1p-60), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A cheap approximately normal deviate (mean 0, variance 1, bounded by ±3.46): the sum of four
    /// 16-bit uniforms, rescaled. One generator step per value; used for the bulk of the logits.
    @inline(__always) public mutating func fastNormal() -> Float {
        let r = next()
        let a = Float(r & 0xFFFF) + Float((r >> 16) & 0xFFFF) + Float((r >> 32) & 0xFFFF) + Float(r >> 48)
        return (a * (1 / 65536) - 2) * 1.7320508
    }
}

/// The ground truth of one image: boxes `x1, y1, x2, y2` (stride 4), class ids, ignore regions.
public struct GroundTruth: Sendable, Equatable {
    public var imageWidth: Int
    public var imageHeight: Int
    public var boxes: [Float]
    public var labels: [Int32]
    public var ignore: [Float]
    /// A name for reports (file name, image id, or `workload-index`).
    public var name: String

    public init(name: String, imageWidth: Int, imageHeight: Int, boxes: [Float], labels: [Int32], ignore: [Float] = []) {
        self.name = name
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.boxes = boxes
        self.labels = labels
        self.ignore = ignore
    }

    public var count: Int { labels.count }
}

/// Simulated detector predictions around a ground truth: good near objects, poor elsewhere.
///
/// Every prior looks at the object whose centre is nearest in units of
/// `max(max(w, h) / 2, 2 · stride)` (the "nearness" `r`; `r < 1` means the prior sits on it) and gets a
/// local quality `l = 1 − r`. With the global knob `quality` `q ∈ [0, 1]`:
/// - box: near priors predict the object's box with a relative jitter of standard deviation
///   `0.03 + 0.3 · (1 − q·l)`; far priors predict a box of `stride · e^U(0.5, 2.5)` around themselves;
/// - class logits: background `N(−5, 1)`; a near prior's logit of the object's class is raised by
///   `q · (0.3·l + 0.7·IoU) · U(5, 9)`, IoU being its simulated box's IoU with the object, so
///   confidence follows localisation as in a trained head (with probability `0.3 · (1 − q)`
///   another class is raised instead);
/// - objectness logits (every scene has them): `N(−5, 1)`, raised by `q · (0.3·l + 0.7·IoU) · U(5, 9)`
///   near objects.
/// All draws come from `Xoshiro256(seed:index:stream:)`, so a scene is a pure function of its inputs.
public struct PredictionSimulator: Sendable {
    public var strides: [Int]
    public var numClasses: Int
    public var quality: Double
    public var seed: UInt64

    public init(strides: [Int] = [8, 16, 32], numClasses: Int, quality: Double, seed: UInt64) throws {
        guard quality.isFinite, quality >= 0, quality <= 1 else {
            throw LabelAssignError.invalidParameter(name: "quality", reason: "must lie in [0, 1], got \(quality)")
        }
        guard numClasses > 0, numClasses <= Scene.Limits.maxCount else {
            throw LabelAssignError.invalidParameter(name: "num_classes", reason: "must lie in [1, \(Scene.Limits.maxCount)], got \(numClasses)")
        }
        guard !strides.isEmpty, strides.allSatisfy({ $0 > 0 }) else {
            throw LabelAssignError.invalidParameter(name: "strides", reason: "need at least one positive stride, got \(strides)")
        }
        self.strides = strides
        self.numClasses = numClasses
        self.quality = quality
        self.seed = seed
    }

    /// The scene of image `index` with ground truth `gt`. Labels must lie in `[0, numClasses)`.
    public func scene(_ gt: GroundTruth, index: Int) throws -> Scene {
        var rng = Xoshiro256(seed: seed, index: index, stream: 2)
        let priors = try PriorGrid.points(width: gt.imageWidth, height: gt.imageHeight, strides: strides)
        let n = priors.count / 4, g = gt.count, c = numClasses
        guard n > 0 else {
            throw LabelAssignError.invalidValue(field: "image", index: nil, reason: "\(gt.imageWidth)x\(gt.imageHeight) is smaller than the coarsest stride")
        }
        for (i, l) in gt.labels.enumerated() where l < 0 || Int(l) >= c {
            throw LabelAssignError.invalidValue(field: "gt_labels", index: i, reason: "class \(l) outside [0, \(c))")
        }
        try ResourceLimits.checkBuffer("simulated class logits of \(gt.name) (priors × classes)", counts: [n, c], of: Float.self)
        var pred = [Float](repeating: 0, count: 4 * n)
        var cls = [Float](repeating: 0, count: n * c)
        var obj = [Float](repeating: 0, count: n)
        cls.withUnsafeMutableBufferPointer { b in
            for i in 0..<b.count { b[i] = rng.fastNormal() - 5 }
        }
        for i in 0..<n { obj[i] = rng.fastNormal() - 5 }
        // Object centres and half extents.
        var gcx = [Float](repeating: 0, count: g), gcy = gcx, gw = gcx, gh = gcx, half = gcx
        for j in 0..<g {
            let b = gt.boxes
            gcx[j] = (b[4 * j] + b[4 * j + 2]) / 2
            gcy[j] = (b[4 * j + 1] + b[4 * j + 3]) / 2
            gw[j] = b[4 * j + 2] - b[4 * j]
            gh[j] = b[4 * j + 3] - b[4 * j + 1]
            half[j] = max(gw[j], gh[j]) / 2
        }
        let q = Float(quality)
        for i in 0..<n {
            let px = priors[4 * i], py = priors[4 * i + 1], s = priors[4 * i + 2]
            var best = Float.infinity, bj = -1
            for j in 0..<g {
                let dx = px - gcx[j], dy = py - gcy[j]
                let r = (dx * dx + dy * dy).squareRoot() / max(half[j], 2 * s)
                if r < best { best = r; bj = j }
            }
            if bj >= 0 && best < 1 {
                let l = 1 - best
                let sd = 0.03 + 0.3 * (1 - q * l)
                let b = 4 * bj
                let sx = max(gw[bj], s), sy = max(gh[bj], s)
                let x1 = gt.boxes[b] + Float(rng.normal()) * sd * sx
                let y1 = gt.boxes[b + 1] + Float(rng.normal()) * sd * sy
                let x2 = gt.boxes[b + 2] + Float(rng.normal()) * sd * sx
                let y2 = gt.boxes[b + 3] + Float(rng.normal()) * sd * sy
                pred[4 * i] = x1; pred[4 * i + 1] = y1
                pred[4 * i + 2] = max(x2, x1 + 1); pred[4 * i + 3] = max(y2, y1 + 1)
                // Confidence follows localisation, as a trained head's does: the boost mixes the
                // closeness l with the simulated box's IoU with its object.
                let box = Array(pred[(4 * i)..<(4 * i + 4)]), object = Array(gt.boxes[b..<(b + 4)])
                let quality = q * (0.3 * l + 0.7 * PredictionSimulator.iou(box, object))
                var target = Int(gt.labels[bj])
                if c > 1 && rng.uniform() < 0.3 * Double(1 - q) { target = (target + 1 + rng.int(c - 1)) % c }
                cls[i * c + target] += quality * Float(rng.uniform(5, 9))
                obj[i] += quality * Float(rng.uniform(5, 9))
            } else {
                let w = s * Float(exp(rng.uniform(0.5, 2.5))), h = s * Float(exp(rng.uniform(0.5, 2.5)))
                pred[4 * i] = px - w / 2; pred[4 * i + 1] = py - h / 2
                pred[4 * i + 2] = px + w / 2; pred[4 * i + 3] = py + h / 2
            }
        }
        return Scene(name: gt.name, imageWidth: gt.imageWidth, imageHeight: gt.imageHeight, strides: strides,
                     numClasses: c, priors: priors, gtBoxes: gt.boxes, gtLabels: gt.labels, predBoxes: pred,
                     clsLogits: cls, objLogits: obj, gtIgnore: gt.ignore)
    }
}

extension PredictionSimulator {
    /// Plain IoU of two boxes (0 for a degenerate pair).
    static func iou(_ a: [Float], _ b: [Float]) -> Float {
        let w = max(min(a[2], b[2]) - max(a[0], b[0]), 0), h = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
        let inter = w * h
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return union > 0 ? inter / union : 0
    }
}

/// Built-in synthetic workloads: deterministic from a seed, no files needed.
///
/// - `coco`: 640×640, strides 8/16/32 (8,400 priors), 80 classes. Object counts follow COCO
///   (mean 7.3 objects per image, median 4: a rounded log-normal, at least 1, at most 100) and sizes
///   41 / 34 / 25 % small / medium / large by area thresholds 32² and 96² (side √area log-uniform in
///   [4, 32), [32, 96), [96, 512); aspect log-uniform in [1/3, 3]; boxes lie inside the image).
///   Class 0 ("person") takes 25 % of the objects, the other classes share the rest evenly.
/// - `crowd`: CrowdHuman-like, 640×640, 1 class (person). About 23 people per image (log-normal,
///   median 15, at most 200), standing in 1–4 overlapping groups; boxes are tall
///   (width ≈ 0.41 · height), scaled by perspective, clipped to the image. 0–3 ignore regions.
/// - `dense`: SKU-110K-like, 640×640, 1 class. About 150 small products per image (log-normal,
///   median 140, 40–400) packed in shelf rows.
/// - `aerial`: VisDrone-like, 1280×1280 (33,600 priors), 10 classes. Mean 53 objects per image
///   (log-normal, median 32, σ 1, at least 1, at most 900), mostly small: side log-uniform in
///   [4, 32) for 70 %, [32, 96) for 25 %, [96, 320) for 5 %; cars 40 %, pedestrians 20 %.
/// - `stress`: 1280×1280, 80 classes, 1,000–5,000 objects per image (uniform), side log-uniform
///   in [4, 64): the cost matrices of the dense assigners at their largest.
public enum Workload: String, CaseIterable, Sendable {
    case coco, crowd, dense, aerial, stress

    /// Image size, strides and class count of the workload.
    public var imageSize: (width: Int, height: Int) { self == .aerial || self == .stress ? (1280, 1280) : (640, 640) }
    public var strides: [Int] { [8, 16, 32] }
    public var numClasses: Int {
        switch self {
        case .coco, .stress: 80
        case .crowd, .dense: 1
        case .aerial: 10
        }
    }

    /// The ground truth of image `index` under `seed` (independent of the prediction draws).
    public func groundTruth(seed: UInt64, index: Int) -> GroundTruth {
        var rng = Xoshiro256(seed: seed, index: index, stream: 1)
        let (w, h) = imageSize
        let name = "\(rawValue)-\(index)"
        switch self {
        case .coco: return Workload.cocoObjects(&rng, width: w, height: h, name: name, count: nil)
        case .crowd: return Workload.crowdObjects(&rng, width: w, height: h, name: name)
        case .dense: return Workload.denseObjects(&rng, width: w, height: h, name: name)
        case .aerial: return Workload.aerialObjects(&rng, width: w, height: h, name: name)
        case .stress: return Workload.stressObjects(&rng, width: w, height: h, name: name, count: nil)
        }
    }

    /// A rounded log-normal count with the given median and log-sd, clamped to `[lo, hi]`.
    static func logNormalCount(_ rng: inout Xoshiro256, median: Double, sigma: Double, lo: Int, hi: Int) -> Int {
        let v = (median * exp(sigma * rng.normal())).rounded()
        return min(hi, max(lo, Int(v)))
    }

    /// COCO-like objects; `count` overrides the object count (benchmarks).
    public static func cocoObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String, count: Int?) -> GroundTruth {
        let g = count ?? logNormalCount(&rng, median: 4, sigma: 1.11, lo: 1, hi: 100)
        let W = Double(width), H = Double(height)
        let scale = min(W, H) / 640
        var boxes: [Float] = [], labels: [Int32] = []
        boxes.reserveCapacity(4 * g)
        for _ in 0..<g {
            let u = rng.uniform()
            let (lo, hi): (Double, Double) = u < 0.41 ? (4, 32) : (u < 0.75 ? (32, 96) : (96, 512))
            let side = exp(rng.uniform(log(lo), log(hi))) * scale
            let aspect = exp(rng.uniform(log(1.0 / 3), log(3.0)))
            var bw = side * aspect.squareRoot(), bh = side / aspect.squareRoot()
            if bw > W { bw = W; bh = min(H, side * side / W) }
            if bh > H { bh = H; bw = min(W, side * side / H) }
            let cx = rng.uniform(bw / 2, W - bw / 2), cy = rng.uniform(bh / 2, H - bh / 2)
            boxes += [Float(cx - bw / 2), Float(cy - bh / 2), Float(cx + bw / 2), Float(cy + bh / 2)]
            let cls = rng.uniform() < 0.25 ? 0 : 1 + rng.int(79)
            labels.append(Int32(cls))
        }
        return GroundTruth(name: name, imageWidth: width, imageHeight: height, boxes: boxes, labels: labels)
    }

    static func crowdObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String) -> GroundTruth {
        let g = logNormalCount(&rng, median: 15, sigma: 0.93, lo: 1, hi: 200)
        let W = Double(width), H = Double(height)
        let groups = 1 + rng.int(4)
        var boxes: [Float] = [], labels: [Int32] = []
        var placed = 0
        for k in 0..<groups {
            let inGroup = k == groups - 1 ? g - placed : min(g - placed, Int((Double(g) / Double(groups) * rng.uniform(0.6, 1.4)).rounded()))
            placed += inGroup
            // A group stands around a ground line; people further down the image look taller.
            let baseY = rng.uniform(0.35, 1.05) * H
            let heightAtBase = (0.02 + 0.4 * (baseY / H) * (baseY / H)) * H * rng.uniform(0.6, 1.3)
            let centreX = rng.uniform(0, W)
            let spread = rng.uniform(0.1, 0.5) * W
            for _ in 0..<inGroup {
                let depth = rng.uniform(-0.12, 0.12) * H
                let ph = max(10, heightAtBase * (1 + depth / H * 2) * rng.uniform(0.85, 1.15))
                let pw = ph * 0.41 * rng.uniform(0.8, 1.2)
                var cx = centreX + rng.normal() * spread / 2
                if cx < 0 { cx = -cx } else if cx > W { cx = 2 * W - cx }
                let bottom = baseY + depth
                var x1 = cx - pw / 2, x2 = cx + pw / 2, y1 = bottom - ph, y2 = bottom
                x1 = min(max(x1, 0), W); x2 = min(max(x2, 0), W); y1 = min(max(y1, 0), H); y2 = min(max(y2, 0), H)
                guard x2 - x1 >= 2, y2 - y1 >= 4 else { continue }
                boxes += [Float(x1), Float(y1), Float(x2), Float(y2)]
                labels.append(0)
            }
        }
        var ignore: [Float] = []
        for _ in 0..<rng.int(4) {
            let iw = rng.uniform(0.05, 0.3) * W, ih = rng.uniform(0.05, 0.2) * H
            let x = rng.uniform(0, W - iw), y = rng.uniform(0, H - ih)
            ignore += [Float(x), Float(y), Float(x + iw), Float(y + ih)]
        }
        return GroundTruth(name: name, imageWidth: width, imageHeight: height, boxes: boxes, labels: labels, ignore: ignore)
    }

    static func denseObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String) -> GroundTruth {
        let g = logNormalCount(&rng, median: 140, sigma: 0.35, lo: 40, hi: 400)
        let W = Double(width), H = Double(height)
        let rows = 5 + rng.int(5)
        let rowH = H / Double(rows)
        var boxes: [Float] = [], labels: [Int32] = []
        var remaining = g
        for r in 0..<rows {
            let inRow = r == rows - 1 ? remaining : remaining / (rows - r)
            remaining -= inRow
            guard inRow > 0 else { continue }
            let slot = W / Double(inRow)
            let itemH = rowH * rng.uniform(0.6, 0.9)
            for k in 0..<inRow {
                let iw = slot * rng.uniform(0.75, 0.95)
                let ih = itemH * rng.uniform(0.9, 1.05)
                let cx = (Double(k) + 0.5) * slot + rng.normal() * slot * 0.03
                let bottom = (Double(r) + 0.95) * rowH
                let x1 = max(0, cx - iw / 2), x2 = min(W, cx + iw / 2)
                let y1 = max(0, bottom - ih), y2 = min(H, bottom)
                boxes += [Float(x1), Float(y1), Float(x2), Float(y2)]
                labels.append(0)
            }
        }
        return GroundTruth(name: name, imageWidth: width, imageHeight: height, boxes: boxes, labels: labels)
    }
}

/// A workload as a source of scenes: image `i` is `simulator.scene(workload.groundTruth(seed, i), i)`.
public struct WorkloadSource: SceneSource {
    public let workload: Workload
    public let count: Int
    public let seed: UInt64
    public let simulator: PredictionSimulator

    public init(_ workload: Workload, images: Int, seed: UInt64 = 0, quality: Double = 0.7) throws {
        guard images >= 0 else { throw LabelAssignError.invalidParameter(name: "images", reason: "must not be negative, got \(images)") }
        self.workload = workload
        self.count = images
        self.seed = seed
        self.simulator = try PredictionSimulator(strides: workload.strides, numClasses: workload.numClasses, quality: quality, seed: seed)
    }

    public var label: String { "workload \(workload.rawValue), \(count) images, seed \(seed), quality \(simulator.quality)" }

    public func scene(at index: Int) throws -> Scene {
        try simulator.scene(workload.groundTruth(seed: seed, index: index), index: index)
    }
}
