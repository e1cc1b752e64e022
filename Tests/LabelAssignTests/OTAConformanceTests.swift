import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// Every fixture scene with an `ota` expectation, and the compact iteration against the full one.
@Suite struct OTAConformanceTests {
    static let cases = Fixtures.scenes(expecting: "ota")

    @Test func fixturesArePresent() {
        #expect(Self.cases.count >= 16, "found \(Self.cases.count) scenes with ota")
    }

    @Test func presetIsRegistered() throws {
        let preset = try AssignerRegistry.preset("ota")
        #expect(preset.fixtureKey == "ota")
        #expect(preset.name == "ota")
    }

    @Test func matchesTheReferenceOnEveryScene() throws {
        let assigner = try AssignerRegistry.make("ota")
        for (scene, expected) in Self.cases {
            let got = try assigner.assign(scene)
            let assigned = try #require(expected["assigned_gt"]?.doubles).map { Int32($0) }
            #expect(got.assignedGT == assigned, "\(scene.name): \(zip(got.assignedGT, assigned).filter { $0 != $1 }.count) priors differ")
            let iou = try #require(expected["matched_iou"]?.doubles)
            let mine = try #require(got.floats("matched_iou"))
            #expect(mine.count == iou.count)
            var worst = 0.0
            for (g, e) in zip(mine, iou) { worst = max(worst, abs(Double(g) - e)) }
            #expect(worst <= 1e-4, "\(scene.name): matched_iou max |diff| \(worst)")
            if let mu = expected["mu"]?.doubles {
                #expect(got.floats("mu")?.map(Double.init) == mu, "\(scene.name): mu")
            }
        }
    }

    /// The compact iteration (valid priors + background row; full rows for objects without a
    /// valid prior) gives the same plan, bit for bit, as the full `(G + 1) × N` iteration.
    @Test func compactIterationEqualsFullIteration() throws {
        let ota = OTAAssigner()
        var objectsWithoutValidPrior = 0
        for (scene, _) in Self.cases where scene.gtCount > 0 {
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
        let (scene, expected) = try #require(Self.cases.first { $0.scene.gtCount > 2 })
        let p = try OTAAssigner().transportProblem(scene)
        #expect(p.cost.count == (scene.gtCount + 1) * scene.priorCount)
        #expect(p.mu.map(Double.init) == expected["mu"]?.doubles)
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
    static func scene(boxes: [Float], labels: [Int32]) -> Scene {
        let priors = try! PriorGrid.points(width: 64, height: 64, strides: [8, 16])
        let n = priors.count / 4
        return Scene(name: "hand", imageWidth: 64, imageHeight: 64, strides: [8, 16], numClasses: 3, priors: priors,
                     gtBoxes: boxes, gtLabels: labels,
                     predBoxes: (0..<n).flatMap { i -> [Float] in
                         let cx = priors[4 * i], cy = priors[4 * i + 1]
                         return [cx - 6, cy - 6, cx + 6, cy + 6]
                     },
                     clsLogits: (0..<(n * 3)).map { Float($0 % 5) - 2.5 })
    }

    @Test func noObjectsMeansAllBackground() throws {
        let s = Self.scene(boxes: [], labels: [])
        let r = try OTAAssigner().assign(s)
        #expect(r.assignedGT == [Int32](repeating: -1, count: s.priorCount))
        #expect(r.floats("matched_iou") == [Float](repeating: 0, count: s.priorCount))
        #expect(r.floats("mu") == [Float(s.priorCount)])
    }

    @Test func oneObjectTakesPriorsInsideIt() throws {
        let s = Self.scene(boxes: [8, 8, 40, 40], labels: [1])
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
        let s = Self.scene(boxes: [20, 20, 20, 20, 8, 8, 40, 40], labels: [0, 2])
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
        let s = Self.scene(boxes: [8, 8, 40, 40, 30, 24, 60, 56], labels: [1, 0])
        var config = OTAConfiguration()
        config.penalty = 2
        let ota = OTAAssigner(config)
        let problem = try ota.transportProblem(s)
        let full = try Sinkhorn.fixedIterations(cost: problem.cost, mu: problem.mu, nu: problem.nu, eps: 0.1, iterations: 50)
        #expect(full.plan.enumerated().contains { $0.offset < 2 * s.priorCount && !problem.valid[$0.offset] && $0.element > 0 })
        #expect(try ota.plan(s) == full.plan)
        #expect(try ota.assign(s) == ota.assignUsingDenseSinkhorn(s))
    }

    @Test func configurationIsValidated() {
        let s = Self.scene(boxes: [8, 8, 40, 40], labels: [1])
        var bad: [OTAConfiguration] = []
        var c = OTAConfiguration(); c.topCandidates = 0; bad.append(c)
        c = OTAConfiguration(); c.eps = 0; bad.append(c)
        c = OTAConfiguration(); c.iterations = -1; bad.append(c)
        c = OTAConfiguration(); c.centerRadius = .nan; bad.append(c)
        c = OTAConfiguration(); c.focalAlpha = 2; bad.append(c)
        c = OTAConfiguration(); c.penalty = -1; bad.append(c)
        for config in bad {
            #expect(throws: LabelAssignError.self) { try OTAAssigner(config).assign(s) }
        }
    }

    @Test func topCandidatesBoundsTheSupply() throws {
        let s = Self.scene(boxes: [8, 8, 40, 40, 30, 24, 60, 56], labels: [1, 0])
        var one = OTAConfiguration()
        one.topCandidates = 1
        let narrow = try OTAAssigner(one).assign(s)
        #expect(narrow.floats("mu")!.prefix(2) == [1, 1])
        #expect(try narrow == OTAAssigner(one).assignUsingDenseSinkhorn(s))
    }

    @Test func badScenesAreRejected() {
        var s = Self.scene(boxes: [8, 8, 40, 40], labels: [1])
        s.clsLogits[5] = .nan
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
        s = Self.scene(boxes: [8, 8, 4, 40], labels: [1])
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
        s = Self.scene(boxes: [8, 8, 40, 40], labels: [3])
        #expect(throws: LabelAssignError.self) { try OTAAssigner().assign(s) }
    }
}
