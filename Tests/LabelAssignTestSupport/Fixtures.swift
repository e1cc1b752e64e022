import Foundation
import LabelAssign
import LabelAssignIO

/// Locates the conformance fixtures: `$LABELASSIGN_FIXTURES` when set, else `Tests/Fixtures`.
///
/// `Tests/Fixtures` also holds the project's own extra reference cases (`*-ties.json[l]`,
/// `tal-variants.jsonl`, `mmdet-ignore.jsonl`), made with the same harness; a file that the
/// `$LABELASSIGN_FIXTURES` directory does not have is read from the repository copy.
public enum Fixtures {
    /// The repository's fixture directory.
    public static var repositoryDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }

    public static var directory: String {
        if let env = ProcessInfo.processInfo.environment["LABELASSIGN_FIXTURES"], !env.isEmpty { return env }
        return repositoryDirectory
    }

    public static func path(_ name: String) -> String {
        let primary = (directory as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: primary) { return primary }
        return (repositoryDirectory as NSString).appendingPathComponent(name)
    }

    /// A JSON fixture file parsed generically.
    public static func json(_ name: String) throws -> JSONValue {
        try parseJSON(SceneFile.bytes(of: path(name)))
    }

    /// Every scene fixture file, in name order.
    public static var sceneFiles: [String] {
        let dir = path("scenes")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { (dir as NSString).appendingPathComponent($0) }
    }

    /// Every scene fixture with its expectations, parsed once per test process.
    public static let scenes: [SceneFile.Entry] = {
        sceneFiles.flatMap { (try? SceneFile.readEntries($0)) ?? [] }
    }()

    /// The scenes whose `expected` has `key`, with that expectation.
    public static func scenes(expecting key: String) -> [(scene: Scene, expected: JSONValue)] {
        scenes.compactMap { e in e.extras["expected"]?[key].map { (e.scene, $0) } }
    }
}
