import Foundation
import LabelAssign
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

private func iou(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    let a = Array(a), b = Array(b)
    let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    let inter = w * h
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return union > 0 ? inter / union : 0
}

@Suite struct RandomTests {
    @Test func generatorIsDeterministicAndUniform() {
        var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42), c = Xoshiro256(seed: 43)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }, xc = (0..<100).map { _ in c.next() }
        #expect(xa == xb && xa != xc)
        var r = Xoshiro256(seed: 7)
        var sum = 0.0, sq = 0.0, fsum = 0.0, fsq = 0.0
        let n = 200_000
        for _ in 0..<n {
            let u = r.uniform(); #expect(u >= 0 && u < 1)
            sum += u
            let z = r.normal(); sq += z * z
            let f = Double(r.fastNormal()); fsum += f; fsq += f * f
        }
        #expect(abs(sum / Double(n) - 0.5) < 0.005)
        #expect(abs(sq / Double(n) - 1) < 0.02)
        #expect(abs(fsum / Double(n)) < 0.01 && abs(fsq / Double(n) - 1) < 0.02)
    }
}

@Suite struct WorkloadTests {
    @Test func scenesAreDeterministicForASeed() throws {
        for w in Workload.allCases {
            let s1 = try WorkloadSource(w, images: 3, seed: 11, quality: 0.5)
            let s2 = try WorkloadSource(w, images: 3, seed: 11, quality: 0.5)
            let s3 = try WorkloadSource(w, images: 3, seed: 12, quality: 0.5)
            #expect(try s1.scene(at: 2) == s2.scene(at: 2))
            #expect(try s1.scene(at: 2) != s3.scene(at: 2))
            #expect(try s1.scene(at: 1) != s1.scene(at: 2))
        }
    }

    @Test func cocoScenesHaveTheCOCOLayout() throws {
        let src = try WorkloadSource(.coco, images: 4, seed: 1)
        for i in 0..<4 {
            let s = try src.scene(at: i)
            try s.validate()
            #expect(s.imageWidth == 640 && s.imageHeight == 640 && s.strides == [8, 16, 32])
            #expect(s.priorCount == 8400 && s.numClasses == 80)
            #expect(s.objLogits?.count == 8400)
            #expect(s.gtBoxes == Workload.coco.groundTruth(seed: 1, index: i).boxes)
        }
    }

    @Test func cocoObjectCountsAndSizesFollowCOCO() {
        var counts: [Int] = []
        var small = 0, medium = 0, large = 0
        for i in 0..<4000 {
            let gt = Workload.coco.groundTruth(seed: 3, index: i)
            counts.append(gt.count)
            for j in 0..<gt.count {
                let b = gt.boxes[(4 * j)..<(4 * j + 4)].map { $0 }
                #expect(b[0] >= 0 && b[1] >= 0 && b[2] <= 640 && b[3] <= 640 && b[2] > b[0] && b[3] > b[1])
                let area = (b[2] - b[0]) * (b[3] - b[1])
                if area < 32 * 32 { small += 1 } else if area < 96 * 96 { medium += 1 } else { large += 1 }
                #expect(gt.labels[j] >= 0 && gt.labels[j] < 80)
            }
        }
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        #expect(abs(mean - 7.3) < 0.4, "mean objects \(mean)")
        #expect(counts.sorted()[counts.count / 2] == 4)
        #expect(counts.min()! >= 1 && counts.max()! <= 100)
        let total = Double(small + medium + large)
        #expect(abs(Double(small) / total - 0.41) < 0.015, "small \(Double(small) / total)")
        #expect(abs(Double(medium) / total - 0.34) < 0.015, "medium \(Double(medium) / total)")
        #expect(abs(Double(large) / total - 0.25) < 0.015, "large \(Double(large) / total)")
    }

