import ArgumentParser
import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Read and validate scene files; print a summary line per scene and the parse time.",
        discussion: """
        Scenes are JSON, JSON lines or safetensors files (.safetensors), or directories of them.
        --write OUT writes every scene read: OUT.safetensors (one scene), OUT.json / OUT.jsonl
        (JSON), or a directory OUT of NAME.safetensors files, one per scene.
        """
    )

    @Argument(help: "Scene files (.json, .jsonl, .safetensors) or directories (- for standard input).")
    var paths: [String]

    @Option(name: .customLong("write"), help: ArgumentHelp("Write the scenes read: a .safetensors file (one scene), a .json/.jsonl file, or a directory of .safetensors files.", valueName: "OUT"))
    var output: String?

    func run() throws {
        var all: [Scene] = []
        for path in paths {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let scenes = try SceneFile.read(path)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            for s in scenes {
                let strides = s.strides.map { $0 == $0.rounded() ? String(Int($0)) : "\($0)" }.joined(separator: ", ")
                print("\(s.name): \(s.imageWidth)x\(s.imageHeight), strides [\(strides)], \(s.numClasses) classes, \(s.priorCount) priors, \(s.gtCount) objects, \(s.ignoreCount) ignore regions")
            }
            print(String(format: "%@: %d scene(s) valid, read in %.1f ms", path, scenes.count, ms))
            if output != nil { all += scenes }
        }
        if let output { try Self.write(all, to: output) }
    }

    /// Writes `scenes` to `path` as `--write` describes.
    static func write(_ scenes: [Scene], to path: String) throws {
        if path.hasSuffix(SafetensorsScene.fileExtension) {
            guard scenes.count == 1 else {
                throw ValidationError("--write \(path): a safetensors file holds one scene, \(scenes.count) were read; give a directory")
            }
            try SafetensorsScene.write(scenes[0], to: path)
        } else if path.hasSuffix(".json") || path.hasSuffix(".jsonl") {
            try SceneFile.write(scenes, to: path)
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LabelAssignError.io("\(path): cannot create the directory")
            }
            var names = Set<String>()
            for s in scenes {
                guard names.insert(s.name).inserted else { throw LabelAssignError.io("--write \(path): two scenes are named \(s.name)") }
                try SafetensorsScene.write(s, to: (path as NSString).appendingPathComponent(s.name + SafetensorsScene.fileExtension))
            }
        }
        print("wrote \(scenes.count) scene(s) to \(path)")
    }
}
