import Foundation
import LabelAssign
import LabelAssignIO
import LabelAssignTestSupport
import Testing

/// Options through the command line: `assign --set`, `--options`, `--describe`, and
/// `compare --assigners` with `NAME(option=value,...)` entries.
@Suite struct OptionCommandLineTests {
    let cli = CommandLineTests()

    func fixtureScene() throws -> (path: String, scene: Scene) {
        let file = try #require(Fixtures.sceneFiles.first { (try? SceneFile.read(Fixtures.path($0)).first?.gtCount ?? 0) ?? 0 >= 3 })
        return (Fixtures.path(file), try #require(SceneFile.read(Fixtures.path(file)).first))
    }

    func assigned(_ r: CommandLineTests.Run) throws -> JSONValue? { try parseJSON(Array(r.stdout.utf8))["assigned_gt"] }

    func expectedGT(_ a: Assignment) -> JSONValue { .array(a.assignedGT.map { .number(Double($0)) }) }

    @Test func setOptionsFileAndSpecAgreeWithTheSwiftAPI() throws {
        let (path, scene) = try fixtureScene()
        let want = try AssignerRegistry.make("maxiou", options: [("neg_iou_thr", .list([.number(0.1), .number(0.4)])), ("min_pos_iou", .number(0.3))]).assign(scene)
        #expect(want != (try AssignerRegistry.make("maxiou").assign(scene)))
        let set = try cli.run(["assign", path, "--assigner", "maxiou", "--set", "neg_iou_thr=[0.1,0.4]", "--set", "min_pos_iou=0.3"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try assigned(set) == expectedGT(want))
        let file = try TemporaryFiles.file(#"{"neg_iou_thr": [0.1, 0.4], "min_pos_iou": 0.3}"#, prefix: "la-options")
        defer { TemporaryFiles.remove(file) }
        let fromFile = try cli.run(["assign", path, "--assigner", "maxiou", "--options", file])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(try assigned(fromFile) == expectedGT(want))
        let spec = try cli.run(["assign", path, "--assigner", "maxiou(neg_iou_thr=[0.1,0.4],min_pos_iou=0.3)"])
        #expect(spec.status == 0, "\(spec.stderr)")
        #expect(try assigned(spec) == expectedGT(want))
        // --set applies after --options.
        let later = try cli.run(["assign", path, "--assigner", "maxiou", "--options", file, "--set", "min_pos_iou=0"])
        let wantLater = try AssignerRegistry.make("maxiou", options: [("neg_iou_thr", .list([.number(0.1), .number(0.4)]))]).assign(scene)
        #expect(try assigned(later) == expectedGT(wantLater))
    }

    @Test func badOptionsExitOneNamingTheOption() throws {
        let (path, _) = try fixtureScene()
        let unknown = try cli.run(["assign", path, "--assigner", "atss", "--set", "topkk=3"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("topkk") && unknown.stderr.contains("topk, ignore_iof_thr"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let invalid = try cli.run(["assign", path, "--assigner", "atss", "--set", "topk=0"])
        #expect(invalid.status == 1 && invalid.stderr.contains("topk") && invalid.stderr.contains(">= 1"))
        let malformed = try cli.run(["assign", path, "--assigner", "atss", "--set", "topk"])
        #expect(malformed.status == 1 && malformed.stderr.contains("name=value"))
        let compare = try cli.run(["compare", path, "--assigners", "tal,tal(alpha=-1)", "--json"])
        #expect(compare.status == 1 && compare.stderr.contains("alpha"))
    }

    @Test func describeListsEveryOption() throws {
        for preset in AssignerRegistry.presets {
            let text = try cli.run(["assign", "--describe", preset.name])
            #expect(text.status == 0, "\(text.stderr)")
            for o in preset.options {
                #expect(text.stdout.contains(o.name) && text.stdout.contains(o.reference), "\(preset.name) \(o.name)")
            }
            let json = try cli.run(["assign", "--describe", preset.name, "--json"])
            let v = try parseJSON(Array(json.stdout.utf8))
            let options = try #require(v["options"]?.array)
            #expect(options.compactMap { $0["name"]?.string } == preset.options.map(\.name))
            for (o, info) in zip(options, preset.options) {
                #expect(o["default"].map { try? AssignerOptionsJSON.parse(.object(["x": $0])).first?.1 } == info.defaultValue.roundedToFloat)
            }
        }
        let atss = try cli.run(["assign", "--describe", "atss"])
        #expect(atss.stdout.contains("ignore_iof_thr") && atss.stdout.contains("-1") && atss.stdout.contains("mmdet 3.3 ATSSAssigner"))
        #expect(try cli.run(["assign", "--describe", "nope"]).status == 1)
    }

    /// Each entry of `--assigners` is one column named by its spelling.
    @Test func compareTakesPresetsWithOptions() throws {
        let (path, scene) = try fixtureScene()
        let spelled = ["tal", "tal(topk=13)", "atss(topk=5,ignore_iof_thr=0.5)"]
        let r = try cli.run(["compare", path, "--assigners", spelled.joined(separator: ","), "--json", "--no-quality"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(parseJSON(Array(r.stdout.utf8))["assigners"]?.array)
        #expect(rows.compactMap { $0["assigner"]?.string } == spelled)
        let positives = rows.compactMap { $0["positives"]?.double }
        let want = try spelled.map { Double(try AssignerRegistry.make(spec: $0).assign(scene).positiveCount) }
        #expect(positives == want)
        #expect(positives[0] != positives[1])
        let dup = try cli.run(["compare", path, "--assigners", "tal(topk=13),tal(topk=13)"])
        #expect(dup.status == 1)
    }
}

extension OptionValue {
    /// The value as `--describe --json` prints a float32 default.
    var roundedToFloat: OptionValue {
        switch self {
        case let .number(d): AssignerOptionsJSON.json(self).double.map { .number($0) } ?? .number(d)
        case let .list(l): .list(l.map(\.roundedToFloat))
        default: self
        }
    }
}
