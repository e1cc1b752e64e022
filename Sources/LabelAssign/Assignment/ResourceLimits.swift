#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bounds on what an input may make the library allocate or process. Every allocation whose
/// size an input decides (an assigner's object × candidate matrices, an overlap matrix, the priors
/// of an image size, the bytes of a file, the images of a run) is checked against them *before*
/// it is made, and an input that asks for more gets `LabelAssignError.resourceExhausted`, naming
/// the limit and the environment variable that raises it.
///
/// | limit | default | environment variable |
/// |---|---|---|
/// | `maxBufferBytes`: one working buffer | 1 GiB | `LABELASSIGN_MAX_BUFFER_BYTES` |
/// | `maxInputBytes`: one scene, problem, box or annotation file | 1 GiB | `LABELASSIGN_MAX_INPUT_BYTES` |
/// | `maxImages`: images of one `compare` / `bench` run (about 9 KB of results each) | 100,000 | `LABELASSIGN_MAX_IMAGES` |
///
/// The variables take a whole number, with an optional binary suffix for the byte limits
/// (`K`, `M`, `G`, `T`: 2^10 ... 2^40), e.g. `LABELASSIGN_MAX_BUFFER_BYTES=8G`. They are read
/// once, at the first check. `withLimits(_:_:)` replaces them for one piece of work on the
/// current thread (tests, or a caller that wants tighter bounds for one call).
public struct ResourceLimits: Sendable, Equatable {
    /// The largest single buffer (bytes) an input may make the library allocate.
    public var maxBufferBytes: Int
    /// The largest file (bytes) the readers accept.
    public var maxInputBytes: Int
    /// The most images one comparison or benchmark run may ask for.
    public var maxImages: Int

    public static let defaultMaxBufferBytes = 1 << 30
    public static let defaultMaxInputBytes = 1 << 30
    public static let defaultMaxImages = 100_000

    /// The environment variable behind each limit.
    public static let bufferVariable = "LABELASSIGN_MAX_BUFFER_BYTES"
    public static let inputVariable = "LABELASSIGN_MAX_INPUT_BYTES"
    public static let imagesVariable = "LABELASSIGN_MAX_IMAGES"

    public init(maxBufferBytes: Int = ResourceLimits.defaultMaxBufferBytes,
                maxInputBytes: Int = ResourceLimits.defaultMaxInputBytes,
                maxImages: Int = ResourceLimits.defaultMaxImages) {
        self.maxBufferBytes = maxBufferBytes
        self.maxInputBytes = maxInputBytes
        self.maxImages = maxImages
    }

    /// The defaults.
    public static let defaults = ResourceLimits()

    /// The limits in force: those of the innermost enclosing `withLimits`, else the
    /// environment's (the defaults where a variable is unset). Throws `invalidParameter` naming
    /// the variable when one is set to something that is not a positive whole number.
    public static func current() throws -> ResourceLimits {
        if let override { return override }
        return try environment.get()
    }

    /// Runs `body` with `limits` in force (a task-local value: it holds on the current thread
    /// and in the child tasks of `body`; work handed to other threads sees the environment's).
    public static func withLimits<R>(_ limits: ResourceLimits, _ body: () throws -> R) rethrows -> R {
        try $override.withValue(limits, operation: body)
    }

    @TaskLocal private static var override: ResourceLimits?

    // MARK: checks

    /// Checks a buffer of `count` elements of `element` (`what` names it in the error, e.g.
    /// "SimOTA cost matrix (objects × candidates)") against `maxBufferBytes`. Returns `count`.
    @discardableResult
    public static func checkBuffer<T>(_ what: String, count: Int, of element: T.Type) throws -> Int {
        try checkBuffer(what, counts: [count], bytesPerElement: MemoryLayout<T>.stride)
    }

    /// Checks a buffer of `counts[0] × counts[1] × ...` elements of `element`, the product computed
    /// with overflow checks (an overflow is reported as exceeding the limit). Returns the element count.
    @discardableResult
    public static func checkBuffer<T>(_ what: String, counts: [Int], of element: T.Type) throws -> Int {
        try checkBuffer(what, counts: counts, bytesPerElement: MemoryLayout<T>.stride)
    }

    /// Checks a buffer of `counts` product elements of `bytesPerElement` bytes each. Returns the
    /// element count. Negative counts are `invalidParameter`.
    @discardableResult
    public static func checkBuffer(_ what: String, counts: [Int], bytesPerElement: Int) throws -> Int {
        let limit = try current().maxBufferBytes
        guard let elements = product(counts) else {
            throw LabelAssignError.invalidParameter(name: what, reason: "negative size \(counts)")
        }
        let bytes = elements.flatMap { multiply($0, max(bytesPerElement, 0)) }
        guard let elements, let bytes, bytes <= limit else {
            throw LabelAssignError.resourceExhausted(resource: what, requested: describeProduct(counts, bytesPerElement, bytes),
                                                     limit: "\(describeBytes(limit)) per buffer", setting: bufferVariable)
        }
        return elements
    }

