import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

private func relativelyClose(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    abs(a - b) <= tol * max(abs(b), 1e-300)
}

/// Reads the `{cost, rows, cols, total}` problems of a fixture file (a group or a list of groups).
private func problems(_ file: JSONValue) throws -> [(cost: [Double], rows: Int, cols: Int, eRows: [Int], eCols: [Int], total: Double)] {
    try (file.array ?? [file]).flatMap { group in
        guard let list = group["problems"]?.array else { throw LabelAssignError.missingField("problems") }
        return try list.map { p in
            guard let m = p["cost"]?.matrix, let rows = p["cost"]?.array?.count, let r = p["rows"]?.doubles,
                  let c = p["cols"]?.doubles, let total = p["total"]?.double else {
                throw LabelAssignError.missingField("cost, rows, cols or total")
            }
            return (m.values, rows, m.columns, r.map { Int($0) }, c.map { Int($0) }, total)
        }
    }
}

/// Minimum total over all injective maps of the shorter side (brute force, small problems only).
private func bruteForceMinimum(_ cost: [Double], rows: Int, cols: Int) -> Double {
    let transpose = rows > cols
    let nr = transpose ? cols : rows, nc = transpose ? rows : cols
    func at(_ i: Int, _ j: Int) -> Double { transpose ? cost[j * cols + i] : cost[i * cols + j] }
    var best = Double.infinity
    var used = [Bool](repeating: false, count: nc)
    func go(_ i: Int, _ acc: Double) {
        if i == nr { best = min(best, acc); return }
        for j in 0..<nc where !used[j] {
            used[j] = true; go(i + 1, acc + at(i, j)); used[j] = false
        }
    }
    go(0, 0)
    return best
}

@Suite struct LinearAssignmentTests {
    @Test func matchesScipyOnEveryFixtureProblem() throws {
        let all = try problems(Fixtures.json("hungarian.json"))
        #expect(all.count == 10)
        for (k, p) in all.enumerated() {
            let r = try LinearAssignment.solve(cost: p.cost, rows: p.rows, cols: p.cols)
            #expect(r.rows == p.eRows, "problem \(k) (\(p.rows)x\(p.cols))")
            #expect(r.cols == p.eCols, "problem \(k) (\(p.rows)x\(p.cols))")
            #expect(relativelyClose(r.total, p.total, 1e-6), "problem \(k): \(r.total) vs \(p.total)")
        }
    }

    /// Integer costs with many exact ties and some +inf entries, solved by scipy 1.17.1
    /// (`hungarian-ties.json`): the tie rules must pick the very same pairs.
    @Test func reproducesScipyTieBreaking() throws {
        let all = try problems(Fixtures.json("hungarian-ties.json"))
        #expect(all.count == 28)
        for (k, p) in all.enumerated() {
            let r = try LinearAssignment.solve(cost: p.cost, rows: p.rows, cols: p.cols)
            #expect(r.rows == p.eRows && r.cols == p.eCols, "problem \(k) (\(p.rows)x\(p.cols))")
            #expect(r.total == p.total, "problem \(k)")
        }
    }

    @Test func constantMatrixGivesTheIdentity() throws {
        for (nr, nc) in [(4, 4), (3, 5), (5, 3), (1, 1)] {
            let r = try LinearAssignment.solve(cost: [Double](repeating: 2.5, count: nr * nc), rows: nr, cols: nc)
            let k = min(nr, nc)
            #expect(r.rows == Array(0..<k) && r.cols == Array(0..<k), "\(nr)x\(nc)")
            #expect(r.total == 2.5 * Double(k))
        }
    }

    @Test func rectangularBothWays() throws {
        // Wide: r0->c1 + r1->c0 = 2 + 2 is the only optimum (4).
        let wide = try LinearAssignment.solve(cost: [1, 2, 3, 2, 4, 6], rows: 2, cols: 3)
        #expect(wide.rows == [0, 1] && wide.cols == [1, 0] && wide.total == 4)
        // Tall (its transpose): rows 0 and 1 take columns 1 and 0; row 2 stays out.
        let tall = try LinearAssignment.solve(cost: [1, 2, 2, 4, 3, 6], rows: 3, cols: 2)
        #expect(tall.rows == [0, 1] && tall.cols == [1, 0] && tall.total == 4)
        // Tall with the best rows out of order: output sorted by row.
        let tall2 = try LinearAssignment.solve(cost: [9, 9, 0, 5, 5, 0], rows: 3, cols: 2)
        #expect(tall2.rows == [1, 2] && tall2.cols == [0, 1] && tall2.total == 0)
    }

