import Foundation
import LabelAssign
import LabelAssignIO

/// Small helpers of the hardening tests (prefixed so they cannot clash with other test files).
enum Hardening {
    /// A 32×32 scene: strides 8 and 16 (16 + 4 priors), 3 classes, two objects, objectness.
    static func scene(gt: [Float] = [2, 2, 20, 18, 12, 10, 30, 28], labels: [Int32] = [0, 2]) -> Scene {
        let priors = try! PriorGrid.points(width: 32, height: 32, strides: [8, 16])
        let n = priors.count / 4
        var pred: [Float] = []
        var cls: [Float] = []
        var obj: [Float] = []
        for i in 0..<n {
            let cx = priors[4 * i], cy = priors[4 * i + 1]
            pred += [cx - 5, cy - 4, cx + 6, cy + 5]
            for c in 0..<3 { cls.append(Float((i * 7 + c * 3) % 11) / 2 - 4) }
            obj.append(Float(i % 5) - 2)
        }
        return Scene(name: "hardening", imageWidth: 32, imageHeight: 32, strides: [8, 16], numClasses: 3,
                     priors: priors, gtBoxes: gt, gtLabels: labels, predBoxes: pred, clsLogits: cls, objLogits: obj)
    }

    /// A three-level 64×64 scene (yolov5 needs one level per anchor set).
    static func threeLevelScene(gt: [Float] = [4, 6, 40, 30, 30, 30, 62, 60], labels: [Int32] = [1, 0]) -> Scene {
        let priors = try! PriorGrid.points(width: 64, height: 64, strides: [8, 16, 32])
        let n = priors.count / 4
        var pred: [Float] = [], cls: [Float] = [], obj: [Float] = []
        for i in 0..<n {
            let cx = priors[4 * i], cy = priors[4 * i + 1]
            pred += [cx - 7, cy - 6, cx + 8, cy + 7]
            cls += [Float(i % 7) - 4, Float(i % 3) - 2]
            obj.append(Float(i % 4) - 1)
        }
        return Scene(name: "hardening3", imageWidth: 64, imageHeight: 64, strides: [8, 16, 32], numClasses: 2,
                     priors: priors, gtBoxes: gt, gtLabels: labels, predBoxes: pred, clsLogits: cls, objLogits: obj)
    }

    /// The error's description, or nil when `body` does not throw.
    static func error(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as LabelAssignError { return e.description } catch { return "untyped: \(error)" }
    }

    /// The typed error, or nil.
    static func typedError(_ body: () throws -> Void) -> LabelAssignError? {
        do { try body(); return nil } catch { return error as? LabelAssignError }
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("la-hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Writes `bytes` to a new temporary file with `suffix`.
    static func temporaryFile(_ bytes: [UInt8], suffix: String = ".json") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("la-hardening-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url.path
    }

    static func temporaryFile(_ text: String, suffix: String = ".json") throws -> String {
        try temporaryFile(Array(text.utf8), suffix: suffix)
    }

    /// The repository root (for `Fuzz/`).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `[[`…`]]` nested `depth` levels, inside `prefix` / `suffix`.
    static func nested(_ depth: Int, prefix: String = "", suffix: String = "") -> [UInt8] {
        Array(prefix.utf8) + [UInt8](repeating: 0x5B, count: depth) + [UInt8](repeating: 0x5D, count: depth) + Array(suffix.utf8)
    }
}

/// The `labelassign` executable run as a user would.
enum HardeningCLI {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    /// The built executable, found as the command-line tests find it.
    static var executable: String? { CommandLineTests.executable }

    /// Runs the tool with `arguments`, `stdin` on its standard input and `environment` added.
    static func run(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:]) throws -> Run {
        guard let path = executable else { throw LabelAssignError.io("labelassign executable not found next to \(CommandLine.arguments[0])") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }
}
