import Foundation
import Testing

/// Every input of the fuzz target's seed corpus (`Fuzz/corpus/`) and every crasher it found
/// (`Fuzz/crashes/`, kept as regression inputs) goes through the parsers and assigners again:
/// no trap, and no broken property (`HardeningFuzzEntry`).
@Suite struct HardeningFuzzCorpusTests {
    static func inputs(_ directory: String) -> [URL] {
        let dir = Hardening.repositoryRoot.appendingPathComponent("Fuzz").appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test func theSeedCorpusIsThere() {
        #expect(Self.inputs("corpus").count >= 10)
    }

    @Test(arguments: ["corpus", "crashes"])
    func replay(directory: String) throws {
        for url in Self.inputs(directory) {
            let bytes = try [UInt8](Data(contentsOf: url))
            let violations = bytes.withUnsafeBufferPointer { HardeningFuzzEntry.run($0) }
            #expect(violations.isEmpty, "\(directory)/\(url.lastPathComponent): \(violations.prefix(3))")
        }
    }
}
