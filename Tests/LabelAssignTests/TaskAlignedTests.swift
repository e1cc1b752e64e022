import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// Compares an assigner with a fixture key on every scene that holds it: `assigned_gt` equal,
/// the float field within 1e-4.
enum AssignerFixtureCheck {
    struct Outcome {
        var scenes = 0
        var priors = 0
        var failures: [String] = []
    }

    static func run(_ assigner: any Assigner, key: String, floatField: String?,
                    cases: [(scene: Scene, expected: JSONValue)]? = nil) throws -> Outcome {
        var outcome = Outcome()
        for (scene, expected) in cases ?? Fixtures.scenes(expecting: key) {
            outcome.scenes += 1
            let got = try assigner.assign(scene)
            guard let want = expected["assigned_gt"]?.doubles else {
                outcome.failures.append("\(scene.name): fixture has no assigned_gt")
                continue
            }
            outcome.priors += want.count
            if want.count != got.assignedGT.count {
                outcome.failures.append("\(scene.name): \(got.assignedGT.count) priors, fixture \(want.count)")
                continue
            }
            var bad = 0
            for (i, w) in want.enumerated() where Int32(w) != got.assignedGT[i] {
                if bad < 5 { outcome.failures.append("\(scene.name) assigned_gt[\(i)]: \(got.assignedGT[i]) vs \(Int(w))") }
                bad += 1
            }
            if bad > 5 { outcome.failures.append("\(scene.name): \(bad) assigned_gt differences") }
            guard let field = floatField else { continue }
            guard let wantF = expected[field]?.doubles, let gotF = got.floats(field), wantF.count == gotF.count else {
                outcome.failures.append("\(scene.name): \(field) missing or of the wrong length")
                continue
            }
            var badF = 0
            for (i, w) in wantF.enumerated() where !(abs(Double(gotF[i]) - w) <= 1e-4) {
                if badF < 5 { outcome.failures.append("\(scene.name) \(field)[\(i)]: \(gotF[i]) vs \(w)") }
                badF += 1
            }
            if badF > 5 { outcome.failures.append("\(scene.name): \(badF) \(field) differences") }
        }
        return outcome
    }
}

/// Scene builder for hand-worked cases: one level of point priors on a `width × height` image.
func handScene(width: Int = 64, height: Int = 64, strides: [Int] = [8], classes: Int = 2,
               gt: [Float], labels: [Int32], ignore: [Float] = [],
               pred: ((Float, Float, Float) -> [Float])? = nil, logit: Float = 1) -> Scene {
    let priors = try! PriorGrid.points(width: width, height: height, strides: strides)
    let n = priors.count / 4
    var boxes: [Float] = []
    for i in 0..<n {
        let cx = priors[4 * i], cy = priors[4 * i + 1], s = priors[4 * i + 2]
        boxes += pred?(cx, cy, s) ?? [cx - 2 * s, cy - 2 * s, cx + 2 * s, cy + 2 * s]
    }
    return Scene(name: "hand", imageWidth: width, imageHeight: height, strides: strides, numClasses: classes,
                 priors: priors, gtBoxes: gt, gtLabels: labels, predBoxes: boxes,
                 clsLogits: [Float](repeating: logit, count: n * classes), gtIgnore: ignore)
}

@Suite struct TaskAlignedTests {
    @Test func ultralyticsConformance() throws {
        let out = try AssignerFixtureCheck.run(TaskAlignedAssigner(.tal), key: "ultralytics_tal", floatField: "target_scores")
        #expect(out.scenes == Fixtures.scenes(expecting: "ultralytics_tal").count && out.scenes > 0)
        #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
    }

    @Test func mmdetConformance() throws {
        let out = try AssignerFixtureCheck.run(TaskAlignedAssigner(.tood), key: "mmdet_tal", floatField: "assign_metrics")
        #expect(out.scenes == Fixtures.scenes(expecting: "mmdet_tal").count && out.scenes > 0)
        #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
    }

    /// Scenes made by the reference harness where several objects cover the first priors and
    /// most predictions are far away: the top-k picks many zero-metric priors, and which of
    /// them the reference keeps follows PyTorch's CPU heap selection, not the lower index.
    static let zeroTieCases: [SceneFile.Entry] = (try? SceneFile.readEntries(Fixtures.path("tal-zero-ties.jsonl"))) ?? []

