import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Explicit anchor boxes (`Scene.anchors`): validation, the scene-file key, and that the
/// anchor-based assigners' general paths give what their grid paths give on the same boxes.
@Suite struct SceneAnchorTests {
    /// A random scene on a two-level grid with objects, predictions and ignore boxes.
    static func randomScene(_ r: inout SplitMix64) -> Scene {
        var boxes: [Float] = [], labels: [Int32] = []
        for _ in 0..<(1 + r.below(6)) {
            let x = Float(r.below(120)) / 2, y = Float(r.below(90)) / 2
            boxes += [x, y, x + Float(2 + r.below(60)) / 2, y + Float(2 + r.below(60)) / 2]
            labels.append(Int32(r.below(2)))
        }
        var jitter = r
        return SceneBuilder.grid(width: 64, height: 48, strides: [8, 16], classes: 2)
            .objects(boxes, labels: labels)
            .predictions { $0.square(halfSide: $0.stride * Float(2 + jitter.below(8)) / 4) }
            .logits { p, c in Float((p * 7 + c * 3) % 11) / 3 - 2 }
            .ignore(r.below(2) == 0 ? [] : [Float(r.below(40)), Float(r.below(30)), 60, 44])
            .scene
    }

    /// With anchors equal to the squares the assigner derives, every output is the same.
    @Test(arguments: ["atss", "maxiou", "tood"])
    func explicitSquaresEqualDerivedSquares(preset: String) throws {
        let assigner = try AssignerRegistry.make(preset)
        let scale: Float = preset == "maxiou" ? 4 : 8
        var r = SplitMix64(state: 7_151)
        var positives = 0
        for _ in 0..<40 {
            let s = Self.randomScene(&r)
            var explicit = s
            explicit.anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: scale)
            let want = try assigner.assign(s)
            #expect(try assigner.assign(explicit) == want)
            positives += want.assignedGT.filter { $0 >= 0 }.count
        }
        #expect(positives > 0)
    }

    @Test func anchorBoxesPreferTheScenesAnchors() {
        var s = SceneBuilder.tiny().scene
        #expect(s.anchorBoxes(scale: 4) == PriorGrid.anchorBoxes(priors: s.priors, scale: 4))
        let boxes: [Float] = (0..<s.priorCount).flatMap { i -> [Float] in [Float(i), 0, Float(i) + 3, 5] }
        s.anchors = boxes
        #expect(s.hasAnchors)
        #expect(s.anchorBoxes(scale: 4) == boxes)
    }

    @Test func validationNamesTheAnchorRow() throws {
        let base = SceneBuilder.tiny().scene
        let good = PriorGrid.anchorBoxes(priors: base.priors, scale: 8)
        func error(_ change: (inout [Float]) -> Void) -> LabelAssignError? {
            var s = base
            var a = good
            change(&a)
            s.anchors = a
            do { try s.validate(); return nil } catch { return error as? LabelAssignError }
        }
        #expect(error { _ in } == nil)
        #expect(error { $0.removeLast(4) } == .shapeMismatch(field: "anchors", expected: base.priorCount, actual: base.priorCount - 1))
        #expect(error { $0.append(contentsOf: [0, 0, 1, 1]) } == .shapeMismatch(field: "anchors", expected: base.priorCount, actual: base.priorCount + 1))
        #expect(error { $0.removeLast() } == .invalidValue(field: "anchors", index: nil, reason: "rows must have 4 values"))
        guard case .invalidValue("anchors", 1, _)? = error({ $0[5] = .nan }) else { Issue.record("NaN"); return }
        guard case .invalidValue("anchors", 2, let far)? = error({ $0[10] = 1e9 }) else { Issue.record("far"); return }
        #expect(far.contains("16777216"))
        guard case .invalidValue("anchors", 0, _)? = error({ $0[2] = -.infinity }) else { Issue.record("inf"); return }
        #expect(error { $0[4] = $0[6] + 1 } == .invalidValue(field: "anchors", index: 1, reason: "x2 < x1"))
        #expect(error { $0[13] = $0[15] + 1 } == .invalidValue(field: "anchors", index: 3, reason: "y2 < y1"))
        // A zero-area anchor is a valid box.
        #expect(error { $0[2] = $0[0]; $0[3] = $0[1] } == nil)
    }

    @Test func sceneFileRoundTripsAnchors() throws {
        var s = SceneBuilder.tiny().scene
        s.anchors = (0..<s.priorCount).flatMap { i -> [Float] in [Float(i) - 0.1, -3.5, Float(i) + 1e-3, 7.25] }
        let text = SceneFile.json(s)
        #expect(text.contains("\"anchors\""))
        let back = try SceneFile.parse(Array(text.utf8), name: "tiny")
        #expect(back.count == 1 && back[0].scene == s)
        #expect(back[0].extras["anchors"] == nil)
        // Without anchors the key is not written, and `null` reads as none.
        var plain = s
        plain.anchors = nil
        #expect(!SceneFile.json(plain).contains("anchors"))
        let withNull = SceneFile.json(plain).dropLast() + ",\"anchors\":null}"
        #expect(try SceneFile.parse(Array(withNull.utf8), name: "tiny")[0].scene == plain)
    }

    @Test func sceneFileRejectsBadAnchors() throws {
        var s = SceneBuilder.tiny().scene
        s.anchors = PriorGrid.anchorBoxes(priors: s.priors, scale: 8)
        let text = SceneFile.json(s)
        let shortRow = text.replacingOccurrences(of: "\"anchors\":[[", with: "\"anchors\":[[1,")
        #expect(throws: LabelAssignError.self) { try SceneFile.parse(Array(shortRow.utf8)) }
        do {
            _ = try SceneFile.parse(Array(shortRow.utf8))
        } catch {
            #expect("\(error)".contains("anchors"))
        }
        let inverted = text.replacingOccurrences(of: "\"anchors\":[[", with: "\"anchors\":[[1e6,0,0,0],[")
        do {
            _ = try SceneFile.parse(Array(inverted.utf8))
            Issue.record("an extra inverted row was accepted")
        } catch {
            #expect("\(error)".contains("anchors"))
        }
    }
}
