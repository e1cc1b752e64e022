import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import LabelAssignTestSupport
import Testing

/// A 256 × 256 scene with one stride-8 level (32 × 32 cells; every normalisation exact) and the given objects.
private func oneLevelScene(_ gt: [Float], labels: [Int32]? = nil) -> Scene {
    let priors = try! PriorGrid.points(width: 256, height: 256, strides: [8])
    let n = priors.count / 4
    return Scene(name: "one-level", imageWidth: 256, imageHeight: 256, strides: [8], numClasses: 3, priors: priors,
                 gtBoxes: gt, gtLabels: labels ?? [Int32](repeating: 1, count: gt.count / 4),
                 predBoxes: [Float](repeating: 0, count: 4 * n), clsLogits: [Float](repeating: 0, count: 3 * n))
}

/// One anchor of 16 × 24 px (2 × 3 cells at stride 8).
private let oneAnchor = YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24]]))

private func cells(_ t: [YOLOv5TargetBuilder.Target]) -> [[Int]] { t.map { [$0.gj, $0.gi] } }

@Suite struct YOLOv5TargetTests {
    @Test func rowsEqualTheFixtures() throws {
        let cases = Fixtures.scenes(expecting: "yolov5_build_targets")
        #expect(cases.count == 14)
        let builder = try AssignerRegistry.make("yolov5")
        for (scene, expected) in cases {
            let eRows = expected["rows"]!.array!.map { $0.doubles! }
            let result = try builder.assign(scene)
            guard case let .rows(rows)? = result["rows"], case let .ints(rowGT)? = result["row_gt"] else {
                Issue.record("missing rows"); continue
            }
            #expect(rows.count == eRows.count, "\(scene.name)")
            var worst = 0.0
            for (k, (r, e)) in zip(rows, eRows).enumerated() {
                #expect(Array(r[0..<5]) == Array(e[0..<5]), "\(scene.name) row \(k)")
                for c in 5..<11 { worst = max(worst, abs(r[c] - e[c])) }
            }
            #expect(worst <= 1e-4, "\(scene.name): float columns differ by \(worst)")
            // assigned_gt: every entry's cell holds the lowest object index landing there; nothing else positive.
            var expectedGT = [Int32](repeating: -1, count: scene.priorCount)
            let ranges = scene.levelRanges
            for (r, g) in zip(rows, rowGT) {
                let level = Int(r[0]), cols = scene.imageWidth / scene.strides[level]
                let p = ranges[level].lowerBound + Int(r[2]) * cols + Int(r[3])
                if expectedGT[p] < 0 || expectedGT[p] > g { expectedGT[p] = g }
                #expect(scene.gtLabels[Int(g)] == Int32(r[4]))
            }
            #expect(result.assignedGT == expectedGT, "\(scene.name)")
        }
    }

    @Test func integerCentreGivesADuplicateEntry() throws {
        // Centre (128, 134) px = (16, 16.75) cells, 2 × 3 cells: L and R fire (x = 16 is whole), D fires.
        let t = try oneAnchor.targets(oneLevelScene([120, 122, 136, 146]))
        #expect(cells(t) == [[16, 15], [16, 16], [16, 16], [17, 16]])
        #expect(t.map(\.tx) == [1, 0, 0, 0])
        #expect(t.map(\.ty) == [0.75, 0.75, 0.75, -0.25])
        #expect(t.allSatisfy { $0.tw == 2 && $0.th == 3 && $0.anchorW == 2 && $0.anchorH == 3 && $0.cls == 1 && $0.object == 0 })
        let a = try oneAnchor.assign(oneLevelScene([120, 122, 136, 146]))
        #expect(a.positiveCount == 3)
        #expect(a.assignedGT[16 * 32 + 15] == 0 && a.assignedGT[16 * 32 + 16] == 0 && a.assignedGT[17 * 32 + 16] == 0)
    }

