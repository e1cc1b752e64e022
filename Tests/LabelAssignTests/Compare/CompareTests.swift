import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// A 32×32 scene, strides 8 and 16 (16 + 4 priors). Every prior predicts its own cell.
/// Objects: A = [0,0,16,16], B = [16,16,32,32], C = [0,16,8,24].
private let threeObjectScene = SceneBuilder.grid(width: 32, height: 32, strides: [8, 16], classes: 2)
    .objects([0, 0, 16, 16, 16, 16, 32, 32, 0, 16, 8, 24], labels: [0, 1, 0])
    .scene
/// The same priors and predictions without objects.
private let emptyScene = SceneBuilder(threeObjectScene).named("empty").objects([], labels: []).scene

/// X: priors 0, 1 (level 0) and 16 (level 1) to A, 15 to B; C gets nothing.
private let assignerX = ScriptedAssigner(name: "x") { s in
    var a = [Int32](repeating: -1, count: s.priorCount)
    if s.gtCount == 3 { a[0] = 0; a[1] = 0; a[16] = 0; a[15] = 1 }
    return a
}
/// Y: priors 0, 16, 15 to A, 19 to B, prior 5 ignored.
private let assignerY = ScriptedAssigner(name: "y") { s in
    var a = [Int32](repeating: -1, count: s.priorCount)
    if s.gtCount == 3 { a[0] = 0; a[16] = 0; a[15] = 0; a[19] = 1; a[5] = -2 }
    return a
}

@Suite struct CompareStatisticsTests {
    @Test func statisticsOfKnownAssignments() throws {
        let source = SceneListSource([threeObjectScene, emptyScene])
        let r = try compare(source, [assignerX, assignerY])
        #expect(r.images == 2 && r.objects == 3)
        #expect(r.levelLabels == ["P3/8", "P4/16"])
        let x = r.statistics[0], y = r.statistics[1]
        #expect(x.positives == 4 && y.positives == 4)
        #expect(x.positivesPerObjectMean == 4.0 / 3 && x.positivesPerObjectMin == 0 && x.objectsWithoutPositive == 1)
        #expect(y.positivesPerObjectMin == 0 && y.objectsWithoutPositive == 1)
        #expect(x.levelCounts == [3, 1] && x.levelShares == [0.75, 0.25])
        #expect(y.levelCounts == [2, 2])
        // Cells of stride 8 inside a 16×16 object: IoU 1/4; the stride-16 cell equal to it: 1.
        #expect(abs(x.meanIoU! - (0.25 * 3 + 1) / 4) < 1e-6)
        // Y: (0,A) 0.25, (16,A) 1, (15,A) cell [24,24,32,32] vs A: 0, (19,B) 1.
        #expect(abs(y.meanIoU! - 2.25 / 4) < 1e-6)
        #expect(x.iouHistogram.reduce(0, +) == 4 && x.iouHistogram[5] == 3 && x.iouHistogram[19] == 1)
        // X ∩ Y = {(0,A), (16,A)}, union 6; the empty image has no positives and is left out.
        #expect(r.pairs.count == 1 && r.pairs[0].images == 1)
        #expect(abs(r.pairs[0].jaccard! - 1.0 / 3) < 1e-12)
        #expect(r.agreement[0][1] == r.agreement[1][0] && r.agreement[0][0] == 1)
        #expect(r.meanAgreement(0) == r.pairs[0].jaccard)
        #expect(r.example?.index == 0 && r.example?.assignedGT[1]?[19] == 1)
    }

    @Test func jaccardIsAveragedOverImages() throws {
        let onlyFirst = ScriptedAssigner(name: "first") { s in
            var a = [Int32](repeating: -1, count: s.priorCount); if s.gtCount > 0 { a[0] = 0 }; return a
        }
        let same = ScriptedAssigner(name: "same") { s in
            var a = [Int32](repeating: -1, count: s.priorCount); if s.gtCount > 0 { a[0] = 0; a[1] = s.name == "hand" ? 0 : -1 }; return a
        }
        var second = threeObjectScene; second.name = "second"
        let r = try compare(SceneListSource([threeObjectScene, second]), [onlyFirst, same])
        // Image 1: {0} vs {0, 1} = 1/2; image 2: {0} vs {0} = 1.
        #expect(abs(r.pairs[0].jaccard! - 0.75) < 1e-12 && r.pairs[0].images == 2)
    }

