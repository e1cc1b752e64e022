import Foundation
import LabelAssign
import LabelAssignIO

/// One fixture scene with the expectation of one reference key.
public struct FixtureCase: Sendable {
    public var scene: Scene
    public var expected: JSONValue
    /// The fixture file the scene came from, relative to the fixture directory.
    public var file: String
}

/// The conformance fixtures: `$LABELASSIGN_FIXTURES` when set, else `Tests/Fixtures`.
///
/// `Tests/Fixtures` also holds the project's own extra reference cases (`*-ties.json[l]`,
/// `tal-variants.jsonl`, `mmdet-ignore.jsonl`, `anchors.jsonl`), made with the same harness; a file that the
/// `$LABELASSIGN_FIXTURES` directory does not have is read from the repository copy.
///
/// Every loader throws: a listed file that is missing or does not parse fails the test that
/// reads it, naming the file. `expectedFiles` lists every file the suite reads; a test checks
/// that the repository's fixture directory holds exactly those.
public enum Fixtures {
    // MARK: - The expected files

    /// The scene fixtures (`scenes/`), one image each, in name order.
    public static let sceneFileNames: [String] = [
        "scene-coco-1.json", "scene-coco-10.json", "scene-coco-11.json", "scene-coco-12.json",
        "scene-coco-2.json", "scene-coco-3.json", "scene-coco-31.json", "scene-coco-32.json",
        "scene-coco-4.json", "scene-coco-5.json", "scene-coco-6.json", "scene-coco-7.json",
        "scene-coco-8.json", "scene-coco-9.json", "scene-crowd-20.json", "scene-crowd-21.json",
        "scene-crowd-22.json", "scene-sku-30.json",
    ]

    /// The other fixture files: overlap and transport problems, and the extra reference cases.
    public static let otherFileNames: [String] = [
        "iou.json", "sinkhorn.json", "emd.json", "ota-plan.json", "hungarian.json", "hungarian-ties.json", "transport-options.json",
        "atss-distance-ties.jsonl", "mmdet-ignore.jsonl", "options.jsonl", "tal-variants.jsonl", "tal-zero-ties.jsonl",
        "anchors.jsonl", "anchors-fractional.jsonl", "anchors-fractional-13.safetensors",
    ]

    /// Every fixture file the suite reads, relative to the fixture directory.
    public static var expectedFiles: [String] { sceneFiles + otherFileNames }

    /// The scene fixtures, relative to the fixture directory (`scenes/NAME`).
    public static var sceneFiles: [String] { sceneFileNames.map { "scenes/" + $0 } }

    // MARK: - Locations

    /// The repository's fixture directory.
    public static var repositoryDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }

    /// `$LABELASSIGN_FIXTURES` when set, else the repository's fixture directory.
    public static var directory: String {
        if let env = ProcessInfo.processInfo.environment["LABELASSIGN_FIXTURES"], !env.isEmpty { return env }
        return repositoryDirectory
    }

    /// The path of fixture file `name`: in `directory` when it is there, else in the repository copy.
    public static func path(_ name: String) -> String {
        let primary = (directory as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: primary) { return primary }
        return (repositoryDirectory as NSString).appendingPathComponent(name)
    }

    // MARK: - Loaders

    /// A JSON fixture file parsed generically.
    public static func json(_ name: String) throws -> JSONValue {
        try parseJSON(SceneFile.bytes(of: path(name)))
    }

    /// A JSON fixture file holding a list (`iou.json`, `sinkhorn.json`, ...).
    public static func list(_ name: String) throws -> [JSONValue] {
        guard let items = try json(name).array else { throw LabelAssignError.io("\(name): not a JSON list") }
        return items
    }

    /// The scenes of one scene file (`.json` or `.jsonl`) with their uninterpreted keys.
    public static func entries(_ name: String) throws -> [SceneFile.Entry] {
        try SceneFile.readEntries(path(name))
    }

    /// Every scene fixture (`sceneFiles`) with its expectations, parsed once per test process.
    public static func scenes() throws -> [SceneFile.Entry] {
        try loadedScenes.get().map(\.entry)
    }

    /// The scenes of `file` (default: every scene fixture) whose `expected` holds `key`, with
    /// that expectation.
    public static func scenes(expecting key: String, in file: String? = nil) throws -> [FixtureCase] {
        let loaded: [(file: String, entry: SceneFile.Entry)] = try file.map { f in try entries(f).map { (f, $0) } } ?? loadedScenes.get()
        return loaded.compactMap { f, e in
            e.extras["expected"]?[key].map { FixtureCase(scene: e.scene, expected: $0, file: f) }
        }
    }

    /// The first scene fixture that satisfies `condition`.
    public static func firstScene(where condition: (Scene) -> Bool = { _ in true }) throws -> Scene {
        guard let s = try scenes().first(where: { condition($0.scene) })?.scene else {
            throw LabelAssignError.io("no fixture scene satisfies the condition")
        }
        return s
    }

    private static let loadedScenes: Result<[(file: String, entry: SceneFile.Entry)], any Error> = Result {
        try sceneFiles.flatMap { file in try entries(file).map { (file, $0) } }
    }
}
