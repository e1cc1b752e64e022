import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `ota-plan.json` (OTA's fixed-iteration float32 Sinkhorn) and `sinkhorn.json` (POT
/// `sinkhorn_log` converged, float64), plus the three methods of `solve` against each other.
@Suite struct SinkhornConformanceTests {
    static func otaPlans() throws -> [JSONValue] { try Fixtures.list("ota-plan.json") }
    static func converged() throws -> [JSONValue] { try Fixtures.list("sinkhorn.json") }
    static let regs: [(key: String, reg: Double)] = [("1.0", 1.0), ("0.1", 0.1), ("0.02", 0.02)]

    @Test func fixturesArePresent() throws {
        #expect(try Self.otaPlans().count == 3)
        #expect(try Self.converged().count == 4)
    }

    @Test func fixedIterationsReproduceOTAPlans() throws {
        for (c, item) in try Self.otaPlans().enumerated() {
            let cost = try #require(item["cost"]?.matrix)
            let mu = try #require(item["mu"]?.floats), nu = try #require(item["nu"]?.floats)
            let eps = try #require(item["eps"]?.double), iters = try #require(item["iters"]?.double)
            let expected = try #require(item["plan"]?.matrix)
            let got = try Sinkhorn.fixedIterations(cost: cost.values.map(Float.init), mu: mu, nu: nu,
                                                   eps: Float(eps), iterations: Int(iters))
            #expect(got.plan.count == expected.values.count)
            var worst = 0.0
            for (g, e) in zip(got.plan, expected.values) { worst = max(worst, abs(Double(g) - e)) }
            #expect(worst <= 1e-4, "ota-plan case \(c): max |diff| \(worst)")
        }
    }

    @Test(arguments: Sinkhorn.Method.allCases)
    func solveReproducesPOTPlans(method: Sinkhorn.Method) throws {
        for (c, item) in try Self.converged().enumerated() {
            let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles)
            let m = try #require(item["M"]?.matrix)
            let emd = try #require(item["emd_cost"]?.double)
            for (key, reg) in Self.regs {
                let expected = try #require(item["plan_reg_\(key)"]?.matrix)
                let expectedCost = try #require(item["cost_reg_\(key)"]?.double)
                // The fixture's options: POT's sinkhorn_log with numItermax 20000, stopThr 1e-12.
                let got = try Sinkhorn(reg: reg, method: method, numItermax: 20000, stopThr: 1e-12).solve(a: a, b: b, cost: m.values)
                #expect(got.method == method)
                #expect(got.status == .converged || (got.status == .stalled && got.marginalError < 1e-11),
                        "case \(c) reg \(key) \(method): \(got.status), error \(got.marginalError)")
                var worst = 0.0
                for (g, e) in zip(got.plan, expected.values) { worst = max(worst, abs(g - e)) }
                #expect(worst <= 1e-7, "case \(c) reg \(key) \(method): max |diff| \(worst)")
                #expect(abs(got.cost - expectedCost) <= 1e-4 * abs(expectedCost), "case \(c) reg \(key): cost \(got.cost) vs \(expectedCost)")
                // An entropic plan is feasible, so it costs at least the exact optimum.
                #expect(got.cost >= emd - 1e-9, "case \(c) reg \(key)")
            }
        }
    }

    @Test func smallRegularisationAbsorbs() throws {
        let item = try #require(try Self.converged().first)
        let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles)
        let m = try #require(item["M"]?.matrix)
        let got = try Sinkhorn(reg: 0.02, method: .sinkhornStabilized).solve(a: a, b: b, cost: m.values)
        #expect(got.absorptions > 0)
        #expect(try Sinkhorn(reg: 1, method: .sinkhornStabilized).solve(a: a, b: b, cost: m.values).absorptions == 0)
    }
}

