import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// Compares one assigner with every fixture scene holding `key`: `assigned_gt` equal for every
/// prior, `matched_iou` within 1e-4. Returns the number of scenes checked.
@discardableResult
func expectFixtureConformance(preset: String, key: String) throws -> Int {
    let cases = Fixtures.scenes(expecting: key)
    let assigner = try AssignerRegistry.make(preset)
    for (scene, expected) in cases {
        let got = try assigner.assign(scene)
        let wantGT = try #require(expected["assigned_gt"]?.doubles).map { Int32($0) }
        let wantIoU = try #require(expected["matched_iou"]?.doubles)
        #expect(got.assignedGT.count == wantGT.count, "\(scene.name)")
        let differing = zip(got.assignedGT, wantGT).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(differing.isEmpty, "\(preset) \(scene.name): \(differing.count) priors differ, first \(differing.prefix(5).map { "prior \($0.offset): \($0.element.0) vs \($0.element.1)" })")
        let iou = try #require(got.floats("matched_iou"))
        #expect(iou.count == wantIoU.count)
        let worst = zip(iou, wantIoU).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= 1e-4, "\(preset) \(scene.name): matched_iou off by \(worst)")
    }
    return cases.count
}

/// The field names of `labelassign assign` output (Assignment.json) against a fixture expectation.
func expectFixtureFieldNames(preset: String, key: String) throws {
    let (scene, expected) = try #require(Fixtures.scenes(expecting: key).first)
    let result = try AssignerRegistry.make(preset).assign(scene)
    let printed = try parseJSON(Array(result.json(assigner: preset).utf8))
    var keys = Set(try #require(printed.object).keys)
    #expect(keys.remove("assigner") != nil)
    #expect(printed["assigner"]?.string == preset)
    #expect(keys == Set(try #require(expected.object).keys), "\(preset): \(keys.sorted())")
}

/// SimOTA presets against the YOLOX 0.3.0, mmdet 3.3 and YOLOX main fixtures.
@Suite struct SimOTAConformanceTests {
    static let presets = [("simota", "yolox_simota"), ("simota-mmdet", "mmdet_simota"),
                          ("simota-yolox-latest", "yolox_latest_simota")]

    @Test(arguments: presets)
    func matchesEveryFixtureScene(preset: String, key: String) throws {
        let checked = try expectFixtureConformance(preset: preset, key: key)
        #expect(checked >= 15, "only \(checked) fixture scenes hold \(key)")
    }

    /// scene-crowd-21 holds an exact float32 tie: two penalised candidates of object 56 both cost
    /// 100004.17. torch.topk keeps the later one (prior 8348); the lower-index rule would keep 7776.
    @Test func fixturesHoldATieThatOnlyTorchOrderReproduces() throws {
        var lower = SimOTAAssigner.Configuration.yolox
        lower.selectionTies = .lowerIndex
        var differing = 0
        for (scene, expected) in Fixtures.scenes(expecting: "yolox_simota") {
            let want = try #require(expected["assigned_gt"]?.doubles).map { Int32($0) }
            if try SimOTAAssigner(lower).assign(scene).assignedGT != want { differing += 1 }
        }
        #expect(differing >= 1)
    }

    @Test(arguments: presets)
    func registryNamesTheFixtureKey(preset: String, key: String) throws {
        #expect(try AssignerRegistry.preset(preset).fixtureKey == key)
        #expect(try AssignerRegistry.preset(preset).name == preset)
    }

    @Test(arguments: presets)
    func outputUsesTheFixtureFieldNames(preset: String, key: String) throws {
        try expectFixtureFieldNames(preset: preset, key: key)
    }
}

/// A 32 × 32 image with one level of stride 8: 16 priors at 4, 12, 20, 28 on each axis,
/// index `4 · row + column`. Predictions come from `prediction(index)`, class logits from
/// `logit(index, class)`, objectness logits are 0.
func gridScene(objects: [[Float]], labels: [Int32], classes: Int = 2,
               prediction: (Int) -> [Float] = { _ in [100, 100, 110, 110] },
               logit: (Int, Int) -> Float = { _, _ in -2 }) -> Scene {
    let priors = try! PriorGrid.points(width: 32, height: 32, strides: [8])
    let n = priors.count / 4
    return Scene(name: "grid", imageWidth: 32, imageHeight: 32, strides: [8], numClasses: classes,
                 priors: priors, gtBoxes: objects.flatMap { $0 }, gtLabels: labels,
                 predBoxes: (0..<n).flatMap(prediction),
                 clsLogits: (0..<(n * classes)).map { logit($0 / classes, $0 % classes) },
                 objLogits: [Float](repeating: 0, count: n))
}

/// Hand-worked cases and bad input.
@Suite struct SimOTAEdgeCaseTests {
    static let configurations: [SimOTAAssigner.Configuration] = [.yolox, .mmdet, .yoloxLatest]
    /// Priors strictly inside [0, 0, 16, 16]: centres (4,4), (12,4), (4,12), (12,12).
    static let inBox = [0, 1, 4, 5]

    @Test(arguments: configurations)
    func zeroObjectsIsAllBackground(configuration: SimOTAAssigner.Configuration) throws {
        let s = gridScene(objects: [], labels: [])
        let r = try SimOTAAssigner(configuration).assign(s)
        #expect(r.assignedGT == [Int32](repeating: -1, count: 16))
        #expect(r.floats("matched_iou") == [Float](repeating: 0, count: 16))
    }

    @Test(arguments: configurations)
    func missingObjectnessIsATypedError(configuration: SimOTAAssigner.Configuration) {
        var s = gridScene(objects: [[0, 0, 16, 16]], labels: [0])
        s.objLogits = nil
        #expect(throws: LabelAssignError.missingField("obj_logits")) { try SimOTAAssigner(configuration).assign(s) }
    }

    /// Four in-box priors predict the object exactly (IoU 1, k = 4); everything else predicts
    /// far away. In-box and in-centre priors carry no penalty, so they are the four picks.
    @Test func perfectPredictionsTakeTheFourInBoxPriors() throws {
        let box: [Float] = [0, 0, 16, 16]
        let s = gridScene(objects: [box], labels: [0], prediction: { Self.inBox.contains($0) ? box : [100, 100, 110, 110] })
        for configuration in [SimOTAAssigner.Configuration.yolox, .mmdet] {
            let r = try SimOTAAssigner(configuration).assign(s)
            #expect(r.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : -1 }, "\(configuration.arithmetic)")
            let iou = try #require(r.floats("matched_iou"))
            for i in 0..<16 { #expect(iou[i] == (Self.inBox.contains(i) ? 1 : 0)) }
        }
        // YOLOX main: the centre square (radius 1.5 · 8 = 12 around (8, 8)) holds the same four priors.
        let latest = try SimOTAAssigner(.yoloxLatest).assign(s)
        #expect(latest.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : -1 })
    }

    /// An object far outside the image has no candidate prior of its own. Alone, nothing is a
    /// candidate: all background. Next to a normal object it still takes its cheapest candidate
    /// (penalised, k = 1): prior 10 at (20, 20), where its class logit is high, which the first
    /// object (k = 4, its in-box priors) does not take.
    @Test(arguments: [SimOTAAssigner.Configuration.yolox, .mmdet])
    func objectWithoutCandidates(configuration: SimOTAAssigner.Configuration) throws {
        let far: [Float] = [200, 200, 210, 210]
        let alone = gridScene(objects: [far], labels: [1])
        let r = try SimOTAAssigner(configuration).assign(alone)
        #expect(r.assignedGT == [Int32](repeating: -1, count: 16))

        let box: [Float] = [0, 0, 16, 16]
        let s = gridScene(objects: [box, far], labels: [0, 1],
                          prediction: { Self.inBox.contains($0) ? box : [100, 100, 110, 110] },
                          logit: { i, c in c == 1 && i == 10 ? 4 : -2 })
        let both = try SimOTAAssigner(configuration).assign(s)
        #expect(both.assignedGT == (0..<16).map { Self.inBox.contains($0) ? 0 : ($0 == 10 ? 1 : -1) })
        #expect(both.floats("matched_iou")?[10] == 0)
    }

    /// A zero-area object has no in-box prior, so every candidate is penalised; its IoU with any
    /// prediction is 0, so k = 1: it takes its cheapest candidate (prior 5, the high logit).
    /// With zero-area predictions as well, YOLOX's 0/0 IoU counts as 0 (no NaN).
    @Test(arguments: [SimOTAAssigner.Configuration.yolox, .mmdet, .yoloxLatest])
    func zeroAreaObjectTakesOneCandidate(configuration: SimOTAAssigner.Configuration) throws {
        let point: [Float] = [12, 12, 12, 12]
        for prediction in [{ (_: Int) -> [Float] in [8, 8, 16, 16] }, { (_: Int) -> [Float] in [12, 12, 12, 12] }] {
            let s = gridScene(objects: [point], labels: [0], prediction: prediction, logit: { i, c in c == 0 && i == 5 ? 3 : -2 })
            let r = try SimOTAAssigner(configuration).assign(s)
            #expect(r.assignedGT == (0..<16).map { $0 == 5 ? 0 : -1 })
            let iou = try #require(r.floats("matched_iou"))
            #expect(iou.allSatisfy { $0 == 0 })
        }
    }

    @Test func badConfigurationIsRejected() {
        var c = SimOTAAssigner.Configuration.yolox
        c.candidateTopK = 0
        let s = gridScene(objects: [[0, 0, 16, 16]], labels: [0])
        #expect(throws: LabelAssignError.self) { try SimOTAAssigner(c).assign(s) }
        c = .mmdet
        c.iouEpsilon = 0
        #expect(throws: LabelAssignError.self) { try SimOTAAssigner(c).assign(s) }
        c = .yoloxLatest
        c.centreRadius = .nan
        #expect(throws: LabelAssignError.self) { try SimOTAAssigner(c).assign(s) }
    }

    @Test func badInputNamesTheField() throws {
        let base = gridScene(objects: [[0, 0, 16, 16]], labels: [0])
        func expectError(_ field: String, index: Int?, _ mutate: (inout Scene) -> Void) {
            var s = base
            mutate(&s)
            do {
                _ = try SimOTAAssigner(.yolox).assign(s)
                Issue.record("\(field): accepted")
            } catch let LabelAssignError.invalidValue(f, i, _) {
                #expect(f == field)
                #expect(i == index)
            } catch let LabelAssignError.shapeMismatch(f, _, _) {
                #expect(f == field)
            } catch {
                Issue.record("\(field): unexpected \(error)")
            }
        }
        expectError("gt_labels", index: 0) { $0.gtLabels = [2] }
        expectError("obj_logits", index: nil) { $0.objLogits = [0, 0] }
        expectError("cls_logits", index: nil) { $0.clsLogits.removeLast() }
        expectError("cls_logits", index: 5) { $0.clsLogits[2 * 5 + 1] = .nan }
        expectError("obj_logits", index: 0) { $0.objLogits![0] = .infinity }
        expectError("pred_bboxes", index: 1) { $0.predBoxes[4 * 1 + 2] = .nan }
        expectError("gt_bboxes", index: 0) { $0.gtBoxes[2] = -1 }
    }
}

/// The shared dynamic-k selection on hand-built matrices.
@Suite struct DynamicKMatchingTests {
    /// Object 0: IoUs 0.9 + 0.8 + 0.5 → k = 2, picks candidates 0 and 1 (cheapest).
    /// Object 1: IoUs 0.6 + 0.3 → k = 1, picks candidate 1. Candidate 1 is contested: its
    /// column minimum over all objects is object 1 (cost 0.5 < 2). Object 2 (k = 1) picks
    /// candidate 3, and wins it alone.
    @Test func kSelectionAndConflicts() throws {
        let cost: [Float] = [1, 2, 5, 9,
                             7, 0.5, 8, 9,
                             9, 9, 9, 0]
        let iou: [Float] = [0.9, 0.8, 0.5, 0,
                            0, 0.6, 0.3, 0,
                            0, 0, 0, 0]
        let r = try DynamicKMatching.match(cost: cost, iou: iou, objects: 3, candidates: 4, candidateTopK: 10)
        #expect(r.dynamicK == [2, 1, 1])
        #expect(r.matchedObject == [0, 1, -1, 2])
    }

    /// A contested candidate can go to an object that did not pick it.
    @Test func conflictGoesToTheColumnMinimumOverAllObjects() throws {
        let cost: [Float] = [1, 5,
                             1, 6,
                             0.5, 0.1]
        let iou = [Float](repeating: 0, count: 6)
        // k = 1 each: objects 0 and 1 pick candidate 0; object 2 picks candidate 1.
        let r = try DynamicKMatching.match(cost: cost, iou: iou, objects: 3, candidates: 2, candidateTopK: 10)
        #expect(r.matchedObject == [2, 2])
    }

    @Test func candidateTopKLimitsTheIoUSum() throws {
        let iou: [Float] = [0.9, 0.9, 0.9, 0.9]
        let cost: [Float] = [1, 2, 3, 4]
        #expect(try DynamicKMatching.match(cost: cost, iou: iou, objects: 1, candidates: 4, candidateTopK: 10).dynamicK == [3])
        #expect(try DynamicKMatching.match(cost: cost, iou: iou, objects: 1, candidates: 4, candidateTopK: 2).dynamicK == [1])
    }

    /// Equal costs: torch.topk (2.15, CPU) returns {20, 30} for this row with k = 2 (heap path,
    /// 64·k <= 128) and {5, 6, 8} for the short row with k = 3 (introselect path); the
    /// lower-index rule gives {10, 30} and {1, 3, 6}.
    @Test func tiesFollowTorchTopKOrLowerIndex() throws {
        var row = [Float](repeating: 9, count: 128)
        row[10] = 4; row[20] = 4; row[30] = 2
        var iou = [Float](repeating: 0, count: 128)
        iou[0] = 1; iou[1] = 1 // k = 2
        let torch = try DynamicKMatching.match(cost: row, iou: iou, objects: 1, candidates: 128, candidateTopK: 10)
        #expect(torch.matchedObject.indices.filter { torch.matchedObject[$0] == 0 } == [20, 30])
        let lower = try DynamicKMatching.match(cost: row, iou: iou, objects: 1, candidates: 128, candidateTopK: 10, ties: .lowerIndex)
        #expect(lower.matchedObject.indices.filter { lower.matchedObject[$0] == 0 } == [10, 30])

        let short: [Float] = [3, 1, 2, 1, 5, 1, 0.5, 7, 1, 1]
        let shortIoU: [Float] = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] // k = 3
        let t = try DynamicKMatching.match(cost: short, iou: shortIoU, objects: 1, candidates: 10, candidateTopK: 10)
        #expect(t.matchedObject.indices.filter { t.matchedObject[$0] == 0 } == [5, 6, 8])
        let l = try DynamicKMatching.match(cost: short, iou: shortIoU, objects: 1, candidates: 10, candidateTopK: 10, ties: .lowerIndex)
        #expect(l.matchedObject.indices.filter { l.matchedObject[$0] == 0 } == [1, 3, 6])
    }

    @Test func badMatricesAreRejected() {
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1, 2], iou: [0], objects: 1, candidates: 2, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [.nan], iou: [0], objects: 1, candidates: 1, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1], iou: [-1], objects: 1, candidates: 1, candidateTopK: 10) }
        #expect(throws: LabelAssignError.self) { try DynamicKMatching.match(cost: [1], iou: [0], objects: 1, candidates: 1, candidateTopK: 0) }
    }

    @Test func emptyMatricesMatchNothing() throws {
        #expect(try DynamicKMatching.match(cost: [], iou: [], objects: 0, candidates: 3, candidateTopK: 10).matchedObject == [-1, -1, -1])
        #expect(try DynamicKMatching.match(cost: [], iou: [], objects: 2, candidates: 0, candidateTopK: 10).matchedObject == [])
    }
}