    @Test(arguments: [("tal", "ultralytics_tal", "target_scores"), ("tood", "mmdet_tal", "assign_metrics"),
                      ("atss", "mmdet_atss", "matched_iou"), ("maxiou", "mmdet_maxiou", nil)] as [(String, String, String?)])
    func zeroTieScenes(preset: String, key: String, field: String?) throws {
        let cases: [(scene: Scene, expected: JSONValue)] = Self.zeroTieCases.compactMap { e in e.extras["expected"]?[key].map { (e.scene, $0) } }
        #expect(cases.count == 3)
        let out = try AssignerFixtureCheck.run(try AssignerRegistry.make(preset), key: key, floatField: field, cases: cases)
        #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
        if preset == "tal" {
            // The case the scenes exist for: positives with target 0 (zero-metric picks).
            let zeroPositives = try cases.map { c -> Int in
                let r = try TaskAlignedAssigner(.tal).assign(c.scene)
                let t = try #require(r.floats("target_scores"))
                return (0..<c.scene.priorCount).filter { r.assignedGT[$0] >= 0 && t[$0] == 0 }.count
            }
            #expect(zeroPositives.allSatisfy { $0 > 0 })
        }
    }

    /// ultralytics with other constants, from the reference harness: E2E one-to-one (topk 7,
    /// topk2 1) and the class defaults (topk 13, α 1), on fixture scenes restricted to their classes.
    @Test(arguments: [("ultralytics_tal_e2e", 7, 1, 0.5), ("ultralytics_tal_defaults", 13, nil, 1.0)] as [(String, Int, Int?, Double)])
    func ultralyticsVariants(key: String, topk: Int, topk2: Int?, alpha: Double) throws {
        let entries = try SceneFile.readEntries(Fixtures.path("tal-variants.jsonl"))
        let cases: [(scene: Scene, expected: JSONValue)] = entries.compactMap { e in e.extras["expected"]?[key].map { (e.scene, $0) } }
        #expect(cases.count == 3)
        var cfg = TaskAlignedAssigner.Configuration.tal
        cfg.topk = topk
        cfg.topk2 = topk2
        cfg.alpha = alpha
        let out = try AssignerFixtureCheck.run(TaskAlignedAssigner(cfg), key: key, floatField: "target_scores", cases: cases)
        #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
        if topk2 == 1 {
            // One positive per object at most.
            for c in cases {
                let r = try TaskAlignedAssigner(cfg).assign(c.scene)
                #expect(r.positivesPerObject(gtCount: c.scene.gtCount).allSatisfy { $0 <= 1 })
            }
        }
    }

    /// The row/column search on grid levels equals a full scan: with the image size doubled the
    /// levels no longer match the priors and are scanned prior by prior.
    @Test func gridSearchEqualsFullScan() throws {
        for (scene, _) in Fixtures.scenes(expecting: "ultralytics_tal").prefix(4) {
            var s = scene
            let a = try AssignerRegistry.make("tal").assign(s)
            s.imageWidth *= 2
            s.imageHeight *= 2
            #expect(try AssignerRegistry.make("tal").assign(s) == a, "\(scene.name)")
        }
    }

    @Test func registryPresets() throws {
        #expect(try AssignerRegistry.preset("tal").fixtureKey == "ultralytics_tal")
        #expect(try AssignerRegistry.preset("tood").fixtureKey == "mmdet_tal")
        #expect(try AssignerRegistry.preset("tal").name == "tal")
        #expect(try AssignerRegistry.preset("tood").name == "tood")
    }

    @Test func zeroObjectsIsAllBackground() throws {
        let s = handScene(gt: [], labels: [])
        for cfg in [TaskAlignedAssigner.Configuration.tal, .tood] {
            let r = try TaskAlignedAssigner(cfg).assign(s)
            #expect(r.assignedGT.allSatisfy { $0 == -1 })
            let field = cfg.variant == .ultralytics ? "target_scores" : "assign_metrics"
            #expect(r.floats(field) == [Float](repeating: 0, count: s.priorCount))
        }
    }

    /// A tiny object (2 × 2 px) holds no prior point; ultralytics enlarges it to `strides[1]`
    /// (here 16 px) for the candidate test, so the four priors around its centre become
    /// candidates; with the enlargement disabled it gets none.
    @Test func smallObjectsAreEnlargedForCandidates() throws {
        let s = handScene(strides: [8, 16], gt: [31, 31, 33, 33], labels: [0],
                          pred: { cx, cy, _ in [31 + (cx - 32) / 64, 31 + (cy - 32) / 64, 33, 33] })
        let r = try TaskAlignedAssigner(.tal).assign(s)
        let positives = (0..<s.priorCount).filter { r.assignedGT[$0] == 0 }
        // Level 0 priors at 28 and 36 lie strictly within 32 ± 8; level 1 priors at 24 / 40 do not.
        #expect(positives.map { "\(s.priors[4 * $0]),\(s.priors[4 * $0 + 1])" } == ["28.0,28.0", "36.0,28.0", "28.0,36.0", "36.0,36.0"])
        var off = TaskAlignedAssigner.Configuration.tal
        off.minCandidateSide = 0
        #expect(try TaskAlignedAssigner(off).assign(s).positiveCount == 0)
        // Targets are normalised: the best positive gets the object's best overlap, all lie in (0, 1].
        let t = try #require(r.floats("target_scores"))
        #expect(positives.allSatisfy { t[$0] > 0 && t[$0] <= 1 })
        #expect((0..<s.priorCount).allSatisfy { positives.contains($0) || t[$0] == 0 })
    }

