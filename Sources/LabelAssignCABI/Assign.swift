import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// la_assign (one image) and la_assign_json (scene documents).

@_cdecl("la_assign")
public func la_assign(_ assigner: OpaquePointer?, _ layout: UnsafeRawPointer?, _ image: UnsafeRawPointer?,
                      _ outputs: UnsafeRawPointer?,
                      _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    call(errorBuffer, errorCapacity) {
        let handle = try AssignerHandle.from(assigner)
        let counts = try LayoutCounts(load(layout, as: LALayout.self, "layout"))
        let image = try load(image, as: LAImage.self, "image")
        let buffers = OutputBuffers(outputs: try load(outputs, as: LAOutputs.self, "outputs"))
        let gtValues = try elements(image.numGT, 4, "num_gt")
        _ = try elements(image.numIgnore, 4, "num_ignore")
        guard buffers.outputs.assignedGT != nil || counts.priors == 0 else { throw Failure.argument("outputs->assigned_gt is NULL") }
        let n = counts.priors, g = gtValues / 4
        do {
            let layout = try counts.read("la_assign")
            let objects = try counts.image(gtBoxes: image.gtBoxes, gtLabels: image.gtLabels, gt: g,
                                           predBoxes: image.predBoxes, clsLogits: image.clsLogits, objLogits: image.objLogits,
                                           gtIgnore: image.gtIgnore, ignore: Int(image.numIgnore), "la_assign")
            let result = try handle.assigner.assign(PreparedScene(objects.scene(on: layout, index: 0)))
            buffers.write(result, prior: 0, n: n, object: 0, g: g)
            return Code.ok
        } catch {
            buffers.clear(priors: n, objects: g)
            throw error
        }
    }
}

@_cdecl("la_assign_json")
public func la_assign_json(_ assigner: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                           _ sceneJSON: UnsafePointer<CChar>?,
                           _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    result?.pointee = nil
    return call(errorBuffer, errorCapacity) {
        guard let assigner else { throw Failure.argument("assigner is NULL") }
        guard let sceneJSON else { throw Failure.argument("scene_json is NULL") }
        guard let result else { throw Failure.argument("result is NULL") }
        let name = String(cString: assigner)
        let handle = try AssignerHandle(name: name, optionsJSON: optionsJSON.map { String(cString: $0) })
        let length = strlen(sceneJSON)
        try ResourceLimits.checkInput("la_assign_json scene_json", bytes: length)
        // Parsed in place: the document is not copied.
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(sceneJSON).assumingMemoryBound(to: UInt8.self), count: length)
        let entries = try SceneFile.parse(bytes, name: "scene", keepExtras: false)
        var text = ""
        for e in entries {
            text += try handle.assigner.assign(e.scene).json(assigner: name, scene: entries.count > 1 ? e.scene.name : nil) + "\n"
        }
        result.pointee = try duplicate(text, "la_assign_json result")
        return Code.ok
    }
}
