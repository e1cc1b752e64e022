/// The class score of the alignment metric: `sigmoid(cls)` of the scene's logits, or the scene's
/// values as they are when `scoresAreProbabilities` is set (option `scores_are_probabilities`:
/// ultralytics' `TaskAlignedAssigner.forward` and mmdet's `TaskAlignedAssigner.assign` receive
/// scores already passed through a sigmoid, which a float32 logit cannot always reproduce).
extension TaskAlignedAssigner {
    /// The score of one `cls_logits` entry.
    @inline(__always) func classScore(_ value: Float) -> Float {
        configuration.scoresAreProbabilities ? value : torchSigmoid(value)
    }

    /// With `scoresAreProbabilities`, throws `invalidValue` naming `cls_logits`, the prior (row)
    /// and class of the first entry outside [0, 1] (the metric's `score^α` would be NaN below 0,
    /// and mmdet's pruning bound needs scores <= 1); otherwise does nothing.
    func checkClassScores(_ scene: Scene) throws {
        guard configuration.scoresAreProbabilities else { return }
        let width = max(scene.numClasses, 1)
        try scene.clsLogits.withUnsafeBufferPointer { p in
            for i in p.indices where !(p[i] >= 0 && p[i] <= 1) {
                throw LabelAssignError.invalidValue(
                    field: "cls_logits", index: i / width,
                    reason: "class \(i % width): \(p[i]) is not a probability in [0, 1] (scores_are_probabilities)")
            }
        }
    }
}
