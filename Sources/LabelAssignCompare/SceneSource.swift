import LabelAssign
import LabelAssignIO

/// A source of scenes read one at a time by index (so batches can run in parallel without
/// holding every scene in memory).
public protocol SceneSource: Sendable {
    /// Number of images.
    var count: Int { get }
    /// A one-line description for reports.
    var label: String { get }
    /// The scene of image `index` (`0..<count`); deterministic.
    func scene(at index: Int) throws -> Scene
}

/// Scenes already in memory (scene files, tests).
public struct SceneListSource: SceneSource {
    public let scenes: [Scene]
    public let label: String

    public init(_ scenes: [Scene], label: String = "scenes") {
        self.scenes = scenes
        self.label = label
    }

    /// Every scene of a scene file, JSON-lines file or directory (validated).
    public init(path: String) throws {
        self.init(try SceneFile.read(path), label: path)
    }

    public var count: Int { scenes.count }
    public func scene(at index: Int) throws -> Scene { scenes[index] }
}
