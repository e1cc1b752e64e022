import LabelAssign
import Testing

/// YOLOv5's objectness target, its CIoU and the per-level loss balance.
@Suite struct YOLOv5ObjectnessTests {
    @Test func levelBalance() throws {
        #expect(try YOLOv5Objectness.defaultBalance(levels: 3) == [4, 1, 0.4])
        #expect(try YOLOv5Objectness.defaultBalance(levels: 5) == [4, 1, 0.25, 0.06, 0.02])
        #expect(try YOLOv5Objectness.defaultBalance(levels: 4) == [4, 1, 0.25, 0.06])
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.defaultBalance(levels: 0) }
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.defaultBalance(levels: 6) }
    }

    @Test func objectnessTarget() throws {
        #expect(try YOLOv5Objectness.target(ciou: 0.7) == 0.7)
        #expect(try YOLOv5Objectness.target(ciou: -0.2) == 0)
        #expect(try YOLOv5Objectness.target(ciou: 0.6, gr: 0.5) == 0.8)
        #expect(try YOLOv5Objectness.target(ciou: -0.6, gr: 0.25) == 0.75)
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.target(ciou: .nan) }
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.target(ciou: 0.5, gr: 1.5) }
    }

    @Test func ciouOfCentreBoxes() throws {
        // Identical boxes: IoU = 4 / (4 + 1e-7), no distance or aspect term.
        let same = try YOLOv5Objectness.ciou([5, 5, 2, 2], [5, 5, 2, 2])
        #expect(abs(same[0] - 1) < 1e-6)
        // Against the xyxy kernel of the same convention on well-conditioned boxes.
        let xywh1: [Float] = [10, 12, 6, 8, 3.5, 4, 2, 1.5, 20, 20, 4, 4]
        let xywh2: [Float] = [11, 13, 5, 9, 4, 3, 1, 2, 30, 20, 4, 4]
        func xyxy(_ b: [Float]) -> [Float] {
            var out: [Float] = []
            for i in stride(from: 0, to: b.count, by: 4) {
                let hw = b[i + 2] / 2, hh = b[i + 3] / 2
                out += [b[i] - hw, b[i + 1] - hh, b[i] + hw, b[i + 1] + hh]
            }
            return out
        }
        let ours = try YOLOv5Objectness.ciou(xywh1, xywh2)
        let kernel = try alignedOverlap(xyxy(xywh1), xyxy(xywh2), kind: .ciou, convention: .ultralytics)
        for (a, b) in zip(ours, kernel) { #expect(abs(a - b) < 1e-5) }
        #expect(ours[2] < 0)   // disjoint boxes: negative CIoU, objectness target 0
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.ciou([0, 0, 1, 0], [0, 0, 1, 1]) }
        #expect(throws: LabelAssignError.self) { try YOLOv5Objectness.ciou([0, 0, 1, 1], []) }
    }
}
