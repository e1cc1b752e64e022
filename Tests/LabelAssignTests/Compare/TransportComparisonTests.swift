import LabelAssign
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// Every plan on OTA's transport problem (`TransportComparison`, `TransportSummary`).
@Suite struct TransportComparisonTests {
    static let entries = [Comparison.Entry("simota", SimOTAAssigner(.yolox)), Comparison.Entry("ota", OTAAssigner(.ota)),
                          Comparison.Entry("ota-exact", ExactOTAAssigner(.ota))]

    /// Four fixture scenes of 2100 priors with objects (one of them with an object without a
    /// valid prior) and one without objects.
    static func source() throws -> SceneListSource {
        let scenes = try Fixtures.scenes(expecting: "ota").map(\.scene).filter { $0.priorCount == 2100 }
        return SceneListSource(Array(scenes.prefix(5)), label: "fixtures")
    }

    static func run(threads: Int, request: TransportComparison.Request?) throws -> ComparisonSummary {
        try Comparison.run(source: source(), assigners: entries,
                           options: Comparison.Options(threads: threads, diagnostics: false, transport: request))
    }

    static func row(_ t: TransportSummary, _ plan: TransportSummary.Plan) throws -> TransportSummary.Row {
        try #require(t.rows.first { $0.plan == plan })
    }

    /// The exact plan is exact; OTA's decision at its own setting is the `ota` preset's assignment
    /// and SimOTA's row is SimOTA's (their Jaccard with the exact plan equals the comparison's
    /// agreement with `ota-exact`); no feasible plan costs less than the exact one.
    @Test func plansAgreeWithTheAssigners() throws {
        let request = try #require(TransportComparison.request(for: Self.entries, sweep: false))
        let r = try Self.run(threads: 1, request: request)
        let t = try #require(r.transport)
        #expect(t.images == 5 && t.failedImages == 0)
        let exact = try Self.row(t, .exact)
        #expect(exact.gap == 0 && exact.rowError == 0 && exact.columnError == 0 && exact.differingShare == 0 && exact.jaccard == 1)
        let setting = TransportComparison.Setting(eps: 0.1, iterations: 50)
        let decision = try Self.row(t, .decision(setting))
        #expect(decision.jaccard == r.agreement[1][2])
        #expect(try Self.row(t, .assigner("simota")).jaccard == r.agreement[0][2])
        #expect(t.rows.map(\.plan) == [.exact, .sinkhorn(setting), .decision(setting), .assigner("simota")])
        let least = try #require(exact.meanCost)
        for row in t.rows where row.rowError == 0 && row.columnError == 0 {
            #expect(try #require(row.meanCost) >= least)
        }
        // The Sinkhorn plan has OTA's marginals up to its iterations; the decision is a hard plan.
        let plan = try Self.row(t, .sinkhorn(setting))
        #expect(try #require(plan.columnError) > 0 && plan.columnError! < 1e-3)
        #expect(decision.columnError == 0 && decision.differingShare! > 0)
        #expect(r.table().contains("OTA's transport problem"))
        #expect(r.json().contains("\"transport\""))
        #expect(ComparisonReport.html(r).contains("OTA's transport problem"))
    }

    /// The sweep measures twelve settings; the same on one thread and two.
    @Test func sweepDoesNotDependOnThreads() throws {
        let request = try #require(TransportComparison.request(for: Self.entries, sweep: true))
        #expect(request.measured.count == 12)
        #expect(Set(request.measured.map(\.eps)) == [0.05, 0.1, 0.2, 0.5])
        #expect(Set(request.measured.map(\.iterations)) == [10, 50, 200])
        let one = try Self.run(threads: 1, request: request).transport
        let two = try Self.run(threads: 2, request: request).transport
        #expect(one != nil && one == two)
        // More iterations at ε 0.1 do not move the columns' marginals further from 1.
        let rows = try #require(one).rows
        func columnError(_ iterations: Int) -> Double? {
            rows.first { $0.plan == .sinkhorn(.init(eps: 0.1, iterations: iterations)) }?.columnError
        }
        #expect(try #require(columnError(200)) <= (try #require(columnError(10))))
    }

    /// Requested only with both OTA and its exact variant, or with the sweep.
    @Test func requestNeedsOTAAndTheExactVariant() throws {
        #expect(TransportComparison.request(for: Array(Self.entries.prefix(2)), sweep: false) == nil)
        #expect(TransportComparison.request(for: [Self.entries[2]], sweep: false) == nil)
        var eps = OTAAssigner.Configuration.ota
        eps.eps = 0.2
        let own = try #require(TransportComparison.request(for: [Comparison.Entry("o", OTAAssigner(eps)), Self.entries[2]], sweep: false))
        #expect(own.measured == [TransportComparison.Setting(eps: 0.2, iterations: 50)])
        #expect(TransportComparison.request(for: [], sweep: true)?.measured.count == 12)
        #expect(try Self.run(threads: 1, request: nil).transport == nil)
    }
}
