import LabelAssign
import LabelAssignIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What every function of labelassign.h shares: the codes, the message, the count checks.

/// The return codes of labelassign.h.
enum Code {
    static let ok: Int32 = 0
    static let invalidInput: Int32 = 1
    static let unknownAssigner: Int32 = 2
    static let argument: Int32 = 3
    static let limit: Int32 = 4
    static let maxIterReached: Int32 = 5
    static let invalidOption: Int32 = 6
}

/// A failure with its code and its one-line message.
struct Failure: Error {
    var code: Int32
    var message: String

    /// `LA_ERROR_ARGUMENT` with `message`.
    static func argument(_ message: String) -> Failure { Failure(code: Code.argument, message: message) }

    /// The code and message of any error; `options` maps the errors of reading options to
    /// `LA_ERROR_INVALID_OPTION`.
    init(_ error: any Error, options: Bool = false) {
        switch error {
        case let f as Failure: self = f
        case let b as BatchError: self = Failure(code: Failure(b.error, options: options).code, message: b.description)
        case let e as LabelAssignError: self = Failure(code: Failure.code(e, options: options), message: e.description)
        default: self = Failure(code: Code.invalidInput, message: "\(error)")
        }
    }

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    static func code(_ e: LabelAssignError, options: Bool) -> Int32 {
        switch e {
        case .unknownAssigner: return Code.unknownAssigner
        case .resourceExhausted: return Code.limit
        case .invalidParameter, .malformedJSON: return options ? Code.invalidOption : Code.invalidInput
        default: return Code.invalidInput
        }
    }
}

/// Writes `message` as one NUL-terminated line, truncated to `capacity` bytes (nothing for a
/// NULL buffer or a capacity <= 0).
func writeMessage(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) {
    guard let buffer, capacity > 0 else { return }
    var count = 0
    let limit = Int(min(capacity - 1, Int64(Int.max)))
    for b in message.utf8 {
        if count >= limit { break }
        buffer[count] = CChar(bitPattern: b == 0x0A || b == 0x0D ? 0x20 : b)
        count += 1
    }
    buffer[count] = 0
}

/// Runs `body`; a thrown error becomes its code with the message written. `options`: see `Failure`.
func call(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64, options: Bool = false, _ body: () throws -> Int32) -> Int32 {
    do {
        return try body()
    } catch {
        let f = Failure(error, options: options)
        writeMessage(f.message, buffer, capacity)
        return f.code
    }
}

/// `count · width` elements as an `Int`; `LA_ERROR_ARGUMENT` for a negative count or one whose
/// array of `count · width · bytes` bytes overflows.
func elements(_ count: Int64, _ width: Int64, _ name: String, bytes: Int64 = 4) throws -> Int {
    guard count >= 0 else { throw Failure.argument("\(name) is negative (\(count))") }
    let (n, o1) = count.multipliedReportingOverflow(by: max(width, 0))
    let (b, o2) = n.multipliedReportingOverflow(by: bytes)
    guard !o1, !o2, b <= Int64(Int.max) else {
        throw Failure.argument("\(name) = \(count): its array of \(count) × \(width) values overflows")
    }
    return Int(n)
}

/// `count` values at `pointer` (`[]` for 0); `LA_ERROR_ARGUMENT` naming `name` when it is NULL
/// with a non-zero count.
func copy<T>(_ pointer: UnsafePointer<T>?, _ count: Int, _ name: String) throws -> [T] {
    if count == 0 { return [] }
    guard let pointer else { throw Failure.argument("\(name) is NULL") }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// Fills `count` values at `pointer` (if not NULL) with `value`.
func fill<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int, _ value: T) {
    guard let pointer, count > 0 else { return }
    pointer.update(repeating: value, count: count)
}

/// Zeroes a plan of `count` entries and its potentials `u` (`rows`) and `v` (`columns`), each if
/// not NULL: the outputs of a transport call that failed after its counts were checked.
func clearPlan<T: Numeric>(_ plan: UnsafeMutablePointer<T>?, _ count: Int, u: UnsafeMutablePointer<T>?, _ rows: Int,
                           v: UnsafeMutablePointer<T>?, _ columns: Int) {
    fill(plan, count, 0)
    fill(u, rows, 0)
    fill(v, columns, 0)
}

/// Copies `values` to `pointer` (if not NULL).
func write<T>(_ values: [T], to pointer: UnsafeMutablePointer<T>?) {
    guard let pointer, !values.isEmpty else { return }
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: $0.count) }
}

/// A copy of `text` for the caller to free with `la_free`.
func duplicate(_ text: String, _ what: String) throws -> UnsafeMutablePointer<CChar> {
    guard let copy = strdup(text) else {
        throw LabelAssignError.resourceExhausted(resource: what, requested: "\(text.utf8.count + 1) bytes",
                                                 limit: "the memory available", setting: ResourceLimits.bufferVariable)
    }
    return copy
}

/// Pointers handed to the workers of a batch (the caller keeps them valid for the call).
struct Shared<T>: @unchecked Sendable {
    let pointer: T
}