/// The methods against each other on the same problems.
@Suite struct SinkhornPathTests {
    /// A deterministic problem: costs in [0, scale), random positive masses summing to 1.
    static func problem(rows: Int, columns: Int, scale: Double, seed: UInt64) -> (a: [Double], b: [Double], cost: [Double]) {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let cost = (0..<(rows * columns)).map { _ in next() * scale }
        var a = (0..<rows).map { _ in 0.5 + next() }, b = (0..<columns).map { _ in 0.5 + next() }
        let sa = a.reduce(0, +), sb = b.reduce(0, +)
        a = a.map { $0 / sa }; b = b.map { $0 / sb }
        return (a, b, cost)
    }

    @Test(arguments: [(5, 40, 1.0, 0.05), (12, 30, 10.0, 0.1), (8, 64, 4.0, 0.01), (3, 200, 50.0, 0.5)])
    func stabilizedAndLogDomainAgree(rows: Int, columns: Int, scale: Double, reg: Double) throws {
        let p = Self.problem(rows: rows, columns: columns, scale: scale, seed: UInt64(rows * 1000 + columns))
        let stabilized = try Sinkhorn(reg: reg, method: .sinkhornStabilized, numItermax: 100_000, stopThr: 1e-11).solve(a: p.a, b: p.b, cost: p.cost)
        let logd = try Sinkhorn(reg: reg, method: .sinkhornLog, numItermax: 100_000, stopThr: 1e-11).solve(a: p.a, b: p.b, cost: p.cost)
        #expect(stabilized.converged && logd.converged, "\(stabilized.status) \(logd.status)")
        var worst = 0.0
        for (x, y) in zip(stabilized.plan, logd.plan) { worst = max(worst, abs(x - y)) }
        #expect(worst <= 1e-9, "max |diff| \(worst)")
        // Row marginals are exact after each iteration (u is updated last); columns within stopThr.
        for i in 0..<rows {
            let s = logd.plan[(i * columns)..<((i + 1) * columns)].reduce(0, +)
            #expect(abs(s - p.a[i]) <= 1e-12)
        }
    }

    @Test func largeCostOverRegStaysFinite() throws {
        // exp(-C/reg) underflows to 0 off the diagonal; the diagonal keeps every row and column alive.
        let a = [0.5, 0.5], b = [0.5, 0.5]
        let cost = [0.0, 1000.0, 1000.0, 0.0]
        for method in Sinkhorn.Method.allCases {
            let r = try Sinkhorn(reg: 0.01, method: method).solve(a: a, b: b, cost: cost)
            #expect(r.plan.allSatisfy { $0.isFinite })
            #expect(abs(r.plan[0] - 0.5) < 1e-12 && abs(r.plan[3] - 0.5) < 1e-12 && r.plan[1] < 1e-12, "\(method)")
        }
    }

    @Test func oneByOneMovesAllTheMass() throws {
        let r = try Sinkhorn(reg: 0.1).solve(a: [2], b: [2], cost: [3])
        #expect(abs(r.plan[0] - 2) < 1e-12)
        #expect(abs(r.cost - 6) < 1e-11)
    }

