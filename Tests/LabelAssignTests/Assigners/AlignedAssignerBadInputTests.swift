import LabelAssign
import LabelAssignTestSupport
import Testing

/// Unvalidated scenes with inconsistent shapes are rejected with a typed error, never a crash.
@Suite struct AlignedAssignerBadInputTests {
    @Test(arguments: ["tal", "tood", "atss", "maxiou"])
    func inconsistentScenesThrow(name: String) throws {
        let good = SceneBuilder.wideBoxes().objects([8, 8, 40, 40], labels: [0]).scene
        let assigner = try AssignerRegistry.make(name)
        var badLabel = good
        badLabel.gtLabels = [5]
        #expect(throws: LabelAssignError.invalidValue(field: "gt_labels", index: 0, reason: "class 5 outside [0, 2)")) {
            try assigner.assign(badLabel)
        }
        var missingLabel = good
        missingLabel.gtLabels = []
        #expect(throws: LabelAssignError.shapeMismatch(field: "gt_labels", expected: 1, actual: 0)) { try assigner.assign(missingLabel) }
        var shortLogits = good
        shortLogits.clsLogits.removeLast()
        #expect(throws: LabelAssignError.self) { try assigner.assign(shortLogits) }
        var shortPred = good
        shortPred.predBoxes.removeLast(4)
        #expect(throws: LabelAssignError.self) { try assigner.assign(shortPred) }
        var ragged = good
        ragged.gtIgnore = [1, 2, 3]
        #expect(throws: LabelAssignError.self) { try assigner.assign(ragged) }
    }
}
