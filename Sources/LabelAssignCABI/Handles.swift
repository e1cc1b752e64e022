import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// la_version, la_assigner_names, la_free and the assigner handles (la_assigner_*).

private let versionString: StaticString = "0.2.0"

/// What an `la_assigner *` points to: a preset with its options applied, immutable.
final class AssignerHandle: Sendable {
    let preset: AssignerPreset
    let assigner: any Assigner
    /// The `la_assigner_describe` JSON.
    let description: String

    /// The preset `name` with the options of `optionsJSON` (nil, "" or "{}": none).
    init(name: String, optionsJSON: String?) throws {
        preset = try AssignerRegistry.preset(name)
        do {
            let text = optionsJSON ?? ""
            let trimmed = text.drop { $0.isWhitespace }
            let options = trimmed.isEmpty ? [] : try AssignerOptionsJSON.parse(text)
            assigner = try preset.make(options: options)
            description = PresetDescription.json(preset, configured: try preset.optionInfo(options: options),
                                                 outputs: assigner.outputs)
        } catch {
            throw Failure(error, options: true)
        }
    }

    /// The handle behind `pointer`; `LA_ERROR_ARGUMENT` for NULL.
    static func from(_ pointer: OpaquePointer?) throws -> AssignerHandle {
        guard let pointer else { throw Failure.argument("assigner is NULL") }
        return Unmanaged<AssignerHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

@_cdecl("la_version")
public func la_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(versionString.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("la_assigner_names")
public func la_assigner_names(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    let list = AssignerRegistry.names.joined(separator: ",")
    writeMessage(list, buffer, capacity)
    return Int64(list.utf8.count)
}

@_cdecl("la_free")
public func la_free(_ pointer: UnsafeMutablePointer<CChar>?) {
    free(pointer)
}

@_cdecl("la_assigner_create")
public func la_assigner_create(_ name: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?,
                               _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    out?.pointee = nil
    return call(errorBuffer, errorCapacity) {
        guard let name else { throw Failure.argument("name is NULL") }
        guard let out else { throw Failure.argument("out is NULL") }
        let handle = try AssignerHandle(name: String(cString: name), optionsJSON: optionsJSON.map { String(cString: $0) })
        out.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
        return Code.ok
    }
}

@_cdecl("la_assigner_free")
public func la_assigner_free(_ assigner: OpaquePointer?) {
    guard let assigner else { return }
    Unmanaged<AssignerHandle>.fromOpaque(UnsafeRawPointer(assigner)).release()
}

@_cdecl("la_assigner_describe")
public func la_assigner_describe(_ assigner: OpaquePointer?, _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ errorBuffer: UnsafeMutablePointer<CChar>?, _ errorCapacity: Int64) -> Int32 {
    json?.pointee = nil
    return call(errorBuffer, errorCapacity) {
        let handle = try AssignerHandle.from(assigner)
        guard let json else { throw Failure.argument("json is NULL") }
        json.pointee = try duplicate(handle.description, "la_assigner_describe result")
        return Code.ok
    }
}

@_cdecl("la_assigner_outputs")
public func la_assigner_outputs(_ assigner: OpaquePointer?) -> Int32 {
    guard let handle = try? AssignerHandle.from(assigner) else { return 0 }
    return handle.assigner.outputs.rawValue
}
