import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// One `sinkhorn` case of `transport-options.json`: POT 0.9.7's `ot.sinkhorn(..., log=True)`.
struct POTSinkhornCase {
    var name: String
    var a: [Double], b: [Double], cost: [Double]
    var rows: Int, columns: Int
    var solver: Sinkhorn
    var warmstart: Sinkhorn.Warmstart?
    var plan: [Double], totalCost: Double
    var niter: Int
    var errors: [Double], errorCount: Int, errorMin: Double?
    var u: [Double], v: [Double]
    var warnings: [String]

    /// The status POT's warnings say.
    var status: Sinkhorn.Status {
        if warnings.contains(where: { $0.contains("numerical errors") || $0.contains("Numerical errors") }) { return .numericalError }
        if warnings.contains(where: { $0.contains("did not converge") }) { return .maxIterReached }
        return .converged
    }

    static func all() throws -> [POTSinkhornCase] {
        guard let list = try Fixtures.json("transport-options.json")["sinkhorn"]?.array else { throw LabelAssignError.missingField("sinkhorn") }
        return try list.map(POTSinkhornCase.init)
    }

    init(_ item: JSONValue) throws {
        func need<T>(_ v: T?, _ key: String) throws -> T { guard let v else { throw LabelAssignError.missingField(key) }; return v }
        name = try need(item["name"]?.string, "name")
        let m = try need(item["M"]?.matrix, "M")
        cost = m.values; columns = m.columns; rows = try need(item["M"]?.array?.count, "M")
        a = try need(item["a"]?.doubles, "a"); b = try need(item["b"]?.doubles, "b")
        let method = try need(item["method"]?.string.flatMap(Sinkhorn.Method.init(rawValue:)), "method")
        let options = try need(item["options"], "options")
        // The fixture ran POT's loop to its end: no stall stop.
        solver = Sinkhorn(reg: try need(item["reg"]?.double, "reg"), method: method,
                          numItermax: options["numItermax"]?.double.map { Int($0) } ?? 1000,
                          stopThr: options["stopThr"]?.double ?? 1e-9, tau: options["tau"]?.double ?? 1e3,
                          printPeriod: options["print_period"]?.double.map { Int($0) } ?? 20, stallChecks: 0)
        if let w = options["warmstart"]?.array {
            warmstart = Sinkhorn.Warmstart(u: try need(w.first?.doubles, "warmstart"), v: try need(w.last?.doubles, "warmstart"))
        }
        plan = try need(item["plan"]?.matrix?.values, "plan"); totalCost = try need(item["cost"]?.double, "cost")
        niter = Int(try need(item["niter"]?.double, "niter"))
        errors = try need(item["err"]?.doubles, "err"); errorCount = Int(try need(item["err_count"]?.double, "err_count"))
        errorMin = item["err_min"]?.double
        u = try need(item["u"]?.doubles, "u"); v = try need(item["v"]?.doubles, "v")
        warnings = try need(item["warnings"]?.array, "warnings").compactMap(\.string)
    }

    func solve(_ solver: Sinkhorn? = nil) throws -> TransportPlan {
        try (solver ?? self.solver).solve(a: a, b: b, cost: cost, rows: rows, columns: columns, warmstart: warmstart)
    }
}

/// Largest relative difference of `x` from the reference `y` (equal infinities and zeros count as 0).
func worstRelative(_ x: [Double], _ y: [Double]) -> Double {
    guard x.count == y.count else { return .infinity }
    var worst = 0.0
    for (p, q) in zip(x, y) where p != q {
        worst = max(worst, abs(p - q) / abs(q))
    }
    return worst
}

@Suite struct SinkhornPOTConformanceTests {
    /// Plans, costs and duals: the operation order is POT's (on the machine that made the fixture
    /// every case is equal to the bit), so only a different rounding of `exp` or of a BLAS kernel
    /// on another CPU can separate them: 1 ulp per operation, kept from growing by the contraction
    /// of the iteration; 1e-12 relative is about 5,000 ulps.
    static let tolerance = 1e-12

    @Test func fixtureHoldsEveryKind() throws {
        let cases = try POTSinkhornCase.all()
        #expect(cases.count == 30)
        for method in Sinkhorn.Method.allCases {
            #expect(cases.contains { $0.solver.method == method && $0.warmstart != nil })
            #expect(cases.contains { $0.solver.method == method && $0.a.isEmpty && $0.b.isEmpty })
            #expect(cases.contains { $0.solver.method == method && $0.status == .maxIterReached })
        }
        #expect(cases.contains { $0.status == .numericalError })
    }

