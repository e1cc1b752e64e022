import LabelAssign
/// A small streaming JSON writer for results and scene files.
public struct JSONWriter {
    public private(set) var text = ""
    /// Per open container: whether the next element needs a leading comma.
    private var needComma: [Bool] = [false]
    /// A key was just written: the next value follows its colon directly.
    private var afterKey = false

    public init() { text.reserveCapacity(1 << 16) }

    private mutating func valueSeparator() {
        if afterKey { afterKey = false; return }
        if needComma[needComma.count - 1] { text += "," }
        needComma[needComma.count - 1] = true
    }

    public mutating func beginObject() { valueSeparator(); text += "{"; needComma.append(false) }
    public mutating func endObject() { needComma.removeLast(); text += "}" }
    public mutating func beginArray() { valueSeparator(); text += "["; needComma.append(false) }
    public mutating func endArray() { needComma.removeLast(); text += "]" }

    /// An object key; the next value call writes its value.
    public mutating func key(_ k: String) {
        valueSeparator()
        text += JSONWriter.quoted(k)
        text += ":"
        afterKey = true
    }

    public mutating func string(_ s: String) { valueSeparator(); text += JSONWriter.quoted(s) }
    public mutating func int(_ v: Int) { valueSeparator(); text += String(v) }
    public mutating func bool(_ v: Bool) { valueSeparator(); text += v ? "true" : "false" }
    public mutating func null() { valueSeparator(); text += "null" }
    /// A Double; non-finite values are written as `null`.
    public mutating func number(_ v: Double) { valueSeparator(); text += JSONWriter.format(v) }
    /// A Float in its shortest round-trip form; non-finite values are written as `null`.
    public mutating func number(_ v: Float) { valueSeparator(); text += JSONWriter.format(v) }

    public mutating func ints<T: BinaryInteger>(_ values: [T]) {
        valueSeparator()
        text += "["
        for (i, v) in values.enumerated() { if i > 0 { text += "," }; text += String(v) }
        text += "]"
    }
    public mutating func floats(_ values: [Float]) {
        valueSeparator()
        text += "["
        for (i, v) in values.enumerated() { if i > 0 { text += "," }; text += JSONWriter.format(v) }
        text += "]"
    }
    public mutating func doubles(_ values: [Double]) {
        valueSeparator()
        text += "["
        for (i, v) in values.enumerated() { if i > 0 { text += "," }; text += JSONWriter.format(v) }
        text += "]"
    }
    /// Floats with whole values written as integers (`8`, not `8.0`; strides), the others via their
    /// exact float64 value (bit-exact round trip through any JSON reader).
    public mutating func wholeAsIntegers(_ values: [Float]) {
        valueSeparator()
        text += "["
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            text += v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : JSONWriter.format(Double(v))
        }
        text += "]"
    }
    /// Floats written via their exact float64 value (bit-exact round trip through any JSON reader).
    public mutating func exactFloats(_ values: [Float]) { doubles(values.map(Double.init)) }
    /// Rows of `width` floats, written exactly.
    public mutating func exactRows(_ values: [Float], width: Int) {
        valueSeparator()
        text += "["
        let rows = width > 0 ? values.count / width : 0
        for r in 0..<rows {
            if r > 0 { text += "," }
            text += "["
            for c in 0..<width { if c > 0 { text += "," }; text += JSONWriter.format(Double(values[r * width + c])) }
            text += "]"
        }
        text += "]"
    }
    /// Rows of Doubles.
    public mutating func rows(_ rows: [[Double]]) {
        valueSeparator()
        text += "["
        for (i, r) in rows.enumerated() {
            if i > 0 { text += "," }
            text += "[" + r.map(JSONWriter.format).joined(separator: ",") + "]"
        }
        text += "]"
    }

    /// A generic JSON value (object keys in sorted order).
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case let .bool(b): bool(b)
        case let .number(d):
            if d == d.rounded(), abs(d) < 9e15 { int(Int(d)) } else { number(d) }
        case let .string(s): string(s)
        case let .array(items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case let .object(o):
            beginObject()
            for k in o.keys.sorted() { key(k); value(o[k]!) }
            endObject()
        }
    }

    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) + ".0" }
        return v.description
    }
    public static func format(_ v: Float) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e7 { return String(Int64(v)) + ".0" }
        return v.description
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += hex4(u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }}
