import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Every option of every preset: declared once with its default, and a non-default value changes
/// the assignment where the scene lets it.
@Suite struct PresetOptionTests {
    /// One non-default value per option. `changes` is false where the fixture scene cannot show
    /// the option (it acts on ignore boxes or on the other variant, or on ties the scene lacks).
    struct Case: Sendable, CustomStringConvertible {
        var preset: String, option: String, value: OptionValue, changes: Bool
        var description: String { "\(preset)(\(option)=\(value))" }
    }

    static func c(_ preset: String, _ option: String, _ value: OptionValue, changes: Bool = true) -> Case {
        Case(preset: preset, option: option, value: value, changes: changes)
    }

    static let simota: [(String, OptionValue, Bool)] = [
        ("center_radius", .number(1), true), ("candidate_topk", .number(3), true), ("iou_weight", .number(0.5), true),
        ("cls_weight", .number(4), true), ("eps", .number(0.5), true), ("inf", .number(1), true),
        ("arithmetic", .string("mmdet"), false), ("selection_ties", .string("lower_index"), false),
    ]

    static let cases: [Case] =
        simota.map { c("simota", $0.0, $0.1, changes: $0.2) } + [c("simota", "candidate_region", .string("center"))]
        + simota.map { c("simota-mmdet", $0.0, $0.0 == "arithmetic" ? .string("yolox") : $0.1, changes: $0.2) }
        + [c("simota-mmdet", "candidate_region", .string("center"))]
        // YOLOX main has no pair outside its candidate square, so `inf` never enters a cost.
        + simota.map { c("simota-yolox-latest", $0.0, $0.0 == "center_radius" ? .number(3) : $0.1, changes: $0.2 && $0.0 != "inf") }
        + [c("simota-yolox-latest", "candidate_region", .string("box_or_center"))]
        + [
            c("dsl", "soft_center_radius", .number(1)), c("dsl", "topk", .number(3)), c("dsl", "iou_weight", .number(0.5)),
            c("dsl", "eps", .number(0.5)), c("dsl", "selection_ties", .string("lower_index"), changes: false),
            c("yolov5", "anchor_t", .number(2)), c("yolov5", "g", .number(0.2)),
            c("yolov5", "anchors", .list([[8, 8, 16, 16, 24, 24], [32, 32, 48, 48, 64, 64], [96, 96, 128, 128, 192, 192]]
                .map { .list($0.map { .number($0) }) })),
            c("hungarian", "cost_class", .number(20)), c("hungarian", "cost_bbox", .number(0)), c("hungarian", "cost_giou", .number(20)),
            c("tal", "topk", .number(3)), c("tal", "alpha", .number(2)), c("tal", "beta", .number(1)), c("tal", "topk2", .number(1)),
            c("tal", "eps", .number(1)), c("tal", "in_gt_margin", .number(8)), c("tal", "stride_val", .number(64)),
            c("tal", "octave_base_scale", .number(4), changes: false), c("tal", "ignore_iof_thr", .number(0.5), changes: false),
            c("tal", "variant", .string("mmdet")), c("tal", "scores_are_probabilities", .bool(true)),
            c("tood", "topk", .number(3)), c("tood", "alpha", .number(2)), c("tood", "beta", .number(2)),
            c("tood", "topk2", .number(1), changes: false), c("tood", "eps", .number(1), changes: false),
            c("tood", "in_gt_margin", .number(8)), c("tood", "stride_val", .number(64), changes: false),
            c("tood", "octave_base_scale", .number(4), changes: false), c("tood", "ignore_iof_thr", .null, changes: false),
            c("tood", "variant", .string("ultralytics")), c("tood", "scores_are_probabilities", .bool(true)),
            c("atss", "topk", .number(3)), c("atss", "ignore_iof_thr", .number(0.5), changes: false),
            c("atss", "octave_base_scale", .number(4)), c("atss", "in_gt_margin", .number(8)),
            c("maxiou", "pos_iou_thr", .number(0.6)), c("maxiou", "neg_iou_thr", .list([.number(0.1), .number(0.4)])),
            c("maxiou", "min_pos_iou", .number(0.3)), c("maxiou", "gt_max_assign_all", .bool(false)),
            c("maxiou", "match_low_quality", .bool(false)), c("maxiou", "ignore_iof_thr", .number(0.5), changes: false),
            c("maxiou", "octave_base_scale", .number(8)),
            c("ota", "center_sampling_radius", .number(1)), c("ota", "in_gt_margin", .number(4)), c("ota", "reg_weight", .number(6)),
            c("ota", "inf", .number(1e5), changes: false), c("ota", "top_candidates", .number(3)),
            c("ota", "focal_loss_alpha", .number(0.9)), c("ota", "focal_loss_gamma", .number(0)),
            c("ota", "sinkhorn_eps", .number(1)), c("ota", "sinkhorn_iters", .number(2)),
            // ota-exact shares OTA's configuration; the Sinkhorn constants do not reach the exact solve.
            c("ota-exact", "center_sampling_radius", .number(1)), c("ota-exact", "in_gt_margin", .number(4)),
            c("ota-exact", "reg_weight", .number(6)), c("ota-exact", "inf", .number(1e5), changes: false),
            c("ota-exact", "top_candidates", .number(3)), c("ota-exact", "focal_loss_alpha", .number(0.9)),
            c("ota-exact", "focal_loss_gamma", .number(0)),
            c("ota-exact", "sinkhorn_eps", .number(1), changes: false), c("ota-exact", "sinkhorn_iters", .number(2), changes: false),
        ]

