import LabelAssign

/// Syntax errors: the byte offset, the line and the key path of what is wrong.
extension JSONReader {
    /// A `malformedJSON` error for `what` at the current offset (or `offset`), recorded so that
    /// the containers it propagates through can add their key or index (`annotate`).
    public mutating func fail(_ what: String, at offset: Int? = nil) -> LabelAssignError {
        let at = min(offset ?? pos, bytes.count)
        var line = 1
        var i = 0
        while i < at { if bytes[i] == 0x0A { line += 1 }; i += 1 }
        var f = Failure(reason: what, offset: at, line: line, path: [], message: "")
        f.message = JSONReader.describe(f)
        failure = f
        return .malformedJSON(f.message)
    }

    /// `error` with `component` added to its key path when it is this reader's last syntax
    /// error; any other error unchanged. Containers call it as an error leaves them.
    public mutating func annotate(_ error: Error, _ component: PathComponent) -> Error {
        guard case let .malformedJSON(message)? = error as? LabelAssignError, var f = failure, f.message == message else { return error }
        f.path.append(component)
        f.message = JSONReader.describe(f)
        failure = f
        return LabelAssignError.malformedJSON(f.message)
    }

    /// The key path of the last syntax error, outermost first (`gt_bboxes[3][1]`), or "".
    public var failurePath: String { failure.map { JSONReader.render($0.path) } ?? "" }

    static func describe(_ f: Failure) -> String {
        let path = render(f.path)
        return "\(f.reason) at byte \(f.offset) (line \(f.line)\(path.isEmpty ? "" : ", in \(path)"))"
    }

    static func render(_ innermostFirst: [PathComponent]) -> String {
        var out = ""
        let outer = Array(innermostFirst.reversed())
        // A deep path keeps its outer 6 and inner 4 components.
        let shown = outer.count <= 12 ? outer : Array(outer.prefix(6)) + [.key("")] + Array(outer.suffix(4))
        for (i, c) in shown.enumerated() {
            if outer.count > 12 && i == 6 { out += "...(\(outer.count - 10) levels)..."; continue }
            switch c {
            case let .key(k):
                let shown = k.count > 64 ? String(k.prefix(64)) + "..." : k
                out += out.isEmpty ? shown : ".\(shown)"
            case let .index(i):
                out += "[\(i)]"
            }
        }
        return out
    }
}
