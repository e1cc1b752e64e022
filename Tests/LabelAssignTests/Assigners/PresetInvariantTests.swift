import LabelAssign
import LabelAssignTestSupport
import Testing

/// What holds for every registry preset, whatever its reference (`AssignerInvariants`).
@Suite struct PresetInvariantTests {
    static func record(_ failures: [String]) {
        for f in failures.prefix(20) { Issue.record(Comment(rawValue: f)) }
    }

    @Test func namesAndFixtureKeysAreUnique() throws {
        let names = AssignerRegistry.presets.map(\.name), keys = AssignerRegistry.presets.map(\.fixtureKey)
        #expect(Set(names).count == names.count, "repeated preset names: \(names)")
        #expect(Set(keys).count == keys.count, "repeated fixture keys: \(keys)")
        #expect(AssignerRegistry.names == names)
        for p in AssignerRegistry.presets {
            #expect(try AssignerRegistry.preset(p.name).fixtureKey == p.fixtureKey)
            #expect(!p.summary.isEmpty, "\(p.name) has no summary")
        }
    }

    /// Lengths and ranges of every output on hand and fixture scenes.
    @Test(arguments: AssignerRegistry.names)
    func outputsHaveTheirLengthsAndRanges(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        for scene in try AssignerInvariants.scenes() {
            let r = try assigner.assign(scene)
            Self.record(AssignerInvariants.shapeFailures(r, scene: scene, label: "\(preset) \(scene.name)"))
            #expect(r.positiveCount > 0, "\(preset) \(scene.name): no positive")
        }
    }

    @Test(arguments: AssignerRegistry.names)
    func zeroObjectsGiveAllBackground(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let empty = try Fixtures.firstScene { $0.gtCount == 0 }
        for scene in [empty, AssignerInvariants.threeLevels.scene] {
            let r = try assigner.assign(scene)
            Self.record(AssignerInvariants.shapeFailures(r, scene: scene, label: "\(preset) \(scene.name)"))
            Self.record(AssignerInvariants.zeroObjectFailures(r, label: "\(preset) \(scene.name)"))
        }
    }

    /// The same assigner value on one thread and on two at once: identical results.
    @Test(arguments: AssignerRegistry.names)
    func oneAndTwoThreadsAgree(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let scenes = try AssignerInvariants.scenes()
        let one = try AssignerInvariants.runs(assigner, on: scenes, threads: 1)
        let two = try AssignerInvariants.runs(assigner, on: scenes + scenes, threads: 2)
        #expect(one + one == two)
        #expect(!one.contains { if case .failed = $0 { true } else { false } }, "\(preset): \(one)")
    }

    /// A fixture scene with one object and a large ignore box far from it (top right): the preset's
    /// own ignore policy holds, and the box changes something. Presets whose reference leaves
    /// ignore boxes unused by default (mmdet's `ignore_iof_thr = -1`) are checked with 0.5, and
    /// by default the box changes nothing.
    @Test(arguments: AssignerRegistry.names)
    func ignorePolicyIsHonoured(preset: String) throws {
        let plain = try Fixtures.firstScene { $0.gtCount == 1 && $0.gtBoxes[0] < 100 }
        let ignoring = SceneBuilder(plain).ignore([160, 0, 320, 160]).scene
        try ignoring.validate()
        let p = try AssignerRegistry.preset(preset)
        let off = p.options.first { $0.name == "ignore_iof_thr" }.flatMap { $0.defaultValue.number }.map { $0 <= 0 } ?? false
        if off {
            let byDefault = p.make()
            #expect(try byDefault.assign(plain) == byDefault.assign(ignoring), "\(preset)")
        }
        let assigner = off ? try p.make(options: [("ignore_iof_thr", .number(0.5))]) : p.make()
        let before = try assigner.assign(plain)
        let after = try assigner.assign(ignoring)
        Self.record(AssignerInvariants.ignoreFailures(policy: assigner.ignorePolicy, plain: before, ignoring: after,
                                                      scene: ignoring, label: preset))
        #expect(after.assignedGT.contains(-2), "\(preset) marked no prior as ignored")
        // A prior well inside the region (its 8-stride anchor too) never stays plain background.
        for i in 0..<ignoring.priorCount {
            let cx = ignoring.priors[4 * i], cy = ignoring.priors[4 * i + 1], half = ignoring.priors[4 * i + 2] * 4
            if cx - half >= 160 && cx + half <= 320 && cy - half >= 0 && cy + half <= 160 {
                #expect(after.assignedGT[i] != -1, "\(preset) prior \(i) in the ignore region stayed background")
            }
        }
        // Positives of the far-away object are not affected by the after-assignment rules.
        if case .afterAssignment = assigner.ignorePolicy {
            #expect(after.positiveCount == before.positiveCount, "\(preset)")
        }
    }
}
