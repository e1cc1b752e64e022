import LabelAssign

/// A transport problem file (`labelassign ot`): a JSON object with a `method` and the
/// fields that method needs, under POT's and scipy's argument names: `M` (cost rows), `a` (row
/// masses), `b` (column masses), `reg` (entropic ε), `iters` (OTA's fixed iteration count),
/// `numItermax` (POT's iteration cap of `sinkhorn` and `emd`), and for `sinkhorn` POT's
/// `sinkhorn_method` (POT's `method`: `sinkhorn`, `sinkhorn_log`, `sinkhorn_stabilized`),
/// `stopThr`, `warmstart` (`[u, v]`), `tau`, `print_period`, and `stall_checks` (the stall stop;
/// 0: off).
///
/// `parse` checks the structure only: `method` is a string, `M` a non-empty rectangular
/// array of finite numbers, `a` / `b` (when present) finite numbers as many as `M` has rows /
/// columns or empty (`[]`: uniform weights, as in POT), `reg` (when present) finite
/// and > 0, `iters` (when present) a whole number in `[0, maxIterations]`, `numItermax` (when
/// present) a whole number >= 0, and the `sinkhorn` options their types and ranges.
/// Each method then asks for the fields it needs (`requireMarginals`, `requireReg`, ...);
/// `checkKeys` rejects a key that the file's method does not take.
/// `M` may hold negative costs; masses must be non-negative. `iters` is at most
/// `maxIterations` (100,000) and `numItermax` of `sinkhorn` at most `Sinkhorn.maxNumItermax`,
/// so the work is bounded.
public struct TransportProblem: Sendable, Equatable {
    /// The largest `iters` a problem file may ask for.
    public static let maxIterations = 100_000

    public var method: String
    public var rows: Int
    public var columns: Int
    /// `rows × columns` row-major.
    public var cost: [Double]
    public var a: [Double]?
    public var b: [Double]?
    public var reg: Double?
    public var iterations: Int?
    /// POT's `numItermax` (nil: POT's default, 1000 for `sinkhorn`, 100000 for `emd`).
    public var numItermax: Int?
    /// `sinkhorn`: POT's `method` (key `sinkhorn_method`; nil: `sinkhorn`).
    public var sinkhornMethod: Sinkhorn.Method?
    /// `sinkhorn`: POT's `stopThr`, `warmstart`, `tau`, `print_period`, and the stall stop.
    public var stopThr: Double?
    public var warmstart: Sinkhorn.Warmstart?
    public var tau: Double?
    public var printPeriod: Int?
    public var stallChecks: Int?

    /// The keys each method of a problem file takes.
    public static let keys: [String: [String]] = [
        "sinkhorn": ["method", "a", "b", "M", "reg", "sinkhorn_method", "numItermax", "stopThr", "warmstart", "tau", "print_period", "stall_checks"],
        "sinkhorn-fixed": ["method", "a", "b", "M", "reg", "iters"],
        "emd": ["method", "a", "b", "M", "numItermax"],
        "lsa": ["method", "M", "maximize"],
    ]

