import ArgumentParser
import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time an assigner per image on scene files or a workload (median, min, max ms over repeats), then its throughput.",
        discussion: """
        Per image: one warm-up run, then --repeat timed runs (images in parallel on --threads workers, one
        image per worker at a time). Then the throughput: the whole batch assigned once more on --threads
        workers, images per second of wall time. --json prints one object per image
        ({"assigner", "scene", "priors", "objects", "median_ms", "min_ms", "max_ms", "repeat"}) and a last
        object with "images_per_s".
        """
    )

    @OptionGroup var sourceOptions: SceneSourceOptions

    @Option(name: .long, help: "Assigner preset, optionally with options: atss(topk=5,ignore_iof_thr=0.5).")
    var assigner: String

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Timed repeats per image (after one warm-up run).")
    var repeats: Int = 10

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (images in parallel).")
    var threads: Int = 1

    @Flag(name: .long, help: "Print one JSON object per image.")
    var json = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeat must be at least 1, got \(repeats)") }
        guard repeats <= 1_000_000 else { throw ValidationError("--repeat must be at most 1000000, got \(repeats)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    struct ImageTiming: Sendable {
        var name: String, priors: Int, objects: Int, times: [Double]
    }

    func run() throws {
        let made = try AssignerRegistry.make(spec: assigner)
        if let n = sourceOptions.images { try ResourceLimits.checkImages("bench --images", count: n) }
        let source = try sourceOptions.source(defaultWorkload: nil, defaultImages: 16)
        try ResourceLimits.checkImages("bench of \(source.label)", count: source.count)
        guard source.count > 0 else { throw LabelAssignError.invalidParameter(name: "images", reason: "\(source.label) has no images") }
        // Scenes are built and prepared once, outside the timed region.
        let scenes = try (0..<source.count).map { try PreparedScene(source.scene(at: $0)) }
        let repeats = self.repeats
        let results: [Result<ImageTiming, LabelAssignError>] = try BLASThreads.single {
            try Parallel.map(count: scenes.count, threads: threads) { i in
                let prepared = scenes[i], s = prepared.scene
                do {
                    _ = try made.assign(prepared)
                    var times: [Double] = []
                    for _ in 0..<repeats {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        _ = try made.assign(prepared)
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    }
                    return .success(ImageTiming(name: s.name, priors: s.priorCount, objects: s.gtCount, times: times.sorted()))
                } catch let e as LabelAssignError {
                    return .failure(.io("\(s.name): \(e)"))
                } catch {
                    return .failure(.io("\(s.name): \(error)"))
                }
            }
        }
        for r in results {
            let t = try r.get()
            let times = t.times
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.key("assigner"); w.string(assigner)
                w.key("scene"); w.string(t.name)
                w.key("priors"); w.int(t.priors)
                w.key("objects"); w.int(t.objects)
                w.key("median_ms"); w.number(median)
                w.key("min_ms"); w.number(times.first!)
                w.key("max_ms"); w.number(times.last!)
                w.key("repeat"); w.int(repeats)
                w.endObject()
                print(w.text)
            } else {
                print(String(format: "%@ %@: %d priors, %d objects: median %.3f ms (min %.3f, max %.3f) over %d",
                             assigner, t.name, t.priors, t.objects, median, times.first!, times.last!, repeats))
            }
        }
        // Throughput over the batch at the requested thread count.
        let t0 = DispatchTime.now().uptimeNanoseconds
        let failures = try BLASThreads.single {
            try Parallel.map(count: scenes.count, threads: threads) { i in (try? made.assign(scenes[i])) == nil ? 1 : 0 }
        }.reduce(0, +)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let rate = wall > 0 ? Double(scenes.count) / wall : 0
        if json {
            var w = JSONWriter()
            w.beginObject()
            w.key("assigner"); w.string(assigner)
            w.key("images"); w.int(scenes.count)
            w.key("threads"); w.int(threads)
            w.key("wall_s"); w.number(wall)
            w.key("images_per_s"); w.number(rate)
            w.endObject()
            print(w.text)
        } else {
            print(String(format: "%@: throughput %.1f images/s on %d thread%@ (%d images in %.3f s)",
                         assigner, rate, threads, threads == 1 ? "" : "s", scenes.count, wall))
        }
        if failures > 0 { throw LabelAssignError.io("\(failures) image(s) failed during the throughput run") }
    }
}
