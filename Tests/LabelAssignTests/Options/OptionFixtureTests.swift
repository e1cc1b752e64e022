import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Presets with options against the references run with the same constructor arguments
/// (`options.jsonl`, made by `tools/reference/make_option_fixtures.py`), field by field as the
/// preset's fixture key is compared in `PresetConformanceTests`.
@Suite struct OptionFixtureTests {
    struct Case: Sendable {
        var scene: Scene, preset: String, key: String, options: JSONValue, expected: JSONValue
        var label: String { "\(preset)(\(options)) \(scene.name)" }
    }

    static func cases() throws -> [Case] {
        try Fixtures.entries("options.jsonl").flatMap { e in
            (e.extras["expected"]?.object ?? [:]).sorted { $0.key < $1.key }.map { _, c in
                Case(scene: e.scene, preset: c["preset"]?.string ?? "", key: c["fixture_key"]?.string ?? "",
                     options: c["options"] ?? .null, expected: c["outputs"] ?? .null)
            }
        }
    }

    func run(_ assigner: any Assigner, _ c: Case, _ table: PresetExpectation) throws -> (comparisons: Int, failures: [String]) {
        let configured = try table.configure?(assigner, c.expected) ?? assigner
        let result = try configured.assign(c.scene)
        let derived = try table.derive?(configured, c.scene) ?? [:]
        return FixtureCheck.fields(result, with: c.expected, fields: table.fields, derived: derived, label: c.label)
    }

    @Test func everyCaseMatchesItsReference() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 40)
        var covered: Set<String> = []
        for c in cases {
            let table = try #require(PresetExpectation.table.first { $0.fixtureKey == c.key }, "\(c.key)")
            let preset = try AssignerRegistry.preset(c.preset)
            #expect(preset.fixtureKey == c.key)
            let options = try AssignerOptionsJSON.parse(c.options)
            let out = try run(preset.make(options: options), c, table)
            #expect(out.failures.isEmpty, "\(out.failures.prefix(5).joined(separator: "\n"))")
            #expect(out.comparisons == table.fields.filter { !$0.optional }.count || out.comparisons == table.fields.count)
            // A value other than the preset's changes the reference's answer, and the preset's
            // plain configuration does not reproduce it.
            let isDefault = options.allSatisfy { name, value in preset.options.first { $0.name == name }?.defaultValue == value }
            let plain = try run(preset.make(), c, table)
            #expect(isDefault == plain.failures.isEmpty, "\(c.label): the preset's defaults \(isDefault ? "differ" : "also match")")
            for (name, _) in options { covered.insert("\(c.preset).\(name)") }
            // The case's name is the preset spelled with its options; it builds the same assigner.
            let spelled = "\(c.preset)(" + options.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + ")"
            #expect(try run(AssignerRegistry.make(spec: spelled), c, table).failures.isEmpty, "\(spelled)")
        }
        // Every option whose reference takes it as an argument has a case on some scene.
        for needed in ["atss.topk", "atss.ignore_iof_thr", "atss.octave_base_scale", "maxiou.pos_iou_thr", "maxiou.neg_iou_thr",
                       "maxiou.min_pos_iou", "maxiou.gt_max_assign_all", "maxiou.match_low_quality", "maxiou.ignore_iof_thr",
                       "maxiou.octave_base_scale", "simota-mmdet.center_radius", "simota-mmdet.candidate_topk",
                       "simota-mmdet.iou_weight", "simota-mmdet.cls_weight", "dsl.soft_center_radius", "dsl.topk", "dsl.iou_weight",
                       "tal.topk", "tal.alpha", "tal.beta", "tal.eps", "tal.stride_val", "tood.topk", "tood.alpha", "tood.beta",
                       "ota.center_sampling_radius", "ota.reg_weight", "ota.top_candidates", "ota.sinkhorn_eps", "ota.sinkhorn_iters",
                       "yolov5.anchor_t", "yolov5.anchors", "hungarian.cost_class", "hungarian.cost_bbox", "hungarian.cost_giou"] {
            #expect(covered.contains(needed), "no reference case for \(needed)")
        }
    }
}
