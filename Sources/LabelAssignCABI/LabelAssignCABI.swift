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
    if case .unknownAssigner? = error as? LabelAssignError { return 2 }
    return 1
}

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
    guard let assigner else { writeError("assigner is NULL", errorBuffer, errorCapacity); return 3 }
    guard numStrides >= 0, numPriors >= 0, numGT >= 0, numIgnore >= 0, numClasses >= 0 else {
        writeError("negative count", errorBuffer, errorCapacity); return 3
    }
    let n = Int(numPriors), g = Int(numGT), c = Int(numClasses)
    guard let assignedGT else { writeError("assigned_gt is NULL", errorBuffer, errorCapacity); return 3 }
    guard let strideValues = array(strides, Int(numStrides)),
          let priorValues = array(priors, n * 4),
          let gtValues = array(gtBoxes, g * 4),
          let labelValues = array(gtLabels, g),
          let predValues = array(predBoxes, n * 4),
          let clsValues = array(clsLogits, n * c),
          let ignoreValues = array(gtIgnore, Int(numIgnore) * 4)
    else {
        writeError("a required input pointer is NULL", errorBuffer, errorCapacity); return 3
    }
    let scene = Scene(name: "c", imageWidth: Int(imageWidth), imageHeight: Int(imageHeight),
                      strides: strideValues.map(Int.init), numClasses: c, priors: priorValues,
                      gtBoxes: gtValues, gtLabels: labelValues, predBoxes: predValues, clsLogits: clsValues,
                      objLogits: objLogits.map { Array(UnsafeBufferPointer(start: $0, count: n)) },
                      gtIgnore: ignoreValues)
    do {
        let result = try AssignerRegistry.make(String(cString: assigner)).assign(PreparedScene(scene))
        for i in 0..<n { assignedGT[i] = result.assignedGT[i] }
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
    guard let assigner, let sceneJSON, let result else { writeError("a required pointer is NULL", errorBuffer, errorCapacity); return 3 }
    result.pointee = nil
    do {
        let name = String(cString: assigner)
        let made = try AssignerRegistry.make(name)
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(sceneJSON).assumingMemoryBound(to: UInt8.self),
                                              count: strlen(sceneJSON)))
        let entries = try SceneFile.parse(bytes, name: "scene", keepExtras: false)
        var text = ""
        for e in entries { text += try made.assign(e.scene).json(assigner: name, scene: entries.count > 1 ? e.scene.name : nil) + "\n" }
        result.pointee = strdup(text)
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
    guard n1 >= 0, n2 >= 0 else { writeError("negative count", errorBuffer, errorCapacity); return 3 }
    guard let a = array(boxes1, Int(n1) * 4), let b = array(boxes2, Int(n2) * 4) else {
        writeError("a box pointer is NULL", errorBuffer, errorCapacity); return 3
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
