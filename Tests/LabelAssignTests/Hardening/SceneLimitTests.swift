import LabelAssign
import LabelAssignIO
import Testing

/// `Scene.Limits`: every bound is enforced by `Scene.validate()` with a typed error, and within
/// the bounds every preset answers with finite outputs or a typed error.
@Suite struct HardeningSceneLimitTests {
    func invalid(_ field: String, index: Int? = nil, _ edit: (inout Scene) -> Void) -> String? {
        var s = Hardening.scene()
        edit(&s)
        guard case let .invalidValue(f, i, reason)? = Hardening.typedError({ try s.validate() }) else { return nil }
        guard f == field, index == nil || i == index else { return "\(f)[\(i.map(String.init) ?? "-")]: \(reason)" }
        return reason
    }

    @Test func imageSidesAndStridesAreBounded() throws {
        let side = Scene.Limits.maxImageSide
        #expect(side == 1 << 24)
        #expect(try #require(invalid("image", index: 0) { $0.imageWidth = side + 1 }).contains("limit"))
        #expect(try #require(invalid("image", index: 1) { $0.imageHeight = Int.max }).contains("limit"))
        #expect(try #require(invalid("strides", index: 1) { $0.strides[1] = Float(Int.max) }).contains("limit"))
        #expect(invalid("strides") { $0.strides = [Float](repeating: 8, count: Scene.Limits.maxLevels + 1) } != nil)
        // At the bound the scene is valid (the priors follow the levels, as before).
        var s = Hardening.scene()
        s.imageWidth = side
        s.imageHeight = side
        try s.validate()
    }

    @Test func coordinatesBeyondTheBoundAreRejected() throws {
        let bound = Scene.Limits.maxCoordinate
        #expect(bound == 16_777_216)
        // The TAL NaN of the issue: a finite box from about 1e20.
        let e = try #require(invalid("gt_bboxes", index: 0) { $0.gtBoxes = [1e20, 1e20, 1.5e20, 1.5e20, 12, 10, 30, 28] })
        #expect(e.contains("beyond") && e.contains("16777216"))
        #expect(invalid("pred_bboxes", index: 3) { $0.predBoxes[13] = bound.nextUp } != nil)
        #expect(invalid("gt_ignore", index: 0) { $0.gtIgnore = [-bound.nextUp, 0, 1, 1] } != nil)
        #expect(invalid("priors", index: 2) { $0.priors[8] = 3e38 } != nil)
        // NaN is still named as not finite.
        #expect(try #require(invalid("gt_bboxes", index: 1) { $0.gtBoxes[5] = .nan }).contains("not finite"))
        var s = Hardening.scene()
        s.gtBoxes = [-bound, -bound, bound, bound, 12, 10, 30, 28]
        try s.validate()
    }

    @Test func countProductsDoNotOverflow() {
        // priors × classes overflowing Int is a shape mismatch, not a trap.
        #expect(invalid("num_classes") { $0.numClasses = Int.max } != nil)
        var s = Hardening.scene()
        s.numClasses = Int.max / 2
        #expect(Hardening.typedError { try s.validate() } != nil)
    }

    @Test func priorGridChecksSidesAndTheBufferLimit() throws {
        #expect(PriorGrid.levelCounts(width: Int.max, height: Int.max, strides: [1]) == [Int.max])
        #expect(PriorGrid.levelCounts(width: 640, height: 640, strides: [8, 0]) == [6400, 0])
        #expect(Hardening.typedError { _ = try PriorGrid.points(width: Int.max, height: 640, strides: [8]) } != nil)
        #expect(Hardening.typedError { _ = try PriorGrid.points(width: 640, height: 640, strides: [Int.max]) } != nil)
        let big = Hardening.typedError { _ = try PriorGrid.points(width: 1 << 24, height: 1 << 24, strides: [1]) }
        guard case let .resourceExhausted(_, _, _, setting)? = big else { Issue.record("expected resourceExhausted, got \(String(describing: big))"); return }
        #expect(setting == "LABELASSIGN_MAX_BUFFER_BYTES")
        #expect(try PriorGrid.points(width: 640, height: 640, strides: [8, 16, 32]).count == 8400 * 4)
        #expect(Hardening.typedError { _ = try PriorGrid.points(width: 64, height: 64, strides: [8], offset: .nan) } != nil)
    }

