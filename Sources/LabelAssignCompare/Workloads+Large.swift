#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The large-image workloads (`aerial`, `stress`): many small objects at 1280 px.
extension Workload {
    /// A band of object sides: its share of the objects and the log-uniform range of `√area`.
    struct SizeBand {
        let share: Double
        let low: Double, high: Double
    }

    /// VisDrone-like objects: mean 53 per image (log-normal, median 32, σ 1, clamped to [1, 900]);
    /// classes as VisDrone's 10 (0 pedestrian 20 %, 3 car 40 %, the other 8 sharing the rest).
    static func aerialObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String) -> GroundTruth {
        let g = logNormalCount(&rng, median: 32, sigma: 1, lo: 1, hi: 900)
        let bands = [SizeBand(share: 0.70, low: 4, high: 32), SizeBand(share: 0.25, low: 32, high: 96), SizeBand(share: 0.05, low: 96, high: 320)]
        return placedObjects(&rng, width: width, height: height, name: name, count: g, bands: bands) { rng in
            let u = rng.uniform()
            if u < 0.4 { return 3 }
            if u < 0.6 { return 0 }
            let others: [Int32] = [1, 2, 4, 5, 6, 7, 8, 9]
            return others[rng.int(others.count)]
        }
    }

    /// Stress objects: `count` (default uniform in [1000, 5000]) boxes of side log-uniform in
    /// [4, 64), 80 classes uniform.
    public static func stressObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String, count: Int?) -> GroundTruth {
        let g = count ?? 1000 + rng.int(4001)
        return placedObjects(&rng, width: width, height: height, name: name, count: g, bands: [SizeBand(share: 1, low: 4, high: 64)]) { rng in
            Int32(rng.int(80))
        }
    }

    /// `count` boxes inside the image: side from the bands (scaled by `min(W, H) / 1280`), aspect
    /// log-uniform in [1/3, 3], centre uniform where the box fits.
    static func placedObjects(_ rng: inout Xoshiro256, width: Int, height: Int, name: String, count: Int,
                              bands: [SizeBand], label: (inout Xoshiro256) -> Int32) -> GroundTruth {
        let W = Double(width), H = Double(height), scale = min(W, H) / 1280
        var boxes: [Float] = [], labels: [Int32] = []
        boxes.reserveCapacity(4 * count)
        labels.reserveCapacity(count)
        for _ in 0..<count {
            var u = rng.uniform(), band = bands[bands.count - 1]
            for b in bands { if u < b.share { band = b; break }; u -= b.share }
            let side = exp(rng.uniform(log(band.low), log(band.high))) * scale
            let aspect = exp(rng.uniform(log(1.0 / 3), log(3.0)))
            let bw = min(W, side * aspect.squareRoot()), bh = min(H, side / aspect.squareRoot())
            let cx = rng.uniform(bw / 2, W - bw / 2), cy = rng.uniform(bh / 2, H - bh / 2)
            boxes += [Float(cx - bw / 2), Float(cy - bh / 2), Float(cx + bw / 2), Float(cy + bh / 2)]
            labels.append(label(&rng))
        }
        return GroundTruth(name: name, imageWidth: width, imageHeight: height, boxes: boxes, labels: labels)
    }
}
