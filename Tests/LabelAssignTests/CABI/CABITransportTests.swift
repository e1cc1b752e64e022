import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import LabelAssignCABI
import Testing

/// `la_sinkhorn`, `la_sinkhorn_fixed` and `la_linear_sum_assignment` equal the Swift API on the
/// fixture problems; their errors set every out-value.
@Suite struct CABITransportTests {
    struct SinkhornRun: Equatable {
        var rc: Int32, plan: [Double], u: [Double], v: [Double], niter: Int64, err: Double, status: Int32
        var errors: [Double] = [], numErrors: Int64 = 0
        var error: String
        static func == (l: Self, r: Self) -> Bool {
            l.rc == r.rc && l.plan == r.plan && l.u == r.u && l.v == r.v && l.niter == r.niter && l.status == r.status
                && (l.err == r.err || (l.err.isNaN && r.err.isNaN)) && l.errors == r.errors && l.numErrors == r.numErrors
        }
    }

    static func sinkhorn(_ a: [Double]?, _ b: [Double]?, _ m: [Double]?, rows: Int64, cols: Int64, reg: Double, method: String?,
                         itermax: Int64 = 1000, stopThr: Double = 1e-9, tau: Double = 1e3, printPeriod: Int64 = 20,
                         warm: ([Double], [Double])? = nil, errorsCapacity: Int = 64) -> SinkhornRun {
        let pin = CABI.Pinned()
        // Hostile counts get small buffers: the call fails before it writes them.
        let (product, overflow) = max(0, Int(rows)).multipliedReportingOverflow(by: max(0, Int(cols)))
        let size = overflow || product > 1 << 16 ? 4 : product
        var r = SinkhornRun(rc: -9, plan: .init(repeating: 7, count: size), u: .init(repeating: 7, count: min(max(0, Int(rows)), 1 << 16)),
                            v: .init(repeating: 7, count: min(max(0, Int(cols)), 1 << 16)), niter: 7, err: 7, status: 7, error: "")
        var e = [CChar](repeating: 0, count: 512)
        var errors = [Double](repeating: 7, count: max(0, errorsCapacity))
        r.numErrors = 7
        r.rc = la_sinkhorn(pin.pointer(a), pin.pointer(b), pin.pointer(m), rows, cols, reg, method, itermax, stopThr, tau, printPeriod,
                           pin.pointer(warm?.0), pin.pointer(warm?.1), &r.plan, &r.u, &r.v, &r.niter, &r.err,
                           &errors, Int64(errorsCapacity), &r.numErrors, &r.status, &e, 512)
        // The values written: the first min(count, capacity).
        r.errors = Array(errors.prefix(Int(max(0, min(r.numErrors, Int64(errorsCapacity))))))
        r.error = CABI.message(e)
        return r
    }

