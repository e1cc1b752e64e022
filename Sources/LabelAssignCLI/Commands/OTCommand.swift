import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct OTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ot",
        abstract: "Solve a transport problem file and print the result as JSON.",
        discussion: """
        PROBLEM is a JSON object with a "method" and its fields:
          {"method": "sinkhorn", "a": [...], "b": [...], "M": [[...]], "reg": R}
              entropic OT to convergence (Float64); prints {"plan", "cost"}.
          {"method": "sinkhorn-fixed", "a": [...], "b": [...], "M": [[...]], "reg": EPS, "iters": N}
              OTA's fixed-iteration log-domain Sinkhorn (Float32); prints {"plan", "cost"}.
          {"method": "emd", "a": [...], "b": [...], "M": [[...]], "numItermax": N}
              exact OT (POT ot.emd / ot.emd2, network simplex, Float64; [] is uniform,
              numItermax optional, default 100000); prints {"plan", "cost"}.
          {"method": "lsa", "M": [[...]]}
              exact linear sum assignment (scipy linear_sum_assignment); prints {"rows", "cols", "total"}.
        """
    )

    /// The methods, by name. Adding a method is one line here.
    static let methods: [(name: String, solve: @Sendable ([UInt8]) throws -> String)] = [
        ("sinkhorn", { try solveSinkhorn(TransportProblem.parse($0)) }),
        ("sinkhorn-fixed", { try solveSinkhornFixed(TransportProblem.parse($0)) }),
        ("emd", { try solveEMD(TransportProblem.parse($0)) }),
        ("lsa", solveLinearAssignment),
    ]

    @Argument(help: "Transport problem JSON file.")
    var problem: String

    func run() throws {
        let bytes = try SceneFile.bytes(of: problem)
        guard let name = try parseJSON(bytes)["method"] else { throw LabelAssignError.missingField("method") }
        guard let method = Self.methods.first(where: { $0.name == name.string }) else {
            throw LabelAssignError.invalidValue(field: "method", index: nil,
                                                reason: "unknown method \(name.string.map { "'\($0)'" } ?? "\(name)"); known: \(Self.methods.map(\.name).joined(separator: ", "))")
        }
        print(try method.solve(bytes))
    }

    static func solveLinearAssignment(_ bytes: [UInt8]) throws -> String {
        var w = JSONWriter()
        w.value(try LinearAssignment.solveProblem(parseJSON(bytes)))
        return w.text
    }

    static func solveSinkhorn(_ p: TransportProblem) throws -> String {
        let result = try p.solveSinkhorn()
        if !result.converged {
            FileHandleStderr.write("labelassign: warning: Sinkhorn stopped after \(result.iterations) iterations with marginal error \(result.marginalError)\n")
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("plan"); w.rows((0..<p.rows).map { Array(result.plan[($0 * p.columns)..<(($0 + 1) * p.columns)]) })
        w.key("cost"); w.number(result.cost)
        w.endObject()
        return w.text
    }

    static func solveSinkhornFixed(_ p: TransportProblem) throws -> String {
        let result = try p.solveSinkhornFixed()
        var w = JSONWriter()
        w.beginObject()
        w.key("plan"); w.exactRows(result.plan, width: p.columns)
        w.key("cost"); w.number(result.cost)
        w.endObject()
        return w.text
    }

    static func solveEMD(_ p: TransportProblem) throws -> String {
        let result = try p.solveEMD()
        if let warning = result.warning {
            FileHandleStderr.write("labelassign: warning: \(warning) (the plan is the last basic solution, after \(result.iterations) pivots)\n")
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("plan"); w.rows((0..<p.rows).map { Array(result.plan[($0 * p.columns)..<(($0 + 1) * p.columns)]) })
        w.key("cost"); w.number(result.cost)
        w.endObject()
        return w.text
    }
}
