import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `linear_sum_assignment(C, maximize=...)` against scipy 1.17.1 (`transport-options.json`, `lsa`),
/// including the cases of scipy's own tests.
@Suite struct LinearAssignmentMaximizeTests {
    struct Case {
        var name: String, cost: [Double], rows: Int, cols: Int, maximize: Bool
        var expected: (rows: [Int], cols: [Int], total: Double)?
        var error: String?
    }

    static func cases() throws -> [Case] {
        guard let list = try Fixtures.json("transport-options.json")["lsa"]?.array else { throw LabelAssignError.missingField("lsa") }
        return try list.map { item in
            guard let name = item["name"]?.string, let rowValues = item["cost"]?.array, case let .bool(maximize)? = item["maximize"] else {
                throw LabelAssignError.missingField("name, cost or maximize")
            }
            let values = rowValues.flatMap { $0.array?.compactMap(\.double) ?? [] }
            let cols = rowValues.first?.array?.count ?? 0
            var c = Case(name: name, cost: values, rows: rowValues.count, cols: cols, maximize: maximize)
            if let e = item["error"]?.string { c.error = e } else {
                guard let r = item["rows"]?.doubles, let k = item["cols"]?.doubles, let t = item["total"]?.double else { throw LabelAssignError.missingField("rows") }
                c.expected = (r.map { Int($0) }, k.map { Int($0) }, t)
            }
            return c
        }
    }

    @Test func everyCaseIsScipys() throws {
        let all = try Self.cases()
        #expect(all.count == 44)
        #expect(all.filter(\.maximize).count >= 20 && all.contains { $0.error != nil })
        for c in all {
            if let e = c.expected {
                let r = try LinearAssignment.solve(cost: c.cost, rows: c.rows, cols: c.cols, maximize: c.maximize)
                #expect(r.rows == e.rows && r.cols == e.cols, "\(c.name): \(r.rows) \(r.cols) vs \(e.rows) \(e.cols)")
                // The same pairs summed in numpy's order: the very same total, overflow included.
                #expect(r.total == e.total, "\(c.name): \(r.total) vs \(e.total)")
            } else {
                #expect {
                    try LinearAssignment.solve(cost: c.cost, rows: c.rows, cols: c.cols, maximize: c.maximize)
                } throws: { error in
                    guard case let LabelAssignError.invalidValue(field, index, reason)? = error as? LabelAssignError, field == "cost" else { return false }
                    // scipy's two messages: invalid entries are named by index, infeasibility is not.
                    return c.error == "cost matrix is infeasible" ? index == nil && reason.hasPrefix("cost matrix is infeasible")
                                                                   : index != nil && reason.contains("not allowed")
                }
            }
        }
    }

    @Test func maximizeIsMinimizingTheNegation() throws {
        var state: UInt64 = 7
        for _ in 0..<100 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let nr = Int(state >> 60) % 6 + 1, nc = Int(state >> 56) % 6 + 1
            let cost = (0..<(nr * nc)).map { k -> Double in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Double(Int(state >> 61)) - 3 + (k % 3 == 0 ? 0.5 : 0)
            }
            let max = try LinearAssignment.solve(cost: cost, rows: nr, cols: nc, maximize: true)
            let min = try LinearAssignment.solve(cost: cost.map { -$0 }, rows: nr, cols: nc)
            #expect(max.rows == min.rows && max.cols == min.cols && max.total == -min.total)
        }
    }

    @Test func negativeInfinityIsForbiddenWhenMaximizing() throws {
        let r = try LinearAssignment.solve(cost: [-.infinity, 1, 1, -.infinity], rows: 2, cols: 2, maximize: true)
        #expect(r.cols == [1, 0] && r.total == 2)
        #expect(throws: LabelAssignError.invalidValue(field: "cost", index: 1,
                                                      reason: "inf at row 0, column 1 (NaN and +infinity are not allowed with maximize)")) {
            try LinearAssignment.solve(cost: [1, .infinity, 2, 3], rows: 2, cols: 2, maximize: true)
        }
        let f = try LinearAssignment.solve(widening: [1, 5, 2, 3] as [Float], rows: 2, cols: 2, maximize: true)
        #expect(f.cols == [1, 0] && f.total == 7)
    }

    @Test func problemObjectTakesMaximize() throws {
        let problem = try parseJSON(Array(#"{"method": "lsa", "M": [[4, 1, 3], [2, 0, 5], [3, 2, 2]], "maximize": true}"#.utf8))
        let out = try LinearAssignment.solveProblem(problem)
        #expect(out["cols"]?.doubles == [0, 2, 1] && out["total"]?.double == 11)
        let bad = try parseJSON(Array(#"{"M": [[1]], "maximize": "yes"}"#.utf8))
        #expect(throws: LabelAssignError.invalidValue(field: "maximize", index: nil, reason: "must be true or false")) {
            try LinearAssignment.solveProblem(bad)
        }
    }
}
