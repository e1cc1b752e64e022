/// A value given to an assigner option: what a JSON options object or `--set name=value` holds.
public enum OptionValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// An interval `[lo, hi]`, or a list of lists (YOLOv5 anchors).
    case list([OptionValue])

    public var description: String {
        switch self {
        case .null: "null"
        case let .bool(b): b ? "true" : "false"
        case let .number(d): OptionValue.format(d)
        case let .string(s): s
        case let .list(l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// The shortest spelling of `d` (whole numbers without a fraction).
    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        if let f = Float(exactly: d) { return "\(f)" }
        return "\(d)"
    }
}

/// The numbers an option admits.
public struct OptionBounds: Sendable, Equatable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?

    public init(lower: Double? = nil, lowerInclusive: Bool = true, upper: Double? = nil) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
    }

    /// Every finite number.
    public static let finite = OptionBounds()
    /// `> 0`.
    public static let positive = OptionBounds(lower: 0, lowerInclusive: false)
    /// `>= 0`.
    public static let nonNegative = OptionBounds(lower: 0)
    /// `[0, 1]`.
    public static let unit = OptionBounds(lower: 0, upper: 1)
    /// `>= x`.
    public static func atLeast(_ x: Double) -> OptionBounds { OptionBounds(lower: x) }

    public func admits(_ v: Double) -> Bool {
        guard v.isFinite else { return false }
        if let lower { if lowerInclusive ? v < lower : v <= lower { return false } }
        if let upper, v > upper { return false }
        return true
    }

    public var description: String {
        var parts: [String] = []
        if let lower { parts.append("\(lowerInclusive ? ">=" : ">") \(OptionValue.format(lower))") }
        if let upper { parts.append("<= \(OptionValue.format(upper))") }
        return parts.isEmpty ? "finite" : parts.joined(separator: " and ")
    }
}

/// What values an option takes.
public enum OptionKind: Sendable, Equatable {
    case integer(OptionBounds)
    case number(OptionBounds)
    case boolean
    /// An integer, or `null` for "not set".
    case optionalInteger(OptionBounds)
    /// A number, or `null` for "not set".
    case optionalNumber(OptionBounds)
    /// A number `t` (the interval `[0, t)`) or an interval `[lo, hi]` (`[lo, hi)`), as mmdet's `neg_iou_thr`.
    case numberOrInterval(OptionBounds)
    /// One of the listed names.
    case choice([String])
    /// Lists of positive numbers, one list per level, each with the same even count (YOLOv5 anchors).
    case anchorLists

    /// What the kind admits, for errors and `--describe`.
    public var description: String {
        switch self {
        case let .integer(b): "integer \(b.description)"
        case let .number(b): "number \(b.description)"
        case .boolean: "true or false"
        case let .optionalInteger(b): "integer \(b.description), or null"
        case let .optionalNumber(b): "number \(b.description), or null"
        case let .numberOrInterval(b): "number or [lo, hi], \(b.description)"
        case let .choice(names): "one of " + names.joined(separator: ", ")
        case .anchorLists: "[[w, h, ...], ...] per level, positive"
        }
    }

    /// Checks `value` against the kind; throws `invalidParameter` naming `option`.
    func check(_ value: OptionValue, option: String) throws {
        func fail() -> LabelAssignError {
            .invalidParameter(name: option, reason: "expects \(description), got \(value)")
        }
        func number(_ v: OptionValue, _ b: OptionBounds, whole: Bool) throws {
            guard case let .number(d) = v, b.admits(d) else { throw fail() }
            if whole { guard d == d.rounded(), abs(d) <= Double(Int32.max) else { throw fail() } }
            else { guard abs(d) <= Double(Float.greatestFiniteMagnitude) else { throw fail() } }
        }
        switch self {
        case let .integer(b): try number(value, b, whole: true)
        case let .number(b): try number(value, b, whole: false)
        case .boolean: guard case .bool = value else { throw fail() }
        case let .optionalInteger(b): if value != .null { try number(value, b, whole: true) }
        case let .optionalNumber(b): if value != .null { try number(value, b, whole: false) }
        case let .numberOrInterval(b):
            if case let .list(l) = value {
                guard l.count == 2 else { throw fail() }
                try number(l[0], b, whole: false)
                try number(l[1], b, whole: false)
                guard case let .number(lo) = l[0], case let .number(hi) = l[1], lo <= hi else { throw fail() }
            } else {
                try number(value, b, whole: false)
            }
        case let .choice(names):
            guard case let .string(s) = value, names.contains(s) else { throw fail() }
        case .anchorLists:
            guard case let .list(levels) = value, !levels.isEmpty else { throw fail() }
            var width: Int?
            for level in levels {
                guard case let .list(l) = level, l.count >= 2, l.count % 2 == 0, width == nil || width == l.count else { throw fail() }
                width = l.count
                for v in l { try number(v, .positive, whole: false) }
            }
        }
    }
}

/// One constant of an assigner's configuration, settable by the reference's own argument name.
public struct AssignerOption<Configuration: Sendable>: Sendable {
    /// The reference's argument name (`topk`, `neg_iou_thr`, ...).
    public let name: String
    public let kind: OptionKind
    /// One line: what the option does.
    public let doc: String
    /// Where the name and its default come from (e.g. "mmdet 3.3 ATSSAssigner").
    public let reference: String
    let read: @Sendable (Configuration) -> OptionValue
    let write: @Sendable (inout Configuration, OptionValue) -> Void