    @Test func failuresAreCountedNotFatal() throws {
        let failing = ScriptedAssigner(name: "failing") { s in
            if s.gtCount == 0 { throw LabelAssignError.invalidValue(field: "gt_bboxes", index: nil, reason: "no objects") }
            return [Int32](repeating: -1, count: s.priorCount)
        }
        let malformed = ScriptedAssigner(name: "malformed") { s in [Int32](repeating: 7, count: s.priorCount) }
        let r = try compare(SceneListSource([threeObjectScene, emptyScene]), [failing, malformed, assignerX])
        #expect(r.statistics[0].failedImages == 1 && r.statistics[0].images == 1)
        #expect(r.statistics[0].firstError?.contains("image 1") == true)
        #expect(r.statistics[0].objectsWithoutPositive == 3 && r.statistics[0].meanIoU == nil)
        #expect(r.statistics[1].failedImages == 2 && r.statistics[1].firstError?.contains("outside") == true)
        #expect(r.agreement[0][1] == nil)
        // failing vs X on image 0: failing has no positives, X has 4: Jaccard 0.
        #expect(r.agreement[0][2] == 0)
        #expect(r.table().contains("failed"))
    }

    @Test func badOptionsAreRejected() {
        let src = SceneListSource([threeObjectScene])
        #expect(throws: LabelAssignError.self) { try compare(src, [assignerX, assignerX]) }
        #expect(throws: LabelAssignError.self) { try compare(src, [assignerX], options: .init(threads: 0)) }
        #expect(throws: LabelAssignError.self) { try compare(src, [assignerX], options: .init(exampleIndex: 3)) }
    }

    @Test func sourceErrorsNameTheImage() {
        struct Broken: SceneSource {
            var count: Int { 3 }
            var label: String { "broken" }
            func scene(at index: Int) throws -> Scene {
                if index == 2 { throw LabelAssignError.missingField("priors") }
                return threeObjectScene
            }
        }
        #expect(throws: LabelAssignError.io("image 2: missing field 'priors'")) {
            try compare(Broken(), [assignerX], options: .init(threads: 2))
        }
    }

    @Test func oneAndTwoThreadsGiveIdenticalResults() throws {
        let source = try WorkloadSource(.coco, images: 12, seed: 5, quality: 0.6)
        let assigners: [any NamedTestAssigner] = [CentreInsideAssigner(), assignerX,
                                          ScriptedAssigner(name: "first-prior") { s in
                                              var a = [Int32](repeating: -1, count: s.priorCount)
                                              for j in 0..<s.gtCount { a[j] = Int32(j) }
                                              return a
                                          }]
        let one = try compare(source, assigners, options: .init(threads: 1))
        let two = try compare(source, assigners, options: .init(threads: 2))
        #expect(one.statistics == two.statistics)
        #expect(one.pairs == two.pairs)
        #expect(one.example == two.example)
        #expect(one.objects == two.objects && one.images == 12)
        #expect(one.statistics[0].positives > 0 && one.statistics[0].meanIoU! > 0.3, "\(one.statistics[0].meanIoU!)")
        let p = try Parallel.map(count: 100, threads: 2) { $0 * $0 }
        #expect(p == (0..<100).map { $0 * $0 })
    }

    @Test func progressIsReportedPerImage() throws {
        final class Count: @unchecked Sendable { var seen: [Int] = []; let lock = NSLock() }
        let c = Count()
        _ = try compare(SceneListSource([threeObjectScene, threeObjectScene, threeObjectScene]), [assignerX],
                               options: .init(threads: 2, progress: { done, total in
                                   c.lock.lock(); c.seen.append(done); c.lock.unlock(); #expect(total == 3)
                               }))
        #expect(c.seen.sorted() == [1, 2, 3])
    }

    @Test func otaAndSimOTAAreSingledOut() throws {
        let ota = ScriptedAssigner(name: "ota", decide: assignerX.decide)
        let simota = ScriptedAssigner(name: "simota", decide: assignerY.decide)
        let r = try compare(SceneListSource([threeObjectScene]), [simota, CentreInsideAssigner(), ota])
        #expect(r.otaVersusSimOTA.count == 1 && abs(r.otaVersusSimOTA[0].jaccard! - 1.0 / 3) < 1e-12)
        #expect(r.table().contains("OTA vs SimOTA"))
        #expect(try parseJSON(Array(r.json().utf8))["ota_vs_simota"]?["jaccard"]?.double != nil)
    }
}