    /// Throws `invalidParameter` naming the first key (in sorted order) that `method` does not
    /// take, with the keys it does take.
    public static func checkKeys(_ root: JSONValue, method: String) throws {
        guard let allowed = keys[method], let object = root.object else { return }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw LabelAssignError.invalidParameter(name: unknown, reason: "is not an option of method \(method); its keys: \(allowed.joined(separator: ", "))")
        }
    }

    public init(method: String, rows: Int, columns: Int, cost: [Double], a: [Double]? = nil, b: [Double]? = nil,
                reg: Double? = nil, iterations: Int? = nil, numItermax: Int? = nil) {
        self.method = method
        self.rows = rows
        self.columns = columns
        self.cost = cost
        self.a = a
        self.b = b
        self.reg = reg
        self.iterations = iterations
        self.numItermax = numItermax
    }

    /// Parses a problem file's bytes.
    public static func parse(_ bytes: [UInt8]) throws -> TransportProblem {
        try parse(parseJSON(bytes))
    }

    /// The problem of a parsed problem file.
    public static func parse(_ root: JSONValue) throws -> TransportProblem {
        guard root.object != nil else { throw LabelAssignError.malformedJSON("a transport problem is a JSON object") }
        guard let methodValue = root["method"] else { throw LabelAssignError.missingField("method") }
        guard let method = methodValue.string else {
            throw LabelAssignError.invalidValue(field: "method", index: nil, reason: "must be a string")
        }
        guard let m = root["M"] else { throw LabelAssignError.missingField("M") }
        guard let rowValues = m.array, !rowValues.isEmpty else {
            throw LabelAssignError.invalidValue(field: "M", index: nil, reason: "must be a non-empty array of rows")
        }
        var cost: [Double] = []
        var columns = -1
        for (i, row) in rowValues.enumerated() {
            guard let items = row.array else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "a row must be an array of numbers") }
            if columns < 0 { columns = items.count }
            guard items.count == columns else { throw LabelAssignError.shapeMismatch(field: "M[\(i)]", expected: columns, actual: items.count) }
            for (j, x) in items.enumerated() {
                guard let d = x.double else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "entry \(j) is not a number") }
                guard d.isFinite else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "entry \(j) is \(d), not finite") }
                cost.append(d)
            }
        }
        guard columns > 0 else { throw LabelAssignError.invalidValue(field: "M", index: 0, reason: "rows must not be empty") }
        var problem = TransportProblem(method: method, rows: rowValues.count, columns: columns, cost: cost)
        problem.a = try masses(root, "a", count: problem.rows)
        problem.b = try masses(root, "b", count: columns)
        if let r = root["reg"] {
            guard let d = r.double, d.isFinite, d > 0 else { throw LabelAssignError.invalidValue(field: "reg", index: nil, reason: "must be a finite number > 0") }
            problem.reg = d
        }
        if let it = root["iters"] {
            guard let d = it.double, d.isFinite, d >= 0, d == d.rounded(), d <= Double(maxIterations) else {
                throw LabelAssignError.invalidValue(field: "iters", index: nil,
                                                    reason: "must be a whole number in [0, \(maxIterations)], got \(it.double.map { $0 == $0.rounded() && abs($0) < 9e18 ? String(Int64($0)) : "\($0)" } ?? "a non-number")")
            }
            problem.iterations = Int(d)
        }
        if let it = root["numItermax"] {
            guard let d = it.double, d.isFinite, d >= 0, d == d.rounded(), d <= 9_007_199_254_740_992 else {
                throw LabelAssignError.invalidValue(field: "numItermax", index: nil, reason: "must be an integer >= 0")
            }
            problem.numItermax = Int(d)
        }
        try parseSinkhornOptions(root, into: &problem)
        return problem
    }

    private static func parseSinkhornOptions(_ root: JSONValue, into problem: inout TransportProblem) throws {
        if let m = root["sinkhorn_method"] {
            guard let name = m.string, let method = Sinkhorn.Method(rawValue: name) else {
                throw LabelAssignError.invalidValue(field: "sinkhorn_method", index: nil, reason: """
                    unknown \(m.string.map { "'\($0)'" } ?? "non-string value"); known: \(Sinkhorn.Method.allCases.map(\.rawValue).joined(separator: ", "))
                    """)
            }
            problem.sinkhornMethod = method
        }
        if let t = root["stopThr"] {
            guard let d = t.double, d.isFinite, d >= 0 else { throw LabelAssignError.invalidValue(field: "stopThr", index: nil, reason: "must be a finite number >= 0") }
            problem.stopThr = d
        }
        if let t = root["tau"] {
            guard let d = t.double, d.isFinite, d > 0 else { throw LabelAssignError.invalidValue(field: "tau", index: nil, reason: "must be a finite number > 0") }
            problem.tau = d
        }
        problem.printPeriod = try wholeNumber(root, "print_period", atLeast: 1)
        problem.stallChecks = try wholeNumber(root, "stall_checks", atLeast: 0)
        if let w = root["warmstart"] {
            guard let pair = w.array, pair.count == 2 else {
                throw LabelAssignError.invalidValue(field: "warmstart", index: nil, reason: "must be [u, v], two arrays of numbers")
            }
            var halves: [[Double]] = []
            for (h, part) in pair.enumerated() {
                guard let items = part.array else { throw LabelAssignError.invalidValue(field: "warmstart", index: h, reason: "must be an array of numbers") }
                halves.append(try items.enumerated().map { k, x in
                    guard let d = x.double else { throw LabelAssignError.invalidValue(field: "warmstart[\(h)]", index: k, reason: "not a number") }
                    return d
                })
            }
            problem.warmstart = Sinkhorn.Warmstart(u: halves[0], v: halves[1])
        }
    }

    private static func wholeNumber(_ root: JSONValue, _ key: String, atLeast low: Int) throws -> Int? {
        guard let v = root[key] else { return nil }
        guard let d = v.double, d.isFinite, d >= Double(low), d == d.rounded(), d <= 1e15 else {
            throw LabelAssignError.invalidValue(field: key, index: nil, reason: "must be a whole number >= \(low)")
        }
        return Int(d)
    }

    private static func masses(_ root: JSONValue, _ key: String, count: Int) throws -> [Double]? {
        guard let v = root[key] else { return nil }
        guard let items = v.array else { throw LabelAssignError.invalidValue(field: key, index: nil, reason: "must be an array of numbers") }
        guard items.isEmpty || items.count == count else { throw LabelAssignError.shapeMismatch(field: key, expected: count, actual: items.count) }
        var out: [Double] = []
        out.reserveCapacity(count)
        for (i, x) in items.enumerated() {
            guard let d = x.double else { throw LabelAssignError.invalidValue(field: key, index: i, reason: "not a number") }
            guard d.isFinite, d >= 0 else { throw LabelAssignError.invalidValue(field: key, index: i, reason: "\(d) is not a finite non-negative mass") }
            out.append(d)
        }
        return out
    }

    /// `a` and `b`, or a missing-field error (`[]` is returned as it is).
    public func requireMarginals() throws -> (a: [Double], b: [Double]) {
        guard let a else { throw LabelAssignError.missingField("a") }
        guard let b else { throw LabelAssignError.missingField("b") }
        return (a, b)
    }

    /// `reg`, or a missing-field error.
    public func requireReg() throws -> Double {
        guard let reg else { throw LabelAssignError.missingField("reg") }
        return reg
    }

    /// `iters`, or a missing-field error.
    public func requireIterations() throws -> Int {
        guard let iterations else { throw LabelAssignError.missingField("iters") }
        return iterations
    }

    /// The `sinkhorn` configuration: POT's defaults where a key is absent.
    public func sinkhorn() throws -> Sinkhorn {
        var s = Sinkhorn(reg: try requireReg())
        if let sinkhornMethod { s.method = sinkhornMethod }
        if let numItermax { s.numItermax = numItermax }
        if let stopThr { s.stopThr = stopThr }
        if let tau { s.tau = tau }
        if let printPeriod { s.printPeriod = printPeriod }
        if let stallChecks { s.stallChecks = stallChecks }
        return s
    }

    /// Entropic OT by `Sinkhorn.solve`: POT's `ot.sinkhorn(a, b, M, reg, method=sinkhorn_method,
    /// numItermax, stopThr, warmstart, tau, print_period)` (`[]` marginals: uniform; balanced
    /// marginals required).
    public func solveSinkhorn() throws -> TransportPlan {
        let (a, b) = try requireMarginals()
        return try sinkhorn().solve(a: a, b: b, cost: cost, rows: rows, columns: columns, warmstart: warmstart)
    }

    /// Exact OT by `ExactTransport.solve` (POT `ot.emd`): `a`, `b` (`[]`: uniform), `M`, and
    /// `numItermax` when given.
    public func solveEMD() throws -> ExactTransportPlan {
        let (a, b) = try requireMarginals()
        return try ExactTransport(numItermax: numItermax ?? 100_000).solve(a: a, b: b, cost: cost, rows: rows, columns: columns)
    }

    /// OTA's fixed-iteration float32 Sinkhorn (`a` = μ, `b` = ν, `reg` = ε); the plan and Σ plan·M.
    public func solveSinkhornFixed() throws -> (plan: [Float], cost: Double) {
        let (a, b) = try requireMarginals()
        let eps = try requireReg(), iterations = try requireIterations()
        guard Float(eps) > 0 else { throw LabelAssignError.invalidValue(field: "reg", index: nil, reason: "\(eps) is zero in float32") }
        let c32 = cost.map(Float.init)
        if let k = c32.firstIndex(where: { !$0.isFinite }) {
            throw LabelAssignError.invalidValue(field: "M", index: k / columns, reason: "entry \(k % columns) overflows float32")
        }
        let plan = try Sinkhorn.fixedIterations(cost: c32, mu: a.map(Float.init), nu: b.map(Float.init),
                                                eps: Float(eps), iterations: iterations).plan
        var total = 0.0
        for k in 0..<plan.count { total += Double(plan[k]) * Double(c32[k]) }
        return (plan, total)
    }
}

