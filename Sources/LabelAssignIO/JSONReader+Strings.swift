import LabelAssign

/// Strings: UTF-8 validation and `\u` escapes (surrogate pairs joined, lone surrogates rejected).
extension JSONReader {
    /// The length of the valid UTF-8 sequence at `pos` (a lead byte >= 0x80), or an error naming the byte.
    mutating func utf8SequenceLength() throws -> Int {
        let b0 = bytes[pos]
        let n: Int, lo: UInt8, hi: UInt8
        switch b0 {
        case 0xC2...0xDF: n = 2; lo = 0x80; hi = 0xBF
        case 0xE0: n = 3; lo = 0xA0; hi = 0xBF            // no overlong forms
        case 0xE1...0xEC, 0xEE...0xEF: n = 3; lo = 0x80; hi = 0xBF
        case 0xED: n = 3; lo = 0x80; hi = 0x9F            // no surrogates
        case 0xF0: n = 4; lo = 0x90; hi = 0xBF
        case 0xF1...0xF3: n = 4; lo = 0x80; hi = 0xBF
        case 0xF4: n = 4; lo = 0x80; hi = 0x8F            // at most U+10FFFF
        default: throw fail("invalid UTF-8 byte 0x\(String(b0, radix: 16, uppercase: true))")
        }
        guard pos + n <= bytes.count else { throw fail("truncated UTF-8 sequence") }
        let b1 = bytes[pos + 1]
        guard b1 >= lo && b1 <= hi else { throw fail("invalid UTF-8 sequence (byte 0x\(String(b1, radix: 16, uppercase: true)) after 0x\(String(b0, radix: 16, uppercase: true)))") }
        for k in 2..<max(n, 2) where bytes[pos + k] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence (byte 0x\(String(bytes[pos + k], radix: 16, uppercase: true)) is not a continuation byte)")
        }
        return n
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a high surrogate.
    mutating func readUnicodeEscape() throws -> Unicode.Scalar {
        let start = pos - 2
        func hex4(_ r: inout JSONReader) throws -> UInt32 {
            guard r.pos + 4 <= r.bytes.count else { throw r.fail("bad \\u escape (4 hex digits needed)", at: start) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = r.hexValue(r.bytes[r.pos]) else { throw r.fail("bad \\u escape (4 hex digits needed)", at: start) }
                v = v * 16 + d
                r.pos += 1
            }
            return v
        }
        let v = try hex4(&self)
        if v >= 0xDC00 && v <= 0xDFFF { throw fail("lone low surrogate \\u\(String(v, radix: 16, uppercase: true))", at: start) }
        if v >= 0xD800 && v <= 0xDBFF {
            guard pos + 2 <= bytes.count, bytes[pos] == 0x5C, bytes[pos + 1] == 0x75 else {
                throw fail("lone high surrogate \\u\(String(v, radix: 16, uppercase: true))", at: start)
            }
            pos += 2
            let low = try hex4(&self)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw fail("high surrogate \\u\(String(v, radix: 16, uppercase: true)) not followed by a low one", at: start)
            }
            return Unicode.Scalar(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00))!
        }
        return Unicode.Scalar(v)!
    }

    func hexValue(_ h: UInt8) -> UInt32? {
        switch h {
        case 0x30...0x39: return UInt32(h - 0x30)
        case 0x61...0x66: return UInt32(h - 0x61 + 10)
        case 0x41...0x46: return UInt32(h - 0x41 + 10)
        default: return nil
        }
    }
}