    /// ultralytics quirk: the top-k runs over all priors, so a zero-metric prior inside the object
    /// that the top-k picks (zeros tie; prior 0 is among the picks) is positive with target 0.
    /// mmdet needs `T > 0` and gives the same object no positive.
    @Test func zeroMetricPickInsideTheObjectIsPositive() throws {
        // Predictions far from the object: CIoU < 0 (clamped to 0) and IoU 0 everywhere.
        let s = handScene(strides: [8, 16], gt: [0, 0, 8, 8], labels: [0],
                          pred: { _, _, _ in [50, 50, 60, 60] })
        let r = try TaskAlignedAssigner(.tal).assign(s)
        #expect(r.assignedGT[0] == 0)
        #expect(r.positiveCount == 1)
        #expect(r.floats("target_scores")?[0] == 0)
        #expect(try TaskAlignedAssigner(.tood).assign(s).positiveCount == 0)
    }

    /// A zero-area object: no prior centre strictly inside for mmdet and no overlap; for
    /// ultralytics its enlarged candidates have metric 0 and the top-k picks other priors.
    @Test func zeroAreaObject() throws {
        let s = handScene(strides: [8, 16], gt: [20, 20, 20, 20], labels: [1])
        #expect(try TaskAlignedAssigner(.tood).assign(s).positiveCount == 0)
        let r = try TaskAlignedAssigner(.tal).assign(s)
        #expect(r.positiveCount == 0)
        #expect(try #require(r.floats("target_scores")).allSatisfy { $0 == 0 })
    }

    /// Two identical objects: every prior claimed by both goes to the first (ties to the lower index).
    @Test func conflictsGoToTheLowerIndexOnTies() throws {
        let box: [Float] = [10, 10, 40, 40]
        let s = handScene(gt: box + box, labels: [0, 1])
        for cfg in [TaskAlignedAssigner.Configuration.tal, .tood] {
            let r = try TaskAlignedAssigner(cfg).assign(s)
            #expect(r.positiveCount > 0)
            #expect(r.assignedGT.allSatisfy { $0 == -1 || $0 == 0 })
        }
    }

    /// topk bounds the positives per object; topk2 filters them again.
    @Test func topkAndTopk2BoundPositives() throws {
        let s = handScene(width: 128, height: 128, gt: [8, 8, 120, 120], labels: [0],
                          pred: { cx, cy, _ in [cx - 30 + cx / 64, cy - 30, cx + 30, cy + 30 + cy / 64] })
        var cfg = TaskAlignedAssigner.Configuration.tal
        cfg.topk = 5
        let five = try TaskAlignedAssigner(cfg).assign(s)
        #expect(five.positiveCount == 5)
        cfg.topk2 = 2
        let two = try TaskAlignedAssigner(cfg).assign(s)
        #expect(two.positiveCount == 2)
        #expect((0..<s.priorCount).allSatisfy { two.assignedGT[$0] == -1 || five.assignedGT[$0] == 0 })
        var tood = TaskAlignedAssigner.Configuration.tood
        tood.topk = 3
        #expect(try TaskAlignedAssigner(tood).assign(s).positiveCount == 3)
    }

    @Test func badConfigurationIsRejected() {
        let s = handScene(gt: [10, 10, 40, 40], labels: [0])
        var a = TaskAlignedAssigner.Configuration.tal
        a.topk = 0
        #expect(throws: LabelAssignError.self) { try TaskAlignedAssigner(a).assign(s) }
        var b = TaskAlignedAssigner.Configuration.tal
        b.topk2 = 0
        #expect(throws: LabelAssignError.self) { try TaskAlignedAssigner(b).assign(s) }
        var c = TaskAlignedAssigner.Configuration.tood
        c.beta = 0
        #expect(throws: LabelAssignError.self) { try TaskAlignedAssigner(c).assign(s) }
        var d = TaskAlignedAssigner.Configuration.tal
        d.alpha = .nan
        #expect(throws: LabelAssignError.self) { try TaskAlignedAssigner(d).assign(s) }
        var e = TaskAlignedAssigner.Configuration.tal
        e.normalizationEps = 0
        #expect(throws: LabelAssignError.self) { try TaskAlignedAssigner(e).assign(s) }
    }
}
