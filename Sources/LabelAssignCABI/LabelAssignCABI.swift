import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C ABI declared in include/labelassign.h.

private let versionString: StaticString = "0.1.0"

private func writeError(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) {
    guard let buffer, capacity > 0 else { return }
    let bytes = Array(message.utf8.prefix(Int(capacity) - 1))
    for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
    buffer[bytes.count] = 0
}

private func code(for error: Error) -> Int32 {
    switch error as? LabelAssignError {
    case .unknownAssigner?: return 2
    case .resourceExhausted?: return 4
    default: return 1
    }
}

/// An argument error (`LA_ERROR_ARGUMENT`): the message, and 3.
private func argumentError(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int32 {
    writeError(message, buffer, capacity)
    return 3
}

/// `count · width` elements as an `Int`, or the message of a count that is negative or whose
/// array size (`count · width · bytes`) does not fit the address space.
private func elements(_ count: Int64, _ width: Int64, _ name: String, bytes: Int64 = 4) -> Result<Int, CountError> {
    guard count >= 0 else { return .failure(CountError(message: "\(name) is negative (\(count))")) }
    let (n, o1) = count.multipliedReportingOverflow(by: width)
    let (b, o2) = n.multipliedReportingOverflow(by: bytes)
    guard !o1, !o2, b <= Int64(Int.max) else {
        return .failure(CountError(message: "\(name) = \(count): its array of \(count) × \(width) values overflows"))
    }
    return .success(Int(n))
}

private struct CountError: Error { var message: String }

private func array<T>(_ pointer: UnsafePointer<T>?, _ count: Int) -> [T]? {
    if count == 0 { return [] }
    guard let pointer else { return nil }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

@_cdecl("la_version")
public func la_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("la_assigner_names")
public func la_assigner_names(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    let list = AssignerRegistry.names.joined(separator: ",")
    writeError(list, buffer, capacity)
    return Int64(list.utf8.count)
}

@_cdecl("la_assign")
public func la_assign(_ assigner: UnsafePointer<CChar>?,
                      _ imageWidth: Int32, _ imageHeight: Int32,
                      _ strides: UnsafePointer<Int32>?, _ numStrides: Int32, _ numClasses: Int32,
                      _ priors: UnsafePointer<Float>?, _ numPriors: Int64,
                      _ gtBoxes: UnsafePointer<Float>?, _ gtLabels: UnsafePointer<Int32>?, _ numGT: Int64,
                      _ predBoxes: UnsafePointer<Float>?, _ clsLogits: UnsafePointer<Float>?,
                      _ objLogits: UnsafePointer<Float>?,
                      _ gtIgnore: UnsafePointer<Float>?, _ numIgnore: Int64,
                      _ assignedGT: UnsafeMutablePointer<Int32>?, _ quality: UnsafeMutablePointer<Float>?,
                      _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    la_assign_anchors(assigner, imageWidth, imageHeight, strides, numStrides, numClasses, priors, numPriors, nil,
                      gtBoxes, gtLabels, numGT, predBoxes, clsLogits, objLogits, gtIgnore, numIgnore,
                      assignedGT, quality, errorBuffer, errorCapacity)
}

@_cdecl("la_assign_anchors")
public func la_assign_anchors(_ assigner: UnsafePointer<CChar>?,
                              _ imageWidth: Int32, _ imageHeight: Int32,
                              _ strides: UnsafePointer<Int32>?, _ numStrides: Int32, _ numClasses: Int32,
                              _ priors: UnsafePointer<Float>?, _ numPriors: Int64, _ anchors: UnsafePointer<Float>?,
                              _ gtBoxes: UnsafePointer<Float>?, _ gtLabels: UnsafePointer<Int32>?, _ numGT: Int64,
                              _ predBoxes: UnsafePointer<Float>?, _ clsLogits: UnsafePointer<Float>?,
                              _ objLogits: UnsafePointer<Float>?,
                              _ gtIgnore: UnsafePointer<Float>?, _ numIgnore: Int64,
                              _ assignedGT: UnsafeMutablePointer<Int32>?, _ quality: UnsafeMutablePointer<Float>?,
                              _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    guard let assigner else { return argumentError("assigner is NULL", errorBuffer, errorCapacity) }
    guard assignedGT != nil || numPriors == 0 else { return argumentError("assigned_gt is NULL", errorBuffer, errorCapacity) }
    guard numStrides >= 0 else { return argumentError("num_strides is negative (\(numStrides))", errorBuffer, errorCapacity) }
    guard numClasses >= 0 else { return argumentError("num_classes is negative (\(numClasses))", errorBuffer, errorCapacity) }
    let sizes: (priors: Int, gt: Int, labels: Int, cls: Int, ignore: Int)
    switch (elements(numPriors, 4, "num_priors"), elements(numGT, 4, "num_gt"), elements(numIgnore, 4, "num_ignore"),
            elements(numPriors, Int64(numClasses), "num_priors × num_classes")) {
    case let (.success(p), .success(g), .success(k), .success(c)):
        sizes = (p, g, Int(numGT), c, k)
    case let (.failure(e), _, _, _), let (_, .failure(e), _, _), let (_, _, .failure(e), _), let (_, _, _, .failure(e)):
        return argumentError(e.message, errorBuffer, errorCapacity)
    }
    let n = Int(numPriors), c = Int(numClasses)
    do {
        // The inputs are copied once; each copy is a buffer the caller's counts decide.
        try ResourceLimits.checkBuffer("la_assign cls_logits (num_priors × num_classes)", count: sizes.cls, of: Float.self)
        try ResourceLimits.checkBuffer("la_assign priors (num_priors × 4)", count: sizes.priors, of: Float.self)
        if anchors != nil { try ResourceLimits.checkBuffer("la_assign anchors (num_priors × 4)", count: sizes.priors, of: Float.self) }
        try ResourceLimits.checkBuffer("la_assign gt_bboxes (num_gt × 4)", count: sizes.gt, of: Float.self)
        try ResourceLimits.checkBuffer("la_assign gt_ignore (num_ignore × 4)", count: sizes.ignore, of: Float.self)
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
    guard let strideValues = array(strides, Int(numStrides)),
          let priorValues = array(priors, sizes.priors),
          let gtValues = array(gtBoxes, sizes.gt),
          let labelValues = array(gtLabels, sizes.labels),
          let predValues = array(predBoxes, sizes.priors),
          let clsValues = array(clsLogits, sizes.cls),
          let ignoreValues = array(gtIgnore, sizes.ignore)
    else {
        return argumentError("a required input pointer is NULL", errorBuffer, errorCapacity)
    }
    let scene = Scene(name: "c", imageWidth: Int(imageWidth), imageHeight: Int(imageHeight),
                      strides: strideValues.map(Int.init), numClasses: c, priors: priorValues,
                      gtBoxes: gtValues, gtLabels: labelValues, predBoxes: predValues, clsLogits: clsValues,
                      objLogits: objLogits.map { Array(UnsafeBufferPointer(start: $0, count: n)) },
                      gtIgnore: ignoreValues, anchors: anchors.map { Array(UnsafeBufferPointer(start: $0, count: sizes.priors)) })
    do {
        let result = try AssignerRegistry.make(String(cString: assigner)).assign(PreparedScene(scene))
        if let assignedGT { for i in 0..<n { assignedGT[i] = result.assignedGT[i] } }
        if let quality {
            let soft = result.quality?.values ?? result.matchedIoU
            for i in 0..<n { quality[i] = soft?[i] ?? 0 }
        }
        return 0
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
}

@_cdecl("la_assign_json")
public func la_assign_json(_ assigner: UnsafePointer<CChar>?, _ sceneJSON: UnsafePointer<CChar>?,
                           _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    result?.pointee = nil
    guard let assigner else { return argumentError("assigner is NULL", errorBuffer, errorCapacity) }
    guard let sceneJSON else { return argumentError("scene_json is NULL", errorBuffer, errorCapacity) }
    guard let result else { return argumentError("result is NULL", errorBuffer, errorCapacity) }
    do {
        let name = String(cString: assigner)
        let made = try AssignerRegistry.make(name)
        let length = strlen(sceneJSON)
        try ResourceLimits.checkInput("la_assign_json scene_json", bytes: length)
        // Parsed in place: the document is not copied.
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(sceneJSON).assumingMemoryBound(to: UInt8.self), count: length)
        let entries = try SceneFile.parse(bytes, name: "scene", keepExtras: false)
        var text = ""
        for e in entries { text += try made.assign(e.scene).json(assigner: name, scene: entries.count > 1 ? e.scene.name : nil) + "\n" }
        guard let copy = strdup(text) else {
            throw LabelAssignError.resourceExhausted(resource: "la_assign_json result", requested: "\(text.utf8.count + 1) bytes",
                                                     limit: "the memory available", setting: ResourceLimits.bufferVariable)
        }
        result.pointee = copy
        return 0
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
}

@_cdecl("la_overlap_matrix")
public func la_overlap_matrix(_ boxes1: UnsafePointer<Float>?, _ n1: Int64, _ boxes2: UnsafePointer<Float>?, _ n2: Int64,
                              _ kind: UnsafePointer<CChar>?, _ convention: UnsafePointer<CChar>?,
                              _ out: UnsafeMutablePointer<Float>?,
                              _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    let counts: (a: Int, b: Int, out: Int)
    switch (elements(n1, 4, "n1"), elements(n2, 4, "n2"), elements(n1, max(n2, 0), "n1 × n2")) {
    case let (.success(a), .success(b), .success(o)): counts = (a, b, o)
    case let (.failure(e), _, _), let (_, .failure(e), _), let (_, _, .failure(e)):
        return argumentError(e.message, errorBuffer, errorCapacity)
    }
    do {
        try ResourceLimits.checkBuffer("la_overlap_matrix matrix (n1 × n2)", count: counts.out, of: Float.self)
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
    guard let a = array(boxes1, counts.a), let b = array(boxes2, counts.b) else {
        return argumentError("a box pointer is NULL", errorBuffer, errorCapacity)
    }
    // Every box checked as the iou command checks its files: finite, within ±2^24, x1 <= x2, y1 <= y2.
    do {
        try Scene.validateBoxes(a, field: "boxes1")
        try Scene.validateBoxes(b, field: "boxes2")
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
    guard let out else { writeError("out is NULL", errorBuffer, errorCapacity); return 3 }
    guard let k = OverlapKind(name: kind.map { String(cString: $0) } ?? "iou") else {
        writeError("unknown kind", errorBuffer, errorCapacity); return 3
    }
    guard let c = OverlapConvention(name: convention.map { String(cString: $0) } ?? "torchvision") else {
        writeError("unknown convention", errorBuffer, errorCapacity); return 3
    }
    do {
        let m = try pairwiseOverlap(a, b, kind: k, convention: c)
        for i in 0..<m.count { out[i] = m[i] }
        return 0
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
}

@_cdecl("la_free")
public func la_free(_ pointer: UnsafeMutablePointer<CChar>?) {
    free(pointer)
}

// MARK: exact optimal transport

/// Bytes per entry of an `la_emd` problem: the cost copy, the simplex's arc costs and flows,
/// the plan.
private let emdBytesPerEntry = 32

@_cdecl("la_emd")
public func la_emd(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                   _ rows: Int64, _ columns: Int64, _ numItermax: Int64,
                   _ planOut: UnsafeMutablePointer<Double>?, _ costOut: UnsafeMutablePointer<Double>?,
                   _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    guard planOut != nil else { return argumentError("plan_out is NULL", errorBuffer, errorCapacity) }
    return emd(a, b, m, rows, columns, numItermax, planOut, costOut, errorBuffer, errorCapacity)
}

@_cdecl("la_emd2")
public func la_emd2(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                    _ rows: Int64, _ columns: Int64, _ numItermax: Int64, _ costOut: UnsafeMutablePointer<Double>?,
                    _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    guard costOut != nil else { return argumentError("cost_out is NULL", errorBuffer, errorCapacity) }
    return emd(a, b, m, rows, columns, numItermax, nil, costOut, errorBuffer, errorCapacity)
}

/// `ExactTransport` behind `la_emd` and `la_emd2`: checks the counts and pointers, then solves
/// and writes the plan and the cost (also when `numItermax` stopped the search: code 5).
private func emd(_ a: UnsafePointer<Double>?, _ b: UnsafePointer<Double>?, _ m: UnsafePointer<Double>?,
                 _ rows: Int64, _ columns: Int64, _ numItermax: Int64,
                 _ planOut: UnsafeMutablePointer<Double>?, _ costOut: UnsafeMutablePointer<Double>?,
                 _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    guard rows >= 1, columns >= 1 else {
        return argumentError("n_rows and n_cols must be at least 1, got \(rows) × \(columns)", errorBuffer, errorCapacity)
    }
    guard numItermax >= 0 else { return argumentError("num_itermax is negative (\(numItermax))", errorBuffer, errorCapacity) }
    let count: Int
    switch elements(rows, columns, "n_rows × n_cols", bytes: Int64(emdBytesPerEntry)) {
    case let .success(n): count = n
    case let .failure(e): return argumentError(e.message, errorBuffer, errorCapacity)
    }
    guard let m else { return argumentError("M is NULL", errorBuffer, errorCapacity) }
    do {
        try ResourceLimits.checkBuffer("la_emd problem (n_rows × n_cols)", counts: [count], bytesPerElement: emdBytesPerEntry)
        let av = a.map { Array(UnsafeBufferPointer(start: $0, count: Int(rows))) } ?? []
        let bv = b.map { Array(UnsafeBufferPointer(start: $0, count: Int(columns))) } ?? []
        let cost = Array(UnsafeBufferPointer(start: m, count: count))
        let plan = try ExactTransport(numItermax: Int(numItermax)).solve(a: av, b: bv, cost: cost, rows: Int(rows), columns: Int(columns))
        if let planOut { for k in 0..<count { planOut[k] = plan.plan[k] } }
        costOut?.pointee = plan.cost
        guard plan.status == .optimal else {
            writeError(plan.warning ?? "numItermax reached", errorBuffer, errorCapacity)
            return 5
        }
        return 0
    } catch {
        writeError(String(describing: error), errorBuffer, errorCapacity)
        return code(for: error)
    }
}
