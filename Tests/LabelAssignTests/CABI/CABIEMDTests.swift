import LabelAssign
import LabelAssignCABI
import Testing

/// `la_emd` / `la_emd2` against POT's outputs in `emd.json`, and their argument errors.
@Suite struct CABIEMDTests {
    func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every fixture case through the C ABI: POT's plan, cost and duals to the bit (`la_emd2` the
    /// same cost), uniform masses from NULL pointers, code 5 with the current basis at the
    /// iteration cap.
    @Test func reproducesEveryFixtureCase() throws {
        for c in try EMDCase.load() {
            var plan = [Double](repeating: -1, count: c.rows * c.columns)
            var cost = -1.0, cost2 = -1.0
            var u = [Double](repeating: -1, count: c.rows), v = [Double](repeating: -1, count: c.columns)
            var err = [CChar](repeating: 0, count: 512)
            let itermax = Int64(c.numItermax ?? 100_000)
            let rc = c.a.withUnsafeBufferPointer { a in
                c.b.withUnsafeBufferPointer { b in
                    la_emd(c.a.isEmpty ? nil : a.baseAddress, c.b.isEmpty ? nil : b.baseAddress, c.cost,
                           Int64(c.rows), Int64(c.columns), itermax, &plan, &cost, &u, &v, &err, 512)
                }
            }
            let rc2 = c.a.withUnsafeBufferPointer { a in
                c.b.withUnsafeBufferPointer { b in
                    la_emd2(c.a.isEmpty ? nil : a.baseAddress, c.b.isEmpty ? nil : b.baseAddress, c.cost,
                            Int64(c.rows), Int64(c.columns), itermax, &cost2, nil, 0)
                }
            }
            let capped = c.kind == "max-iter"
            #expect(rc == (capped ? 5 : 0) && rc2 == rc, "\(c.name): \(rc) \(message(err))")
            if capped { #expect(message(err) == c.warning) }
            #expect(plan == c.plan, "\(c.name): plan differs from POT's")
            #expect(cost == c.expectedCost || c.potInfeasible, "\(c.name): cost \(cost) vs \(c.expectedCost)")
            let swift = try c.solve()
            #expect(cost == swift.cost && cost2 == cost, "\(c.name)")
            #expect(u == swift.u && v == swift.v, "\(c.name): duals differ from ExactTransport's")
            // POT's duals of a pot_infeasible case are those of the shifted problem.
            #expect(c.potInfeasible || (u == c.u && v == c.v), "\(c.name): duals are not POT's")
        }
    }

    @Test func badArgumentsAreTypedErrors() {
        let m: [Double] = [0, 1, 1, 0]
        var plan = [Double](repeating: 7, count: 4)
        var cost = 7.0
        var u = [Double](repeating: 7, count: 2), v = u
        var err = [CChar](repeating: 0, count: 256)
        #expect(la_emd(nil, nil, m, 2, 2, 0, nil, &cost, nil, nil, &err, 256) == 3)
        #expect(message(err) == "plan_out is NULL")
        #expect(la_emd2(nil, nil, m, 2, 2, 0, nil, &err, 256) == 3)
        #expect(la_emd(nil, nil, nil, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 3)
        #expect(la_emd(nil, nil, m, 0, 2, 0, &plan, &cost, &u, &v, &err, 256) == 3)
        #expect(la_emd(nil, nil, m, 2, -1, 0, &plan, &cost, &u, &v, &err, 256) == 3)
        #expect(la_emd(nil, nil, m, 2, 2, -1, &plan, &cost, &u, &v, &err, 256) == 3)
        #expect(la_emd(nil, nil, m, Int64.max / 2, 4, 0, &plan, &cost, &u, &v, &err, 256) == 3)
        // Masses: unequal totals, negative, non-finite; costs: non-finite.
        let a: [Double] = [0.5, 0.5]
        #expect(la_emd(a, [0.5, 0.6], m, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 1)
        #expect(message(err).contains("same total mass"))
        #expect(la_emd([1.5, -0.5], nil, m, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 1)
        #expect(la_emd([.nan, 1], nil, m, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 1)
        #expect(la_emd(a, nil, [0, .infinity, 1, 0], 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 1)
        #expect(plan == [0, 0, 0, 0] && cost == 0 && u == [0, 0] && v == [0, 0], "zeros on an error after the counts were checked")
        // Beyond the buffer limit: before anything is read.
        let tight = ResourceLimits(maxBufferBytes: 4 * 32 - 1)
        ResourceLimits.withLimits(tight) {
            #expect(la_emd(a, nil, m, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 4)
        }
        #expect(la_emd(a, nil, m, 2, 2, 0, &plan, &cost, &u, &v, &err, 256) == 0)
        #expect(plan == [0.5, 0, 0, 0.5] && cost == 0)
        // Complementary slackness on the support, centred: Σ a·u = Σ b·v.
        #expect(u[0] + v[0] == m[0] && u[1] + v[1] == m[3] && 0.5 * (u[0] + u[1]) == 0.5 * (v[0] + v[1]), "\(u) \(v)")
    }
}
