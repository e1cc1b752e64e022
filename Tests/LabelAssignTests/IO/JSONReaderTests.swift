import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

@Suite struct JSONReaderTests {
    @Test func numbersReadExactly() throws {
        let texts = ["0", "-0.0", "1e-45", "3.4028234663852886e38", "59.66227340698242", "0.1", "-2.5e-3",
                     "123456789012345678901234", "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "1E2"]
        for t in texts {
            let v = try parseJSON(Array(t.utf8))
            #expect(v.double == Double(t), "\(t)")
        }
    }

    func readFloat(_ text: String) throws -> Float {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buf in
            var r = JSONReader(buf)
            return try r.readFloat()
        }
    }

    @Test func floatsAreCorrectlyRounded() throws {
        // Float(String) is correctly rounded (strtof); the fast path must agree everywhere,
        // including decimals within a hair of a float32 rounding boundary.
        var random = SplitMix64(state: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        var texts: [String] = []
        for _ in 0..<20000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0x7F7F_FFFF)
            texts.append("\(Double(f))")                     // float32 written as its float64 repr
            texts.append("\(f)")                             // shortest float repr
            let mid = (Double(f) + Double(f.nextUp)) / 2     // exact midpoint: ties to even
            texts.append("\(mid)")
            texts.append("\(mid.nextUp)")
            texts.append("\(mid.nextDown)")
            texts.append(String(format: "%.12e", Double(f) * (1 + Double(next() % 1000) * 1e-9)))
        }
        for t in texts {
            let expected = try #require(Float(t), "\(t)")
            let got = try readFloat(t)
            #expect(got.bitPattern == expected.bitPattern, "\(t): \(got) vs \(expected)")
        }
    }

    @Test func nonFiniteLiterals() throws {
        #expect(try parseJSON(Array("NaN".utf8)).double?.isNaN == true)
        #expect(try parseJSON(Array("-Infinity".utf8)).double == -.infinity)
    }

    @Test func stringsAndNesting() throws {
        let v = try parseJSON(Array(#"{"a": [1, {"b": "x\"y\u0041"}], "c": null, "d": true}"#.utf8))
        #expect(v["a"]?.array?[1]["b"]?.string == "x\"yA")
        #expect(v["c"] == .null)
        #expect(v["d"] == .bool(true))
    }

    @Test func malformed() {
        for t in ["{", "[1,]", "{\"a\" 1}", "1 2", "-", "1e", "tru"] {
            #expect(throws: LabelAssignError.self, "\(t)") { try parseJSON(Array(t.utf8)) }
        }
    }
}
