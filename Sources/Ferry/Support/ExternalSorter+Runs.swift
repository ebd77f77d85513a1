#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A record as stored in memory and in run files: key length and payload length (UInt32, little endian),
// the sequence number (UInt64), the key bytes, the payload bytes.
private let headerSize = 16

private func recordAt(_ base: UnsafeRawPointer) -> SortedRecord {
    let keyCount = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
    let payloadCount = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
    let sequence = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    return SortedRecord(key: UnsafeRawBufferPointer(start: base + headerSize, count: keyCount),
                        payload: UnsafeRawBufferPointer(start: base + headerSize + keyCount, count: payloadCount),
                        sequence: sequence)
}

private func encodedSize(of record: SortedRecord) -> Int { headerSize + record.key.count + record.payload.count }

private func encode(_ record: SortedRecord, into target: UnsafeMutableRawPointer) {
    target.storeBytes(of: UInt32(record.key.count).littleEndian, toByteOffset: 0, as: UInt32.self)
    target.storeBytes(of: UInt32(record.payload.count).littleEndian, toByteOffset: 4, as: UInt32.self)
    target.storeBytes(of: record.sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
    if let key = record.key.baseAddress { (target + headerSize).copyMemory(from: key, byteCount: record.key.count) }
    if let payload = record.payload.baseAddress {
        (target + headerSize + record.key.count).copyMemory(from: payload, byteCount: record.payload.count)
    }
}

/// The records in memory: one buffer of encoded records (allocated once, so its pages are only resident
/// once written) and their offsets, sorted in place.
final class RecordChunk {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    private var offsets: [Int] = []

    init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    var count: Int { offsets.count }

    /// Whether a record of this size still fits (an empty chunk takes any record, growing for it).
    func fits(key: Int, payload: Int) -> Bool {
        offsets.isEmpty || used + headerSize + key + payload <= capacity
    }

    func append(_ record: SortedRecord) {
        let size = encodedSize(of: record)
        if used + size > capacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: used + size, alignment: 8)
            grown.copyMemory(from: storage, byteCount: used)
            storage.deallocate()
            storage = grown
            capacity = used + size
        }
        encode(record, into: storage + used)
        offsets.append(used)
        used += size
    }

    /// Empties the chunk for the next run, keeping its memory.
    func removeAll() {
        used = 0
        offsets.removeAll(keepingCapacity: true)
    }

    func sort() {
        let base = UnsafeRawPointer(storage)
        offsets.sort { recordAt(base + $0).precedes(recordAt(base + $1)) }
    }

    func record(at index: Int) -> SortedRecord { recordAt(UnsafeRawPointer(storage) + offsets[index]) }

    func forEach(_ body: (SortedRecord) throws -> Void) throws {
        for index in offsets.indices { try body(record(at: index)) }
    }

    /// Payloads of the records with `key`, by binary search over the sorted offsets.
    func payloads(forKey key: UnsafeRawBufferPointer) -> [[UInt8]] {
        var low = 0, high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if SortedRecord.compare(record(at: middle).key, key) < 0 { low = middle + 1 } else { high = middle }
        }
        var found: [[UInt8]] = []
        while low < offsets.count, SortedRecord.compare(record(at: low).key, key) == 0 {
            found.append(Array(record(at: low).payload))
            low += 1
        }
        return found
    }
}

/// A source of records in key order for a merge.
protocol RecordSource: AnyObject {
    /// The record the source is at; nil when it is exhausted.
    var current: SortedRecord? { get }
    func advance() throws
}

/// A sorted chunk, record by record.
final class ChunkReader: RecordSource {
    private let chunk: RecordChunk
    private var index = 0
    private(set) var current: SortedRecord?

    init(_ chunk: RecordChunk) {
        self.chunk = chunk
        current = chunk.count > 0 ? chunk.record(at: 0) : nil
    }

    func advance() {
        index += 1
        current = index < chunk.count ? chunk.record(at: index) : nil
    }
}

/// Writes encoded records to a new run file through a buffer; no sync (a scratch file).
final class RunWriter {
    private let path: String
    private var descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    init(path: String, bufferSize: Int = 256 << 10) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpillFileError(operation: "create", path: path, code: errno) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
    }

    deinit {
        if descriptor >= 0 { _ = SystemCall.close(descriptor) }
        buffer.deallocate()
    }

    func write(_ record: SortedRecord) throws {
        let size = encodedSize(of: record)
        if used + size > buffer.count {
            try flush()
            if size > buffer.count {
                buffer.deallocate()
                buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            }
        }
        encode(record, into: buffer.baseAddress! + used)
        used += size
    }

    func close() throws {
        try flush()
        let status = SystemCall.close(descriptor)
        descriptor = -1
        guard status == 0 else { throw SpillFileError(operation: "write", path: path, code: errno) }
    }

    private func flush() throws {
        var written = 0
        while written < used {
            let result = SystemCall.write(descriptor, buffer.baseAddress! + written, used - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw SpillFileError(operation: "write", path: path, code: errno)
            }
            written += result
        }
        used = 0
    }
}

/// Reads a run file record by record through a buffer that grows for a record larger than it.
final class RunReader: RecordSource {
    private let path: String
    private let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0, currentSize = 0
    private var atEnd = false
    private(set) var current: SortedRecord?

    init(path: String, bufferSize: Int = 64 << 10) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SpillFileError(operation: "open", path: path, code: errno) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        try advance()
    }

    deinit {
        _ = SystemCall.close(descriptor)
        buffer.deallocate()
    }

    func advance() throws {
        start += currentSize
        currentSize = 0
        guard try available(headerSize) else {
            if end > start { throw SpillFileError(operation: "read (it ends inside a record)", path: path, code: EIO) }
            current = nil
            return
        }
        let header = recordAt(UnsafeRawPointer(buffer.baseAddress! + start))
        let size = headerSize + header.key.count + header.payload.count
        guard try available(size) else { throw SpillFileError(operation: "read (it ends inside a record)", path: path, code: EIO) }
        current = recordAt(UnsafeRawPointer(buffer.baseAddress! + start))
        currentSize = size
    }

    /// Makes `count` bytes from `start` available, reading more as needed; false at the end of the file.
    private func available(_ count: Int) throws -> Bool {
        if end - start >= count { return true }
        if start > 0 {
            (buffer.baseAddress!).copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        if count > buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, buffer.count * 2), alignment: 8)
            grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = grown
        }
        while end - start < count && !atEnd {
            let result = SystemCall.read(descriptor, buffer.baseAddress! + end, buffer.count - end)
            if result < 0 {
                if errno == EINTR { continue }
                throw SpillFileError(operation: "read", path: path, code: errno)
            }
            if result == 0 { atEnd = true } else { end += result }
        }
        return end - start >= count
    }
}

/// Merges sorted sources into one stream (a binary heap over the sources' current records).
struct RecordMerge {
    private let sources: [RecordSource]

    init(_ sources: [RecordSource]) { self.sources = sources }

    func forEach(_ body: (SortedRecord) throws -> Void) throws {
        var heap = sources.indices.filter { sources[$0].current != nil }
        func precedes(_ a: Int, _ b: Int) -> Bool { sources[a].current!.precedes(sources[b].current!) }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, precedes(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, precedes(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        while let top = heap.first {
            try body(sources[top].current!)
            try sources[top].advance()
            if sources[top].current == nil {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }
}
