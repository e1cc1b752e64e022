import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Hand-worked answers and invariants of `ExactTransport` on generated problems.
@Suite struct ExactTransportPropertyTests {
    /// OTA's shape: `g` objects valid on a few priors (1e6 elsewhere), a background row, integer
    /// supplies with the background `n − Σ` last, unit demands.
    static func otaShaped(_ rng: inout SplitMix64, objects g: Int, priors n: Int) -> (a: [Double], b: [Double], cost: [Double]) {
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var cost = (0..<((g + 1) * n)).map { _ in 1e6 + 6 * uniform() }
        var a = [Double](repeating: 0, count: g + 1)
        for o in 0..<g {
            for _ in 0..<(1 + rng.below(8)) { cost[o * n + rng.below(n)] = 6 * uniform() }
            a[o] = Double(1 + rng.below(4))
        }
        for j in 0..<n { cost[g * n + j] = 3 * uniform() }
        a[g] = Double(n) - a[0..<g].reduce(0, +)
        return (a, [Double](repeating: 1, count: n), cost)
    }

    @Test func hardAssignmentForIntegerSuppliesAndUnitDemands() throws {
        var rng = SplitMix64(state: 13)
        for (g, n) in [(1, 10), (3, 40), (8, 100), (20, 250), (40, 300)] {
            let p = Self.otaShaped(&rng, objects: g, priors: n)
            let r = try ExactTransport().solve(a: p.a, b: p.b, cost: p.cost)
            #expect(r.status == .optimal)
            #expect(r.plan.allSatisfy { $0 == 0 || $0 == 1 }, "\(g)×\(n)")
            #expect(ExactPlanChecks.marginalError(r, a: p.a, b: p.b) == 0, "\(g)×\(n)")
            #expect(ExactPlanChecks.isBasic(r) && ExactPlanChecks.dualViolation(r, cost: p.cost) <= 1e-9, "\(g)×\(n)")
            // The expanded problem (each row repeated by its supply) is a linear assignment.
            var expanded: [Double] = []
            for (i, s) in p.a.enumerated() { for _ in 0..<Int(s) { expanded += p.cost[(i * n)..<((i + 1) * n)] } }
            let lsa = try LinearAssignment.solve(cost: expanded, rows: n, cols: n)
            #expect(abs(r.cost - lsa.total) <= 1e-9 * lsa.total, "\(g)×\(n): \(r.cost) vs LSA \(lsa.total)")
        }
    }

    @Test func unitMassesGiveTheLinearAssignment() throws {
        var rng = SplitMix64(state: 7)
        for size in [1, 2, 5, 17, 60] {
            let cost = (0..<(size * size)).map { _ in Double(rng.below(1000)) / 7 - 50 }
            let ones = [Double](repeating: 1, count: size)
            let r = try ExactTransport().solve(a: ones, b: ones, cost: cost)
            let lsa = try LinearAssignment.solve(cost: cost, rows: size, cols: size)
            #expect(abs(r.cost - lsa.total) <= 1e-9 * max(1, abs(lsa.total)), "\(size): \(r.cost) vs \(lsa.total)")
            #expect(r.plan.allSatisfy { $0 == 0 || $0 == 1 })
        }
    }

