import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Strides that are not whole numbers: mmdet's anchor generator and assigners take them
/// (`Tests/Fixtures/anchors-fractional.jsonl`, strides 5.5, 11, 22), the grid fast paths scan such
/// levels in full, and YOLOv5's grid refuses them with an error naming the stride.
@Suite struct FractionalStrideTests {
    static let file = "anchors-fractional.jsonl"
    static let loaded = Result { try Fixtures.entries(file) }

    @Test func fixtureScenesHaveFractionalStrides() throws {
        let entries = try Self.loaded.get()
        #expect(entries.count >= 3)
        for e in entries {
            #expect(e.scene.strides == [5.5, 11, 22])
            #expect(e.scene.levelRanges.map(\.count) == [144 * 9, 36 * 9, 9 * 9])
            #expect(e.scene.priors[4 * 9] == 5.5)
        }
    }

    /// ATSS, max-IoU and TOOD on explicit anchors of fractional strides give mmdet 3.3's answers.
    @Test(arguments: AnchorConformanceTests.keys)
    func explicitAnchorsMatchMMDet(key: String) throws {
        let entries = try Self.loaded.get()
        let cases = entries.compactMap { e in e.extras["expected"]?[key].map { (e.scene, $0) } }
        #expect(!cases.isEmpty, "\(key): no scene holds it")
        let assigner = try #require(AnchorConformanceTests.assigner(for: key))
        let fields = AnchorConformanceTests.fields(for: key)
        for (scene, expected) in cases {
            let result = try assigner.assignPriors(PreparedScene(scene))
            let check = FixtureCheck.fields(result, with: expected, fields: fields, label: "\(scene.name) \(key)")
            #expect(check.comparisons == fields.count)
            #expect(check.failures.isEmpty, "\(check.failures)")
            #expect(result.assignedGT.contains { $0 >= 0 }, "\(scene.name) \(key): no positive")
        }
    }

    /// A point-prior scene of strides 5.5 / 11 / 22 on a 66 × 66 image (regular 12 × 12, 6 × 6,
    /// 3 × 3 levels), random objects and predictions, with or without objectness.
    static func pointScene(seed: UInt64, scale: Float = 1) -> Scene {
        var rng = SplitMix64(state: seed)
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let strides: [Float] = [5.5, 11, 22]
        var priors: [Float] = []
        for s in strides {
            let cells = Int(66 / s)
            for r in 0..<cells { for c in 0..<cells { priors += [(Float(c) + 0.5) * s, (Float(r) + 0.5) * s, s, s] } }
        }
        let n = priors.count / 4
        var gt: [Float] = [], labels: [Int32] = []
        for _ in 0..<4 {
            // Quarter pixels: every centre-to-edge distance is 0 or at least 0.25, so the
            // references' `> 0.01` in-object margin decides alike at both scales.
            func quarter(_ v: Float) -> Float { (4 * v).rounded() / 4 }
            let x = quarter(60 * unit()), y = quarter(60 * unit()), w = quarter(4 + 30 * unit()), h = quarter(4 + 30 * unit())
            gt += [x, y, min(x + w, 66), min(y + h, 66)]
            labels.append(Int32(rng.below(3)))
        }
        var pred: [Float] = []
        for i in 0..<n {
            let half = priors[4 * i + 2] * (1 + 2 * unit())
            pred += [priors[4 * i] - half, priors[4 * i + 1] - half, priors[4 * i] + half, priors[4 * i + 1] + half]
        }
        let cls = (0..<(3 * n)).map { _ in 6 * unit() - 4 }
        return Scene(name: "fractional-\(seed)", imageWidth: Int(66 * scale), imageHeight: Int(66 * scale),
                     strides: strides.map { $0 * scale }, numClasses: 3, priors: priors.map { $0 * scale },
                     gtBoxes: gt.map { $0 * scale }, gtLabels: labels, predBoxes: pred.map { $0 * scale }, clsLogits: cls,
                     gtIgnore: [10 * scale, 10 * scale, 30 * scale, 30 * scale])
    }