    /// A scene at the bounds: boxes spanning ±2^24, zero-area and point boxes, predictions as
    /// large, huge logits. Every preset gives finite outputs or a typed error.
    @Test(arguments: AssignerRegistry.names)
    func presetsStayFiniteAtTheBounds(preset: String) throws {
        let m = Scene.Limits.maxCoordinate
        var scenes: [Scene] = []
        for base in [Hardening.scene(), Hardening.threeLevelScene()] {
            var s = base
            s.gtBoxes = [-m, -m, m, m, 0, 0, m, m, 10, 10, 10, 10, m, m, m, m]
            s.gtLabels = [0, 1, 1, 0]
            for i in 0..<s.priorCount {
                let box: [Float] = i % 3 == 0 ? [-m, -m, m, m] : (i % 3 == 1 ? [s.priors[4 * i], s.priors[4 * i + 1], s.priors[4 * i], s.priors[4 * i + 1]] : [m - 1, -m, m, m])
                s.predBoxes.replaceSubrange((4 * i)..<(4 * i + 4), with: box)
            }
            s.gtIgnore = [-m, -m, m, m]
            scenes.append(s)
            var logits = base
            logits.clsLogits = logits.clsLogits.enumerated().map { $0.offset % 2 == 0 ? 3e38 : -3e38 }
            logits.objLogits = logits.objLogits?.enumerated().map { $0.offset % 3 == 0 ? -3e38 : 3e38 }
            scenes.append(logits)
        }
        let assigner = try AssignerRegistry.make(preset)
        for s in scenes {
            let result: Assignment
            do { result = try assigner.assign(s) } catch is LabelAssignError { continue }
            #expect(result.assignedGT.count == s.priorCount)
            #expect(result.assignedGT.allSatisfy { $0 >= -2 && Int($0) < s.gtCount })
            for output in result.namedOutputs {
                let finite: Bool
                switch output.value {
                case let .floats(v): finite = v.allSatisfy { $0.isFinite }
                case let .rows(r): finite = r.allSatisfy { row in row.allSatisfy { $0.isFinite } }
                case let .number(d): finite = d.isFinite
                case .ints: finite = true
                }
                #expect(finite, "\(preset) \(output.name)")
            }
        }
    }

    @Test func boxesOutsideAScene() {
        #expect(Hardening.error { try Scene.validateBoxes([0, 0, 1, .nan], field: "b") }?.contains("b[0]") == true)
        #expect(Hardening.error { try Scene.validateBoxes([0, 0, 1, 1, 5, 5, 4, 6], field: "b") }?.contains("b[1]") == true)
        #expect(Hardening.error { try Scene.validateBoxes([0, 0, 1e9, 1], field: "b") }?.contains("beyond") == true)
        #expect(Hardening.error { try Scene.validateBoxes([0, 0, 1], field: "b") } != nil)
        #expect(Hardening.error { try Scene.validateBoxes([0, 0, 1, 1], field: "b") } == nil)
    }
}

/// `ResourceLimits`: checks before allocating, with the variable that raises each limit.
@Suite struct HardeningResourceLimitTests {
    @Test func bufferChecksMultiplyWithoutOverflow() throws {
        #expect(try ResourceLimits.checkBuffer("x", counts: [1000, 1000], of: Float.self) == 1_000_000)
        #expect(try ResourceLimits.checkBuffer("x", counts: [0, Int.max, Int.max], of: Float.self) == 0)
        let e = try #require(Hardening.typedError { try ResourceLimits.checkBuffer("SimOTA cost matrix", counts: [1 << 40, 1 << 40], of: Float.self) })
        guard case let .resourceExhausted(resource, requested, _, setting) = e else { Issue.record("\(e)"); return }
        #expect(resource == "SimOTA cost matrix")
        #expect(requested.contains("1099511627776 × 1099511627776"))
        #expect(setting == ResourceLimits.bufferVariable)
        #expect(e.description.contains("LABELASSIGN_MAX_BUFFER_BYTES"))
        #expect(Hardening.typedError { try ResourceLimits.checkBuffer("x", counts: [-1, 4], of: Float.self) } != nil)
    }

    /// The SimOTA/DSL object × candidate buffer for 10^6 objects (the issue's 8.4 GB abort).
    @Test func aMillionObjectsAgainstTheDefaultLimit() {
        let e = Hardening.typedError { try ResourceLimits.checkBuffer("objects × candidates", counts: [1_000_000, 2100], of: Float.self) }
        #expect(e.map { if case .resourceExhausted = $0 { return true } else { return false } } == true)
        #expect(ResourceLimits.defaults.maxBufferBytes == 1 << 30)
    }

    @Test func limitsCanBeReplacedForOneCall() throws {
        let tight = ResourceLimits(maxBufferBytes: 1024, maxInputBytes: 100, maxImages: 3)
        try ResourceLimits.withLimits(tight) {
            #expect(try ResourceLimits.current() == tight)
            #expect(Hardening.typedError { try ResourceLimits.checkBuffer("b", count: 257, of: Float.self) } != nil)
            try ResourceLimits.checkBuffer("b", count: 256, of: Float.self)
            #expect(Hardening.typedError { try ResourceLimits.checkInput("f", bytes: 101) } != nil)
            #expect(Hardening.typedError { try ResourceLimits.checkImages("run", count: 4) } != nil)
            try ResourceLimits.checkImages("run", count: 3)
            // The engine's own checks follow the override.
            #expect(Hardening.typedError { _ = try PriorGrid.points(width: 64, height: 64, strides: [4]) } != nil)
        }
        #expect(try ResourceLimits.current().maxImages != 3)
    }

    @Test func limitValuesParse() {
        #expect(ResourceLimits.parseLimit("4096", allowSuffix: true) == 4096)
        #expect(ResourceLimits.parseLimit("8G", allowSuffix: true) == 8 << 30)
        #expect(ResourceLimits.parseLimit(" 2k ", allowSuffix: true) == 2048)
        #expect(ResourceLimits.parseLimit("2k", allowSuffix: false) == nil)
        for bad in ["", "0", "-5", "1.5G", "G", "99999999999999999999", "9999999999T", "ten"] {
            #expect(ResourceLimits.parseLimit(bad, allowSuffix: true) == nil, "\(bad)")
        }
    }
}