    @Test func handWorkedProblems() throws {
        // POT's docstring example.
        let diagonal = try ExactTransport().solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [0, 1, 1, 0])
        #expect(diagonal.plan == [0.5, 0, 0, 0.5] && diagonal.cost == 0 && diagonal.status == .optimal)
        // One row: the plan is b. One column: the plan is a.
        let row = try ExactTransport().solve(a: [3], b: [1, 2], cost: [5, 7])
        #expect(row.plan == [1, 2] && row.cost == 19)
        let column = try ExactTransport().solve(a: [1, 2], b: [3], cost: [5, 7])
        #expect(column.plan == [1, 2] && column.cost == 19)
        // Supply 2 at row 0, the cheap column can take only 1.
        let split = try ExactTransport().solve(a: [2, 1], b: [1, 2], cost: [0, 1, 0, 5])
        #expect(split.plan == [0, 2, 1, 0] && split.cost == 2)
    }

    @Test func emptyMarginalsAreUniform() throws {
        let cost = [3.0, 1, 2, 1, 0, 5]
        let uniform = try ExactTransport().solve(a: [], b: [], cost: cost, rows: 2, columns: 3)
        let explicit = try ExactTransport().solve(a: [0.5, 0.5], b: [1.0 / 3, 1.0 / 3, 1.0 / 3], cost: cost)
        #expect(uniform == explicit)
        #expect(abs(uniform.cost - 7.0 / 6) < 1e-15)
    }

    @Test func zeroMassRowsAndColumnsStayEmptyWithFeasibleDuals() throws {
        let a = [0.5, 0, 0.5], b = [0, 0.6, 0.4]
        let cost = [1.0, 2, 3, -4, -5, -6, 7, 8, 0]
        let r = try ExactTransport().solve(a: a, b: b, cost: cost)
        for j in 0..<3 { #expect(r.plan[3 + j] == 0) }
        for i in 0..<3 { #expect(r.plan[3 * i] == 0) }
        #expect(ExactPlanChecks.dualViolation(r, cost: cost) <= 1e-12)
        #expect(abs(r.cost - (0.5 * 2 + 0.1 * 8 + 0.4 * 0)) < 1e-15)
    }

    @Test func negativeCostsBelowPOTsArtificialCostAreSolved() throws {
        // max M + 1 < 0: POT's artificial cost is negative and it answers "infeasible".
        let cost = [-5.0, -9, -7, -6, -8, -10]
        let r = try ExactTransport().solve(a: [1, 1], b: [0.5, 1, 0.5], cost: cost)
        let shifted = try ExactTransport().solve(a: [1, 1], b: [0.5, 1, 0.5], cost: cost.map { $0 + 10 })
        #expect(r.plan == shifted.plan)
        #expect(abs(r.cost - (shifted.cost - 20)) < 1e-12)
        #expect(ExactPlanChecks.dualViolation(r, cost: cost) <= 1e-12)
    }

    @Test func resultIsIndependentOfRepetition() throws {
        var rng = SplitMix64(state: 99)
        let p = Self.otaShaped(&rng, objects: 12, priors: 300)
        let first = try ExactTransport().solve(a: p.a, b: p.b, cost: p.cost)
        for _ in 0..<3 { #expect(try ExactTransport().solve(a: p.a, b: p.b, cost: p.cost) == first) }
    }
}

/// Bad input: typed errors naming the field.
@Suite struct ExactTransportBadInputTests {
    let solver = ExactTransport()

    @Test func unequalTotalMassNamesBothSums() throws {
        #expect(throws: LabelAssignError.self) { try solver.solve(a: [0.5, 0.5], b: [0.5, 0.6], cost: [1, 2, 3, 4]) }
        let error = #expect(throws: LabelAssignError.self) { try solver.solve(a: [1, 1], b: [1, 2], cost: [1, 2, 3, 4]) }
        guard case let .invalidValue(field, _, reason)? = error else { Issue.record("not an invalid value: \(String(describing: error))"); return }
        #expect(field == "b" && reason.contains("sum(a) = 2.0") && reason.contains("sum(b) = 3.0"), "\(reason)")
        // Within POT's 1.5e-6 the masses count as equal and b is rescaled.
        let close = try solver.solve(a: [0.5, 0.5], b: [0.5, 0.5000001], cost: [0, 1, 1, 0])
        #expect(ExactPlanChecks.marginalError(close, a: [0.5, 0.5], b: [0.5, 0.5]) < 1e-6)
    }

    @Test func rejectsBadMassesAndCosts() {
        let expectations: [(a: [Double], b: [Double], cost: [Double], error: LabelAssignError)] = [
            ([1.5, -0.5], [0.5, 0.5], [1, 2, 3, 4], .invalidValue(field: "a", index: 1, reason: "-0.5 is not a finite non-negative mass")),
            ([1], [.nan], [1], .invalidValue(field: "b", index: 0, reason: "nan is not a finite non-negative mass")),
            ([1], [.infinity], [1], .invalidValue(field: "b", index: 0, reason: "inf is not a finite non-negative mass")),
            ([0.5, 0.5], [1], [1, .nan], .invalidValue(field: "M", index: 1, reason: "entry 0 is nan, not finite")),
            ([0.5, 0.5], [1], [-.infinity, 1], .invalidValue(field: "M", index: 0, reason: "entry 0 is -inf, not finite")),
            ([0, 0], [0, 0], [1, 2, 3, 4], .invalidValue(field: "a", index: nil, reason: "total mass must be > 0")),
            ([0.5, 0.5], [0.5, 0.5], [1, 2, 3], .shapeMismatch(field: "M", expected: 4, actual: 3)),
            ([1], [1], [-1e308], .invalidValue(field: "M", index: nil,
                                               reason: "costs up to 1e+308 in magnitude overflow the network simplex's artificial cost (max M + 1)·(rows + columns)")),
        ]
        for x in expectations {
            #expect(throws: x.error) { try solver.solve(a: x.a, b: x.b, cost: x.cost) }
        }
    }

    @Test func rejectsBadShapesAndConfiguration() {
        #expect(throws: LabelAssignError.shapeMismatch(field: "a", expected: 2, actual: 3)) {
            try solver.solve(a: [1, 1, 1], b: [], cost: [1, 2, 3, 4], rows: 2, columns: 2)
        }
        #expect(throws: LabelAssignError.shapeMismatch(field: "b", expected: 2, actual: 1)) {
            try solver.solve(a: [], b: [1], cost: [1, 2, 3, 4], rows: 2, columns: 2)
        }
        #expect(throws: LabelAssignError.self) { try solver.solve(a: [], b: [], cost: [], rows: 0, columns: 3) }
        #expect(throws: LabelAssignError.self) { try solver.solve(a: [], b: [1], cost: []) }
        #expect(throws: LabelAssignError.self) { try solver.solve(a: [], b: [], cost: [1], rows: Int.max, columns: 2) }
        #expect(throws: LabelAssignError.invalidParameter(name: "numItermax", reason: "must be >= 0 (0: no limit), got -1")) {
            try ExactTransport(numItermax: -1).solve(a: [1], b: [1], cost: [1])
        }
    }

    @Test func zeroIterationCapMeansNoLimit() throws {
        var rng = SplitMix64(state: 5)
        let cost = (0..<(20 * 30)).map { _ in Double(rng.below(10_000)) / 100 }
        let unlimited = try ExactTransport(numItermax: 0).solve(a: [], b: [], cost: cost, rows: 20, columns: 30)
        let standard = try ExactTransport().solve(a: [], b: [], cost: cost, rows: 20, columns: 30)
        #expect(unlimited == standard && unlimited.status == .optimal)
    }
}