    /// Derived anchors on fractional strides: the levels are scanned in full. Doubling every
    /// length (exact in float32) gives whole strides 11 / 22 / 44 and regular grids, which take
    /// the grid fast paths; overlaps and distances are scale-free in these references, so both
    /// answers agree (objects lie on quarter pixels, so the in-object margin 0.01 is scale-free too).
    @Test(arguments: ["atss", "atss(ignore_iof_thr=0.5)", "maxiou", "maxiou(ignore_iof_thr=0.5)", "tood"])
    func scanningAFractionalLevelGivesTheGridAnswer(preset: String) throws {
        let assigner = try AssignerRegistry.make(spec: preset)
        var positives = 0
        for seed: UInt64 in 1...6 {
            let fractional = Self.pointScene(seed: seed), whole = Self.pointScene(seed: seed, scale: 2)
            #expect(whole.strides == [11, 22, 44])
            let a = try assigner.assign(fractional), b = try assigner.assign(whole)
            #expect(a.assignedGT == b.assignedGT, "\(preset) seed \(seed)")
            #expect(a.matchedIoU == b.matchedIoU, "\(preset) seed \(seed)")
            positives += a.assignedGT.filter { $0 >= 0 }.count
        }
        #expect(positives > 0)
    }

    /// The point-based presets read prior points and strides only: they take fractional strides.
    @Test(arguments: ["simota", "simota-mmdet", "dsl", "tal", "ota", "hungarian"])
    func pointPresetsTakeFractionalStrides(preset: String) throws {
        var s = Self.pointScene(seed: 3)
        s.objLogits = [Float](repeating: 0.5, count: s.priorCount)
        let result = try AssignerRegistry.make(preset).assign(s)
        #expect(result.assignedGT.count == s.priorCount)
        #expect(result.assignedGT.contains { $0 >= 0 })
    }

    /// YOLOv5's grid is the `W / s` feature map: a fractional stride is an error naming it.
    @Test func yolov5RefusesFractionalStrides() throws {
        let s = Self.pointScene(seed: 2)
        let assigner = try AssignerRegistry.make("yolov5")
        #expect(throws: LabelAssignError.invalidValue(field: "strides", index: 0,
                                                      reason: "YOLOv5 build_targets needs whole strides (its grid has width / stride cells), got 5.5")) {
            try assigner.assign(s)
        }
        #expect(throws: LabelAssignError.self) { try YOLOv5TargetBuilder().targets(s) }
        // The same scene at whole strides is assigned.
        #expect(try assigner.assign(Self.pointScene(seed: 2, scale: 2)).assignedGT.count == s.priorCount)
    }

    @Test func validationBoundsFractionalStrides() throws {
        var s = Self.pointScene(seed: 1)
        try s.validate()
        for bad: Float in [.nan, .infinity, -5.5, 0, Float(Scene.Limits.maxStride) * 2] {
            s.strides[1] = bad
            #expect(throws: LabelAssignError.self) { try s.validate() }
        }
        s.strides[1] = 11.000001
        #expect(throws: LabelAssignError.self) { try s.validate() }
    }

    /// The writer writes whole strides as integers and fractional ones exactly; both read back.
    @Test func sceneFilesRoundTripFractionalStrides() throws {
        let s = Self.pointScene(seed: 4)
        let text = SceneFile.json(s)
        #expect(text.contains("\"strides\":[5.5,11,22]"))
        let back = try #require(SceneFile.parse(Array(text.utf8)).first).scene
        #expect(back.strides == s.strides && back.priors == s.priors)
        #expect(SceneFile.json(Self.pointScene(seed: 4, scale: 2)).contains("\"strides\":[11,22,44]"))
        var odd = s
        odd.strides = [5.3, 11, 22]
        for i in 0..<(odd.priorCount) where odd.priors[4 * i + 2] == 5.5 { odd.priors[4 * i + 2] = 5.3; odd.priors[4 * i + 3] = 5.3 }
        let oddBack = try #require(SceneFile.parse(Array(SceneFile.json(odd).utf8)).first).scene
        #expect(oddBack.strides == odd.strides)
    }
}
