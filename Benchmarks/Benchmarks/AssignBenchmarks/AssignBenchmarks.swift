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
///   to include it.
/// - `sinkhorn`: OTA's dense fixed-iteration Sinkhorn (ε 0.1, 50 iterations) on the full
///   (G + 1) × N OTA problem of the scene (the preset `ota` itself iterates on candidates only);
///   same sizes and the same exclusion as the presets.
/// - `linearAssignment` on random uniform 300×300 and 1000×1000 matrices (Float64), the sizes
///   of scipy's `linear_sum_assignment` comparison.
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
}