    @Test(arguments: Sinkhorn.Method.allCases)
    func sinkhornEqualsTheSwiftAPI(method: Sinkhorn.Method) throws {
        for item in try Fixtures.list("sinkhorn.json") {
            let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles), m = try #require(item["M"]?.matrix)
            for reg in [1.0, 0.1] {
                let solver = Sinkhorn(reg: reg, method: method, numItermax: 500, stopThr: 1e-9)
                let swift = try solver.solve(a: a, b: b, cost: m.values, rows: a.count, columns: b.count)
                let expected = SinkhornRun(rc: 0, plan: swift.plan, u: swift.u, v: swift.v, niter: Int64(swift.niter),
                                           err: swift.marginalError, status: Int32(Sinkhorn.Status.allCases.firstIndex(of: swift.status)!),
                                           errors: swift.errors, numErrors: Int64(swift.errors.count), error: "")
                let got = Self.sinkhorn(a, b, m.values, rows: Int64(a.count), cols: Int64(b.count), reg: reg, method: method.rawValue, itermax: 500)
                #expect(got == expected, "\(method) reg \(reg): \(got.error)")
                // Warm-started from its own potentials, and uniform masses from NULL.
                let warm = (swift.warmstart.u, swift.warmstart.v)
                let warmed = try solver.solve(a: a, b: b, cost: m.values, rows: a.count, columns: b.count, warmstart: swift.warmstart)
                #expect(Self.sinkhorn(a, b, m.values, rows: Int64(a.count), cols: Int64(b.count), reg: reg, method: method.rawValue,
                                      itermax: 500, warm: warm).plan == warmed.plan)
                let uniform = try solver.solve(a: [], b: [], cost: m.values, rows: a.count, columns: b.count)
                #expect(Self.sinkhorn(nil, nil, m.values, rows: Int64(a.count), cols: Int64(b.count), reg: reg, method: method.rawValue,
                                      itermax: 500).plan == uniform.plan)
            }
        }
        // Not converging is LA_OK with the status set.
        let (a, b, m): ([Double], [Double], [Double]) = ([0.7, 0.3], [0.4, 0.6], [0, 1, 2, 0.5])
        let swift = try Sinkhorn(reg: 0.05, method: method, numItermax: 2, stopThr: 0).solve(a: a, b: b, cost: m)
        let capped = Self.sinkhorn(a, b, m, rows: 2, cols: 2, reg: 0.05, method: method.rawValue, itermax: 2, stopThr: 0)
        #expect(swift.status == .maxIterReached)
        #expect(capped.rc == 0 && capped.status == 2 && capped.plan == swift.plan, "\(capped)")
    }

    /// `tau` and `print_period` reach `sinkhorn_stabilized`; a short errors buffer gets the first
    /// values and the full count.
    @Test func sinkhornTakesTauPrintPeriodAndReportsEveryError() throws {
        let item = try #require(try Fixtures.list("sinkhorn.json").first)
        let a = try #require(item["a"]?.doubles), b = try #require(item["b"]?.doubles), m = try #require(item["M"]?.matrix)
        let (r, c) = (Int64(a.count), Int64(b.count))
        for (tau, period) in [(10.0, Int64(20)), (1e3, 7)] {
            let swift = try Sinkhorn(reg: 0.05, method: .sinkhornStabilized, numItermax: 2000, stopThr: 1e-10, tau: tau,
                                     printPeriod: Int(period)).solve(a: a, b: b, cost: m.values, rows: a.count, columns: b.count)
            let got = Self.sinkhorn(a, b, m.values, rows: r, cols: c, reg: 0.05, method: "sinkhorn_stabilized", itermax: 2000,
                                    stopThr: 1e-10, tau: tau, printPeriod: period, errorsCapacity: 2000 / Int(period) + 1)
            #expect(got.rc == 0 && got.plan == swift.plan && got.errors == swift.errors && got.numErrors == Int64(swift.errors.count),
                    "tau \(tau) print_period \(period): \(got.error)")
            let short = Self.sinkhorn(a, b, m.values, rows: r, cols: c, reg: 0.05, method: "sinkhorn_stabilized", itermax: 2000,
                                      stopThr: 1e-10, tau: tau, printPeriod: period, errorsCapacity: 2)
            #expect(swift.errors.count > 2 && short.errors == Array(swift.errors.prefix(2)) && short.numErrors == Int64(swift.errors.count))
        }
        let defaults = Self.sinkhorn(a, b, m.values, rows: r, cols: c, reg: 0.05, method: "sinkhorn_stabilized", itermax: 2000, stopThr: 1e-10)
        let absorbing = Self.sinkhorn(a, b, m.values, rows: r, cols: c, reg: 0.05, method: "sinkhorn_stabilized", itermax: 2000,
                                      stopThr: 1e-10, tau: 10)
        #expect(defaults.rc == 0 && absorbing.rc == 0 && defaults.plan != absorbing.plan, "tau is passed on")
        var plan = [Double](repeating: 0, count: a.count * b.count), count: Int64 = 7
        #expect(la_sinkhorn(a, b, m.values, r, c, 1, nil, 100, 1e-9, 1e3, 20, nil, nil, &plan, nil, nil, nil, nil,
                            nil, 0, &count, nil, nil, 0) == 0 && count > 0, "the count without a buffer")
    }

    @Test func sinkhornErrorsSetEveryOutput() {
        let m: [Double] = [0, 1, 1, 0]
        let cleared = SinkhornRun(rc: CABI.invalid, plan: [0, 0, 0, 0], u: [0, 0], v: [0, 0], niter: 0, err: .nan, status: -1, error: "")
        let cases: [(Int32, String, SinkhornRun)] = [
            (CABI.invalid, "reg", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: -1, method: nil)),
            (CABI.invalid, "numItermax", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: nil, itermax: 0)),
            (CABI.invalid, "M", Self.sinkhorn(nil, nil, [0, .nan, 1, 0], rows: 2, cols: 2, reg: 1, method: nil)),
            (CABI.invalid, "b", Self.sinkhorn([0.5, 0.5], [0.5, 0.7], m, rows: 2, cols: 2, reg: 1, method: nil)),
            (CABI.invalid, "warmstart", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: nil, warm: ([.nan, 0], [0, 0]))),
            (CABI.argument, "method", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: "greenkhorn")),
            (CABI.argument, "M is NULL", Self.sinkhorn(nil, nil, nil, rows: 2, cols: 2, reg: 1, method: nil)),
            (CABI.invalid, "tau", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: "sinkhorn_stabilized", tau: .infinity)),
            (CABI.invalid, "tau", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: nil, tau: 0)),
            (CABI.invalid, "print_period", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: nil, printPeriod: 0)),
            (CABI.argument, "errors_capacity", Self.sinkhorn(nil, nil, m, rows: 2, cols: 2, reg: 1, method: nil, errorsCapacity: -1)),
        ]
        for (code, name, got) in cases {
            #expect(got.rc == code && got.error.contains(name), "\(name): \(got.error)")
            var want = cleared
            want.rc = code
            #expect(got == want, "\(name): \(got)")
        }
        let counts = Self.sinkhorn(nil, nil, m, rows: 0, cols: 2, reg: 1, method: nil)
        #expect(counts.rc == CABI.argument && counts.niter == 0 && counts.status == -1 && counts.err.isNaN)
        #expect(Self.sinkhorn(nil, nil, m, rows: Int64.max / 4, cols: 4, reg: 1, method: nil).rc == CABI.argument)
        #expect(Self.sinkhorn(nil, nil, m, rows: 1 << 20, cols: 1 << 20, reg: 1, method: nil).rc == CABI.limit)
    }

    @Test func sinkhornFixedEqualsTheSwiftAPI() throws {
        for item in try Fixtures.list("ota-plan.json") {
            let cost = try #require(item["cost"]?.matrix)
            let mu = try #require(item["mu"]?.floats), nu = try #require(item["nu"]?.floats)
            let eps = Float(try #require(item["eps"]?.double)), iters = Int32(try #require(item["iters"]?.double))
            let swift = try Sinkhorn.fixedIterations(cost: cost.values.map(Float.init), mu: mu, nu: nu, eps: eps, iterations: Int(iters))
            var plan = [Float](repeating: 7, count: swift.plan.count), u = [Float](repeating: 7, count: mu.count)
            var v = [Float](repeating: 7, count: nu.count)
            var e = [CChar](repeating: 0, count: 256)
            #expect(la_sinkhorn_fixed(cost.values.map(Float.init), mu, nu, Int64(mu.count), Int64(nu.count), eps, iters,
                                      &plan, &u, &v, &e, 256) == 0, "\(CABI.message(e))")
            #expect(plan == swift.plan && u == swift.u && v == swift.v)
            #expect(la_sinkhorn_fixed(cost.values.map(Float.init), mu, nu, Int64(mu.count), Int64(nu.count), 0, iters,
                                      &plan, &u, &v, &e, 256) == CABI.invalid)
            #expect(CABI.message(e).contains("eps") && plan.allSatisfy { $0 == 0 } && u.allSatisfy { $0 == 0 })
            #expect(la_sinkhorn_fixed(cost.values.map(Float.init), mu, nil, Int64(mu.count), Int64(nu.count), eps, iters,
                                      &plan, nil, nil, &e, 256) == CABI.argument)
            #expect(la_sinkhorn_fixed(cost.values.map(Float.init), mu, nu, Int64(mu.count), Int64(nu.count), eps, -1,
                                      &plan, nil, nil, &e, 256) == CABI.invalid)
        }
    }

    struct Matching: Equatable {
        var rc: Int32, rows: [Int64], cols: [Int64], count: Int64, total: Double, error: String
        static func == (l: Self, r: Self) -> Bool {
            l.rc == r.rc && l.rows == r.rows && l.cols == r.cols && l.count == r.count && (l.total == r.total || (l.total.isNaN && r.total.isNaN))
        }
    }

    static func lsa(_ cost: [Double]?, _ rows: Int64, _ cols: Int64, maximize: Bool = false) -> Matching {
        let k = min(max(0, Int(min(rows, cols))), 1 << 20)
        var m = Matching(rc: -9, rows: .init(repeating: 7, count: k), cols: .init(repeating: 7, count: k), count: 7, total: 7, error: "")
        var e = [CChar](repeating: 0, count: 256)
        let pin = CABI.Pinned()
        m.rc = la_linear_sum_assignment(pin.pointer(cost), rows, cols, maximize ? 1 : 0, &m.rows, &m.cols, &m.count, &m.total, &e, 256)
        m.error = CABI.message(e)
        return m
    }

    @Test func linearSumAssignmentEqualsTheSwiftAPI() throws {
        for file in ["hungarian.json", "hungarian-ties.json"] {
            let root = try Fixtures.json(file)
            for group in root.array ?? [root] {
                for p in group["problems"]?.array ?? [] {
                    let m = try #require(p["cost"]?.matrix)
                    let rows = m.values.count / max(m.columns, 1)
                    for maximize in [false, true] {
                        guard let r = try? LinearAssignment.solve(cost: m.values, rows: rows, cols: m.columns, maximize: maximize) else { continue }
                        let expected = Matching(rc: 0, rows: r.rows.map(Int64.init), cols: r.cols.map(Int64.init),
                                                count: Int64(r.rows.count), total: r.total, error: "")
                        #expect(Self.lsa(m.values, Int64(rows), Int64(m.columns), maximize: maximize) == expected, "\(file)")
                    }
                }
            }
        }
    }

    /// scipy's rules: +inf forbidden (minimising), -inf and NaN rejected, infeasible rejected,
    /// empty matrices matched empty.
    @Test func linearSumAssignmentFollowsScipy() {
        let inf = Double.infinity
        #expect(Self.lsa([1, inf, 2, 3], 2, 2) == Matching(rc: 0, rows: [0, 1], cols: [0, 1], count: 2, total: 4, error: ""))
        #expect(Self.lsa([1, -inf, 2, 3], 2, 2, maximize: true) == Matching(rc: 0, rows: [0, 1], cols: [0, 1], count: 2, total: 4, error: ""))
        let failed = Matching(rc: CABI.invalid, rows: [-1, -1], cols: [-1, -1], count: 0, total: .nan, error: "")
        for (cost, maximize) in [([1, -inf, 2, 3], false), ([1, .nan, 2, 3], false), ([1, inf, 2, 3], true), ([1, inf, inf, inf], false)] {
            #expect(Self.lsa(cost, 2, 2, maximize: maximize) == failed, "\(cost) \(maximize)")
        }
        #expect(Self.lsa([1, inf, inf, inf], 2, 2).error.contains("infeasible"))
        #expect(Self.lsa([1, .nan, 2, 3], 2, 2).error.contains("cost[1]"))
        #expect(Self.lsa(nil, 0, 5) == Matching(rc: 0, rows: [], cols: [], count: 0, total: 0, error: ""))
        #expect(Self.lsa([3, 1, 2], 3, 1) == Matching(rc: 0, rows: [1], cols: [0], count: 1, total: 1, error: ""))
        #expect(Self.lsa(nil, 2, 2).rc == CABI.argument)
        #expect(Self.lsa([1], -1, 2).rc == CABI.argument)
        #expect(Self.lsa([1], Int64.max / 2, 3).rc == CABI.argument)
        #expect(Self.lsa([1], 1 << 20, 1 << 20).rc == CABI.limit)
        var e = [CChar](repeating: 0, count: 64)
        #expect(la_linear_sum_assignment([1, 2, 3, 4], 2, 2, 0, nil, nil, nil, nil, &e, 64) == CABI.argument)
    }
}
