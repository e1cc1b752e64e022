import LabelAssign

// la_sinkhorn, la_sinkhorn_fixed, la_linear_sum_assignment (la_emd / la_emd2: EMD.swift).

/// The element count of an `n_rows × n_cols` matrix with at least one row and column, checked
/// against the buffer limit at `bytesPerEntry` bytes per entry (the copies a solve makes).
func matrixEntries(_ rows: Int64, _ columns: Int64, bytesPerEntry: Int, _ what: String) throws -> Int {
    guard rows >= 1, columns >= 1 else {
        throw Failure.argument("n_rows and n_cols must be at least 1, got \(rows) × \(columns)")
    }
    let count = try elements(rows, columns, "n_rows × n_cols", bytes: Int64(bytesPerEntry))
    try ResourceLimits.checkBuffer("\(what) problem (n_rows × n_cols)", counts: [count], bytesPerElement: bytesPerEntry)
    return count
}

/// `Sinkhorn.Status` as `la_sinkhorn`'s `status_out`: its index (converged 0 ... numerical_error 3).
func statusCode(_ s: Sinkhorn.Status) -> Int32 {
    Int32(Sinkhorn.Status.allCases.firstIndex(of: s) ?? 3)
}

/// Where `la_sinkhorn` writes: the plan, the duals, POT's log entries and the status, each
/// optional but the plan.
private struct SinkhornOutputs {
    var plan, u, v, err, errors: UnsafeMutablePointer<Double>?
    var errorsCapacity: Int64
    var niter, numErrors: UnsafeMutablePointer<Int64>?
    var status: UnsafeMutablePointer<Int32>?

    /// The out-values of a failed call: niter 0, err NaN, no errors, status -1.
    func reset() {
        niter?.pointee = 0
        err?.pointee = .nan
        numErrors?.pointee = 0
        status?.pointee = -1
    }

    /// Writes `solved`: every value, the first `errorsCapacity` checked errors.
    func write(_ solved: TransportPlan) {
        LabelAssignCABI.write(solved.plan, to: plan)
        LabelAssignCABI.write(solved.u, to: u)
        LabelAssignCABI.write(solved.v, to: v)
        LabelAssignCABI.write(Array(solved.errors.prefix(Int(errorsCapacity))), to: errors)
        niter?.pointee = Int64(solved.niter)
        err?.pointee = solved.marginalError
        numErrors?.pointee = Int64(solved.errors.count)
        status?.pointee = statusCode(solved.status)
    }
}

@_cdecl("la_sinkhorn")
public func la_sinkhorn(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                        _ rows: Int64, _ columns: Int64, _ reg: Double, _ method: UnsafePointer<CChar>?,
                        _ numItermax: Int64, _ stopThr: Double, _ tau: Double, _ printPeriod: Int64,
                        _ warmstartU: UnsafePointer<Double>?, _ warmstartV: UnsafePointer<Double>?,
                        _ planOut: UnsafeMutablePointer<Double>?, _ uOut: UnsafeMutablePointer<Double>?,
                        _ vOut: UnsafeMutablePointer<Double>?, _ niterOut: UnsafeMutablePointer<Int64>?,
                        _ errOut: UnsafeMutablePointer<Double>?, _ errorsOut: UnsafeMutablePointer<Double>?,
                        _ errorsCapacity: Int64, _ numErrorsOut: UnsafeMutablePointer<Int64>?,
                        _ statusOut: UnsafeMutablePointer<Int32>?,
                        _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    let out = SinkhornOutputs(plan: planOut, u: uOut, v: vOut, err: errOut, errors: errorsOut, errorsCapacity: errorsCapacity,
                              niter: niterOut, numErrors: numErrorsOut, status: statusOut)
    out.reset()
    return call(errorBuffer, errorCapacity) {
        // The cost copy, the kernel, the plan and the products of a solve.
        let count = try matrixEntries(rows, columns, bytesPerEntry: 32, "la_sinkhorn")
        let r = Int(rows), c = Int(columns)
        do {
            guard let m else { throw Failure.argument("M is NULL") }
            guard planOut != nil else { throw Failure.argument("plan_out is NULL") }
            guard errorsCapacity >= 0 else { throw Failure.argument("errors_capacity is negative (\(errorsCapacity))") }
            guard errorsOut != nil || errorsCapacity == 0 else { throw Failure.argument("errors_out is NULL with errors_capacity \(errorsCapacity)") }
            guard (warmstartU == nil) == (warmstartV == nil) else { throw Failure.argument("give both warmstart_u and warmstart_v, or neither") }
            let name = method.map { String(cString: $0) } ?? "sinkhorn"
            guard let solver = Sinkhorn.Method(rawValue: name) else {
                throw Failure.argument("unknown method '\(name)'; known: sinkhorn, sinkhorn_log, sinkhorn_stabilized")
            }
            let period = Int(clamping: printPeriod)
            let warmstart = try warmstartU.map { Sinkhorn.Warmstart(u: try copy($0, r, "warmstart_u"), v: try copy(warmstartV, c, "warmstart_v")) }
            let plan = try Sinkhorn(reg: reg, method: solver, numItermax: Int(numItermax), stopThr: stopThr, tau: tau, printPeriod: period)
                .solve(a: try a.map { try copy($0, r, "a") } ?? [], b: try b.map { try copy($0, c, "b") } ?? [],
                       cost: Array(UnsafeBufferPointer(start: m, count: count)), rows: r, columns: c, warmstart: warmstart)
            out.write(plan)
            return Code.ok
        } catch {
            clearPlan(planOut, count, u: uOut, r, v: vOut, c)
            throw error
        }
    }
}

