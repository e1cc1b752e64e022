import ArgumentParser
import LabelAssign
import LabelAssignIO
import LabelAssignCompare

struct OTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ot",
        abstract: "Solve a transport problem file and print the result as JSON.",
        discussion: """
        PROBLEM is a JSON object with a "method" and its fields (POT's and scipy's argument names):
          {"method": "sinkhorn", "a": [...], "b": [...], "M": [[...]], "reg": R,
           "sinkhorn_method": "sinkhorn", "numItermax": 1000, "stopThr": 1e-9,
           "warmstart": [[...], [...]], "tau": 1000, "print_period": 20, "stall_checks": 20}
              POT ot.sinkhorn(a, b, M, reg, method=sinkhorn_method, ...) in Float64; every key after
              "reg" is optional (POT's defaults shown). sinkhorn_method: sinkhorn (sinkhorn_knopp),
              sinkhorn_log, sinkhorn_stabilized (tau, print_period). warmstart is POT's: log-scalings
              (sinkhorn, sinkhorn_log) or reg-scaled potentials alpha, beta (sinkhorn_stabilized).
              stall_checks: stop once that many error checks (every 10 iterations; every
              print_period for sinkhorn_stabilized) set no new minimum (0: never, POT's loop).
              Prints {"plan", "cost", "niter", "err", "status", "warmstart"}: niter is POT's
              log["niter"], err the last checked error (null before any check), status converged,
              stalled, max_iter_reached or numerical_error, warmstart the potentials that continue
              the solve.
          {"method": "sinkhorn-fixed", "a": [...], "b": [...], "M": [[...]], "reg": EPS, "iters": N}
              OTA's fixed-iteration log-domain Sinkhorn (Float32); prints {"plan", "cost"}.
          {"method": "emd", "a": [...], "b": [...], "M": [[...]], "numItermax": N}
              exact OT (POT ot.emd / ot.emd2, network simplex, Float64; numItermax optional,
              default 100000); prints {"plan", "cost"}.
          {"method": "lsa", "M": [[...]], "maximize": false}
              exact linear sum assignment (scipy linear_sum_assignment(M, maximize=...));
              prints {"rows", "cols", "total"}.
        "a": [] and "b": [] are uniform weights. "iters" is a whole number in [0, 100000], "numItermax"
        of sinkhorn in [1, 10000000]. A key the method does not take is an error. Warnings (POT's) go to
        stderr. Non-finite totals print as Infinity / -Infinity. The file is strict JSON (NaN and
        Infinity are read; costs must be finite except for lsa), at most $LABELASSIGN_MAX_INPUT_BYTES
        (default 1 GiB), nested at most 64 levels.
        """
    )

    /// The methods, by name. Adding a method is one line here (and its keys in `TransportProblem.keys`).
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
        try TransportProblem.checkKeys(root, method: method.name)
        print(try method.solve(root))
    }

    /// A JSON object of already-written values, in the given key order.
    static func object(_ fields: [(key: String, json: String)]) -> String {
        "{" + fields.map { JSONWriter.quoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}"
    }

    /// A number as JSON, with `Infinity`, `-Infinity` and `NaN` as Python's json writes them.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return JSONWriter.format(v)
    }

    static func json(_ write: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        write(&w)
        return w.text
    }

    static func planRows(_ plan: [Double], rows: Int, columns: Int) -> String {
        json { $0.rows((0..<rows).map { Array(plan[($0 * columns)..<(($0 + 1) * columns)]) }) }
    }

    static func solveLinearAssignment(_ root: JSONValue) throws -> String {
        let r = try LinearAssignment.solveProblem(root)
        return object([("cols", json { $0.value(r["cols"] ?? .array([])) }), ("rows", json { $0.value(r["rows"] ?? .array([])) }),
                       ("total", number(r["total"]?.double ?? 0))])
    }

    static func solveSinkhorn(_ p: TransportProblem) throws -> String {
        let r = try p.solveSinkhorn()
        switch r.status {
        case .converged: break
        case .stalled:
            FileHandleStderr.write("labelassign: warning: Sinkhorn stalled: no new smallest error in \(p.stallChecks ?? 20) checks, at \(r.marginalError) after \(r.iterations) iterations (stopThr \(p.stopThr ?? 1e-9))\n")
        case .maxIterReached:
            FileHandleStderr.write("labelassign: warning: Sinkhorn did not converge. You might want to increase the number of iterations `numItermax` or the regularization parameter `reg`.\n")
        case .numericalError:
            FileHandleStderr.write("labelassign: warning: numerical errors at iteration \(r.niter): the previous scalings are kept\n")
        }
        let w = r.warmstart
        return object([
            ("plan", planRows(r.plan, rows: p.rows, columns: p.columns)),
            ("cost", number(r.cost)),
            ("niter", String(r.niter)),
            ("err", r.errors.last.map(number) ?? "null"),
            ("status", JSONWriter.quoted(r.status.rawValue)),
            ("warmstart", "[" + [w.u, w.v].map { half in "[" + half.map(number).joined(separator: ",") + "]" }.joined(separator: ",") + "]"),
        ])
    }

    static func solveSinkhornFixed(_ p: TransportProblem) throws -> String {
        let result = try p.solveSinkhornFixed()
        return object([("plan", json { $0.exactRows(result.plan, width: p.columns) }), ("cost", number(result.cost))])
    }

    static func solveEMD(_ p: TransportProblem) throws -> String {
        let result = try p.solveEMD()
        if let warning = result.warning {
            FileHandleStderr.write("labelassign: warning: \(warning) (the plan is the last basic solution, after \(result.iterations) pivots)\n")
        }
        return object([("plan", planRows(result.plan, rows: p.rows, columns: p.columns)), ("cost", number(result.cost))])
    }
}
