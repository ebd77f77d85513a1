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