/// The `emd` method of a transport problem file.
@Suite struct EMDProblemFileTests {
    func parse(_ text: String) throws -> TransportProblem { try TransportProblem.parse(Array(text.utf8)) }

    @Test func parsesAndSolves() throws {
        let p = try parse(#"{"method": "emd", "a": [0.5, 0.5], "b": [0.5, 0.5], "M": [[0, 1], [1, 0]], "numItermax": 7}"#)
        #expect(p.numItermax == 7)
        let r = try p.solveEMD()
        #expect(r.plan == [0.5, 0, 0, 0.5] && r.cost == 0)
        let uniform = try parse(#"{"method": "emd", "a": [], "b": [], "M": [[3, 1, 2], [1, 0, 5]]}"#)
        #expect(uniform.a == [] && uniform.b == [])
        #expect(abs(try uniform.solveEMD().cost - 7.0 / 6) < 1e-15)
    }

    @Test func rejectsBadFields() throws {
        for text in [
            #"{"method": "emd", "a": [1], "b": [1], "M": [[1]], "numItermax": -1}"#,
            #"{"method": "emd", "a": [1], "b": [1], "M": [[1]], "numItermax": 2.5}"#,
            #"{"method": "emd", "a": [1, 2], "b": [1], "M": [[1]]}"#,
        ] {
            #expect(throws: LabelAssignError.self, "\(text)") { try parse(text) }
        }
        let noB = try parse(#"{"method": "emd", "a": [1], "M": [[1]]}"#)
        #expect(throws: LabelAssignError.missingField("b")) { try noB.solveEMD() }
        let unequal = try parse(#"{"method": "emd", "a": [1], "b": [2], "M": [[1]]}"#)
        #expect(throws: LabelAssignError.self) { try unequal.solveEMD() }
        // sinkhorn reads [] as uniform too, as POT does.
        let emptyForSinkhorn = try parse(#"{"method": "sinkhorn", "a": [], "b": [1], "M": [[1]], "reg": 1}"#)
        #expect(try emptyForSinkhorn.solveSinkhorn().plan == [1])
    }
}
