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
        "iters" is a whole number in [0, 100000]. The file is strict JSON (NaN and Infinity are read, then
        rejected as costs), at most $LABELASSIGN_MAX_INPUT_BYTES (default 1 GiB), nested at most 64 levels.
        """
    )

    /// The methods, by name. Adding a method is one line here.
    static let methods: [(name: String, solve: @Sendable (JSONValue) throws -> String)] = [
        ("sinkhorn", { try solveSinkhorn(TransportProblem.parse($0)) }),
        ("sinkhorn-fixed", { try solveSinkhornFixed(TransportProblem.parse($0)) }),
        ("emd", { try solveEMD(TransportProblem.parse($0)) }),
        ("lsa", solveLinearAssignment),
    ]

    @Argument(help: "Transport problem JSON file (- for standard input).")
    var problem: String

    func run() throws {
        let root: JSONValue
        do {
            root = try InputFile.withBytes(of: problem) { try parseJSON($0) }
        } catch let e as LabelAssignError {
            if case let .io(message) = e, message.hasPrefix(problem) { throw e }
            throw LabelAssignError.io("\(problem): \(e)")
        }
        guard let name = root["method"] else { throw LabelAssignError.missingField("method") }
        guard let method = Self.methods.first(where: { $0.name == name.string }) else {
            throw LabelAssignError.invalidValue(field: "method", index: nil,
                                                reason: "unknown method \(name.string.map { "'\($0)'" } ?? "\(name)"); known: \(Self.methods.map(\.name).joined(separator: ", "))")
        }
        print(try method.solve(root))
    }

    static func solveLinearAssignment(_ root: JSONValue) throws -> String {
        var w = JSONWriter()
        w.value(try LinearAssignment.solveProblem(root))
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
