import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// One case of `emd.json`: a problem and POT 0.9.7's `ot.emd(a, b, M, log=True)` on it.
struct EMDCase {
    var name: String, kind: String
    var a: [Double], b: [Double], cost: [Double], rows: Int, columns: Int
    var numItermax: Int?
    /// POT's plan, dense.
    var plan: [Double]
    var expectedCost: Double, u: [Double], v: [Double]
    var warning: String?
    /// POT answered "Problem infeasible"; the expectation is POT on `M − min M`.
    var potInfeasible: Bool

    static func load() throws -> [EMDCase] {
        try Fixtures.list("emd.json").map { item in
            let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles)
            let m: (values: [Double], columns: Int)
            if let source = item["M_from"] {
                let file = try #require(source["file"]?.string), key = try #require(source["key"]?.string)
                let index = Int(try #require(source["index"]?.double))
                m = try #require(try Fixtures.list(file)[index][key]?.matrix)
            } else {
                m = try #require(item["M"]?.matrix)
            }
            let rows = m.values.count / max(m.columns, 1)
            var plan = [Double](repeating: 0, count: m.values.count)
            for entry in try #require(item["support"]?.array) {
                let t = try #require(entry.doubles)
                plan[Int(t[0]) * m.columns + Int(t[1])] = t[2]
            }
            return EMDCase(name: try #require(item["name"]?.string), kind: try #require(item["kind"]?.string),
                           a: a, b: b, cost: m.values, rows: rows, columns: m.columns,
                           numItermax: item["numItermax"]?.double.map { Int($0) }, plan: plan,
                           expectedCost: try #require(item["cost"]?.double),
                           u: try #require(item["u"]?.doubles), v: try #require(item["v"]?.doubles),
                           warning: item["warning"]?.string, potInfeasible: item["pot_infeasible"] == .bool(true))
        }
    }

    func solve() throws -> ExactTransportPlan {
        try ExactTransport(numItermax: numItermax ?? 100_000).solve(a: a, b: b, cost: cost, rows: rows, columns: columns)
    }

    /// The masses the plan must meet: uniform for empty input, `b` rescaled to `Σa` as POT does.
    var marginals: (a: [Double], b: [Double]) {
        let a = self.a.isEmpty ? [Double](repeating: 1 / Double(rows), count: rows) : self.a
        let b = self.b.isEmpty ? [Double](repeating: 1 / Double(columns), count: columns) : self.b
        let sa = a.reduce(0, +), sb = b.reduce(0, +)
        return (a, b.map { $0 * sa / sb })
    }
}

/// Checks of an exact plan that do not depend on which optimal vertex was chosen.
enum ExactPlanChecks {
    /// Row and column sums of the plan against the masses (absolute, relative to the total mass).
    static func marginalError(_ r: ExactTransportPlan, a: [Double], b: [Double]) -> Double {
        var worst = 0.0
        for i in 0..<r.rows { worst = max(worst, abs(r.plan[(i * r.columns)..<((i + 1) * r.columns)].reduce(0, +) - a[i])) }
        for j in 0..<r.columns {
            var s = 0.0
            for i in 0..<r.rows { s += r.plan[i * r.columns + j] }
            worst = max(worst, abs(s - b[j]))
        }
        return worst / max(1, a.reduce(0, +))
    }

    /// Whether the support is the support of a basic solution: at most `rows + columns − 1`
    /// entries forming no cycle in the bipartite graph (union-find over rows and columns).
    static func isBasic(_ r: ExactTransportPlan) -> Bool {
        var parent = Array(0..<(r.rows + r.columns))
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        var count = 0
        for k in 0..<r.plan.count where r.plan[k] != 0 {
            count += 1
            let p = find(k / r.columns), q = find(r.rows + k % r.columns)
            if p == q { return false }
            parent[p] = q
        }
        return count <= r.rows + r.columns - 1
    }