    @Test func largeRegularisationGivesTheProductPlan() throws {
        let a = [0.25, 0.75], b = [0.4, 0.6]
        let r = try Sinkhorn(reg: 1e6).solve(a: a, b: b, cost: [0, 1, 2, 3])
        for i in 0..<2 { for j in 0..<2 { #expect(abs(r.plan[i * 2 + j] - a[i] * b[j]) < 1e-6) } }
    }

    @Test func zeroMassRowsAndColumnsGetZeroEntries() throws {
        let r = try Sinkhorn(reg: 0.5, method: .sinkhornLog).solve(a: [0.5, 0, 0.5], b: [1, 0], cost: [1, 2, 3, 4, 5, 6])
        #expect(r.plan[1] == 0 && r.plan[2] == 0 && r.plan[3] == 0 && r.plan[5] == 0)
        #expect(abs(r.plan[0] - 0.5) < 1e-12 && abs(r.plan[4] - 0.5) < 1e-12)
        // sinkhorn_knopp multiplies 1/0 by the zero scaling of the empty column: POT's numerical-error
        // stop at iteration 0 keeps the initial scalings.
        let k = try Sinkhorn(reg: 0.5).solve(a: [0.5, 0, 0.5], b: [1, 0], cost: [1, 2, 3, 4, 5, 6])
        #expect(k.status == .numericalError && k.niter == 0 && k.iterations == 0 && k.errors.isEmpty)
        #expect(k.u == [1.0 / 3, 1.0 / 3, 1.0 / 3] && k.v == [0.5, 0.5])
    }

    @Test func fixedIterationRowsCarryTheirSupply() throws {
        // After the final u update every row sums to mu (up to float32 rounding).
        let cost: [Float] = [1, 2, 3, 0.5, 2, 1, 0.2, 0.1, 0.4, 0.3, 0.9, 0.7]
        let mu: [Float] = [1, 1, 2], nu: [Float] = [1, 1, 1, 1]
        let r = try Sinkhorn.fixedIterations(cost: cost, mu: mu, nu: nu, eps: 0.1, iterations: 50)
        for i in 0..<3 {
            let s = r.plan[(i * 4)..<((i + 1) * 4)].reduce(0, +)
            #expect(abs(s - mu[i]) < 1e-4, "row \(i): \(s)")
        }
        // Zero iterations: the plan is exp(((-C + 1) + 1) / eps).
        let zero = try Sinkhorn.fixedIterations(cost: [1.5], mu: [1], nu: [1], eps: 0.5, iterations: 0)
        #expect(abs(zero.plan[0] - expf(1)) < 1e-6)
    }
}

/// Bad input to the solvers.
@Suite struct SinkhornBadInputTests {
    @Test func solveRejectsBadProblems() {
        let s = Sinkhorn(reg: 0.1)
        #expect(throws: LabelAssignError.shapeMismatch(field: "M", expected: 4, actual: 3)) {
            try s.solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [1, 2, 3])
        }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [1.5, -0.5], b: [0.5, 0.5], cost: [1, 2, 3, 4]) }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [0.5, .nan], b: [0.5, 0.5], cost: [1, 2, 3, 4]) }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [1, .infinity, 3, 4]) }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [0.5, 0.6], b: [0.5, 0.5], cost: [1, 2, 3, 4]) }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [0, 0], b: [0, 0], cost: [1, 2, 3, 4]) }
        #expect(throws: LabelAssignError.self) { try s.solve(a: [], b: [1], cost: []) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 0).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: .nan).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1, numItermax: 0).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1, stopThr: -1).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1, tau: .infinity).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1, printPeriod: 0).solve(a: [1], b: [1], cost: [1]) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1, stallChecks: -1).solve(a: [1], b: [1], cost: [1]) }
    }

    @Test func fixedIterationsRejectsBadProblems() {
        #expect(throws: LabelAssignError.self) { try Sinkhorn.fixedIterations(cost: [1, 2], mu: [1], nu: [1], eps: 0.1, iterations: 5) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn.fixedIterations(cost: [1], mu: [-1], nu: [1], eps: 0.1, iterations: 5) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn.fixedIterations(cost: [.nan], mu: [1], nu: [1], eps: 0.1, iterations: 5) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn.fixedIterations(cost: [1], mu: [1], nu: [1], eps: 0, iterations: 5) }
        #expect(throws: LabelAssignError.self) { try Sinkhorn.fixedIterations(cost: [1], mu: [1], nu: [1], eps: 0.1, iterations: -1) }
    }

    @Test func fixedIterationsReportsOverflowInsteadOfInfinity() {
        // Zero iterations: exp(((100 + 1) + 1) / 0.1) overflows float32.
        #expect(throws: LabelAssignError.self) {
            try Sinkhorn.fixedIterations(cost: [-100], mu: [1], nu: [1], eps: 0.1, iterations: 0)
        }
    }
}

/// The `labelassign ot` problem file.
@Suite struct TransportProblemTests {
    func parse(_ text: String) throws -> TransportProblem { try TransportProblem.parse(Array(text.utf8)) }

