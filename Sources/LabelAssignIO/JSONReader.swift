import LabelAssign
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast, allocation-light JSON reader over UTF-8 bytes (RFC 8259).
///
/// Numbers are parsed with an exact fast path (≤ 19 significant digits and a
/// power of ten up to 22 when the mantissa fits 2^53: correctly rounded by
/// Clinger's rule) and `strtod` otherwise, so every float32 written as its
/// float64 repr reads back bit for bit. `NaN`, `Infinity` and `-Infinity`
/// (Python's json extensions) are accepted, so validation can name them.
///
/// Everything else outside RFC 8259 is rejected with `malformedJSON` naming the byte offset,
/// the line and the key path (`gt_bboxes[3][1]`): leading zeros, invalid UTF-8, control
/// characters and unknown escapes in strings, lone surrogates, duplicate keys in an object,
/// and values nested deeper than `maxDepth`. A UTF-8 byte order mark at the start is skipped.
/// Nothing recurses: `readValue` and `skipValue` keep their own stack, so no input can
/// overflow the thread's stack.
public struct JSONReader {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var pos: Int = 0

    /// The deepest nesting `readValue` and `skipValue` accept (arrays and objects; scene and
    /// problem files need 3, the fixtures 6).
    public static let maxDepth = 64

    /// A component of the key path of an error.
    public enum PathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// The last syntax error: what, where, and the path the error has propagated through
    /// (innermost first).
    struct Failure {
        var reason: String
        var offset: Int
        var line: Int
        var path: [PathComponent]
        var message: String
    }
    var failure: Failure?
    /// The offset of the last key `readKey` read (its opening quote), for errors about the key.
    public private(set) var keyOffset = 0

