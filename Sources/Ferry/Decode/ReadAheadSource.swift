import Dispatch
import Synchronization

/// Reads (and so decompresses) a source on another thread while the reader parses what came before: inflating
/// a gzip input runs on the second core. Between the two, a bounded queue of buffers: at most `depth` chunks are
/// filled ahead, and a chunk the reader has emptied goes back to the filling thread, so a stream costs no
/// allocation per chunk. Dropping the reader stops the filling thread, which then lets go of the source.
final class ReadAheadSource: ByteSource {
    /// A buffer and the bytes filled into it; the last one of the stream says so, with its error if one ended it.
    private struct Chunk: Sendable {
        var bytes: [UInt8]
        var count = 0
        var isLast = false
        var error: InputError?
    }

    /// The source is used only on the filling thread once this reader exists.
    private struct Confined: @unchecked Sendable {
        let source: ByteSource
    }

    /// What the two threads hand each other.
    private final class Queue: Sendable {
        let filled = Mutex<[Chunk]>([])
        let empty = Mutex<[Chunk]>([])
        let filledCount = DispatchSemaphore(value: 0)
        let emptyCount: DispatchSemaphore
        let stopped = Atomic<Bool>(false)
        let consumed = Atomic<Int64>(0)

        init(depth: Int, chunkSize: Int) {
            // Counted up from 0: libdispatch refuses to free a semaphore left below its initial value.
            emptyCount = DispatchSemaphore(value: 0)
            empty.withLock { chunks in
                for _ in 0..<depth { chunks.append(Chunk(bytes: [UInt8](repeating: 0, count: chunkSize))) }
            }
            for _ in 0..<depth { emptyCount.signal() }
        }
    }

    private let queue: Queue
    private var current = Chunk(bytes: [])
    private var offset = 0

    var bytesConsumed: Int64 { queue.consumed.load(ordering: .relaxed) }

    init(_ source: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 2) {
        let queue = Queue(depth: depth, chunkSize: max(chunkSize, 1))
        self.queue = queue
        let inner = Confined(source: source)
        DispatchQueue(label: "ferry.read-ahead").async { Self.fill(from: inner, into: queue) }
    }

    deinit {
        queue.stopped.store(true, ordering: .relaxed)
        // Wakes the filling thread if it waits for a buffer, so it sees the stop.
        queue.emptyCount.signal()
    }

    /// Hands out every byte filled before an error, then throws it (again on every later call).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == current.count {
            if let error = current.error { throw error }
            if current.isLast { return 0 }
            if !current.bytes.isEmpty {
                // Moved out first, so the filling thread gets the only reference and writes without a copy.
                var emptied = Chunk(bytes: [])
                swap(&emptied, &current)
                queue.empty.withLock { [emptied] in $0.append(emptied) }
                queue.emptyCount.signal()
            }
            queue.filledCount.wait()
            current = queue.filled.withLock { $0.removeFirst() }
            offset = 0
        }
        let count = min(buffer.count, current.count - offset)
        current.bytes.withUnsafeBytes { chunk in
            guard let from = chunk.baseAddress, let to = buffer.baseAddress else { return }
            to.copyMemory(from: from + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// The filling thread: fills each empty buffer and queues it, until the end, an error or the reader is gone.
    private static func fill(from inner: Confined, into queue: Queue) {
        while true {
            queue.emptyCount.wait()
            if queue.stopped.load(ordering: .relaxed) { return }
            var chunk = queue.empty.withLock { $0.removeFirst() }
            chunk.count = 0
            chunk.isLast = false
            do {
                while chunk.count < chunk.bytes.count {
                    let filled = chunk.count
                    let count = try chunk.bytes.withUnsafeMutableBytes {
                        try inner.source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                    }
                    if count == 0 { break }
                    chunk.count += count
                }
            } catch let error as InputError {
                chunk.error = error
            } catch {
                chunk.error = InputError(.io, InputLocation(file: ""), "\(error)")
            }
            queue.consumed.store(inner.source.bytesConsumed, ordering: .relaxed)
            chunk.isLast = chunk.count < chunk.bytes.count || chunk.error != nil
            let last = chunk.isLast
            queue.filled.withLock { $0.append(chunk) }
            queue.filledCount.signal()
            if last { return }
        }
    }
}
