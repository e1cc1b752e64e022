import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// `scores_are_probabilities`: both task-aligned variants read `cls_logits` as probabilities,
/// exactly as they read `sigmoid(cls_logits)` otherwise.
@Suite struct TaskAlignedScoresTests {
    /// `scene` with every class logit replaced by its sigmoid (the engine's own, torch's).
    static func probabilities(_ scene: Scene) -> Scene {
        var s = scene
        s.clsLogits = scene.clsLogits.map { torchSigmoid($0) }
        return s
    }

    @Test(arguments: ["tal", "tood", "tal(topk=13,alpha=1)", "tal(topk=7,topk2=1)"])
    func probabilitiesGiveTheAssignmentOfTheirLogits(spec: String) throws {
        let scene = try Fixtures.firstScene { $0.gtCount >= 6 && $0.numClasses > 1 }
        let open = spec.hasSuffix(")") ? String(spec.dropLast()) + "," : spec + "("
        let onLogits = try AssignerRegistry.make(spec: spec).assign(scene)
        let onScores = try AssignerRegistry.make(spec: open + "scores_are_probabilities=true)").assign(Self.probabilities(scene))
        #expect(onScores == onLogits)
        #expect(onLogits.positiveCount > 0)
    }

    @Test(arguments: [Float(-0.25), 1.5, Float.nan])
    func aScoreOutsideTheUnitIntervalIsAnError(value: Float) throws {
        var scene = Self.probabilities(try Fixtures.firstScene { $0.gtCount >= 1 && $0.numClasses > 1 })
        scene.clsLogits[3 * scene.numClasses + 1] = value
        for preset in ["tal", "tood"] {
            let assigner = try AssignerRegistry.make(spec: "\(preset)(scores_are_probabilities=true)")
            #expect(throws: LabelAssignError.self) { try assigner.assign(scene) }
        }
    }
}