    /// A reader over `bytes`; a UTF-8 byte order mark (EF BB BF) at the start is skipped.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
    }

    public var atEnd: Bool { mutating get { skipWhitespace(); return pos >= bytes.count } }
    public var offset: Int { pos }

    @inline(__always) public mutating func skipWhitespace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    @inline(__always) public mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < bytes.count ? bytes[pos] : nil
    }

    public mutating func expect(_ c: UInt8) throws {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == c else {
            throw fail("expected '\(Character(UnicodeScalar(c)))'\(found())")
        }
        pos += 1
    }

    /// ", found X" for the byte at the current offset (", found the end of input" past it).
    func found() -> String {
        guard pos < bytes.count else { return ", found the end of input" }
        let c = bytes[pos]
        if c >= 0x21 && c < 0x7F { return ", found '\(Character(UnicodeScalar(c)))'" }
        return ", found byte 0x\(String(c, radix: 16, uppercase: true))"
    }

    /// Consumes `c` if it is next.
    @inline(__always) public mutating func consume(_ c: UInt8) -> Bool {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == c { pos += 1; return true }
        return false
    }

    /// Reads a string: valid UTF-8, no raw control characters, only the escapes of RFC 8259
    /// (`\uD83D\uDE00` surrogate pairs combined; a lone surrogate is an error).
    public mutating func readString() throws -> String {
        try expect(0x22)
        let start = pos
        // Fast path: plain ASCII up to the closing quote.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x22 {
                pos += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(pos - 1)]), as: UTF8.self)
            }
            if c == 0x5C || c < 0x20 || c >= 0x80 { break }
            pos += 1
        }
        var out = Array(bytes[start..<pos])
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x22 { pos += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 {
                throw fail("control character 0x\(String(c, radix: 16, uppercase: true)) in a string (write it as an escape)")
            }
            if c >= 0x80 {
                let n = try utf8SequenceLength()
                out.append(contentsOf: bytes[pos..<(pos + n)])
                pos += n
                continue
            }
            pos += 1
            if c != 0x5C { out.append(c); continue }
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                let scalar = try readUnicodeEscape()
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("invalid escape '\\\(e >= 0x21 && e < 0x7F ? String(Character(UnicodeScalar(e))) : "0x" + String(e, radix: 16))'", at: pos - 2)
            }
        }
        throw fail("unterminated string", at: start - 1)
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
        guard pos < bytes.count else { throw fail("expected a number\(found())") }
        let first = bytes[pos]
        if first == 0x4E || first == 0x49 { // NaN / Infinity
            if matchWord("NaN") { n.special = .nan; n.end = pos; return n }
            if matchWord("Infinity") { n.special = n.negative ? -.infinity : .infinity; n.end = pos; return n }
            throw fail("expected a number\(found())")
        }
        if first == 0x30, pos + 1 < bytes.count, bytes[pos + 1] &- 0x30 <= 9 {
            throw fail("leading zero in a number")
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
        guard sawDigit else { pos = n.start; throw fail("expected a number\(found())") }
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

    /// Skips any value, checking it as `readValue` does (syntax, duplicate keys, depth).
    public mutating func skipValue() throws {
        // One frame per open container: an object's keys so far and current key, or an array's
        // count of elements so far.
        struct Frame { var keys: Set<String>?; var key = ""; var count = 0 }
        var stack: [Frame] = []
        do {
            while true {
                guard let c = peek() else { throw fail("unexpected end of input") }
                switch c {
                case 0x7B, 0x5B:
                    pos += 1
                    guard stack.count < JSONReader.maxDepth else { throw fail("nesting deeper than \(JSONReader.maxDepth) levels", at: pos - 1) }
                    if c == 0x7B {
                        if !consume(0x7D) {
                            let key = try readKey()
                            stack.append(Frame(keys: [key], key: key))
                            continue
                        }
                    } else if !consume(0x5D) {
                        stack.append(Frame(keys: nil))
                        continue
                    }
                case 0x22: _ = try readString()
                case 0x74: guard matchWord("true") else { throw fail("bad literal") }
                case 0x66: guard matchWord("false") else { throw fail("bad literal") }
                case 0x6E: guard matchWord("null") else { throw fail("bad literal") }
                default: _ = try readNumberNoSkip()
                }
                // A value is complete: close every container it completes.
                closing: while !stack.isEmpty {
                    let top = stack.count - 1
                    stack[top].count += 1
                    let isObject = stack[top].keys != nil
                    if consume(0x2C) {
                        if isObject {
                            let key = try readKey()
                            guard stack[top].keys!.insert(key).inserted else { throw fail("duplicate key '\(key)'", at: keyOffset) }
                            stack[top].key = key
                        }
                        break closing
                    }
                    guard consume(isObject ? 0x7D : 0x5D) else {
                        stack[top].count -= 1    // the path names the element just read
                        throw fail(isObject ? "expected ',' or '}'\(found())" : "expected ',' or ']'\(found())")
                    }
                    stack.removeLast()
                }
                if stack.isEmpty { return }
            }
        } catch {
            throw annotatePath(error, stack.map { $0.keys == nil ? .index($0.count) : .key($0.key) })
        }
    }

    /// An object key and its ':' (the reader sits after '{' or ',').
    @inline(__always) public mutating func readKey() throws -> String {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == 0x22 else { throw fail("expected a string key\(found())") }
        keyOffset = pos
        let key = try readString()
        try expect(0x3A)
        return key
    }

    /// Adds the components of an explicit stack (outermost first) to an error's path.
    mutating func annotatePath(_ error: Error, _ outermostFirst: [PathComponent]) -> Error {
        var e = error
        for c in outermostFirst.reversed() { e = annotate(e, c) }
        return e
    }

    /// Reads any value into a generic tree, at most `maxDepth` deep. Objects with a repeated key
    /// are rejected. The tree may hold at most `ResourceLimits.maxBufferBytes` of values.
    public mutating func readValue() throws -> JSONValue {
        // The open containers: `stack` says which kind each is (and an object's current key);
        // their contents live in `arrays` and `objects`, mutated in place so that appending
        // never copies a container.
        enum Frame {
            case array
            case object(key: String)
        }
        var stack: [Frame] = []
        var arrays: [[JSONValue]] = []
        var objects: [[String: JSONValue]] = []
        let budget = try ResourceLimits.current().maxBufferBytes / MemoryLayout<JSONValue>.stride
        var nodes = 0
        do {
            while true {
                guard let c = peek() else { throw fail("unexpected end of input") }
                nodes += 1
                if nodes > budget {
                    throw LabelAssignError.resourceExhausted(resource: "a JSON document read as a tree", requested: "more than \(budget) values",
                                                             limit: ResourceLimits.describeBytes(try ResourceLimits.current().maxBufferBytes),
                                                             setting: ResourceLimits.bufferVariable)
                }
                var value: JSONValue
                switch c {
                case 0x7B, 0x5B:
                    pos += 1
                    guard stack.count < JSONReader.maxDepth else { throw fail("nesting deeper than \(JSONReader.maxDepth) levels", at: pos - 1) }
                    if c == 0x7B {
                        if consume(0x7D) { value = .object([:]) } else {
                            let key = try readKey()
                            stack.append(.object(key: key))
                            objects.append([:])
                            continue
                        }
                    } else {
                        if consume(0x5D) { value = .array([]) } else { stack.append(.array); arrays.append([]); continue }
                    }
                case 0x22: value = .string(try readString())
                case 0x74: guard matchWord("true") else { throw fail("bad literal") }; value = .bool(true)
                case 0x66: guard matchWord("false") else { throw fail("bad literal") }; value = .bool(false)
                case 0x6E: guard matchWord("null") else { throw fail("bad literal") }; value = .null
                default: value = .number(try readNumberNoSkip())
                }
                // Store the complete value in its container; close the containers it completes.
                while let top = stack.last {
                    switch top {
                    case .array:
                        let a = arrays.count - 1
                        arrays[a].append(value)
                        if consume(0x2C) { break }
                        guard consume(0x5D) else {
                            arrays[a].removeLast()    // the path names the element just read
                            throw fail("expected ',' or ']'\(found())")
                        }
                        value = .array(arrays.removeLast())
                        stack.removeLast()
                        continue
                    case let .object(key):
                        let o = objects.count - 1
                        objects[o][key] = value
                        if consume(0x2C) {
                            let next = try readKey()
                            let repeated = objects[o][next] != nil
                            stack[stack.count - 1] = .object(key: next)
                            if repeated { throw fail("duplicate key '\(next)'", at: keyOffset) }
                            break
                        }
                        guard consume(0x7D) else { throw fail("expected ',' or '}'\(found())") }
                        value = .object(objects.removeLast())
                        stack.removeLast()
                        continue
                    }
                    break
                }
                if stack.isEmpty { return value }
            }
        } catch {
            var a = 0
            throw annotatePath(error, stack.map { frame -> PathComponent in
                switch frame {
                case .array:
                    defer { a += 1 }
                    return .index(arrays[a].count)
                case let .object(key): return .key(key)
                }
            })
        }
    }

    /// Reads a flat numeric array, appending to `out`; returns how many values were read.
    @discardableResult
    public mutating func readNumberArray(into out: inout [Float]) throws -> Int {
        try expect(0x5B)
        if consume(0x5D) { return 0 }
        var n = 0
        do {
            repeat {
                out.append(try readFloat())
                n += 1
            } while consume(0x2C)
        } catch {
            throw annotate(error, .index(n))
        }
        guard consume(0x5D) else { throw annotate(fail("expected ',' or ']'\(found())"), .index(n - 1)) }
        return n
    }

    /// Reads a flat numeric array as Doubles.
    public mutating func readDoubleArray() throws -> [Double] {
        var out: [Double] = []
        try expect(0x5B)
        if consume(0x5D) { return out }
        do {
            repeat { out.append(try readNumber()) } while consume(0x2C)
        } catch {
            throw annotate(error, .index(out.count))
        }
        guard consume(0x5D) else { throw annotate(fail("expected ',' or ']'\(found())"), .index(out.count - 1)) }
        return out
    }

    /// Reads an array of rows of `width` numbers each, flattened; throws naming `field[row]` on a bad row.
    /// Returns the number of rows.
    public mutating func readMatrix(into out: inout [Float], width: Int?, field: String) throws -> (rows: Int, width: Int) {
        try expect(0x5B)
        if consume(0x5D) { return (0, width ?? 0) }
        var rows = 0
        var w = width
        do {
            repeat {
                let n = try readNumberArray(into: &out)
                if let w { if n != w { throw LabelAssignError.invalidValue(field: field, index: rows, reason: "row has \(n) values, expected \(w)") } } else { w = n }
                rows += 1
            } while consume(0x2C)
        } catch {
            throw annotate(error, .index(rows))
        }
        guard consume(0x5D) else { throw annotate(fail("expected ',' or ']'\(found())"), .index(rows - 1)) }
        return (rows, w ?? 0)
    }
}

/// Parses a whole JSON document into a generic value (a UTF-8 byte order mark is skipped).
public func parseJSON(_ bytes: [UInt8]) throws -> JSONValue {
    try bytes.withUnsafeBufferPointer { try parseJSON($0) }
}

/// Parses a whole JSON document into a generic value (a UTF-8 byte order mark is skipped).
public func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
    var r = JSONReader(bytes)
    let v = try r.readValue()
    guard r.atEnd else { throw r.fail("trailing characters after the value") }
    return v
}
