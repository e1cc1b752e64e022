import LabelAssign
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an input file, without a second copy: a regular file is memory-mapped
/// read-only; standard input (`-`), pipes and devices are read into one buffer. Either way the
/// size is checked against `ResourceLimits.maxInputBytes` (`LABELASSIGN_MAX_INPUT_BYTES`) before
/// the bytes are used, and errors name the path and the system's reason.
public enum InputFile {
    /// The path that means standard input.
    public static let standardInput = "-"

    /// Calls `body` with the bytes of the file at `path` (`-` = standard input). The buffer is
    /// valid only during `body`.
    public static func withBytes<R>(of path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        if path == standardInput { return try readStream(fd: 0, name: "standard input", body) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LabelAssignError.io("\(path): \(systemError())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LabelAssignError.io("\(path): \(systemError())") }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR { throw LabelAssignError.io("\(path): is a directory") }
        guard kind == S_IFREG else { return try readStream(fd: fd, name: path, body) }
        let size = Int(info.st_size)
        try ResourceLimits.checkInput("\(path)", bytes: size)
        if size == 0 { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            // Some file systems cannot map; read the file instead.
            return try readStream(fd: fd, name: path, body)
        }
        defer { munmap(base, size) }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size))
    }

    /// All bytes of the file at `path` (`-` = standard input), size-checked.
    public static func bytes(of path: String) throws -> [UInt8] {
        try withBytes(of: path) { Array($0) }
    }

    /// Reads `fd` to its end into one growing buffer, checking the limit as it grows.
    static func readStream<R>(fd: Int32, name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        let limit = try ResourceLimits.current().maxInputBytes
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LabelAssignError.io("\(name): \(systemError())")
            }
            if n == 0 { break }
            guard data.count + n <= limit else {
                try ResourceLimits.checkInput(name, bytes: data.count + n)
                break
            }
            data.append(contentsOf: chunk[0..<n])
        }
        return try data.withUnsafeBufferPointer { try body($0) }
    }

    static func systemError() -> String {
        String(cString: strerror(errno))
    }
}
