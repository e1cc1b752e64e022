import CBLAS
import Dispatch
import Synchronization

/// Runs independent work items on a fixed number of threads.
public enum Parallel {
    /// `body(0) ... body(count - 1)` on `threads` workers (`DispatchQueue.concurrentPerform`, items
    /// handed out one at a time in index order); results in index order, identical to a serial run
    /// when `body` is deterministic. `threads <= 1` runs serially on the calling thread. Throws
    /// `resourceExhausted` when `count` results would pass the buffer limit (`ResourceLimits`).
    public static func map<T: Sendable>(count: Int, threads: Int, _ body: @Sendable (Int) -> T) throws -> [T] {
        if count <= 0 { return [] }
        try ResourceLimits.checkBuffer("results of a parallel map", count: count, of: T?.self)
        let workers = min(max(threads, 1), count)
        if workers == 1 { return (0..<count).map(body) }
        let slots = Slots<T>(count)
        let next = Mutex(0)
        withoutActuallyEscaping(body) { body in
            let work: @Sendable (Int) -> Void = { _ in
                while true {
                    let i = next.withLock { n -> Int in let i = n; n += 1; return i }
                    if i >= count { return }
                    slots.set(i, body(i))
                }
            }
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
        }
        return slots.values()
    }

    /// Write-once result slots shared by the workers; each index is written by exactly one worker.
    private final class Slots<T>: @unchecked Sendable {
        private let pointer: UnsafeMutablePointer<T?>
        private let count: Int
        init(_ count: Int) {
            self.count = count
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: nil, count: count)
        }
        func set(_ i: Int, _ v: T) { pointer[i] = v }
        func values() -> [T] { (0..<count).map { pointer[$0]! } }
        deinit {
            pointer.deinitialize(count: count)
            pointer.deallocate()
        }
    }
}

/// OpenBLAS threading. Assigners are single-threaded per image and batches run in parallel across
/// images, so OpenBLAS is held at one thread while a batch runs (its own threads would compete with
/// the workers and could change summation order).
public enum BLASThreads {
    /// OpenBLAS's current thread count.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS at one thread, restoring the previous count once the last of the
    /// overlapping `single` calls (from any thread) has returned, so none of them runs on more.
    public static func single<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { s in
            if s.depth == 0 {
                s.saved = openblas_get_num_threads()
                if s.saved != 1 { openblas_set_num_threads(1) }
            }
            s.depth += 1
        }
        defer {
            state.withLock { s in
                s.depth -= 1
                if s.depth == 0, s.saved != 1 { openblas_set_num_threads(s.saved) }
            }
        }
        return try body()
    }

    /// The open `single` calls and the thread count they replaced.
    private struct State {
        var depth = 0
        var saved: Int32 = 1
    }

    private static let state = Mutex(State())
}