@Suite struct CompareOutputTests {
    func result() throws -> ComparisonSummary {
        try compare(SceneListSource([threeObjectScene, emptyScene]), [assignerX, assignerY, CentreInsideAssigner()])
    }

    @Test func csvHasOneRowPerAssignerAndAStableHeader() throws {
        let r = try result()
        let lines = r.csv().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        #expect(header.first == "assigner")
        let names = header.map(String.init)
        #expect(names.contains("level_share_P3"))
        #expect(names.contains("level_share_P4"))
        #expect(names.contains("jaccard_centre-inside"))
        #expect(header.count == 10 + 2 + 2 + 3 + 6)   // ..., jaccard per assigner, quality
        for l in lines.dropFirst() { #expect(l.split(separator: ",", omittingEmptySubsequences: false).count == header.count) }
        #expect(lines[1].hasPrefix("x,2,0,3,"))
    }

    @Test func jsonCarriesEveryAssigner() throws {
        let r = try result()
        let v = try parseJSON(Array(r.json().utf8))
        #expect(v["images"]?.double == 2 && v["objects"]?.double == 3)
        let list = try #require(v["assigners"]?.array)
        #expect(list.count == 3)
        #expect(list[0]["assigner"]?.string == "x")
        #expect(list[0]["positives_per_object_min"]?.double == 0)
        let shares: [Double]? = list[0]["level_shares"]?.doubles
        #expect(shares == [0.75, 0.25])
        let xy: Double = try #require(list[0]["agreement"]?["y"]?.double)
        #expect(abs(xy - 1.0 / 3) < 1e-12)
        #expect(list[0]["iou_histogram"]?.array?.count == Comparison.iouBins)
        #expect(v["pairs"]?.array?.count == 3)
        #expect(v["ota_vs_simota"] == nil)
    }

    @Test func tableListsAssignersAndAgreement() throws {
        let t = try result().table()
        #expect(t.contains("pos/obj") && t.contains("P3/8 %") && t.contains("agreement"))
        #expect(t.split(separator: "\n").contains { $0.hasPrefix("centre-inside") })
    }

    @Test func reportFilesAreWrittenAndSelfContained() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("la-report-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(dir) }
        let page = try ComparisonReport.write(try result(), to: dir)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 2 + 3)   // levels, IoU, one panel per assigner
        #expect(html.contains("Positives per FPN level") && html.contains("IoU of the positives") && html.contains("One scene"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        #expect(html.contains("centre-inside"))
        #expect(FileManager.default.fileExists(atPath: dir + "/comparison.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/comparison.csv"))
    }

    @Test func emptyComparisonStillReports() throws {
        let r = try compare(try WorkloadSource(.dense, images: 2), [])
        #expect(r.objects > 0 && r.statistics.isEmpty)
        #expect(r.table().contains("no assigners"))
        #expect(ComparisonReport.html(r).contains("<svg"))
    }
}

private let qualityIoUs: [Double] = [1, 0.81, 0.64, 0.25]
/// Priors 0–3 positive for the object.
private let firstFour = ScriptedAssigner(name: "first-four") { s in [0, 0, 0, 0, -1, -1] }
/// Priors 0 and 4 (both IoU 1) positive, prior 5 ignored.
private let exactPair = ScriptedAssigner(name: "exact-pair") { s in [0, -1, -1, -1, 0, -2] }

@Suite struct CompareQualityTests {
    /// Image 0: scores 0.9·IoU (perfectly correlated); image 1: scores reversed (best box scored lowest).
    func source() -> SceneListSource {
        SceneListSource([SceneBuilder.scoredPredictions(qualityIoUs.map { 0.9 * $0 } + [0.3, 0.3]).named("linear").scene,
                         SceneBuilder.scoredPredictions([0.2, 0.4, 0.6, 0.8, 0.5, 0.5]).named("reversed").scene])
    }