    @Test func parsesEveryField() throws {
        let p = try parse(#"{"method": "sinkhorn-fixed", "a": [1, 2], "b": [1.5, 1.5], "M": [[1, 2], [3, -4]], "reg": 0.1, "iters": 7}"#)
        #expect(p.method == "sinkhorn-fixed" && p.rows == 2 && p.columns == 2)
        #expect(p.cost == [1, 2, 3, -4] && p.a == [1, 2] && p.b == [1.5, 1.5] && p.reg == 0.1 && p.iterations == 7)
    }

    @Test func solvesBothMethods() throws {
        let p = try parse(#"{"method": "sinkhorn", "a": [0.5, 0.5], "b": [0.5, 0.5], "M": [[0, 1], [1, 0]], "reg": 0.05}"#)
        let r = try p.solveSinkhorn()
        #expect(abs(r.plan[0] - 0.5) < 1e-6 && r.plan[1] < 1e-6)
        let f = try parse(#"{"method": "sinkhorn-fixed", "a": [1], "b": [1], "M": [[2]], "reg": 0.1, "iters": 3}"#)
        let (plan, cost) = try f.solveSinkhornFixed()
        #expect(abs(plan[0] - 1) < 1e-5 && abs(cost - 2) < 1e-4)
    }

    @Test func rejectsBadFiles() {
        let bad = [
            #"[1, 2]"#,                                                             // not an object
            #"{"M": [[1]]}"#,                                                       // no method
            #"{"method": 3, "M": [[1]]}"#,                                          // method not a string
            #"{"method": "sinkhorn"}"#,                                             // no M
            #"{"method": "sinkhorn", "M": []}"#,                                    // empty M
            #"{"method": "sinkhorn", "M": [[]]}"#,                                  // empty rows
            #"{"method": "sinkhorn", "M": [[1, 2], [3]]}"#,                         // ragged
            #"{"method": "sinkhorn", "M": [[1, "x"]]}"#,                            // not a number
            #"{"method": "sinkhorn", "M": [[1, NaN]]}"#,                            // not finite
            #"{"method": "sinkhorn", "M": [[1, 2]], "a": [1, 1]}"#,                 // a length
            #"{"method": "sinkhorn", "M": [[1, 2]], "b": [1]}"#,                    // b length
            #"{"method": "sinkhorn", "M": [[1, 2]], "b": [1, -1]}"#,                // negative mass
            #"{"method": "sinkhorn", "M": [[1, 2]], "b": [1, Infinity]}"#,          // infinite mass
            #"{"method": "sinkhorn", "M": [[1, 2]], "reg": 0}"#,                    // reg <= 0
            #"{"method": "sinkhorn", "M": [[1, 2]], "iters": 2.5}"#,                // fractional iters
            #"{"method": "sinkhorn", "M": [[1, 2]], "iters": -1}"#,                 // negative iters
        ]
        for text in bad {
            #expect(throws: LabelAssignError.self, "\(text)") { try parse(text) }
        }
    }

    @Test func methodsAskForTheirFields() throws {
        let noMarginals = try parse(#"{"method": "sinkhorn", "M": [[1, 2]], "reg": 1}"#)
        #expect(throws: LabelAssignError.missingField("a")) { try noMarginals.solveSinkhorn() }
        let noReg = try parse(#"{"method": "sinkhorn", "a": [1], "b": [0.5, 0.5], "M": [[1, 2]]}"#)
        #expect(throws: LabelAssignError.missingField("reg")) { try noReg.solveSinkhorn() }
        let noIters = try parse(#"{"method": "sinkhorn-fixed", "a": [1], "b": [0.5, 0.5], "M": [[1, 2]], "reg": 0.1}"#)
        #expect(throws: LabelAssignError.missingField("iters")) { try noIters.solveSinkhornFixed() }
        let unbalanced = try parse(#"{"method": "sinkhorn", "a": [1], "b": [1, 1], "M": [[1, 2]], "reg": 1, "iters": 3}"#)
        #expect(throws: LabelAssignError.self) { try unbalanced.solveSinkhorn() }
        // The fixed-iteration method does not need balanced marginals (OTA's are not exactly).
        #expect(throws: Never.self) { try unbalanced.solveSinkhornFixed() }
    }
}
