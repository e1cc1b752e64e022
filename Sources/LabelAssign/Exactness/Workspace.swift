/// Scratch memory for one assignment at a time: typed buffers handed out by `buffer(_:_:)`,
/// valid until `reset()` or the workspace's end, and kept for reuse, so a batch that runs many
/// images on one thread allocates once. Not thread-safe: one workspace per worker.
package final class Workspace {
    private var blocks: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private var used = 0

    package init() {}

    /// Runs `body` with a new workspace that lives until `body` returns; its buffers must not
    /// escape `body`.
    package static func run<R>(_ body: (Workspace) throws -> R) rethrows -> R {
        let workspace = Workspace()
        return try withExtendedLifetime(workspace) { try body(workspace) }
    }

    deinit {
        for block in blocks { block.pointer.deallocate() }
    }

    /// A buffer of `count` values, each set to `value`.
    package func buffer<T: BitwiseCopyable>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
        let typed = uninitialisedBuffer(count, of: T.self)
        typed.initialize(repeating: value)
        return typed
    }

    /// A buffer of `count` values left as they are: for a caller that writes every entry before
    /// reading it.
    package func uninitialisedBuffer<T: BitwiseCopyable>(_ count: Int, of _: T.Type) -> UnsafeMutableBufferPointer<T> {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        let alignment = max(MemoryLayout<T>.alignment, 64)
        if used == blocks.count {
            blocks.append((UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment), bytes))
        } else if blocks[used].bytes < bytes {
            blocks[used].pointer.deallocate()
            blocks[used] = (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment), bytes)
        }
        let typed = blocks[used].pointer.bindMemory(to: T.self, capacity: max(count, 1))
        used += 1
        return UnsafeMutableBufferPointer(start: typed, count: count)
    }

    /// Makes every buffer handed out so far free for reuse.
    package func reset() { used = 0 }
}
