import Benchmark
import Foundation
import LabelAssign
import LabelAssignCompare

/// The benchmark matrix: priors (image side at strides 8/16/32) by objects.
///
/// - 2,100 priors = 320×320, 8,400 = 640×640, 33,600 = 1280×1280; 10, 100 and 1000 COCO-sized objects
///   (scaled to the image side) with predictions simulated at quality 0.7 (`PredictionSimulator`).
/// - `pairwiseIoU` (objects × predicted boxes) at every size; every registered preset at every size
///   except 33,600 priors × 1000 objects, where the heavier strategies (OTA's Sinkhorn, Hungarian
///   matching, SimOTA's dynamic-k cost) take seconds per iteration: set `LABELASSIGN_BENCH_LARGE=1`
///   to include it; `ota-exact` (the dense exact solve) also skips 1000 objects on 8,400 priors
///   unless it is set.
/// - `sinkhorn`: OTA's dense fixed-iteration Sinkhorn (ε 0.1, 50 iterations) on the full
///   (G + 1) × N OTA problem of the scene (the preset `ota` itself iterates on candidates only);
///   same sizes and the same exclusion as the presets.
/// - `linearAssignment` on random uniform 300×300 and 1000×1000 matrices (Float64), the sizes
///   of scipy's `linear_sum_assignment` comparison.
/// - `emd` (`ExactTransport`, POT's network simplex, Float64) on the problems that
///   `tools/reference/bench_emd.py` times POT's `ot.emd` on (the same SplitMix64 generator on
///   both sides, so the input is bit-identical): random 100×1000, 300×3000 and 101×8400
///   problems, OTA-shaped 11×8400 and 101×8400 ones (1e6 penalties, 10–30 valid priors per
///   object, integer supplies, unit demands), and OTA's own transport problem of the 8,400-prior
///   scenes with 10 and 100 objects.
/// - `stress`: every preset on the `stress` workload's objects (side 4–64 px, 80 classes) at
///   33,600 priors (1280×1280) with 1,000 and 5,000 objects, at most 3 iterations after none of
///   warm-up, recording peak resident memory per preset; `hungarian` and `ota-exact` (dense
///   objects × priors problems: 1.3 GB of float64 cost at 5,000 objects), and the SimOTA and DSL
///   presets at 5,000 objects (their objects × candidates matrices need 1.1–1.2 GiB, past the
///   buffer limit), only with `LABELASSIGN_BENCH_LARGE=1` (and `LABELASSIGN_MAX_BUFFER_BYTES=4G`).
/// - Each benchmark runs at most 2 s or 50 iterations and records wall time and mallocs.
/// Scenes are built in each benchmark's setup, outside the measurement.
let priorSides: [(priors: Int, side: Int)] = [(2_100, 320), (8_400, 640), (33_600, 1_280)]
let objectCounts = [10, 100, 1_000]

func benchScene(side: Int, objects: Int) -> Scene {
    var rng = Xoshiro256(seed: 2026, index: side * 10_000 + objects, stream: 1)
    let gt = Workload.cocoObjects(&rng, width: side, height: side, name: "bench-\(side)-\(objects)", count: objects)
    let sim = try! PredictionSimulator(strides: [8, 16, 32], numClasses: 80, quality: 0.7, seed: 2026)
    return try! sim.scene(gt, index: objects)
}

/// A 1280×1280 scene of `objects` stress-workload objects, predictions at quality 0.7.
func stressScene(objects: Int) -> Scene {
    var rng = Xoshiro256(seed: 2026, index: objects, stream: 3)
    let gt = Workload.stressObjects(&rng, width: 1_280, height: 1_280, name: "stress-\(objects)", count: objects)
    let sim = try! PredictionSimulator(strides: [8, 16, 32], numClasses: 80, quality: 0.7, seed: 2026)
    return try! sim.scene(gt, index: objects)
}

