import Foundation
import Testing
@testable import Ferry

@Suite("gzip stream")
struct GzipByteSourceTests {
    struct Vector: Sendable, CustomStringConvertible {
        var file: String
        var ok: Bool
        var expected: String
        var description: String { file }
    }

    /// Go's gunzip test vectors: valid files, multi-member, corrupt CRC/size, trailing garbage, truncation.
    static let vectors: [Vector] = {
        let table = (try? String(contentsOfFile: Fixtures.path("gzip/expected.tsv"), encoding: .utf8)) ?? ""
        return table.split(separator: "\n").dropFirst().map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Vector(file: columns[0], ok: columns[1] == "ok",
                          expected: columns[2].replacingOccurrences(of: "\\n", with: "\n"))
        }
    }()

    static func inflate(_ bytes: [UInt8], limits: DecompressionLimits = DecompressionLimits()) throws -> [UInt8] {
        let source = try GzipByteSource(MemorySource(bytes: bytes, chunk: 3), fileName: "t.gz", limits: limits)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 5)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            output += buffer[0..<count]
        }
        return output
    }

    @Test("the corpus is there")
    func corpusLoaded() {
        #expect(Self.vectors.count == 18)
    }

    @Test("corpus vector", arguments: vectors)
    func vector(_ vector: Vector) throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("gzip/\(vector.file)"))))
        if vector.ok {
            #expect(String(decoding: try Self.inflate(bytes), as: UTF8.self) == vector.expected)
        } else {
            let error = #expect(throws: InputError.self) { _ = try Self.inflate(bytes) }
            #expect(error?.kind == .malformed)
            #expect(error?.location.byteOffset != nil, "a gzip fault names its byte offset")
        }
    }

    @Test("zero bytes after the gzip data (tape or block padding) are read past with a notice, as gzip(1) does")
    func zeroPadding() throws {
        let text = Array("id,name\n1,Anna\n".utf8)
        let notices = Notices()
        let source = try GzipByteSource(MemorySource(bytes: try ArchiveMaker.gzip(text) + [UInt8](repeating: 0, count: 512), chunk: 100),
                                        fileName: "t.csv.gz", notices: notices)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while case let count = try buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 { output += buffer[0..<count] }
        #expect(output == text)
        #expect(notices.drain() == ["t.csv.gz: 512 zero bytes after the end of the gzip data (tape or block padding) were ignored"])
    }

    @Test("anything but zeros after the padding is still garbage, named at its byte")
    func garbageAfterPadding() throws {
        let gzip = try ArchiveMaker.gzip(Array("id\n1\n".utf8))
        let error = #expect(throws: InputError.self) { _ = try Self.inflate(gzip + [0, 0, 0, 0x41]) }
        #expect(error?.location.byteOffset == Int64(gzip.count + 3))
        #expect(error?.message.contains("after 3 zero bytes") == true)
    }

    @Test("a bad checksum or length is named at its own byte, also when the whole file was peeked at once", arguments: [8, 4])
    func checksumOffset(fromEnd: Int) throws {
        var gzip = try ArchiveMaker.gzip(Array("id,name\n1,Anna\n".utf8))
        gzip[gzip.count - fromEnd] ^= 0xFF
        let peeked = try PeekableByteSource(MemorySource(bytes: gzip, chunk: 1 << 16))
        let source = try GzipByteSource(peeked, fileName: "t.csv.gz")
        var buffer = [UInt8](repeating: 0, count: 64)
        let error = #expect(throws: InputError.self) {
            while try buffer.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {}
        }
        #expect(error?.location.byteOffset == Int64(gzip.count - fromEnd))
        #expect(error?.message.contains(fromEnd == 8 ? "checksum (CRC-32)" : "length field") == true)
    }

    @Test("a decompressed size over the limit is refused without holding the output")
    func sizeLimit() throws {
        let bomb = try ArchiveMaker.gzip([UInt8](repeating: 0, count: 4 << 20))
        let error = #expect(throws: InputError.self) {
            _ = try Self.inflate(bomb, limits: DecompressionLimits(maxBytes: 1 << 20, maxRatio: 1_000_000))
        }
        #expect(error?.kind == .limit)
        #expect(error?.message.contains("1 MiB") == true)
    }

    @Test("an expansion ratio over the limit is refused")
    func ratioLimit() throws {
        let bomb = try ArchiveMaker.gzip([UInt8](repeating: 0, count: 4 << 20))
        let error = #expect(throws: InputError.self) {
            _ = try Self.inflate(bomb, limits: DecompressionLimits(maxBytes: 1 << 40, maxRatio: 50, ratioGrace: 1 << 20))
        }
        #expect(error?.message.contains("decompression bomb") == true)
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