    @Test func centreAtOrBelowOneCellHasNoLeftNeighbour() throws {
        // x = 1.0 cell: fraction 0 < g but x > 1 fails, so no L; R lands back on cell 1.
        let t = try oneAnchor.targets(oneLevelScene([4, 122, 12, 146]))
        #expect(Set(t.map(\.gi)) == [1])
        #expect(cells(t) == [[16, 1], [16, 1], [17, 1]])
    }

    @Test func cellsAreClampedIntoTheGridInPlace() throws {
        // Centre x = 32 cells (on the right border): centre cell 32 clamps to 31, tx uses the clamped cell.
        let t = try oneAnchor.targets(oneLevelScene([248, 122, 264, 146]))
        #expect(cells(t) == [[16, 31], [16, 31], [17, 31]])
        #expect(t.map(\.tx) == [1, 1, 1])
    }

    @Test func zeroSizeObjectFailsTheShapeTest() throws {
        let scene = oneLevelScene([100, 100, 100, 120])
        #expect(try oneAnchor.targets(scene).isEmpty)
        #expect(try YOLOv5TargetBuilder().targets(Fixtures.scenes[0].scene.withObjects([50, 60, 50, 90], [0])).isEmpty)
    }

    @Test func zeroObjectsGiveNoTargets() throws {
        let r = try oneAnchor.assign(oneLevelScene([]))
        #expect(r.positiveCount == 0 && r["rows"] == .rows([]))
        let preset = try AssignerRegistry.make("yolov5").assign(Fixtures.scenes[0].scene.withObjects([], []))
        #expect(preset.positiveCount == 0)
    }

    @Test func sharedCellGoesToTheLowestObjectIndex() throws {
        // Object 0 at x = 16.25 (cells 16 and L 15), object 1 at x = 15.75 (cells 15 and R 16).
        // Cell 16: object 0's centre entry is written before object 1's R entry; the lowest index keeps it.
        let scene = oneLevelScene([122, 122, 138, 146, 118, 122, 134, 146])
        let t = try oneAnchor.targets(scene)
        #expect(t.contains { $0.object == 1 && $0.gi == 16 } && t.contains { $0.object == 0 && $0.gi == 15 })
        let a = try oneAnchor.assign(scene)
        #expect(a.assignedGT[16 * 32 + 16] == 0 && a.assignedGT[16 * 32 + 15] == 0)
    }

    @Test func shapeTestIsStrict() throws {
        // Width exactly 4 anchors wide (8 cells vs 2): max ratio 4 is not < 4.
        #expect(try oneAnchor.targets(oneLevelScene([100, 100, 164, 124])).isEmpty)
        #expect(try !oneAnchor.targets(oneLevelScene([100, 100, 163, 124])).isEmpty)
    }

    @Test func badConfigurationsAndInputsAreRejected() {
        let scene = oneLevelScene([120, 122, 136, 146])
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24], [30, 40]])).targets(scene) }
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24, 3]])).targets(scene) }
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 0]])).targets(scene) }
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24]], anchorThreshold: 0)).targets(scene) }
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24]], neighbourOffset: .nan)).targets(scene) }
        var nanBox = scene
        nanBox.gtBoxes[2] = .nan
        #expect(throws: LabelAssignError.invalidValue(field: "gt_bboxes", index: 0, reason: "nan is not finite")) { try oneAnchor.targets(nanBox) }
        var badLabel = scene
        badLabel.gtLabels[0] = 3
        #expect(throws: LabelAssignError.invalidValue(field: "gt_labels", index: 0, reason: "class 3 outside [0, 3)")) { try oneAnchor.targets(badLabel) }
        var partial = scene
        partial.priors.removeLast(4)
        #expect(throws: LabelAssignError.self) { try oneAnchor.assign(partial) }
    }

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

extension Scene {
    /// The scene with other objects.
    func withObjects(_ boxes: [Float], _ labels: [Int32]) -> Scene {
        var s = self
        s.gtBoxes = boxes
        s.gtLabels = labels
        return s
    }
}
