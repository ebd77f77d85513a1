import Dispatch
import Synchronization

/// Hands bytes to the next sink on another thread, in 1 MiB chunks with at most two in flight,
/// so compressing a package's data file runs on the second core while rows are transformed.
/// Memory stays at a few chunks; the first error of the next sink is rethrown.
final class BackgroundSink: ByteSink {
    private static let chunkSize = 1 << 20

    /// The next sink is used only on `queue` once this sink exists.
    private struct Confined: @unchecked Sendable {
        let sink: ByteSink
    }

    private let next: Confined
    private let queue = DispatchQueue(label: "ferry.background-sink")
    private let slots = DispatchSemaphore(value: 2)
    private let failure = FirstError()
    private var chunk: [UInt8] = []

    init(next: ByteSink) {
        self.next = Confined(sink: next)
        chunk.reserveCapacity(Self.chunkSize)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        chunk.append(contentsOf: bytes)
        if chunk.count >= Self.chunkSize { try handOver() }
    }

    /// Waits until everything written so far has reached the next sink.
    func finish() throws {
        try handOver()
        queue.sync {}
        if let error = failure.value { throw error }
    }

    private func handOver() throws {
        if let error = failure.value { throw error }
        guard !chunk.isEmpty else { return }
        slots.wait()
        let full = chunk
        chunk = []
        chunk.reserveCapacity(Self.chunkSize)
        let next = self.next
        queue.async { [slots, failure] in
            do {
                try full.withUnsafeBytes { try next.sink.write($0) }
            } catch {
                failure.record(error)
            }
            slots.signal()
        }
    }
}

/// The first error another thread ran into.
final class FirstError: Sendable {
    private let storage = Mutex<(any Error)?>(nil)

    var value: (any Error)? { storage.withLock { $0 } }

    func record(_ error: any Error) {
        storage.withLock { if $0 == nil { $0 = error } }
    }
}
