import Foundation
import Testing
@testable import Ferry

/// The gzip reader as the pipeline uses it: inflating on another thread, handed over through a bounded queue.
@Suite("gzip inflated on another thread")
struct ReadAheadSourceTests {
    /// Members of 0, 1, and up to 70,000 bytes; the largest spans many queue chunks and inflate calls.
    static let members: [[UInt8]] = [0, 1, 17, 4_096, 70_000, 3].enumerated().map { index, count in
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ index &* 7) % 251) }
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let collected = CollectingSink()
        let sink = try GzipSink(next: collected, level: 1)
        try bytes.withUnsafeBytes { try sink.write($0) }
        try sink.finish()
        return collected.bytes
    }

    static func readAll(_ source: ByteSource, readSize: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: readSize)
        while case let count = try buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 {
            output += buffer[0..<count]
        }
        return output
    }

    @Test("concatenated members come out whole, whatever the sizes of the pieces, the queue's chunks and the reads",
          arguments: [(1, 1, 1), (3, 7, 5), (7, 64, 4_096), (4_096, 3, 1), (1 << 20, 1 << 16, 7), (13, 1 << 20, 1 << 16)])
    func members(piece: Int, chunk: Int, readSize: Int) throws {
        let compressed = try Self.members.flatMap(Self.gzip)
        let source = ReadAheadSource(try GzipByteSource(MemorySource(bytes: compressed, chunk: piece), fileName: "t.csv.gz"), chunkSize: chunk)
        #expect(try Self.readAll(source, readSize: readSize) == Self.members.flatMap { $0 })
        #expect(source.bytesConsumed == Int64(compressed.count))
    }

    @Test("a file cut at any byte fails with a message naming the file and the offset, after the bytes before the cut")
    func truncatedAnywhere() throws {
        let members = [Self.members[2], Self.members[3]]
        let compressed = try members.flatMap(Self.gzip)
        let whole = members.flatMap { $0 }
        let firstMember = try Self.gzip(members[0]).count
        for cut in 1..<compressed.count where cut != firstMember {
            let source = ReadAheadSource(try GzipByteSource(MemorySource(bytes: Array(compressed[0..<cut]), chunk: 5), fileName: "cut.csv.gz"),
                                         chunkSize: 11)
            var output: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 3)
            let error = #expect(throws: InputError.self, "cut at \(cut)") {
                while case let count = try buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 {
                    output += buffer[0..<count]
                }
            }
            #expect(error?.location.file == "cut.csv.gz")
            #expect(error?.location.byteOffset != nil)
            #expect(error?.kind == .malformed)
            #expect(whole.starts(with: output), "cut at \(cut): the bytes before the error are the file's own")
        }
    }

    @Test("a damaged checksum in the second member is named after the first member's bytes")
    func corruptSecondMember() throws {
        let first = try Self.gzip(Self.members[3])
        var second = try Self.gzip(Self.members[4])
        second[second.count - 6] ^= 0x55
        let source = ReadAheadSource(try GzipByteSource(MemorySource(bytes: first + second, chunk: 4_096), fileName: "bad.csv.gz"), chunkSize: 1_000)
        let error = #expect(throws: InputError.self) { _ = try Self.readAll(source, readSize: 4_096) }
        #expect(error?.message.contains("checksum (CRC-32)") == true, "\(String(describing: error))")
        #expect(error?.location.byteOffset == Int64(first.count + second.count - 8))
    }

    @Test("a reader dropped halfway stops the inflating thread and lets go of the file")
    func droppedHalfway() async throws {
        let compressed = try Self.gzip([UInt8](repeating: 65, count: 4 << 20))
        weak var inner: MemorySource?
        do {
            let memory = MemorySource(bytes: compressed, chunk: 1_024)
            inner = memory
            let source = ReadAheadSource(try GzipByteSource(memory, fileName: "t.csv.gz"), chunkSize: 1_024)
            var buffer = [UInt8](repeating: 0, count: 100)
            _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while inner != nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(inner == nil, "the inflating thread still holds the file")
    }
}

/// Keeps what is written, for tests.
final class CollectingSink: ByteSink {
    private(set) var bytes: [UInt8] = []
    func write(_ buffer: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: buffer) }
}
