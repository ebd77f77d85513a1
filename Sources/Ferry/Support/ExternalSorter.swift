#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts byte records by a key in bounded memory: records collect in one buffer; past `memoryBudget` the
/// buffer is sorted and written to a run file in `folder`, and `forEachSorted` merges the runs. Records
/// with equal keys come out in the order they went in. Run files are removed with the sorter (after a
/// crash, recovery clears them from staging with the other leftovers).
final class ExternalSorter {
    /// Runs merged at once; more are first merged into one, so the final merge holds this many buffers.
    static let maxFanIn = 64

    private let folder: String
    private let memoryBudget: Int
    private let chunk: RecordChunk
    private var runs: [String] = []
    private var sealed = false
    private(set) var count = 0

    init(folder: String, memoryBudget: Int) {
        self.folder = folder
        self.memoryBudget = memoryBudget
        chunk = RecordChunk(capacity: memoryBudget)
    }

    deinit { for run in runs { unlinkQuietly(run) } }

    /// Whether records went to run files.
    var isSpilled: Bool { !runs.isEmpty }

    func append(key: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws {
        precondition(!sealed, "records appended to a sorter that was read")
        if !chunk.fits(key: key.count, payload: payload.count) { try spill() }
        chunk.append(SortedRecord(key: key, payload: payload, sequence: UInt64(count)))
        count += 1
    }

    /// Every record in key order (equal keys in the order they were appended). After the first call no
    /// records can be added; it may be called again.
    func forEachSorted(_ body: (SortedRecord) throws -> Void) throws {
        seal()
        if runs.isEmpty { return try chunk.forEach(body) }
        var sources: [RecordSource] = try runs.map { try RunReader(path: $0) }
        if chunk.count > 0 { sources.append(ChunkReader(chunk)) }
        try RecordMerge(sources).forEach(body)
    }

    /// The payloads of the records with this key, in the order they were appended; only while nothing
    /// was spilled (binary search in memory).
    func payloads(forKey key: UnsafeRawBufferPointer) -> [[UInt8]] {
        precondition(runs.isEmpty, "lookups in memory only")
        seal()
        return chunk.payloads(forKey: key)
    }

    private func seal() {
        guard !sealed else { return }
        sealed = true
        chunk.sort()
    }

    private func spill() throws {
        chunk.sort()
        let path = "\(folder)/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).run"
        let writer = try RunWriter(path: path)
        runs.append(path)
        try chunk.forEach { try writer.write($0) }
        try writer.close()
        chunk.removeAll()
        if runs.count >= Self.maxFanIn { try mergeRuns() }
    }

    /// Merges the runs so far into one, so the final merge never holds more than `maxFanIn` readers.
    private func mergeRuns() throws {
        let path = "\(folder)/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).run"
        let writer = try RunWriter(path: path)
        do {
            try RecordMerge(try runs.map { try RunReader(path: $0) }).forEach { try writer.write($0) }
            try writer.close()
        } catch {
            unlinkQuietly(path)
            throw error
        }
        for run in runs { unlinkQuietly(run) }
        runs = [path]
    }
}

/// One record as it streams past: valid only inside the callback that receives it.
struct SortedRecord {
    var key: UnsafeRawBufferPointer
    var payload: UnsafeRawBufferPointer
    var sequence: UInt64

    /// Key order, then the order of appending.
    func precedes(_ other: SortedRecord) -> Bool {
        let order = Self.compare(key, other.key)
        return order != 0 ? order < 0 : sequence < other.sequence
    }

    static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int32 {
        let common = min(left.count, right.count)
        if common > 0, let a = left.baseAddress, let b = right.baseAddress {
            let order = memcmp(a, b, common)
            if order != 0 { return order }
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }
}

/// An error writing or reading a sorter's run file (a full disk): not the input's fault.
struct SpillFileError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32
    var description: String { "cannot \(operation) \(path): \(SystemCall.describe(code))" }
}
