import Foundation
import LabelAssign
import LabelAssignTestSupport
import Testing

/// One anchor of 16 × 24 px (2 × 3 cells at stride 8).
private let oneAnchor = YOLOv5TargetBuilder(YOLOv5Configuration(anchors: [[16, 24]]))

private func cells(_ t: [YOLOv5TargetBuilder.Target]) -> [[Int]] { t.map { [$0.gj, $0.gi] } }

@Suite struct YOLOv5TargetTests {
    /// A 256 × 256 scene with one stride-8 level (32 × 32 cells; every normalisation exact), 3 classes.
    static let grid = SceneBuilder.grid(width: 256, height: 256, strides: [8], classes: 3).predictions { _ in [0, 0, 0, 0] }

    /// The cells with objects of class 1.
    static func objects(_ boxes: [Float]) -> Scene {
        grid.objects(boxes, labels: [Int32](repeating: 1, count: boxes.count / 4)).scene
    }

    @Test func integerCentreGivesADuplicateEntry() throws {
        // Centre (128, 134) px = (16, 16.75) cells, 2 × 3 cells: L and R fire (x = 16 is whole), D fires.
        let t = try oneAnchor.targets(Self.objects([120, 122, 136, 146]))
        #expect(cells(t) == [[16, 15], [16, 16], [16, 16], [17, 16]])
        #expect(t.map(\.tx) == [1, 0, 0, 0])
        #expect(t.map(\.ty) == [0.75, 0.75, 0.75, -0.25])
        #expect(t.allSatisfy { $0.tw == 2 && $0.th == 3 && $0.anchorW == 2 && $0.anchorH == 3 && $0.cls == 1 && $0.object == 0 })
        let a = try oneAnchor.assign(Self.objects([120, 122, 136, 146]))
        #expect(a.positiveCount == 3)
        #expect(a.assignedGT[16 * 32 + 15] == 0 && a.assignedGT[16 * 32 + 16] == 0 && a.assignedGT[17 * 32 + 16] == 0)
    }

    @Test func centreAtOrBelowOneCellHasNoLeftNeighbour() throws {
        // x = 1.0 cell: fraction 0 < g but x > 1 fails, so no L; R lands back on cell 1.
        let t = try oneAnchor.targets(Self.objects([4, 122, 12, 146]))
        #expect(Set(t.map(\.gi)) == [1])
        #expect(cells(t) == [[16, 1], [16, 1], [17, 1]])
    }

    @Test func cellsAreClampedIntoTheGridInPlace() throws {
        // Centre x = 32 cells (on the right border): centre cell 32 clamps to 31, tx uses the clamped cell.
        let t = try oneAnchor.targets(Self.objects([248, 122, 264, 146]))
        #expect(cells(t) == [[16, 31], [16, 31], [17, 31]])
        #expect(t.map(\.tx) == [1, 1, 1])
    }

    @Test func zeroSizeObjectFailsTheShapeTest() throws {
        let scene = Self.objects([100, 100, 100, 120])
        #expect(try oneAnchor.targets(scene).isEmpty)
        #expect(try YOLOv5TargetBuilder().targets(SceneBuilder(try Fixtures.firstScene()).objects([50, 60, 50, 90], labels: [0]).scene).isEmpty)
    }

    @Test func zeroObjectsGiveNoTargets() throws {
        let r = try oneAnchor.assign(Self.objects([]))
        #expect(r.positiveCount == 0 && r["rows"] == .rows([]))
        let preset = try AssignerRegistry.make("yolov5").assign(SceneBuilder(try Fixtures.firstScene()).objects([], labels: []).scene)
        #expect(preset.positiveCount == 0)
    }

    @Test func sharedCellGoesToTheLowestObjectIndex() throws {
        // Object 0 at x = 16.25 (cells 16 and L 15), object 1 at x = 15.75 (cells 15 and R 16).
        // Cell 16: object 0's centre entry is written before object 1's R entry; the lowest index keeps it.
        let scene = Self.objects([122, 122, 138, 146, 118, 122, 134, 146])
        let t = try oneAnchor.targets(scene)
        #expect(t.contains { $0.object == 1 && $0.gi == 16 } && t.contains { $0.object == 0 && $0.gi == 15 })
        let a = try oneAnchor.assign(scene)
        #expect(a.assignedGT[16 * 32 + 16] == 0 && a.assignedGT[16 * 32 + 15] == 0)
    }

    @Test func shapeTestIsStrict() throws {
        // Width exactly 4 anchors wide (8 cells vs 2): max ratio 4 is not < 4.
        #expect(try oneAnchor.targets(Self.objects([100, 100, 164, 124])).isEmpty)
        #expect(try !oneAnchor.targets(Self.objects([100, 100, 163, 124])).isEmpty)
    }

    @Test func badConfigurationsAndInputsAreRejected() {
        let scene = Self.objects([120, 122, 136, 146])
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
}