    /// The potentials pass through POT's artificial cost `(max M + 1)·(rows + columns)` (a
    /// potential starts there and the final ones are differences of such values), so they are
    /// exact up to rounding at that scale: 1e-6 of it is the floor of the scales below (on
    /// OTA's problems, with 1e6 penalties, this is about 2e3 and the rounding 1e-7).
    static func artificialScale(_ r: ExactTransportPlan, cost: [Double]) -> Double {
        1e-6 * ((cost.map(abs).max() ?? 0) + 1) * Double(r.rows + r.columns)
    }

    /// The largest violation of dual feasibility (`u_i + v_j ≤ M_ij`) and of complementary
    /// slackness (equality on the support), each relative to
    /// `max(1, |u_i|, |v_j|, |M_ij|, artificialScale)`.
    static func dualViolation(_ r: ExactTransportPlan, cost: [Double]) -> Double {
        let floor = max(1, artificialScale(r, cost: cost))
        var worst = 0.0
        for i in 0..<r.rows {
            for j in 0..<r.columns {
                let k = i * r.columns + j
                let slack = cost[k] - (r.u[i] + r.v[j])
                let scale = max(floor, abs(r.u[i]), abs(r.v[j]), abs(cost[k]))
                worst = max(worst, max(-slack, r.plan[k] != 0 ? abs(slack) : 0) / scale)
            }
        }
        return worst
    }

    /// `|Σ a·u + Σ b·v − cost|` relative to the magnitudes summed (and `artificialScale` per
    /// unit of mass).
    static func dualityGap(_ r: ExactTransportPlan, a: [Double], b: [Double], cost: [Double]) -> Double {
        let floor = artificialScale(r, cost: cost)
        var objective = 0.0, scale = abs(r.cost)
        for i in 0..<r.rows { objective += a[i] * r.u[i]; scale += abs(a[i] * r.u[i]) + a[i] * floor }
        for j in 0..<r.columns { objective += b[j] * r.v[j]; scale += abs(b[j] * r.v[j]) + b[j] * floor }
        return abs(objective - r.cost) / max(scale, 1e-300)
    }
}

/// `emd.json`: POT 0.9.7 `ot.emd` on random, degenerate (ties, zero masses, constant costs),
/// negative-cost, iteration-capped and OTA-shaped problems (tools/reference/make_emd_fixtures.py).
///
/// The solver follows POT's pivots exactly, so its plan is POT's even where the optimum is not
/// unique (ties, constant costs, OTA's unit columns); the optimality checks below (marginals,
/// a basic support, dual feasibility and complementary slackness, no duality gap) hold for any
/// optimal vertex and are what the contract promises should a future POT pivot differently.
@Suite struct ExactTransportConformanceTests {
    @Test func fixtureHoldsEveryKind() throws {
        let cases = try EMDCase.load()
        #expect(cases.count == 28)
        #expect(Set(cases.map(\.kind)) == ["random", "ties", "zero-mass", "uniform", "negative", "max-iter", "ota", "ota-real"])
    }

    @Test func reproducesPOTPlansCostsAndDuals() throws {
        for c in try EMDCase.load() {
            let r = try c.solve()
            #expect(r.plan == c.plan, "\(c.name): plan differs from POT's (max |diff| \(zip(r.plan, c.plan).map { abs($0 - $1) }.max() ?? 0))")
            #expect(abs(r.cost - c.expectedCost) <= 1e-9 * max(1, abs(c.expectedCost)), "\(c.name): cost \(r.cost) vs \(c.expectedCost)")
            #expect(r.cost == c.expectedCost || c.potInfeasible, "\(c.name): cost \(r.cost) is not POT's \(c.expectedCost) to the bit")
            let scale = max(1, c.u.map(abs).max() ?? 0, c.v.map(abs).max() ?? 0)
            let du = zip(r.u, c.u).map { abs($0 - $1) }.max() ?? 0, dv = zip(r.v, c.v).map { abs($0 - $1) }.max() ?? 0
            // POT's duals for the shifted problem of a pot_infeasible case differ by the shift.
            if !c.potInfeasible {
                #expect(max(du, dv) <= 1e-12 * scale, "\(c.name): duals differ by \(max(du, dv))")
                #expect(r.u == c.u && r.v == c.v, "\(c.name): duals are not POT's to the bit")
            }
            #expect(r.warning == c.warning, "\(c.name)")
            #expect((r.status == .maxIterReached) == (c.kind == "max-iter"), "\(c.name)")
        }
    }