extension LinearAssignment {
    /// The `lsa` method of a transport problem: `{"method": "lsa", "M": [[...], ...], "maximize": false}`
    /// (the `method` and `maximize` keys may be omitted) → `{"rows": [...], "cols": [...], "total": x}`:
    /// scipy's `linear_sum_assignment(M, maximize=maximize)`. `M` is a list of equally long rows of
    /// numbers; `[]` is the empty problem.
    public static func solveProblem(_ problem: JSONValue) throws -> JSONValue {
        guard problem.object != nil else { throw LabelAssignError.malformedJSON("a problem must be a JSON object") }
        if let m = problem["method"] {
            guard m.string == "lsa" else {
                throw LabelAssignError.invalidParameter(name: "method", reason: "expected \"lsa\", got \(m.string.map { "\"\($0)\"" } ?? "\(m)")")
            }
        }
        var maximize = false
        if let m = problem["maximize"] {
            guard case let .bool(b) = m else { throw LabelAssignError.invalidValue(field: "maximize", index: nil, reason: "must be true or false") }
            maximize = b
        }
        guard let mValue = problem["M"] else { throw LabelAssignError.missingField("M") }
        guard let rowValues = mValue.array else { throw LabelAssignError.invalidValue(field: "M", index: nil, reason: "must be a list of rows") }
        var cost: [Double] = []
        var width = -1
        for (i, r) in rowValues.enumerated() {
            guard let entries = r.array else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "row is not a list") }
            if width < 0 { width = entries.count }
            guard entries.count == width else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "row has \(entries.count) values, expected \(width)") }
            for (j, e) in entries.enumerated() {
                guard let v = e.double else { throw LabelAssignError.invalidValue(field: "M", index: i, reason: "entry \(j) is not a number") }
                cost.append(v)
            }
        }
        let n = rowValues.count, m = max(width, 0)
        let r: Result
        do {
            r = try solve(cost: cost, rows: n, cols: m, maximize: maximize)
        } catch let LabelAssignError.invalidValue(_, index?, reason) {
            throw LabelAssignError.invalidValue(field: "M", index: index / max(m, 1), reason: reason)
        } catch let LabelAssignError.invalidValue(_, nil, reason) {
            throw LabelAssignError.invalidValue(field: "M", index: nil, reason: reason)
        }
        return .object([
            "rows": .array(r.rows.map { .number(Double($0)) }),
            "cols": .array(r.cols.map { .number(Double($0)) }),
            "total": .number(r.total),
        ])
    }
}
