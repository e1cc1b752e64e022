import ArgumentParser
import Foundation
import LabelAssign

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time an assigner per image on scene files (median, min, max ms over repeats)."
    )

    @Argument(help: "Scene file, JSON-lines file or directory.")
    var scene: String

    @Option(name: .long, help: "Assigner preset.")
    var assigner: String

    @Option(name: .customLong("repeat"), help: "Timed repeats per image (after one warm-up run).")
    var repeats: Int = 10

    @Flag(name: .long, help: "Print one JSON object per image.")
    var json = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let made = try AssignerRegistry.make(assigner)
        let scenes = try SceneFile.read(scene)
        for s in scenes {
            _ = try made.assign(s)
            var times: [Double] = []
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try made.assign(s)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            if json {
                var w = JSONWriter()
                w.beginObject()
                w.key("assigner"); w.string(assigner)
                w.key("scene"); w.string(s.name)
                w.key("priors"); w.int(s.priorCount)
                w.key("objects"); w.int(s.gtCount)
                w.key("median_ms"); w.number(median)
                w.key("min_ms"); w.number(times.first!)
                w.key("max_ms"); w.number(times.last!)
                w.key("repeat"); w.int(repeats)
                w.endObject()
                print(w.text)
            } else {
                print(String(format: "%@ %@: %d priors, %d objects: median %.3f ms (min %.3f, max %.3f) over %d",
                             assigner, s.name, s.priorCount, s.gtCount, median, times.first!, times.last!, repeats))
            }
        }
    }
}
