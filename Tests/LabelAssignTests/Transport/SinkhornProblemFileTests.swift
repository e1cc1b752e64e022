import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The `sinkhorn` keys of a problem file and the library's POT semantics behind them.
@Suite struct SinkhornProblemFileTests {
    func parse(_ text: String) throws -> TransportProblem { try TransportProblem.parse(Array(text.utf8)) }

    @Test func parsesPOTsOptions() throws {
        let p = try parse(#"{"method": "sinkhorn", "a": [], "b": [], "M": [[0, 1], [1, 0]], "reg": 0.5, "sinkhorn_method": "sinkhorn_stabilized", "numItermax": 77, "stopThr": 1e-7, "warmstart": [[0.5, -Infinity], [1, 2]], "tau": 50, "print_period": 3, "stall_checks": 0}"#)
        let s = try p.sinkhorn()
        #expect(s == Sinkhorn(reg: 0.5, method: .sinkhornStabilized, numItermax: 77, stopThr: 1e-7, tau: 50, printPeriod: 3, stallChecks: 0))
        #expect(p.warmstart == Sinkhorn.Warmstart(u: [0.5, -.infinity], v: [1, 2]))
        // Absent keys are POT's defaults.
        let d = try parse(#"{"method": "sinkhorn", "a": [], "b": [], "M": [[0, 1]], "reg": 2}"#).sinkhorn()
        #expect(d == Sinkhorn(reg: 2) && d.method == .sinkhorn && d.numItermax == 1000 && d.stopThr == 1e-9 && d.tau == 1e3 && d.printPeriod == 20)
    }

    @Test func checksKeysPerMethod() throws {
        let root = try parseJSON(Array(#"{"method": "emd", "a": [], "b": [], "M": [[1]], "stopThr": 1}"#.utf8))
        #expect(throws: LabelAssignError.invalidParameter(name: "stopThr", reason: "is not an option of method emd; its keys: method, a, b, M, numItermax")) {
            try TransportProblem.checkKeys(root, method: "emd")
        }
        for (method, keys) in TransportProblem.keys {
            let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) }))
            #expect(throws: Never.self) { try TransportProblem.checkKeys(object, method: method) }
        }
    }

    @Test func uniformWeightsAreExplicitUniformWeights() throws {
        let cost = [0.3, 1.2, 0.7, 2.0, 0.1, 0.9]
        for method in Sinkhorn.Method.allCases {
            let s = Sinkhorn(reg: 0.3, method: method, stopThr: 1e-12)
            let empty = try s.solve(a: [], b: [], cost: cost, rows: 2, columns: 3)
            let explicit = try s.solve(a: [0.5, 0.5], b: [1.0 / 3, 1.0 / 3, 1.0 / 3], cost: cost)
            #expect(empty == explicit, "\(method)")
            #expect(empty.converged)
        }
        #expect(throws: LabelAssignError.self) { try Sinkhorn(reg: 1).solve(a: [], b: [], cost: [1, 2], rows: 2, columns: 2) }
    }

    @Test func warmStartFromTheResultContinuesTheIteration() throws {
        let a = [0.2, 0.3, 0.5], b = [0.6, 0.4], cost = [0, 1, 2, 0.5, 1, 1]
        for method in [Sinkhorn.Method.sinkhornLog, .sinkhornStabilized] {
            let three = try Sinkhorn(reg: 0.2, method: method, numItermax: 3, stopThr: 0).solve(a: a, b: b, cost: cost)
            let more = try Sinkhorn(reg: 0.2, method: method, numItermax: 3, stopThr: 0).solve(a: a, b: b, cost: cost, warmstart: three.warmstart)
            let six = try Sinkhorn(reg: 0.2, method: method, numItermax: 6, stopThr: 0).solve(a: a, b: b, cost: cost)
            #expect(worstRelative(more.plan, six.plan) <= 1e-12, "\(method)")
            #expect(three.status == .maxIterReached && three.niter == 2 && three.errors.count == 1)
        }
        // sinkhorn_knopp starts from exp(warmstart): the log of its own scalings continues it.
        let three = try Sinkhorn(reg: 0.2, numItermax: 3, stopThr: 0).solve(a: a, b: b, cost: cost)
        let more = try Sinkhorn(reg: 0.2, numItermax: 3, stopThr: 0).solve(a: a, b: b, cost: cost, warmstart: three.warmstart)
        let six = try Sinkhorn(reg: 0.2, numItermax: 6, stopThr: 0).solve(a: a, b: b, cost: cost)
        #expect(worstRelative(more.plan, six.plan) <= 1e-12)
    }

    @Test func badWarmStartsAreNamed() {
        let s = Sinkhorn(reg: 1)
        #expect(throws: LabelAssignError.shapeMismatch(field: "warmstart[1]", expected: 2, actual: 1)) {
            try s.solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [0, 1, 1, 0], warmstart: .init(u: [0, 0], v: [0]))
        }
        #expect(throws: LabelAssignError.self) {
            try s.solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [0, 1, 1, 0], warmstart: .init(u: [.nan, 0], v: [0, 0]))
        }
        #expect(throws: LabelAssignError.self) {
            try s.solve(a: [0.5, 0.5], b: [0.5, 0.5], cost: [0, 1, 1, 0], warmstart: .init(u: [.infinity, 0], v: [0, 0]))
        }
    }

    @Test func stabilizedAbsorbsAboveTau() throws {
        let a = [0.2, 0.3, 0.5], b = [0.1, 0.2, 0.3, 0.4], cost = [0, 3, 2, 0.5, 1, 0.2, 4, 2, 3, 1, 0.1, 2.5]
        let low = try Sinkhorn(reg: 0.05, method: .sinkhornStabilized, tau: 10).solve(a: a, b: b, cost: cost)
        let high = try Sinkhorn(reg: 0.05, method: .sinkhornStabilized, tau: 1e300).solve(a: a, b: b, cost: cost)
        #expect(low.absorptions > 0 && high.absorptions == 0)
        // The same iteration in other variables: both plans converge to the same one (within stopThr).
        #expect(low.converged && high.converged)
        #expect(zip(low.plan, high.plan).allSatisfy { abs($0 - $1) <= 1e-8 }, "\(low.plan) vs \(high.plan)")
        // print_period sets the checks: iterations 0, 7, 14, ...
        let seven = try Sinkhorn(reg: 0.05, method: .sinkhornStabilized, numItermax: 60, stopThr: 1e-300, printPeriod: 7, stallChecks: 0)
            .solve(a: a, b: b, cost: cost)
        #expect(seven.status == .maxIterReached && seven.errors.count == 9)
    }
}
