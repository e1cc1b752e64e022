import LabelAssign
import LabelAssignTestSupport
import Testing

/// `ota-exact`: OTA's transport problem solved exactly, checked against brute force and against
/// linear assignment on the expanded problem (every row repeated as often as its supply).
@Suite struct ExactOTATests {
    /// A scene of `width × height` at `strides` with `objects` random boxes, each prior predicting a
    /// jittered copy of a random object's box (so IoUs are high and supplies exceed 1), random logits.
    static func randomScene(seed: UInt64, width: Int, height: Int, strides: [Int], objects: Int) -> Scene {
        var rng = SplitMix64(state: seed)
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(rng.below(1 << 20)) / Float(1 << 20) }
        var boxes: [Float] = []
        for _ in 0..<objects {
            let w = uniform(8, Float(width) / 2), h = uniform(8, Float(height) / 2)
            let x = uniform(0, Float(width) - w), y = uniform(0, Float(height) - h)
            boxes += [x, y, x + w, y + h]
        }
        let base = SceneBuilder.grid(width: width, height: height, strides: strides, classes: 3)
        let n = base.scene.priorCount
        var pred: [Float] = []
        for _ in 0..<n {
            let o = rng.below(objects)
            pred += (0..<4).map { boxes[4 * o + $0] + uniform(-3, 3) }
        }
        for i in 0..<n { (pred[4 * i], pred[4 * i + 2]) = (min(pred[4 * i], pred[4 * i + 2]), max(pred[4 * i], pred[4 * i + 2])) }
        for i in 0..<n { (pred[4 * i + 1], pred[4 * i + 3]) = (min(pred[4 * i + 1], pred[4 * i + 3]), max(pred[4 * i + 1], pred[4 * i + 3])) }
        let logits = (0..<(n * 3)).map { _ in uniform(-3, 3) }
        let labels = (0..<objects).map { _ in Int32(rng.below(3)) }
        return base.objects(boxes, labels: labels).predictions(pred).logits(logits).scene
    }

    /// Σ cost over the priors' rows, in float64 (`rows[j]`: the row of prior `j`, background = G).
    static func cost(_ rows: [Int32], _ p: OTATransportProblem) -> Double {
        var total = 0.0
        for j in 0..<p.priorCount { total += Double(p.cost[Int(rows[j]) * p.priorCount + j]) }
        return total
    }

    /// The least cost over every assignment of the priors to rows with row `r` taking `mu[r]` priors.
    static func bruteForce(_ p: OTATransportProblem) -> Double {
        let n = p.priorCount, rows = p.gtCount + 1
        var left = p.mu.map { Int($0) }
        var best = Double.infinity
        func visit(_ j: Int, _ sum: Double) {
            if j == n { best = min(best, sum); return }
            for r in 0..<rows where left[r] > 0 {
                left[r] -= 1
                visit(j + 1, sum + Double(p.cost[r * n + j]))
                left[r] += 1
            }
        }
        visit(0, 0)
        return best
    }

    /// The rows of `assignment` (background for every non-positive prior).
    static func rows(_ a: Assignment, gtCount g: Int) -> [Int32] {
        a.assignedGT.map { $0 >= 0 ? $0 : Int32(g) }
    }

    /// 8 priors, 2 or 3 objects: the exact assignment reaches the brute-force optimum, each object
    /// holding exactly its supply.
    @Test(arguments: 0..<12)
    func reachesTheBruteForceOptimum(seed: Int) throws {
        let scene = Self.randomScene(seed: UInt64(seed), width: 32, height: 16, strides: [8], objects: 2 + seed % 2)
        let problem = try OTAAssigner().transportProblem(scene)
        let result = try ExactOTAAssigner().assign(scene)
        let rows = Self.rows(result, gtCount: scene.gtCount)
        for r in 0...scene.gtCount {
            #expect(Float(rows.filter { $0 == Int32(r) }.count) == problem.mu[r], "seed \(seed) row \(r)")
        }
        let best = Self.bruteForce(problem)
        let got = Self.cost(rows, problem)
        #expect(abs(got - best) <= 1e-9 * abs(best), "seed \(seed): \(got) vs brute force \(best)")
        #expect(abs(try ExactOTAAssigner.solve(problem).cost - best) <= 1e-9 * abs(best))
    }

    /// Up to 336 priors on three levels: the cost equals linear sum assignment on the expanded
    /// `N × N` problem, and `matched_iou` is the problem's IoU of the matched object.
    @Test(arguments: 0..<6)
    func equalsLinearAssignmentOnTheExpandedProblem(seed: Int) throws {
        let scene = Self.randomScene(seed: 100 + UInt64(seed), width: 128, height: 128, strides: [8, 16, 32], objects: 3 + seed)
        let problem = try OTAAssigner().transportProblem(scene)
        let n = problem.priorCount
        var expanded: [Double] = []
        for r in 0...problem.gtCount {
            for _ in 0..<Int(problem.mu[r]) { expanded += problem.cost[(r * n)..<((r + 1) * n)].map(Double.init) }
        }
        #expect(expanded.count == n * n)
        let lsa = try LinearAssignment.solve(cost: expanded, rows: n, cols: n)
        let result = try ExactOTAAssigner().assign(scene)
        let got = Self.cost(Self.rows(result, gtCount: scene.gtCount), problem)
        #expect(abs(got - lsa.total) <= 1e-9 * abs(lsa.total), "seed \(seed): \(got) vs LSA \(lsa.total)")
        for j in 0..<n {
            let g = Int(result.assignedGT[j])
            #expect(result.matchedIoU?[j] == (g >= 0 ? problem.iou[g * n + j] : 0))
        }
        #expect(result["mu"] == .floats(problem.mu))
    }

    /// Two copies of one object share their candidates but need more priors than there are: the
    /// optimum gives some of them penalised priors (so candidates alone would not do).
    @Test func sharedCandidatesCanForcePenalisedPriors() throws {
        let base = SceneBuilder.grid(width: 32, height: 16, strides: [8], classes: 2)
            .objects([0, 0, 20, 16, 0, 0, 20, 16], labels: [0, 1])
            .predictions { _ in [0, 0, 20, 16] }
            .logits { prior, cls in Float((prior + 2 * cls) % 5) - 2 }
        let scene = base.scene
        let problem = try OTAAssigner().transportProblem(scene)
        let n = problem.priorCount
        let candidates = (0..<n).filter { problem.valid[$0] }
        #expect(candidates == (0..<n).filter { problem.valid[n + $0] })
        #expect(Int(problem.mu[0] + problem.mu[1]) > candidates.count)
        let result = try ExactOTAAssigner().assign(scene)
        let penalised = (0..<n).filter { result.assignedGT[$0] >= 0 && !problem.valid[Int(result.assignedGT[$0]) * n + $0] }
        #expect(penalised.count == Int(problem.mu[0] + problem.mu[1]) - candidates.count)
        let got = Self.cost(Self.rows(result, gtCount: 2), problem)
        let best = Self.bruteForce(problem)
        #expect(abs(got - best) <= 1e-9 * best)
    }

    /// More objects than priors: the background supply would be negative, the same error as `ota`.
    @Test func suppliesBeyondThePriorsAreAnError() throws {
        let boxes = [Float]((0..<9).map { _ in [Float(0), 0, 32, 16] }.joined())
        let scene = SceneBuilder.grid(width: 32, height: 16, strides: [8], classes: 2)
            .objects(boxes, labels: [Int32](repeating: 0, count: 9)).scene
        let expected = #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(scene) }
        let got = #expect(throws: LabelAssignError.self) { try ExactOTAAssigner().assign(scene) }
        #expect(got.map { "\($0)" } == expected.map { "\($0)" })
    }

    /// The problem's buffers are checked against the limit before they are allocated.
    @Test func problemBeyondTheBufferLimitIsAnError() throws {
        let scene = Self.randomScene(seed: 7, width: 128, height: 128, strides: [8, 16, 32], objects: 4)
        let bytes = 5 * scene.priorCount * 41
        let error = ResourceLimits.withLimits(ResourceLimits(maxBufferBytes: bytes - 1)) {
            #expect(throws: LabelAssignError.self) { try ExactOTAAssigner().assign(scene) }
        }
        guard case .resourceExhausted? = error else { Issue.record("expected resourceExhausted, got \(String(describing: error))"); return }
        try ResourceLimits.withLimits(ResourceLimits(maxBufferBytes: bytes)) { _ = try ExactOTAAssigner().assign(scene) }
    }

    /// A plan that is not one unit per column is refused when the rows are read off.
    @Test func fractionalPlansAreRefused() throws {
        #expect(throws: LabelAssignError.self) { try ExactOTAAssigner.rows(of: [0.5, 0.5, 0.5, 0.5], rows: 2, columns: 2) }
        #expect(throws: LabelAssignError.self) { try ExactOTAAssigner.rows(of: [1, 0, 1, 0], rows: 2, columns: 2) }
        #expect(throws: LabelAssignError.self) { try ExactOTAAssigner.rows(of: [1, 0, 0, 0], rows: 2, columns: 2) }
        #expect(try ExactOTAAssigner.rows(of: [1, 1, 0, 0], rows: 2, columns: 2) == [0, 0])
        #expect(try ExactOTAAssigner.rows(of: [0, 1, 1, 0], rows: 2, columns: 2) == [1, 0])
    }
}
