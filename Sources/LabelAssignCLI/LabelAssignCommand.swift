import LabelAssign
import LabelAssignIO
import LabelAssignCompare
import ArgumentParser

/// `labelassign`: label assignment for object detection, exact to the references.
struct LabelAssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labelassign",
        abstract: "Object-detection label assignment: exact, fast, comparable.",
        subcommands: [
            AssignCommand.self,
            ValidateCommand.self,
            IoUCommand.self,
            BenchCommand.self,
            CompareCommand.self,
            OTCommand.self,
        ]
    )
}
