import LabelAssign
import LabelAssignCompare
import Testing

/// The 1280-pixel workloads: `aerial` (VisDrone-like counts, sizes and classes) and `stress`
/// (1,000 to 5,000 objects).
@Suite struct LargeWorkloadTests {
    /// Boxes inside the image, positive sides, labels below `classes`.
    static func checkBoxes(_ gt: GroundTruth, classes: Int32) {
        for j in 0..<gt.count {
            let b = Array(gt.boxes[(4 * j)..<(4 * j + 4)])
            #expect(b[0] >= 0 && b[1] >= 0 && b[2] <= 1280 && b[3] <= 1280 && b[2] > b[0] && b[3] > b[1], "\(gt.name) box \(j)")
            #expect(gt.labels[j] >= 0 && gt.labels[j] < classes)
        }
    }

    @Test func aerialFollowsVisDrone() {
        var counts: [Int] = [], small = 0, total = 0, cars = 0, pedestrians = 0
        for i in 0..<8000 {
            let gt = Workload.aerial.groundTruth(seed: 5, index: i)
            counts.append(gt.count)
            if i < 200 { Self.checkBoxes(gt, classes: 10) }
            for j in 0..<gt.count {
                let area = (gt.boxes[4 * j + 2] - gt.boxes[4 * j]) * (gt.boxes[4 * j + 3] - gt.boxes[4 * j + 1])
                if area < 32 * 32 { small += 1 }
                if gt.labels[j] == 3 { cars += 1 } else if gt.labels[j] == 0 { pedestrians += 1 }
                total += 1
            }
        }
        let mean = Double(total) / Double(counts.count)
        #expect(abs(mean - 53) < 3, "mean objects \(mean)")
        #expect(counts.min()! >= 1 && counts.max()! <= 900)
        #expect(counts.max()! > 400)
        #expect(abs(Double(small) / Double(total) - 0.70) < 0.02, "small \(Double(small) / Double(total))")
        #expect(abs(Double(cars) / Double(total) - 0.40) < 0.02 && abs(Double(pedestrians) / Double(total) - 0.20) < 0.02)
    }

    @Test func stressHoldsThousandsOfObjects() {
        var counts: [Int] = []
        for i in 0..<40 {
            let gt = Workload.stress.groundTruth(seed: 2, index: i)
            counts.append(gt.count)
            Self.checkBoxes(gt, classes: 80)
            for j in 0..<gt.count {
                let area = (gt.boxes[4 * j + 2] - gt.boxes[4 * j]) * (gt.boxes[4 * j + 3] - gt.boxes[4 * j + 1])
                #expect(area >= 15.9 && area < 64 * 64)
            }
        }
        #expect(counts.min()! >= 1000 && counts.max()! <= 5000)
        #expect(counts.max()! - counts.min()! > 2000)
        var rng = Xoshiro256(seed: 1)
        #expect(Workload.stressObjects(&rng, width: 1280, height: 1280, name: "s", count: 5000).count == 5000)
    }

    /// Both give 1280 × 1280 scenes of 33,600 priors, valid, with their class counts.
    @Test(arguments: [(Workload.aerial, 10), (Workload.stress, 80)])
    func scenesHaveTheLargeLayout(workload: Workload, classes: Int) throws {
        let src = try WorkloadSource(workload, images: 2, seed: 3)
        let s = try src.scene(at: 1)
        try s.validate()
        #expect(s.imageWidth == 1280 && s.imageHeight == 1280 && s.strides == [8, 16, 32])
        #expect(s.priorCount == 33_600 && s.numClasses == classes)
        #expect(s.gtBoxes == workload.groundTruth(seed: 3, index: 1).boxes)
    }
}