    @Test func optimalOnRandomSmallProblems() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let nr = Int.random(in: 1...6, using: &rng), nc = Int.random(in: 1...6, using: &rng)
            let cost = (0..<(nr * nc)).map { _ in Double(Int.random(in: -3...3, using: &rng)) * 0.5 }
            let r = try LinearAssignment.solve(cost: cost, rows: nr, cols: nc)
            #expect(r.rows.count == min(nr, nc))
            #expect(Set(r.rows).count == r.rows.count && Set(r.cols).count == r.cols.count)
            #expect(r.rows == r.rows.sorted())
            #expect(r.total == bruteForceMinimum(cost, rows: nr, cols: nc))
        }
    }

    @Test func infinityIsAForbiddenPair() throws {
        let r = try LinearAssignment.solve(cost: [.infinity, 1, 1, .infinity], rows: 2, cols: 2)
        #expect(r.cols == [1, 0] && r.total == 2)
        #expect {
            try LinearAssignment.solve(cost: [.infinity, .infinity, 1, 2], rows: 2, cols: 2)
        } throws: { e in
            guard case let LabelAssignError.invalidValue(field, index, reason)? = e as? LabelAssignError else { return false }
            return field == "cost" && index == nil && reason.contains("infeasible")
        }
    }

    @Test func badEntriesAreNamed() {
        for (bad, at) in [(Double.nan, 3), (-Double.infinity, 4)] {
            var cost = [Double](repeating: 1, count: 6)
            cost[at] = bad
            #expect(throws: LabelAssignError.invalidValue(field: "cost", index: at,
                                                          reason: "\(bad) at row \(at / 3), column \(at % 3) (NaN and -infinity are not allowed)")) {
                try LinearAssignment.solve(cost: cost, rows: 2, cols: 3)
            }
        }
        #expect(throws: LabelAssignError.shapeMismatch(field: "cost", expected: 6, actual: 5)) {
            try LinearAssignment.solve(cost: [1, 2, 3, 4, 5], rows: 2, cols: 3)
        }
        #expect(throws: LabelAssignError.self) { try LinearAssignment.solve(cost: [Double](), rows: -1, cols: 0) }
    }

    @Test func emptyProblemsHaveTheEmptyMatching() throws {
        for (nr, nc) in [(0, 0), (0, 4), (3, 0)] {
            let r = try LinearAssignment.solve(cost: [Double](), rows: nr, cols: nc)
            #expect(r.rows.isEmpty && r.cols.isEmpty && r.total == 0)
        }
    }

    @Test func float32CostIsWidened() throws {
        let f: [Float] = [0.1, 0.7, 0.3, 0.2]
        let r = try LinearAssignment.solve(widening: f, rows: 2, cols: 2)
        #expect(r.cols == [0, 1])
        #expect(r.total == Double(Float(0.1)) + Double(Float(0.2)))
    }

    @Test func solvesAProblemObject() throws {
        let problem = try parseJSON(Array(#"{"method": "lsa", "M": [[4, 1, 3], [2, 0, 5], [3, 2, 2]]}"#.utf8))
        let out = try LinearAssignment.solveProblem(problem)
        #expect(out["rows"]?.doubles == [0, 1, 2])
        #expect(out["cols"]?.doubles == [1, 0, 2])
        #expect(out["total"]?.double == 5)
        #expect(out.object?.keys.sorted() == ["cols", "rows", "total"])
        // The fixture problems through the JSON entry point.
        let file = try Fixtures.json("hungarian.json")
        let p = file.array![0]["problems"]!.array![1]
        let solved = try LinearAssignment.solveProblem(.object(["M": p["cost"]!]))
        #expect(solved["rows"] == p["rows"] && solved["cols"] == p["cols"])
        let empty = try LinearAssignment.solveProblem(.object(["M": .array([])]))
        #expect(empty["rows"]?.doubles == [] && empty["total"]?.double == 0)
    }

    @Test func badProblemObjectsAreRejected() throws {
        let cases: [(String, LabelAssignError)] = [
            (#"{"method": "sinkhorn", "M": [[1]]}"#, .invalidParameter(name: "method", reason: "expected \"lsa\", got \"sinkhorn\"")),
            (#"{"method": "lsa"}"#, .missingField("M")),
            (#"{"M": [[1, 2], [3]]}"#, .invalidValue(field: "M", index: 1, reason: "row has 1 values, expected 2")),
            (#"{"M": [[1, 2], [3, NaN]]}"#, .invalidValue(field: "M", index: 1, reason: "nan at row 1, column 1 (NaN and -infinity are not allowed)")),
            (#"{"M": [[1, "a"]]}"#, .invalidValue(field: "M", index: 0, reason: "entry 1 is not a number")),
        ]
        for (text, error) in cases {
            let problem = try parseJSON(Array(text.utf8))
            #expect(throws: error, "\(text)") { try LinearAssignment.solveProblem(problem) }
        }
        #expect(throws: LabelAssignError.self) { try LinearAssignment.solveProblem(.array([])) }
    }
}
