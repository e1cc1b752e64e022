import Foundation
import LabelAssign
import LabelAssignTestSupport
import Testing

@Suite struct PriorTests {
    @Test func pointPriorsMatchTheFixtureLayout() throws {
        for entry in try Fixtures.scenes() {
            let s = entry.scene
            let strides = s.strides.map { Int($0) }
            let made = try PriorGrid.points(width: s.imageWidth, height: s.imageHeight, strides: strides)
            #expect(made == s.priors, "\(s.name)")
            let counts = PriorGrid.levelCounts(width: s.imageWidth, height: s.imageHeight, strides: strides)
            #expect(s.levelRanges.map(\.count) == counts)
        }
    }

    @Test func levelsAreRowMajorFinestFirst() throws {
        let p = try PriorGrid.points(width: 32, height: 16, strides: [8, 16])
        // level 0: 4 x 2 cells, level 1: 2 x 1 cells
        #expect(p.count == (8 + 2) * 4)
        #expect(Array(p[0..<4]) == [4, 4, 8, 8])
        #expect(Array(p[4..<8]) == [12, 4, 8, 8])      // next column first
        #expect(Array(p[16..<20]) == [4, 12, 8, 8])    // then the next row
        #expect(Array(p[32..<36]) == [8, 8, 16, 16])   // then level 1
        let corners = try PriorGrid.points(width: 16, height: 16, strides: [8], offset: 0)
        #expect(Array(corners[4..<8]) == [8, 0, 8, 8])
    }

    @Test func anchorBoxesAreSquaresAroundPriors() {
        let a = PriorGrid.anchorBoxes(priors: [12, 20, 8, 8], scale: 8)
        #expect(a == [-20, -12, 44, 52])
    }

    @Test func badGridsAreRejected() {
        #expect(throws: LabelAssignError.self) { try PriorGrid.points(width: 0, height: 10, strides: [8]) }
        #expect(throws: LabelAssignError.self) { try PriorGrid.points(width: 10, height: 10, strides: [0]) }
    }

    @Test func yolov5AnchorsAreTheDefaultCOCOSet() {
        #expect(YOLOv5Anchors.coco.count == 3)
        #expect(YOLOv5Anchors.coco[2] == [116, 90, 156, 198, 373, 326])
    }
}

/// Every validation rule gives a typed error that names the field (and index).
@Suite struct SceneValidationTests {
    func expectInvalid(_ field: String, index: Int? = nil, _ mutate: (inout Scene) -> Void) {
        var s = SceneBuilder.tiny().scene
        mutate(&s)
        do {
            try s.validate()
            Issue.record("\(field): accepted")
        } catch let e as LabelAssignError {
            switch e {
            case let .invalidValue(f, i, _):
                #expect(f == field, "\(e)")
                if let index { #expect(i == index, "\(e)") }
            case let .shapeMismatch(f, _, _):
                #expect(f == field, "\(e)")
            default:
                Issue.record("unexpected \(e)")
            }
        } catch {
            Issue.record("untyped \(error)")
        }
    }

    @Test func nanAndInfinity() {
        expectInvalid("gt_bboxes", index: 1) { $0.gtBoxes[5] = .nan }
        expectInvalid("gt_bboxes", index: 0) { $0.gtBoxes[2] = .infinity }
        expectInvalid("pred_bboxes", index: 3) { $0.predBoxes[13] = -.infinity }
        expectInvalid("cls_logits", index: 2) { $0.clsLogits[7] = .nan }
        expectInvalid("obj_logits", index: 4) { $0.objLogits![4] = .nan }
        expectInvalid("priors", index: 1) { $0.priors[4] = .nan }
        expectInvalid("gt_ignore", index: 0) { $0.gtIgnore = [0, 0, .nan, 1] }
    }

    @Test func invertedBoxes() {
        expectInvalid("gt_bboxes", index: 1) { $0.gtBoxes[6] = 5 }        // x2 < x1
        expectInvalid("gt_bboxes", index: 0) { $0.gtBoxes[3] = 1 }        // y2 < y1
        expectInvalid("pred_bboxes", index: 0) { $0.predBoxes[2] = -100 }
        expectInvalid("gt_ignore", index: 0) { $0.gtIgnore = [5, 5, 4, 6] }
    }

    @Test func countMismatches() {
        expectInvalid("gt_labels") { $0.gtLabels.append(1) }
        expectInvalid("pred_bboxes") { $0.predBoxes.removeLast(4) }
        expectInvalid("cls_logits") { $0.clsLogits.removeLast() }
        expectInvalid("obj_logits") { $0.objLogits!.append(0) }
        expectInvalid("gt_bboxes") { $0.gtBoxes.removeLast() }
        expectInvalid("priors") { $0.priors.removeLast() }
    }

    @Test func labelsOutsideClassRange() {
        expectInvalid("gt_labels", index: 1) { $0.gtLabels[1] = 3 }
        expectInvalid("gt_labels", index: 0) { $0.gtLabels[0] = -1 }
    }

    @Test func strideAndClassCount() {
        expectInvalid("strides", index: 1) { $0.strides[1] = 0 }
        expectInvalid("strides", index: 0) { $0.strides[0] = -8 }
        expectInvalid("strides") { $0.strides = [] }
        expectInvalid("num_classes") { $0.numClasses = 0 }
        expectInvalid("priors", index: 0) { $0.priors[2] = 0 }
        expectInvalid("priors", index: 0) { $0.priors[2] = 12 }           // not a scene stride
        expectInvalid("image", index: 0) { $0.imageWidth = 0 }
    }
}