    @Test func knownAnswersAreAggregatedOverImages() throws {
        let src = source()
        let r = try compare(src, [firstFour, exactPair])
        let q = r.statistics[0].quality
        #expect(q.images == 2 && q.failedImages == 0 && q.positives == 8)
        // r = 1 on the linear image, strongly negative on the reversed one; the mean of the two.
        let d0 = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: src.scenes[0])
        let d1 = try AssignmentDiagnostics.measure(Assignment(assignedGT: [0, 0, 0, 0, -1, -1]), scene: src.scenes[1])
        #expect(abs(try #require(d0.scoreIoUCorrelation) - 1) < 1e-5)
        #expect(try #require(d1.scoreIoUCorrelation) < -0.9)
        #expect(q.correlationImages == 2)
        #expect(q.meanScoreIoUCorrelation == (d0.scoreIoUCorrelation! + d1.scoreIoUCorrelation!) / 2)
        // The reversed image's object is misranked, the linear one's is not: 1 of 2.
        #expect(q.objectsWithPositives == 2 && q.misrankedObjects == 1 && q.misrankedShare == 0.5)
        // Prior 4 (IoU 1) beats the worst positive (0.25) on both images: one missed prior per object.
        #expect(q.missedPriors == 2 && q.missedPerObject == 1)
        // Loss per positive over the batch: both images have 4 positives.
        let iou = (d0.meanLossIoUTarget * 4 + d1.meanLossIoUTarget * 4) / 8
        let one = (d0.meanLossOneTarget * 4 + d1.meanLossOneTarget * 4) / 8
        let lossIoU = try #require(q.meanLossIoUTarget), lossOne = try #require(q.meanLossOneTarget)
        #expect(abs(lossIoU - iou) < 1e-12 && abs(lossOne - one) < 1e-12)
        #expect(q.meanLossOneTarget! > q.meanLossIoUTarget!)

