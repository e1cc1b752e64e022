import LabelAssign

/// A generic JSON value, for small documents (problem files, expectations).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }
    public var array: [JSONValue]? { if case let .array(a) = self { return a }; return nil }
    public var object: [String: JSONValue]? { if case let .object(o) = self { return o }; return nil }
    public var double: Double? { if case let .number(d) = self { return d }; return nil }
    public var string: String? { if case let .string(s) = self { return s }; return nil }
    /// A numeric array as Doubles (nil when not an array of numbers).
    public var doubles: [Double]? { array?.compactMap(\.double) }
    /// A numeric array as Floats.
    public var floats: [Float]? { doubles.map { $0.map(Float.init) } }
    /// A 2-D numeric array flattened row-major, with its row length (nil when ragged).
    public var matrix: (values: [Double], columns: Int)? {
        guard let rows = array else { return nil }
        var out: [Double] = []
        var width = -1
        for r in rows {
            guard let v = r.doubles, r.array?.count == v.count else { return nil }
            if width < 0 { width = v.count } else if width != v.count { return nil }
            out.append(contentsOf: v)
        }
        return (out, max(width, 0))
    }
}
