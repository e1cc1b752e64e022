import LabelAssign
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// A fast, allocation-light JSON reader over UTF-8 bytes.
///
/// Numbers are parsed with an exact fast path (≤ 19 significant digits and a
/// power of ten up to 22 when the mantissa fits 2^53: correctly rounded by
/// Clinger's rule) and `strtod` otherwise, so every float32 written as its
/// float64 repr reads back bit for bit. `NaN`, `Infinity` and `-Infinity`
/// (Python's json extensions) are accepted, so validation can name them.
public struct JSONReader {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var pos: Int = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public var atEnd: Bool { mutating get { skipWhitespace(); return pos >= bytes.count } }
    public var offset: Int { pos }

    @inline(__always) public mutating func skipWhitespace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    func fail(_ what: String) -> LabelAssignError {
        var line = 1
        var i = 0
        let end = min(pos, bytes.count)
        while i < end { if bytes[i] == 0x0A { line += 1 }; i += 1 }
        return .malformedJSON("\(what) at byte \(pos) (line \(line))")
    }

    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < bytes.count ? bytes[pos] : nil
    }

    public mutating func expect(_ c: UInt8) throws {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == c else {
            throw fail("expected '\(Character(UnicodeScalar(c)))'")
        }
        pos += 1
    }

    /// Consumes `c` if it is next.
    @inline(__always) public mutating func consume(_ c: UInt8) -> Bool {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == c { pos += 1; return true }
        return false
    }

    public mutating func readString() throws -> String {
        try expect(0x22)
        var out: [UInt8] = []
        while pos < bytes.count {
            let c = bytes[pos]
            pos += 1
            if c == 0x22 { return String(decoding: out, as: UTF8.self) }
            if c == 0x5C {
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0D)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x75:
                    guard pos + 4 <= bytes.count else { throw fail("bad \\u escape") }
                    var v: UInt32 = 0
                    for _ in 0..<4 {
                        let h = bytes[pos]
                        pos += 1
                        guard let d = hexValue(h) else { throw fail("bad \\u escape") }
                        v = v * 16 + d
                    }
                    let scalar = UnicodeScalar(v) ?? "?"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        throw fail("unterminated string")
    }

    private func hexValue(_ h: UInt8) -> UInt32? {
        switch h {
        case 0x30...0x39: return UInt32(h - 0x30)
        case 0x61...0x66: return UInt32(h - 0x61 + 10)
        case 0x41...0x46: return UInt32(h - 0x41 + 10)
        default: return nil
        }
    }

    private static let pow10: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// Reads one number (including `NaN`, `Infinity`, `-Infinity`).
    @inlinable public mutating func readNumber() throws -> Double {
        skipWhitespace()
        return try readNumberNoSkip()
    }

    /// A scanned decimal number: `(-1)^negative · mantissa · 10^exp10`, exact unless `truncated`.
    @usableFromInline struct ScannedNumber {
        var negative = false
        var mantissa: UInt64 = 0
        var exp10 = 0
        /// More than 19 significant digits: the mantissa holds only the first 19.
        var truncated = false
        /// NaN or ±infinity literal.
        var special: Double?
        var start = 0
        var end = 0
    }

    @usableFromInline mutating func scanNumber() throws -> ScannedNumber {
        var n = ScannedNumber()
        n.start = pos
        if pos < bytes.count, bytes[pos] == 0x2D { n.negative = true; pos += 1 }
        guard pos < bytes.count else { throw fail("expected a number") }
        let first = bytes[pos]
        if first == 0x4E || first == 0x49 { // NaN / Infinity
            if matchWord("NaN") { n.special = .nan; n.end = pos; return n }
            if matchWord("Infinity") { n.special = n.negative ? -.infinity : .infinity; n.end = pos; return n }
            throw fail("expected a number")
        }
        var digits = 0
        var sawDigit = false
        while pos < bytes.count {
            let d = bytes[pos] &- 0x30
            if d > 9 { break }
            sawDigit = true
            if digits < 19 {
                n.mantissa = n.mantissa &* 10 &+ UInt64(d)
                if n.mantissa != 0 { digits += 1 }
            } else {
                n.exp10 += 1
                if d != 0 { n.truncated = true }
            }
            pos += 1
        }
        if pos < bytes.count, bytes[pos] == 0x2E {
            pos += 1
            var sawFraction = false
            while pos < bytes.count {
                let d = bytes[pos] &- 0x30
                if d > 9 { break }
                sawFraction = true
                if digits < 19 {
                    n.mantissa = n.mantissa &* 10 &+ UInt64(d)
                    if n.mantissa != 0 { digits += 1 }
                    n.exp10 -= 1
                } else if d != 0 {
                    n.truncated = true
                }
                pos += 1
            }
            guard sawFraction else { throw fail("expected digits after '.'") }
        }
        guard sawDigit else { pos = n.start; throw fail("expected a number") }
        if pos < bytes.count, bytes[pos] == 0x65 || bytes[pos] == 0x45 {
            pos += 1
            var negativeExponent = false
            if pos < bytes.count, bytes[pos] == 0x2D || bytes[pos] == 0x2B { negativeExponent = bytes[pos] == 0x2D; pos += 1 }
            var e = 0
            var sawExp = false
            while pos < bytes.count {
                let d = bytes[pos] &- 0x30
                if d > 9 { break }
                sawExp = true
                if e < 100000 { e = e * 10 + Int(d) }
                pos += 1
            }
            guard sawExp else { throw fail("bad exponent") }
            n.exp10 += negativeExponent ? -e : e
        }
        n.end = pos
        return n
    }

    /// Correctly rounded conversion of the scanned text by the C library.
    private func slowConvert<T>(_ n: ScannedNumber, _ convert: (UnsafePointer<CChar>) -> T) -> T {
        let length = n.end - n.start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for i in 0..<length { buffer[i] = CChar(bitPattern: bytes[n.start + i]) }
            buffer[length] = 0
            return convert(buffer.baseAddress!)
        }
    }

    @usableFromInline mutating func readNumberNoSkip() throws -> Double {
        let n = try scanNumber()
        if let s = n.special { return s }
        if n.mantissa == 0 && !n.truncated { return n.negative ? -0.0 : 0.0 }
        if !n.truncated, n.mantissa < (1 << 53), n.exp10 >= -22, n.exp10 <= 22 {
            // Clinger's fast path: both operands exact, one correctly rounded operation.
            var v = Double(n.mantissa)
            if n.exp10 < 0 { v /= JSONReader.pow10[-n.exp10] } else { v *= JSONReader.pow10[n.exp10] }
            return n.negative ? -v : v
        }
        return slowConvert(n) { strtod($0, nil) }
    }

    /// Reads one number correctly rounded to Float (including `NaN`, `Infinity`, `-Infinity`).
    ///
    /// The value is first computed in Double within a few ulps; unless that lies within those
    /// ulps of a float32 rounding boundary, rounding it to Float gives the correctly rounded
    /// result. Near a boundary `strtof` decides.
    public mutating func readFloat() throws -> Float {
        skipWhitespace()
        let n = try scanNumber()
        if let s = n.special { return Float(s) }
        if n.mantissa == 0 && !n.truncated { return n.negative ? -0.0 : 0.0 }
        if !n.truncated, n.exp10 >= -22, n.exp10 <= 22 {
            var v = Double(n.mantissa)
            if n.exp10 < 0 { v /= JSONReader.pow10[-n.exp10] } else { v *= JSONReader.pow10[n.exp10] }
            let f = Float(v)
            if f.isFinite, f != 0 {
                let fd = Double(f)
                let margin = 4 * v.ulp
                let below = (fd + Double(f.nextDown)) / 2, above = (fd + Double(f.nextUp)) / 2
                if abs(v - below) > margin && abs(v - above) > margin {
                    return n.negative ? -f : f
                }
            }
        }
        return slowConvert(n) { strtof($0, nil) }
    }

    private mutating func matchWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count else { return false }
        let w = word.utf8Start
        for i in 0..<n where bytes[pos + i] != w[i] { return false }
        pos += n
        return true
    }

    /// Skips any value.
    public mutating func skipValue() throws {
        guard let c = peek() else { throw fail("unexpected end of input") }
        switch c {
        case 0x7B:
            pos += 1
            if consume(0x7D) { return }
            repeat {
                _ = try readString()
                try expect(0x3A)
                try skipValue()
            } while consume(0x2C)
            try expect(0x7D)
        case 0x5B:
            pos += 1
            if consume(0x5D) { return }
            repeat { try skipValue() } while consume(0x2C)
            try expect(0x5D)
        case 0x22: _ = try readString()
        case 0x74: guard matchWord("true") else { throw fail("bad literal") }
        case 0x66: guard matchWord("false") else { throw fail("bad literal") }
        case 0x6E: guard matchWord("null") else { throw fail("bad literal") }
        default: _ = try readNumberNoSkip()
        }
    }

    /// Reads any value into a generic tree.
    public mutating func readValue() throws -> JSONValue {
        guard let c = peek() else { throw fail("unexpected end of input") }
        switch c {
        case 0x7B:
            pos += 1
            var o: [String: JSONValue] = [:]
            if consume(0x7D) { return .object(o) }
            repeat {
                let k = try readString()
                try expect(0x3A)
                o[k] = try readValue()
            } while consume(0x2C)
            try expect(0x7D)
            return .object(o)
        case 0x5B:
            pos += 1
            var a: [JSONValue] = []
            if consume(0x5D) { return .array(a) }
            repeat { a.append(try readValue()) } while consume(0x2C)
            try expect(0x5D)
            return .array(a)
        case 0x22: return .string(try readString())
        case 0x74: guard matchWord("true") else { throw fail("bad literal") }; return .bool(true)
        case 0x66: guard matchWord("false") else { throw fail("bad literal") }; return .bool(false)
        case 0x6E: guard matchWord("null") else { throw fail("bad literal") }; return .null
        default: return .number(try readNumberNoSkip())
        }
    }

    /// Reads a flat numeric array, appending to `out`; returns how many values were read.
    @discardableResult
    public mutating func readNumberArray(into out: inout [Float]) throws -> Int {
        try expect(0x5B)
        if consume(0x5D) { return 0 }
        var n = 0
        repeat {
            out.append(try readFloat())
            n += 1
        } while consume(0x2C)
        try expect(0x5D)
        return n
    }

    /// Reads a flat numeric array as Doubles.
    public mutating func readDoubleArray() throws -> [Double] {
        var out: [Double] = []
        try expect(0x5B)
        if consume(0x5D) { return out }
        repeat { out.append(try readNumber()) } while consume(0x2C)
        try expect(0x5D)
        return out
    }

    /// Reads an array of rows of `width` numbers each, flattened; throws naming `field[row]` on a bad row.
    /// Returns the number of rows.
    public mutating func readMatrix(into out: inout [Float], width: Int?, field: String) throws -> (rows: Int, width: Int) {
        try expect(0x5B)
        if consume(0x5D) { return (0, width ?? 0) }
        var rows = 0
        var w = width
        repeat {
            let n = try readNumberArray(into: &out)
            if let w { if n != w { throw LabelAssignError.invalidValue(field: field, index: rows, reason: "row has \(n) values, expected \(w)") } } else { w = n }
            rows += 1
        } while consume(0x2C)
        try expect(0x5D)
        return (rows, w ?? 0)
    }
}

/// Parses a whole JSON document into a generic value.
public func parseJSON(_ bytes: [UInt8]) throws -> JSONValue {
    try bytes.withUnsafeBufferPointer { buf in
        var r = JSONReader(buf)
        let v = try r.readValue()
        guard r.atEnd else { throw r.fail("trailing characters") }
        return v
    }
}
