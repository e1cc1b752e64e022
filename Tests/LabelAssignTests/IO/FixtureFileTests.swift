import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The fixture files the suite reads: all present, all readable, none unlisted.
@Suite struct FixtureFileTests {
    @Test func repositoryHoldsExactlyTheListedFiles() throws {
        let root = Fixtures.repositoryDirectory
        let top = try FileManager.default.contentsOfDirectory(atPath: root)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") || $0.hasSuffix(".safetensors") }
        let scenes = try FileManager.default.contentsOfDirectory(atPath: (root as NSString).appendingPathComponent("scenes"))
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
        #expect(Set(top) == Set(Fixtures.otherFileNames))
        #expect(Set(scenes) == Set(Fixtures.sceneFileNames))
        #expect(Set(Fixtures.expectedFiles).count == Fixtures.expectedFiles.count)
    }

    /// Every listed file parses: scene files as scenes with expectations, the others as JSON.
    @Test(arguments: Fixtures.expectedFiles)
    func listedFileReads(_ name: String) throws {
        #expect(FileManager.default.fileExists(atPath: Fixtures.path(name)), "\(name) is missing")
        if name.hasSuffix(".safetensors") {
            #expect(try SceneFile.read(Fixtures.path(name)).count == 1)
        } else if name.hasPrefix("scenes/") || name.hasSuffix(".jsonl") {
            let entries = try Fixtures.entries(name)
            #expect(!entries.isEmpty)
            #expect(entries.allSatisfy { $0.extras["expected"]?.object?.isEmpty == false }, "\(name): a scene without expectations")
        } else {
            #expect(try Fixtures.json(name) != .null)
        }
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: LabelAssignError.self) { try Fixtures.entries("scenes/no-such-scene.json") }
        #expect(throws: LabelAssignError.self) { try Fixtures.json("no-such-file.json") }
    }
}
