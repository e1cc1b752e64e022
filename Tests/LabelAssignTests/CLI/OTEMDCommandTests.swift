import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `labelassign ot` with `{"method": "emd", ...}`.
extension CommandLineTests {
    @Test func otSolvesExactTransport() throws {
        let path = try temporaryFile(#"{"method": "emd", "a": [2, 1], "b": [1, 2], "M": [[0, 1], [0, 5]]}"#)
        defer { TemporaryFiles.remove(path) }
        let r = try run(["ot", path])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let v = try parseJSON(Array(r.stdout.utf8))
        #expect(v["plan"]?.matrix?.values == [0, 2, 1, 0])
        #expect(v["cost"]?.double == 2)
    }

    @Test func otWarnsWhenNumItermaxIsReached() throws {
        var rows: [String] = []
        for i in 0..<8 {
            let entries: [String] = (0..<9).map { (j: Int) -> String in String(Double((i * 7 + j * 3) % 11) / 3) }
            rows.append("[" + entries.joined(separator: ",") + "]")
        }
        let text = #"{"method": "emd", "a": [], "b": [], "numItermax": 2, "M": ["# + rows.joined(separator: ",") + "]}"
        let path = try temporaryFile(text)
        defer { TemporaryFiles.remove(path) }
        let r = try run(["ot", path])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: numItermax reached before optimality"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try parseJSON(Array(r.stdout.utf8))["plan"]?.matrix?.values.count == 72)
        let bad = try temporaryFile(#"{"method": "emd", "a": [1], "b": [2], "M": [[1]]}"#)
        defer { TemporaryFiles.remove(bad) }
        let e = try run(["ot", bad])
        #expect(e.status == 1 && e.stderr.contains("sum(a)"), "\(e.stderr)")
    }
}