        // Both positives have IoU 1: r undefined, nothing missed, the two targets coincide.
        let e = r.statistics[1].quality
        #expect(e.images == 2 && e.correlationImages == 0 && e.meanScoreIoUCorrelation == nil)
        #expect(e.missedPerObject == 0)
        // Ties in IoU go to the lower index: prior 0 is the best-IoU positive; on the reversed image it
        // scores 0.2 against prior 4's 0.5 and is misranked, on the linear image (0.9 vs 0.3) it is not.
        #expect(e.misrankedObjects == 1 && e.misrankedShare == 0.5)
        #expect(abs(e.meanLossIoUTarget! - e.meanLossOneTarget!) < 1e-6)
        #expect(!r.scoreIncludesObjectness)
    }

    @Test func theLossTermsMatchTheLossFunction() throws {
        // Independent check of one image's QFL: prior 5 ignored, positives 0 and 4 with target 1.
        let scene = source().scenes[1]
        let r = try compare(SceneListSource([scene]), [exactPair])
        let labels: [Int32] = [1, 2, 2, 2, 1, 2]
        let loss = try Losses.qualityFocal(logits: scene.clsLogits, labels: labels, scores: [1, 0, 0, 0, 1, 0], numClasses: 2)
        let expected = Double(loss[0...4].reduce(0, +)) / 2
        #expect(abs(r.statistics[0].quality.meanLossOneTarget! - expected) < 1e-5)
    }

    @Test func preparedSceneGivesExactlyTheSingleMeasure() throws {
        let workload = try WorkloadSource(.coco, images: 4, seed: 3, quality: 0.6)
        let crowd = try WorkloadSource(.crowd, images: 1, seed: 1, quality: 0.8)
        var scenes = try (0..<workload.count).map { try workload.scene(at: $0) } + [try crowd.scene(at: 0)]
        scenes += [threeObjectScene] + source().scenes
        let ignoring = ScriptedAssigner(name: "ignoring") { s in
            var a = try CentreInsideAssigner().assign(s).assignedGT
            for i in stride(from: 0, to: a.count, by: 7) where a[i] < 0 { a[i] = -2 }
            return a
        }
        var assigners: [any NamedTestAssigner] = [CentreInsideAssigner(), ignoring]
        for name in ["simota", "atss", "tal"] where AssignerRegistry.presets.contains(where: { $0.name == name }) {
            assigners.append(try PresetUnderTest(name))
        }
        var compared = 0
        for scene in scenes {
            let prepared = try SceneDiagnostics(scene: scene)
            for a in assigners {
                guard let assignment = try? a.assign(scene) else { continue }
                let fast = try prepared.measure(assignment)
                let single = try AssignmentDiagnostics.measure(assignment, scene: scene)
                #expect(fast == single, "\(a.name) on \(scene.name)")
                compared += 1
            }
        }
        #expect(compared >= 2 * scenes.count)
    }

    @Test func badScenesAndAssignmentsAreRejected() throws {
        var bad = source().scenes[0]
        bad.clsLogits[5] = .nan
        #expect(throws: LabelAssignError.self) { try SceneDiagnostics(scene: bad) }
        let prepared = try SceneDiagnostics(scene: source().scenes[0])
        #expect(throws: LabelAssignError.self) { try prepared.measure(Assignment(assignedGT: [0, 0])) }
        #expect(throws: LabelAssignError.self) { try prepared.measure(Assignment(assignedGT: [0, 3, -1, -1, -1, -1])) }
        // In a comparison an invalid scene fails for every assigner (it is validated once, before
        // any assigner runs), naming the field; the other images count.
        let r = try compare(SceneListSource([bad, source().scenes[1]]), [firstFour])
        #expect(r.statistics[0].images == 1 && r.statistics[0].failedImages == 1)
        #expect(r.statistics[0].quality.images == 1 && r.statistics[0].quality.failedImages == 0)
        #expect(r.table().contains("cls_logits[2]"))
    }

    @Test func outputsCarryTheQualityColumns() throws {
        let r = try compare(source(), [firstFour, exactPair])
        let q = r.statistics[0].quality
        let table = r.table()
        #expect(table.contains("quality of positives (class target IoU vs 1)"))
        #expect(table.contains("r(score,IoU)") && table.contains("misranked %") && table.contains("missed/obj"))
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("first-four") && $0.contains("50.0") })

        let v = try parseJSON(Array(r.json().utf8))
        let j = try #require(v["assigners"]?.array?[0]["quality"])
        #expect(j["images"]?.double == 2)
        #expect(j["score_iou_corr"]?.double == q.meanScoreIoUCorrelation)
        #expect(j["misranked_share"]?.double == 0.5)
        #expect(j["missed_hq_per_object"]?.double == 1)
        #expect(j["loss_iou_target"]?.double == q.meanLossIoUTarget && j["loss_one_target"]?.double == q.meanLossOneTarget)
        #expect(v["assigners"]?.array?[1]["quality"]?["score_iou_corr"] == .null)

        let lines = r.csv().split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        for name in ["quality_images", "score_iou_corr", "misranked_share", "missed_hq_per_object", "loss_iou_target", "loss_one_target"] {
            #expect(header.contains(name), "\(name)")
        }
        func cell(_ row: Int, _ name: String) -> String { lines[row][header.firstIndex(of: name)!] }
        #expect(cell(1, "misranked_share") == "0.5" && cell(1, "missed_hq_per_object") == "1")
        #expect(abs(Double(cell(1, "loss_one_target"))! - q.meanLossOneTarget!) < 1e-5 * q.meanLossOneTarget!)
        #expect(cell(2, "score_iou_corr") == "")

        let html = ComparisonReport.html(r)
        #expect(html.contains("Quality of the positives (class target IoU vs 1)") && html.contains("r(score,IoU)"))
    }

    @Test func qualityCanBeSkipped() throws {
        let r = try compare(source(), [firstFour], options: .init(diagnostics: false))
        #expect(r.statistics[0].quality.images == 0 && r.statistics[0].quality.meanLossIoUTarget == nil)
        #expect(!r.table().contains("quality of positives") && !r.csv().contains("score_iou_corr"))
        #expect(try parseJSON(Array(r.json().utf8))["assigners"]?.array?[0]["quality"] == nil)
        #expect(!ComparisonReport.html(r).contains("Quality of the positives"))
    }

    @Test func qualityIsIdenticalOnOneAndTwoThreads() throws {
        let source = try WorkloadSource(.coco, images: 10, seed: 9, quality: 0.5)
        var assigners: [any NamedTestAssigner] = [CentreInsideAssigner()]
        if AssignerRegistry.presets.contains(where: { $0.name == "simota" }) { assigners.append(try PresetUnderTest("simota")) }
        let one = try compare(source, assigners, options: .init(threads: 1))
        let two = try compare(source, assigners, options: .init(threads: 2))
        #expect(one.statistics.map(\.quality) == two.statistics.map(\.quality))
        #expect(one.statistics.allSatisfy { $0.quality.images == 10 && $0.quality.meanScoreIoUCorrelation != nil })
        #expect(one.scoreIncludesObjectness == two.scoreIncludesObjectness)
    }
}