/// SplitMix64 uniforms `(z >> 11) / 2^53`, as `tools/reference/bench_emd.py` draws them.
struct EMDProblemGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Costs U(0, 1), then row and column masses 0.5 + 1.5 U, each divided by its sum.
    static func random(rows: Int, columns: Int, seed: UInt64) -> (a: [Double], b: [Double], cost: [Double]) {
        var g = EMDProblemGenerator(state: seed)
        let cost = (0..<(rows * columns)).map { _ in g.uniform() }
        let a = (0..<rows).map { _ in 0.5 + 1.5 * g.uniform() }, b = (0..<columns).map { _ in 0.5 + 1.5 * g.uniform() }
        let sa = a.reduce(0, +), sb = b.reduce(0, +)
        return (a.map { $0 / sa }, b.map { $0 / sb }, cost)
    }

    /// OTA's shape: object rows 1e6 + 6 U, 10–30 valid priors per object at 6 U, a background
    /// row 3 U, supplies 1–10 per object and the rest for the background, unit demands.
    static func otaShaped(objects: Int, priors n: Int, seed: UInt64) -> (a: [Double], b: [Double], cost: [Double]) {
        var g = EMDProblemGenerator(state: seed)
        var cost = (0..<(objects * n)).map { _ in 1e6 + 6 * g.uniform() }
        for o in 0..<objects {
            for _ in 0..<(10 + g.below(21)) {
                let j = g.below(n)
                cost[o * n + j] = 6 * g.uniform()
            }
        }
        cost += (0..<n).map { _ in 3 * g.uniform() }
        var a = (0..<objects).map { _ in Double(1 + g.below(10)) }
        a.append(Double(n) - a.reduce(0, +))
        return (a, [Double](repeating: 1, count: n), cost)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(2),
        maxIterations: 50
    )
    let large = ProcessInfo.processInfo.environment["LABELASSIGN_BENCH_LARGE"] == "1"

    for (priors, side) in priorSides {
        for objects in objectCounts {
            let tag = "\(priors) priors, \(objects) objects"
            Benchmark("pairwiseIoU \(tag)") { benchmark, scene in
                for _ in benchmark.scaledIterations {
                    blackHole(try! pairwiseIoU(scene.gtBoxes, scene.predBoxes))
                }
            } setup: {
                benchScene(side: side, objects: objects)
            }
            if priors == 33_600 && objects == 1_000 && !large { continue }
            Benchmark("sinkhorn \(tag)") { benchmark, problem in
                for _ in benchmark.scaledIterations {
                    blackHole(try! Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu))
                }
            } setup: {
                try! OTAAssigner().transportProblem(benchScene(side: side, objects: objects))
            }
            for preset in AssignerRegistry.presets {
                let assigner = preset.make()
                // The exact OTA solves the dense (G + 1) × N problem: 1000 objects on 8,400 or
                // more priors take seconds per iteration.
                if assigner is ExactOTAAssigner && objects == 1_000 && priors > 2_100 && !large { continue }
                Benchmark("\(preset.name) \(tag)") { benchmark, scene in
                    for _ in benchmark.scaledIterations {
                        blackHole(try! assigner.assign(scene))
                    }
                } setup: {
                    try! PreparedScene(benchScene(side: side, objects: objects))
                }
            }
        }
    }

    let stress = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
                                         warmupIterations: 0, maxDuration: .seconds(10), maxIterations: 3)
    for objects in [1_000, 5_000] {
        for preset in AssignerRegistry.presets {
            let assigner = preset.make()
            if (assigner is ExactOTAAssigner || assigner is HungarianMatcher) && !large { continue }
            // SimOTA's and DSL's objects × candidates matrices pass the 1 GiB buffer limit at 5,000 objects.
            let dynamicK = assigner is SimOTAAssigner || assigner is DynamicSoftLabelAssigner
            if dynamicK && objects == 5_000 && !large { continue }
            Benchmark("stress \(preset.name) 33600 priors, \(objects) objects", configuration: stress) { benchmark, scene in
                for _ in benchmark.scaledIterations {
                    blackHole(try! assigner.assign(scene))
                }
            } setup: {
                try! PreparedScene(stressScene(objects: objects))
            }
        }
    }

    for size in [300, 1_000] {
        Benchmark("linearAssignment \(size)x\(size)") { benchmark, cost in
            for _ in benchmark.scaledIterations {
                blackHole(try! LinearAssignment.solve(cost: cost, rows: size, cols: size))
            }
        } setup: {
            var rng = Xoshiro256(seed: 7, index: size, stream: 2)
            return (0..<(size * size)).map { _ in rng.uniform() }
        }
    }

    typealias EMDProblem = (a: [Double], b: [Double], cost: [Double])
    @Sendable func otaProblem(objects: Int) -> EMDProblem {
        let p = try! OTAAssigner().transportProblem(benchScene(side: 640, objects: objects))
        return (p.mu.map(Double.init), p.nu.map(Double.init), p.cost.map(Double.init))
    }
    let emdProblems: [(name: String, make: @Sendable () -> EMDProblem)] = [
        ("random 100x1000", { EMDProblemGenerator.random(rows: 100, columns: 1_000, seed: 1) }),
        ("random 300x3000", { EMDProblemGenerator.random(rows: 300, columns: 3_000, seed: 2) }),
        ("random 101x8400", { EMDProblemGenerator.random(rows: 101, columns: 8_400, seed: 3) }),
        ("OTA-shaped 11x8400", { EMDProblemGenerator.otaShaped(objects: 10, priors: 8_400, seed: 5) }),
        ("OTA-shaped 101x8400", { EMDProblemGenerator.otaShaped(objects: 100, priors: 8_400, seed: 4) }),
        ("OTA 8400 priors, 10 objects", { otaProblem(objects: 10) }),
        ("OTA 8400 priors, 100 objects", { otaProblem(objects: 100) }),
    ]
    for problem in emdProblems {
        Benchmark("emd \(problem.name)") { benchmark, p in
            for _ in benchmark.scaledIterations {
                blackHole(try! ExactTransport().solve(a: p.a, b: p.b, cost: p.cost))
            }
        } setup: {
            problem.make()
        }
    }
}
