import Foundation

/// Files and directories under the system's temporary directory, named uniquely; the caller removes them.
public enum TemporaryFiles {
    /// A new empty directory.
    public static func directory(prefix: String = "la-test") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A new file holding `text`.
    public static func file(_ text: String, prefix: String = "la-test", suffix: String = ".json") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)").path
        try write(text, to: path)
        return path
    }

    /// Writes `text` (UTF-8) to `path`.
    public static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Removes `path`, ignoring a missing file.
    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
