import LabelAssign

// la_emd, la_emd2: exact optimal transport (POT's ot.emd / ot.emd2).

/// Bytes per entry of an `la_emd` problem: the cost copy, the simplex's arc costs and flows,
/// the plan.
private let emdBytesPerEntry = 32

@_cdecl("la_emd")
public func la_emd(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                   _ rows: Int64, _ columns: Int64, _ numItermax: Int64,
                   _ planOut: UnsafeMutablePointer<Double>?, _ costOut: UnsafeMutablePointer<Double>?,
                   _ uOut: UnsafeMutablePointer<Double>?, _ vOut: UnsafeMutablePointer<Double>?,
                   _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    emd(a, b, m, rows, columns, numItermax, EMDOutputs(plan: planOut, cost: costOut, u: uOut, v: vOut),
        planRequired: true, errorBuffer, errorCapacity)
}

@_cdecl("la_emd2")
public func la_emd2(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                    _ rows: Int64, _ columns: Int64, _ numItermax: Int64, _ costOut: UnsafeMutablePointer<Double>?,
                    _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    emd(a, b, m, rows, columns, numItermax, EMDOutputs(plan: nil, cost: costOut, u: nil, v: nil),
        planRequired: false, errorBuffer, errorCapacity)
}

/// Where `la_emd` / `la_emd2` write: the plan, the cost and the duals, each or NULL.
private struct EMDOutputs {
    var plan, cost, u, v: UnsafeMutablePointer<Double>?
}

/// `ExactTransport` behind `la_emd` and `la_emd2`: checks the counts and pointers, then solves
/// and writes the plan, the cost and the duals (also when `numItermax` stopped the search:
/// code 5); on any other error after the counts were checked, zeros.
private func emd(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                 _ rows: Int64, _ columns: Int64, _ numItermax: Int64,
                 _ out: EMDOutputs, planRequired: Bool, _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    call(errorBuffer, errorCapacity) {
        if planRequired, out.plan == nil { throw Failure.argument("plan_out is NULL") }
        if !planRequired, out.cost == nil { throw Failure.argument("cost_out is NULL") }
        guard numItermax >= 0 else { throw Failure.argument("num_itermax is negative (\(numItermax))") }
        let count = try matrixEntries(rows, columns, bytesPerEntry: emdBytesPerEntry, "la_emd")
        do {
            guard let m else { throw Failure.argument("M is NULL") }
            let av = try a.map { try copy($0, Int(rows), "a") } ?? []
            let bv = try b.map { try copy($0, Int(columns), "b") } ?? []
            let plan = try ExactTransport(numItermax: Int(numItermax))
                .solve(a: av, b: bv, cost: Array(UnsafeBufferPointer(start: m, count: count)), rows: Int(rows), columns: Int(columns))
            write(plan.plan, to: out.plan)
            write(plan.u, to: out.u)
            write(plan.v, to: out.v)
            out.cost?.pointee = plan.cost
            guard plan.status == .optimal else { throw Failure(code: Code.maxIterReached, message: plan.warning ?? "numItermax reached") }
            return Code.ok
        } catch let f as Failure where f.code == Code.maxIterReached {
            throw f
        } catch {
            fill(out.plan, count, 0)
            fill(out.u, Int(rows), 0)
            fill(out.v, Int(columns), 0)
            out.cost?.pointee = 0
            throw error
        }
    }
}