@_cdecl("la_sinkhorn_fixed")
public func la_sinkhorn_fixed(_ cost: UnsafePointer<Float>?, _ mu: UnsafePointer<Float>?, _ nu: UnsafePointer<Float>?,
                              _ rows: Int64, _ columns: Int64, _ eps: Float, _ iterations: Int32,
                              _ planOut: UnsafeMutablePointer<Float>?, _ uOut: UnsafeMutablePointer<Float>?,
                              _ vOut: UnsafeMutablePointer<Float>?,
                              _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    call(errorBuffer, errorCapacity) {
        // The cost copy, the plan and the kernel's working matrix.
        let count = try matrixEntries(rows, columns, bytesPerEntry: 12, "la_sinkhorn_fixed")
        let r = Int(rows), c = Int(columns)
        do {
            guard let cost, let mu, let nu else { throw Failure.argument("\(cost == nil ? "cost" : mu == nil ? "mu" : "nu") is NULL") }
            guard let planOut else { throw Failure.argument("plan_out is NULL") }
            let plan = try Sinkhorn.fixedIterations(cost: try copy(cost, count, "cost"), mu: try copy(mu, r, "mu"),
                                                    nu: try copy(nu, c, "nu"), eps: eps, iterations: Int(iterations))
            write(plan.plan, to: planOut)
            write(plan.u, to: uOut)
            write(plan.v, to: vOut)
            return Code.ok
        } catch {
            clearPlan(planOut, count, u: uOut, r, v: vOut, c)
            throw error
        }
    }
}

@_cdecl("la_linear_sum_assignment")
public func la_linear_sum_assignment(_ cost: UnsafePointer<Double>?, _ rows: Int64, _ columns: Int64, _ maximize: Int32,
                                     _ rowInd: UnsafeMutablePointer<Int64>?, _ colInd: UnsafeMutablePointer<Int64>?,
                                     _ countOut: UnsafeMutablePointer<Int64>?, _ totalOut: UnsafeMutablePointer<Double>?,
                                     _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    countOut?.pointee = 0
    totalOut?.pointee = .nan
    return call(errorBuffer, errorCapacity) {
        guard rows >= 0, columns >= 0 else { throw Failure.argument("n_rows and n_cols must be >= 0, got \(rows) × \(columns)") }
        let entries = try elements(rows, columns, "n_rows × n_cols", bytes: 8)
        let pairs = Int(min(rows, columns))
        do {
            // The cost copy and the solver's float64 working copy.
            try ResourceLimits.checkBuffer("la_linear_sum_assignment cost (n_rows × n_cols)", counts: [entries], bytesPerElement: 16)
            guard (rowInd != nil && colInd != nil) || pairs == 0 else { throw Failure.argument("\(rowInd == nil ? "row_ind" : "col_ind") is NULL") }
            let matching = try LinearAssignment.solve(cost: try copy(cost, entries, "cost"), rows: Int(rows), cols: Int(columns),
                                                      maximize: maximize != 0)
            write(matching.rows.map(Int64.init), to: rowInd)
            write(matching.cols.map(Int64.init), to: colInd)
            countOut?.pointee = Int64(matching.rows.count)
            totalOut?.pointee = matching.total
            return Code.ok
        } catch {
            fill(rowInd, pairs, -1)
            fill(colInd, pairs, -1)
            throw error
        }
    }
}