    @Test func everyCaseIsPOTs() throws {
        for c in try POTSinkhornCase.all() {
            let r = try c.solve()
            #expect(r.status == c.status, "\(c.name): \(r.status) vs POT's warnings \(c.warnings)")
            #expect(r.niter == c.niter, "\(c.name): niter \(r.niter) vs \(c.niter)")
            #expect(r.errors.count == c.errorCount, "\(c.name): \(r.errors.count) checks vs \(c.errorCount)")
            let plan = worstRelative(r.plan, c.plan), duals = max(worstRelative(r.u, c.u), worstRelative(r.v, c.v))
            #expect(plan <= Self.tolerance, "\(c.name): plan relative \(plan)")
            #expect(duals <= Self.tolerance, "\(c.name): duals relative \(duals)")
            #expect(worstRelative([r.cost], [c.totalCost]) <= Self.tolerance, "\(c.name): cost \(r.cost) vs \(c.totalCost)")
            #expect(Self.errorsMatch(Array(r.errors.prefix(c.errors.count)), c), "\(c.name): errors \(r.errors.prefix(5)) vs \(c.errors.prefix(5))")
        }
    }

    /// The checked errors: `‖colsum − b‖₂` is a difference of sums of size `b_j`, each rounded to
    /// about `m·ε·b_j`, so besides a relative 1e-9 an absolute `4·m·ε·Σb` separates two roundings.
    static func errorsMatch(_ got: [Double], _ c: POTSinkhornCase) -> Bool {
        guard got.count == c.errors.count else { return false }
        let mass = c.b.isEmpty ? 1 : c.b.reduce(0, +)
        let floor = 4 * Double(c.rows) * Double.ulpOfOne * mass
        return zip(got, c.errors).allSatisfy { abs($0 - $1) <= 1e-9 * $1 + floor }
    }
}

/// The stall stop on the fixture's `stall` cases: POT ran all 100,000 iterations with its error at
/// the floor above `stopThr`; the default configuration stops after 20 checks without a new minimum.
@Suite struct SinkhornStallTests {
    static func stallCases() throws -> [POTSinkhornCase] { try POTSinkhornCase.all().filter { $0.name.hasSuffix(" stall") } }

    @Test func stopsAtTheFloorWithPOTsPlan() throws {
        let cases = try Self.stallCases()
        #expect(cases.count == Sinkhorn.Method.allCases.count)
        for c in cases {
            var solver = c.solver
            solver.stallChecks = 20
            let r = try c.solve(solver)
            #expect(c.status == .maxIterReached && c.niter == 99_999, "\(c.name): POT ran its budget")
            #expect(r.status == .stalled, "\(c.name): \(r.status) after \(r.iterations)")
            #expect(r.iterations < 2_000, "\(c.name): \(r.iterations) iterations")
            // The same iterations as POT's up to the stop: its errors are a prefix of POT's.
            #expect(SinkhornPOTConformanceTests.errorsMatch(r.errors, POTSinkhornCase.prefix(c, r.errors.count)), "\(c.name)")
            // Stalled: the last 20 checks set no new minimum, and POT's 100,000 iterations never got
            // far below it (the floor wanders within a small factor).
            let best = try #require(r.errors.min())
            #expect(r.errors.suffix(20).allSatisfy { $0 >= best } && !r.errors.dropLast(20).isEmpty)
            #expect(best > c.solver.stopThr)
            let potBest = try #require(c.errorMin)
            #expect(potBest >= best / 4, "\(c.name): POT's floor \(potBest), stalled at \(best)")
            // The plan at the stop is POT's final plan to rounding.
            let plan = worstRelative(r.plan, c.plan)
            #expect(plan <= 1e-12, "\(c.name): plan relative \(plan)")
            print("STALL \(c.name): \(r.iterations) iterations, best \(best), POT best \(potBest), plan \(plan)")
        }
    }

    @Test func offRunsTheWholeBudget() throws {
        let c = try #require(try Self.stallCases().first)
        var solver = c.solver
        solver.stallChecks = 0
        solver.numItermax = 3_000
        let r = try c.solve(solver)
        #expect(r.status == .maxIterReached && r.iterations == 3_000 && r.niter == 2_999 && r.errors.count == 300)
    }

    @Test func neverStopsAConvergingRun() throws {
        // Every fixture case that POT ran to convergence or to its budget ends the same way with
        // the stall stop on (its errors fall at every check until then).
        for c in try POTSinkhornCase.all() where !c.name.hasSuffix(" stall") {
            var solver = c.solver
            solver.stallChecks = 20
            let r = try c.solve(solver)
            #expect(r.status == c.status && r.niter == c.niter, "\(c.name): \(r.status) at \(r.niter)")
        }
    }
}

extension POTSinkhornCase {
    /// `c` with its error list cut to the first `count` checks.
    static func prefix(_ c: POTSinkhornCase, _ count: Int) -> POTSinkhornCase {
        var p = c
        p.errors = Array(c.errors.prefix(count))
        return p
    }
}
