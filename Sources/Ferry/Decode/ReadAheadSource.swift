import Dispatch
import Synchronization

/// Reads (and so decompresses) the next chunks of a source on another thread while the current one
/// is parsed: inflating a gzip input runs on the second core. At most two 1 MiB chunks are ahead.
final class ReadAheadSource: ByteSource {
    private static let chunkSize = 1 << 20

    /// The wrapped source is used only on `queue` once this source exists.
    private struct Confined: @unchecked Sendable {
        let source: ByteSource
    }

    /// What the reading thread hands over.
    private final class Shared: Sendable {
        let ready = Mutex<[Result<[UInt8], InputError>]>([])
        let filled = DispatchSemaphore(value: 0)
        let consumed = Mutex<Int64>(0)
    }

    private let inner: Confined
    private let queue = DispatchQueue(label: "ferry.read-ahead")
    private let shared = Shared()
    private var current: [UInt8] = []
    private var offset = 0
    private var finished = false

    var bytesConsumed: Int64 { shared.consumed.withLock { $0 } }

    init(_ source: ByteSource) {
        inner = Confined(source: source)
        scheduleRead()
        scheduleRead()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == current.count {
            if finished { return 0 }
            shared.filled.wait()
            let next = shared.ready.withLock { $0.removeFirst() }
            switch next {
            case .success(let chunk):
                if chunk.isEmpty { finished = true; return 0 }
                current = chunk
                offset = 0
                scheduleRead()
            case .failure(let error):
                finished = true
                throw error
            }
        }
        let count = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        return count
    }

    /// Reads one chunk ahead on the queue; called once per chunk consumed, so two stay ahead.
    private func scheduleRead() {
        let inner = self.inner
        queue.async { [shared] in
            var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
            let result: Result<[UInt8], InputError>
            do {
                var filledBytes = 0
                while filledBytes < chunk.count {
                    let count = try chunk.withUnsafeMutableBytes { try inner.source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filledBytes...])) }
                    if count == 0 { break }
                    filledBytes += count
                }
                chunk.removeSubrange(filledBytes...)
                result = .success(chunk)
            } catch let error as InputError {
                result = .failure(error)
            } catch {
                result = .failure(InputError(.io, InputLocation(file: ""), "\(error)"))
            }
            shared.consumed.withLock { $0 = inner.source.bytesConsumed }
            shared.ready.withLock { $0.append(result) }
            shared.filled.signal()
        }
    }
}
