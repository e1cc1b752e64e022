import LabelAssign

/// Properties every registry preset's output has, whatever the reference: each function returns
/// the failures it finds.
public enum AssignerInvariants {
    /// Scenes for the invariants: two hand scenes of three levels (with objectness, as SimOTA
    /// needs) and fixture scenes with one object, a few and many (crowd).
    public static func scenes() throws -> [Scene] {
        [threeLevels.objects([8, 8, 40, 40, 30, 24, 60, 56], labels: [0, 1]).scene,
         threeLevels.objects([4, 4, 60, 60, 40, 8, 52, 30, 10, 40, 18, 56], labels: [1, 0, 1]).named("three").scene,
         try Fixtures.firstScene { $0.gtCount == 1 },
         try Fixtures.firstScene { $0.gtCount > 3 },
         try Fixtures.firstScene { $0.gtCount > 20 }]
    }

    /// A 64 × 64 hand scene of strides 8, 16 and 32 (84 priors; `SceneBuilder.wideBoxes`) with
    /// objectness logits 0.
    public static let threeLevels = SceneBuilder.wideBoxes(strides: [8, 16, 32]).objectness(0)

    /// Lengths and ranges: `assigned_gt` of length `N` in `[-2, G)`; `matched_iou` and the quality
    /// target of length `N`, finite, and 0 where the prior is not positive; every other output finite.
    public static func shapeFailures(_ r: Assignment, scene: Scene, label: String) -> [String] {
        let n = scene.priorCount, g = Int32(scene.gtCount)
        var failures: [String] = []
        if r.assignedGT.count != n { failures.append("\(label): \(r.assignedGT.count) assigned_gt for \(n) priors") }
        if let bad = r.assignedGT.firstIndex(where: { $0 < -2 || $0 >= g }) {
            failures.append("\(label): assigned_gt[\(bad)] = \(r.assignedGT[bad]) outside [-2, \(g))")
        }
        var perPrior: [(String, [Float])] = []
        if let v = r.matchedIoU { perPrior.append(("matched_iou", v)) }
        if let q = r.quality { perPrior.append((q.name.rawValue, q.values)) }
        for (name, v) in perPrior {
            if v.count != n { failures.append("\(label): \(name) has \(v.count) values for \(n) priors"); continue }
            if let bad = v.firstIndex(where: { !$0.isFinite }) { failures.append("\(label): \(name)[\(bad)] = \(v[bad])") }
            if let bad = v.indices.first(where: { r.assignedGT.indices.contains($0) && r.assignedGT[$0] < 0 && v[$0] != 0 }) {
                failures.append("\(label): \(name)[\(bad)] = \(v[bad]) at a prior that is not positive")
            }
        }
        for extra in r.extras {
            let finite: Bool = switch extra.value {
            case let .floats(v): v.allSatisfy(\.isFinite)
            case .ints: true
            case let .rows(rows): rows.allSatisfy { $0.allSatisfy(\.isFinite) }
            case let .number(d): d.isFinite
            }
            if !finite { failures.append("\(label): \(extra.name) is not finite") }
        }
        return failures
    }

    /// A scene without objects (and without ignore boxes): every prior background, every
    /// per-prior float output 0.
    public static func zeroObjectFailures(_ r: Assignment, label: String) -> [String] {
        var failures: [String] = []
        if r.assignedGT.contains(where: { $0 != -1 }) { failures.append("\(label): a prior is not background") }
        if let v = r.matchedIoU, v.contains(where: { $0 != 0 }) { failures.append("\(label): matched_iou not all 0") }
        if let q = r.quality, q.values.contains(where: { $0 != 0 }) { failures.append("\(label): \(q.name.rawValue) not all 0") }
        return failures
    }

    /// The ignore policy on a scene with ignore boxes (`ignoring`) against the same scene without
    /// them (`plain`). After assignment: positives and every other output unchanged, background
    /// that the rule marks becomes `-2`, nothing else changes. Before assignment: every prior the
    /// rule marks is `-2`.
    public static func ignoreFailures(policy: IgnorePolicy, plain: Assignment, ignoring: Assignment,
                                      scene: Scene, label: String) -> [String] {
        var failures: [String] = []
        switch policy {
        case let .afterAssignment(rule):
            let mask = IgnoreRegions.mask(scene: scene, rule: rule)
            let want = plain.assignedGT.indices.map { plain.assignedGT[$0] == -1 && mask[$0] ? -2 : plain.assignedGT[$0] }
            if let bad = want.indices.first(where: { want[$0] != ignoring.assignedGT[$0] }) {
                failures.append("\(label): prior \(bad) is \(ignoring.assignedGT[bad]), expected \(want[bad]) (without ignore boxes \(plain.assignedGT[bad]))")
            }
            if plain.namedOutputs != ignoring.namedOutputs { failures.append("\(label): outputs other than assigned_gt changed") }
        case let .beforeAssignment(rule):
            let mask = IgnoreRegions.mask(scene: scene, rule: rule)
            if let bad = mask.indices.first(where: { mask[$0] && ignoring.assignedGT[$0] != -2 }) {
                failures.append("\(label): prior \(bad) is ignored by the rule but assigned \(ignoring.assignedGT[bad])")
            }
        }
        return failures
    }

    /// The outcome of one assignment, comparable across runs.
    public enum Run: Sendable, Equatable {
        case assigned(Assignment)
        case failed(String)
    }

    /// `assigner` on every scene, on `threads` threads (the same assigner value shared by all).
    public static func runs(_ assigner: any Assigner, on scenes: [Scene], threads: Int) throws -> [Run] {
        try Parallel.map(count: scenes.count, threads: threads) { i in
            do { return .assigned(try assigner.assign(scenes[i])) } catch { return .failed("\(error)") }
        }
    }
}
