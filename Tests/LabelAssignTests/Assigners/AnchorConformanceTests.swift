import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// The anchor-based assigners on RetinaNet-style scenes with explicit anchors (9 per position,
/// mmdet's `AnchorGenerator` order) against mmdet 3.3 (`Tests/Fixtures/anchors.jsonl`):
/// `assigned_gt` equal, `matched_iou` and `assign_metrics` within 1e-4 (Fixtures README).
@Suite struct AnchorConformanceTests {
    static let file = "anchors.jsonl"

    /// The file's scenes, parsed once per test process.
    static let loaded = Result { try Fixtures.entries(file) }
    static func entries() throws -> [SceneFile.Entry] { try loaded.get() }

    /// The scenes whose `expected` holds `key`, with that expectation.
    static func cases(_ key: String) throws -> [(scene: Scene, expected: JSONValue)] {
        try entries().compactMap { e in e.extras["expected"]?[key].map { (e.scene, $0) } }
    }

    /// The assigner each fixture key was made with.
    static func assigner(for key: String) -> (any Assigner)? {
        switch key {
        case "mmdet_atss", "mmdet_atss_ignore":
            var c = ATSSAssigner.Configuration.atss
            c.ignoreIoFThreshold = key.hasSuffix("_ignore") ? 0.5 : -1
            return ATSSAssigner(c)
        case "mmdet_maxiou", "mmdet_maxiou_ignore":
            var c = MaxIoUAssigner.Configuration.maxiou
            c.ignoreIoFThreshold = key.hasSuffix("_ignore") ? 0.5 : -1
            return MaxIoUAssigner(c)
        case "mmdet_tal":
            return TaskAlignedAssigner(.tood)
        default:
            return nil
        }
    }

    static func fields(for key: String) -> [FieldCheck] {
        switch key {
        case "mmdet_atss", "mmdet_atss_ignore": [.assignedGT, .matchedIoU]
        case "mmdet_tal": [.assignedGT, FieldCheck("assign_metrics", .absolute(1e-4))]
        default: [.assignedGT]
        }
    }

    static let keys = ["mmdet_atss", "mmdet_atss_ignore", "mmdet_maxiou", "mmdet_maxiou_ignore", "mmdet_tal"]

    @Test func scenesAreRetinaNetAnchorHeads() throws {
        let entries = try Self.entries()
        #expect(entries.count >= 3)
        for e in entries {
            let s = e.scene
            let anchors = try #require(s.anchors)
            #expect(anchors.count == s.priors.count)
            #expect(s.ignoreCount > 0)
            // 9 anchors per location: nine consecutive priors share a point, and the level sizes
            // are nine times the locations.
            for l in s.levelRanges { #expect(l.count % 9 == 0 && l.count > 0) }
            for i in Swift.stride(from: 0, to: s.priorCount, by: 9) {
                for k in 1..<9 { #expect(s.priors[4 * (i + k)] == s.priors[4 * i] && s.priors[4 * (i + k) + 1] == s.priors[4 * i + 1]) }
            }
        }
    }

    @Test(arguments: keys)
    func presetsMatchMMDet(key: String) throws {
        let cases = try Self.cases(key)
        let entries = try Self.entries()
        #expect(cases.count >= 2, "\(key): \(cases.count) scenes hold it")
        for e in entries where e.extras["expected"]?[key] == nil {
            let fragile = e.extras["fragile"]?.array?.compactMap(\.string) ?? []
            #expect(fragile.contains(key), "\(e.scene.name) lacks \(key) without listing it as fragile")
        }
        let assigner = try #require(Self.assigner(for: key))
        var comparisons = 0
        for c in cases {
            let result = try assigner.assignPriors(PreparedScene(c.scene))
            let check = FixtureCheck.fields(result, with: c.expected, fields: Self.fields(for: key), label: "\(c.scene.name) \(key)")
            comparisons += check.comparisons
            #expect(check.failures.isEmpty, "\(check.failures)")
            #expect(result.assignedGT.contains { $0 >= 0 }, "\(c.scene.name) \(key): no positive")
            if key.hasSuffix("_ignore") { #expect(result.assignedGT.contains(-2), "\(c.scene.name) \(key): nothing ignored") }
        }
        #expect(comparisons == cases.count * Self.fields(for: key).count)
    }

    /// The explicit anchors decide: the derived squares of the same priors give another answer.
    @Test(arguments: ["atss", "maxiou", "tood"])
    func explicitAnchorsChangeTheAssignment(preset: String) throws {
        let s = try #require(Self.entries().max { $0.scene.gtCount < $1.scene.gtCount }?.scene)
        var derived = s
        derived.anchors = nil
        let assigner = try AssignerRegistry.make(preset)
        #expect(try assigner.assign(s).assignedGT != assigner.assign(derived).assignedGT)
    }

    /// TOOD's reference has no ignore regions; `assign` marks the background anchors whose
    /// explicit box has IoF > 0.5 with an ignore box as `-2` and leaves every positive as mmdet's.
    @Test func toodMarksIgnoredAnchorsAfterAssignment() throws {
        let cases = try Self.cases("mmdet_tal")
        let tood = TaskAlignedAssigner(.tood)
        var marked = 0
        for c in cases {
            let s = c.scene
            let plain = try tood.assignPriors(PreparedScene(s)).assignedGT
            let full = try tood.assign(s).assignedGT
            let anchors = try #require(s.anchors)
            for i in 0..<s.priorCount {
                let box = Array(anchors[(4 * i)..<(4 * i + 4)])
                let area = max((box[2] - box[0]) * (box[3] - box[1]), 1e-6)
                var best: Float = 0
                for j in 0..<s.ignoreCount {
                    let g = Array(s.gtIgnore[(4 * j)..<(4 * j + 4)])
                    let w = max(min(box[2], g[2]) - max(box[0], g[0]), 0), h = max(min(box[3], g[3]) - max(box[1], g[1]), 0)
                    best = max(best, w * h / area)
                }
                let want: Int32 = plain[i] == -1 && best > 0.5 ? -2 : plain[i]
                #expect(full[i] == want, "\(s.name) prior \(i)")
                if want == -2 { marked += 1 }
            }
        }
        #expect(marked > 0)
    }
}