    @Test func crowdIsManyTallOverlappingPeople() throws {
        var counts: [Int] = []
        var tall = 0, objects = 0, overlapping = 0
        for i in 0..<600 {
            let gt = Workload.crowd.groundTruth(seed: 4, index: i)
            counts.append(gt.count)
            #expect(gt.labels.allSatisfy { $0 == 0 })
            for j in 0..<gt.count {
                let b = gt.boxes[(4 * j)..<(4 * j + 4)].map { $0 }
                objects += 1
                if b[3] - b[1] > 1.5 * (b[2] - b[0]) { tall += 1 }
                if (0..<gt.count).contains(where: { $0 != j && iou(gt.boxes[(4 * $0)..<(4 * $0 + 4)], gt.boxes[(4 * j)..<(4 * j + 4)]) > 0.1 }) {
                    overlapping += 1
                }
            }
        }
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        #expect(abs(mean - 23) < 2.5, "mean people \(mean)")
        #expect(counts.max()! > 100)
        #expect(Double(tall) / Double(objects) > 0.8)
        #expect(Double(overlapping) / Double(objects) > 0.4, "overlapping \(Double(overlapping) / Double(objects))")
        let s = try WorkloadSource(.crowd, images: 1, seed: 4).scene(at: 0)
        try s.validate()
        #expect(s.numClasses == 1)
    }

    @Test func denseIsAboutOneHundredFiftySmallProducts() {
        var counts: [Int] = []
        var sides: [Float] = []
        for i in 0..<300 {
            let gt = Workload.dense.groundTruth(seed: 5, index: i)
            counts.append(gt.count)
            for j in 0..<gt.count {
                let b = gt.boxes[(4 * j)..<(4 * j + 4)].map { $0 }
                sides.append(((b[2] - b[0]) * (b[3] - b[1])).squareRoot())
            }
        }
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        #expect(abs(mean - 150) < 10, "mean products \(mean)")
        #expect(sides.sorted()[sides.count / 2] < 64)
    }

    /// (IoU of the predicted box with the object, objectness logit) of every prior near an object's centre.
    func nearPriors(_ source: WorkloadSource, images: Int) throws -> [(iou: Double, objectness: Double)] {
        var out: [(iou: Double, objectness: Double)] = []
        for i in 0..<images {
            let s = try source.scene(at: i)
            for p in 0..<s.priorCount {
                let x = s.priors[4 * p], y = s.priors[4 * p + 1]
                for j in 0..<s.gtCount {
                    let b = s.gtBoxes[(4 * j)..<(4 * j + 4)].map { $0 }
                    let cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2
                    guard abs(x - cx) < (b[2] - b[0]) / 4, abs(y - cy) < (b[3] - b[1]) / 4 else { continue }
                    out.append((Double(iou(s.predBoxes[(4 * p)..<(4 * p + 4)], s.gtBoxes[(4 * j)..<(4 * j + 4)])),
                                Double(s.objLogits![p])))
                }
            }
        }
        return out
    }

    @Test func qualityKnobImprovesPredictionsNearObjects() throws {
        func nearStats(_ q: Double) throws -> (iou: Double, score: Double) {
            let pairs = try nearPriors(WorkloadSource(.coco, images: 6, seed: 9, quality: q), images: 6)
            return (pairs.map(\.iou).reduce(0, +) / Double(pairs.count), pairs.map(\.objectness).reduce(0, +) / Double(pairs.count))
        }
        let good = try nearStats(0.95), poor = try nearStats(0.05)
        #expect(good.iou > poor.iou + 0.15, "IoU \(good.iou) vs \(poor.iou)")
        #expect(good.score > poor.score + 2, "objectness \(good.score) vs \(poor.score)")
    }

    @Test func confidenceFollowsLocalisation() throws {
        // Near priors: the objectness logit correlates with the simulated box's IoU.
        let pairs = try nearPriors(WorkloadSource(.coco, images: 6, seed: 2, quality: 0.9), images: 6)
        let r = try #require(AssignmentDiagnostics.pearson(pairs.map(\.iou), pairs.map(\.objectness)))
        #expect(r > 0.3, "correlation of objectness and IoU near objects: \(r)")
    }

    @Test func badParametersAreRejected() {
        #expect(throws: LabelAssignError.self) { try WorkloadSource(.coco, images: 2, quality: 1.5) }
        #expect(throws: LabelAssignError.self) { try WorkloadSource(.coco, images: -1) }
        #expect(throws: LabelAssignError.self) { try PredictionSimulator(numClasses: 0, quality: 0.5, seed: 0) }
        let sim = try! PredictionSimulator(numClasses: 2, quality: 0.5, seed: 0)
        let gt = GroundTruth(name: "g", imageWidth: 64, imageHeight: 64, boxes: [0, 0, 10, 10], labels: [5])
        #expect(throws: LabelAssignError.invalidValue(field: "gt_labels", index: 0, reason: "class 5 outside [0, 2)")) { try sim.scene(gt, index: 0) }
    }
}
