/// Every error the engine throws. Each names what is wrong and where.
public enum LabelAssignError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A value of an input field is invalid (NaN, infinite, out of range, inverted box, ...).
    case invalidValue(field: String, index: Int?, reason: String)
    /// Array lengths that must agree do not.
    case shapeMismatch(field: String, expected: Int, actual: Int)
    /// A required field is missing from a scene or problem file.
    case missingField(String)
    /// The file is not well-formed JSON (or not the expected structure).
    case malformedJSON(String)
    /// A file or directory could not be read or written.
    case io(String)
    /// An assigner preset name that does not exist.
    case unknownAssigner(name: String, known: [String])
    /// A configuration constant out of its domain.
    case invalidParameter(name: String, reason: String)
    /// The input asks for more than a limit of `ResourceLimits` allows: `resource` names what
    /// would be allocated or read, `requested` how much, `limit` the bound and `setting` the
    /// environment variable that raises it.
    case resourceExhausted(resource: String, requested: String, limit: String, setting: String)

    public var description: String {
        switch self {
        case let .invalidValue(field, index, reason):
            if let index { return "invalid \(field)[\(index)]: \(reason)" }
            return "invalid \(field): \(reason)"
        case let .shapeMismatch(field, expected, actual):
            return "\(field): expected \(expected) values, found \(actual)"
        case let .missingField(name):
            return "missing field '\(name)'"
        case let .malformedJSON(what):
            return "malformed JSON: \(what)"
        case let .io(what):
            return what
        case let .unknownAssigner(name, known):
            return "unknown assigner '\(name)'; known: \(known.isEmpty ? "(none yet)" : known.joined(separator: ", "))"
        case let .invalidParameter(name, reason):
            return "invalid parameter \(name): \(reason)"
        case let .resourceExhausted(resource, requested, limit, setting):
            return "\(resource) needs \(requested), above the limit of \(limit); set \(setting) to raise it"
        }
    }
}
