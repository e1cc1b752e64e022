import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign the priors of a scene file and print the result as JSON.",
        discussion: """
        SCENE is a scene JSON file, a JSON-lines file, a directory, or - for standard input. One JSON object is \
        printed per scene (one per line). Options of the preset go by the reference's own argument names: \
        --set topk=13 (repeatable; values are JSON: 0.5, true, null, [0, 0.4], or a bare name), --options FILE.json \
        ({"topk": 13}; --set applies after it), or NAME(option=value,...) as the preset. --describe NAME lists a \
        preset's options with their defaults and references. Limits and the answers to bad input: README, \
        "Limits and bad input".
        """
    )

    @Argument(help: "Scene file, JSON-lines file or directory (- for standard input).")
    var scene: String?

    @Option(name: .long, help: "Assigner preset (see `labelassign assign --list`), optionally NAME(option=value,...).")
    var assigner: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("An option of the preset, name=value (repeatable).", valueName: "name=value"))
    var settings: [String] = []

    @Option(name: .customLong("options"), help: ArgumentHelp("A JSON object of options ({\"topk\": 13}).", valueName: "FILE.json"))
    var optionsFile: String?

    @Flag(name: .long, help: "List the assigner presets and exit.")
    var list = false

    @Option(name: .long, help: ArgumentHelp("Print every option of a preset (default, kind, reference) and exit.", valueName: "NAME"))
    var describe: String?

    @Flag(name: .long, help: "With --describe: print the options as JSON.")
    var json = false

    func run() throws {
        if list {
            for p in AssignerRegistry.presets { print("\(p.name)\t\(p.summary)") }
            return
        }
        if let describe {
            let preset = try AssignerRegistry.preset(describe)
            print(json ? OptionTable.json(preset) : OptionTable.text(preset), terminator: json ? "\n" : "")
            return
        }
        guard let scene else { throw ValidationError("missing SCENE (a scene file, JSON-lines file or directory)") }
        guard let name = assigner else { throw ValidationError("missing --assigner NAME; known: \(AssignerRegistry.names.joined(separator: ", "))") }
        let spec = try AssignerOptionsJSON.spec(name)
        var options = spec.options
        if let optionsFile { options += try AssignerOptionsJSON.read(optionsFile) }
        options += try settings.map(AssignerOptionsJSON.setting)
        let made = try AssignerRegistry.make(spec.preset, options: options)
        let scenes = try SceneFile.read(scene)
        for s in scenes {
            let result = try made.assign(s)
            print(result.json(assigner: name, scene: scenes.count > 1 ? s.name : nil))
        }
    }
}

/// `assign --describe`: a preset's options as a text table or JSON.
enum OptionTable {
    static func text(_ preset: AssignerPreset) -> String {
        var out = "\(preset.name): \(preset.summary)\n"
        if preset.options.isEmpty { return out + "(no options)\n" }
        let header = ["option", "default", "values", "reference", "meaning"]
        let rows = preset.options.map { [$0.name, $0.defaultValue.description, $0.kind, $0.reference, $0.doc] }
        let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for r in [header] + rows {
            var line = ""
            for c in 0..<4 { line += r[c] + String(repeating: " ", count: widths[c] - r[c].count + 2) }
            out += line + r[4] + "\n"
        }
        return out
    }

    static func json(_ preset: AssignerPreset) -> String {
        PresetDescription.json(preset)
    }
}