    /// A fixture scene with several objects of varied sizes.
    static func scene() throws -> Scene { try Fixtures.firstScene { $0.gtCount >= 6 && $0.numClasses > 1 } }

    @Test func everyOptionOfEveryPresetHasACase() {
        for p in AssignerRegistry.presets {
            #expect(!p.options.isEmpty, "\(p.name) has no options")
            let names = p.options.map(\.name)
            #expect(Set(names).count == names.count, "\(p.name) declares an option twice")
            let covered = Set(Self.cases.filter { $0.preset == p.name }.map(\.option))
            #expect(covered == Set(names), "\(p.name): cases for \(covered.sorted()), options \(names.sorted())")
            for o in p.options { #expect(!o.doc.isEmpty && !o.reference.isEmpty, "\(p.name).\(o.name)") }
        }
    }

    /// With no options, and with every option set to its own default, a preset is its plain self.
    @Test(arguments: AssignerRegistry.names)
    func defaultsReproduceThePreset(preset: String) throws {
        let s = try Self.scene()
        let p = try AssignerRegistry.preset(preset)
        let plain = try p.make().assign(s)
        #expect(try p.make(options: []).assign(s) == plain)
        #expect(try p.make(options: p.options.map { ($0.name, $0.defaultValue) }).assign(s) == plain)
    }

    @Test(arguments: cases)
    func nonDefaultValueApplies(_ c: Case) throws {
        var s = try Self.scene()
        // Probabilities in, as the option declares (the plain preset reads them as logits).
        if c.option == "scores_are_probabilities" { s.clsLogits = s.clsLogits.map { torchSigmoid($0) } }
        let p = try AssignerRegistry.preset(c.preset)
        let info = try #require(p.options.first { $0.name == c.option })
        #expect(info.defaultValue != c.value, "\(c): the case value is the default")
        let changed = try p.make(options: [(c.option, c.value)])
        let spelled = try AssignerRegistry.make(spec: "\(c.preset)(\(c.option)=\(c.value))")
        let a = try changed.assign(s)
        #expect(try spelled.assign(s) == a, "\(c): the spelled preset differs")
        if c.changes { #expect(try p.make().assign(s) != a, "\(c) changes nothing") }
    }

    /// ultralytics' class defaults (topk 13, α 1) and the E2E one-to-one branch (topk 7, topk2 1),
    /// set as options, against the reference harness's outputs.
    @Test(arguments: [("ultralytics_tal_defaults", "tal(topk=13,alpha=1)"), ("ultralytics_tal_e2e", "tal(topk=7,topk2=1)")])
    func talOptionsMatchTheReference(key: String, spec: String) throws {
        let cases = try Fixtures.scenes(expecting: key, in: "tal-variants.jsonl")
        #expect(cases.count == 3)
        let assigner = try AssignerRegistry.make(spec: spec)
        for c in cases {
            let out = FixtureCheck.fields(try assigner.assign(c.scene), with: c.expected,
                                          fields: [.assignedGT, FieldCheck("target_scores", .absolute(1e-4))], label: "\(spec) \(c.scene.name)")
            #expect(out.failures.isEmpty, "\(out.failures.joined(separator: "\n"))")
            #expect(out.comparisons == 2)
        }
    }
}