    /// Checks the size of an input file (or of standard input) against `maxInputBytes`.
    public static func checkInput(_ what: String, bytes: Int) throws {
        let limit = try current().maxInputBytes
        guard bytes <= limit else {
            throw LabelAssignError.resourceExhausted(resource: what, requested: describeBytes(bytes),
                                                     limit: describeBytes(limit), setting: inputVariable)
        }
    }

    /// Checks the number of images of a run against `maxImages`.
    public static func checkImages(_ what: String, count: Int) throws {
        guard count >= 0 else { throw LabelAssignError.invalidParameter(name: what, reason: "must not be negative, got \(count)") }
        let limit = try current().maxImages
        guard count <= limit else {
            throw LabelAssignError.resourceExhausted(resource: what, requested: "\(count) images", limit: "\(limit) images",
                                                     setting: imagesVariable)
        }
    }

    // MARK: arithmetic

    /// `a · b`, or `nil` when it overflows `Int`.
    @inline(__always)
    public static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : p
    }

    /// The product of non-negative counts: `.some(nil)` when it overflows, `nil` when a count is negative.
    static func product(_ counts: [Int]) -> Int?? {
        var p = 1
        var overflow = false
        for c in counts {
            if c < 0 { return nil }
            if overflow { continue }
            if let q = multiply(p, c) { p = q } else { overflow = true }
        }
        if counts.contains(0) { return .some(0) }
        return overflow ? .some(nil) : .some(p)
    }

    static func describeProduct(_ counts: [Int], _ bytesPerElement: Int, _ bytes: Int?) -> String {
        let shape = counts.map(String.init).joined(separator: " × ")
        let total = bytes.map { shortBytes($0) } ?? "more than 8 EiB"
        return "\(shape) elements of \(bytesPerElement) bytes, \(total)"
    }

    /// `1073741824` → "1 GiB (1073741824 bytes)"; small values in bytes.
    public static func describeBytes(_ n: Int) -> String {
        n < 1024 ? "\(n) bytes" : "\(shortBytes(n)) (\(n) bytes)"
    }

    /// `3281250000` → "3.1 GiB".
    static func shortBytes(_ n: Int) -> String {
        let units: [(Int, String)] = [(1 << 60, "EiB"), (1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where n >= size {
            let v = Double(n) / Double(size)
            let text = v == v.rounded() ? "\(Int(v))" : String(Double((v * 10).rounded()) / 10)
            return "\(text) \(name)"
        }
        return "\(n) bytes"
    }

    // MARK: environment

    /// Parses a limit: a positive whole number with an optional binary suffix (K, M, G, T;
    /// `allowSuffix`). `nil` when malformed, zero, negative or beyond `Int`.
    public static func parseLimit(_ text: String, allowSuffix: Bool) -> Int? {
        var digits = Substring(text.trimmingCharacters())
        var scale = 1
        if allowSuffix, let last = digits.last {
            let shifts: [Character: Int] = ["K": 10, "k": 10, "M": 20, "m": 20, "G": 30, "g": 30, "T": 40, "t": 40]
            if let s = shifts[last] { scale = 1 << s; digits = digits.dropLast() }
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let v = Int(digits), v > 0 else { return nil }
        return multiply(v, scale)
    }

    private static let environment: Result<ResourceLimits, LabelAssignError> = {
        func read(_ name: String, _ fallback: Int, suffix: Bool) -> Result<Int, LabelAssignError> {
            guard let raw = getenv(name) else { return .success(fallback) }
            let text = String(cString: raw)
            if text.isEmpty { return .success(fallback) }
            guard let v = parseLimit(text, allowSuffix: suffix) else {
                return .failure(.invalidParameter(name: name, reason: "'\(text)' is not a positive whole number\(suffix ? " (optionally with K, M, G or T)" : "")"))
            }
            return .success(v)
        }
        let buffer = read(bufferVariable, defaultMaxBufferBytes, suffix: true)
        let input = read(inputVariable, defaultMaxInputBytes, suffix: true)
        let images = read(imagesVariable, defaultMaxImages, suffix: false)
        switch (buffer, input, images) {
        case let (.success(b), .success(i), .success(n)):
            return .success(ResourceLimits(maxBufferBytes: b, maxInputBytes: i, maxImages: n))
        case let (.failure(e), _, _), let (_, .failure(e), _), let (_, _, .failure(e)):
            return .failure(e)
        }
    }()
}

private extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
