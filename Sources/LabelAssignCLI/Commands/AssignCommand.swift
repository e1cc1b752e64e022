import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign the priors of a scene file and print the result as JSON.",
        discussion: "SCENE is a scene JSON file, a JSON-lines file, a directory, or - for standard input. One JSON object is printed per scene (one per line). Limits and the answers to bad input: README, \"Limits and bad input\"."
    )

    @Argument(help: "Scene file, JSON-lines file or directory (- for standard input).")
    var scene: String?

    @Option(name: .long, help: "Assigner preset (see `labelassign assign --list`).")
    var assigner: String?

    @Flag(name: .long, help: "List the assigner presets and exit.")
    var list = false

    func run() throws {
        if list {
            for p in AssignerRegistry.presets { print("\(p.name)\t\(p.summary)") }
            return
        }
        guard let scene else { throw ValidationError("missing SCENE (a scene file, JSON-lines file or directory)") }
        guard let name = assigner else { throw ValidationError("missing --assigner NAME; known: \(AssignerRegistry.names.joined(separator: ", "))") }
        let made = try AssignerRegistry.make(name)
        let scenes = try SceneFile.read(scene)
        for s in scenes {
            let result = try made.assign(s)
            print(result.json(assigner: name, scene: scenes.count > 1 ? s.name : nil))
        }
    }
}
