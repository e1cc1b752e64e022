import ArgumentParser
import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Read and validate scene files; print a summary line per scene and the parse time."
    )

    @Argument(help: "Scene files, JSON-lines files or directories (- for standard input).")
    var paths: [String]

    func run() throws {
        for path in paths {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let scenes = try SceneFile.read(path)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            for s in scenes {
                print("\(s.name): \(s.imageWidth)x\(s.imageHeight), strides [\(s.strides.map { $0 == $0.rounded() ? String(Int($0)) : "\($0)" }.joined(separator: ", "))], \(s.numClasses) classes, \(s.priorCount) priors, \(s.gtCount) objects, \(s.ignoreCount) ignore regions")
            }
            print(String(format: "%@: %d scene(s) valid, read in %.1f ms", path, scenes.count, ms))
        }
    }
}
