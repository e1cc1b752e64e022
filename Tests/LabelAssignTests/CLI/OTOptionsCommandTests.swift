import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `labelassign ot` with POT's Sinkhorn options and scipy's `maximize`.
extension CommandLineTests {
    /// A problem file built from a fixture case's inputs and POT's options.
    static func problemFile(_ c: POTSinkhornCase, extra: [(String, String)] = []) -> String {
        func list(_ x: [Double]) -> String { "[" + x.map { OTJSON.number($0) }.joined(separator: ",") + "]" }
        var fields = [
            ("method", #""sinkhorn""#), ("a", list(c.a)), ("b", list(c.b)),
            ("M", "[" + (0..<c.rows).map { list(Array(c.cost[($0 * c.columns)..<(($0 + 1) * c.columns)])) }.joined(separator: ",") + "]"),
            ("reg", OTJSON.number(c.solver.reg)), ("sinkhorn_method", "\"\(c.solver.method.rawValue)\""),
            ("numItermax", String(c.solver.numItermax)), ("stopThr", OTJSON.number(c.solver.stopThr)),
            ("tau", OTJSON.number(c.solver.tau)), ("print_period", String(c.solver.printPeriod)), ("stall_checks", "0"),
        ]
        if let w = c.warmstart { fields.append(("warmstart", "[" + list(w.u) + "," + list(w.v) + "]")) }
        fields += extra
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    @Test func otSinkhornOptionsArePOTs() throws {
        let cases = try POTSinkhornCase.all().filter { !$0.name.hasSuffix(" stall") }
        for c in cases {
            let path = try temporaryFile(Self.problemFile(c))
            defer { TemporaryFiles.remove(path) }
            let r = try run(["ot", path])
            #expect(r.status == 0, "\(c.name): \(r.stderr)")
            let v = try parseJSON(Array(r.stdout.utf8))
            #expect(worstRelative(try #require(v["plan"]?.matrix?.values), c.plan) <= SinkhornPOTConformanceTests.tolerance, "\(c.name)")
            #expect(v["niter"]?.double == Double(c.niter), "\(c.name)")
            #expect(v["status"]?.string == c.status.rawValue, "\(c.name)")
            // The last checked error, to the fixture's tolerance for checked errors (a column sum's rounding).
            if let last = c.errors.last {
                var final = c
                final.errors = [last]
                #expect(SinkhornPOTConformanceTests.errorsMatch([v["err"]?.double ?? .nan], final), "\(c.name): err \(String(describing: v["err"])) vs \(last)")
            } else {
                #expect(v["err"] == .null, "\(c.name)")
            }
            // POT's warnings, on stderr.
            #expect(r.stderr.contains("did not converge") == (c.status == .maxIterReached), "\(c.name): \(r.stderr)")
            #expect(r.stderr.contains("numerical errors") == (c.status == .numericalError), "\(c.name): \(r.stderr)")
        }
    }

    @Test func otSinkhornWarmstartContinuesTheSolve() throws {
        // Three iterations, then the printed warm start and three more: the plan of six iterations.
        let base = #""method":"sinkhorn","a":[0.2,0.3,0.5],"b":[0.6,0.4],"M":[[0,1],[2,0.5],[1,1]],"reg":0.5,"stopThr":0"#
        for method in ["sinkhorn_log", "sinkhorn_stabilized"] {
            let three = try temporaryFile("{\(base),\"sinkhorn_method\":\"\(method)\",\"numItermax\":3}")
            defer { TemporaryFiles.remove(three) }
            let first = try parseJSON(Array(try run(["ot", three]).stdout.utf8))
            var warm = JSONWriter(); warm.value(try #require(first["warmstart"]))
            let again = try temporaryFile("{\(base),\"sinkhorn_method\":\"\(method)\",\"numItermax\":3,\"warmstart\":\(warm.text)}")
            let six = try temporaryFile("{\(base),\"sinkhorn_method\":\"\(method)\",\"numItermax\":6}")
            defer { TemporaryFiles.remove(again); TemporaryFiles.remove(six) }
            let continued = try parseJSON(Array(try run(["ot", again]).stdout.utf8))["plan"]?.matrix?.values
            let direct = try parseJSON(Array(try run(["ot", six]).stdout.utf8))["plan"]?.matrix?.values
            let c = try #require(continued), d = try #require(direct)
            #expect(worstRelative(c, d) <= 1e-12, "\(method): \(c) vs \(d)")
        }
    }

    @Test func otSinkhornStallsAndSaysSo() throws {
        let c = try #require(try POTSinkhornCase.all().first { $0.name == "sinkhorn stall" })
        let path = try temporaryFile(Self.problemFile(c).replacingOccurrences(of: #""stall_checks":0"#, with: #""stall_checks":20"#))
        defer { TemporaryFiles.remove(path) }
        let r = try run(["ot", path])
        #expect(r.status == 0)
        let v = try parseJSON(Array(r.stdout.utf8))
        #expect(v["status"]?.string == "stalled")
        #expect(try #require(v["niter"]?.double) < 2_000)
        #expect(try #require(v["err"]?.double) > 1e-13)
        #expect(r.stderr.contains("stalled"), "\(r.stderr)")
    }

    @Test func otSinkhornRejectsBadOptions() throws {
        let base = #""method":"sinkhorn","a":[],"b":[],"M":[[0,1],[1,0]],"reg":1"#
        let cases: [(String, String)] = [
            (#""sinkhorn_method":"greenkhorn""#, "sinkhorn_log"),
            (#""method_sinkhorn":"sinkhorn""#, "sinkhorn_method"),
            (#""numItermax":0"#, "numItermax"),
            (#""numItermax":1e9"#, "numItermax"),
            (#""stopThr":-1"#, "stopThr"),
            (#""tau":0"#, "tau"),
            (#""print_period":0.5"#, "print_period"),
            (#""stall_checks":-1"#, "stall_checks"),
            (#""warmstart":[[0,0]]"#, "warmstart"),
            (#""warmstart":[[0,0],[0]]"#, "warmstart[1]"),
            (#""warmstart":[[0,NaN],[0,0]]"#, "warmstart[0]"),
            (#""iters":5"#, "iters"),
        ]
        for (extra, named) in cases {
            let path = try temporaryFile("{\(base),\(extra)}")
            defer { TemporaryFiles.remove(path) }
            let r = try run(["ot", path])
            #expect(r.status == 1, "\(extra)")
            #expect(r.stderr.contains(named) && r.stderr.split(separator: "\n").count == 1, "\(extra): \(r.stderr)")
        }
    }

    @Test func otLinearAssignmentMaximize() throws {
        let path = try temporaryFile(#"{"method": "lsa", "M": [[4, 1, 3], [2, 0, 5], [3, 2, 2]], "maximize": true}"#)
        defer { TemporaryFiles.remove(path) }
        let r = try run(["ot", path])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try parseJSON(Array(r.stdout.utf8))
        #expect(v["rows"]?.doubles == [0, 1, 2] && v["cols"]?.doubles == [0, 2, 1] && v["total"]?.double == 11)
        // A total that overflows is Infinity, not null.
        let big = try temporaryFile(#"{"method": "lsa", "M": [[1e308, 0], [0, 1e308]], "maximize": true}"#)
        defer { TemporaryFiles.remove(big) }
        let o = try run(["ot", big])
        #expect(o.status == 0 && o.stdout.contains(#""total":Infinity"#), "\(o.stdout)")
        #expect(try parseJSON(Array(o.stdout.utf8))["total"]?.double == .infinity)
        // scipy's errors: +inf is invalid when maximising, a row of -inf infeasible.
        for (text, message) in [(#"{"method": "lsa", "M": [[1, Infinity], [2, 3]], "maximize": true}"#, "+infinity"),
                                (#"{"method": "lsa", "M": [[-Infinity, -Infinity], [2, 3]], "maximize": true}"#, "infeasible"),
                                (#"{"method": "lsa", "M": [[1, 2]], "maximize": 1}"#, "maximize"),
                                (#"{"method": "lsa", "M": [[1, 2]], "maximise": true}"#, "maximise")] {
            let bad = try temporaryFile(text)
            defer { TemporaryFiles.remove(bad) }
            let e = try run(["ot", bad])
            #expect(e.status == 1 && e.stderr.contains(message), "\(text): \(e.stderr)")
        }
    }
}

/// Numbers as the problem files of these tests spell them.
enum OTJSON {
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return "\(v)"
    }
}
