import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Options by name: unknown names and bad values are errors naming them; JSON objects,
/// `name=value` settings and `NAME(option=value,...)` specs parse to the same pairs.
@Suite struct OptionParsingTests {
    func reason(_ body: () throws -> Any) -> (name: String, reason: String)? {
        do { _ = try body() } catch let LabelAssignError.invalidParameter(name, reason) { return (name, reason) } catch { return nil }
        return nil
    }

    @Test func unknownOptionNamesItAndListsTheValidOnes() throws {
        let e = try #require(reason { try AssignerRegistry.make("atss", options: [("topkk", .number(3))]) })
        #expect(e.name == "topkk")
        #expect(e.reason.contains("unknown option"))
        for name in ["topk", "ignore_iof_thr", "octave_base_scale", "in_gt_margin"] { #expect(e.reason.contains(name)) }
    }

    @Test(arguments: [
        ("atss", "topk", OptionValue.number(0)), ("atss", "topk", .number(2.5)), ("atss", "topk", .string("nine")),
        ("atss", "topk", .number(1e12)), ("tal", "alpha", .number(-1)), ("tal", "alpha", .number(.nan)),
        ("maxiou", "match_low_quality", .number(1)), ("maxiou", "neg_iou_thr", .list([.number(0.4)])),
        ("maxiou", "neg_iou_thr", .list([.number(0.4), .number(0.1)])), ("maxiou", "neg_iou_thr", .number(0.6)),
        ("simota", "arithmetic", .string("numpy")), ("ota", "focal_loss_alpha", .number(1.5)),
        ("yolov5", "anchors", .list([.list([.number(10), .number(13), .number(16)])])),
        ("yolov5", "anchors", .list([.list([.number(10), .number(-13)])])), ("yolov5", "g", .number(2)),
        ("hungarian", "cost_bbox", .number(1e300)), ("tood", "beta", .number(0)),
    ] as [(String, String, OptionValue)])
    func invalidValueNamesTheOption(preset: String, option: String, value: OptionValue) throws {
        let e = try #require(reason { try AssignerRegistry.make(preset, options: [(option, value)]) }, "\(preset) \(option)=\(value) accepted")
        #expect(e.name == option || (option == "neg_iou_thr" && e.name == "neg_iou_thr"))
    }

    @Test func laterSettingsWinAndTheConfigurationIsCheckedAsAWhole() throws {
        let s = try Fixtures.firstScene { $0.gtCount >= 3 }
        let twice = try AssignerRegistry.make("atss", options: [("topk", .number(3)), ("topk", .number(9))])
        #expect(try twice.assign(s) == AssignerRegistry.make("atss").assign(s))
        // Each value is valid alone; together neg > pos is not.
        #expect(reason { try AssignerRegistry.make("maxiou", options: [("pos_iou_thr", .number(0.3))]) }?.name == "neg_iou_thr")
        #expect(try AssignerRegistry.make("maxiou", options: [("pos_iou_thr", .number(0.3)), ("neg_iou_thr", .number(0.2))]).assign(s).positiveCount > 0)
    }

    @Test func jsonObjectsParseToPairs() throws {
        let pairs = try AssignerOptionsJSON.parse(#"{"topk": 13, "neg_iou_thr": [0, 0.4], "match_low_quality": false, "topk2": null, "variant": "mmdet"}"#)
        #expect(pairs.map(\.0) == ["match_low_quality", "neg_iou_thr", "topk", "topk2", "variant"])
        #expect(pairs.map(\.1) == [.bool(false), .list([.number(0), .number(0.4)]), .number(13), .null, .string("mmdet")])
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.parse("[1, 2]") }
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.parse(#"{"topk": 1,}"#) }
        #expect(throws: LabelAssignError.invalidParameter(name: "topk", reason: "a value cannot be an object")) {
            try AssignerOptionsJSON.parse(#"{"topk": {"value": 1}}"#)
        }
        let s = try Fixtures.firstScene { $0.gtCount >= 3 }
        let viaJSON = try AssignerRegistry.make("maxiou", optionsJSON: #"{"neg_iou_thr": [0.1, 0.4], "min_pos_iou": 0.3}"#)
        let viaPairs = try AssignerRegistry.make("maxiou", options: [("neg_iou_thr", .list([.number(0.1), .number(0.4)])), ("min_pos_iou", .number(0.3))])
        #expect(try viaJSON.assign(s) == viaPairs.assign(s))
        #expect(try AssignerRegistry.make("maxiou", optionsJSON: "").assign(s) == AssignerRegistry.make("maxiou").assign(s))
        #expect(try AssignerRegistry.make("maxiou", optionsJSON: " {} ").assign(s) == AssignerRegistry.make("maxiou").assign(s))
    }

    @Test func settingsAndSpecs() throws {
        #expect(try AssignerOptionsJSON.setting("topk=13") == ("topk", .number(13)))
        #expect(try AssignerOptionsJSON.setting(" neg_iou_thr = [0, 0.4] ") == ("neg_iou_thr", .list([.number(0), .number(0.4)])))
        #expect(try AssignerOptionsJSON.setting("variant=mmdet") == ("variant", .string("mmdet")))
        #expect(try AssignerOptionsJSON.setting("match_low_quality=false") == ("match_low_quality", .bool(false)))
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.setting("topk") }
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.setting("=3") }
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.setting("topk=") }

        let spec = try AssignerOptionsJSON.spec("atss(topk=5, ignore_iof_thr=0.5)")
        #expect(spec.preset == "atss")
        #expect(spec.options.map(\.0) == ["topk", "ignore_iof_thr"])
        #expect(try AssignerOptionsJSON.spec("tal").options.isEmpty)
        #expect(try AssignerOptionsJSON.splitTopLevel("tal,tal(topk=13),maxiou(neg_iou_thr=[0,0.4],min_pos_iou=0)")
            == ["tal", "tal(topk=13)", "maxiou(neg_iou_thr=[0,0.4],min_pos_iou=0)"])
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.spec("atss(topk=5") }
        #expect(throws: LabelAssignError.self) { try AssignerOptionsJSON.splitTopLevel("atss(topk=5))") }
        #expect(throws: LabelAssignError.unknownAssigner(name: "atsss", known: AssignerRegistry.names)) {
            try AssignerRegistry.make(spec: "atsss(topk=5)")
        }
    }

    /// `--describe`'s data: every option with the preset's value as its default.
    @Test func presetsDescribeTheirDefaults() throws {
        let atss = try AssignerRegistry.preset("atss")
        #expect(atss.options.map(\.name) == ["topk", "ignore_iof_thr", "octave_base_scale", "in_gt_margin"])
        #expect(atss.options.first?.defaultValue == .number(9))
        #expect(atss.options[1].defaultValue == .number(-1))
        let maxiou = try AssignerRegistry.preset("maxiou")
        let defaults = Dictionary(uniqueKeysWithValues: maxiou.options.map { ($0.name, $0.defaultValue.description) })
        #expect(defaults == ["pos_iou_thr": "0.5", "neg_iou_thr": "0.4", "min_pos_iou": "0", "gt_max_assign_all": "true",
                             "match_low_quality": "true", "ignore_iof_thr": "-1", "octave_base_scale": "4"])
        let tal = try AssignerRegistry.preset("tal")
        #expect(tal.options.first { $0.name == "topk" }?.defaultValue == .number(10))
        #expect(tal.options.first { $0.name == "alpha" }?.defaultValue == .number(0.5))
        #expect(tal.options.first { $0.name == "topk2" }?.defaultValue == .null)
    }
}