    @Test func optimalPlansMeetMarginalsAndDuality() throws {
        for c in try EMDCase.load() where c.kind != "max-iter" {
            let r = try c.solve()
            let (a, b) = c.marginals
            #expect(ExactPlanChecks.marginalError(r, a: a, b: b) <= 1e-9, "\(c.name)")
            #expect(ExactPlanChecks.isBasic(r), "\(c.name): support is not a basic solution")
            #expect(r.plan.allSatisfy { $0 >= 0 }, "\(c.name)")
            #expect(ExactPlanChecks.dualViolation(r, cost: c.cost) <= 1e-9, "\(c.name): dual violation \(ExactPlanChecks.dualViolation(r, cost: c.cost))")
            let gap = ExactPlanChecks.dualityGap(r, a: a, b: b, cost: c.cost)
            #expect(gap <= 1e-9, "\(c.name): duality gap \(gap)")
        }
    }

    @Test func otaShapedPlansAreIntegral() throws {
        let cases = try EMDCase.load().filter { $0.kind.hasPrefix("ota") }
        #expect(cases.count == 8)
        for c in cases {
            let r = try c.solve()
            #expect(r.plan.allSatisfy { $0 == 0 || $0 == 1 }, "\(c.name): a plan entry is not 0 or 1")
            // Each prior (unit column) goes to exactly one row: the assignment is read off directly.
            for j in 0..<c.columns { #expect((0..<c.rows).filter { r.plan[$0 * c.columns + j] == 1 }.count == 1, "\(c.name) column \(j)") }
        }
    }

    @Test func iterationCapReturnsTheCurrentBasis() throws {
        let capped = try EMDCase.load().filter { $0.kind == "max-iter" }
        #expect(capped.count == 3)
        for c in capped {
            let r = try c.solve()
            #expect(r.status == .maxIterReached && r.iterations == c.numItermax! - 1, "\(c.name): \(r.iterations) pivots")
            #expect(r.warning == "numItermax reached before optimality. Try to increase numItermax.")
            // The current basic solution: what is not yet on real arcs waits on artificial ones,
            // so no row or column carries more than its mass.
            #expect(ExactPlanChecks.isBasic(r) && r.plan.allSatisfy { $0 >= 0 }, "\(c.name)")
            let (a, b) = c.marginals
            for i in 0..<c.rows { #expect(r.plan[(i * c.columns)..<((i + 1) * c.columns)].reduce(0, +) <= a[i] + 1e-15, "\(c.name) row \(i)") }
            for j in 0..<c.columns { #expect((0..<c.rows).map { r.plan[$0 * c.columns + j] }.reduce(0, +) <= b[j] + 1e-15, "\(c.name) column \(j)") }
        }
    }

    /// `sinkhorn.json` holds POT's exact cost of its problems (`(ot.emd(a, b, M) * M).sum()`).
    @Test func sinkhornFixtureExactCosts() throws {
        for item in try Fixtures.list("sinkhorn.json") {
            let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles)
            let m = try #require(item["M"]?.matrix), expected = try #require(item["emd_cost"]?.double)
            let r = try ExactTransport().solve(a: a, b: b, cost: m.values)
            #expect(r.status == .optimal)
            #expect(abs(r.cost - expected) <= 1e-12 * expected, "\(r.cost) vs \(expected)")
        }
    }
}
