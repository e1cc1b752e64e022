import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The OTA iteration on the fixture scenes (the assignments themselves are compared in
/// `PresetConformanceTests`).
@Suite struct OTAFixtureSceneTests {
    static func cases() throws -> [FixtureCase] { try Fixtures.scenes(expecting: "ota") }

    /// The compact iteration (valid priors + background row; full rows for objects without a
    /// valid prior) gives the same plan, bit for bit, as the full `(G + 1) × N` iteration.
    @Test func compactIterationEqualsFullIteration() throws {
        let ota = OTAAssigner()
        var objectsWithoutValidPrior = 0
        for scene in try Self.cases().map(\.scene) where scene.gtCount > 0 {
            let problem = try ota.transportProblem(scene)
            let n = problem.priorCount
            for g in 0..<problem.gtCount where !problem.valid[(g * n)..<((g + 1) * n)].contains(true) {
                objectsWithoutValidPrior += 1
            }
            let full = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu, eps: 0.1, iterations: 50)
            let compact = try ota.plan(scene)
            #expect(compact.count == full.plan.count)
            let differing = zip(compact, full.plan).filter { $0 != $1 }.count
            #expect(differing == 0, "\(scene.name): \(differing) plan entries differ")
            #expect(try ota.assign(scene) == ota.assignUsingDenseSinkhorn(scene), "\(scene.name)")
        }
        // The fixtures hold objects whose row must run over every prior.
        #expect(objectsWithoutValidPrior > 0)
    }

    /// The reference's cost terms on a fixture scene: rows of the dense problem.
    @Test func denseProblemFollowsTheReferenceShapes() throws {
        let c = try #require(try Self.cases().first { $0.scene.gtCount > 2 })
        let scene = c.scene
        let p = try OTAAssigner().transportProblem(scene)
        #expect(p.cost.count == (scene.gtCount + 1) * scene.priorCount)
        #expect(p.mu.map(Double.init) == c.expected["mu"]?.doubles)
        #expect(p.mu.reduce(0, +) == Float(scene.priorCount))
        // Penalised entries carry the 1e6 penalty; valid ones do not.
        for k in 0..<(scene.gtCount * scene.priorCount) {
            #expect((p.cost[k] >= 1e6) == !p.valid[k])
        }
    }
}

/// Hand-made scenes: edge cases and bad input.
@Suite struct OTAEdgeCaseTests {
    /// A 64 × 64 image, strides 8 and 16, 3 classes, predictions 12 px squares around the priors.
    static let base = SceneBuilder.grid(width: 64, height: 64, strides: [8, 16], classes: 3)
        .predictions { $0.square(halfSide: 6) }
        .logits { prior, cls in Float((3 * prior + cls) % 5) - 2.5 }

    /// No objects: all background (`PresetInvariantTests`), and the background row carries every prior.
    @Test func noObjectsPutAllSupplyOnTheBackground() throws {
        let s = Self.base.objects([], labels: []).scene
        let r = try OTAAssigner().assign(s)
        #expect(r.assignedGT == [Int32](repeating: -1, count: s.priorCount))
        #expect(r.floats("matched_iou") == [Float](repeating: 0, count: s.priorCount))
        #expect(r.floats("mu") == [Float(s.priorCount)])
    }

    @Test func oneObjectTakesPriorsInsideIt() throws {
        let s = Self.base.objects([8, 8, 40, 40], labels: [1]).scene
        let r = try OTAAssigner().assign(s)
        let positives = (0..<s.priorCount).filter { r.assignedGT[$0] == 0 }
        #expect(!positives.isEmpty)
        let mu = try #require(r.floats("mu"))
        #expect(mu.count == 2 && mu[0] >= 1 && mu[0] + mu[1] == Float(s.priorCount))
        for j in positives {
            let px = s.priors[4 * j], py = s.priors[4 * j + 1]
            #expect(px > 8 && px < 40 && py > 8 && py < 40, "prior \(j) outside the object")
            #expect(r.floats("matched_iou")![j] > 0)
        }
        #expect(try r == OTAAssigner().assignUsingDenseSinkhorn(s))
    }

    @Test func zeroAreaObjectHasNoValidPriorAndStaysFinite() throws {
        // A zero-area object: no prior is strictly inside, so its row runs over every prior.
        let s = Self.base.objects([20, 20, 20, 20, 8, 8, 40, 40], labels: [0, 2]).scene
        let ota = OTAAssigner()
        let problem = try ota.transportProblem(s)
        #expect(!problem.valid[0..<s.priorCount].contains(true))
        #expect(problem.mu[0] == 1)
        let r = try ota.assign(s)
        #expect(r.floats("matched_iou")!.allSatisfy { $0.isFinite })
        #expect(try r == ota.assignUsingDenseSinkhorn(s))
        let full = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu, eps: 0.1, iterations: 50)
        #expect(try ota.plan(s) == full.plan)
    }

    @Test func supplyAboveThePriorCountIsAnError() throws {
        // One prior, two objects containing it: supplies 1 + 1 exceed the single prior.
        let s = Scene(name: "one", imageWidth: 8, imageHeight: 8, strides: [8], numClasses: 2,
                      priors: [4, 4, 8, 8], gtBoxes: [0, 0, 8, 8, 1, 1, 7, 7], gtLabels: [0, 1],
                      predBoxes: [0, 0, 8, 8], clsLogits: [0.3, -0.2])
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
        // One object over one prior is fine: the background supply is 0.
        var single = s
        single.gtBoxes = [0, 0, 8, 8]
        single.gtLabels = [0]
        let r = try OTAAssigner().assign(single)
        #expect(r.assignedGT == [0])
        #expect(r.floats("mu") == [1, 0])
    }

    @Test func smallPenaltyStillEqualsTheFullIteration() throws {
        // With a penalty of 2 the penalised entries do not underflow: the compact iteration
        // must notice and the result must still be the full iteration's.
        let s = Self.base.objects([8, 8, 40, 40, 30, 24, 60, 56], labels: [1, 0]).scene
        var config = OTAAssigner.Configuration()
        config.penalty = 2
        let ota = OTAAssigner(config)
        let problem = try ota.transportProblem(s)
        let full = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu, eps: 0.1, iterations: 50)
        #expect(full.plan.enumerated().contains { $0.offset < 2 * s.priorCount && !problem.valid[$0.offset] && $0.element > 0 })
        #expect(try ota.plan(s) == full.plan)
        #expect(try ota.assign(s) == ota.assignUsingDenseSinkhorn(s))
    }

    @Test func topCandidatesBoundsTheSupply() throws {
        let s = Self.base.objects([8, 8, 40, 40, 30, 24, 60, 56], labels: [1, 0]).scene
        var one = OTAAssigner.Configuration()
        one.topCandidates = 1
        let narrow = try OTAAssigner(one).assign(s)
        #expect(narrow.floats("mu")!.prefix(2) == [1, 1])
        #expect(try narrow == OTAAssigner(one).assignUsingDenseSinkhorn(s))
    }

    @Test func badScenesAreRejected() {
        var s = Self.base.objects([8, 8, 40, 40], labels: [1]).scene
        s.clsLogits[5] = .nan
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
        s = Self.base.objects([8, 8, 4, 40], labels: [1]).scene
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
        s = Self.base.objects([8, 8, 40, 40], labels: [3]).scene
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
    }
}