    /// An option with its own reading and writing of the configuration; `write` receives values
    /// that passed `kind`.
    public init(_ name: String, _ kind: OptionKind, doc: String, reference: String,
                read: @escaping @Sendable (Configuration) -> OptionValue,
                write: @escaping @Sendable (inout Configuration, OptionValue) -> Void) {
        self.name = name
        self.kind = kind
        self.doc = doc
        self.reference = reference
        self.read = read
        self.write = write
    }

    /// The option's value in `configuration`.
    public func value(in configuration: Configuration) -> OptionValue { read(configuration) }
}

extension AssignerOption {
    public static func integer(_ name: String, _ key: WritableKeyPath<Configuration, Int> & Sendable, _ bounds: OptionBounds,
                               doc: String, reference: String) -> Self {
        Self(name, .integer(bounds), doc: doc, reference: reference,
             read: { .number(Double($0[keyPath: key])) }, write: { $0[keyPath: key] = Int($1.number ?? 0) })
    }

    public static func float(_ name: String, _ key: WritableKeyPath<Configuration, Float> & Sendable, _ bounds: OptionBounds,
                             doc: String, reference: String) -> Self {
        Self(name, .number(bounds), doc: doc, reference: reference,
             read: { .number(Double($0[keyPath: key])) }, write: { $0[keyPath: key] = Float($1.number ?? 0) })
    }

    public static func double(_ name: String, _ key: WritableKeyPath<Configuration, Double> & Sendable, _ bounds: OptionBounds,
                              doc: String, reference: String) -> Self {
        Self(name, .number(bounds), doc: doc, reference: reference,
             read: { .number($0[keyPath: key]) }, write: { $0[keyPath: key] = $1.number ?? 0 })
    }

    public static func boolean(_ name: String, _ key: WritableKeyPath<Configuration, Bool> & Sendable,
                               doc: String, reference: String) -> Self {
        Self(name, .boolean, doc: doc, reference: reference,
             read: { .bool($0[keyPath: key]) }, write: { if case let .bool(b) = $1 { $0[keyPath: key] = b } })
    }

    public static func optionalInteger(_ name: String, _ key: WritableKeyPath<Configuration, Int?> & Sendable, _ bounds: OptionBounds,
                                       doc: String, reference: String) -> Self {
        Self(name, .optionalInteger(bounds), doc: doc, reference: reference,
             read: { $0[keyPath: key].map { .number(Double($0)) } ?? .null },
             write: { $0[keyPath: key] = $1.number.map { Int($0) } })
    }

    public static func optionalFloat(_ name: String, _ key: WritableKeyPath<Configuration, Float?> & Sendable, _ bounds: OptionBounds,
                                     doc: String, reference: String) -> Self {
        Self(name, .optionalNumber(bounds), doc: doc, reference: reference,
             read: { $0[keyPath: key].map { .number(Double($0)) } ?? .null },
             write: { $0[keyPath: key] = $1.number.map { Float($0) } })
    }

    /// A choice among named values of `key`.
    public static func choice<E: Equatable & Sendable>(_ name: String, _ key: WritableKeyPath<Configuration, E> & Sendable,
                                                      _ cases: [(String, E)], doc: String, reference: String) -> Self {
        Self(name, .choice(cases.map(\.0)), doc: doc, reference: reference,
             read: { c in .string(cases.first { $0.1 == c[keyPath: key] }?.0 ?? "") },
             write: { c, v in if case let .string(s) = v, let e = cases.first(where: { $0.0 == s }) { c[keyPath: key] = e.1 } })
    }
}

extension OptionValue {
    /// The number, if this is one.
    public var number: Double? { if case let .number(d) = self { return d }; return nil }
}

/// One option as `--describe` shows it.
public struct OptionInfo: Sendable, Equatable {
    public let name: String
    public let kind: String
    public let defaultValue: OptionValue
    public let doc: String
    public let reference: String
}

/// A configuration whose constants are options. Declare each option once, in `options`.
public protocol OptionConfigurable: Sendable {
    /// Every option, in display order.
    static var options: [AssignerOption<Self>] { get }
    /// Checks the constants together (e.g. `neg_iou_thr <= pos_iou_thr`).
    func validate() throws
}

extension OptionConfigurable {
    /// The option names, in display order.
    public static var optionNames: [String] { options.map(\.name) }

    /// Sets option `name` to `value`; throws `invalidParameter` naming it for an unknown name
    /// (listing the valid ones) or a value outside the option's kind.
    public mutating func set(_ name: String, _ value: OptionValue) throws {
        guard let option = Self.options.first(where: { $0.name == name }) else {
            throw LabelAssignError.invalidParameter(
                name: name, reason: "unknown option; valid: \(Self.optionNames.joined(separator: ", "))")
        }
        try option.kind.check(value, option: name)
        option.write(&self, value)
    }

    /// This configuration with `settings` applied in order, then validated as a whole.
    public func setting(_ settings: [(String, OptionValue)]) throws -> Self {
        var out = self
        for (name, value) in settings { try out.set(name, value) }
        try out.validate()
        return out
    }

    /// The value of option `name`, if there is one.
    public func value(of name: String) -> OptionValue? {
        Self.options.first { $0.name == name }?.read(self)
    }

    /// Every option with its value in this configuration as the default.
    public var optionInfo: [OptionInfo] {
        Self.options.map { OptionInfo(name: $0.name, kind: $0.kind.description, defaultValue: $0.read(self), doc: $0.doc, reference: $0.reference) }
    }
}
