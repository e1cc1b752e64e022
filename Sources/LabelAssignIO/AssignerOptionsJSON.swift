import LabelAssign

/// Assigner options as text: a JSON options object (`{"topk": 13, "neg_iou_thr": [0, 0.4]}`),
/// one `name=value` setting, or a preset with options (`atss(topk=5,ignore_iof_thr=0.5)`).
public enum AssignerOptionsJSON {
    /// The name → value pairs of a JSON options object, in key order. Values are numbers,
    /// booleans, `null`, strings, or arrays of them; anything else is `invalidParameter` naming the key.
    public static func parse(_ text: String) throws -> [(String, OptionValue)] {
        try parse(parseJSON(Array(text.utf8)))
    }

    /// The pairs of an already parsed options object.
    public static func parse(_ root: JSONValue) throws -> [(String, OptionValue)] {
        guard let object = root.object else {
            throw LabelAssignError.malformedJSON("assigner options must be a JSON object of name: value pairs")
        }
        return try object.keys.sorted().map { key in (key, try value(object[key]!, option: key)) }
    }

    /// The options object of file `path` (`-` for standard input).
    public static func read(_ path: String) throws -> [(String, OptionValue)] {
        try InputFile.withBytes(of: path) { try parse(parseJSON($0)) }
    }

    /// One `name=value` setting. The value is read as JSON (`13`, `0.5`, `true`, `null`,
    /// `[0, 0.4]`, `"mmdet"`); anything else is taken as a bare string (`mmdet`).
    public static func setting(_ text: String) throws -> (String, OptionValue) {
        guard let eq = text.firstIndex(of: "=") else {
            throw LabelAssignError.invalidParameter(name: text, reason: "expected name=value")
        }
        let name = String(text[..<eq]).trimmed, raw = String(text[text.index(after: eq)...]).trimmed
        guard !name.isEmpty else { throw LabelAssignError.invalidParameter(name: text, reason: "expected name=value, the name is empty") }
        guard !raw.isEmpty else { throw LabelAssignError.invalidParameter(name: name, reason: "no value after '='") }
        if let json = try? parseJSON(Array(raw.utf8)) { return (name, try value(json, option: name)) }
        return (name, .string(raw))
    }

    /// A preset spelled `name` or `name(option=value,...)`: its name and its settings.
    public static func spec(_ text: String) throws -> (preset: String, options: [(String, OptionValue)]) {
        let t = text.trimmed
        guard let open = t.firstIndex(of: "(") else { return (t, []) }
        guard t.hasSuffix(")") else {
            throw LabelAssignError.invalidParameter(name: "assigners", reason: "'\(t)' opens '(' without a closing ')' at the end")
        }
        let name = String(t[..<open]).trimmed
        let inner = String(t[t.index(after: open)..<t.index(before: t.endIndex)])
        let settings = try splitTopLevel(inner).map(setting)
        return (name, settings)
    }

    /// Splits `text` at the commas outside parentheses, brackets and quotes; empty parts are dropped.
    public static func splitTopLevel(_ text: String) throws -> [String] {
        var parts: [String] = [], current = "", depth = 0, quoted = false
        for ch in text {
            if quoted {
                current.append(ch)
                if ch == "\"" { quoted = false }
                continue
            }
            switch ch {
            case "\"": quoted = true
            case "(", "[": depth += 1
            case ")", "]":
                depth -= 1
                guard depth >= 0 else { throw LabelAssignError.invalidParameter(name: "assigners", reason: "unbalanced '\(ch)' in '\(text)'") }
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(ch)
        }
        guard depth == 0, !quoted else { throw LabelAssignError.invalidParameter(name: "assigners", reason: "unbalanced brackets in '\(text)'") }
        parts.append(current)
        return parts.map(\.trimmed).filter { !$0.isEmpty }
    }

    /// `value` as JSON; float32 defaults keep their short spelling (0.4, not 0.4000000059604645).
    public static func json(_ value: OptionValue) -> JSONValue {
        switch value {
        case .null: return .null
        case let .bool(b): return .bool(b)
        case let .number(d):
            if let f = Float(exactly: d), let short = Double(JSONWriter.format(f)), Float(short) == f { return .number(short) }
            return .number(d)
        case let .string(s): return .string(s)
        case let .list(l): return .array(l.map(json))
        }
    }

    static func value(_ v: JSONValue, option: String) throws -> OptionValue {
        switch v {
        case .null: return .null
        case let .bool(b): return .bool(b)
        case let .number(d): return .number(d)
        case let .string(s): return .string(s)
        case let .array(a): return .list(try a.map { try value($0, option: option) })
        case .object: throw LabelAssignError.invalidParameter(name: option, reason: "a value cannot be an object")
        }
    }
}

extension AssignerRegistry {
    /// The preset `name` with the options of the JSON object `optionsJSON` (an empty string or
    /// `{}` for none): the entry point of the C ABI.
    public static func make(_ name: String, optionsJSON: String) throws -> any Assigner {
        let trimmed = optionsJSON.trimmed
        return try make(name, options: trimmed.isEmpty ? [] : AssignerOptionsJSON.parse(trimmed))
    }

    /// The preset spelled `name` or `name(option=value,...)`.
    public static func make(spec: String) throws -> any Assigner {
        let s = try AssignerOptionsJSON.spec(spec)
        return try make(s.preset, options: s.options)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
